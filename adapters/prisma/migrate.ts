/**
 * Encrypting a model's existing plaintext and rotating its keys, batch by
 * batch: the Prisma side of the shared walks (orm/migrate). Rows are read
 * `FOR UPDATE` and written back with raw SQL inside an interactive
 * transaction (Prisma's query API has no row lock), every identifier taken
 * from the client's data model and quoted, every value a parameter.
 *
 * @module
 * @internal
 */
import { type PurposeContext, type Purposeful, PurposefulError, type PurposefulSchema } from 'purposeful';
import {
  checkWalkOptions,
  type EncryptProgress,
  type EncryptSummary,
  encryptRows,
  indexingContext,
  optionsInvalid,
  type RotateWalkProgress,
  type RotateWalkSummary,
  type Row,
  rotateRows,
  sealingContext,
  type WalkOptions,
  type WalkStore,
  type WalkTarget,
} from '../orm/migrate.js';
import { valueFree } from './errors.js';
import { bindingInvalid, compileModel, dataModelOf, type ModelCore, problemsOf, stripComments } from './model.js';

/**
 * Options every model walk takes: {@link encryptModel} and {@link rotateModel}.
 *
 * @example
 * ```ts
 * const walk: ModelWalkOptions = { key: 'id', batchSize: 500, cursor: saved, signal: AbortSignal.timeout(60_000) };
 * ```
 * @category Prisma
 */
export interface ModelWalkOptions extends WalkOptions {
  /**
   * The field the walk orders and resumes by: a scalar field of the model
   * that is `@id` or `@unique` (alone, or as a one-field `@@id` / `@@unique`),
   * required and not encrypted (default: the field of the schema's
   * `recordId`).
   */
  readonly key?: string | undefined;
  /**
   * How long one batch's interactive transaction may run, in milliseconds
   * (Prisma's `timeout`, default 60 000): lower `batchSize` rather than
   * raising it far.
   */
  readonly timeout?: number | undefined;
}

/**
 * Options of {@link encryptModel}.
 *
 * @example
 * ```ts
 * const options: EncryptModelOptions<AppPurpose> = {
 *   ctx: { purpose: 'billing.invoice', actor: { id: 'migration-2026-12', roles: ['billing'] } },
 *   batchSize: 500,
 *   onProgress: (p) => saveCursor(p.cursor),
 * };
 * ```
 * @category Prisma
 */
export interface EncryptModelOptions<Q extends string = string> extends ModelWalkOptions {
  /**
   * The purpose context each row is sealed for, as `pf.seal` takes it: the
   * purpose and actor the access log records for every row sealed. Without
   * `subjectId`: each row's subject is read from the row.
   */
  readonly ctx: PurposeContext<Q>;
  /** Awaited after each batch has committed; a throw stops the walk (resume from the last cursor reported). */
  readonly onProgress?: ((p: EncryptProgress) => void | Promise<void>) | undefined;
}

/**
 * Options of {@link rotateModel}.
 *
 * @example
 * ```ts
 * const options: RotateModelOptions<AppPurpose> = {
 *   ctx: { purpose: 'billing.invoice', actor: { id: 'key-rotation', roles: ['billing'] } },
 *   onProgress: (p) => saveCursor(p.cursor),
 * };
 * ```
 * @category Prisma
 */
export interface RotateModelOptions<Q extends string = string> extends ModelWalkOptions {
  /**
   * The purpose context rows are opened for to write their blind indexes
   * again: required when the schema declares blind indexes. Its purpose must
   * see every indexed field in clear (for the actor's roles); each row it opens
   * is an access event.
   */
  readonly ctx?: PurposeContext<Q> | undefined;
  /** Awaited after each batch has committed; a throw stops the walk (resume from the last cursor reported). */
  readonly onProgress?: ((p: RotateWalkProgress) => void | Promise<void>) | undefined;
}

