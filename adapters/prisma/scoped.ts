/**
 * The purpose-scoped Prisma client: one query extension (`$allOperations`)
 * that checks and seals what is written (nested writes included), rewrites
 * what is queried, authorizes before the query runs, and opens what comes
 * back (included and selected relations included) for the purpose.
 *
 * @module
 * @internal
 */
import { looksEncrypted, type PurposeContext, type Purposeful, PurposefulError, parseEnvelope } from 'purposeful';
import { prismaCodeOf, valueFree } from './errors.js';
import { bindingInvalid, type ModelCore, topKey } from './model.js';
import { checkAggregates, type Lookup, planRead, type ReadPlan, rewriteWhere } from './query.js';

// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;
type Args = Record<string, unknown>;

const isObject = (v: unknown): v is Args => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** One query on the client or the transaction a write runs in: `run('Customer', 'findMany', args)`. */
export type Runner = (model: string, method: string, args: Args) => Promise<unknown>;

/** What the extension needs: bindings, the data model, and the base client for the reads and writes a write makes. */
export interface Scope extends Lookup {
  readonly pf: Engine;
  /** The binding of `model` or `PF_BINDING_INVALID` (the scoped client reads and writes bound models only). */
  need(model: string): ModelCore;
  /** Reads one row's field through the base client (an update's subject), in the caller's interactive transaction `itx` if given. */
  readSubject(model: string, where: Args, field: string, itx: unknown): Promise<unknown>;
  /** Runs `fn` in the caller's interactive transaction `itx`, or else in a new interactive transaction of the base client. */
  transact<T>(itx: unknown, model: string, fn: (run: Runner) => Promise<T>): Promise<T>;
}

/** The transaction a model call runs in, as Prisma tells the query extension (`__internalParams.transaction`). */
type Caller = { readonly kind: 'none' } | { readonly kind: 'itx'; readonly tx: unknown } | { readonly kind: 'other' };

function callerOf(internal: unknown): Caller {
  if (!isObject(internal) || !('transaction' in internal)) return { kind: 'other' }; // not told: assume nothing
  const tx = internal.transaction;
  if (tx === undefined) return { kind: 'none' };
  if (isObject(tx) && tx.kind === 'itx' && typeof tx.id === 'string') return { kind: 'itx', tx };
  return { kind: 'other' }; // a batch $transaction([...])
}

/** `PF_INPUT_INVALID`: a write that must run its own reads and writes in one transaction cannot here. */
export function noTransaction(model: string): PurposefulError {
  return new PurposefulError(
    'PF_INPUT_INVALID',
    `${model}.updateMany changing encrypted fields reads the matching rows and updates each in one transaction: call it alone or inside an interactive $transaction(async (tx) => …), not in a batch $transaction([...])`,
  );
}

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany']);
const UNIQUE = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'upsert', 'delete']);

/** Prisma's codes for a record the operation needed and did not find (the record, a related or a connected one). */
const NOT_FOUND: ReadonlySet<string> = new Set(['P2015', 'P2018', 'P2025']);

/** The parameters Prisma gives a query extension's `$allOperations`. */
interface Operation {
  model?: string;
  operation: string;
  args: unknown;
  query: (args: unknown) => Promise<unknown>;
  __internalParams?: unknown;
}

/**
 * The `$allOperations` hook of one purpose context. A Prisma error on the way (its message quotes the query's
 * arguments and the database's detail) leaves as a value-free `PF_STORE_UNAVAILABLE` with its codes; a record an
 * `OrThrow` read, an update, a delete or a nested connect did not find (`P2025`, `P2018`, `P2015`) as `PF_NOT_FOUND`.
 */
export function hookFor(scope: Scope, ctx: PurposeContext): (op: Operation) => Promise<unknown> {
  const hook = checkedHook(scope, ctx);
  return async (op) => {
    try {
      return await hook(op);
    } catch (err) {
      const code = prismaCodeOf(err);
      if (code !== undefined && NOT_FOUND.has(code)) {
        throw new PurposefulError('PF_NOT_FOUND', `${op.model ?? 'the'}.${op.operation}: no record matched (Prisma ${code})`);
      }
      const target = op.model === undefined ? 'the database' : `model ${op.model}`;
      return valueFree(() => Promise.reject(err), target, { reading: READS.has(op.operation) });
    }
  };
}

