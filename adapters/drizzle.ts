/**
 * `purposeful/drizzle`: purpose-bound personal data in Drizzle ORM tables
 * (PostgreSQL dialect; node-postgres, PGlite and the other PostgreSQL drivers).
 * Encrypted fields live in {@link sealed} columns, a schema is bound to its
 * table with {@link bindTable}, and {@link purposefulDrizzle} gives a client
 * scoped to one purpose context that seals on insert, opens on read and
 * compares encrypted fields through their blind indexes.
 *
 * @module purposeful/drizzle
 */
import type { Column, SQL } from 'drizzle-orm';
import { customType, type PgTable } from 'drizzle-orm/pg-core';
import {
  assertEnvelope,
  type Inbound,
  looksEncrypted,
  type Outbound,
  type PurposeContext,
  type Purposeful,
  PurposefulError,
  type PurposefulSchema,
} from 'purposeful';
import { type BindingCore, compileBinding, markBinding, SEALED_REFUSAL } from './drizzle/binding.js';
import type {
  RelatedRead,
  RelatedRows,
  RelationalOf,
  RelationalReadOptions,
  RelationalTypes,
  WithAny,
  WithOf,
} from './drizzle/relational.js';
import {
  type AnyPgDatabase,
  type Bindings,
  type DeleteOptions,
  type InsertOptions,
  indexBindings,
  matchAll,
  matchAny,
  type ReadOptions,
  type ScopedCalls,
  scopedCalls,
  type UpdateOptions,
  type UpsertOptions,
} from './drizzle/scoped.js';

export * from './drizzle/migrate.js';
export * from './drizzle/sources.js';
export type {
  AnyPgDatabase,
  DeleteOptions,
  InsertOptions,
  ReadOptions,
  RelatedRead,
  RelatedRows,
  RelationalOf,
  RelationalReadOptions,
  RelationalTypes,
  UpdateOptions,
  UpsertOptions,
  WithAny,
  WithOf,
};

/**
 * A `text` column holding the envelope of a field declared `encrypt: true`.
 * It accepts only envelopes (`pf1.…`): a plaintext bound to it, by a raw
 * insert or update or a raw comparison such as Drizzle's own
 * `eq(table.email, 'x')`, fails with `PF_NOT_ENCRYPTED` naming the column,
 * never the value. Writes go through {@link purposefulDrizzle}'s scoped
 * client; comparisons through its `eq` / `inArray`.
 *
 * @param name - The SQL column name.
 * @example
 * ```ts
 * import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
 * import { sealed } from 'purposeful/drizzle';
 *
 * export const customers = pgTable('customers', {
 *   id: uuid('id').primaryKey(),
 *   name: text('name').notNull(),
 *   cpf: sealed('cpf').notNull(),
 *   bidx_cpf: text('bidx_cpf').notNull(),
 *   email: sealed('email').notNull(),
 * });
 * ```
 * @category Drizzle
 */
export function sealed<N extends string>(name: N) {
  return customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver(value) {
      // a value that only looks like an envelope (the prefix, then anything) is refused too: PF_CIPHERTEXT_MALFORMED.
      // The check is structural (nothing decoded); it accepts exactly what opening parses.
      if (looksEncrypted(value)) {
        assertEnvelope(value, name);
        return value;
      }
      throw new PurposefulError(
        SEALED_REFUSAL,
        `a plaintext value was bound to sealed column "${name}": write through purposefulDrizzle(…).forPurpose(ctx) and compare with its eq / inArray (raw SQL bypasses purposeful)`,
      );
    },
  })(name);
}

/**
 * A schema bound to a Drizzle table, made by {@link bindTable}.
 *
 * @example
 * ```ts
 * const customers: TableBinding<typeof Customer, typeof customersTable> = bindTable(Customer, customersTable);
 * ```
 * @category Drizzle
 */
export interface TableBinding<S extends PurposefulSchema = PurposefulSchema, T extends PgTable = PgTable> {
  readonly schema: S;
  readonly table: T;
  /** @internal the compiled lookups */
  readonly core: BindingCore;
}

/**
 * Binds a schema to the table its rows are stored in, checking at once
 * (`PF_BINDING_INVALID`, every problem with its field path) that:
 *
 * - each top-level field declared `encrypt: true` has a {@link sealed} column
 *   of the same key; an encrypted field nested in an object or array lives in
 *   the json or jsonb column of its top-level key (`address.street` →
 *   `address`), its envelopes inside the JSON;
 * - each blind index `name` has a `bidx_<name>` column;
 * - the subject field and the record id have a column.
 *
 * Column keys are the keys of the `pgTable` object (the keys of a sealed row),
 * not the SQL names. `purposeful check` runs the same verification in CI over
 * the bindings exported by the modules the config's `bindings` names.
 *
 * @example
 * ```ts
 * const customers = bindTable(Customer, customersTable);
 * ```
 * @category Drizzle
 */
