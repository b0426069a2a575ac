/**
 * Binding a schema to a Drizzle PostgreSQL table: the start-up check that
 * every encrypted field, blind index, subject and record id has a column that
 * can hold it, and the lookups the scoped client and the query operators use.
 *
 * @module
 * @internal
 */
import { type Column, getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type FieldInfo, PurposefulError, type PurposefulSchema } from 'purposeful';
import { encryptedByKey, nullMeansAbsent, singleIndexes, topKey } from '../orm/lookups.js';
import { sourceProblems } from '../orm/sources.js';

/** A schema bound to a table, with what the client needs to write, read and query it. */
export interface BindingCore {
  readonly schema: PurposefulSchema;
  readonly table: PgTable;
  /** Column key (the JavaScript key in the table, which a sealed row's keys are) → column. */
  readonly columns: Readonly<Record<string, Column>>;
  /** Column → its key. */
  readonly keyOf: ReadonlyMap<Column, string>;
  /** Top-level key → the encrypted fields stored under it (itself, or nested in a json/jsonb column). */
  readonly encryptedUnder: ReadonlyMap<string, readonly FieldInfo[]>;
  /** Top-level key of a field encrypted and indexed alone → the blind index's name. */
  readonly indexOf: ReadonlyMap<string, string>;
  /** Top-level keys whose field may be absent but not null: a SQL NULL read there is an absent field. */
  readonly nullMeansAbsent: readonly string[];
  /** The paths of the subject field and the record id (what every envelope of a row is bound to), when declared. */
  readonly identity: readonly string[];
  /** Each blind index → the top-level keys of its fields (all of them are needed to compute it). */
  readonly indexKeys: ReadonlyMap<string, readonly string[]>;
}

/** The key of the column that carries a row's restriction (erasure, blockings) when the table has one. */
export const RESTRICTION_KEY = 'pf_restriction';

/** The code a sealed column answers a plaintext with: how `bindTable` recognizes one. */
export const SEALED_REFUSAL = 'PF_NOT_ENCRYPTED';

const JSON_TYPES = new Set(['json', 'jsonb']);

/** `PF_BINDING_INVALID`, each problem also in `problems` (its `message` naming a field path or column, never a value). */
function invalid(schema: PurposefulSchema, table: string, problems: readonly string[]): PurposefulError {
  return new PurposefulError(
    'PF_BINDING_INVALID',
    `schema "${schema.id}" cannot be bound to table "${table}": ${problems.join('; ')}`,
    {
      schema: schema.id,
      problems: sourceProblems(schema.id, problems),
    },
  );
}

/** The key of the marker every binding carries, shared with `purposeful check` (which never imports Drizzle). */
const BINDING_MARK = Symbol.for('purposeful.binding');

/**
 * Puts on `binding` (before it is frozen) the non-enumerable marker `purposeful check` finds bindings by:
 * `{ schema, target: 'table <sql name>', problems() }`, `problems()` re-running the start-up verification.
 */
export function markBinding<B extends object>(binding: B, schema: PurposefulSchema, table: PgTable): B {
  const mark = Object.freeze({
    schema,
    target: `table ${getTableName(table)}`,
    problems: (): readonly string[] => Object.freeze(problemsOf(schema, getTableColumns(table) as Record<string, Column>)),
  });
  return Object.defineProperty(binding, BINDING_MARK, { value: mark, enumerable: false });
}

/** True when the column refuses a plaintext as a `sealed` column does (asked, not read from Drizzle's internals). */
function refusesPlaintext(column: Column): boolean {
  try {
    column.mapToDriverValue('plaintext');
    return false;
  } catch (err) {
    return err instanceof PurposefulError && err.code === SEALED_REFUSAL;
  }
}

export { topKey };

