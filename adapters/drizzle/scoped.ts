/**
 * The purpose-scoped Drizzle client: inserts checked and sealed, reads opened
 * for the purpose, and the equality operators that go through blind indexes.
 *
 * @module
 * @internal
 */
import {
  aliasedTableColumn,
  and,
  Column,
  eq as drizzleEq,
  inArray as drizzleInArray,
  getTableColumns,
  getTableName,
  is,
  SQL,
  sql,
} from 'drizzle-orm';
import type { IndexColumn, PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import { type PurposeContext, type Purposeful, PurposefulError } from 'purposeful';
import { absentNulls, assertColumns, type BindingCore, guarded, RESTRICTION_KEY, topKey } from './binding.js';
import { type RelationalReadOptions, relationalRead } from './relational.js';

/**
 * Any Drizzle PostgreSQL database or transaction (node-postgres, PGlite, …).
 *
 * @example
 * ```ts
 * const db: AnyPgDatabase = drizzle({ client: new PGlite() });
 * ```
 * @category Drizzle
 */
// biome-ignore lint/suspicious/noExplicitAny: Drizzle's database type is generic over its driver and schema
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>;

/** The engine's calls the client makes, with the purposes erased. */
// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;

/** The bindings of one client: by table, and by column for the operators. */
export interface Bindings {
  readonly byTable: ReadonlyMap<PgTable, BindingCore>;
  /**
   * By the config object of each bound column, its binding and key: a column of `alias(table, …)` is a proxy of the
   * bound column that reads the same config, so an aliased sealed column is found too.
   */
  readonly byConfig: ReadonlyMap<object, readonly { readonly binding: BindingCore; readonly key: string }[]>;
}

/** The bindings of a client's bound tables, indexed. */
export function indexBindings(byTable: ReadonlyMap<PgTable, BindingCore>): Bindings {
  // a config may be shared by several tables' columns (column definitions reused across tables): all are kept
  const byConfig = new Map<object, { binding: BindingCore; key: string }[]>();
  for (const binding of byTable.values()) {
    for (const [column, key] of binding.keyOf) {
      const config = (column as unknown as { config?: unknown }).config;
      if (typeof config === 'object' && config !== null)
        byConfig.set(config, [...(byConfig.get(config) ?? []), { binding, key }]);
    }
  }
  return { byTable, byConfig };
}

const IS_ALIAS = Symbol.for('drizzle:IsAlias');
const ORIGINAL_NAME = Symbol.for('drizzle:OriginalName');
const SCHEMA = Symbol.for('drizzle:Schema');

/** Whether an alias (`alias(table, …)`) is of this table: the same original name and database schema. */
function aliasOf(alias: Record<symbol, unknown>, table: PgTable): boolean {
  const t = table as unknown as Record<symbol, unknown>;
  return alias[ORIGINAL_NAME] === t[ORIGINAL_NAME] && alias[SCHEMA] === t[SCHEMA];
}

export function bindingFor(bindings: Bindings, table: PgTable): BindingCore {
  const binding = bindings.byTable.get(table);
  if (binding === undefined) {
    throw new PurposefulError(
      'PF_BINDING_INVALID',
      `table "${getTableName(table)}" is not bound: add bindTable(schema, table) to purposefulDrizzle's bindings`,
    );
  }
  return binding;
}

/** Rows as the driver read them, each opened for the purpose (a NULL of an optional field read as absent). */
function openRows(pf: Engine, binding: BindingCore, rows: readonly unknown[], ctx: PurposeContext): Promise<unknown[]> {
  return pf.openMany(
    binding.schema,
    rows.map((row) => absentNulls(binding, row as Record<string, unknown>)),
    ctx,
  );
}

/** Where a column is. */
interface Located {
  readonly binding: BindingCore;
  readonly key: string;
  /** The alias the column was named through (`alias(table, 'c2')`), when it was. */
  readonly alias?: string | undefined;
}

/** Where a column is: its binding, key and alias, or nothing for a table no binding names. */
function locate(bindings: Bindings, column: Column): Located | undefined {
  const binding = bindings.byTable.get(column.table as PgTable);
  const key = binding?.keyOf.get(column);
  if (binding !== undefined && key !== undefined) return { binding, key };
  const table = column.table as unknown as Record<symbol, unknown> | undefined;
  if (table?.[IS_ALIAS] !== true) return undefined;
  const candidates = bindings.byConfig.get((column as unknown as { config?: object }).config as object) ?? [];
  // the bound column of the aliased table itself, not of another table built from the same definitions
  const original = candidates.find((c) => aliasOf(table, c.binding.table));
  return original === undefined ? undefined : { ...original, alias: getTableName(column.table as PgTable) };
}

/** The index column of a binding, named through the alias its field's column was named through. */
function indexColumn(at: { readonly binding: BindingCore; readonly alias?: string | undefined }, index: string): Column {
  const column = at.binding.columns[`bidx_${index}`] as Column;
  return at.alias === undefined ? column : aliasedTableColumn(column, at.alias);
}

/**
 * `column IN values` as the query runs it: through the blind index (one value per keyring key) for an encrypted
 * field indexed alone, `PF_QUERY_ENCRYPTED` for another encrypted column, Drizzle's own `inArray` otherwise.
 */
export function matchAny(pf: Engine, bindings: Bindings, column: Column, values: readonly unknown[], op: string): SQL {
  const at = locate(bindings, column);
  const encrypted = at?.binding.encryptedUnder.get(at.key);
  if (at === undefined || encrypted === undefined) {
    return op === 'eq' ? drizzleEq(column, values[0]) : drizzleInArray(column, values as unknown[]);
  }
  const index = at.binding.indexOf.get(at.key);
  if (index === undefined) {
    const paths = encrypted.map((f) => f.path);
    throw new PurposefulError(
      'PF_QUERY_ENCRYPTED',
      `${op}() on column "${at.key}" of schema "${at.binding.schema.id}": its encrypted fields (${paths.join(', ')}) have no blind index to compare through; declare index on the field`,
      { schema: at.binding.schema.id, paths },
    );
  }
  const hits: string[] = [];
  for (const value of values) for (const hit of pf.indexFor(at.binding.schema, index, value)) hits.push(hit);
  return drizzleInArray(indexColumn(at, index), hits);
}

/**
 * `columns[i] = values[i]` for every i, ANDed: the columns of a compound blind index whose fields are all given (of
 * one bound table) are compared through `bidx_<name>` (one value per keyring key) in place of their encrypted columns,
 * plain columns keep their own equality, and any other column goes through {@link matchAny} (an encrypted column
 * neither indexed alone nor covered: `PF_QUERY_ENCRYPTED`).
 */
export function matchAll(pf: Engine, bindings: Bindings, columns: readonly Column[], values: readonly unknown[]): SQL {
  if (!Array.isArray(columns) || !Array.isArray(values) || columns.length !== values.length || columns.length === 0) {
    throw new PurposefulError('PF_INPUT_INVALID', 'eq(columns, values) takes one value for each column, in the same order');
  }
  if (new Set(columns).size !== columns.length) {
    // one of two values would be compared and the other dropped: refused rather than match too many rows
    throw new PurposefulError('PF_INPUT_INVALID', 'eq(columns, values) names a column twice: give each column once');
  }
  const conditions: SQL[] = [];
  const covered = new Set<Column>();
  // by table as named: a table and each of its aliases apart
  const byBinding = new Map<string, { at: Located; given: Map<string, { column: Column; value: unknown }> }>();
  const named = new Map<BindingCore, number>();
  columns.forEach((column, i) => {
    const at = locate(bindings, column);
    if (at === undefined) return;
    if (!named.has(at.binding)) named.set(at.binding, named.size);
    const name = `${named.get(at.binding)}\u0000${at.alias ?? ''}`;
    const group = byBinding.get(name) ?? { at, given: new Map<string, { column: Column; value: unknown }>() };
    if (!group.given.has(at.key)) group.given.set(at.key, { column, value: values[i] });
    byBinding.set(name, group);
  });
  for (const { at, given } of byBinding.values()) {
    const binding = at.binding;
    for (const index of binding.schema.indexes) {
      if (index.fields.length < 2 || index.fields.some((f) => f.path !== topKey(f.path) || !given.has(f.path))) continue;
      const hits = pf.indexFor(
        binding.schema,
        index.name,
        index.fields.map((f) => given.get(f.path)?.value),
      );
      conditions.push(drizzleInArray(indexColumn(at, index.name), hits));
      for (const f of index.fields) if (binding.encryptedUnder.has(f.path)) covered.add(given.get(f.path)?.column as Column);
    }
  }
  columns.forEach((column, i) => {
    if (!covered.has(column)) conditions.push(matchAny(pf, bindings, column, [values[i]], 'eq'));
  });
  return and(...conditions) as SQL;
}

/**
 * `PF_QUERY_ENCRYPTED` when a condition or an ordering names an encrypted column of a bound table: the client's `eq`
 * / `inArray` compare through the blind index and never name it, so any other use (`like`, a range, an ordering, a
 * raw comparison) would run on envelopes and match nothing, or sort by ciphertext. Checked as the query is built.
 */
export function assertQueryable(bindings: Bindings, parts: unknown, op: string): void {
  const seen = new Set<unknown>();
  const visit = (chunk: unknown): void => {
    if (chunk === null || typeof chunk !== 'object' || seen.has(chunk)) return;
    seen.add(chunk);
    if (Array.isArray(chunk)) {
      for (const c of chunk) visit(c);
    } else if (is(chunk, SQL)) {
      for (const c of chunk.queryChunks) visit(c);
    } else if (is(chunk, SQL.Aliased)) {
      visit(chunk.sql);
    } else if (!is(chunk, Column) && typeof (chunk as { getSQL?: unknown }).getSQL === 'function') {
      // a subquery (`inArray(t.id, db.select()…)`, `exists(…)`) or any other SQL wrapper: what it would run
      visit((chunk as { getSQL(): unknown }).getSQL());
    } else if (is(chunk, Column)) {
      const at = locate(bindings, chunk);
      const encrypted = at?.binding.encryptedUnder.get(at.key);
      if (at === undefined || encrypted === undefined) return;
      const paths = encrypted.map((f) => f.path);
      throw new PurposefulError(
        'PF_QUERY_ENCRYPTED',
        `${op} on table "${getTableName(at.binding.table)}" names encrypted column "${at.key}" (${paths.join(', ')}): it holds envelopes, so only the client's eq / inArray through a blind index can compare it; like, ranges, ordering and raw comparisons cannot`,
        { schema: at.binding.schema.id, paths },
      );
    }
  };
  visit(parts);
}

/** The `where` of a relational read and of each relation it loads, at any depth. */
function relationalWheres(options: unknown, out: unknown[] = [], depth = 0): unknown[] {
  if (options === null || typeof options !== 'object' || depth > 32) return out;
  const { where, with: related } = options as { where?: unknown; with?: unknown };
  out.push(where);
  if (related !== null && typeof related === 'object') {
    for (const value of Object.values(related)) relationalWheres(value, out, depth + 1);
  }
  return out;
}

/**
 * Options of a read (`findMany`, `findFirst`).
 *
 * @example
 * ```ts
 * const page: ReadOptions = { where: data.eq(customersTable.cpf, cpf), limit: 20, offset: 40 };
 * ```
 * @category Drizzle
 */
export interface ReadOptions {
  /** A condition built with the client's `eq` / `inArray` and Drizzle's `and` / `or` / `not` / other operators. */
  readonly where?: SQL | undefined;
  /**
   * The order of the rows: columns or SQL (`asc(t.name)`, `desc(t.createdAt)`). An encrypted column here is
   * `PF_QUERY_ENCRYPTED`: envelopes have no order.
   */
  readonly orderBy?: SQL | Column | readonly (SQL | Column)[] | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/**
 * Options of an insert.
 *
 * @example
 * ```ts
 * const [row] = await support.insert(customers, record, { returning: true } satisfies InsertOptions);
 * ```
 * @category Drizzle
 */
export interface InsertOptions {
  /** Return the inserted rows, opened for the purpose (default false). */
  readonly returning?: boolean | undefined;
}

/**
 * Options of a delete: the condition is required, so that no call deletes a whole table by omission.
 *
 * @example
 * ```ts
 * const gone = await support.delete(customers, { where: rawEq(customersTable.id, id) } satisfies DeleteOptions);
 * ```
 * @category Drizzle
 */
export interface DeleteOptions {
  /** The rows to delete: a condition built as for a read (`eq` / `inArray` of the client, Drizzle's operators). */
  readonly where: SQL;
}

/**
 * Options of an update: the fields to change and the rows to change them in (required, as for a delete).
 *
 * @example
 * ```ts
 * const changed = await support.update(customers, {
 *   set: { email: 'ana.souza@example.com' },
 *   where: data.eq(customersTable.cpf, '529.982.247-25'),
 * } satisfies UpdateOptions);
 * ```
 * @category Drizzle
 */
export interface UpdateOptions<Set = Record<string, unknown>> {
  /**
   * The fields to change, checked as `pf.inbound(schema, set, ctx, { partial: true })` does: each declared for the
   * purpose, validated, free text redacted, consent. A field given as `undefined` is left out. The subject field
   * and the record id cannot be changed.
   */
  readonly set: Set;
  /** The rows to change: a condition built as for a read (`eq` / `inArray` of the client, Drizzle's operators). */
  readonly where: SQL;
  /** Return the updated rows, opened for the purpose, instead of their number (default false). */
  readonly returning?: boolean | undefined;
}

/**
 * Options of an upsert: the columns of the unique index or constraint a record may conflict on.
 *
 * @example
 * ```ts
 * await support.upsert(customers, record, { target: customersTable.id } satisfies UpsertOptions);
 * ```
 * @category Drizzle
 */
export interface UpsertOptions {
  /**
   * The conflict target: the column(s) of a unique index or constraint. A `sealed` column cannot be one (its
   * envelopes differ each time a value is sealed); a blind-index column (`bidx_<name>`) can.
   */
  readonly target: Column | readonly Column[];
  /** Return the rows written (inserted or updated), opened for the purpose, in the order given (default false). */
  readonly returning?: boolean | undefined;
}

/** The scoped client's calls over one database or transaction, for one purpose context. */
export interface ScopedCalls {
  insert(table: PgTable, rows: unknown, options?: InsertOptions): Promise<unknown[] | undefined>;
  update(table: PgTable, options: UpdateOptions): Promise<number | unknown[]>;
  upsert(table: PgTable, rows: unknown, options: UpsertOptions): Promise<unknown[] | undefined>;
  delete(table: PgTable, options: DeleteOptions): Promise<number>;
  findMany(table: PgTable, options?: ReadOptions): Promise<unknown[]>;
  findFirst(table: PgTable, options?: ReadOptions): Promise<unknown>;
  /** A relational read (`with`): each row and related row opened with its own binding. */
  findWith(table: PgTable, options: RelationalReadOptions, mode: 'many' | 'first'): Promise<unknown>;
  transaction<T>(run: (tx: ScopedCalls) => Promise<T>): Promise<T>;
}

/** Checks (`inbound`: undeclared fields, validation, consent) then seals each record, for one INSERT. */
async function sealAll(
  pf: Engine,
  binding: BindingCore,
  records: readonly unknown[],
  ctx: PurposeContext,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const record of records) {
    const checked = await pf.inbound(binding.schema, record, ctx);
    const row = await pf.seal(binding.schema, checked, ctx);
    assertColumns(binding, row);
    rows.push(row);
  }
  return rows;
}

/** The `where` a write needs (`PF_INPUT_INVALID` without one: a missing condition would change every row). */
function requireWhere(binding: BindingCore, table: PgTable, options: unknown, op: 'delete' | 'update'): SQL {
  const where = (options as { where?: SQL | null } | undefined)?.where;
  if (where === undefined || where === null) {
    const what = op === 'delete' ? 'delete' : 'change';
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `${op}() on table "${getTableName(table)}" needs a where: a missing condition would ${what} every row`,
      { schema: binding.schema.id },
    );
  }
  return where;
}