function checkedHook(scope: Scope, ctx: PurposeContext) {
  return async ({ model, operation, args, query, __internalParams }: Operation): Promise<unknown> => {
    if (model === undefined) return query(args);
    const given = (isObject(args) ? args : {}) as Args;
    const core = scope.need(model);
    const touched = new Set<string>();
    if (READS.has(operation)) {
      const { args: rewritten, plan } = planRead(scope, model, given, touched, UNIQUE.has(operation));
      await authorizeAll(scope, touched, ctx); // consent, roles, second factor: before the query runs
      return openResult(scope, ctx, plan, await query(rewritten));
    }
    switch (operation) {
      case 'count':
      case 'aggregate':
      case 'groupBy': {
        checkAggregates(scope, model, given);
        const out: Args = { ...given };
        if ('where' in given) out.where = rewriteWhere(scope, model, given.where);
        if ('cursor' in given) out.cursor = rewriteWhere(scope, model, given.cursor, true);
        if ('orderBy' in given) planRead(scope, model, { orderBy: given.orderBy }, new Set());
        if (isObject(given.select)) checkAggregates(scope, model, given.select);
        await pfAuthorize(scope, core, ctx);
        return query(out);
      }
      case 'delete':
      case 'deleteMany': {
        const out: Args = { ...given };
        if ('where' in given) out.where = rewriteWhere(scope, model, given.where, operation === 'delete');
        if (operation === 'deleteMany') {
          await pfAuthorize(scope, core, ctx);
          return query(out);
        }
        const { args: rewritten, plan } = planRead(scope, model, out, touched, true);
        delete (rewritten as Args).where;
        await authorizeAll(scope, touched, ctx);
        return openResult(scope, ctx, plan, await query({ ...rewritten, where: out.where }));
      }
      case 'create':
      case 'createManyAndReturn':
      case 'createMany': {
        const data =
          operation === 'create'
            ? await createData(scope, ctx, model, given.data, {})
            : await Promise.all(asList(given.data).map((row) => createData(scope, ctx, model, row, {})));
        if (operation === 'createMany') return query({ ...given, data });
        return readBack(scope, ctx, model, { ...given, data }, touched, query, false);
      }
      case 'update':
      case 'updateMany':
      case 'updateManyAndReturn': {
        const caller = callerOf(__internalParams);
        if (operation !== 'update' && changesSealed(core, given.data)) {
          return updateManyPerRow(scope, ctx, model, given, operation, caller, touched);
        }
        const many = operation !== 'update';
        const where = rewriteWhere(scope, model, given.where, !many) as Args | undefined;
        const itx = caller.kind === 'itx' ? caller.tx : undefined;
        const update = await updateData(scope, ctx, model, given.data, given.where as Args | undefined, where, many, itx);
        const out = { ...given, data: update.data, where: update.where };
        if (operation === 'updateMany') return query(out);
        return readBack(scope, ctx, model, out, touched, query, operation === 'update');
      }
      case 'upsert': {
        const caller = callerOf(__internalParams);
        const itx = caller.kind === 'itx' ? caller.tx : undefined;
        const where = rewriteWhere(scope, model, given.where, true) as Args;
        const create = await createData(scope, ctx, model, given.create, {}, uniqueValues(scope.need(model), given.where));
        const update = await updateData(scope, ctx, model, given.update, given.where as Args, where, false, itx);
        return readBack(scope, ctx, model, { ...given, where: update.where, create, update: update.data }, touched, query, true);
      }
      default:
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `${model}.${operation} is not supported by the purpose-scoped client: use the base client for it (a bypass)`,
          { schema: core.schema.id },
        );
    }
  };
}

/** Runs a write that returns rows and opens them as a read would (included relations authorized first). */
async function readBack(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  args: Args,
  touched: Set<string>,
  query: (args: unknown) => Promise<unknown>,
  unique: boolean,
): Promise<unknown> {
  const { where, data, create, update, ...rest } = args;
  const { args: read, plan } = planRead(scope, model, rest, touched, unique);
  touched.delete(model); // the written row itself opens after the write; what it includes is a read, authorized first
  await authorizeAll(scope, touched, ctx);
  const out: Args = { ...read };
  if (where !== undefined) out.where = where;
  if (data !== undefined) out.data = data;
  if (create !== undefined) out.create = create;
  if (update !== undefined) out.update = update;
  return openResult(scope, ctx, plan, await query(out));
}

async function pfAuthorize(scope: Scope, core: ModelCore, ctx: PurposeContext): Promise<void> {
  await scope.pf.authorize(core.schema, ctx);
}

/** `authorize` for the schema of every model a read loads (each once), before any SQL; unbound → PF_BINDING_INVALID. */
async function authorizeAll(scope: Scope, models: ReadonlySet<string>, ctx: PurposeContext): Promise<void> {
  const cores = [...models].map((m) => scope.need(m));
  const schemas = new Set(cores.map((c) => c.schema));
  for (const schema of schemas) await scope.pf.authorize(schema, ctx);
}

