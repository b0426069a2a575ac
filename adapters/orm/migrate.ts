/**
 * The ORM-neutral part of encrypting a table's existing plaintext and rotating
 * its keys: the batch walk (a keyset walk on a unique key, one transaction per
 * batch, a cursor to resume from), what a row holds (plaintext, envelopes,
 * malformed envelopes), what to write back for a row, and the options,
 * progress and summaries. An integration gives a {@link WalkTarget} (what the
 * schema is stored in) and a {@link WalkStore} (how to read, lock and write).
 *
 * @module
 * @internal
 */
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

/** The engine's calls the migrations make, with the purposes erased. */
// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;

/** A row as the integration read it, by field (column) key. */
export type Row = Record<string, unknown>;

/**
 * Options every walk over stored rows takes (`encryptTable` / `rotateTable`
 * over Drizzle tables, `encryptModel` / `rotateModel` over Prisma models),
 * besides the key it walks by.
 *
 * @example
 * ```ts
 * const walk: WalkOptions = { batchSize: 500, cursor: saved, signal: AbortSignal.timeout(60_000) };
 * ```
 * @category Drizzle
 * @category Prisma
 */
export interface WalkOptions {
  /** Rows per batch, each batch in its own transaction (default 100). */
  readonly batchSize?: number | undefined;
  /** Count what would change and write nothing (no transaction, no lock, no seal, no access event). */
  readonly dryRun?: boolean | undefined;
  /** Resume after this key value: a `cursor` from a progress report, as the ORM read it (a Date stays a Date). */
  readonly cursor?: unknown;
  /** Stop before the next batch once aborted; the summary then says `complete: false`. */
  readonly signal?: AbortSignal | undefined;
  /** Visit at most this many rows in this run; the summary then says `complete: false` (run again from its cursor). */
  readonly limit?: number | undefined;
}

/**
 * Where an encryption walk (`encryptTable`, `encryptModel`) is, after a
 * batch: rows visited, rows sealed, rows skipped (nothing to seal: every
 * encrypted value already an envelope, or none present), and the key of the
 * last row visited.
 *
 * @example
 * ```ts
 * const onProgress = async (p: EncryptProgress) => { await saveCursor(p.cursor); console.log(`${p.done} rows, ${p.sealed} sealed`); };
 * ```
 * @category Drizzle
 * @category Prisma
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
 * What an encryption walk (`encryptTable`, `encryptModel`) did: its last
 * progress, whether the walk reached the end, and whether it was a dry run.
 *
 * @example
 * ```ts
 * const summary: EncryptSummary = await encryptTable(db, pf, customers, { ctx });
 * if (!summary.complete) await saveCursor(summary.cursor);
 * ```
 * @category Drizzle
 * @category Prisma
 */
export interface EncryptSummary extends EncryptProgress {
  /** True when every row after the starting cursor was visited (false after `limit` or `signal`). */
  readonly complete: boolean;
  readonly dryRun: boolean;
}

/**
 * Where a rotation walk (`rotateTable`, `rotateModel`) is, after a batch.
 *
 * @example
 * ```ts
 * const onProgress = (p: RotateWalkProgress) => console.log(`${p.done} rows: ${p.changed} re-encrypted, ${p.indexed} re-indexed`);
 * ```
 * @category Drizzle
 * @category Prisma
 */
export interface RotateWalkProgress {
  readonly done: number;
  /** Rows with values re-encrypted under the current key or algorithm (`pf.rotate`). */
  readonly changed: number;
  /** Rows whose blind indexes were written again under the primary keyring key. */
  readonly indexed: number;
  /** Rows of an erased subject whose blind index could not be written again: left as they are. */
  readonly erased: number;
  /** Rows the purpose may not open now (a blocking, or an erasure that keeps the field for another purpose): left as they are. */
  readonly restricted: number;
  /** The key of the last row visited: pass it as `cursor` to resume after it. */
  readonly cursor: unknown;
}

/**
 * What a rotation walk (`rotateTable`, `rotateModel`) did.
 *
 * @example
 * ```ts
 * const summary: RotateWalkSummary = await rotateTable(db, pf, customers, { ctx });
 * if (summary.complete && summary.restricted === 0) console.log('every blind index is under the new key');
 * ```
 * @category Drizzle
 * @category Prisma
 */
export interface RotateWalkSummary extends RotateWalkProgress {
  /** True when every row after the starting cursor was visited (false after `limit` or `signal`). */
  readonly complete: boolean;
  readonly dryRun: boolean;
}

