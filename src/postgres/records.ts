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
 * ```
 *
 * @module
 */
import { PurposefulError, type PurposefulSchema, type RetentionSource, type RightsSource } from 'purposeful';
import type { SqlClient } from './client.js';

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
 * Creates a table that follows the convention (idempotent).
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
 * A rights source over a convention table: `find` by subject, `update` by record.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ …, rights: { verify, sources: { customer: postgresRightsSource(db, 'customers', Customer) } } });
 * ```
 */
export function postgresRightsSource(client: SqlClient, table: string, schema: PurposefulSchema, origin?: string): RightsSource {
  const t = tableOf(table);
  return {
    ...(origin !== undefined ? { origin } : {}),
    async find(subjectId) {
      const { rows } = await client.query<{ data: unknown }>(`SELECT data FROM ${t} WHERE subject = $1 ORDER BY record`, [
        subjectId,
      ]);
      return rows.map((r) => parse(r.data));
    },
    async update(subjectId, row) {
      const { rows } = await client.query(`UPDATE ${t} SET data = $3 WHERE record = $1 AND subject = $2 RETURNING record`, [
        recordOf(schema, row),
        subjectId,
        JSON.stringify(row),
      ]);
      if (rows.length !== 1)
        throw new PurposefulError('PF_INPUT_INVALID', `no "${schema.id}" record of the subject to update`, { schema: schema.id });
    },
  };
}

/**
 * A retention source over a convention table: pages by record id, and the
 * retention counted from `created_at` (collection) or from the events your
 * `startOf` reads from the record.
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
      await client.query(`UPDATE ${t} SET data = $2 WHERE record = $1`, [recordOf(schema, row), JSON.stringify(row)]);
    },
    async remove(row) {
      await client.query(`DELETE FROM ${t} WHERE record = $1`, [recordOf(schema, row)]);
    },
  };
}