function inputInvalid(binding: BindingCore, message: string, paths: readonly string[]): PurposefulError {
  return new PurposefulError('PF_INPUT_INVALID', message, { schema: binding.schema.id, paths: [...paths] });
}

/**
 * The change an update makes, before it is checked: an object, its `undefined` fields left out, not empty, not
 * changing what the row's envelopes are bound to, and covering every field of a blind index or none.
 */
function changeOf(binding: BindingCore, table: PgTable, set: unknown): Record<string, unknown> {
  const name = getTableName(table);
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw inputInvalid(binding, `update() on table "${name}" needs a set: an object of the fields to change`, []);
  }
  const change = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  const keys = Object.keys(change);
  if (keys.length === 0) throw inputInvalid(binding, `update() on table "${name}": set names no field to change`, []);
  const fixed = binding.identity.filter((path) => keys.includes(topKey(path)));
  if (fixed.length > 0) {
    throw inputInvalid(
      binding,
      `update() on table "${name}" cannot change ${fixed.join(', ')}: a row's envelopes are bound to its subject and record id; insert a new row instead`,
      fixed,
    );
  }
  for (const [index, fields] of binding.indexKeys) {
    const given = fields.filter((k) => keys.includes(k));
    if (given.length > 0 && given.length < fields.length) {
      throw inputInvalid(
        binding,
        `update() on table "${name}": blind index "${index}" combines ${fields.join(', ')}; set all of them or none, since the index cannot be computed from some of its fields`,
        fields.filter((k) => !keys.includes(k)),
      );
    }
  }
  return change;
}