export function bindTable<S extends PurposefulSchema, T extends PgTable>(schema: S, table: T): TableBinding<S, T> {
  return Object.freeze(markBinding({ schema, table, core: compileBinding(schema, table) }, schema, table));
}

/**
 * What the scoped client reads and writes: a table's binding (rows typed for
 * the purpose) or the `pgTable` itself (rows `Record<string, unknown>`).
 *
 * @example
 * ```ts
 * const target: DrizzleTarget = customers; // bindTable(Customer, customersTable)
 * ```
 * @category Drizzle
 */
export type DrizzleTarget = PgTable | TableBinding;

/**
 * A row of `T` as purpose `Q` reads it: `Outbound<S, Q>` for a binding of schema `S`.
 *
 * @example
 * ```ts
 * type SupportView = OpenedRow<typeof customers, 'support.ticket'>;
 * ```
 * @category Drizzle
 */
export type OpenedRow<T extends DrizzleTarget, Q extends string> =
  T extends TableBinding<infer S> ? Outbound<S, Q> : Record<string, unknown>;

/**
 * The SQL name of a target's table (the name Drizzle's relations refer to it by).
 *
 * @example
 * ```ts
 * type Name = TableNameOf<typeof customers>; // 'customers'
 * ```
 * @category Drizzle
 */
export type TableNameOf<T extends DrizzleTarget> =
  T extends TableBinding<PurposefulSchema, infer Table> ? Table['_']['name'] : T extends PgTable ? T['_']['name'] : string;

/**
 * A row of a relational read of `T` with `W` for purpose `Q`: the row as
 * {@link OpenedRow} types it, plus each loaded relation typed by
 * {@link RelatedRows} from the client's {@link RelationalTypes} `R`.
 *
 * @example
 * ```ts
 * type Row = RelationalRow<typeof customers, { tickets: true }, 'support.ticket', Types>;
 * ```
 * @category Drizzle
 */
export type RelationalRow<T extends DrizzleTarget, W, Q extends string, R extends RelationalTypes = RelationalTypes> = OpenedRow<
  T,
  Q
> &
  RelatedRows<R, TableNameOf<T>, W, Q>;

/**
 * A record of `T` as purpose `Q` writes it: `Inbound<S, Q>` for a binding of schema `S`.
 *
 * @example
 * ```ts
 * const record: NewRecord<typeof customers, 'support.ticket'> = { id, channel: 'chat', name, cpf, email };
 * ```
 * @category Drizzle
 */
export type NewRecord<T extends DrizzleTarget, Q extends string> =
  T extends TableBinding<infer S> ? Inbound<S, Q> : Record<string, unknown>;

/**
 * The fields an update of `T` by purpose `Q` may set: `Partial<Inbound<S, Q>>` for a binding of schema `S`.
 *
 * @example
 * ```ts
 * const change: UpdateSet<typeof customers, 'support.ticket'> = { email: 'ana.souza@example.com' };
 * ```
 * @category Drizzle
 */
export type UpdateSet<T extends DrizzleTarget, Q extends string> =
  T extends TableBinding<infer S> ? Partial<Inbound<S, Q>> : Record<string, unknown>;

/**
 * A Drizzle client scoped to one purpose context, from
 * {@link PurposefulDrizzle.forPurpose}. Tables are given as their bindings
 * (rows typed for the purpose) or as the `pgTable` itself.
 *
 * - `insert` checks each record as `inbound` does (undeclared fields for the
 *   purpose: `PF_UNDECLARED_FIELD`; validation; consent), seals it and writes
 *   all of them in one `INSERT` with their blind indexes.
 * - `findMany` / `findFirst` run `authorize` first (consent, roles, second
 *   factor: a refusal runs no SQL), then open each row for the purpose: fields
 *   it may not see are absent, the rest masked as declared. With `with`, they
 *   run Drizzle's relational query (the database made with
 *   `drizzle({ client, schema })`): every table the read touches must be bound
 *   (`PF_BINDING_INVALID`, no SQL run), each one's schema is authorized before
 *   the query, and each related row is opened with its own table's binding.
 * - `update` requires a `where` too, checks `set` as `pf.inbound(…, { partial:
 *   true })` does and runs `authorize`, all before any SQL; it refuses to
 *   change the subject field or the record id, and a blind index some of whose
 *   fields are set and others not (`PF_INPUT_INVALID`). In one transaction it
 *   locks the matching rows, seals the change under each row's own subject and
 *   record id, and writes them in one `UPDATE` (per 1,000 rows) with the blind
 *   indexes of the fields set. It returns the number of rows updated, or with
 *   `{ returning: true }` the rows opened for the purpose.
 * - `upsert` checks and seals whole records as `insert` does and writes them
 *   with `INSERT … ON CONFLICT (target) DO UPDATE`: a row that conflicts gets
 *   the fields the record gives (one statement per set of keys the records
 *   carry). A conflict with a row of another subject or record id is
 *   `PF_INPUT_INVALID` and nothing is written.
 * - `delete` requires a `where` (`PF_INPUT_INVALID` without one, no SQL run),
 *   runs `authorize` first (a refusal runs no SQL), then one `DELETE`; it
 *   returns the number of rows deleted. Deleting rows is not erasure: erasure
 *   of a subject by shredding their keys is `pf.rights` / `pf.shred`.
 * - `transaction` runs a function with a client of the same purpose over a
 *   Drizzle transaction.
 *
 * @example
 * ```ts
 * const support = data.forPurpose({ purpose: 'support.ticket', actor, subjectId });
 * await support.insert(customers, { id, name: 'Ana', cpf: '529.982.247-25', email: 'ana@example.com' });
 * await support.update(customers, { set: { email: 'ana.souza@example.com' }, where: data.eq(customersTable.cpf, '529.982.247-25') });
 * await support.upsert(customers, { id, name: 'Ana', cpf: '529.982.247-25', email: 'ana@example.com' }, { target: customersTable.id });
 * const found = await support.findFirst(customers, { where: data.eq(customersTable.cpf, '529.982.247-25') });
 * ```
 * @category Drizzle
 */
