/**
 * Encrypting a table's existing plaintext and rotating its keys, batch by
 * batch: a keyset walk on a unique key column, one transaction per batch, a
 * cursor to resume from after a crash.
 *
 * @module
 * @internal
 */
import { asc, type Column, eq, getTableName, gt } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import {
  type FieldInfo,
  isPurposefulError,
  looksEncrypted,
  type PurposeContext,
  type Purposeful,
  PurposefulError,
  type PurposefulSchema,
  parseEnvelope,
  type SchemaIndex,
} from 'purposeful';
import { absentNulls, assertColumns, type BindingCore, compileBinding, guarded } from './binding.js';
import type { AnyPgDatabase } from './scoped.js';

/** The engine's calls the migrations make, with the purposes erased. */
// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;

/**
 * Options every table walk takes: {@link encryptTable} and {@link rotateTable}.
 *
 * @example
 * ```ts
 * const walk: TableWalkOptions = { batchSize: 500, cursor: saved, signal: AbortSignal.timeout(60_000) };
 * ```
 * @category Drizzle
 */
export interface TableWalkOptions {
  /**
   * The column the walk orders and resumes by: a primary key or unique, not
   * null, not encrypted column of the table (default: the column of the
   * schema's `recordId`).
   */
  readonly key?: Column | undefined;
  /** Rows per batch, each batch in its own transaction (default 100). */
  readonly batchSize?: number | undefined;
  /** Count what would change and write nothing (no transaction, no lock, no seal, no access event). */
  readonly dryRun?: boolean | undefined;
  /** Resume after this key value: a `cursor` from a progress report, as Drizzle read it (a Date stays a Date). */
  readonly cursor?: unknown;
  /** Stop before the next batch once aborted; the summary then says `complete: false`. */
  readonly signal?: AbortSignal | undefined;
  /** Visit at most this many rows in this run; the summary then says `complete: false` (run again from its cursor). */
  readonly limit?: number | undefined;
}

/**
 * Where {@link encryptTable} is, after a batch: rows visited, rows sealed, rows
 * skipped (nothing to seal: every encrypted value already an envelope, or
 * none present), and the key of the last row visited.
 *
 * @example
 * ```ts
 * const onProgress = async (p: EncryptProgress) => { await saveCursor(p.cursor); console.log(`${p.done} rows, ${p.sealed} sealed`); };
 * ```
 * @category Drizzle
 */
export interface EncryptProgress {
  readonly done: number;
  /** Rows with at least one value sealed (in a dry run: that would be). */
  readonly sealed: number;
  /** Rows with nothing to seal: already sealed, or without encrypted values. */
  readonly skipped: number;
  /** The key of the last row visited: pass it as `cursor` to resume after it. */
  readonly cursor: unknown;
}

/**
 * What {@link encryptTable} did: its last progress, whether the walk reached
 * the end of the table, and whether it was a dry run.
 *
 * @example
 * ```ts
 * const summary: EncryptSummary = await encryptTable(db, pf, customers, { ctx });
 * if (!summary.complete) await saveCursor(summary.cursor);
 * ```
 * @category Drizzle
 */
export interface EncryptSummary extends EncryptProgress {
  /** True when every row after the starting cursor was visited (false after `limit` or `signal`). */
  readonly complete: boolean;
  readonly dryRun: boolean;
}

/**
 * Options of {@link encryptTable}.
 *
 * @example
 * ```ts
 * const options: EncryptTableOptions<AppPurpose> = {
 *   ctx: { purpose: 'billing.invoice', actor: { id: 'migration-2026-12', roles: ['billing'] } },
 *   batchSize: 500,
 *   onProgress: (p) => saveCursor(p.cursor),
 * };
 * ```
 * @category Drizzle
 */
