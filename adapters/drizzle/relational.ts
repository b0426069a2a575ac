/**
 * Relational reads (Drizzle's `db.query.<table>.findMany({ with })`) through
 * the scoped client: every schema the read touches authorized before any SQL,
 * each row opened with its own table's binding, nested relations included.
 *
 * @module
 * @internal
 */
import { type Equal, getTableName, is, One, type Relation, SQL, type TablesRelationalConfig } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type Outbound, type PurposeContext, type Purposeful, PurposefulError, type PurposefulSchema } from 'purposeful';
import { absentNulls, type BindingCore } from './binding.js';

// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;

/** A binding as the relational types see it (the shape of a `TableBinding`). */
interface BoundTable {
  readonly schema: PurposefulSchema;
  readonly table: PgTable;
}

/**
 * What a client knows of its tables' types, for the rows of relational reads:
 * the Drizzle database's relational schema (`drizzle({ client, schema })`)
 * and the bindings it was given.
 *
 * @example
 * ```ts
 * type Types = RelationalTypes; // { schema: typeof db._.schema; bindings: typeof customers | typeof tickets }
 * ```
 * @category Drizzle
 */
export interface RelationalTypes {
  readonly schema: unknown;
  readonly bindings: BoundTable;
}

/**
 * The {@link RelationalTypes} of a client made from a database whose
 * relational schema has the type `Schema` and from bindings `B`. A database
 * whose type carries no relational schema (or `any`) gives the default
 * {@link RelationalTypes}: relation values are then untyped records.
 *
 * @example
 * ```ts
 * type Types = RelationalOf<NonNullable<(typeof db)['_']['schema']>, typeof customers | typeof tickets>;
 * ```
 * @category Drizzle
 */
export type RelationalOf<Schema, B extends BoundTable> = 0 extends 1 & Schema
  ? RelationalTypes
  : [Schema] extends [TablesRelationalConfig]
    ? { readonly schema: Schema; readonly bindings: B }
    : RelationalTypes;

/** The relational schema of `R`, or never when the database's type does not carry one (or carries `any`). */
type SchemaOf<R extends RelationalTypes> = 0 extends 1 & R['schema']
  ? never
  : R['schema'] extends TablesRelationalConfig
    ? R['schema']
    : never;

/** The relations of the table named `N` (its SQL name) in `R`'s schema. */
type RelationsOf<R extends RelationalTypes, N extends string> = {
  [K in keyof SchemaOf<R>]: SchemaOf<R>[K]['dbName'] extends N ? SchemaOf<R>[K]['relations'] : never;
}[keyof SchemaOf<R>];

/** A row of the table named `N` as purpose `Q` reads it: `Outbound<S, Q>` when a binding of schema `S` holds it. */
type RowOf<R extends RelationalTypes, N extends string, Q extends string> =
  Extract<R['bindings'], { readonly table: { readonly _: { readonly name: N } } }> extends {
    readonly schema: infer S extends PurposefulSchema;
  }
    ? Outbound<S, Q>
    : Record<string, unknown>;

/**
 * How one relation is loaded in `with`: `true`, or its own nested `with`, and
 * for a many-relation a `where` (SQL, as for a read) and a `limit`.
 *
 * @example
 * ```ts
 * const open: RelatedRead = { where: data.eq(ticketsTable.status, 'open'), limit: 5, with: { assignee: true } };
 * ```
 * @category Drizzle
 */
export interface RelatedRead<W = WithAny> {
  readonly with?: W | undefined;
  /** For a many-relation: a condition built with the client's `eq` / `inArray` over the related table's columns. */
  readonly where?: SQL | undefined;
  /** For a many-relation: at most this many related rows per row. */
  readonly limit?: number | undefined;
}

/**
 * `with` when the database's type carries no relational schema: any relation
 * name (checked when the read runs).
 *
 * @example
 * ```ts
 * const withTickets: WithAny = { tickets: true };
 * ```
 * @category Drizzle
 */
export interface WithAny {
  readonly [relation: string]: true | RelatedRead | undefined;
}

/**
 * The relations a read of the table named `N` may load, from the database's
 * relational schema: each `true` or a {@link RelatedRead} of its own table.
 *
 * @example
 * ```ts
 * const w: WithOf<Types, 'customers'> = { tickets: { with: { customer: true } } };
 * ```
 * @category Drizzle
 */