export interface ScopedDrizzle<Q extends string, R extends RelationalTypes = RelationalTypes> {
  insert<T extends DrizzleTarget>(table: T, rows: NewRecord<T, Q> | readonly NewRecord<T, Q>[]): Promise<void>;
  insert<T extends DrizzleTarget>(
    table: T,
    rows: NewRecord<T, Q> | readonly NewRecord<T, Q>[],
    options: InsertOptions & { returning: true },
  ): Promise<OpenedRow<T, Q>[]>;
  update<T extends DrizzleTarget>(
    table: T,
    options: UpdateOptions<UpdateSet<T, Q>> & { readonly returning?: false | undefined },
  ): Promise<number>;
  update<T extends DrizzleTarget>(
    table: T,
    options: UpdateOptions<UpdateSet<T, Q>> & { readonly returning: true },
  ): Promise<OpenedRow<T, Q>[]>;
  upsert<T extends DrizzleTarget>(
    table: T,
    rows: NewRecord<T, Q> | readonly NewRecord<T, Q>[],
    options: UpsertOptions & { readonly returning?: false | undefined },
  ): Promise<void>;
  upsert<T extends DrizzleTarget>(
    table: T,
    rows: NewRecord<T, Q> | readonly NewRecord<T, Q>[],
    options: UpsertOptions & { readonly returning: true },
  ): Promise<OpenedRow<T, Q>[]>;
  findMany<T extends DrizzleTarget, const W extends WithOf<R, TableNameOf<T>>>(
    table: T,
    options: RelationalReadOptions<W>,
  ): Promise<RelationalRow<T, W, Q, R>[]>;
  findMany<T extends DrizzleTarget>(table: T, options?: ReadOptions): Promise<OpenedRow<T, Q>[]>;
  delete(table: DrizzleTarget, options: DeleteOptions): Promise<number>;
  findFirst<T extends DrizzleTarget, const W extends WithOf<R, TableNameOf<T>>>(
    table: T,
    options: Omit<RelationalReadOptions<W>, 'limit'>,
  ): Promise<RelationalRow<T, W, Q, R> | undefined>;
  findFirst<T extends DrizzleTarget>(table: T, options?: Omit<ReadOptions, 'limit'>): Promise<OpenedRow<T, Q> | undefined>;
  transaction<V>(run: (tx: ScopedDrizzle<Q, R>) => Promise<V>): Promise<V>;
}

/**
 * The integration object from {@link purposefulDrizzle}: scoped clients and
 * the operators that compare encrypted fields through their blind indexes.
 *
 * `eq(column, value)` and `inArray(column, values)` on a column holding a field
 * declared `encrypt: true` with an `index` of its own become `bidx_<index> IN
 * (…)` over every keyring key's index value; they compose with Drizzle's `and`,
 * `or` and `not`. On an encrypted column without such an index they throw
 * `PF_QUERY_ENCRYPTED` as the query is built (never an empty result); on any
 * other column they are Drizzle's own `eq` / `inArray`. `eq([colA, colB],
 * [a, b])` is `colA = a AND colB = b`, where the fields of a compound blind
 * index given together go through its `bidx_<name>` column (an encrypted
 * column neither indexed alone nor covered that way is `PF_QUERY_ENCRYPTED`).
 *
 * @example
 * ```ts
 * import { and, not, or } from 'drizzle-orm';
 * const where = or(data.inArray(customersTable.cpf, [a, b]), and(data.eq(customersTable.channel, 'chat'), not(data.eq(customersTable.cpf, c))));
 * ```
 * @category Drizzle
 */
