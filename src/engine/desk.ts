/**
 * The rights desk and the retention sweeps as the engine builds them: over
 * the engine's registry, laws, stores and vault, shredding through the
 * engine's logged `shred`.
 *
 * @module
 * @internal
 */

import type { ShredResult } from '../crypto/vault.js';
import type { Actor } from '../engine-context.js';
import type { OpenFields } from '../rights/anonymize.js';
import { rightsOff } from '../rights/desk.js';
import { createRetention, type RetentionSweeps } from '../rights/retention.js';
import type { Rights } from '../rights/rights.js';
import type { PurposefulSchema } from '../schema/define.js';
import { type EngineConfig, unannotatedOf } from './config.js';
import { needVault } from './vault.js';

/** The engine's `shred`, as the rights desk calls it for an erasure. */
export type EngineShred = (
  subjectId: string,
  options: {
    rows?: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>;
    now?: Date;
    actor?: Actor;
  },
) => Promise<ShredResult>;

/** `pf.rights`: the configured desk over the engine's parts, or one that refuses every request. */
export function engineRights(config: EngineConfig, openStored: OpenFields, shred: EngineShred): Rights {
  if (!config.buildRights) return rightsOff();
  return config.buildRights({
    purposes: config.purposes,
    schemas: config.schemas,
    jurisdictions: config.inForce,
    openAll: (schema, row, subjectId, fields) =>
      openStored(schema, row, subjectId, fields ?? new Set(schema.fields.filter((f) => f.encrypt))),
    shred: async (subjectId, rows, now) => {
      const result = await shred(subjectId, { rows, actor: { id: 'subject:erasure' }, ...(now ? { now } : {}) });
      return { receipt: result.receipt, retained: result.retained, backupsClearBy: result.backupsClearBy };
    },
    // with a vault, a correction of a schema in clear is checked too: an erased subject takes only what the law keeps
    seal: async (schema, record, subjectId) =>
      schema.fields.some((f) => f.encrypt) || config.vault
        ? needVault(config, 'a correction').seal(schema, record, subjectId)
        : record,
    ...(config.consent.ledger ? { consent: config.consent.ledger } : {}),
    ...(config.audit ? { audit: config.audit } : {}),
    ...(config.objections ? { objections: config.objections } : {}),
    ...(config.blockings ? { blockings: config.blockings } : {}),
    unannotated: (schema) => unannotatedOf(config, schema),
  });
}

/** `pf.retention`: the sweeps over the engine's registry, opening stored rows through the vault. */
export function engineRetention(config: EngineConfig, openStored: OpenFields): RetentionSweeps {
  return createRetention({
    purposes: config.purposes,
    schemas: config.schemas,
    open: openStored,
    ...(config.audit ? { audit: config.audit } : {}),
    ...(config.consent.ledger ? { consent: config.consent.ledger } : {}),
  });
}