export type WithOf<R extends RelationalTypes, N extends string> = [SchemaOf<R>] extends [never]
  ? WithAny
  : {
      readonly [K in keyof RelationsOf<R, N>]?:
        | true
        | (RelationsOf<R, N>[K] extends Relation<infer M>
            ? RelationsOf<R, N>[K] extends One
              ? Omit<RelatedRead<WithOf<R, M>>, 'where' | 'limit'>
              : RelatedRead<WithOf<R, M>>
            : never)
        | undefined;
    };

/** The nested `with` of one relation's entry. */
type NestedWith<E> = E extends { readonly with?: infer W } ? (undefined extends W ? Exclude<W, undefined> : W) : object;

/**
 * The relations `W` loads on a row of the table named `N` (its SQL name), each
 * typed as the related binding opens it for purpose `Q`: one row (or `null`
 * where Drizzle says the relation may be missing) or an array of rows, nested
 * relations included. When the database's type carries no relational schema,
 * each is `Record<string, unknown>`, an array of them, or `null`.
 *
 * @example
 * ```ts
 * type Loaded = RelatedRows<Types, 'customers', { tickets: true }, 'support.ticket'>; // { tickets: Outbound<typeof Ticket, 'support.ticket'>[] }
 * ```
 * @category Drizzle
 */
export type RelatedRows<R extends RelationalTypes, N extends string, W, Q extends string> = [SchemaOf<R>] extends [never]
  ? { [K in keyof W]-?: Record<string, unknown> | Record<string, unknown>[] | null }
  : {
      [K in keyof W & keyof RelationsOf<R, N>]-?: RelationsOf<R, N>[K] extends Relation<infer M>
        ? (
            [keyof NestedWith<W[K]>] extends [never]
              ? RowOf<R, M, Q>
              : RowOf<R, M, Q> & RelatedRows<R, M, NestedWith<W[K]>, Q>
          ) extends infer Row
          ? RelationsOf<R, N>[K] extends One
            ? Row | (Equal<RelationsOf<R, N>[K]['isNullable'], false> extends true ? null : never)
            : Row[]
          : never
        : never;
    };

/**
 * Options of a relational read: {@link ReadOptions} plus `with`. Conditions are
 * SQL (built with the client's `eq` / `inArray` and Drizzle's operators over
 * the table's own columns); Drizzle's callback form of `where`, `columns`,
 * `extras` and `orderBy` are refused (`PF_INPUT_INVALID`, before any SQL).
 *
 * @example
 * ```ts
 * const rows = await support.findMany(customers, { where: data.eq(customersTable.cpf, cpf), with: { tickets: true } });
 * ```
 * @category Drizzle
 */
