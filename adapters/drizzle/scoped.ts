/**
 * The purpose-scoped Drizzle client: inserts checked and sealed, reads opened
 * for the purpose, and the equality operators that go through blind indexes.
 *
 * @module
 * @internal
 */
import { type Column, eq as drizzleEq, inArray as drizzleInArray, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import { type PurposeContext, type Purposeful, PurposefulError } from 'purposeful';
import { absentNulls, assertColumns, type BindingCore } from './binding.js';
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

/** Where a column is: its binding and key, or nothing for a table no binding names. */
function locate(bindings: Bindings, column: Column): { binding: BindingCore; key: string } | undefined {
  const binding = bindings.byTable.get(column.table as PgTable);
  const key = binding?.keyOf.get(column);
  return binding === undefined || key === undefined ? undefined : { binding, key };
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
  return drizzleInArray(at.binding.columns[`bidx_${index}`] as Column, hits);
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

/** The scoped client's calls over one database or transaction, for one purpose context. */
export interface ScopedCalls {
  insert(table: PgTable, rows: unknown, options?: InsertOptions): Promise<unknown[] | undefined>;
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
      return pf.openMany(
        binding.schema,
        back.map((row) => absentNulls(binding, row)),
        ctx,
      );
    },
    async findMany(table, options) {
      const binding = bindingFor(bindings, table);
      await pf.authorize(binding.schema, ctx); // consent, roles, second factor: before the query runs
      const query = db.select().from(table).$dynamic();
      if (options?.where !== undefined) query.where(options.where);
      if (options?.limit !== undefined) query.limit(options.limit);
      if (options?.offset !== undefined) query.offset(options.offset);
      const rows = await query;
      return pf.openMany(
        binding.schema,
        rows.map((row) => absentNulls(binding, row as Record<string, unknown>)),
        ctx,
      );
    },
    async delete(table, options) {
      const binding = bindingFor(bindings, table);
      const where = (options as Partial<DeleteOptions> | undefined)?.where;
      if (where === undefined || where === null) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `delete() on table "${getTableName(table)}" needs a where: a missing condition would delete every row`,
          { schema: binding.schema.id },
        );
      }
      await pf.authorize(binding.schema, ctx); // roles, second factor, consent and blockings: before the query runs
      // the count from the rows the statement returns: the drivers report affected rows differently
      const gone = await db.delete(table).where(where).returning({ one: sql<number>`1` });
      return gone.length;
    },
    async findFirst(table, options) {
      const rows = await calls.findMany(table, { ...options, limit: 1 });
      return rows[0];
    },
    findWith(table, options, mode) {
      return relationalRead(db, pf, (t) => bindingFor(bindings, t), ctx, table, options, mode);
    },
    transaction(run) {
      return db.transaction((tx) => run(scopedCalls(tx, pf, bindings, ctx)));
    },
  };
  return calls;
}
