/**
 * Anonymous copies (LGPD Art. 12, 16 IV; GDPR Recital 26): when fields leave a
 * record (an erasure, the end of their retention), those that declare
 * `anonymize` survive in an anonymous copy of the record, generalized, with no
 * subject id, record id or blind index beside them. The copy is what the
 * controller may keep for statistics; the row itself is erased as always.
 *
 * @module
 */
import { isPurposefulError } from '../errors.js';
import { type AnonymizeSpec, anonymizeName, anonymizeValue } from '../minimize/anonymize.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { FieldInfo } from '../schema/walk.js';
import { mapAt, removeAt } from './paths.js';

/**
 * An anonymous copy of a record, kept when fields declaring `anonymize` leave
 * it: the schema's non-personal values, and the departing fields generalized.
 * It carries no personal field in clear, no subject id, record id or blind
 * index.
 *
 * @example
 * ```ts
 * const copy: AnonymousRecord = {
 *   schema: 'ticket', fields: ['body'],
 *   data: { channel: 'chat', status: 'closed', body: 'My card [CARD] was charged twice' },
 * };
 * ```
 */
export interface AnonymousRecord {
  readonly schema: string;
  /** The fields kept, generalized, in `data`. */
  readonly fields: readonly string[];
  readonly data: Record<string, unknown>;
}

/**
 * Builds the anonymous copy of a row (opened: its departing encrypted fields
 * in clear) for the fields that leave it; `undefined` when none of them
 * declares `anonymize` or has a value to keep.
 *
 * @internal
 */
export function anonymousCopy(
  schema: PurposefulSchema,
  opened: Record<string, unknown>,
  leaving: readonly FieldInfo[],
): AnonymousRecord | undefined {
  const kept = leaving.filter((f) => f.anonymize !== undefined);
  if (kept.length === 0) return undefined;
  const data = structuredClone(opened);
  const fields: string[] = [];
  for (const f of schema.fields) {
    if (!kept.includes(f)) {
      removeAt(data, f.path);
      continue;
    }
    const spec = f.anonymize as AnonymizeSpec;
    if (mapAt(data, f.path, (v) => anonymizeValue(spec, v))) fields.push(f.path);
  }
  if (fields.length === 0) return undefined;
  // nothing that leads back to the person or the record
  if (schema.subject?.id !== undefined) removeAt(data, schema.subject.id);
  if (schema.recordId !== undefined) delete data[schema.recordId];
  for (const ix of schema.indexes) delete data[`bidx_${ix.name}`];
  return { schema: schema.id, fields, data };
}

/** Opens the given encrypted fields of a stored row. @internal */
export type OpenFields = (
  schema: PurposefulSchema,
  row: unknown,
  subjectId: string | undefined,
  fields: ReadonlySet<FieldInfo>,
) => Promise<Record<string, unknown>>;

/**
 * The anonymous copy of the fields leaving a stored row, opening the encrypted
 * ones it generalizes; values already crypto-shredded cannot be kept, and the
 * copy goes without them.
 *
 * @internal
 */
export async function copyOfDeparting(
  open: OpenFields,
  schema: PurposefulSchema,
  stored: Record<string, unknown>,
  subjectId: string | undefined,
  leaving: readonly FieldInfo[],
): Promise<AnonymousRecord | undefined> {
  let keep = leaving.filter((f) => f.anonymize !== undefined);
  if (keep.length === 0) return undefined;
  const sealed = new Set(keep.filter((f) => f.encrypt));
  let opened = stored;
  if (sealed.size) {
    try {
      opened = await open(schema, stored, subjectId, sealed);
    } catch (err) {
      if (!isPurposefulError(err) || err.code !== 'PF_SUBJECT_ERASED') throw err;
      keep = keep.filter((f) => !f.encrypt);
    }
  }
  return anonymousCopy(schema, opened, keep);
}

/** The reason an erasure gives for a field kept anonymized. @internal */
export function anonymizedReason(f: FieldInfo): string {
  return `erased; only its generalized form (${anonymizeName(f.anonymize as AnonymizeSpec)}) is kept, in an anonymous copy (LGPD Art. 12, 16 IV)`;
}
