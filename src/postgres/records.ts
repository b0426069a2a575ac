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
 * Stores an anonymous copy and the change to its row in one transaction; the
 * copy is written only when the row was there to change, so a retried or
 * concurrent departure never keeps it twice. `subject` restricts the change to
 * that subject's row.
 */
async function departWithCopy(
  client: SqlClient,
  table: string,
  schema: PurposefulSchema,
  copy: AnonymousRecord,
  row: Record<string, unknown>,
  change: 'remove' | 'update',
  subject: string | undefined,
): Promise<number> {
  const anonymous = anonymousTableOf(table);
  return client.transaction(async (q) => {
    const changed = await changeRow(q, table, schema, row, change, subject);
    if (changed === 1) {
      await q(`INSERT INTO ${anonymous} (schema, fields, data) VALUES ($1, $2, $3)`, [
        copy.schema,
        [...copy.fields],
        jsonbText(copy.data),
      ]);
    }
    return changed;
  });
}

/** Removes or updates one row by its record id (and subject); how many rows changed. */
async function changeRow(
  q: Query,
  table: string,
  schema: PurposefulSchema,
  row: Record<string, unknown>,
  change: 'remove' | 'update',
  subject: string | undefined,
): Promise<number> {
  const bySubject = subject === undefined ? '' : ' AND subject = $2';
  const params: unknown[] = subject === undefined ? [recordOf(schema, row)] : [recordOf(schema, row), subject];
  const { rows } =
    change === 'remove'
      ? await q(`DELETE FROM ${table} WHERE record = $1${bySubject} RETURNING record`, params)
      : await q(`UPDATE ${table} SET data = $${params.length + 1} WHERE record = $1${bySubject} RETURNING record`, [
          ...params,
          jsonbText(row),
        ]);
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
  await client.query(
    `INSERT INTO ${tableOf(table)} (record, subject, data) VALUES ($1, $2, $3) ON CONFLICT (record) DO UPDATE SET data = EXCLUDED.data, subject = EXCLUDED.subject`,
    [recordOf(schema, row), subject, JSON.stringify(row)],
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
 * const pf = createPurposeful({ …, rights: { verify, sources: { customer: postgresRightsSource(db, 'customers', Customer) } } });
 * ```
 */
export function postgresRightsSource(client: SqlClient, table: string, schema: PurposefulSchema, origin?: string): RightsSource {
  const t = tableOf(table);
  const q: Query = (sql, params) => client.query(sql, params);
  const missing = () =>
    new PurposefulError('PF_INPUT_INVALID', `no "${schema.id}" record of the subject to change`, { schema: schema.id });
  return {
    ...(origin !== undefined ? { origin } : {}),
    async find(subjectId) {
      const { rows } = await client.query<{ data: unknown }>(`SELECT data FROM ${t} WHERE subject = $1 ORDER BY record`, [
        subjectId,
      ]);
      return rows.map((r) => parse(r.data));
    },
    async update(subjectId, row) {
      if ((await changeRow(q, t, schema, row, 'update', subjectId)) !== 1) throw missing();
    },
    async remove(subjectId, row) {
      if ((await changeRow(q, t, schema, row, 'remove', subjectId)) !== 1) throw missing();
    },
    async anonymize(subjectId, copy, row, change) {
      if ((await departWithCopy(client, t, schema, copy, row, change, subjectId)) !== 1) throw missing();
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
  return {
    schema,
    async page(cursor, limit) {
      const { rows } = await client.query<{ record: string; data: unknown; created_at: Date | string }>(
        `SELECT record, data, created_at FROM ${t} WHERE ($1::text IS NULL OR record > $1) ORDER BY record LIMIT $2`,
        [cursor ?? null, limit],
      );
      const out = rows.map((r) => {
        const row = parse(r.data);
        created.set(row, new Date(r.created_at));
        return row;
      });
      return { rows: out, ...(rows.length ? { next: rows[rows.length - 1]?.record } : {}) };
    },
    startOf: (row, event) => (event === 'collection' ? created.get(row) : startOf(row, event)),
    async update(row) {
      await changeRow(q, t, schema, row, 'update', undefined);
    },
    async remove(row) {
      await changeRow(q, t, schema, row, 'remove', undefined);
    },
    // a row another sweep already changed is left alone, and its copy is not kept twice
    async anonymize(copy, row, change) {
      await departWithCopy(client, t, schema, copy, row, change, undefined);
    },
  };
}
