/**
 * The database the PostgreSQL tests run on: the server at DATABASE_URL when it
 * is set (CI), embedded PGlite otherwise (a fresh machine needs no server).
 * Each call gets its own schema, so test files do not see each other's rows.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type ConsentListenSource, fromPg, fromPglite, type SqlClient } from '../../src/postgres/index.js';

export const onServer = Boolean(process.env.DATABASE_URL);

export interface TestDb {
  readonly client: SqlClient;
  /** A second, independent connection pool to the same database (server only; PGlite has one). */
  readonly second: SqlClient;
  /** Where each of the two "instances" listens. */
  readonly listenFirst: ConsentListenSource;
  readonly listenSecond: ConsentListenSource;
  close(): Promise<void>;
}

export async function testDb(): Promise<TestDb> {
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  if (onServer) {
    const options = { connectionString: process.env.DATABASE_URL, max: 8, options: `-c search_path=${schema}` };
    const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const a = new pg.Pool(options);
    const b = new pg.Pool(options);
    return {
      client: fromPg(a),
      second: fromPg(b),
      listenFirst: { pool: a as never },
      listenSecond: { pool: b as never },
      async close() {
        await a.end();
        await b.end();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const db = await PGlite.create();
  const client = fromPglite(db);
  return { client, second: client, listenFirst: { pglite: db }, listenSecond: { pglite: db }, close: () => db.close() };
}

/** A survey grant for a subject, as the PostgreSQL tests record it. */
export const surveyGrant = (subject: string) => ({
  subject,
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash: '9'.repeat(64) },
  method: 'checkbox' as const,
  collectionPoint: 'app',
});