/** The value at a dotted path of a row, as a record holding only that path (`owner.id` → `{ owner: { id } }`). */
function pathOf(row: Readonly<Record<string, unknown>>, path: string): Record<string, unknown> {
  const segments = path.split('.');
  let value: unknown = row;
  for (const seg of segments)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[seg] : undefined;
  let out: unknown = value;
  for (let i = segments.length - 1; i >= 0; i--) out = { [segments[i] as string]: out };
  return out as Record<string, unknown>;
}

/** JSON with object keys in order: two restrictions compared whatever order the database gave their keys in. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The SQL type a per-row value is cast to in the VALUES list: a sealed column's text, or json/jsonb. */
function castOf(binding: BindingCore, column: Column): SQL {
  const type = column.getSQLType();
  if (!/^[a-z][a-z0-9_ ]*$/i.test(type)) {
    throw new PurposefulError('PF_BINDING_INVALID', `column "${column.name}" has a type update() cannot write per row`, {
      schema: binding.schema.id,
    });
  }
  return sql.raw(type);
}

/** Rows per UPDATE statement: PostgreSQL takes at most 65,535 parameters in one. */
const UPDATE_BATCH = 1000;

/** The rows an update changes, each sealed under its own subject and record id, written by one UPDATE per batch. */
async function updateRows(
  tx: AnyPgDatabase,
  pf: Engine,
  binding: BindingCore,
  ctx: PurposeContext,
  where: SQL,
  change: Record<string, unknown>,
  returning: boolean,
): Promise<number | unknown[]> {
  const { table, columns } = binding;
  const restriction = columns[RESTRICTION_KEY];
  const bound = [...new Set(binding.identity.map(topKey))];
  // where each row is (its table and place, locked until the transaction ends) and what its envelopes are bound to
  const pick: Record<string, SQL | PgColumn> = { pf_at: sql<string>`ctid`, pf_in: sql<string>`tableoid` };
  for (const key of bound) pick[key] = columns[key] as PgColumn;
  if (restriction !== undefined) pick[RESTRICTION_KEY] = restriction as PgColumn;
  const found = (await tx.select(pick).from(table).where(where).for('update')) as Record<string, unknown>[];
  if (found.length === 0) return returning ? [] : 0;

  const keys = Object.keys(change);
  const sealed: Record<string, unknown>[] = [];
  let restrictionChanged = false;
  for (const row of found) {
    const record: Record<string, unknown> = {};
    for (const path of binding.identity) Object.assign(record, pathOf(row, path));
    const stored = row[RESTRICTION_KEY];
    if (stored !== null && stored !== undefined) record[RESTRICTION_KEY] = stored;
    Object.assign(record, change);
    const out = await pf.seal(binding.schema, record, ctx);
    assertColumns(binding, out);
    if (restriction !== undefined && canonical(out[RESTRICTION_KEY]) !== canonical(stored)) restrictionChanged = true;
    sealed.push(out);
  }
  // the same for every row: fields in clear and the blind indexes of the fields set; per row: envelopes, restriction
  const perRow = keys.filter((k) => binding.encryptedUnder.has(k));
  if (restrictionChanged) perRow.push(RESTRICTION_KEY);
  const first = sealed[0] as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  for (const key of keys) if (!binding.encryptedUnder.has(key)) set[key] = first[key];
  for (const [index, fields] of binding.indexKeys) {
    if (fields.every((k) => keys.includes(k))) set[`bidx_${index}`] = first[`bidx_${index}`];
  }
  perRow.forEach((key, i) => {
    set[key] = sql`pf_rows.${sql.identifier(`v${i}`)}`;
  });
  const names = sql.join(
    ['pf_at', 'pf_in', ...perRow.map((_, i) => `v${i}`)].map((n) => sql.identifier(n)),
    sql`, `,
  );
  const casts = perRow.map((key) => castOf(binding, columns[key] as Column));
  const back = returning ? getTableColumns(table) : { one: sql<number>`1` };
  const written: Record<string, unknown>[] = [];
  for (let from = 0; from < found.length; from += UPDATE_BATCH) {
    const values = sql.join(
      found.slice(from, from + UPDATE_BATCH).map((row, j) => {
        const out = sealed[from + j] as Record<string, unknown>;
        const cells = perRow.map((key, i) => sql`${sql.param(out[key] ?? null, columns[key] as Column)}::${casts[i] as SQL}`);
        return sql`(${sql.join([sql`${row.pf_at}::tid`, sql`${row.pf_in}::oid`, ...cells], sql`, `)})`;
      }),
      sql`, `,
    );
    const rows = await tx
      .update(table)
      .set(set)
      .from(sql`(values ${values}) as pf_rows(${names})`)
      .where(sql`${table}.ctid = pf_rows.pf_at and ${table}.tableoid = pf_rows.pf_in`)
      .returning(back);
    written.push(...(rows as Record<string, unknown>[]));
  }
  if (!returning) return written.length;
  return openRows(pf, binding, written, ctx);
}