/** What the walks call of a client (a `PrismaClient`, or an interactive transaction's client). */
interface RawClient {
  $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<unknown>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

interface WalkClient extends RawClient {
  $transaction<T>(run: (tx: RawClient) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T>;
}

/** The client's internals the walk reads: the runtime data model (db names) and the driver adapter's schema. */
interface ClientInternals {
  _runtimeDataModel?: {
    models?: Record<
      string,
      {
        dbName?: string | null;
        schema?: string | null;
        fields: Array<{ name: string; kind: string; type: string; dbName?: string | null }>;
      }
    >;
  };
  _engineConfig?: { inlineSchema?: string; adapter?: { options?: { schema?: unknown } } };
}

/** A model as SQL sees it: its table (quoted, schema-qualified when known), its scalar fields' columns, its unique keys. */
interface ModelTable {
  readonly sql: string;
  readonly columns: ReadonlyMap<string, { readonly sql: string; readonly json: boolean }>;
  /** Scalar fields that are required and unique alone (`@id`, `@unique`, a one-field `@@id` / `@@unique`). */
  readonly uniqueKeys: ReadonlySet<string>;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The fields of a model's block in the schema text that are required and unique alone. */
function uniqueKeysOf(text: string | undefined, model: string): Set<string> {
  const out = new Set<string>();
  if (typeof text !== 'string') return out;
  const body = stripComments(text);
  for (const block of body.matchAll(/^\s*model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    if (block[1] !== model) continue;
    const required = new Set<string>();
    const lines = (block[2] ?? '').split('\n');
    for (const line of lines) {
      const m = /^\s*(\w+)\s+\w+(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!m || m[2] || m[3]) continue;
      required.add(m[1] as string);
      if (/(^|\s)@(id|unique)\b/.test(m[4] ?? '')) out.add(m[1] as string);
    }
    for (const line of lines) {
      const m = /^\s*@@(?:id|unique)\(\s*(?:fields:\s*)?\[\s*(\w+)\s*\]/.exec(line);
      if (m && required.has(m[1] as string)) out.add(m[1] as string);
    }
  }
  return out;
}

/**
 * The table of `model`: its name in the database (`@@map`), qualified as Prisma's own queries qualify it: by the
 * model's `@@schema`, else by the schema the driver adapter was given (`new PrismaPg(pool, { schema })`), else
 * `public`.
 */
function tableOf(client: ClientInternals, model: string): ModelTable {
  const runtime = client._runtimeDataModel?.models?.[model];
  if (runtime === undefined) throw bindingInvalid(undefined, `model ${model}`, [`the Prisma client has no model "${model}"`]);
  const adapterSchema = client._engineConfig?.adapter?.options?.schema;
  const schema = runtime.schema ?? (typeof adapterSchema === 'string' && adapterSchema !== '' ? adapterSchema : 'public');
  const table = quote(runtime.dbName ?? model);
  const columns = new Map<string, { sql: string; json: boolean }>();
  for (const f of runtime.fields) {
    if (f.kind === 'scalar' || f.kind === 'enum')
      columns.set(f.name, { sql: quote(f.dbName ?? f.name), json: f.type === 'Json' });
  }
  return {
    sql: `${quote(schema)}.${table}`,
    columns,
    uniqueKeys: uniqueKeysOf(client._engineConfig?.inlineSchema, model),
  };
}

/** The binding checked against the client's data model (`PF_BINDING_INVALID`, every problem), and the client's calls. */
function bound(
  client: unknown,
  binding: { readonly schema: PurposefulSchema; readonly model: string },
  what: string,
): { core: ModelCore; table: ModelTable; walker: WalkClient } {
  const b = binding as Partial<typeof binding> | null | undefined;
  if (typeof b !== 'object' || b === null || typeof b.schema !== 'object' || typeof b.model !== 'string') {
    throw new PurposefulError('PF_BINDING_INVALID', `${what}() takes a binding from bindModel(schema, model)`);
  }
  const c = client as Partial<WalkClient> | null | undefined;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.$transaction !== 'function' ||
    typeof c.$queryRawUnsafe !== 'function' ||
    typeof c.$executeRawUnsafe !== 'function'
  ) {
    throw new PurposefulError('PF_BINDING_INVALID', `${what}() takes a PrismaClient generated by Prisma 7`);
  }
  const schema = b.schema as PurposefulSchema;
  const dataModel = dataModelOf(client);
  const info = dataModel.get(b.model);
  const problems = problemsOf(schema, b.model, info);
  if (problems.length > 0 || info === undefined) throw bindingInvalid(schema, `model ${b.model}`, problems);
  return { core: compileModel(schema, info), table: tableOf(client as ClientInternals, b.model), walker: c as WalkClient };
}

/** The key field of the walk: given, or the record id's; a scalar field, unique alone, required, not encrypted. */
function keyField(core: ModelCore, table: ModelTable, given: unknown): string {
  const model = core.model.name;
  const name = given === undefined ? core.schema.recordId : given;
  if (name === undefined) {
    throw new PurposefulError(
      'PF_BINDING_INVALID',
      `schema "${core.schema.id}" declares no recordId: give the walk a key field of model ${model} (options.key)`,
      { schema: core.schema.id },
    );
  }
  if (typeof name !== 'string' || !table.columns.has(name)) {
    throw new PurposefulError(
      'PF_BINDING_INVALID',
      given === undefined
        ? `record id "${name}" has no scalar field in model ${model}`
        : `options.key is not a scalar field of model ${model}`,
      { schema: core.schema.id },
    );
  }
  if (core.encryptedUnder.has(name)) {
    throw optionsInvalid(`key field "${name}" holds encrypted values: walk by a clear unique field`, core.schema);
  }
  if (!table.uniqueKeys.has(name)) {
    throw optionsInvalid(
      `key field "${name}" of model ${model} must be @id or @unique (alone) and required: the walk orders and resumes by it, and would miss rows otherwise`,
      core.schema,
    );
  }
  return name;
}

/** The walk's view of a bound model, walked by `key`. */
function targetOf(core: ModelCore, table: ModelTable, key: string): WalkTarget {
  const model = core.model.name;
  return {
    schema: core.schema,
    key,
    encryptedKeys: new Set(core.encryptedUnder.keys()),
    nullMeansAbsent: core.nullMeansAbsent,
    stored: (field, path) => `field "${field}" of model ${model} (schema field "${path}")`,
    assertWritable(values) {
      const missing = Object.keys(values).filter((k) => !table.columns.has(k));
      if (missing.length > 0) {
        throw bindingInvalid(core.schema, `model ${model}`, [`the sealed row has no field for ${missing.join(', ')}`]);
      }
    },
  };
}

/** Reads and writes a bound model with raw SQL: keyset by `key`, `FOR UPDATE` inside an interactive transaction. */
function storeOf(client: WalkClient, core: ModelCore, table: ModelTable, key: string, timeout: number): WalkStore<RawClient> {
  const model = core.model.name;
  const keySql = (table.columns.get(key) as { sql: string }).sql;
  const list = [...table.columns].map(([field, c]) => `${c.sql} AS ${quote(field)}`).join(', ');
  return {
    async read(tx, cursor, size) {
      const after = cursor === undefined ? '' : ` WHERE ${keySql} > $1`;
      const sql = `SELECT ${list} FROM ${table.sql}${after} ORDER BY ${keySql} ASC LIMIT ${Math.trunc(size)}${tx === undefined ? '' : ' FOR UPDATE'}`;
      const rows = await (tx ?? client).$queryRawUnsafe(sql, ...(cursor === undefined ? [] : [cursor]));
      return rows as Row[];
    },
    async write(tx, value, values) {
      const entries = Object.entries(values).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return;
      const sets = entries.map(([field], i) => `${(table.columns.get(field) as { sql: string }).sql} = $${i + 1}`);
      const params = entries.map(([field, v]) =>
        v === null ? null : (table.columns.get(field) as { json: boolean }).json ? JSON.stringify(v) : v,
      );
      const sql = `UPDATE ${table.sql} SET ${sets.join(', ')} WHERE ${keySql} = $${entries.length + 1}`;
      const count = await tx.$executeRawUnsafe(sql, ...params, value);
      if (count !== 1) {
        throw new PurposefulError(
          'PF_STORE_UNAVAILABLE',
          `model ${model}: a row read and locked by the walk was not found again by its ${key} to write it: nothing of the batch was stored`,
        );
      }
    },
    transaction: (run) => client.$transaction(run, { timeout, maxWait: timeout }),
    // Prisma's message quotes the statement's values: only the codes go on
    guard: (run, reading) =>
      valueFree(run, `model ${model}`, { reading, after: 'nothing of the batch was stored', schema: core.schema.id }),
  };
}

function timeoutOf(options: ModelWalkOptions): number {
  const t = options.timeout ?? 60_000;
  if (!(Number.isInteger(t) && t >= 1)) throw optionsInvalid('timeout must be a positive integer (milliseconds)');
  return t;
}

/**
 * The Prisma counterpart of `encryptTable`: encrypts a model's existing
 * plaintext. Every value of a field declared `encrypt: true` that is still
 * plaintext is sealed, in place, and the `bidx_` fields filled, so that the
 * model can then be read and written through {@link purposefulPrisma}. Run it
 * once the fields hold envelopes in the Prisma schema (`String`; a nested
 * field's `Json` holds its envelopes inside the JSON) and the `bidx_` fields
 * exist.
 *
 * - **Batches**: the model's rows are walked in the order of its key field
 *   (the schema's `recordId` field, or `options.key`: `@id` or `@unique`,
 *   required, not encrypted), `batchSize` rows at a time after
 *   `options.cursor`; each batch is read `FOR UPDATE`, sealed and written in
 *   one interactive transaction (`prisma.$transaction(async (tx) => …)`, with
 *   `options.timeout`). `onProgress` is awaited after each commit with the
 *   counts so far and the `cursor` (the key of the last row visited): keep it,
 *   and after a crash run again with it to finish the rest. Running from the
 *   start instead is safe too, only slower.
 * - **Never twice**: a value that is already an envelope is never given to
 *   `seal` again. A row whose encrypted values are all envelopes is skipped
 *   (counted in `skipped`); a row with both is sealed only where it holds
 *   plaintext, its envelopes written back as they were, and a blind index
 *   written only when all its fields were plaintext. A second run seals
 *   nothing and changes nothing.
 * - **Fails closed**: a value that starts like an envelope (`pf1.`) but does
 *   not parse stops the walk with `PF_CIPHERTEXT_MALFORMED`, naming the field,
 *   never the value; the row is named by its key only when the key is not
 *   personal data, else by its position in the batch. That batch is rolled
 *   back. A binding that does not fit the client's data model, or a missing
 *   key field, is `PF_BINDING_INVALID`; a key field that is not unique alone
 *   and required, or is encrypted, `PF_OPTIONS_INVALID`. A database error is
 *   a value-free `PF_STORE_UNAVAILABLE` (its SQLSTATE or Prisma code only:
 *   Prisma's own message quotes the statement's values), the batch rolled
 *   back. What `pf.seal` refuses stops the walk with its code.
 * - **Accountable**: each row is sealed with `pf.seal(schema, row, ctx)`: an
 *   access event for `ctx`'s purpose and actor.
 * - **Dry run**: `dryRun: true` reads the batches and counts what would be
 *   sealed and skipped, with the same checks for malformed envelopes; it
 *   writes nothing, seals nothing and locks nothing.
 *
 * Rows are read and written with raw SQL (Prisma's query API takes no row
 * lock): the table and column names come from the client's data model
 * (`@@map`, `@map`), quoted, and every value is a parameter. The table is
 * qualified by the model's `@@schema`, else by the `schema` the driver adapter
 * was given (`new PrismaPg(…, { schema })`), else `public`, as Prisma's own
 * queries are. The `cursor` is the key as the raw read returns it
 * (a `Date` for a `DateTime`).
 *
 * @example
 * ```ts
 * import { bindModel, encryptModel } from 'purposeful/prisma';
 *
 * const customers = bindModel(Customer, 'Customer');
 * const ctx = { purpose: 'billing.invoice', actor: { id: 'migration-2026-12', roles: ['billing'] } } as const;
 * const dry = await encryptModel(prisma, pf, customers, { ctx, dryRun: true }); // { sealed: 1200, skipped: 0, … }
 * const done = await encryptModel(prisma, pf, customers, {
 *   ctx,
 *   batchSize: 500,
 *   cursor: await loadCursor(), // undefined the first time
 *   onProgress: (p) => saveCursor(p.cursor),
 * });
 * ```
 * @category Prisma
 */
export async function encryptModel<P extends string>(
  prisma: { readonly $transaction: unknown; readonly $queryRawUnsafe: unknown; readonly $executeRawUnsafe: unknown },
  pf: Purposeful<P>,
  binding: { readonly schema: PurposefulSchema; readonly model: string },
  options: EncryptModelOptions<NoInfer<P>>,
): Promise<EncryptSummary> {
  const { core, table, walker } = bound(prisma, binding, 'encryptModel');
  const ctx = sealingContext(options, core.schema, 'encryptModel');
  const key = keyField(core, table, options.key);
  checkWalkOptions(options);
  const store = storeOf(walker, core, table, key, timeoutOf(options));
  return encryptRows(pf, targetOf(core, table, key), store, ctx, options);
}

/**
 * The Prisma counterpart of `rotateTable`: rotates a model's keys, batch by
 * batch, with the walk of {@link encryptModel} (key field, `batchSize`,
 * `cursor`, `onProgress`, `dryRun`, `limit`, `signal`, `timeout`; one
 * interactive transaction per batch, rows read `FOR UPDATE`):
 *
 * - values are re-encrypted by `pf.rotate` where they are not under the
 *   current key and algorithm (after a keyring rotation for schemas without a
 *   subject, whose values sit under keys derived from the keyring itself; after
 *   changing `encryption.algorithm` for all), each checked by decrypting it
 *   again, and written back;
 * - `bidx_` fields written under another keyring key than the primary are
 *   written again under the primary: the row is opened for `options.ctx` (its
 *   purpose must see every indexed field in clear; each row opened is an
 *   access event) and the index computed from the opened values. Once a run
 *   has completed with `restricted: 0`, no index depends on the old key.
 *
 * After `keyring.rotate()`: start the engine with the new keyring, run
 * `pf.rewrapDataKeys()` (subjects' data keys), then `rotateModel` over each
 * bound model, then `keyring.retire(oldKid)`.
 *
 * A shredded subject's row is left as it is (counted in `erased`); a row the
 * purpose may not open now (a blocking, or an erasure that keeps the field
 * for other purposes only) is left too, counted in `restricted`. A plaintext
 * value is `PF_NOT_ENCRYPTED` (run {@link encryptModel} first), a key nobody
 * has `PF_KEY_NOT_FOUND`: the batch is rolled back. A dry run counts the rows
 * `pf.rotate` would change and the rows whose index is under an old key,
 * opening nothing and writing nothing.
 *
 * @example
 * ```ts
 * import { rotateModel } from 'purposeful/prisma';
 *
 * const next = keyring.rotate(); // store next.export(), restart with it
 * const pf = createPurposeful({ purposes, schemas, keys: next, keyStore });
 * await pf.rewrapDataKeys();
 * const ctx = { purpose: 'billing.invoice', actor: { id: 'key-rotation', roles: ['billing'] } } as const;
 * const summary = await rotateModel(prisma, pf, customers, { ctx, onProgress: (p) => saveCursor(p.cursor) });
 * if (summary.complete && summary.restricted === 0) await store(next.retire(oldKid).export());
 * ```
 * @category Prisma
 */
export async function rotateModel<P extends string>(
  prisma: { readonly $transaction: unknown; readonly $queryRawUnsafe: unknown; readonly $executeRawUnsafe: unknown },
  pf: Purposeful<P>,
  binding: { readonly schema: PurposefulSchema; readonly model: string },
  options: RotateModelOptions<NoInfer<P>> = {},
): Promise<RotateWalkSummary> {
  const { core, table, walker } = bound(prisma, binding, 'rotateModel');
  const ctx = indexingContext(options, core.schema, 'rotateModel');
  const key = keyField(core, table, options.key);
  checkWalkOptions(options);
  const store = storeOf(walker, core, table, key, timeoutOf(options));
  return rotateRows(pf, targetOf(core, table, key), store, ctx, options);
}