export interface EncryptTableOptions<Q extends string = string> extends TableWalkOptions {
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
 * Where {@link rotateTable} is, after a batch.
 *
 * @example
 * ```ts
 * const onProgress = (p: RotateTableProgress) => console.log(`${p.done} rows: ${p.changed} re-encrypted, ${p.indexed} re-indexed`);
 * ```
 * @category Drizzle
 */
export interface RotateTableProgress {
  readonly done: number;
  /** Rows with values re-encrypted under the current key or algorithm (`pf.rotate`). */
  readonly changed: number;
  /** Rows whose blind-index columns were written again under the primary keyring key. */
  readonly indexed: number;
  /** Rows of an erased subject whose blind index could not be written again: left as they are. */
  readonly erased: number;
  /** Rows the purpose may not open now (a blocking, or an erasure that keeps the field for another purpose): left as they are. */
  readonly restricted: number;
  /** The key of the last row visited: pass it as `cursor` to resume after it. */
  readonly cursor: unknown;
}

/**
 * What {@link rotateTable} did.
 *
 * @example
 * ```ts
 * const summary: RotateTableSummary = await rotateTable(db, pf, customers, { ctx });
 * if (summary.complete && summary.restricted === 0) console.log('every blind index is under the new key');
 * ```
 * @category Drizzle
 */
export interface RotateTableSummary extends RotateTableProgress {
  /** True when every row after the starting cursor was visited (false after `limit` or `signal`). */
  readonly complete: boolean;
  readonly dryRun: boolean;
}

/**
 * Options of {@link rotateTable}.
 *
 * @example
 * ```ts
 * const options: RotateTableOptions<AppPurpose> = {
 *   ctx: { purpose: 'billing.invoice', actor: { id: 'key-rotation', roles: ['billing'] } },
 *   onProgress: (p) => saveCursor(p.cursor),
 * };
 * ```
 * @category Drizzle
 */
export interface RotateTableOptions<Q extends string = string> extends TableWalkOptions {
  /**
   * The purpose context rows are opened for to write their blind indexes
   * again: required when the schema declares blind indexes. Its purpose must
   * see every indexed field in clear (for the actor's roles); each row it opens
   * is an access event.
   */
  readonly ctx?: PurposeContext<Q> | undefined;
  /** Awaited after each batch has committed; a throw stops the walk (resume from the last cursor reported). */
  readonly onProgress?: ((p: RotateTableProgress) => void | Promise<void>) | undefined;
}

function optionsInvalid(message: string, schema?: PurposefulSchema): PurposefulError {
  return new PurposefulError('PF_OPTIONS_INVALID', message, schema ? { schema: schema.id } : undefined);
}

/** The binding's lookups, compiled (and checked) again: a binding that does not fit its table fails closed. */
function bound(binding: { readonly schema: PurposefulSchema; readonly table: PgTable }, what: string): BindingCore {
  const b = binding as Partial<typeof binding> | null | undefined;
  if (typeof b !== 'object' || b === null || typeof b.schema !== 'object' || typeof b.table !== 'object') {
    throw new PurposefulError('PF_BINDING_INVALID', `${what}() takes a binding from bindTable(schema, table)`);
  }
  return compileBinding(b.schema as PurposefulSchema, b.table as PgTable);
}

/** The key column of the walk and its key: given, or the record id's; unique, not null, not encrypted. */
function keyColumn(core: BindingCore, given: Column | undefined): { column: Column; name: string } {
  const table = getTableName(core.table);
  const name = given === undefined ? core.schema.recordId : core.keyOf.get(given);
  if (name === undefined) {
    throw new PurposefulError(
      'PF_BINDING_INVALID',
      given === undefined
        ? `schema "${core.schema.id}" declares no recordId: give the walk a key column of table "${table}" (options.key)`
        : `options.key is not a column of table "${table}"`,
      { schema: core.schema.id },
    );
  }
  const column = core.columns[name];
  if (column === undefined) {
    throw new PurposefulError('PF_BINDING_INVALID', `record id "${name}" has no column in table "${table}"`, {
      schema: core.schema.id,
    });
  }
  if (core.encryptedUnder.has(name)) {
    throw optionsInvalid(`key column "${name}" holds encrypted values: walk by a clear unique column`, core.schema);
  }
  const config = getTableConfig(core.table);
  const alone = (columns: readonly Column[]) => columns.length === 1 && columns[0] === column;
  const unique =
    column.primary ||
    column.isUnique ||
    config.primaryKeys.some((k) => alone(k.columns)) ||
    config.uniqueConstraints.some((u) => alone(u.columns));
  if (!unique || !column.notNull) {
    throw optionsInvalid(
      `key column "${name}" of table "${table}" must be a primary key, or unique and not null: the walk orders and resumes by it, and would miss rows otherwise`,
      core.schema,
    );
  }
  return { column, name };
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!(Number.isInteger(n) && n >= 1) && n !== Number.POSITIVE_INFINITY)
    throw optionsInvalid(`${what} must be a positive integer`);
  return n;
}

