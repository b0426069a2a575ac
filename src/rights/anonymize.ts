/**
 * Anonymous copies (LGPD Art. 5 III, 12, 16 IV; GDPR Recital 26): when fields
 * leave a record (an erasure, a revocation, the end of their retention), those
 * that declare an `anonymize` that removes what identifies a person survive in
 * an anonymous copy of the record, generalized, with no subject id, record id
 * or blind index beside them. The copy is what the controller may keep for its
 * exclusive use, no third party's (Art. 16 IV); the row itself is erased as
 * always. Nothing merely pseudonymized is ever kept this way: redacted free
 * text is still personal data (LGPD Art. 13 §4; GDPR Art. 4(5)), and what no
 * ground keeps after an erasure is deleted.
 *
 * @module
 */
import { isPurposefulError } from '../errors.js';
import { type AnonymizeSpec, anonymityProblem, anonymizeValue } from '../minimize/anonymize.js';
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
 * @category Rights and retention
 */
export interface AnonymousRecord {
  readonly schema: string;
  /** The fields kept, generalized, in `data`. */
  readonly fields: readonly string[];
  readonly data: Record<string, unknown>;
}

/**
 * Builds the anonymous copy of a row (opened: its departing encrypted fields
 * in clear) for the fields that leave it: those that declare `anonymize`,
 * generalized, and, when the row itself goes (`context`), the values the
 * schema declares not personal with `pd.none()` (strings, numbers, booleans). A row that stays keeps those
 * values beside the subject id, so a copy of it carries none of them: they
 * would lead back to it. Nothing else reaches a copy: no unannotated value
 * (free text may hide anywhere), no key the schema does not know, no subject
 * id or record id. `undefined` when no generalized value is kept.
 *
 * @internal
 */
export function anonymousCopy(
  schema: PurposefulSchema,
  opened: Record<string, unknown>,
  leaving: readonly FieldInfo[],
  context: boolean,
): AnonymousRecord | undefined {
  // the subject id and record id lead back to the person whatever they declare
  const ids = new Set([schema.subject?.id, schema.recordId]);
  const keep = new Set(leaving.filter((f) => keepsAnonymous(f) && !ids.has(f.path)));
  if (keep.size === 0) return undefined;
  const kept = new Set<string>();
  const data = project(schema.shape, opened, { keep, kept, context }) as Record<string, unknown> | undefined;
  if (kept.size === 0 || data === undefined) return undefined;
  if (schema.subject?.id !== undefined) removeAt(data, schema.subject.id);
  if (schema.recordId !== undefined) delete data[schema.recordId];
  return { schema: schema.id, fields: schema.fields.filter((f) => kept.has(f.path)).map((f) => f.path), data };
}

interface Projection {
  readonly keep: ReadonlySet<FieldInfo>;
  readonly kept: Set<string>;
  readonly context: boolean;
}

/**
 * The part of a value a copy may hold. Structure is followed first: a union
 * of `pd.none()` with an object of personal fields is read as that object.
 */
function project(node: ShapeNode, v: unknown, p: Projection): unknown {
  if (node.field) {
    if (!p.keep.has(node.field)) return undefined;
    const out = anonymizeValue(node.field.anonymize as AnonymizeSpec, v);
    if (out !== undefined) p.kept.add(node.field.path);
    return out;
  }
  if (Array.isArray(v) && (node.array || node.tuple)) {
    const out = v.map((x, i) => {
      const n = node.array ?? node.tuple?.[i] ?? node.tupleRest;
      return n ? (project(n, x, p) ?? null) : null;
    });
    return out.some((x) => x !== null) ? out : undefined;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && (node.object || node.record)) {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const n = node.object?.get(k) ?? node.record;
      const r = n ? project(n, x, p) : undefined;
      if (r === undefined) continue;
      // a key such as `__proto__` is data here, never the copy's prototype
      Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
      any = true;
    }
    return any ? out : undefined;
  }
  // declared not personal: a plain value, kept only beside a row that goes (an object under pd.none(z.unknown()) is
  // not looked into, and stays out)
  const plain = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return node.none && p.context && plain ? v : undefined;
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
  rowGoes: boolean,
): Promise<AnonymousRecord | undefined> {
  let keep = leaving.filter(keepsAnonymous);
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
  return anonymousCopy(schema, opened, keep, rowGoes);
}

/**
 * Whether a field's `anonymize` removes what identifies a person (LGPD Art.
 * 12): the only fields a copy may hold. The declarations refuse any other
 * (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`); this is checked again here, so nothing
 * pseudonymized is ever kept as if it were anonymous.
 *
 * @internal
 */
export function keepsAnonymous(f: FieldInfo): boolean {
  if (f.anonymize === undefined) return false;
  // a vocabulary is checked word by word: once per field, not once per row a sweep reads
  let ok = anonymous.get(f);
  if (ok === undefined) {
    ok = anonymityProblem(f.anonymize, f.category) === undefined;
    anonymous.set(f, ok);
  }
  return ok;
}
const anonymous = new WeakMap<FieldInfo, boolean>();

/** What the generalized form keeps, in words a data subject reads. */
function keptForm(spec: AnonymizeSpec): string {
  if ('redact' in spec) {
    return 'only words of a declared vocabulary and the kind of each identifier found (every name, address, number and other word suppressed; the controller documents the residual risk)';
  }
  if (typeof spec.keepFirst === 'number') return `only its first ${spec.keepFirst} characters`;
  if (typeof spec.round === 'number') return `only its band of ${spec.round}`;
  return 'only the declared bucket it falls in';
}

/**
 * The reason an erasure or a revocation gives for a field kept anonymized:
 * only a form that removes what identifies a person is ever called so (LGPD
 * Art. 12), kept for the controller's exclusive use (Art. 16 IV).
 *
 * @internal
 */
export function anonymizedReason(f: FieldInfo): string {
  const spec = f.anonymize as AnonymizeSpec;
  return `erased; an anonymous copy keeps ${keptForm(spec)}, with no id, record number or index of yours beside it, for the controller's exclusive use and no third party's (LGPD Art. 12, 16 IV; GDPR Recital 26)`;
}
