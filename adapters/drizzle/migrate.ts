/**
 * Encrypting a table's existing plaintext and rotating its keys, batch by
 * batch: the Drizzle side of the shared walks (orm/migrate) (the key
 * column, the locked read, the write by key, the transaction).
 *
 * @module
 * @internal
 */
import { asc, type Column, eq, getTableName, gt } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
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
import { assertColumns, type BindingCore, compileBinding, guarded } from './binding.js';
import type { AnyPgDatabase } from './scoped.js';

export type { EncryptProgress, EncryptSummary, RotateWalkProgress, RotateWalkSummary, WalkOptions } from '../orm/migrate.js';

/**
 * Options every table walk takes: {@link encryptTable} and {@link rotateTable}.
 *
 * @example
 * ```ts
 * const walk: TableWalkOptions = { batchSize: 500, cursor: saved, signal: AbortSignal.timeout(60_000) };
 * ```
 * @category Drizzle
 */
export interface TableWalkOptions extends WalkOptions {
  /**
   * The column the walk orders and resumes by: a primary key or unique, not
   * null, not encrypted column of the table (default: the column of the
   * schema's `recordId`).
   */
  readonly key?: Column | undefined;
}

/**
 * Where {@link rotateTable} is, after a batch: {@link RotateWalkProgress}.
 *
 * @example
 * ```ts
 * const onProgress = (p: RotateTableProgress) => console.log(`${p.done} rows: ${p.changed} re-encrypted, ${p.indexed} re-indexed`);
 * ```
 * @category Drizzle
 */
export type RotateTableProgress = RotateWalkProgress;

/**
 * What {@link rotateTable} did: {@link RotateWalkSummary}.
 *
 * @example
 * ```ts
 * const summary: RotateTableSummary = await rotateTable(db, pf, customers, { ctx });
 * if (summary.complete && summary.restricted === 0) console.log('every blind index is under the new key');
 * ```
 * @category Drizzle
 */
export type RotateTableSummary = RotateWalkSummary;

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

/** The walk's view of a bound table, walked by `key`. */
function targetOf(core: BindingCore, key: string): WalkTarget {
  const table = getTableName(core.table);
  return {
    schema: core.schema,
    key,
    encryptedKeys: new Set(core.encryptedUnder.keys()),
    nullMeansAbsent: core.nullMeansAbsent,
    stored: (column, path) => `column "${column}" of table "${table}" (field "${path}")`,
    assertWritable: (values) => assertColumns(core, values),
  };
}

/** Reads and writes a bound table through Drizzle: keyset by `key`, `FOR UPDATE` inside a transaction. */
function storeOf(db: AnyPgDatabase, core: BindingCore, key: { column: Column }): WalkStore<AnyPgDatabase> {
  const table = getTableName(core.table);
  return {
    async read(tx, cursor, size) {
      const query = (tx ?? db).select().from(core.table).$dynamic();
      if (cursor !== undefined) query.where(gt(key.column, cursor));
      query.orderBy(asc(key.column)).limit(size);
      if (tx !== undefined) query.for('update');
      return (await query) as Row[];
    },
    async write(tx, value, values) {
      await tx.update(core.table).set(values).where(eq(key.column, value));
    },
    transaction: (run) => db.transaction((tx) => run(tx as unknown as AnyPgDatabase)),
    guard: (run, reading) => guarded(table, run, reading),
  };
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
  const ctx = sealingContext(options, core.schema, 'encryptTable');
  const key = keyColumn(core, options.key);
  checkWalkOptions(options);
  return encryptRows(pf, targetOf(core, key.name), storeOf(db, core, key), ctx, options);
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
  const ctx = indexingContext(options, core.schema, 'rotateTable');
  const key = keyColumn(core, options.key);
  checkWalkOptions(options);
  return rotateRows(pf, targetOf(core, key.name), storeOf(db, core, key), ctx, options);
}