/** A row as Prisma returned it, split into its own fields and its loaded relations. */
function split(plan: ReadPlan, row: Args): { own: Args; related: Args } {
  const own: Args = {};
  const related: Args = {};
  for (const [k, v] of Object.entries(row)) {
    if (plan.relations.has(k) || k === '_count') related[k] = v;
    else own[k] = v;
  }
  return { own, related };
}

/** Opens a result (a row, rows, or null) with the plan of its read: each row with its model's schema, recursively. */
export async function openResult(scope: Scope, ctx: PurposeContext, plan: ReadPlan, result: unknown): Promise<unknown> {
  if (result === null || result === undefined) return result;
  if (Array.isArray(result)) return openRows(scope, ctx, plan, result as Args[]);
  if (!isObject(result)) return result;
  return (await openRows(scope, ctx, plan, [result]))[0];
}

async function openRows(scope: Scope, ctx: PurposeContext, plan: ReadPlan, rows: readonly Args[]): Promise<Args[]> {
  if (rows.length === 0) return [];
  const core = scope.need(plan.model);
  const parts = rows.map((row) => split(plan, row));
  for (const { own } of parts) for (const key of core.nullMeansAbsent) if (own[key] === null) delete own[key];
  const opened = (await scope.pf.openMany(
    core.schema,
    parts.map((p) => p.own),
    ctx,
  )) as Args[];
  for (const [key, sub] of plan.relations) {
    // every parent's related rows opened in one batch, then put back in place
    const children: Args[] = [];
    for (const { related } of parts) for (const child of asList(related[key])) if (isObject(child)) children.push(child);
    const openedChildren = await openRows(scope, ctx, sub, children);
    let at = 0;
    parts.forEach(({ related }) => {
      const value = related[key];
      if (Array.isArray(value)) related[key] = value.map(() => openedChildren[at++]);
      else if (isObject(value)) related[key] = openedChildren[at++];
    });
  }
  return opened.map((row, i) => {
    const related = parts[i]?.related ?? {};
    // a row as open made it (nothing added for opening, no relation): itself, which a route passes on as opened
    if (plan.added.length === 0 && Object.keys(related).length === 0) return row;
    for (const key of plan.added) delete row[key];
    return { ...row, ...related };
  });
}

/** The record id and subject a unique where names, for the create beside it (the row it makes is the row it looked for). */
function uniqueValues(core: ModelCore, where: unknown): Args {
  const out: Args = {};
  if (!isObject(where)) return out;
  for (const [k, v] of Object.entries(where)) {
    if ((typeof v === 'string' || typeof v === 'number') && core.needed.includes(k) && k !== 'pf_restriction') out[k] = v;
  }
  return out;
}

/** `PF_INPUT_INVALID` / `PF_CIPHERTEXT_MALFORMED` for an envelope given as the value of an encrypted field. */
function refuseCiphertext(core: ModelCore, record: Args): void {
  for (const fields of core.encryptedUnder.values()) {
    for (const field of fields) {
      const values: unknown[] = [];
      collect(record, field.path.split(/\.|(?=\[)/), values);
      for (const v of values) {
        if (!looksEncrypted(v)) continue;
        parseEnvelope(v, field.path); // a value that only looks like one: PF_CIPHERTEXT_MALFORMED
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `${field.path}: the value is already encrypted; write plaintext through the scoped client (sealing twice would lose it)`,
          { schema: core.schema.id, paths: [field.path] },
        );
      }
    }
  }
}

/** The values at a field path (`a.b`, `list[].x`, `map{}.y`). */
function collect(value: unknown, segments: readonly string[], out: unknown[]): void {
  if (segments.length === 0) {
    out.push(value);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '[]' || /^\[\d+\]$/.test(head)) {
    if (Array.isArray(value)) for (const item of value) collect(item, rest, out);
    return;
  }
  if (!isObject(value)) return;
  if (head === '{}') {
    for (const v of Object.values(value)) collect(v, rest, out);
    return;
  }
  const key = head.replace(/\{\}$/, '');
  if (head.endsWith('{}')) {
    if (isObject(value[key])) for (const v of Object.values(value[key] as Args)) collect(v, rest, out);
    return;
  }
  collect(value[key], rest, out);
}

/** The model's relation fields given in `data`, apart from its scalars. */
function splitData(core: ModelCore, data: Args): { scalars: Args; relations: Args } {
  const scalars: Args = {};
  const relations: Args = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined) continue;
    if (core.model.relations.has(k)) relations[k] = v;
    else scalars[k] = v;
  }
  return { scalars, relations };
}

