/**
 * The read-time side of erasure grounds and blocking: what a purpose may open
 * of a row that carries a restriction.
 *
 * - After an erasure a field left in the row opens only for the purposes whose
 *   erasure ground keeps it (LGPD Art. 16; GDPR Art. 17(3)), until that
 *   purpose's retention, counted from the erasure, ends.
 * - A blocked field opens for no purpose (LGPD Art. 5 XIII: "suspensão
 *   temporária de qualquer operação de tratamento, mediante guarda"). Where
 *   the LGPD is not in force, GDPR Art. 18(2) also allows the establishment,
 *   exercise or defence of legal claims: purposes whose ground is
 *   `legal_claims` may open it.
 *
 * A row without the column costs one own-property look-up.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import { addDuration } from '../schema/duration.js';
import { RESTRICTION_COLUMN, type RowBlock, type RowRestriction, restrictionOf } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import type { Blocking } from './blocking.js';
import { valuesAt } from './paths.js';

const keepersBySchema = new WeakMap<PurposefulSchema, ReadonlyMap<FieldInfo, ReadonlySet<string>>>();

/** Per personal field, the purposes whose erasure grounds keep it (empty: an erasure erases it). */
export function keepersOf(schema: PurposefulSchema): ReadonlyMap<FieldInfo, ReadonlySet<string>> {
  let m = keepersBySchema.get(schema);
  if (!m) {
    m = new Map(
      schema.fields.map((f) => [
        f,
        new Set([...f.access.keys()].filter((pid) => (schema.purposes.get(pid)?.erasureGrounds.length ?? 0) > 0)),
      ]),
    );
    keepersBySchema.set(schema, m);
  }
  return m;
}

/** When what `purpose` keeps of a subject erased at `erasedAt` stops opening: the erasure plus its retention. */
export function keptUntil(schema: PurposefulSchema, purpose: string, erasedAt: string): Date | undefined {
  const d = schema.purposes.get(purpose)?.retention.duration;
  const at = Date.parse(erasedAt);
  return d && Number.isFinite(at) ? addDuration(new Date(at), d) : undefined;
}

/**
 * Whether a purpose may open data a blocking covers (GDPR Art. 18(2); the LGPD allows none): neither the request's
 * laws nor those in force when the blocking was made include the LGPD, and the purpose keeps data for legal claims.
 */
export function opensBlocked(
  schema: PurposefulSchema,
  purpose: string,
  jurisdictions: readonly Jurisdiction[],
  laws: readonly Jurisdiction[] = [],
): boolean {
  return (
    !jurisdictions.includes('lgpd') &&
    !laws.includes('lgpd') &&
    (schema.purposes.get(purpose)?.erasureGrounds.includes('legal_claims') ?? false)
  );
}

/**
 * The blockings of the blocking store that cover a schema, as row entries (field paths of that schema); `undefined`
 * when none does, so that a subject without a blocking costs nothing more.
 */
export function blocksFor(schema: PurposefulSchema, blockings: readonly Blocking[]): RowBlock[] | undefined {
  let out: RowBlock[] | undefined;
  for (const b of blockings) {
    const fields = b.fields?.filter((f) => f.schema === schema.id).map((f) => f.field);
    if (fields !== undefined && fields.length === 0) continue;
    out = out ?? [];
    out.push({ request: b.request, at: b.at, ...(fields ? { fields } : {}), laws: b.laws });
  }
  return out;
}

/** A row's blockings merged with the store's: one entry per request, the store's standing for its own. */
export function mergeBlocks(row: readonly RowBlock[] | undefined, held: readonly RowBlock[]): RowBlock[] {
  const mine = new Set(held.map((b) => b.request));
  return [...(row ?? []).filter((b) => !mine.has(b.request)), ...held];
}

const present = (row: unknown, f: FieldInfo) => valuesAt(row, f.path).some((v) => v !== null);

/**
 * Refuses a read of a restricted row by `purpose` when a field it would see is
 * kept past an erasure for other purposes only, or blocked
 * (`PF_SUBJECT_RESTRICTED`), or kept for it no longer (`PF_SUBJECT_ERASED`);
 * returns at once for a row that carries no restriction.
 */
