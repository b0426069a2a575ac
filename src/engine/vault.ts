/**
 * The engine's side of the vault: sealing a record for storage and opening
 * the encrypted fields of a stored row, refusing with `PF_KEY_NOT_FOUND` what
 * needs a keyring the engine was not given.
 *
 * @module
 * @internal
 */
import type { Vault } from '../crypto/vault.js';
import { PurposefulError } from '../errors.js';
import type { OpenFields } from '../rights/anonymize.js';
import { mergeBlocks, setRestriction } from '../rights/restriction.js';
import type { PurposefulSchema } from '../schema/define.js';
import { type RowBlock, restrictionOf } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import type { EngineConfig } from './config.js';
import type { Resolved } from './resolve.js';

/** The vault, or `PF_KEY_NOT_FOUND` naming what needed it. */
export function needVault(config: EngineConfig, what: string): Vault {
  if (!config.vault) throw new PurposefulError('PF_KEY_NOT_FOUND', `${what} needs a keyring: createPurposeful({ keys })`);
  return config.vault;
}

/** Opens the encrypted fields the purpose may see (`visible`, not empty); without a keyring, the row is refused. */
export async function openVisible(
  config: EngineConfig,
  schema: PurposefulSchema,
  row: unknown,
  r: Resolved,
  visible: ReadonlySet<FieldInfo>,
): Promise<unknown> {
  if (!config.vault) {
    const paths = [...visible].map((f) => f.path);
    throw new PurposefulError(
      'PF_KEY_NOT_FOUND',
      `no keyring is configured, so the encrypted fields purpose "${r.purpose}" may see cannot be opened: ${paths.join(', ')}`,
      { schema: schema.id, purpose: r.purpose, paths },
    );
  }
  return config.vault.open(schema, row, r.subjectId, visible, r.purpose);
}

/** Opens encrypted fields of a stored row for the rights desk and the sweeps (they log what they do). */
export function storedOpener(config: EngineConfig): OpenFields {
  return async (schema, row, subjectId, fields) => {
    if (fields.size === 0) return row as Record<string, unknown>;
    return (await needVault(config, 'a data-subject request or a sweep').open(schema, row, subjectId, fields)) as Record<
      string,
      unknown
    >;
  };
}

/**
 * A record sealed for storage: its restriction column, when given, must be readable; an erased subject's record
 * keeps only what the purpose keeps by law; a blocked subject's row is stored (storage is what a blocking keeps),
 * carrying the blocking (LGPD Art. 5 XIII).
 */
export async function sealStored(
  config: EngineConfig,
  schema: PurposefulSchema,
  record: object,
  r: Resolved,
  held: readonly RowBlock[] | undefined,
): Promise<Record<string, unknown>> {
  restrictionOf(record, schema.id); // a restriction column given that cannot be read fails closed
  const sealed = await needVault(config, 'seal()').seal(schema, record, r.subjectId, r.purpose);
  if (held) {
    const current = restrictionOf(sealed, schema.id);
    setRestriction(sealed, { ...current, blocked: mergeBlocks(current?.blocked, held) });
  }
  return sealed;
}
