/**
 * `purposeful/prisma`: purpose-bound personal data in Prisma 7 models (the
 * `prisma-client` generator, PostgreSQL through `@prisma/adapter-pg`). A schema
 * is bound to its model with {@link bindModel}, and {@link purposefulPrisma}
 * gives a client extension scoped to one purpose context that checks and seals
 * what is written, compares encrypted fields through their blind indexes and
 * opens what is read, relations included. {@link prismaRightsSource},
 * {@link prismaRetentionSource} and {@link prismaSources} give `pf.rights`
 * and `pf.retention` their sources over bound models.
 *
 * @module purposeful/prisma
 */
import { type Outbound, type PurposeContext, type Purposeful, PurposefulError, type PurposefulSchema } from 'purposeful';
import type * as walk from './orm/migrate.js';
import type * as sources from './orm/sources.js';
import { bindingInvalid, compileModel, type DataModel, dataModelOf, type ModelCore, problemsOf } from './prisma/model.js';
import { rewriteWhere } from './prisma/query.js';
import { hookFor, noTransaction, type Runner, type Scope } from './prisma/scoped.js';

type Args = Record<string, unknown>;

export * from './prisma/migrate.js';
export * from './prisma/sources.js';

// The walk's and the sources' shared types, declared again for this entry (the same types as purposeful/drizzle's).

/**
 * The options every walk over a model takes ({@link encryptModel}, {@link rotateModel}): batch size, cursor,
 * dry run, limit and abort signal; the same as `purposeful/drizzle`'s.
 *
 * @example
 * ```ts
 * const walk: WalkOptions = { batchSize: 500, cursor: saved, signal: AbortSignal.timeout(60_000) };
 * ```
 * @category Prisma
 */
export type WalkOptions = walk.WalkOptions;

/**
 * Where {@link encryptModel} is after a batch: rows visited, sealed and skipped, and the cursor to resume after.
 *
 * @example
 * ```ts
 * const onProgress = async (p: EncryptProgress) => { await saveCursor(p.cursor); };
 * ```
 * @category Prisma
 */
export type EncryptProgress = walk.EncryptProgress;

/**
 * What {@link encryptModel} did: its last progress, whether the walk reached the end, whether it was a dry run.
 *
 * @example
 * ```ts
 * const summary: EncryptSummary = await encryptModel(prisma, pf, members, { ctx });
 * ```
 * @category Prisma
 */
export type EncryptSummary = walk.EncryptSummary;

/**
 * Where {@link rotateModel} is after a batch: rows re-encrypted, re-indexed, erased or restricted, and the cursor.
 *
 * @example
 * ```ts
 * const onProgress = (p: RotateWalkProgress) => console.log(`${p.done} rows, ${p.indexed} re-indexed`);
 * ```
 * @category Prisma
 */
export type RotateWalkProgress = walk.RotateWalkProgress;

/**
 * What {@link rotateModel} did.
 *
 * @example
 * ```ts
 * const summary: RotateWalkSummary = await rotateModel(prisma, pf, members, { ctx });
 * ```
 * @category Prisma
 */
export type RotateWalkSummary = walk.RotateWalkSummary;

/**
 * When a row's retention starts, for {@link prismaRetentionSource}: per event, the field that holds its date, or a
 * function of the row.
 *
 * @example
 * ```ts
 * const startOf: RetentionStart = { collection: 'createdAt' };
 * ```
 * @category Prisma
 */
export type RetentionStart = sources.RetentionStart;

const BINDING = Symbol.for('purposeful.binding');

/**
 * What every binding carries under `Symbol.for('purposeful.binding')` (shared
 * with `purposeful/drizzle` and the CLI's `check`).
 *
 * @example
 * ```ts
 * const marker = (customers as unknown as Record<symbol, BindingMarker>)[Symbol.for('purposeful.binding')];
 * marker.target;     // 'model Customer'
 * marker.problems(); // [] when the binding fits the client it was checked against
 * ```
 * @category Prisma
 */
export interface BindingMarker {
  readonly schema: PurposefulSchema;
  readonly target: string;
  problems(): readonly string[];
}

/**
 * A schema bound to a Prisma model by name, made by {@link bindModel}.
 *
 * @example
 * ```ts
 * const customers: ModelBinding<typeof Customer, 'Customer'> = bindModel(Customer, 'Customer');
 * ```
 * @category Prisma
 */
export interface ModelBinding<S extends PurposefulSchema = PurposefulSchema, M extends string = string> {
  readonly schema: S;
  /** The model's name in the Prisma schema (`model Customer { … }`), as `prisma.customer`'s `$name` is. */
  readonly model: M;
}