/** What an encryption walk takes besides the walk itself. */
interface EncryptRun extends WalkOptions {
  readonly ctx?: PurposeContext<string> | undefined;
  readonly onProgress?: ((p: EncryptProgress) => void | Promise<void>) | undefined;
}

/** What a rotation walk takes besides the walk itself. */
interface RotateRun extends WalkOptions {
  readonly ctx?: PurposeContext<string> | undefined;
  readonly onProgress?: ((p: RotateWalkProgress) => void | Promise<void>) | undefined;
}

/**
 * What a walk needs of the table or model a schema is stored in: the key it walks by (checked unique, not null and
 * not encrypted by the integration), where encrypted values live, and how errors name a stored field.
 */
export interface WalkTarget {
  readonly schema: PurposefulSchema;
  /** The row key (column key, model field) the walk orders and resumes by. */
  readonly key: string;
  /** The row keys holding encrypted values (themselves, or nested inside JSON). */
  readonly encryptedKeys: ReadonlySet<string>;
  /** Row keys whose field may be absent but not null: a NULL read there is an absent field. */
  readonly nullMeansAbsent: readonly string[];
  /** How an error names where an encrypted field is stored: `column "email" of table "members" (field "email")`. */
  stored(key: string, path: string): string;
  /** `PF_BINDING_INVALID` when a key to write has nowhere to go (the value would be dropped). */
  assertWritable(values: Row): void;
}

/** How an integration reads, locks and writes the rows of a {@link WalkTarget}. */
export interface WalkStore<Tx> {
  /**
   * Up to `size` rows after `cursor` (from the first when undefined), in key order: inside `tx`, locked (`FOR
   * UPDATE`); without (a dry run), read plainly.
   */
  read(tx: Tx | undefined, cursor: unknown, size: number): Promise<Row[]>;
  /** Writes `values` (by row key) to the row whose key is `key`, inside `tx`. */
  write(tx: Tx, key: unknown, values: Row): Promise<void>;
  /** Runs `run` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(run: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs database work: a database error (whose message may quote values) becomes a value-free
   * `PF_STORE_UNAVAILABLE`, with at most the SQLSTATE or the ORM's code; purposeful's own errors pass.
   */
  guard<T>(run: () => Promise<T>, reading: boolean): Promise<T>;
}

/** `PF_OPTIONS_INVALID` naming the schema. */
export function optionsInvalid(message: string, schema?: PurposefulSchema): PurposefulError {
  return new PurposefulError('PF_OPTIONS_INVALID', message, schema ? { schema: schema.id } : undefined);
}

/** A positive integer option, its fallback when absent; `unbounded` lets `Infinity` through (a limit, not a batch). */
function positiveInteger(value: number | undefined, fallback: number, what: string, unbounded = false): number {
  const n = value ?? fallback;
  if (!(Number.isInteger(n) && n >= 1) && !(unbounded && n === Number.POSITIVE_INFINITY))
    throw optionsInvalid(`${what} must be a positive integer`);
  return n;
}

/** Checks `batchSize` and `limit` before any row is read. */
export function checkWalkOptions(options: WalkOptions): void {
  positiveInteger(options.batchSize, 100, 'batchSize');
  positiveInteger(options.limit, Number.POSITIVE_INFINITY, 'limit', true);
}

/**
 * Walks the rows after `options.cursor` by the key, a batch at a time: each batch read (locked) and handed to
 * `onBatch` in one transaction (a dry run: read without one, and `tx` undefined), then `after` awaited.
 */