/** The conflict target of an upsert: columns of the table, none of them sealed. */
function conflictTarget(binding: BindingCore, table: PgTable, options: unknown): Column[] {
  const given = (options as Partial<UpsertOptions> | undefined)?.target;
  const target = given === undefined || given === null ? [] : Array.isArray(given) ? [...given] : [given as Column];
  const name = getTableName(table);
  if (target.length === 0) {
    throw inputInvalid(binding, `upsert() on table "${name}" needs a target: the column(s) of a unique index`, []);
  }
  for (const column of target) {
    const key = binding.keyOf.get(column);
    if (key === undefined) {
      throw inputInvalid(binding, `upsert() on table "${name}": a target column is not a column of the table`, []);
    }
    if (binding.encryptedUnder.has(key)) {
      const paths = (binding.encryptedUnder.get(key) ?? []).map((f) => f.path);
      throw new PurposefulError(
        'PF_QUERY_ENCRYPTED',
        `upsert() on column "${key}" of schema "${binding.schema.id}": its envelopes differ each time a value is sealed, so it never conflicts; target a blind-index column (bidx_<name>) with a unique index instead`,
        { schema: binding.schema.id, paths },
      );
    }
  }
  return target;
}

/** The sealed rows of an upsert, grouped by the keys they carry: one INSERT … ON CONFLICT per group. */
function byShape(rows: readonly Record<string, unknown>[]): number[][] {
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const shape = Object.keys(row).sort().join('\u0000');
    groups.set(shape, [...(groups.get(shape) ?? []), i]);
  });
  return [...groups.values()];
}

