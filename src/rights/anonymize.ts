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
import type { FieldInfo, ShapeNode } from '../schema/walk.js';
import { removeAt } from './paths.js';

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
 * in clear) for the fields that leave it: only what the schema declares not
 * personal, and the departing fields that declare `anonymize`, generalized;
 * keys the schema does not know (blind indexes, columns of the store) and
 * values of any shape (`z.unknown()`) stay out. `undefined` when no
 * generalized value is kept.
 *
 * @internal
 */
export function anonymousCopy(
  schema: PurposefulSchema,
  opened: Record<string, unknown>,
  leaving: readonly FieldInfo[],
): AnonymousRecord | undefined {
  const keep = new Set(leaving.filter((f) => f.anonymize !== undefined));
  if (keep.size === 0) return undefined;
  const kept = new Set<string>();
  const data = project(schema.shape, opened, keep, kept) as Record<string, unknown> | undefined;
  if (kept.size === 0 || data === undefined) return undefined;
  // nothing that leads back to the person or the record
  if (schema.subject?.id !== undefined) removeAt(data, schema.subject.id);
  if (schema.recordId !== undefined) delete data[schema.recordId];
  return { schema: schema.id, fields: schema.fields.filter((f) => kept.has(f.path)).map((f) => f.path), data };
}

/** The part of a value its schema declares not personal, with the kept fields generalized. */
function project(node: ShapeNode, v: unknown, keep: ReadonlySet<FieldInfo>, kept: Set<string>): unknown {
  if (node.field) {
    if (!keep.has(node.field)) return undefined;
    const out = anonymizeValue(node.field.anonymize as AnonymizeSpec, v);
    if (out !== undefined) kept.add(node.field.path);
    return out;
  }
  if (node.none) return structuredClone(v);
  if (v === null) return node.scalar || node.object || node.array || node.tuple || node.record ? null : undefined;
  if (Array.isArray(v)) {
    const item = (i: number) => (node.array ? node.array : node.tuple ? (node.tuple[i] ?? node.tupleRest) : undefined);
    if (!node.array && !node.tuple) return undefined;
    return v.map((x, i) => {
      const n = item(i);
      return n ? (project(n, x, keep, kept) ?? null) : null;
    });
  }
  if (typeof v === 'object') {
    if (!node.object && !node.record) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const n = node.object?.get(k) ?? node.record;
      const r = n ? project(n, x, keep, kept) : undefined;
      // a key such as `__proto__` is data here, never the copy's prototype
      if (r !== undefined) Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return node.scalar ? v : undefined;
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