type Row = Record<string, unknown>;

/**
 * Walks the table after `options.cursor` by the key column, a batch at a time: each batch read (`FOR UPDATE`) and
 * handed to `onBatch` in one transaction (a dry run: read without one, and `tx` undefined), then `after` awaited.
 */
async function walk(
  db: AnyPgDatabase,
  core: BindingCore,
  options: TableWalkOptions,
  onBatch: (rows: Row[], tx: AnyPgDatabase | undefined) => Promise<void>,
  after: (done: number, cursor: unknown) => Promise<void> | void,
): Promise<{ done: number; cursor: unknown; complete: boolean }> {
  const key = keyColumn(core, options.key);
  const batchSize = positiveInteger(options.batchSize, 100, 'batchSize');
  const limit = positiveInteger(options.limit, Number.POSITIVE_INFINITY, 'limit');
  let cursor = options.cursor;
  let done = 0;
  const table = getTableName(core.table);
  const read = async (q: AnyPgDatabase, size: number, lock: boolean): Promise<Row[]> => {
    const query = q.select().from(core.table).$dynamic();
    if (cursor !== undefined) query.where(gt(key.column, cursor));
    query.orderBy(asc(key.column)).limit(size);
    if (lock) query.for('update');
    return (await query) as Row[];
  };
  for (;;) {
    if (options.signal?.aborted || done >= limit) return { done, cursor, complete: false };
    const size = Math.min(batchSize, limit - done);
    let rows: Row[];
    // a driver error quotes the statement and its parameters (a key or a value in clear): value-free instead
    if (options.dryRun) {
      rows = await guarded(table, () => read(db, size, false), true);
      if (rows.length > 0) await onBatch(rows, undefined);
    } else {
      rows = await guarded(table, () =>
        db.transaction(async (tx) => {
          const batch = await read(tx as unknown as AnyPgDatabase, size, true);
          if (batch.length > 0) await onBatch(batch, tx as unknown as AnyPgDatabase);
          return batch;
        }),
      );
    }
    if (rows.length === 0) return { done, cursor, complete: true };
    done += rows.length;
    cursor = (rows[rows.length - 1] as Row)[key.name];
    await after(done, cursor);
    if (rows.length < size) return { done, cursor, complete: true };
  }
}

/** One step of a field path: a key, then `[]` (each element), `{}` (each value) or `[n]` (a tuple item), as nested. */
interface Step {
  readonly key: string;
  readonly then: readonly string[];
}

