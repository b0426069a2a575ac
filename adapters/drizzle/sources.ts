/**
 * Rights and retention sources over Drizzle tables: `pf.rights` finds,
 * corrects, erases and revokes a subject's rows, and `pf.retention` sweeps a
 * table, through a schema's binding, each change in one Drizzle transaction.
 *
 * @module
 * @internal
 */
import { and, asc, type Column, eq, getTableColumns, getTableName, gt, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import {
  type AnonymousRecord,
  PurposefulError,
  type PurposefulSchema,
  RESTRICTION_COLUMN,
  type RetentionSource,
  type RightsSource,
} from 'purposeful';
import {
  anonymousNeeded,
  compileStartOf,
  noAnonymousTarget,
  noRowMatched,
  notOneRow,
  notReadHere,
  ownedKeys,
  RestrictionsAsRead,
  type RetentionStart,
  recordOf as recordIdOf,
  recordIdPath,
  sourceInvalid,
  sourcesBySchema,
  strayKeys,
  subjectInClear,
  subjectPath,
  withoutNul,
} from '../orm/sources.js';
import { absentNulls, type BindingCore, guarded, sqlState } from './binding.js';
import type { AnyPgDatabase } from './scoped.js';

export type { RetentionStart } from '../orm/sources.js';

/** A binding from `bindTable`, as a source's signature takes it (its lookups are checked at run time). */
type Bound = { readonly schema: PurposefulSchema; readonly table: PgTable };

/** A binding from `bindTable`, with its compiled lookups. */
interface BoundTable extends Bound {
  readonly core: BindingCore;
}

/**
 * Where the anonymous copies go: a table with the columns `schema` (text),
 * `fields` (text[]) and `data` (jsonb), or your own function, given the
 * transaction that changes the row.
 *
 * @example
 * ```ts
 * export const ticketsAnonymous = pgTable('tickets_anonymous', {
 *   schema: text('schema').notNull(),
 *   fields: text('fields').array().notNull(),
 *   data: jsonb('data').notNull(),
 * });
 * const anonymous: AnonymousTarget = { table: ticketsAnonymous };
 * const mine: AnonymousTarget = (tx, copy) => tx.insert(stats).values({ kind: copy.schema, data: copy.data }).then(() => undefined);
 * ```
 * @category Drizzle
 */
export type AnonymousTarget = { readonly table: PgTable } | ((tx: AnyPgDatabase, anonymous: AnonymousRecord) => Promise<void>);

/**
 * Options of {@link drizzleRightsSource}.
 *
 * @example
 * ```ts
 * const options: DrizzleRightsOptions = {
 *   origin: 'given by you when you opened your account',
 *   anonymous: { table: ticketsAnonymous },
 * };
 * ```
 * @category Drizzle
 */
export interface DrizzleRightsOptions {
  /** Where the data came from, told to the subject (GDPR Art. 15(1)(g)). */
  readonly origin?: string;
  /** Where anonymous copies go: required when fields of the schema declare `anonymize`. */
  readonly anonymous?: AnonymousTarget;
}

/**
 * Options of {@link drizzleRetentionSource}.
 *
 * @example
 * ```ts
 * const options: DrizzleRetentionOptions = { startOf: { collection: 'createdAt' }, anonymous: { table: ticketsAnonymous } };
 * ```
 * @category Drizzle
 */
export interface DrizzleRetentionOptions {
  /** When each retention starts for a row. */
  readonly startOf: RetentionStart;
  /** Where anonymous copies go: required when fields of the schema declare `anonymize`. */
  readonly anonymous?: AnonymousTarget;
}

const JSON_TYPES = new Set(['json', 'jsonb']);

function invalid(binding: BoundTable, problems: readonly string[]): PurposefulError {
  return sourceInvalid(binding.schema, `table "${getTableName(binding.table)}"`, problems);
}

/** The column of a top-level field path, or a problem naming it. */
function topColumn(binding: BoundTable, path: string, what: string, problems: string[]): Column | undefined {
  const column = binding.core.columns[path];
  if (column === undefined) problems.push(`${what} "${path}" must be a top-level field with a column of the same key`);
  return column;
}

/** The anonymous target, checked: a table needs `schema`, `fields` and `data`. */
function anonymousOf(binding: BoundTable, target: AnonymousTarget | undefined, problems: string[]) {
  anonymousNeeded(binding.schema, target !== undefined, 'a table', problems);
  if (target === undefined) return undefined;
  if (typeof target === 'function') return target;
  const table = (target as { table?: PgTable } | null)?.table;
  const columns: Record<string, unknown> = table ? getTableColumns(table) : {};
  const missing = ['schema', 'fields', 'data'].filter((key) => !table || columns[key] === undefined);
  for (const key of missing) problems.push(`the anonymous table needs a column "${key}"`);
  if (missing.length > 0 || !table) return undefined;
  const t = table;
  return async (tx: AnyPgDatabase, copy: AnonymousRecord) => {
    await tx.insert(t).values({ schema: copy.schema, fields: [...copy.fields], data: withoutNul(copy.data) } as never);
  };
}

/** What one source writes and how it finds a row: compiled once, at creation. */
interface Writer {
  readonly binding: BoundTable;
  readonly name: string;
  readonly recordColumn: Column;
  readonly recordId: string;
  /** The columns a change writes: the schema's top-level fields, its blind indexes, the restriction. */
  readonly owned: readonly string[];
  readonly anonymous: ((tx: AnyPgDatabase, copy: AnonymousRecord) => Promise<void>) | undefined;
  /** The table's `pf_restriction` column, when it has a json or jsonb one. */
  readonly restriction: Column | undefined;
  /** By record id, the restriction each row held when last read: a change applies only to a row still so. */
  readonly asRead: RestrictionsAsRead;
}

function writerOf(binding: BoundTable, anonymous: AnonymousTarget | undefined, problems: string[]): Writer | undefined {
  const { schema, core } = binding;
  const recordId = recordIdPath(schema, problems);
  const recordColumn = recordId !== undefined ? topColumn(binding, recordId, 'record id', problems) : undefined;
  const write = anonymousOf(binding, anonymous, problems);
  const owned = ownedKeys(schema, (key) => core.columns[key] !== undefined);
  if (recordColumn === undefined || recordId === undefined) return undefined;
  const column = core.columns[RESTRICTION_COLUMN];
  const restriction = column !== undefined && JSON_TYPES.has(column.getSQLType()) ? column : undefined;
  const name = getTableName(binding.table);
  return {
    binding,
    name,
    recordColumn,
    recordId,
    owned,
    anonymous: write,
    restriction,
    asRead: new RestrictionsAsRead(),
  };
}

/** Rows as read: each row's restriction remembered by its record id; a NULL of an optional field made absent. */
function readRows(w: Writer, rows: readonly unknown[]): Record<string, unknown>[] {
  const out = rows.map((read) => absentNulls(w.binding.core, read as Record<string, unknown>));
  if (w.restriction !== undefined) w.asRead.read(out);
  return out;
}

/**
 * The condition that the row's restriction is still the one read: a blocking or an erasure written since (by
 * another request, another instance) is never overwritten nor lifted by a change made from an older read.
 */
function stillAsRead(w: Writer, row: Record<string, unknown>, how: 'remove' | 'update'): SQL | undefined {
  if (w.restriction === undefined) return undefined;
  const held = w.asRead.heldBy(row);
  if (held === undefined) throw notReadHere(w.binding.schema, how);
  return held === null ? sql`${w.restriction} IS NULL` : sql`${w.restriction}::jsonb IS NOT DISTINCT FROM ${held}::jsonb`;
}

/** `SET` values of a change: every owned column, a key the row does not hold set to NULL (a value taken out). */
function valuesOf(w: Writer, row: Record<string, unknown>): Record<string, unknown> {
  const strays = strayKeys(row, (key) => w.binding.core.columns[key] !== undefined);
  if (strays.length > 0) throw invalid(w.binding, [`the row to store has no column for ${strays.join(', ')}`]);
  const set: Record<string, unknown> = {};
  for (const key of w.owned) set[key] = row[key] ?? null;
  return set;
}

/** The record id of a row, or `PF_INPUT_INVALID` (a row without one cannot be changed). */
function recordOf(w: Writer, row: Record<string, unknown>): unknown {
  return recordIdOf(w.binding.schema, w.recordId, row);
}

/**
 * Changes exactly one row in a transaction of its own: `update` it to `row` or `remove` it, where `where` matches,
 * then keeps the anonymous copy in the same transaction. No row or several: rolled back, fails closed.
 */
async function changeOne(
  db: AnyPgDatabase,
  w: Writer,
  row: Record<string, unknown>,
  where: SQL,
  how: 'remove' | 'update',
  copy?: AnonymousRecord,
): Promise<void> {
  const schema = w.binding.schema;
  const values = how === 'update' ? valuesOf(w, row) : undefined;
  const guard = stillAsRead(w, row, how);
  const matching = guard === undefined ? where : (and(where, guard) as SQL);
  if (copy !== undefined && w.anonymous === undefined) throw noAnonymousTarget(schema);
  await guarded(w.name, () =>
    db.transaction(async (tx) => {
      const one = { one: sql<number>`1` };
      const changed =
        values !== undefined
          ? await tx.update(w.binding.table).set(values).where(matching).returning(one)
          : await tx.delete(w.binding.table).where(matching).returning(one);
      if (changed.length === 0) throw noRowMatched(schema, how);
      if (changed.length > 1) throw notOneRow(schema, w.recordId, changed.length, `table "${w.name}"`);
      if (copy !== undefined) await (w.anonymous as NonNullable<Writer['anonymous']>)(tx as AnyPgDatabase, copy);
    }),
  );
  if (w.restriction !== undefined) w.asRead.changed(row, how);
}

/** How a source finds a subject's rows: its subject column (a subject id stays in clear: encryption binds to it). */
function subjectMatch(binding: BoundTable, problems: string[]) {
  const { schema, core } = binding;
  const subject = subjectPath(schema, problems);
  if (subject === undefined) return undefined;
  const column = topColumn(binding, subject, 'subject field', problems);
  if (column === undefined) return undefined;
  if (!subjectInClear(subject, core.encryptedUnder.has(subject), problems)) return undefined;
  return (subjectId: string): SQL => eq(column, subjectId);
}

/** `PF_BINDING_INVALID` for an object that is not a binding from `bindTable`. */
function assertBinding(binding: Bound): asserts binding is BoundTable {
  const b = binding as Partial<BoundTable> | null;
  if (!b || typeof b !== 'object' || !b.core || !b.schema || !b.table) {
    throw new PurposefulError('PF_BINDING_INVALID', 'a source needs a binding from bindTable(schema, table)');
  }
}

/** SQLSTATE 22P02: a subject id the subject column cannot hold (not a uuid, not a number) has no rows. */
function cannotHold(err: unknown): boolean {
  return sqlState(err) === '22P02';
}

/**
 * A rights source over a bound Drizzle table: `pf.rights` finds a subject's
 * rows (access, portability, confirmation), corrects one, erases or revokes
 * what leaves them, each change in one Drizzle transaction.
 *
 * - `find(subjectId)` selects the rows whose subject column holds the id, as
 *   stored: sealed, a `NULL` of an optional field read as absent.
 * - `update` writes a row by its record id and subject: the schema's
 *   top-level fields, its blind indexes and `pf_restriction` (a field the row
 *   no longer holds becomes `NULL`); other columns are left as they are.
 *   `remove` deletes the row. Either fails closed, rolled back, when no row or
 *   more than one matched (`PF_INPUT_INVALID`, `PF_BINDING_INVALID`).
 * - `anonymize` keeps the anonymous copy (in `options.anonymous`) and applies
 *   the change in the same transaction.
 *
 * The schema needs a subject id and a record id, each a top-level field with a
 * column, and the table a json or jsonb `pf_restriction` column (what an
 * erasure keeps and a blocking are written there): `PF_BINDING_INVALID` at
 * once otherwise, listing every problem.
 *
 * @param db - The Drizzle PostgreSQL database.
 * @param binding - The schema bound to its table, from `bindTable`.
 * @param options - Where the data came from, and where anonymous copies go.
 * @example
 * ```ts
 * const pf = createPurposeful({
 *   purposes,
 *   schemas: [Customer, Ticket],
 *   keys,
 *   rights: rightsDesk({
 *     verify,
 *     sources: {
 *       customer: drizzleRightsSource(db, customers, { origin: 'given by you when you opened your account' }),
 *       ticket: drizzleRightsSource(db, tickets, { anonymous: { table: ticketsAnonymous } }),
 *     },
 *   }),
 * });
 * ```
 * @category Drizzle
 */
export function drizzleRightsSource(
  db: AnyPgDatabase,
  binding: { readonly schema: PurposefulSchema; readonly table: PgTable },
  options: DrizzleRightsOptions = {},
): RightsSource {
  assertBinding(binding);
  const problems: string[] = [];
  const match = subjectMatch(binding, problems);
  const w = writerOf(binding, options.anonymous, problems);
  const restriction = binding.core.columns[RESTRICTION_COLUMN];
  if (restriction === undefined || !JSON_TYPES.has(restriction.getSQLType())) {
    problems.push(`the table needs a json or jsonb column "${RESTRICTION_COLUMN}": erasures and blockings write it`);
  }
  if (problems.length > 0 || match === undefined || w === undefined) throw invalid(binding, problems);
  const { table } = binding;
  const where = (subjectId: string, row: Record<string, unknown>) =>
    and(eq(w.recordColumn, recordOf(w, row)), match(subjectId)) as SQL;
  return {
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
    async find(subjectId) {
      try {
        return readRows(w, await db.select().from(table).where(match(subjectId)).orderBy(asc(w.recordColumn)));
      } catch (err) {
        if (cannotHold(err)) return [];
        return guarded(w.name, () => Promise.reject(err));
      }
    },
    update: (subjectId, row) => changeOne(db, w, row, where(subjectId, row), 'update'),
    remove: (subjectId, row) => changeOne(db, w, row, where(subjectId, row), 'remove'),
    ...(w.anonymous !== undefined
      ? {
          anonymize: (subjectId: string, copy: AnonymousRecord, row: Record<string, unknown>, how: 'remove' | 'update') =>
            changeOne(db, w, row, where(subjectId, row), how, copy),
        }
      : {}),
  };
}

function startOfFrom(binding: BoundTable, start: RetentionStart | undefined, problems: string[]): RetentionSource['startOf'] {
  const has = (key: string) => binding.core.columns[key] !== undefined;
  return compileStartOf(start, has, (event, key) => `startOf.${event}: the table has no column "${key}"`, problems);
}

/**
 * A retention source over a bound Drizzle table, for `pf.retention.sweep`:
 * pages in record-id order (keyset pagination: a resumed sweep starts after
 * the cursor it reported), and updates, removes or anonymizes a row by its
 * record id in one Drizzle transaction each, failing closed when no row or
 * more than one matched.
 *
 * @param db - The Drizzle PostgreSQL database.
 * @param binding - The schema bound to its table, from `bindTable`.
 * @param options - `startOf` (which column each retention counts from), and where anonymous copies go.
 * @example
 * ```ts
 * const sweepTickets = drizzleRetentionSource(db, tickets, {
 *   startOf: { collection: 'createdAt' },
 *   anonymous: { table: ticketsAnonymous },
 * });
 * const dry = await pf.retention.sweep(sweepTickets, { dryRun: true });
 * const done = await pf.retention.sweep(sweepTickets, { onProgress: (p) => saveCursor(p.cursor) });
 * ```
 * @category Drizzle
 */
export function drizzleRetentionSource(
  db: AnyPgDatabase,
  binding: { readonly schema: PurposefulSchema; readonly table: PgTable },
  options: DrizzleRetentionOptions,
): RetentionSource {
  assertBinding(binding);
  const problems: string[] = [];
  const w = writerOf(binding, options?.anonymous, problems);
  const startOf = startOfFrom(binding, options?.startOf, problems);
  if (problems.length > 0 || w === undefined) throw invalid(binding, problems);
  const { table } = binding;
  const byRecord = (row: Record<string, unknown>) => eq(w.recordColumn, recordOf(w, row));
  return {
    schema: binding.schema,
    async page(cursor, limit) {
      const rows = await guarded(w.name, async () => {
        const query = db.select().from(table).$dynamic();
        if (cursor !== undefined) query.where(gt(w.recordColumn, cursor));
        return query.orderBy(asc(w.recordColumn)).limit(limit);
      });
      const out = readRows(w, rows);
      const last = out.at(-1)?.[w.recordId];
      // a short page is the last one: no cursor, the table was walked to its end
      return { rows: out, ...(out.length === limit && last != null ? { next: String(last) } : {}) };
    },
    startOf,
    update: (row) => changeOne(db, w, row, byRecord(row), 'update'),
    remove: (row) => changeOne(db, w, row, byRecord(row), 'remove'),
    ...(w.anonymous !== undefined
      ? {
          anonymize: (copy: AnonymousRecord, row: Record<string, unknown>, how: 'remove' | 'update') =>
            changeOne(db, w, row, byRecord(row), how, copy),
        }
      : {}),
  };
}

/**
 * The `sources` of `rightsDesk` for bound tables, keyed by schema id: one
 * {@link drizzleRightsSource} per binding, with its options by schema id.
 *
 * @param db - The Drizzle PostgreSQL database.
 * @param bindings - The bound tables; a schema bound twice is `PF_BINDING_INVALID`.
 * @param options - Per schema id, the options of its source.
 * @example
 * ```ts
 * const sources = drizzleSources(db, [customers, tickets], { ticket: { anonymous: { table: ticketsAnonymous } } });
 * const pf = createPurposeful({ purposes, schemas: [Customer, Ticket], keys, rights: rightsDesk({ verify, sources }) });
 * ```
 * @category Drizzle
 */
export function drizzleSources(
  db: AnyPgDatabase,
  bindings: readonly { readonly schema: PurposefulSchema; readonly table: PgTable }[],
  options: Readonly<Record<string, DrizzleRightsOptions>> = {},
): Record<string, RightsSource> {
  return sourcesBySchema(
    bindings,
    options,
    (binding, opts: DrizzleRightsOptions) => drizzleRightsSource(db, binding, opts),
    (binding) => {
      assertBinding(binding);
      return invalid(binding, [`schema "${binding.schema.id}" is bound twice`]);
    },
    'drizzleSources',
  );
}