export function assertOpens(
  schema: PurposefulSchema,
  row: unknown,
  purpose: string,
  visible: ReadonlyMap<FieldInfo, unknown>,
  jurisdictions: readonly Jurisdiction[],
  now: number = Date.now(),
  held?: readonly RowBlock[],
): void {
  const r: RowRestriction | undefined = restrictionOf(row, schema.id);
  if (!r && !held?.length) return;
  const erased: string[] = [];
  const restricted: string[] = [];
  let blocked = false;
  // the blockings the row carries and those of the blocking store, each open only to what its laws allow
  const blocks = (held?.length ? [...(r?.blocked ?? []), ...held] : (r?.blocked ?? [])).filter(
    (b) => !opensBlocked(schema, purpose, jurisdictions, b.laws),
  );
  const keepers = keepersOf(schema);
  const at = r?.erasedAt;
  for (const f of visible.keys()) {
    if (!present(row, f)) continue;
    // a field no ground keeps is gone from the row, or unreadable (its key is shredded): the key says so
    const by = keepers.get(f);
    if (at !== undefined && by !== undefined && by.size > 0) {
      const end = by.has(purpose) ? keptUntil(schema, purpose, at) : undefined;
      if (!by.has(purpose)) restricted.push(f.path);
      else if (!end || end.getTime() <= now) erased.push(f.path);
    }
    if (blocks.length && blocks.some((b) => b.fields === undefined || b.fields.includes(f.path))) {
      restricted.push(f.path);
      blocked = true;
    }
  }
  if (erased.length) {
    throw new PurposefulError(
      'PF_SUBJECT_ERASED',
      `the subject was erased: ${erased.join(', ')} ${erased.length > 1 ? 'are' : 'is'} no longer kept for purpose "${purpose}"`,
      { schema: schema.id, purpose, paths: erased, article: 'LGPD Art. 16, 18 VI; GDPR Art. 17' },
    );
  }
  if (restricted.length) {
    const paths = [...new Set(restricted)];
    throw new PurposefulError(
      'PF_SUBJECT_RESTRICTED',
      blocked
        ? `the subject's data is blocked: ${paths.join(', ')} opens for no purpose until the blocking is lifted (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18(2))`
        : `the subject was erased: ${paths.join(', ')} is kept only for the purposes whose erasure ground keeps it, not for "${purpose}" (LGPD Art. 16; GDPR Art. 17(3))`,
      {
        schema: schema.id,
        purpose,
        paths,
        article: blocked ? 'LGPD Art. 5 XIII, 18 IV; GDPR Art. 18(2)' : 'LGPD Art. 16; GDPR Art. 17(3)',
      },
    );
  }
}

/**
 * Refuses `purpose`, before any row is read (`authorize`), when a blocking in
 * force for the subject covers a field the purpose would see and its laws do
 * not let the purpose open it: `PF_SUBJECT_RESTRICTED` (LGPD Art. 5 XIII,
 * 18 IV; GDPR Art. 18).
 */
export function assertNotBlocked(
  schema: PurposefulSchema,
  purpose: string,
  visible: ReadonlyMap<FieldInfo, unknown>,
  jurisdictions: readonly Jurisdiction[],
  held: readonly RowBlock[],
): void {
  const blocks = held.filter((b) => !opensBlocked(schema, purpose, jurisdictions, b.laws));
  if (!blocks.length) return;
  const paths: string[] = [];
  for (const f of visible.keys()) {
    if (blocks.some((b) => b.fields === undefined || b.fields.includes(f.path))) paths.push(f.path);
  }
  if (!paths.length) return;
  const article = 'LGPD Art. 5 XIII, 18 IV; GDPR Art. 18(2)';
  throw new PurposefulError(
    'PF_SUBJECT_RESTRICTED',
    `the subject's data is blocked: ${paths.join(', ')} opens for no purpose until the blocking is lifted (${article})`,
    { schema: schema.id, purpose, paths, article },
  );
}

/** Sets (or clears, with `undefined`) a row's restriction column in place. */
export function setRestriction(row: Record<string, unknown>, r: RowRestriction | undefined): void {
  // the column is written by the library only: as an own, enumerable data property
  if (r === undefined || (r.erasedAt === undefined && !r.blocked?.length)) delete row[RESTRICTION_COLUMN];
  else
    Object.defineProperty(row, RESTRICTION_COLUMN, {
      value: {
        ...(r.erasedAt !== undefined ? { erasedAt: r.erasedAt } : {}),
        ...(r.blocked?.length ? { blocked: r.blocked } : {}),
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
}