/** The problems of one encrypted field: its column must be `sealed`, or json/jsonb for a nested field. */
function encryptedProblem(field: FieldInfo, columns: Readonly<Record<string, Column>>): string | undefined {
  const key = topKey(field.path);
  const column = columns[key];
  if (column === undefined) return `encrypted field "${field.path}" has no column "${key}"`;
  if (key === field.path) {
    return refusesPlaintext(column)
      ? undefined
      : `encrypted field "${field.path}": column "${key}" must be sealed("${column.name}")`;
  }
  return JSON_TYPES.has(column.getSQLType())
    ? undefined
    : `encrypted field "${field.path}" is nested: column "${key}" must be json or jsonb to hold its envelopes`;
}

/** Every problem of binding `schema` to `table`, each naming a field path or a column. */
function problemsOf(schema: PurposefulSchema, columns: Readonly<Record<string, Column>>): string[] {
  const problems: string[] = [];
  for (const field of schema.fields) {
    if (!field.encrypt) continue;
    const problem = encryptedProblem(field, columns);
    if (problem !== undefined) problems.push(problem);
  }
  for (const index of schema.indexes) {
    if (columns[`bidx_${index.name}`] === undefined)
      problems.push(`blind index "${index.name}" has no column "bidx_${index.name}"`);
  }
  const subject = schema.subject?.id;
  if (subject !== undefined && columns[topKey(subject)] === undefined) problems.push(`subject field "${subject}" has no column`);
  const recordId = schema.recordId;
  if (recordId !== undefined && columns[topKey(recordId)] === undefined) problems.push(`record id "${recordId}" has no column`);
  return problems;
}

/** Checks the binding (`PF_BINDING_INVALID`, every problem at once) and compiles its lookups. */
export function compileBinding(schema: PurposefulSchema, table: PgTable): BindingCore {
  const columns = getTableColumns(table) as Record<string, Column>;
  const problems = problemsOf(schema, columns);
  if (problems.length > 0) throw invalid(schema, getTableName(table), problems);
  const keyOf = new Map<Column, string>();
  for (const [key, column] of Object.entries(columns)) keyOf.set(column, key);
  const encryptedUnder = encryptedByKey(schema);
  const indexOf = singleIndexes(schema);
  const indexKeys = new Map<string, string[]>();
  for (const index of schema.indexes) indexKeys.set(index.name, [...new Set(index.fields.map((f) => topKey(f.path)))]);
  const identity = [...new Set([schema.subject?.id, schema.recordId].filter((p): p is string => p !== undefined))];
  return {
    schema,
    table,
    columns,
    keyOf,
    encryptedUnder,
    indexOf,
    nullMeansAbsent: nullMeansAbsent(schema, (key) => columns[key] !== undefined),
    identity,
    indexKeys,
  };
}

/** A row as Drizzle read it, its NULLs of optional fields made absent (in place: the row is the driver's copy). */
export function absentNulls(binding: BindingCore, row: Record<string, unknown>): Record<string, unknown> {
  for (const key of binding.nullMeansAbsent) if (row[key] === null) delete row[key];
  return row;
}

/** `PF_BINDING_INVALID` for a sealed row key the table has no column for (the value would be dropped). */
export function assertColumns(binding: BindingCore, row: Readonly<Record<string, unknown>>): void {
  const missing = Object.keys(row).filter((key) => binding.columns[key] === undefined);
  if (missing.length === 0) return;
  throw invalid(binding.schema, getTableName(binding.table), [`the sealed row has no column for ${missing.join(', ')}`]);
}

/**
 * Runs statements that carry personal data: a driver or Drizzle error (whose message quotes the statement and its
 * parameters) becomes a value-free `PF_STORE_UNAVAILABLE` with the SQLSTATE; the desk's own errors pass.
 */
export async function guarded<T>(table: string, run: () => Promise<T>, reading = false): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PurposefulError) throw err;
    const state = sqlState(err);
    const at = state ? ` (SQLSTATE ${state})` : '';
    throw new PurposefulError(
      'PF_STORE_UNAVAILABLE',
      reading
        ? `a read of the ${table} table failed${at}; its statement and values are not shown`
        : `the ${table} table did not take the change${at}: nothing of it was stored`,
      state !== undefined ? { reason: state } : undefined,
    );
  }
}

/** The SQLSTATE of a driver error, or of the one Drizzle wraps. */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
