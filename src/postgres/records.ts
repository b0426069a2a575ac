/**
 * Data-subject requests and retention sweeps over tables that follow one
 * convention: a table per schema, one row per record, the record as stored
 * (sealed) in a jsonb column, with its subject and record id beside it.
 *
 * ```sql
 * CREATE TABLE customers (
 *   record  text PRIMARY KEY,          -- the schema's recordId value
 *   subject text NOT NULL,             -- the schema's subject id value
 *   data    jsonb NOT NULL,            -- the sealed record, bidx_* columns included
 *   created_at timestamptz NOT NULL DEFAULT now()
 * );
 * CREATE INDEX ON customers (subject);
 * -- the anonymous copies kept when fields that declare `anonymize` leave a record
 * CREATE TABLE customers_anonymous (schema text NOT NULL, fields text[] NOT NULL, data jsonb NOT NULL);
 * ```
 *
 * The anonymous table holds no subject, record id or time: nothing that leads
 * back to the person or to the row the copy came from.
 *
 * @module
 */
import {
  type AnonymousRecord,
  PurposefulError,
  type PurposefulSchema,
  type RetentionSource,
  type RightsSource,
} from 'purposeful';
import type { Query, SqlClient } from './client.js';

const TABLE = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

function tableOf(table: string): string {
  if (typeof table !== 'string' || !TABLE.test(table)) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'the table name must be a lowercase SQL identifier (optionally schema-qualified)',
    );
  }
  return table;
}

/** The table anonymous copies of a convention table go to: `<table>_anonymous`. */
function anonymousTableOf(table: string): string {
  const t = `${tableOf(table)}_anonymous`;
  if (!TABLE.test(t)) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `the table name is too long for its anonymous table ${t} (an SQL identifier has at most 63 characters)`,
    );
  }
  return t;
}

/**
 * What each row looked like when the source last read it, by record id: a
 * change applies only to a row still as it was read, so two sweeps, or a sweep
 * and a correction, never overwrite each other or keep a copy twice. Only the
 * last read (a page, a subject's rows) is remembered.
 */
class AsRead {
  #rows = new Map<string, string>();
  remember(rows: readonly { readonly record: string; readonly data: unknown }[]): void {
    this.#rows.clear();
    for (const r of rows) this.#rows.set(r.record, typeof r.data === 'string' ? r.data : JSON.stringify(r.data));
  }
  of(record: string): string | undefined {
    return this.#rows.get(record);
  }
}

/** Runs statements that carry personal data; a driver error (which quotes them) becomes a value-free one. */
async function guarded<T>(table: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PurposefulError) throw err;
    const state = (err as { code?: unknown } | null)?.code;
    throw new PurposefulError(
      'PF_STORE_UNAVAILABLE',
      `the ${table} table did not take the change${typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? ` (SQLSTATE ${state})` : ''}: nothing of it was stored`,
    );
  }
}

/**
 * Stores an anonymous copy and the change to its row in one transaction; the
 * copy is written only when the row was there, as read, to change: a retried
 * or concurrent departure never keeps it twice. `subject` restricts the change
 * to that subject's row.
 */
async function departWithCopy(
  client: SqlClient,
  table: string,
  schema: PurposefulSchema,
  copy: AnonymousRecord,
  row: Record<string, unknown>,
  change: { readonly how: 'remove' | 'update'; readonly subject?: string; readonly asRead?: string },
): Promise<number> {
  const anonymous = anonymousTableOf(table);
  return guarded(table, () =>
    client.transaction(async (q) => {
      const changed = await changeRow(q, table, schema, row, change);
      if (changed === 1) {
        await q(`INSERT INTO ${anonymous} (schema, fields, data) VALUES ($1, $2, $3)`, [
          copy.schema,
          [...copy.fields],
          jsonbText(copy.data),
        ]);
      }
      return changed;
    }),
  );
}

/** Removes or updates one row by its record id (and subject, and content as read); how many rows changed. */
async function changeRow(
  q: Query,
  table: string,
  schema: PurposefulSchema,
  row: Record<string, unknown>,
  change: { readonly how: 'remove' | 'update'; readonly subject?: string; readonly asRead?: string },
): Promise<number> {
  const params: unknown[] = [recordOf(schema, row)];
  const where = ['record = $1'];
  if (change.subject !== undefined) where.push(`subject = $${params.push(change.subject)}`);
  if (change.asRead !== undefined) where.push(`data = $${params.push(change.asRead)}::jsonb`);
  const { rows } =
    change.how === 'remove'
      ? await q(`DELETE FROM ${table} WHERE ${where.join(' AND ')} RETURNING record`, params)
      : await q(
          `UPDATE ${table} SET data = $${params.push(jsonbText(row))}::jsonb WHERE ${where.join(' AND ')} RETURNING record`,
          params,
        );
  return rows.length;
}

/** JSON for a jsonb column: PostgreSQL refuses the NUL character, which a decrypted value may hold. */
function jsonbText(value: unknown): string {
  // an escape `\u0000` (after an even run of backslashes: not text that merely reads so) becomes U+FFFD
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

const parse = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

function recordOf(schema: PurposefulSchema, row: Record<string, unknown>): string {
  const id = schema.recordId !== undefined ? row[schema.recordId] : undefined;
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `a "${schema.id}" row needs its record id (${schema.recordId ?? 'recordId'}) to be stored`,
      { schema: schema.id },
    );
  }
  return String(id);
}

/**
 * Creates a table that follows the convention, and its `<table>_anonymous`
 * table of anonymous copies (idempotent).
 *
 * @example
 * ```ts
 * await createRecordsTable(db, 'customers');
 * ```
 * @category Records
 */