/** `PF_BINDING_INVALID` when a sealed row carries a key the model has no field for (it would not be written). */
function assertFields(core: ModelCore, row: Args): void {
  const missing = Object.keys(row).filter((k) => core.model.fields.get(k)?.kind !== 'scalar' && !core.model.fields.has(k));
  if (missing.length > 0) {
    throw bindingInvalid(core.schema, `model ${core.model.name}`, [`the sealed row has no field for ${missing.join(', ')}`]);
  }
}

/**
 * A create's data, checked (`inbound`) and sealed, its nested writes walked by model. `inject`: foreign-key values
 * the parent gives the row (its subject, for a ticket created under its customer), checked with it but not sent.
 */
async function createData(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  data: unknown,
  inject: Args,
  defaults: Args = {},
): Promise<Args> {
  const core = scope.need(model);
  if (!isObject(data)) {
    throw new PurposefulError('PF_INPUT_INVALID', `a ${model} record must be an object`, { schema: core.schema.id });
  }
  const { scalars, relations } = splitData(core, data);
  refuseCiphertext(core, scalars);
  const record: Args = { ...defaults, ...scalars };
  const hidden = new Set<string>(); // injected keys Prisma must not receive (a nested create sets them itself)
  for (const [k, v] of Object.entries(inject)) {
    if (!(k in record)) {
      record[k] = v;
      hidden.add(k);
    }
  }
  // an id purposeful may choose (@default(uuid())): the record id binds the envelopes, so it is known before the insert
  const recordId = core.schema.recordId;
  if (recordId !== undefined && record[recordId] === undefined && core.model.uuidDefaults.has(recordId)) {
    record[recordId] = globalThis.crypto.randomUUID();
  }
  // the relations whose foreign key this model holds: their rows first, to know the key
  const walked: Args = {};
  for (const [key, value] of Object.entries(relations)) {
    const relation = core.model.relations.get(key);
    if (relation?.fk?.here !== true || !isObject(value)) continue;
    const nested = await nestedWrites(scope, ctx, relation.model, value, {}, false);
    walked[key] = nested.data;
    relation.fk.fields.forEach((field, i) => {
      const v = nested.keys?.[relation.fk?.references[i] as string];
      if (v !== undefined && record[field] === undefined) {
        record[field] = v;
        hidden.add(field);
      }
    });
  }
  const checked = (await scope.pf.inbound(core.schema, record, ctx)) as Args;
  const sealed = await scope.pf.seal(core.schema, checked, ctx);
  for (const k of hidden) delete sealed[k];
  assertFields(core, sealed);
  // the relations whose foreign key the related rows hold: they get this row's key
  for (const [key, value] of Object.entries(relations)) {
    if (key in walked) continue;
    const relation = core.model.relations.get(key);
    if (relation === undefined) continue;
    const keys = keysFor(core, key, checked);
    walked[key] = isObject(value)
      ? (await nestedWrites(scope, ctx, relation.model, value, keys, true, childKeysOf(relation))).data
      : value;
  }
  return { ...sealed, ...walked };
}

/**
 * The nested writes of one relation field (`create`, `createMany`, `connectOrCreate`, `connect`, `set`, `upsert`,
 * `update`, `updateMany`, `delete`, `deleteMany`, `disconnect`), for the related `model`. `inject`: the parent's key
 * for rows the relation creates; `many`: a to-many relation. Returns the data to send and, for a to-one relation
 * this model holds the key of, the related row's key values.
 */