async function walk<Tx>(
  target: WalkTarget,
  store: WalkStore<Tx>,
  options: WalkOptions,
  onBatch: (rows: Row[], tx: Tx | undefined) => Promise<void>,
  after: (done: number, cursor: unknown) => Promise<void> | void,
): Promise<{ done: number; cursor: unknown; complete: boolean }> {
  const batchSize = positiveInteger(options.batchSize, 100, 'batchSize');
  const limit = positiveInteger(options.limit, Number.POSITIVE_INFINITY, 'limit', true);
  let cursor = options.cursor;
  let done = 0;
  for (;;) {
    if (options.signal?.aborted || done >= limit) return { done, cursor, complete: false };
    const size = Math.min(batchSize, limit - done);
    let rows: Row[];
    // a driver error quotes the statement and its parameters (a key or a value in clear): value-free instead
    if (options.dryRun) {
      rows = await store.guard(() => store.read(undefined, cursor, size), true);
      if (rows.length > 0) await onBatch(rows, undefined);
    } else {
      const from = cursor;
      rows = await store.guard(
        () =>
          store.transaction(async (tx) => {
            const batch = await store.read(tx, from, size);
            if (batch.length > 0) await onBatch(batch, tx);
            return batch;
          }),
        false,
      );
    }
    if (rows.length === 0) return { done, cursor, complete: true };
    done += rows.length;
    cursor = (rows[rows.length - 1] as Row)[target.key];
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

type EncryptedSteps = ReadonlyArray<{ field: FieldInfo; steps: Step[] }>;

/** The encrypted fields of a schema with their steps, read once per walk. */
function encryptedSteps(schema: PurposefulSchema): EncryptedSteps {
  return schema.fields.filter((f) => f.encrypt).map((field) => ({ field, steps: stepsOf(field.path) }));
}

/**
 * Whether the walk may name a row's key in an error: only when it holds no personal field and is not the subject
 * reference (an id that designates a person is personal data itself).
 */
function keyIsNameable(schema: PurposefulSchema, name: string): boolean {
  const subject = schema.subject?.id;
  if (subject !== undefined && (subject === name || subject.startsWith(`${name}.`))) return false;
  return !schema.fields.some((f) => f.path === name || f.path.startsWith(`${name}.`) || f.path.startsWith(`${name}[`));
}

/** The encrypted values of a row, plaintext and envelopes apart; a value that starts like an envelope must parse. */
function classify(
  target: WalkTarget,
  encrypted: EncryptedSteps,
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
        throw new PurposefulError(
          'PF_CIPHERTEXT_MALFORMED',
          `${target.stored(String(place[0]), field.path)}, ${where()}: the value starts like an envelope but does not parse; it is neither sealed again nor overwritten: repair or clear it, then resume`,
          { schema: target.schema.id, paths: [field.path] },
        );
      }
      sealed.push({ field, place, value });
    });
  }
  return { plain, sealed };
}

/** How an error names a row of the batch: its key when that is not personal data, else its position after the cursor. */
function rowName(target: WalkTarget, row: Row, index: number): () => string {
  const key = target.key;
  return () =>
    keyIsNameable(target.schema, key)
      ? `row ${key} = ${JSON.stringify(String(row[key]))}`
      : `row ${index + 1} of the batch after the cursor (its ${key} is personal data and is not named)`;
}

/**
 * The values to write for a row holding plaintext: the values sealed where they were plaintext, envelopes kept as
 * they are (never sealed again), blind indexes whose fields were all plaintext, and what `seal` adds (a restriction).
 */
async function sealRow(
  pf: Engine,
  target: WalkTarget,
  row: Row,
  found: { plain: Found[]; sealed: Found[] },
  ctx: PurposeContext,
): Promise<Row> {
  const schema = target.schema;
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
  const out = await pf.seal(schema, record, ctx);
  for (const f of found.sealed) setAt(out, f.place, f.value);
  const values: Row = {};
  for (const f of found.plain) values[f.place[0] as string] = out[f.place[0] as string];
  const sealedFields = new Set(found.sealed.map((f) => f.field));
  for (const index of schema.indexes) {
    // an index over a value already sealed keeps its column: it cannot be computed without opening that value
    if (!index.fields.some((f) => sealedFields.has(f))) values[`bidx_${index.name}`] = out[`bidx_${index.name}`] ?? null;
  }
  for (const [k, v] of Object.entries(out)) {
    if (!Object.hasOwn(values, k) && !target.encryptedKeys.has(k) && !k.startsWith('bidx_') && v !== row[k]) values[k] = v;
  }
  target.assertWritable(values);
  return values;
}

/**
 * The purpose context an encryption walk seals for: given, without a subject (each row's subject is read from the
 * row). `name` is the function the caller called, for the message.
 */
export function sealingContext(options: unknown, schema: PurposefulSchema, name: string): PurposeContext {
  const ctx = (options as { ctx?: unknown } | null | undefined)?.ctx as PurposeContext | undefined;
  if (typeof ctx !== 'object' || ctx === null) {
    throw optionsInvalid(`${name}() needs options.ctx: the purpose and actor each row is sealed for`, schema);
  }
  if (ctx.subjectId !== undefined) {
    throw optionsInvalid(`${name}() walks every subject's rows: give a ctx without subjectId`, schema);
  }
  return ctx;
}