export async function createRecordsTable(client: SqlClient, table: string): Promise<void> {
  const t = tableOf(table);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${t} (record text PRIMARY KEY, subject text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await client.query(`CREATE INDEX IF NOT EXISTS ${t.replace('.', '_')}_subject ON ${t} (subject)`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${anonymousTableOf(t)} (schema text NOT NULL, fields text[] NOT NULL, data jsonb NOT NULL)`,
  );
}

/**
 * Stores a sealed record in a convention table (insert or replace).
 *
 * @example
 * ```ts
 * await putRecord(db, 'customers', Customer, await pf.seal(Customer, customer, ctx));
 * ```
 * @category Records
 */
export async function putRecord(
  client: SqlClient,
  table: string,
  schema: PurposefulSchema,
  row: Record<string, unknown>,
): Promise<void> {
  const subject = schema.subject?.id !== undefined ? row[schema.subject.id] : undefined;
  if (typeof subject !== 'string')
    throw new PurposefulError('PF_SUBJECT_MISSING', `a "${schema.id}" row needs its subject id to be stored`, {
      schema: schema.id,
    });
  const t = tableOf(table);
  await guarded(t, () =>
    client.query(
      `INSERT INTO ${t} (record, subject, data) VALUES ($1, $2, $3) ON CONFLICT (record) DO UPDATE SET data = EXCLUDED.data, subject = EXCLUDED.subject`,
      [recordOf(schema, row), subject, JSON.stringify(row)],
    ),
  );
}

/**
 * A rights source over a convention table: `find` by subject; `update`,
 * `remove` and `anonymize` by record, only ever on that subject's rows.
 * Anonymous copies go to `<table>_anonymous` in the same transaction as the
 * change to the row.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ …, rights: rightsDesk({ verify, sources: { customer: postgresRightsSource(db, 'customers', Customer) } }) });
 * ```
 * @category Rights and retention
 */
export function postgresRightsSource(client: SqlClient, table: string, schema: PurposefulSchema, origin?: string): RightsSource {
  const t = tableOf(table);
  const q: Query = (sql, params) => client.query(sql, params);
  const asRead = new AsRead();
  const missing = () =>
    new PurposefulError('PF_INPUT_INVALID', `no "${schema.id}" record of the subject, as read, to change: read it again`, {
      schema: schema.id,
    });
  const change = (subject: string, row: Record<string, unknown>, how: 'remove' | 'update') => ({
    how,
    subject,
    ...(asRead.of(recordOf(schema, row)) !== undefined ? { asRead: asRead.of(recordOf(schema, row)) as string } : {}),
  });
  return {
    ...(origin !== undefined ? { origin } : {}),
    async find(subjectId) {
      const { rows } = await client.query<{ record: string; data: unknown }>(
        `SELECT record, data FROM ${t} WHERE subject = $1 ORDER BY record`,
        [subjectId],
      );
      asRead.remember(rows);
      return rows.map((r) => parse(r.data));
    },
    async update(subjectId, row) {
      const n = await guarded(t, () => changeRow(q, t, schema, row, change(subjectId, row, 'update')));
      if (n !== 1) throw missing();
    },
    async remove(subjectId, row) {
      const n = await guarded(t, () => changeRow(q, t, schema, row, change(subjectId, row, 'remove')));
      if (n !== 1) throw missing();
    },
    async anonymize(subjectId, copy, row, how) {
      if ((await departWithCopy(client, t, schema, copy, row, change(subjectId, row, how))) !== 1) throw missing();
    },
  };
}

/**
 * A retention source over a convention table: pages by record id, and the
 * retention counted from `created_at` (collection) or from the events your
 * `startOf` reads from the record. Anonymous copies go to
 * `<table>_anonymous` in the same transaction as the change to the row.
 *
 * @example
 * ```ts
 * const tickets = postgresRetentionSource(db, 'tickets', Ticket);
 * const result = await pf.retention.sweep(tickets, { dryRun: true });
 * ```
 * @category Rights and retention
 */
export function postgresRetentionSource(
  client: SqlClient,
  table: string,
  schema: PurposefulSchema,
  startOf: (row: Record<string, unknown>, event: string) => Date | undefined = () => undefined,
): RetentionSource {
  const t = tableOf(table);
  const q: Query = (sql, params) => client.query(sql, params);
  const created = new WeakMap<object, Date>();
  const asRead = new AsRead();
  const change = (row: Record<string, unknown>, how: 'remove' | 'update') => {
    const before = asRead.of(recordOf(schema, row));
    return { how, ...(before !== undefined ? { asRead: before } : {}) };
  };
  return {
    schema,
    async page(cursor, limit) {
      const { rows } = await client.query<{ record: string; data: unknown; created_at: Date | string }>(
        `SELECT record, data, created_at FROM ${t} WHERE ($1::text IS NULL OR record > $1) ORDER BY record LIMIT $2`,
        [cursor ?? null, limit],
      );
      asRead.remember(rows);
      const out = rows.map((r) => {
        const row = parse(r.data);
        created.set(row, new Date(r.created_at));
        return row;
      });
      return { rows: out, ...(rows.length ? { next: rows[rows.length - 1]?.record } : {}) };
    },
    startOf: (row, event) => (event === 'collection' ? created.get(row) : startOf(row, event)),
    // a row changed since it was read (a correction, another sweep) is left for the next sweep
    async update(row) {
      await guarded(t, () => changeRow(q, t, schema, row, change(row, 'update')));
    },
    async remove(row) {
      await guarded(t, () => changeRow(q, t, schema, row, change(row, 'remove')));
    },
    async anonymize(copy, row, how) {
      await departWithCopy(client, t, schema, copy, row, change(row, how));
    },
  };
}
