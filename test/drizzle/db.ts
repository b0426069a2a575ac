/**
 * The databases the Drizzle tests run on: embedded PGlite always, and the
 * PostgreSQL server at DATABASE_URL when it is set (its own schema per call,
 * dropped on close). Each database counts the statements Drizzle runs.
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle as overPg } from 'drizzle-orm/node-postgres';
import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { drizzle as overPglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { AnyPgDatabase } from '../../adapters/drizzle.js';
import { sealed } from '../../adapters/drizzle.js';

export const onServer = Boolean(process.env.DATABASE_URL);

export interface DrizzleTestDb {
  readonly driver: 'pglite' | 'node-postgres';
  readonly db: AnyPgDatabase;
  /** Statements run so far. */
  readonly statements: string[];
  /** Runs SQL text as it is (table set-up and raw reads). */
  exec(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The support-desk customer table. */
export const customers = pgTable('customers', {
  id: uuid('id').primaryKey(),
  channel: text('channel').notNull(),
  name: text('name').notNull(),
  cpf: sealed('cpf').notNull(),
  bidx_cpf: text('bidx_cpf').notNull(),
  email: sealed('email').notNull(),
  phone: text('phone'),
  address: jsonb('address'),
  accessibility: sealed('accessibility'),
  pf_restriction: jsonb('pf_restriction'),
});

export const CUSTOMERS_DDL = `CREATE TABLE customers (
  id uuid PRIMARY KEY, channel text NOT NULL, name text NOT NULL, cpf text NOT NULL, bidx_cpf text NOT NULL,
  email text NOT NULL, phone text, address jsonb, accessibility text, pf_restriction jsonb)`;

export async function pgliteDb(): Promise<DrizzleTestDb> {
  const client = await PGlite.create();
  const statements: string[] = [];
  const db = overPglite({ client, logger: { logQuery: (q) => statements.push(q) } });
  await client.exec(CUSTOMERS_DDL);
  return {
    driver: 'pglite',
    db: db as unknown as AnyPgDatabase,
    statements,
    exec: async (text) => (await client.query<Record<string, unknown>>(text)).rows,
    close: () => client.close(),
  };
}

export async function serverDb(): Promise<DrizzleTestDb> {
  const schema = `d_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  const statements: string[] = [];
  const db = overPg({ client: pool, logger: { logQuery: (q) => statements.push(q) } });
  await pool.query(CUSTOMERS_DDL);
  return {
    driver: 'node-postgres',
    db: db as unknown as AnyPgDatabase,
    statements,
    exec: async (text) => (await pool.query(text)).rows,
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** PGlite, and the server when DATABASE_URL is set. */
export const drivers: ReadonlyArray<readonly [string, () => Promise<DrizzleTestDb>]> = onServer
  ? [
      ['pglite', pgliteDb],
      ['node-postgres', serverDb],
    ]
  : [['pglite', pgliteDb]];
