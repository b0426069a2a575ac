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
  INDEX_COLUMN_PREFIX,
  PurposefulError,
  type PurposefulSchema,
  RESTRICTION_COLUMN,
  type RetentionSource,
  type RightsSource,
} from 'purposeful';
import { absentNulls, type BindingCore, bindingProblems, guarded, sqlState } from './binding.js';
import type { AnyPgDatabase } from './scoped.js';

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
 * When a row's retention counted from an event starts: per event (`collection`,
 * or a purpose's `retention.from`), the key of the column that holds it (a
 * `timestamp`, a date string or epoch milliseconds), or a function of the row.
 * An event with no column, or a `NULL`, is unknown: the sweep keeps the row and
 * counts it `undetermined`.
 *
 * @example
 * ```ts
 * const byColumn: RetentionStart = { collection: 'createdAt', 'invoice.issued': 'issuedAt' };
 * const byFunction: RetentionStart = (row, event) => (event === 'collection' ? (row.createdAt as Date) : undefined);
 * ```
 * @category Drizzle
 */
export type RetentionStart =
  | Readonly<Record<string, string>>
  | ((row: Record<string, unknown>, event: string) => Date | undefined);

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
  return new PurposefulError(
    'PF_BINDING_INVALID',
    `schema "${binding.schema.id}" cannot be a source over table "${getTableName(binding.table)}": ${problems.join('; ')}`,
    { schema: binding.schema.id, problems: bindingProblems(binding.schema.id, problems) },
  );
}

/** The column of a top-level field path, or a problem naming it. */
function topColumn(binding: BoundTable, path: string, what: string, problems: string[]): Column | undefined {
  const column = binding.core.columns[path];
  if (column === undefined) problems.push(`${what} "${path}" must be a top-level field with a column of the same key`);
  return column;
}

/** The anonymous target, checked: a table needs `schema`, `fields` and `data`. */
function anonymousOf(binding: BoundTable, target: AnonymousTarget | undefined, problems: string[]) {
  const anonymizing = binding.schema.fields.some((f) => f.anonymize !== undefined);
  if (target === undefined) {
    if (anonymizing) problems.push('fields declare anonymize: give options.anonymous (a table, or a function) for their copies');
    return undefined;
  }
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

/** PostgreSQL's jsonb refuses the NUL character, which a decrypted value may hold: it becomes U+FFFD. */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)]));
  }
  return value;
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
  readonly asRead: Map<string, string | null>;
}

/** How many rows' restrictions a source remembers between a read and the changes that follow it. */
const AS_READ_LIMIT = 10_000;