async function nestedWrites(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  ops: Args,
  inject: Args,
  _many: boolean,
  childKeys: readonly string[] = [],
): Promise<{ data: Args; keys?: Args }> {
  const out: Args = {};
  let keys: Args | undefined;
  const pin = adoption(scope, model, ops, inject, childKeys);
  const createOne = async (row: unknown) => {
    const data = await createData(scope, ctx, model, row, inject);
    keys ??= { ...(isObject(row) ? row : {}), ...data };
    return data;
  };
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case 'create':
        out.create = Array.isArray(value) ? await Promise.all(value.map(createOne)) : await createOne(value);
        break;
      case 'createMany': {
        const given = isObject(value) ? value : {};
        const rows = await Promise.all(asList(given.data).map(createOne));
        out.createMany = { ...given, data: rows };
        break;
      }
      case 'connectOrCreate': {
        const one = async (item: unknown) => {
          const { where, create } = (isObject(item) ? item : {}) as Args;
          const unique = uniqueValues(scope.need(model), where);
          const data = await createData(scope, ctx, model, create, inject, unique);
          keys ??= { ...unique, ...data };
          return { where: pin(rewriteWhere(scope, model, where, true)), create: data };
        };
        out.connectOrCreate = Array.isArray(value) ? await Promise.all(value.map(one)) : await one(value);
        break;
      }
      case 'connect':
      case 'set':
      case 'disconnect':
      case 'delete': {
        const one = (w: unknown) => (isObject(w) ? (op === 'connect' ? pin : same)(rewriteWhere(scope, model, w, true)) : w);
        if (op === 'connect' && isObject(value)) keys ??= uniqueValues(scope.need(model), value);
        out[op] = Array.isArray(value) ? value.map(one) : one(value);
        break;
      }
      case 'deleteMany':
        out.deleteMany = Array.isArray(value)
          ? value.map((w) => rewriteWhere(scope, model, w))
          : rewriteWhere(scope, model, value);
        break;
      case 'update':
      case 'updateMany':
      case 'upsert': {
        const one = async (item: unknown) => nestedUpdate(scope, ctx, model, op, item, inject);
        out[op] = Array.isArray(value) ? await Promise.all(value.map(one)) : await one(value);
        break;
      }
      default:
        throw new PurposefulError('PF_INPUT_INVALID', `nested write "${op}" on ${model} is not supported by the scoped client`, {
          schema: scope.need(model).schema.id,
        });
    }
  }
  return keys === undefined ? { data: out } : { data: out, keys };
}

const same = (where: unknown): unknown => where;

/**
 * What keeps a parent-side nested write from moving existing rows of `model` to another subject or record id, when
 * the foreign key the related rows hold (`childKeys`) is their subject or record id and they hold encrypted fields
 * (sealed under the old ones): `set` and `disconnect` are refused; `connect` and the connect of `connectOrCreate`
 * find a row only when it already belongs to the parent (its key pinned in the where: a no-op), else fail closed.
 */
function adoption(
  scope: Scope,
  model: string,
  ops: Args,
  inject: Args,
  childKeys: readonly string[],
): (where: unknown) => unknown {
  const related = scope.core(model);
  const keyed = related === undefined ? [] : rowKeyNames(related).filter((k) => childKeys.includes(k));
  if (keyed.length === 0) return same;
  const refuse = (op: string) =>
    new PurposefulError(
      'PF_INPUT_INVALID',
      `a nested ${op} of ${model} would move existing rows to another ${keyed.join(', ')}: their envelopes are sealed under the ones they have; create new rows instead`,
      { schema: related?.schema.id, paths: keyed },
    );
  for (const op of ['set', 'disconnect']) if (ops[op] !== undefined) throw refuse(op);
  const pinned = keyed.filter((k) => inject[k] !== undefined);
  if (pinned.length < keyed.length) {
    for (const op of ['connect', 'connectOrCreate']) if (ops[op] !== undefined) throw refuse(op);
    return same;
  }
  return (where) => (isObject(where) ? { ...where, ...Object.fromEntries(pinned.map((k) => [k, inject[k]])) } : where);
}

/** A nested update / updateMany / upsert: plain fields only (encrypted ones are updated through their own model). */
async function nestedUpdate(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  op: string,
  item: unknown,
  inject: Args,
): Promise<unknown> {
  const core = scope.need(model);
  const given = isObject(item) ? item : {};
  const refuse = () =>
    new PurposefulError(
      'PF_INPUT_INVALID',
      `a nested ${op} of ${model} cannot change its encrypted fields (each is sealed under its row's subject and record id): update them through ${model} itself with a where by its id`,
      { schema: core.schema.id },
    );
  if (op === 'upsert') {
    const data = await createData(scope, ctx, model, given.create, inject, uniqueValues(core, given.where));
    const update = await plainUpdate(scope, ctx, core, given.update, refuse);
    return { ...given, ...(given.where ? { where: rewriteWhere(scope, model, given.where, true) } : {}), create: data, update };
  }
  // to-one `update: data` or `update: { where?, data }`; to-many `update: { where, data }`
  const wrapped = 'data' in given && isObject(given.data);
  const data = await plainUpdate(scope, ctx, core, wrapped ? given.data : given, refuse);
  if (!wrapped) return data;
  return { ...given, ...(given.where ? { where: rewriteWhere(scope, model, given.where, op === 'update') } : {}), data };
}