/** The data model a binding was last checked against. */
const checkedAgainst = new WeakMap<ModelBinding, DataModel>();

function dataModelOrThrow(client: unknown): DataModel {
  return dataModelOf(client);
}

/**
 * Binds a schema to the Prisma model its records are stored in. The fit is
 * checked against the generated client's data model (`PF_BINDING_INVALID`,
 * every problem with its field path in the message and in
 * `details.problems`):
 *
 * - each top-level field declared `encrypt: true` needs a `String` field of
 *   the same name (it holds the envelope); an encrypted field nested in an
 *   object or array lives in the `Json` field of its top-level key;
 * - each blind index `name` needs a `bidx_<name>` `String` field;
 * - the subject field and the record id need a field.
 *
 * With a client given, the check runs at once; without one, when the binding
 * is given to {@link purposefulPrisma}. The binding's marker
 * (`Symbol.for('purposeful.binding')`) answers `problems()` against the last
 * client it was checked with (a single problem saying so before any).
 *
 * @param schema - The schema.
 * @param model - The model's name in the Prisma schema (`Customer`), not the table's.
 * @param client - Optional: a generated `PrismaClient` to check against now.
 * @example
 * ```ts
 * const customers = bindModel(Customer, 'Customer');
 * const tickets = bindModel(Ticket, 'Ticket', prisma); // checked now
 * ```
 * @category Prisma
 */
export function bindModel<S extends PurposefulSchema, M extends string>(
  schema: S,
  model: M,
  client?: unknown,
): ModelBinding<S, M> {
  const binding: ModelBinding<S, M> = { schema, model };
  const marker: BindingMarker = {
    schema,
    target: `model ${model}`,
    problems() {
      const dataModel = checkedAgainst.get(binding);
      if (dataModel === undefined) {
        return [`model ${model} has not been checked against a Prisma client: give the binding to purposefulPrisma`];
      }
      return problemsOf(schema, model, dataModel.get(model));
    },
  };
  Object.defineProperty(binding, BINDING, { value: Object.freeze(marker), enumerable: false });
  Object.freeze(binding);
  if (client !== undefined) check(binding, dataModelOrThrow(client));
  return binding;
}

/** Checks a binding against a data model: `PF_BINDING_INVALID` with every problem, else its compiled lookups. */
function check(binding: ModelBinding, dataModel: DataModel): ModelCore {
  checkedAgainst.set(binding, dataModel);
  const problems = problemsOf(binding.schema, binding.model, dataModel.get(binding.model));
  if (problems.length > 0) throw bindingInvalid(binding.schema, `model ${binding.model}`, problems);
  return compileModel(binding.schema, dataModel.get(binding.model) as NonNullable<ReturnType<DataModel['get']>>);
}

/**
 * A row of binding `B` as purpose `Q` reads it: `Outbound<S, Q>`. Prisma's
 * result types come from the generated client and are not narrowed by the
 * purpose; cast a result with this type (or {@link PurposefulPrisma.opened})
 * to read it as the purpose sees it.
 *
 * @example
 * ```ts
 * const row = (await support.customer.findFirst({ where: { email } })) as OpenedRow<typeof customers, 'support.ticket'> | null;
 * ```
 * @category Prisma
 */
export type OpenedRow<B extends ModelBinding, Q extends string> = B extends ModelBinding<infer S> ? Outbound<S, Q> : never;

/**
 * Options of {@link purposefulPrisma}.
 *
 * @example
 * ```ts
 * const options: PrismaOptions = { bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket')] };
 * ```
 * @category Prisma
 */
export interface PrismaOptions {
  /** The models the scoped client reads and writes, each bound to its schema. */
  readonly bindings: readonly ModelBinding[];
}

/**
 * The integration object from {@link purposefulPrisma}.
 *
 * @example
 * ```ts
 * const support = data.forPurpose({ purpose: 'support.ticket', actor, subjectId });
 * await support.customer.create({ data: { name: 'Ana', email: 'ana@example.com', tickets: { create: [{ subject, body }] } } });
 * const found = await support.customer.findMany({ where: { email: { in: [a, b] } }, include: { tickets: true } });
 * ```
 * @category Prisma
 */
export interface PurposefulPrisma<C, P extends string> {
  /**
   * The client extended for `ctx`'s purpose (`client.$extends(…)`): the same
   * API, every model call checked, sealed, rewritten and opened. Bound models
   * only: a model no binding names is `PF_BINDING_INVALID` before any SQL.
   */
  forPurpose<Q extends P>(ctx: PurposeContext<Q>): C;
  /** A result read through the scoped client, typed as purpose `Q` sees it (a cast: Prisma's types are not narrowed). */
  opened<B extends ModelBinding, Q extends P>(binding: B, ctx: PurposeContext<Q>, row: unknown): OpenedRow<B, Q>;
  /** A `where` of `model` as the scoped client would send it (blind indexes in place of encrypted values), for tests and logs. */
  where(model: string, where: Record<string, unknown>): Record<string, unknown>;
}

