/**
 * The PostgreSQL database the Prisma tests run on: the server at DATABASE_URL,
 * in a schema of its own that `close` drops. Prisma runs on PostgreSQL through
 * `@prisma/adapter-pg` only; without a reachable server the tests skip.
 */
import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';

const url = process.env.DATABASE_URL;

/** Why the Prisma tests cannot run here, or undefined when a server answers at DATABASE_URL. */
export async function prismaUnavailable(): Promise<string | undefined> {
  if (!url) return 'DATABASE_URL is not set: the Prisma tests need a PostgreSQL server (they do not run on PGlite)';
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL server reachable at DATABASE_URL (${(error as Error).message}): the Prisma tests skip`;
  } finally {
    await probe.end().catch(() => {});
  }
}

export interface PrismaTestDb {
  readonly prisma: PrismaClient;
  /** The schema the tables live in, for raw checks on what is stored. */
  readonly schema: string;
  /** A plain pg pool on the same schema, to read the stored rows as they are. */
  readonly raw: pg.Pool;
  /** The SQL statements the Prisma client ran so far (its query log). */
  readonly statements: string[];
  close(): Promise<void>;
}

/** A fresh schema with the tables of tables.sql and a Prisma client bound to it. */
export async function prismaTestDb(): Promise<PrismaTestDb> {
  const schema = `p_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const raw = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  await raw.query(`CREATE SCHEMA ${schema}`);
  await raw.query(readFileSync(new URL('./tables.sql', import.meta.url), 'utf8'));
  const adapter = new PrismaPg({ connectionString: url, max: 4 }, { schema });
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const statements: string[] = [];
  prisma.$on('query', (event) => {
    statements.push(event.query);
  });
  return {
    prisma,
    schema,
    raw,
    statements,
    async close() {
      await prisma.$disconnect();
      await raw.query(`DROP SCHEMA ${schema} CASCADE`);
      await raw.end();
    },
  };
}