/** Update data that changes no encrypted or indexed field, checked as a partial inbound. */
async function plainUpdate(
  scope: Scope,
  ctx: PurposeContext,
  core: ModelCore,
  data: unknown,
  refuse: () => PurposefulError,
): Promise<Args> {
  const { scalars, relations } = splitData(core, isObject(data) ? data : {});
  const values = unwrapSet(scalars);
  refuseKeyChange(core, { ...values.plain, ...values.operators }, relations, {}, 'nested update');
  // an operator (`push`, `unset`, `increment`, …) on an encrypted or indexed field would write it unsealed
  const touched = [...Object.keys(values.plain), ...Object.keys(values.operators)];
  if (touched.some((k) => core.encryptedUnder.has(k) || indexed(core, k))) throw refuse();
  const checked = await checkPartial(scope, ctx, core, values.plain);
  const walked: Args = {};
  for (const [key, value] of Object.entries(relations)) {
    const relation = core.model.relations.get(key);
    walked[key] =
      relation && isObject(value)
        ? (await nestedWrites(scope, ctx, relation.model, value, {}, true, childKeysOf(relation))).data
        : value;
  }
  return { ...checked, ...values.operators, ...walked };
}

/** The key values a row gives the rows a relation creates under it (`customerId` ← the customer's `id`). */
/** The foreign-key fields the related rows hold (a to-many relation, or a to-one the other side holds). */
function childKeysOf(relation: { readonly fk?: { readonly here: boolean; readonly fields: readonly string[] } }) {
  return relation.fk?.here === false ? relation.fk.fields : [];
}

function keysFor(core: ModelCore, key: string, source: Args): Args {
  const relation = core.model.relations.get(key);
  const keys: Args = {};
  if (relation?.fk?.here !== false) return keys;
  relation.fk.fields.forEach((field, i) => {
    const v = source[relation.fk?.references[i] as string];
    if (typeof v === 'string' || typeof v === 'number') keys[field] = v;
  });
  return keys;
}

const indexed = (core: ModelCore, key: string) => core.indexes.some((ix) => ix.keys.includes(key));

/** Scalar update values: `{ set: v }` unwrapped; atomic operators (`increment`, …) kept apart. */
function unwrapSet(scalars: Args): { plain: Args; operators: Args } {
  const plain: Args = {};
  const operators: Args = {};
  for (const [k, v] of Object.entries(scalars)) {
    if (isObject(v) && Object.keys(v).length === 1 && 'set' in v) plain[k] = v.set;
    else if (isObject(v) && ['increment', 'decrement', 'multiply', 'divide', 'push', 'unset'].some((op) => op in v)) {
      operators[k] = v;
    } else plain[k] = v;
  }
  return { plain, operators };
}

async function checkPartial(scope: Scope, ctx: PurposeContext, core: ModelCore, plain: Args): Promise<Args> {
  if (Object.keys(plain).length === 0) return {};
  refuseCiphertext(core, plain);
  return (await scope.pf.inbound(core.schema, plain, ctx, { partial: true })) as Args;
}

/** The top-level keys of the subject and the record id, when the schema has encrypted fields (their envelopes are bound to them). */
function rowKeyNames(core: ModelCore): string[] {
  if (core.encryptedUnder.size === 0) return [];
  const keys = [core.schema.recordId, core.schema.subject?.id].filter((k): k is string => k !== undefined).map(topKey);
  return [...new Set(keys)];
}

/**
 * `PF_INPUT_INVALID` when an update moves a row to another subject or record id (directly, or by connecting the
 * relation that holds the subject): the envelopes of the fields it does not change stay sealed under the old ones.
 * `same`: the values the where pins (an update may repeat them).
 */
function refuseKeyChange(core: ModelCore, scalars: Args, relations: Args, same: Args, what: string): void {
  const keys = rowKeyNames(core);
  const moved = keys.filter((k) => k in scalars && !(k in same && scalars[k] === same[k]));
  for (const [key, ops] of Object.entries(relations)) {
    const fk = core.model.relations.get(key)?.fk;
    const relinks = isObject(ops) && Object.keys(ops).some((op) => RELINK.has(op));
    if (relinks && fk?.here === true && fk.fields.some((f) => keys.includes(f))) moved.push(key);
  }
  if (moved.length === 0) return;
  throw new PurposefulError(
    'PF_INPUT_INVALID',
    `${core.model.name}.${what} cannot change ${moved.join(', ')}: the row's envelopes are sealed under its subject and record id; create a new row instead`,
    { schema: core.schema.id, paths: moved },
  );
}

/** Nested writes on a to-one relation that set the foreign key this model holds. */
const RELINK: ReadonlySet<string> = new Set(['create', 'connect', 'connectOrCreate', 'disconnect', 'upsert', 'delete']);

/** True when an update's data sets an encrypted or indexed field. */
function changesSealed(core: ModelCore, data: unknown): boolean {
  const { scalars } = splitData(core, isObject(data) ? data : {});
  return Object.keys(scalars).some((k) => core.encryptedUnder.has(k) || indexed(core, k));
}