/**
 * What {@link purposefulPrisma} takes: a `PrismaClient` generated by Prisma 7
 * (the `prisma-client` generator), or an extended one.
 *
 * @example
 * ```ts
 * const client: PrismaClientLike = new PrismaClient({ adapter });
 * ```
 * @category Prisma
 */
export interface PrismaClientLike {
  $extends(extension: never): unknown;
}

/**
 * Purposeful over a Prisma 7 client: the user never calls `seal` or `open`.
 * The bindings are checked against the client's data model here
 * (`PF_BINDING_INVALID`). `forPurpose(ctx)` returns the client extended with
 * one query extension for that purpose context. Raw SQL (`$queryRaw`,
 * `$executeRaw`) and the base client are a bypass: not checked, opened or
 * logged.
 *
 * @example
 * ```ts
 * import { PrismaPg } from '@prisma/adapter-pg';
 * import { PrismaClient } from './generated/prisma/client.js';
 *
 * const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }) });
 * const data = purposefulPrisma(prisma, pf, { bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket')] });
 * const support = data.forPurpose({ purpose: 'support.ticket', actor });
 * const rows = await support.customer.findMany({ where: { email: 'ana@example.com' }, include: { tickets: true } });
 * ```
 * @category Prisma
 */
export function purposefulPrisma<C extends PrismaClientLike, P extends string>(
  client: C,
  pf: Purposeful<P>,
  options: PrismaOptions,
): PurposefulPrisma<C, P> {
  const dataModel = dataModelOrThrow(client);
  const byModel = new Map<string, ModelCore>();
  for (const binding of options.bindings) {
    if (byModel.has(binding.model)) {
      throw bindingInvalid(binding.schema, `model ${binding.model}`, [`model ${binding.model} is bound twice`]);
    }
    byModel.set(binding.model, check(binding, dataModel));
  }
  const base = client as unknown as Record<string, unknown> & {
    $transaction?: (fn: (tx: unknown) => Promise<unknown>) => Promise<unknown>;
  };
  const delegateOf = (on: unknown, model: string) =>
    (on as Record<string, Record<string, (args: unknown) => unknown> | undefined>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ];
  /** One query of `make` on `on` (the base client or its transaction), or in the caller's interactive transaction `itx`. */
  const runner =
    (on: unknown, itx: unknown): Runner =>
    async (model, method, args) => {
      const delegate = delegateOf(on, model);
      const promise = delegate?.[method]?.(args) as { requestTransaction?: (tx: unknown) => Promise<unknown> } | undefined;
      if (promise === undefined)
        throw new PurposefulError('PF_INPUT_INVALID', `${model}.${method} is not available on this client`);
      if (itx === undefined) return promise;
      if (typeof promise.requestTransaction !== 'function') throw noTransaction(model);
      return promise.requestTransaction(itx);
    };
  const scope: Scope = {
    pf: pf as Purposeful<never>,
    info: (model) => dataModel.get(model),
    core: (model) => byModel.get(model),
    need(model) {
      const core = byModel.get(model);
      if (core === undefined) {
        throw bindingInvalid(undefined, `model ${model}`, [
          `model ${model} is not bound: add bindModel(schema, '${model}') to purposefulPrisma's bindings (or use the base client for a model without personal data)`,
        ]);
      }
      return core;
    },
    async readSubject(model, where, field, itx) {
      const row = (await runner(base, itx)(model, 'findFirst', { where, select: { [field]: true } })) as Args | null;
      return row?.[field];
    },
    async transact(itx, model, fn) {
      if (itx !== undefined) return fn(runner(base, itx));
      if (typeof base.$transaction !== 'function') throw noTransaction(model);
      return base.$transaction(async (tx) => fn(runner(tx, undefined))) as never;
    },
  };
  return {
    forPurpose(ctx) {
      if (ctx === undefined || ctx === null || typeof ctx.purpose !== 'string') {
        throw new PurposefulError('PF_CONTEXT_INVALID', 'forPurpose(ctx) needs a purpose context { purpose, actor }');
      }
      const extension = { name: 'purposeful', query: { $allModels: { $allOperations: hookFor(scope, ctx) } } };
      return client.$extends(extension as never) as C;
    },
    opened: (_binding, _ctx, row) => row as never,
    where: (model, where) => rewriteWhere(scope, model, where) as Record<string, unknown>,
  };
}