export interface RelationalReadOptions<W = WithAny> {
  /** The relations to load with each row (required: without it, the read is a plain select). */
  readonly with: W;
  readonly where?: SQL | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/** What a relational read needs of the Drizzle database (a `PgDatabase` or transaction made with a schema). */
interface RelationalDb {
  readonly _: { readonly schema: TablesRelationalConfig | undefined; readonly fullSchema: Record<string, unknown> };
  readonly query: unknown;
}

/** One level of a planned read: the binding that opens its rows, and its relations by key. */
interface Plan {
  readonly binding: BindingCore;
  readonly relations: ReadonlyMap<string, Plan>;
}

const ROOT_KEYS = new Set(['with', 'where', 'limit', 'offset']);
const MANY_KEYS = new Set(['with', 'where', 'limit']);
const ONE_KEYS = new Set(['with']);

function refuse(code: 'PF_INPUT_INVALID' | 'PF_BINDING_INVALID', message: string, schema: string): never {
  throw new PurposefulError(code, message, { schema });
}

/** Checks one level's options: known keys only, SQL conditions, then each relation of `with`. */
function plan(
  schema: TablesRelationalConfig,
  fullSchema: Record<string, unknown>,
  lookup: (table: PgTable) => BindingCore,
  binding: BindingCore,
  tsName: string,
  options: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  at: string,
): Plan {
  const id = binding.schema.id;
  for (const key of Object.keys(options)) {
    if (options[key] === undefined) continue;
    if (!allowed.has(key)) {
      refuse(
        'PF_INPUT_INVALID',
        `relational read of ${at}: "${key}" is not supported (columns, extras and orderBy would bypass the purpose's projection or order by ciphertext; a one-relation takes only with)`,
        id,
      );
    }
  }
  if (options.where !== undefined && !(options.where instanceof SQL)) {
    refuse(
      'PF_INPUT_INVALID',
      `relational read of ${at}: where must be SQL built with the client's eq / inArray over the table's columns, not a callback`,
      id,
    );
  }
  const relations = new Map<string, Plan>();
  const withs = options.with;
  if (withs === undefined) return { binding, relations };
  if (typeof withs !== 'object' || withs === null)
    refuse('PF_INPUT_INVALID', `relational read of ${at}: with must be an object`, id);
  const config = schema[tsName];
  for (const [key, value] of Object.entries(withs as Record<string, unknown>)) {
    if (value === undefined || value === false) continue;
    const relation = config !== undefined && Object.hasOwn(config.relations, key) ? config.relations[key] : undefined;
    if (relation === undefined) refuse('PF_INPUT_INVALID', `relational read of ${at}: table has no relation "${key}"`, id);
    const related = relation.referencedTable as PgTable;
    const relatedName = Object.keys(schema).find((name) => fullSchema[name] === related);
    if (relatedName === undefined) {
      refuse('PF_BINDING_INVALID', `relation "${key}" of ${at}: its table is not in the database's schema`, id);
    }
    const relatedBinding = lookup(related); // PF_BINDING_INVALID for a related table no binding names
    if (value !== true && (typeof value !== 'object' || value === null)) {
      refuse('PF_INPUT_INVALID', `relational read of ${at}: with.${key} must be true or an object`, id);
    }
    const nested = value === true ? {} : (value as Record<string, unknown>);
    const one = is(relation, One);
    relations.set(
      key,
      plan(schema, fullSchema, lookup, relatedBinding, relatedName, nested, one ? ONE_KEYS : MANY_KEYS, `${at}.${key}`),
    );
  }
  return { binding, relations };
}

/** Every binding a plan reads, once. */
function bindingsOf(level: Plan, into: Set<BindingCore> = new Set()): Set<BindingCore> {
  into.add(level.binding);
  for (const nested of level.relations.values()) bindingsOf(nested, into);
  return into;
}

/** Opens one row with its binding, after opening the related rows it carries with theirs. */
async function openRow(pf: Engine, level: Plan, row: Record<string, unknown>, ctx: PurposeContext): Promise<unknown> {
  const related: Record<string, unknown> = {};
  for (const [key, nested] of level.relations) {
    const value = row[key];
    delete row[key]; // never handed to the row's own schema
    if (value === null || value === undefined) related[key] = null;
    else if (Array.isArray(value)) {
      const rows: unknown[] = [];
      for (const item of value) rows.push(await openRow(pf, nested, item as Record<string, unknown>, ctx));
      related[key] = rows;
    } else related[key] = await openRow(pf, nested, value as Record<string, unknown>, ctx);
  }
  const opened = (await pf.open(level.binding.schema, absentNulls(level.binding, row), ctx)) as Record<string, unknown>;
  return Object.assign(opened, related);
}

/**
 * A relational read of `table` for `ctx`: checks the options and every relation's binding, authorizes each schema
 * the read touches (a refusal runs no SQL), runs Drizzle's relational query, then opens each row and each related
 * row with its own binding.
 */
export async function relationalRead(
  db: unknown,
  pf: Engine,
  lookup: (table: PgTable) => BindingCore,
  ctx: PurposeContext,
  table: PgTable,
  options: RelationalReadOptions,
  mode: 'many' | 'first',
): Promise<unknown> {
  const root = lookup(table);
  const { schema, fullSchema } = (db as RelationalDb)._;
  if (schema === undefined) {
    refuse(
      'PF_BINDING_INVALID',
      'a read with "with" needs the database made with its schema and relations: drizzle({ client, schema })',
      root.schema.id,
    );
  }
  const tsName = Object.keys(schema).find((name) => fullSchema[name] === table);
  if (tsName === undefined) {
    refuse('PF_BINDING_INVALID', `table "${getTableName(table)}" is not in the database's schema`, root.schema.id);
  }
  const at = `table "${getTableName(table)}"`;
  const read = plan(schema, fullSchema, lookup, root, tsName, options as unknown as Record<string, unknown>, ROOT_KEYS, at);
  // consent, roles, second factor, objections and blockings of every schema read: before the query runs
  for (const binding of bindingsOf(read)) await pf.authorize(binding.schema, ctx);
  const builder = (db as RelationalDb).query as Record<string, { findMany(config: unknown): Promise<unknown[]> }>;
  const config = mode === 'first' ? { ...options, limit: 1 } : options;
  const rows = (await builder[tsName]?.findMany(config)) ?? [];
  const opened: unknown[] = [];
  for (const row of rows) opened.push(await openRow(pf, read, row as Record<string, unknown>, ctx));
  return mode === 'first' ? opened[0] : opened;
}