/** An update's data checked: operators on sealed fields refused, `null` clears checked as declared, the rest a partial inbound. */
async function prepareUpdate(
  scope: Scope,
  ctx: PurposeContext,
  core: ModelCore,
  data: unknown,
): Promise<{ checked: Args; changed: Args; operators: Args; relations: Args; touched: string[] }> {
  const { scalars, relations } = splitData(core, isObject(data) ? data : {});
  const { plain, operators } = unwrapSet(scalars);
  for (const k of Object.keys(operators)) {
    if (core.encryptedUnder.has(k) || indexed(core, k)) {
      throw new PurposefulError('PF_INPUT_INVALID', `${k}: an encrypted or indexed field is set with a value, not an operator`, {
        schema: core.schema.id,
        paths: [k],
      });
    }
  }
  // null clears a field declared optional (SQL has one NULL for absent): checked as declared for the purpose, not by zod
  const cleared = Object.keys(plain).filter((k) => plain[k] === null && core.nullMeansAbsent.includes(k));
  const undeclared = cleared.filter((k) => !core.schema.fields.some((f) => f.path === k && f.access.has(ctx.purpose)));
  if (undeclared.length > 0) {
    throw new PurposefulError(
      'PF_UNDECLARED_FIELD',
      `fields not declared for purpose "${ctx.purpose}": ${undeclared.join(', ')}`,
      {
        schema: core.schema.id,
        purpose: ctx.purpose,
        paths: undeclared,
      },
    );
  }
  for (const k of cleared) delete plain[k];
  const checked = await checkPartial(scope, ctx, core, plain);
  const changed: Args = { ...checked };
  for (const k of cleared) changed[k] = null;
  const touched = Object.keys(changed).filter((k) => core.encryptedUnder.has(k) || indexed(core, k));
  const partial = core.indexes.find((ix) => ix.keys.some((k) => touched.includes(k)) && !ix.keys.every((k) => k in changed));
  if (partial !== undefined) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `blind index "${partial.name}" combines ${partial.keys.join(', ')}: an update changing one of them gives them all`,
      { schema: core.schema.id, paths: partial.keys },
    );
  }
  return { checked, changed, operators, relations, touched };
}

/** The changed fields sealed under one row's subject and record id (`keys`), with every blind index they feed. */
async function sealChanges(scope: Scope, ctx: PurposeContext, core: ModelCore, keys: Args, checked: Args, changed: Args) {
  const sealed = await scope.pf.seal(core.schema, { ...keys, ...checked }, ctx);
  const out: Args = {};
  for (const k of Object.keys(changed)) out[k] = k in sealed ? sealed[k] : null;
  for (const ix of core.indexes) {
    if (ix.keys.every((k) => k in changed)) out[`bidx_${ix.name}`] = sealed[`bidx_${ix.name}`] ?? null;
  }
  if (sealed.pf_restriction !== undefined && core.model.fields.has('pf_restriction')) out.pf_restriction = sealed.pf_restriction;
  assertFields(core, out);
  return out;
}

/**
 * An update's data: plain fields checked (partial `inbound`), changed encrypted fields sealed under the row's subject
 * and record id with the blind indexes they feed. (`updateMany` of encrypted fields goes through {@link updateManyPerRow}.)
 */
async function updateData(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  data: unknown,
  givenWhere: Args | undefined,
  where: Args | undefined,
  many: boolean,
  itx: unknown,
): Promise<{ data: Args; where: Args | undefined }> {
  const core = scope.need(model);
  const split = splitData(core, isObject(data) ? data : {});
  const values = unwrapSet(split.scalars);
  refuseKeyChange(
    core,
    { ...values.plain, ...values.operators },
    split.relations,
    many ? {} : (givenWhere ?? {}),
    many ? 'updateMany' : 'update',
  );
  const { checked, changed, operators, relations, touched } = await prepareUpdate(scope, ctx, core, data);
  const walked: Args = {};
  for (const [key, value] of Object.entries(relations)) {
    const relation = core.model.relations.get(key);
    walked[key] =
      relation && isObject(value)
        ? (
            await nestedWrites(
              scope,
              ctx,
              relation.model,
              value,
              keysFor(core, key, givenWhere ?? {}),
              true,
              childKeysOf(relation),
            )
          ).data
        : value;
  }
  if (touched.length === 0) return { data: { ...changed, ...operators, ...walked }, where };
  const { record, where: guarded } = await rowKeys(scope, ctx, core, givenWhere ?? {}, where ?? {}, itx);
  const out = await sealChanges(scope, ctx, core, record, checked, changed);
  return { data: { ...out, ...operators, ...walked }, where: guarded };
}