export interface PurposefulDrizzle<P extends string, R extends RelationalTypes = RelationalTypes> {
  /** A client whose every read and write is for `ctx`'s purpose. */
  forPurpose<Q extends P>(ctx: PurposeContext<Q>): ScopedDrizzle<Q, R>;
  /** `column = value`; through the blind index on an indexed encrypted column. */
  eq(column: Column, value: unknown): SQL;
  /**
   * `columns[i] = values[i]` for each column, ANDed; the fields of a compound blind index (`indexes` in the schema's
   * options) given together are compared through its `bidx_<name>` column.
   */
  eq(columns: readonly Column[], values: readonly unknown[]): SQL;
  /** `column IN (values)`; through the blind index on an indexed encrypted column. */
  inArray(column: Column, values: readonly unknown[]): SQL;
}

/**
 * Options of {@link purposefulDrizzle}.
 *
 * @example
 * ```ts
 * const options: DrizzleOptions = { bindings: [bindTable(Customer, customersTable), bindTable(Ticket, ticketsTable)] };
 * ```
 * @category Drizzle
 */
export interface DrizzleOptions<B extends TableBinding = TableBinding> {
  /** The tables this client reads and writes, each bound to its schema. */
  readonly bindings: readonly B[];
}

/**
 * Purposeful over a Drizzle PostgreSQL database (or transaction): the user
 * never calls `seal` or `open`. Raw Drizzle calls on the same tables remain
 * possible and are a bypass: a plaintext bound to a {@link sealed} column
 * still fails closed, but what a raw select returns is ciphertext, unchecked
 * and unlogged.
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/node-postgres';
 * const db = drizzle(process.env.DATABASE_URL!);
 * const data = purposefulDrizzle(db, pf, { bindings: [bindTable(Customer, customersTable)] });
 * const rows = await data.forPurpose(ctx).findMany(customersTable, { where: data.eq(customersTable.cpf, cpf) });
 * ```
 * @category Drizzle
 */
export function purposefulDrizzle<
  P extends string,
  D extends AnyPgDatabase = AnyPgDatabase,
  B extends TableBinding = TableBinding,
>(db: D, pf: Purposeful<P>, options: DrizzleOptions<B>): PurposefulDrizzle<P, RelationalOf<NonNullable<D['_']['schema']>, B>> {
  const byTable = new Map<PgTable, BindingCore>();
  for (const binding of options.bindings) {
    if (byTable.has(binding.table)) {
      throw new PurposefulError('PF_BINDING_INVALID', `a table is bound twice (schema "${binding.schema.id}")`, {
        schema: binding.schema.id,
      });
    }
    byTable.set(binding.table, binding.core);
  }
  const bindings: Bindings = indexBindings(byTable);
  return {
    forPurpose: (ctx) => scoped(scopedCalls(db, pf, bindings, ctx)),
    eq: ((column: Column | readonly Column[], value: unknown) =>
      Array.isArray(column)
        ? matchAll(pf, bindings, column, value as readonly unknown[])
        : matchAny(pf, bindings, column as Column, [value], 'eq')) as PurposefulDrizzle<P>['eq'],
    inArray: (column, values) => matchAny(pf, bindings, column, values, 'inArray'),
  };
}

/** The typed face of the calls: a binding stands for its table. */
function scoped<Q extends string, R extends RelationalTypes>(calls: ScopedCalls): ScopedDrizzle<Q, R> {
  const table = (target: DrizzleTarget): PgTable => ('core' in target ? (target as TableBinding).table : (target as PgTable));
  return {
    insert: ((target: DrizzleTarget, rows: unknown, options?: InsertOptions) =>
      calls.insert(table(target), rows, options)) as never,
    update: ((target: DrizzleTarget, options: UpdateOptions) => calls.update(table(target), options)) as never,
    upsert: ((target: DrizzleTarget, rows: unknown, options: UpsertOptions) =>
      calls.upsert(table(target), rows, options)) as never,
    findMany: ((target: DrizzleTarget, options?: ReadOptions & { with?: unknown }) =>
      options?.with === undefined
        ? calls.findMany(table(target), options)
        : calls.findWith(table(target), options as RelationalReadOptions, 'many')) as never,
    findFirst: ((target: DrizzleTarget, options?: ReadOptions & { with?: unknown }) =>
      options?.with === undefined
        ? calls.findFirst(table(target), options)
        : calls.findWith(table(target), options as RelationalReadOptions, 'first')) as never,
    delete: (target, options) => calls.delete(table(target), options),
    transaction: (run) => calls.transaction((tx) => run(scoped<Q, R>(tx))),
  };
}