/** Reads a field path as the schema writes it (`a.b`, `"x-y".list[].text`, `notes{}`, `pair[1]`) into its steps. */
function stepsOf(path: string): Step[] {
  const out: Step[] = [];
  let i = 0;
  while (i < path.length) {
    let key: string;
    if (path[i] === '"') {
      let j = i + 1;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      key = JSON.parse(path.slice(i, j + 1)) as string;
      i = j + 1;
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== '{') j++;
      key = path.slice(i, j);
      i = j;
    }
    const then: string[] = [];
    for (let m = /^(\[\]|\{\}|\[\d+\])/.exec(path.slice(i)); m; m = /^(\[\]|\{\}|\[\d+\])/.exec(path.slice(i))) {
      then.push(m[0]);
      i += m[0].length;
    }
    out.push({ key, then });
    if (path[i] === '.') i++;
    else if (i < path.length) throw new PurposefulError('PF_BINDING_INVALID', `not a field path: ${JSON.stringify(path)}`);
  }
  return out;
}

type Place = readonly (string | number)[];

function isPlainObject(v: unknown): v is Row {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Calls `fn` with every value (not null) found at a field's steps in a row, and where it is. */
function visit(row: Row, steps: readonly Step[], fn: (value: unknown, place: Place) => void): void {
  const at = (value: unknown, place: Place, step: number, then: readonly string[]): void => {
    if (value === null || value === undefined) return;
    const [next, ...rest] = then;
    if (next === '[]') {
      if (Array.isArray(value)) for (const [i, v] of value.entries()) at(v, [...place, i], step, rest);
    } else if (next === '{}') {
      if (isPlainObject(value)) for (const k of Object.keys(value)) at(value[k], [...place, k], step, rest);
    } else if (next !== undefined) {
      const i = Number(next.slice(1, -1));
      if (Array.isArray(value)) at(value[i], [...place, i], step, rest);
    } else if (step === steps.length - 1) fn(value, place);
    else if (isPlainObject(value)) {
      const s = steps[step + 1] as Step;
      if (Object.hasOwn(value, s.key)) at(value[s.key], [...place, s.key], step + 1, s.then);
    }
  };
  const first = steps[0];
  if (first !== undefined && Object.hasOwn(row, first.key)) at(row[first.key], [first.key], 0, first.then);
}

/** Replaces the value at a place found by `visit`. */
function setAt(root: Row, place: Place, value: unknown): void {
  let v: unknown = root;
  for (let i = 0; i < place.length - 1; i++) v = (v as Record<string | number, unknown>)[place[i] as string | number];
  (v as Record<string | number, unknown>)[place[place.length - 1] as string | number] = value;
}

/** An encrypted value found in a row. */
interface Found {
  readonly field: FieldInfo;
  readonly place: Place;
  readonly value: unknown;
}

/** The encrypted fields of a schema with their steps, read once per walk. */
function encryptedSteps(schema: PurposefulSchema): ReadonlyArray<{ field: FieldInfo; steps: Step[] }> {
  return schema.fields.filter((f) => f.encrypt).map((field) => ({ field, steps: stepsOf(field.path) }));
}

/**
 * Whether the walk may name a row's key in an error: only when its column holds no personal field and is not the
 * subject reference (an id that designates a person is personal data itself).
 */
function keyIsNameable(schema: PurposefulSchema, name: string): boolean {
  const subject = schema.subject?.id;
  if (subject !== undefined && (subject === name || subject.startsWith(`${name}.`))) return false;
  return !schema.fields.some((f) => f.path === name || f.path.startsWith(`${name}.`) || f.path.startsWith(`${name}[`));
}

/** The encrypted values of a row, plaintext and envelopes apart; a value that starts like an envelope must parse. */
function classify(
  core: BindingCore,
  encrypted: ReadonlyArray<{ field: FieldInfo; steps: Step[] }>,
  row: Row,
  where: () => string,
): { plain: Found[]; sealed: Found[] } {
  const plain: Found[] = [];
  const sealed: Found[] = [];
  for (const { field, steps } of encrypted) {
    visit(row, steps, (value, place) => {
      if (!looksEncrypted(value)) {
        plain.push({ field, place, value });
        return;
      }
      try {
        parseEnvelope(value, field.path);
      } catch (err) {
        if (!isPurposefulError(err) || err.code !== 'PF_CIPHERTEXT_MALFORMED') throw err;
        const column = String(place[0]);
        throw new PurposefulError(
          'PF_CIPHERTEXT_MALFORMED',
          `column "${column}" of table "${getTableName(core.table)}" (field "${field.path}"), ${where()}: the value starts like an envelope but does not parse; it is neither sealed again nor overwritten: repair or clear it, then resume`,
          { schema: core.schema.id, paths: [field.path] },
        );
      }
      sealed.push({ field, place, value });
    });
  }
  return { plain, sealed };
}

/** How an error names a row of the batch: its key when that is not personal data, else its position after the cursor. */
function rowName(core: BindingCore, keyName: string, row: Row, index: number): () => string {
  return () =>
    keyIsNameable(core.schema, keyName)
      ? `row ${keyName} = ${JSON.stringify(String(row[keyName]))}`
      : `row ${index + 1} of the batch after the cursor (its ${keyName} is personal data and is not named)`;
}

/**
 * The columns to write for a row holding plaintext: the values sealed where they were plaintext, envelopes kept as
 * they are (never sealed again), blind indexes whose fields were all plaintext, and what `seal` adds (a restriction).
 */
async function sealRow(pf: Engine, core: BindingCore, row: Row, found: { plain: Found[]; sealed: Found[] }, ctx: PurposeContext) {
  const record: Row = { ...row };
  // envelopes stand aside as nulls while the rest is sealed: nothing already sealed reaches seal
  for (const f of found.sealed) {
    if (f.place.length === 1) record[f.place[0] as string] = null;
  }
  const nested = found.sealed.filter((f) => f.place.length > 1);
  if (nested.length > 0) {
    for (const key of new Set(nested.map((f) => f.place[0] as string))) record[key] = structuredClone(record[key]);
    for (const f of nested) setAt(record, f.place, null);
  }
  const out = await pf.seal(core.schema, record, ctx);
  for (const f of found.sealed) setAt(out, f.place, f.value);
  const values: Row = {};
  for (const f of found.plain) values[f.place[0] as string] = out[f.place[0] as string];
  const sealedFields = new Set(found.sealed.map((f) => f.field));
  for (const index of core.schema.indexes) {
    // an index over a value already sealed keeps its column: it cannot be computed without opening that value
    if (!index.fields.some((f) => sealedFields.has(f))) values[`bidx_${index.name}`] = out[`bidx_${index.name}`] ?? null;
  }
  for (const [k, v] of Object.entries(out)) {
    if (!Object.hasOwn(values, k) && !core.encryptedUnder.has(k) && !k.startsWith('bidx_') && v !== row[k]) values[k] = v;
  }
  assertColumns(core, values);
  return values;
}

/**
 * Encrypts a table's existing plaintext: every value of a field declared
 * `encrypt: true` that is still plaintext is sealed, in place, and the blind
 * index columns filled, so that the table can then be read and written
 * through {@link purposefulDrizzle}. Run it after switching the columns to
 * {@link sealed} (the SQL type stays `text`; a nested field's json column
 * holds its envelopes inside the JSON).
 *
 * - **Batches**: the table is walked in the order of its key column (the
 *   schema's `recordId` column, or `options.key`), `batchSize` rows at a time
 *   after `options.cursor`; each batch is read `FOR UPDATE`, sealed and
 *   written in one transaction. `onProgress` is awaited after each commit with
 *   the counts so far and the `cursor` (the key of the last row visited): keep
 *   it, and after a crash run again with it to finish the rest. Running from
 *   the start instead is safe too, only slower.
 * - **Never twice**: a value that is already an envelope is never given to
 *   `seal` again. A row whose encrypted values are all envelopes is skipped
 *   (counted in `skipped`); a row with both is sealed only where it holds
 *   plaintext, its envelopes written back as they were, and a blind index
 *   written only when all its fields were plaintext. A second run seals
 *   nothing and changes nothing.
 * - **Fails closed**: a value that starts like an envelope (`pf1.`) but does
 *   not parse stops the walk with `PF_CIPHERTEXT_MALFORMED`, naming the column
 *   and field, never the value; the row is named by its key only when the key
 *   is not personal data (not a personal field, not the subject reference),
 *   else by its position in the batch. That batch is rolled back. A binding
 *   that does not fit its table, or a key column that is missing, is
 *   `PF_BINDING_INVALID`; one that is not unique and not null, or encrypted,
 *   `PF_OPTIONS_INVALID`. What `pf.seal` refuses (an erased subject, an
 *   objection to the purpose, a value too large) stops the walk with its code.
 * - **Accountable**: each row is sealed with `pf.seal(schema, row, ctx)`: an
 *   access event for `ctx`'s purpose and actor.
 * - **Dry run**: `dryRun: true` reads the batches and counts what would be
 *   sealed and skipped, with the same checks for malformed envelopes; it
 *   writes nothing, seals nothing and locks nothing.
 *
 * Values are sealed as stored: a `text` column's plaintext is sealed as a
 * string.
 *
 * @example
 * ```ts
 * import { encryptTable } from 'purposeful/drizzle';
 *
 * const ctx = { purpose: 'billing.invoice', actor: { id: 'migration-2026-12', roles: ['billing'] } } as const;
 * const dry = await encryptTable(db, pf, customers, { ctx, dryRun: true }); // { sealed: 1200, skipped: 0, … }
 * const done = await encryptTable(db, pf, customers, {
 *   ctx,
 *   batchSize: 500,
 *   cursor: await loadCursor(), // undefined the first time
 *   onProgress: (p) => saveCursor(p.cursor),
 * });
 * ```
 * @category Drizzle
 */
export async function encryptTable<P extends string>(
  db: AnyPgDatabase,
  pf: Purposeful<P>,
  binding: { readonly schema: PurposefulSchema; readonly table: PgTable },
  options: EncryptTableOptions<NoInfer<P>>,
): Promise<EncryptSummary> {
  const core = bound(binding, 'encryptTable');
  const ctx = (options as Partial<EncryptTableOptions> | undefined)?.ctx;
  if (typeof ctx !== 'object' || ctx === null) {
    throw optionsInvalid('encryptTable() needs options.ctx: the purpose and actor each row is sealed for', core.schema);
  }
  if (ctx.subjectId !== undefined) {
    throw optionsInvalid("encryptTable() walks every subject's rows: give a ctx without subjectId", core.schema);
  }
  const keyName = keyColumn(core, options.key).name;
  const encrypted = encryptedSteps(core.schema);
  let sealed = 0;
  let skipped = 0;
  const walked = await walk(
    db,
    core,
    options,
    async (rows, tx) => {
      for (const [i, row] of rows.entries()) {
        const found = classify(core, encrypted, row, rowName(core, keyName, row, i));
        if (found.plain.length === 0) {
          skipped++;
          continue;
        }
        sealed++;
        if (tx === undefined) continue;
        const values = await sealRow(pf, core, row, found, ctx);
        await tx
          .update(core.table)
          .set(values)
          .where(eq(core.columns[keyName] as Column, row[keyName]));
      }
    },
    (done, cursor) => options.onProgress?.({ done, sealed, skipped, cursor }),
  );
  return {
    done: walked.done,
    sealed,
    skipped,
    cursor: walked.cursor,
    complete: walked.complete,
    dryRun: options.dryRun === true,
  };
}

const RANK: Record<string, number> = { none: 0, pseudonymized: 1, masked: 2, clear: 3 };

/** The level an actor with `roles` gets to a field for a purpose: the widest among its listed roles, else the default. */
function levelOf(field: FieldInfo, purpose: string, roles: readonly string[]): string {
  const access = field.access.get(purpose);
  if (access === undefined) return 'none';
  if (access.roles === undefined) return access.level;
  let listed = false;
  let level = 'none';
  for (const r of roles) {
    if (!Object.hasOwn(access.roles, r)) continue;
    listed = true;
    const l = access.roles[r] as string;
    if ((RANK[l] ?? 0) > (RANK[level] ?? 0)) level = l;
  }
  return listed ? level : access.level;
}

/** The purpose context opening rows to index them again: given, and seeing every indexed field in clear. */
function indexingContext(schema: PurposefulSchema, ctx: PurposeContext | undefined): PurposeContext {
  if (typeof ctx !== 'object' || ctx === null) {
    throw optionsInvalid(
      `schema "${schema.id}" declares blind indexes: rotateTable() writes them again from the opened values, and needs options.ctx, a purpose that sees ${schema.indexes
        .flatMap((ix) => ix.fields.map((f) => f.path))
        .join(', ')} in clear`,
      schema,
    );
  }
  if (ctx.subjectId !== undefined)
    throw optionsInvalid("rotateTable() walks every subject's rows: give a ctx without subjectId", schema);
  const roles = Array.isArray(ctx.actor?.roles) ? ctx.actor.roles : [];
  const hidden = schema.indexes.flatMap((ix) => ix.fields).filter((f) => levelOf(f, ctx.purpose, roles) !== 'clear');
  if (hidden.length > 0) {
    throw optionsInvalid(
      `purpose "${ctx.purpose}" does not see ${[...new Set(hidden.map((f) => f.path))].join(', ')} in clear for the actor's roles: rotateTable() needs a purpose that does, to write the blind indexes again`,
      schema,
    );
  }
  return ctx;
}

/** The value at a field's path in an opened record (indexed fields are never inside arrays). */
function valueAtPath(record: unknown, field: FieldInfo): unknown {
  let v: unknown = record;
  for (const step of stepsOf(field.path)) {
    if (!isPlainObject(v) || !Object.hasOwn(v, step.key)) return undefined;
    v = v[step.key];
  }
  return v;
}

/** A blind index's value for an opened record under the primary keyring key, or null when a field is missing. */
function indexValue(pf: Engine, schema: PurposefulSchema, index: SchemaIndex, opened: unknown): string | null {
  const values = index.fields.map((f) => valueAtPath(opened, f));
  if (values.some((v) => v === undefined || v === null)) return null;
  const [primary] = pf.indexFor(schema, index.name, index.fields.length === 1 ? values[0] : values);
  return primary ?? null;
}

/** The keyring key blind indexes are written under now: the first of `indexFor`'s values (primary first). */
function primaryIndexKid(pf: Engine, schema: PurposefulSchema, index: SchemaIndex): string {
  const probe = index.fields.length === 1 ? '0' : index.fields.map(() => '0');
  const [first] = pf.indexFor(schema, index.name, probe);
  return (first ?? '').slice(0, (first ?? '').indexOf('.'));
}

/**
 * Rotates a table's keys, batch by batch, with the walk of
 * {@link encryptTable} (key column, `batchSize`, `cursor`, `onProgress`,
 * `dryRun`, `limit`, `signal`; one transaction per batch, rows read `FOR
 * UPDATE`):
 *
 * - values are re-encrypted by `pf.rotate` where they are not under the
 *   current key and algorithm (after a keyring rotation for schemas without a
 *   subject, whose values sit under keys derived from the keyring itself; after
 *   changing `encryption.algorithm` for all), each checked by decrypting it
 *   again, and written back;
 * - blind-index columns written under another keyring key than the primary
 *   are written again under the primary: the row is opened for `options.ctx`
 *   (its purpose must see every indexed field in clear; each row opened is an
 *   access event) and the index computed from the opened values. Once a run
 *   has completed with `restricted: 0`, no index depends on the old key.
 *
 * After `keyring.rotate()`: start the engine with the new keyring, run
 * `pf.rewrapDataKeys()` (subjects' data keys), then `rotateTable` over each
 * bound table, then `keyring.retire(oldKid)`.
 *
 * A shredded subject's row is left as it is: its erased values stay
 * unreadable (`pf.rotate` makes no key for an erased subject) and its blind
 * index is not written again (counted in `erased`; once the old key is
 * retired, that index matches no query). A row the purpose may not open now
 * (a blocking, or an erasure that keeps the field for other purposes only) is
 * left too and counted in `restricted`: run again once it opens, or with the
 * purpose that keeps the field. A plaintext value is `PF_NOT_ENCRYPTED` (run
 * {@link encryptTable} first), a key nobody has `PF_KEY_NOT_FOUND`: the batch
 * is rolled back. A dry run counts the rows `pf.rotate` would change and the
 * rows whose index is under an old key, opening nothing and writing nothing.
 *
 * @example
 * ```ts
 * import { rotateTable } from 'purposeful/drizzle';
 *
 * const next = keyring.rotate(); // store next.export(), restart with it
 * const pf = createPurposeful({ purposes, schemas, keys: next, keyStore });
 * await pf.rewrapDataKeys();
 * const ctx = { purpose: 'billing.invoice', actor: { id: 'key-rotation', roles: ['billing'] } } as const;
 * const summary = await rotateTable(db, pf, customers, { ctx, onProgress: (p) => saveCursor(p.cursor) });
 * if (summary.complete && summary.restricted === 0) await store(next.retire(oldKid).export());
 * ```
 * @category Drizzle
 */
export async function rotateTable<P extends string>(
  db: AnyPgDatabase,
  pf: Purposeful<P>,
  binding: { readonly schema: PurposefulSchema; readonly table: PgTable },
  options: RotateTableOptions<NoInfer<P>> = {},
): Promise<RotateTableSummary> {
  const core = bound(binding, 'rotateTable');
  const schema = core.schema;
  const indexes = schema.indexes;
  const ctx = indexes.length > 0 ? indexingContext(schema, options.ctx) : undefined;
  const primary = new Map(indexes.map((ix) => [ix.name, primaryIndexKid(pf, schema, ix)]));
  const keyName = keyColumn(core, options.key).name;
  const counts = { changed: 0, indexed: 0, erased: 0, restricted: 0 };
  const walked = await walk(
    db,
    core,
    options,
    async (rows, tx) => {
      const rotated = (await pf.rotate(schema, rows, { batchSize: rows.length })).rows as Row[];
      for (const [i, before] of rows.entries()) {
        const after = rotated[i] as Row;
        const values: Row = {};
        if (after !== before) {
          counts.changed++;
          for (const key of core.encryptedUnder.keys()) if (after[key] !== before[key]) values[key] = after[key];
        }
        const stale = indexes.filter((ix) => {
          const v = after[`bidx_${ix.name}`];
          return typeof v === 'string' && !v.startsWith(`${primary.get(ix.name)}.`);
        });
        if (stale.length > 0) {
          if (tx === undefined) counts.indexed++;
          else {
            try {
              const opened = await (pf as Engine).open(schema, absentNulls(core, { ...after }), ctx as PurposeContext);
              for (const ix of stale) values[`bidx_${ix.name}`] = indexValue(pf, schema, ix, opened);
              counts.indexed++;
            } catch (err) {
              if (!isPurposefulError(err)) throw err;
              if (err.code === 'PF_SUBJECT_ERASED') counts.erased++;
              else if (err.code === 'PF_SUBJECT_RESTRICTED') counts.restricted++;
              else throw err;
            }
          }
        }
        if (tx === undefined || Object.keys(values).length === 0) continue;
        await tx
          .update(core.table)
          .set(values)
          .where(eq(core.columns[keyName] as Column, before[keyName]));
      }
    },
    (done, cursor) => options.onProgress?.({ done, ...counts, cursor }),
  );
  return { done: walked.done, ...counts, cursor: walked.cursor, complete: walked.complete, dryRun: options.dryRun === true };
}
