/**
 * The restriction a stored row carries after an erasure or a blocking: a
 * reserved column, written by the rights desk (and by `seal` for a subject
 * already erased), read by `open` and `outbound` before any value goes out.
 * Technical flagging of restricted data, as GDPR Recital 67 describes it; it
 * holds no personal value, only dates, request ids and field paths.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Jurisdiction } from '../taxonomy/bases.js';

/**
 * The column of a stored row that says it is restricted. Store it with the row
 * as given (a `jsonb` column keeps it; a table with one column per field needs
 * a column for it too), like the `bidx_` columns.
 *
 * @example
 * ```ts
 * const row = await pf.seal(Customer, customer, ctx);
 * // undefined for a subject neither erased nor blocked; for one that is, seal
 * // writes the erasure and the blockings in force (from the blocking store)
 * row[RESTRICTION_COLUMN];
 * ```
 *
 * It is a reserved name: a schema that declares a field called so is refused
 * (`PF_DECL_RESERVED_KEY`), and `inbound` refuses it as an undeclared field.
 * @category Rights and retention
 */
export const RESTRICTION_COLUMN = 'pf_restriction';

/**
 * What a row's restriction column holds.
 *
 * @example
 * ```ts
 * const r: RowRestriction = {
 *   erasedAt: '2026-11-28T12:00:00.000Z', // retained fields open only for the purposes whose ground keeps them
 *   blocked: [{ request: 'rq_…', at: '2026-12-01T09:00:00.000Z', fields: ['email'] }],
 * };
 * ```
 * @category Rights and retention
 */
export interface RowRestriction {
  /**
   * When the subject was erased: a field left in the row opens only for the
   * purposes whose erasure ground keeps it, until their retention counted from
   * then ends (LGPD Art. 16; GDPR Art. 17(3)).
   */
  readonly erasedAt?: string;
  /**
   * Blockings in force (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18): the request,
   * when, and the field paths blocked (every personal field when absent).
   */
  readonly blocked?: readonly RowBlock[];
}

/**
 * One blocking a row carries: the request, when, the field paths blocked
 * (every personal field when absent), and the laws in force when it was made
 * (while the LGPD is among them no purpose opens it, LGPD Art. 5 XIII).
 *
 * @example
 * ```ts
 * const b: RowBlock = { request: 'rq_…', at: '2026-12-01T09:00:00.000Z', fields: ['email'], laws: ['lgpd', 'gdpr'] };
 * ```
 * @category Rights and retention
 */
export interface RowBlock {
  readonly request: string;
  readonly at: string;
  readonly fields?: readonly string[];
  readonly laws?: readonly Jurisdiction[];
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function malformed(schema: string): PurposefulError {
  return new PurposefulError(
    'PF_SUBJECT_RESTRICTED',
    `a "${schema}" row carries a restriction (${RESTRICTION_COLUMN}) that cannot be read: nothing of it is opened`,
    { schema, article: 'LGPD Art. 16, 18 IV; GDPR Art. 17(3), 18' },
  );
}

/** Whether a row has a restriction column at all (one own-property look-up). @internal */
export function carriesRestriction(row: unknown): boolean {
  return typeof row === 'object' && row !== null && Object.hasOwn(row, RESTRICTION_COLUMN);
}

/**
 * The restriction a row carries, or `undefined` when it carries none (one own-property look-up). A column that is
 * there but malformed fails closed: `PF_SUBJECT_RESTRICTED`.
 *
 * @internal
 */
export function restrictionOf(row: unknown, schema: string): RowRestriction | undefined {
  if (typeof row !== 'object' || row === null || !Object.hasOwn(row, RESTRICTION_COLUMN)) return undefined;
  const r = (row as Record<string, unknown>)[RESTRICTION_COLUMN];
  if (r === undefined || r === null) return undefined;
  if (typeof r !== 'object' || Array.isArray(r)) throw malformed(schema);
  const { erasedAt, blocked } = r as Record<string, unknown>;
  if (erasedAt !== undefined && (typeof erasedAt !== 'string' || !ISO.test(erasedAt))) throw malformed(schema);
  if (blocked !== undefined) {
    if (!Array.isArray(blocked)) throw malformed(schema);
    for (const b of blocked) {
      if (typeof b !== 'object' || b === null || typeof b.request !== 'string' || typeof b.at !== 'string')
        throw malformed(schema);
      if (b.fields !== undefined && !(Array.isArray(b.fields) && b.fields.every((x: unknown) => typeof x === 'string'))) {
        throw malformed(schema);
      }
      if (b.laws !== undefined && !(Array.isArray(b.laws) && b.laws.every((x: unknown) => x === 'lgpd' || x === 'gdpr'))) {
        throw malformed(schema);
      }
    }
  }
  return r as RowRestriction;
}

/** A row's restriction with its erasure time set (the earliest one stands: a later erasure never moves it). @internal */
export function withErasure(current: RowRestriction | undefined, at: string): RowRestriction {
  return current?.erasedAt !== undefined && current.erasedAt <= at ? current : { ...current, erasedAt: at };
}