/**
 * Seals the plaintext of every row after the cursor (see `encryptTable`): `ctx` from {@link sealingContext}, the
 * target's key checked by the integration.
 */
export async function encryptRows<Tx>(
  pf: Engine,
  target: WalkTarget,
  store: WalkStore<Tx>,
  ctx: PurposeContext,
  options: EncryptRun,
): Promise<EncryptSummary> {
  const encrypted = encryptedSteps(target.schema);
  let sealed = 0;
  let skipped = 0;
  const walked = await walk(
    target,
    store,
    options,
    async (rows, tx) => {
      for (const [i, row] of rows.entries()) {
        const found = classify(target, encrypted, row, rowName(target, row, i));
        if (found.plain.length === 0) {
          skipped++;
          continue;
        }
        sealed++;
        if (tx === undefined) continue;
        const values = await sealRow(pf, target, row, found, ctx);
        await store.write(tx, row[target.key], values);
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

/**
 * The purpose context a rotation walk opens rows for to index them again: undefined when the schema declares no
 * blind index, else given, without a subject, and seeing every indexed field in clear. `name` is the function the
 * caller called, for the message.
 */
export function indexingContext(options: unknown, schema: PurposefulSchema, name: string): PurposeContext | undefined {
  if (schema.indexes.length === 0) return undefined;
  const ctx = (options as { ctx?: unknown } | null | undefined)?.ctx as PurposeContext | undefined;
  if (typeof ctx !== 'object' || ctx === null) {
    throw optionsInvalid(
      `schema "${schema.id}" declares blind indexes: ${name}() writes them again from the opened values, and needs options.ctx, a purpose that sees ${schema.indexes
        .flatMap((ix) => ix.fields.map((f) => f.path))
        .join(', ')} in clear`,
      schema,
    );
  }
  if (ctx.subjectId !== undefined)
    throw optionsInvalid(`${name}() walks every subject's rows: give a ctx without subjectId`, schema);
  const roles = Array.isArray(ctx.actor?.roles) ? ctx.actor.roles : [];
  const hidden = schema.indexes.flatMap((ix) => ix.fields).filter((f) => levelOf(f, ctx.purpose, roles) !== 'clear');
  if (hidden.length > 0) {
    throw optionsInvalid(
      `purpose "${ctx.purpose}" does not see ${[...new Set(hidden.map((f) => f.path))].join(', ')} in clear for the actor's roles: ${name}() needs a purpose that does, to write the blind indexes again`,
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
 * Rotates the keys of every row after the cursor (see `rotateTable`): `ctx` from {@link indexingContext}, the
 * target's key checked by the integration.
 */
export async function rotateRows<Tx>(
  pf: Engine,
  target: WalkTarget,
  store: WalkStore<Tx>,
  ctx: PurposeContext | undefined,
  options: RotateRun,
): Promise<RotateWalkSummary> {
  const schema = target.schema;
  const indexes = schema.indexes;
  const primary = new Map(indexes.map((ix) => [ix.name, primaryIndexKid(pf, schema, ix)]));
  const counts = { changed: 0, indexed: 0, erased: 0, restricted: 0 };
  const walked = await walk(
    target,
    store,
    options,
    async (rows, tx) => {
      const rotated = (await pf.rotate(schema, rows, { batchSize: rows.length })).rows as Row[];
      for (const [i, before] of rows.entries()) {
        const after = rotated[i] as Row;
        const values: Row = {};
        if (after !== before) {
          counts.changed++;
          for (const key of target.encryptedKeys) if (after[key] !== before[key]) values[key] = after[key];
        }
        const stale = indexes.filter((ix) => {
          const v = after[`bidx_${ix.name}`];
          return typeof v === 'string' && !v.startsWith(`${primary.get(ix.name)}.`);
        });
        if (stale.length > 0) {
          if (tx === undefined) counts.indexed++;
          else {
            try {
              const record = { ...after };
              for (const key of target.nullMeansAbsent) if (record[key] === null) delete record[key];
              const opened = await pf.open(schema, record, ctx as PurposeContext);
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
        await store.write(tx, before[target.key], values);
      }
    },
    (done, cursor) => options.onProgress?.({ done, ...counts, cursor }),
  );
  return { done: walked.done, ...counts, cursor: walked.cursor, complete: walked.complete, dryRun: options.dryRun === true };
}