function writerOf(binding: BoundTable, anonymous: AnonymousTarget | undefined, problems: string[]): Writer | undefined {
  const { schema, core } = binding;
  const recordId = schema.recordId;
  if (recordId === undefined) problems.push('the schema declares no recordId: rows are changed by their record id');
  const recordColumn = recordId !== undefined ? topColumn(binding, recordId, 'record id', problems) : undefined;
  const write = anonymousOf(binding, anonymous, problems);
  const shape = (schema.zod as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const owned = [
    ...Object.keys(shape),
    ...schema.indexes.map((ix) => `${INDEX_COLUMN_PREFIX}${ix.name}`),
    RESTRICTION_COLUMN,
  ].filter((key, i, all) => core.columns[key] !== undefined && all.indexOf(key) === i);
  if (recordColumn === undefined || recordId === undefined) return undefined;
  const column = core.columns[RESTRICTION_COLUMN];
  const restriction = column !== undefined && JSON_TYPES.has(column.getSQLType()) ? column : undefined;
  const name = getTableName(binding.table);
  return { binding, name, recordColumn, recordId, owned, anonymous: write, restriction, asRead: new Map() };
}

/** Rows as read: each row's restriction remembered by its record id; a NULL of an optional field made absent. */
function readRows(w: Writer, rows: readonly unknown[]): Record<string, unknown>[] {
  if (w.asRead.size > AS_READ_LIMIT) w.asRead.clear();
  return rows.map((read) => {
    const row = absentNulls(w.binding.core, read as Record<string, unknown>);
    const id = row[w.recordId];
    if (w.restriction !== undefined && id != null) {
      const held = row[RESTRICTION_COLUMN];
      w.asRead.set(String(id), held == null ? null : JSON.stringify(held));
    }
    return row;
  });
}

/**
 * The condition that the row's restriction is still the one read: a blocking or an erasure written since (by
 * another request, another instance) is never overwritten nor lifted by a change made from an older read.
 */
function stillAsRead(w: Writer, row: Record<string, unknown>): SQL | undefined {
  const id = row[w.recordId];
  if (w.restriction === undefined || id == null || !w.asRead.has(String(id))) return undefined;
  const held = w.asRead.get(String(id)) ?? null;
  return held === null ? sql`${w.restriction} IS NULL` : sql`${w.restriction}::jsonb IS NOT DISTINCT FROM ${held}::jsonb`;
}

/** `SET` values of a change: every owned column, a key the row does not hold set to NULL (a value taken out). */
function valuesOf(w: Writer, row: Record<string, unknown>): Record<string, unknown> {
  const columns = w.binding.core.columns;
  const strays = Object.keys(row).filter((key) => columns[key] === undefined && row[key] != null);
  if (strays.length > 0) throw invalid(w.binding, [`the row to store has no column for ${strays.join(', ')}`]);
  const set: Record<string, unknown> = {};
  for (const key of w.owned) set[key] = row[key] ?? null;
  return set;
}

/** The record id of a row, or `PF_INPUT_INVALID` (a row without one cannot be changed). */
function recordOf(w: Writer, row: Record<string, unknown>): unknown {
  const id = row[w.recordId];
  if (id === undefined || id === null) {
    const schema = w.binding.schema.id;
    throw new PurposefulError('PF_INPUT_INVALID', `a "${schema}" row needs its record id (${w.recordId}) to change`, { schema });
  }
  return id;
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
  const schema = w.binding.schema.id;
  const values = how === 'update' ? valuesOf(w, row) : undefined;
  const guard = stillAsRead(w, row);
  const matching = guard === undefined ? where : (and(where, guard) as SQL);
  if (copy !== undefined && w.anonymous === undefined) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `the "${schema}" source has no anonymous target for its copies`, { schema });
  }
  await guarded(w.name, () =>
    db.transaction(async (tx) => {
      const one = { one: sql<number>`1` };
      const changed =
        values !== undefined
          ? await tx.update(w.binding.table).set(values).where(matching).returning(one)
          : await tx.delete(w.binding.table).where(matching).returning(one);
      if (changed.length === 0) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `no "${schema}" row with that record id (of that subject, its restriction as read) to ${how}: read it again; nothing was changed`,
          { schema },
        );
      }
      if (changed.length > 1) {
        throw new PurposefulError(
          'PF_BINDING_INVALID',
          `the record id "${w.recordId}" matched ${changed.length} rows of table "${w.name}": it must identify one row; nothing was changed`,
          {
            schema,
            problems: bindingProblems(schema, [`record id "${w.recordId}" is not unique in table "${w.name}"`]),
          },
        );
      }
      if (copy !== undefined) await (w.anonymous as NonNullable<Writer['anonymous']>)(tx as AnyPgDatabase, copy);
    }),
  );
  // what this change wrote is what a later change of the same row starts from
  const id = String(row[w.recordId]);
  if (w.restriction === undefined) return;
  if (how === 'remove') w.asRead.delete(id);
  else w.asRead.set(id, row[RESTRICTION_COLUMN] == null ? null : JSON.stringify(row[RESTRICTION_COLUMN]));
}

/** How a source finds a subject's rows: its subject column (a subject id stays in clear: encryption binds to it). */
function subjectMatch(binding: BoundTable, problems: string[]) {
  const { schema, core } = binding;
  const subject = schema.subject?.id;
  if (subject === undefined) {
    problems.push('the schema declares no subject id: a rights source finds rows by their subject');
    return undefined;
  }
  const column = topColumn(binding, subject, 'subject field', problems);
  if (column === undefined) return undefined;
  if (core.encryptedUnder.has(subject)) {
    problems.push(`subject field "${subject}" is encrypted: a subject id stays in clear`);
    return undefined;
  }
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

/** A start date from a column's value: a Date, an ISO string or epoch milliseconds; anything else is unknown. */
function dateOf(value: unknown): Date | undefined {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

function startOfFrom(binding: BoundTable, start: RetentionStart | undefined, problems: string[]): RetentionSource['startOf'] {
  if (typeof start === 'function') return start;
  if (start === null || typeof start !== 'object') {
    problems.push('options.startOf is required: per event, the column its retention starts from (or a function)');
    return () => undefined;
  }
  const map = new Map<string, string>();
  for (const [event, key] of Object.entries(start)) {
    if (typeof key !== 'string' || binding.core.columns[key] === undefined) {
      problems.push(`startOf.${event}: the table has no column "${String(key)}"`);
    } else map.set(event, key);
  }
  return (row, event) => {
    const key = map.get(event);
    return key === undefined ? undefined : dateOf(row[key]);
  };
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
  const sources: Record<string, RightsSource> = {};
  for (const binding of bindings) {
    assertBinding(binding);
    const id = binding.schema.id;
    if (Object.hasOwn(sources, id)) throw invalid(binding, [`schema "${id}" is bound twice`]);
    sources[id] = drizzleRightsSource(db, binding, Object.hasOwn(options, id) ? options[id] : {});
  }
  const unbound = Object.keys(options ?? {}).filter((id) => !Object.hasOwn(sources, id));
  if (unbound.length > 0) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `drizzleSources() options name schemas no binding has: ${unbound.map((id) => `"${id}"`).join(', ')}`,
    );
  }
  return sources;
}