/**
 * `updateMany` / `updateManyAndReturn` setting encrypted or indexed fields: authorized and checked (partial
 * `inbound`) first; then, in one transaction (the caller's interactive one, or a new one), the matching rows' record
 * ids and subjects are read, the values sealed under each row's own, and each row updated by them. Each row's update
 * also repeats the caller's where and pins the subject and record id it was sealed under: PostgreSQL re-checks an
 * UPDATE's where on the newest row version, so a row changed in between is skipped, never written under other keys.
 */
async function updateManyPerRow(
  scope: Scope,
  ctx: PurposeContext,
  model: string,
  given: Args,
  operation: string,
  caller: Caller,
  touched: Set<string>,
): Promise<unknown> {
  const core = scope.need(model);
  const split = splitData(core, isObject(given.data) ? given.data : {});
  refuseKeyChange(core, split.scalars, split.relations, {}, operation);
  const where = rewriteWhere(scope, model, given.where) as Args | undefined;
  const { where: _where, data: _data, limit, ...rest } = given;
  const returning = operation === 'updateManyAndReturn';
  const { args: read, plan } = planRead(scope, model, rest, touched);
  touched.delete(model);
  await pfAuthorize(scope, core, ctx); // before any check or SQL
  await authorizeAll(scope, touched, ctx);
  const { checked, changed, operators } = await prepareUpdate(scope, ctx, core, given.data);
  if (caller.kind === 'other') throw noTransaction(model);
  const keys = [core.schema.recordId, core.schema.subject?.id].filter((k): k is string => k !== undefined).map(topKey);
  const unique = [...new Set(keys)];
  const result = await scope.transact(caller.kind === 'itx' ? caller.tx : undefined, model, async (run) => {
    const select = Object.fromEntries(unique.map((k) => [k, true]));
    const rows = (
      unique.length === 0
        ? [{}]
        : await run(model, 'findMany', {
            ...(where === undefined ? {} : { where }),
            select,
            ...(typeof limit === 'number' ? { take: limit } : {}),
          })
    ) as Args[];
    // every row's values sealed before the first write: nothing but the database can fail between the writes
    const writes: { where: Args; data: Args }[] = [];
    for (const row of rows) {
      const pinned: Args = {};
      for (const k of unique) {
        const v = row[k];
        if (typeof v !== 'string' && typeof v !== 'number') {
          throw new PurposefulError('PF_INPUT_INVALID', `${model}.${operation}: "${k}" of a matching row is not a plain value`, {
            schema: core.schema.id,
            paths: [k],
          });
        }
        pinned[k] = v;
      }
      const out = await sealChanges(scope, ctx, core, pinned, checked, changed);
      writes.push({ where: where === undefined ? pinned : { AND: [where, pinned] }, data: { ...out, ...operators } });
    }
    let count = 0;
    const returned: unknown[] = [];
    for (const write of writes) {
      if (returning) returned.push(...((await run(model, 'updateManyAndReturn', { ...read, ...write })) as unknown[]));
      else count += ((await run(model, 'updateMany', write)) as { count: number }).count;
    }
    return returning ? returned : { count };
  });
  return returning ? openResult(scope, ctx, plan, result) : result;
}

/**
 * The record id and subject an update seals under: from its unique where (or the data's), the subject from the
 * context or read from the row; the where then also requires that subject, so a row of another subject is not
 * written under the wrong one.
 */
async function rowKeys(
  scope: Scope,
  ctx: PurposeContext,
  core: ModelCore,
  given: Args,
  where: Args,
  itx: unknown,
): Promise<{ record: Args; where: Args }> {
  const record: Args = {};
  const schema = core.schema;
  const plainValue = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : undefined);
  if (schema.recordId !== undefined) {
    const id = plainValue(given[schema.recordId]);
    if (id === undefined) {
      throw new PurposefulError(
        'PF_INPUT_INVALID',
        `${core.model.name}.update changing encrypted fields needs its record id "${schema.recordId}" in the where: the values are sealed under it`,
        { schema: schema.id, paths: [schema.recordId] },
      );
    }
    record[schema.recordId] = id;
  }
  const subject = schema.subject?.id ? topKey(schema.subject.id) : undefined;
  if (subject === undefined || subject in record) return { record, where };
  let value = plainValue(given[subject]) ?? ctx.subjectId;
  if (value === undefined) {
    value = plainValue(await scope.readSubject(core.model.name, where, subject, itx));
    if (value === undefined) {
      throw new PurposefulError('PF_NOT_FOUND', `${core.model.name}.update: no row matches the where`, {
        schema: schema.id,
      });
    }
  }
  record[subject] = value;
  return { record, where: subject in where ? where : { ...where, [subject]: value } };
}