/** What the update half of an upsert sets for rows of `keys`: each key given, from the row proposed (`excluded`). */
function upsertSet(binding: BindingCore, keys: readonly string[], target: readonly Column[]): Record<string, SQL> {
  const skip = new Set([...target.map((c) => binding.keyOf.get(c)), ...binding.identity.map(topKey)]);
  const indexColumns = new Set([...binding.indexKeys.keys()].map((n) => `bidx_${n}`));
  const fields = keys.filter((k) => !indexColumns.has(k));
  const set: Record<string, SQL> = {};
  const excluded = (key: string) => sql`excluded.${sql.identifier((binding.columns[key] as Column).name)}`;
  for (const key of fields) if (!skip.has(key)) set[key] = excluded(key);
  for (const [index, of] of binding.indexKeys) {
    // an index of fields the record leaves out keeps the value computed from the fields the row keeps
    if (of.every((k) => fields.includes(k)) && !skip.has(`bidx_${index}`)) set[`bidx_${index}`] = excluded(`bidx_${index}`);
  }
  if (Object.keys(set).length === 0) {
    const key = binding.keyOf.get(target[0] as Column) as string; // nothing else to set: a no-op, so the row is returned
    set[key] = excluded(key);
  }
  return set;
}

/** A scoped client over `db` for `ctx`. */
export function scopedCalls(db: AnyPgDatabase, pf: Engine, bindings: Bindings, ctx: PurposeContext): ScopedCalls {
  const calls: ScopedCalls = {
    async insert(table, input, options) {
      const binding = bindingFor(bindings, table);
      const records = Array.isArray(input) ? input : [input];
      if (records.length === 0) return options?.returning ? [] : undefined;
      const rows = await sealAll(pf, binding, records, ctx);
      const insert = db.insert(table).values(rows);
      if (!options?.returning) {
        await insert;
        return undefined;
      }
      const back = await insert.returning();
      return openRows(pf, binding, back, ctx);
    },
    async findMany(table, options) {
      const binding = bindingFor(bindings, table);
      assertQueryable(bindings, [options?.where, options?.orderBy], 'findMany()');
      await pf.authorize(binding.schema, ctx); // consent, roles, second factor: before the query runs
      const query = db.select().from(table).$dynamic();
      if (options?.where !== undefined) query.where(options.where);
      if (options?.orderBy !== undefined) {
        const order = options.orderBy;
        query.orderBy(...((Array.isArray(order) ? order : [order]) as SQL[]));
      }
      if (options?.limit !== undefined) query.limit(options.limit);
      if (options?.offset !== undefined) query.offset(options.offset);
      const rows = await query;
      return openRows(pf, binding, rows, ctx);
    },
    async update(table, options) {
      const binding = bindingFor(bindings, table);
      const where = requireWhere(binding, table, options, 'update');
      assertQueryable(bindings, where, 'update()');
      const change = changeOf(binding, table, options.set);
      await pf.authorize(binding.schema, ctx); // roles, second factor, consent and blockings: before the query runs
      const checked = (await pf.inbound(binding.schema, change, ctx, { partial: true })) as Record<string, unknown>;
      const returning = options.returning === true;
      return db.transaction((tx) => updateRows(tx, pf, binding, ctx, where, checked, returning));
    },
    async upsert(table, input, options) {
      const binding = bindingFor(bindings, table);
      const target = conflictTarget(binding, table, options);
      const records = Array.isArray(input) ? input : [input];
      const returning = options.returning === true;
      if (records.length === 0) return returning ? [] : undefined;
      await pf.authorize(binding.schema, ctx); // an upsert may change a stored row: checked as an update is
      const rows = await sealAll(pf, binding, records, ctx);
      if (rows.some((row) => row[RESTRICTION_KEY] !== undefined && row[RESTRICTION_KEY] !== null)) {
        throw inputInvalid(
          binding,
          `upsert() on table "${getTableName(table)}": a record's subject is erased or blocked, and the restriction its row carries cannot be merged by an upsert; use insert or update`,
          [RESTRICTION_KEY],
        );
      }
      const identity = binding.identity.map(topKey).filter((k, i, all) => all.indexOf(k) === i);
      // the row a record conflicts with must be the same record: another subject's or record's row is not replaced
      const same =
        identity.length === 0
          ? undefined
          : and(
              ...identity.map((key) => {
                const column = binding.columns[key] as Column;
                return sql`${column} is not distinct from excluded.${sql.identifier(column.name)}`;
              }),
            );
      const written = await db.transaction(async (tx) => {
        const out: Record<string, unknown>[] = new Array(rows.length);
        for (const group of byShape(rows)) {
          const values = group.map((i) => rows[i] as Record<string, unknown>);
          const set = upsertSet(binding, Object.keys(values[0] as Record<string, unknown>), target);
          const back = await tx
            .insert(table)
            .values(values)
            .onConflictDoUpdate({ target: target as IndexColumn[], set, ...(same === undefined ? {} : { setWhere: same }) })
            .returning(returning ? getTableColumns(table) : { one: sql<number>`1` });
          if (back.length !== group.length) {
            throw inputInvalid(
              binding,
              `upsert() on table "${getTableName(table)}": a record conflicts with a row of another subject or record id (${binding.identity.join(', ')}), which an upsert cannot change; nothing was written`,
              binding.identity,
            );
          }
          group.forEach((i, j) => {
            out[i] = back[j] as Record<string, unknown>;
          });
        }
        return out;
      });
      if (!returning) return undefined;
      return openRows(pf, binding, written, ctx);
    },
    async delete(table, options) {
      const binding = bindingFor(bindings, table);
      const where = requireWhere(binding, table, options, 'delete');
      assertQueryable(bindings, where, 'delete()');
      await pf.authorize(binding.schema, ctx); // roles, second factor, consent and blockings: before the query runs
      // the count from the rows the statement returns: the drivers report affected rows differently
      const gone = await db.delete(table).where(where).returning({ one: sql<number>`1` });
      return gone.length;
    },
    async findFirst(table, options) {
      const rows = await calls.findMany(table, { ...options, limit: 1 });
      return rows[0];
    },
    async findWith(table, options, mode) {
      assertQueryable(bindings, relationalWheres(options), 'a relational read');
      return relationalRead(db, pf, (t) => bindingFor(bindings, t), ctx, table, options, mode);
    },
    transaction(run) {
      return db.transaction((tx) => run(scopedCalls(tx, pf, bindings, ctx)));
    },
  };
  // a driver or Drizzle error quotes the statement and its parameters (clear personal values among them): each call
  // answers with a value-free PF_STORE_UNAVAILABLE instead; purposeful's own errors and the user's pass unchanged
  const name = (table: PgTable) => getTableName(table);
  return {
    insert: (table, rows, options) => guarded(name(table), () => calls.insert(table, rows, options)),
    update: (table, options) => guarded(name(table), () => calls.update(table, options)),
    upsert: (table, rows, options) => guarded(name(table), () => calls.upsert(table, rows, options)),
    delete: (table, options) => guarded(name(table), () => calls.delete(table, options)),
    findMany: (table, options) => guarded(name(table), () => calls.findMany(table, options), true),
    findFirst: (table, options) => guarded(name(table), () => calls.findFirst(table, options), true),
    findWith: (table, options, mode) => guarded(name(table), () => calls.findWith(table, options, mode), true),
    transaction: calls.transaction,
  };
}
