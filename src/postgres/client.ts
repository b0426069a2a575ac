/**
 * One small query interface over a `pg` Pool or an `@electric-sql/pglite`
 * instance (both optional peers), so the ledger and the key store run on a
 * PostgreSQL server or embedded PGlite alike.
 *
 * @module
 */

/**
 * Runs one parameterized statement.
 *
 * @example
 * ```ts
 * const run: Query = db.query;
 * const { rows } = await run<{ n: number }>("SELECT count(*)::int AS n FROM purposeful_access_events WHERE event -> 'actor' ->> 'id' = $1", ['agent-7']);
 * ```
 * @category Setup
 */
export type Query = <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<{ rows: R[] }>;

/**
 * What purposeful needs of a database.
 *
 * @example
 * ```ts
 * const db: SqlClient = fromPg(pool); // or fromPglite(await PGlite.create())
 * await db.transaction(async (q) => q('SELECT 1'));
 * ```
 * @category Setup
 */
export interface SqlClient {
  readonly query: Query;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>;
}

/**
 * What purposeful uses of a `pg` Pool (so `pg` stays an optional peer).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (err) => console.warn('idle PostgreSQL connection lost:', err.message)); // else a terminated backend ends the process
 * const client: PgPoolLike = pool;
 * ```
 * @category Setup
 */
export interface PgPoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>; release(err?: unknown): void }>;
}

/**
 * What purposeful uses of a PGlite instance (so `@electric-sql/pglite` stays an optional peer).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const db: PgliteLike = await PGlite.create();
 * ```
 * @category Setup
 */
export interface PgliteLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(fn: (tx: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>): Promise<T>;
}

/**
 * A client over a `pg` Pool.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (err) => console.warn('idle PostgreSQL connection lost:', err.message)); // pg's idle-client errors
 * const db = fromPg(pool);
 * await migrate(db);
 * ```
 * @category Setup
 */
export function fromPg(pool: PgPoolLike): SqlClient {
  const query: Query = async (sql, params = []) => (await pool.query(sql, [...params])) as never;
  return {
    query,
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await fn(async (sql, params = []) => (await conn.query(sql, [...params])) as never);
        await conn.query('COMMIT');
        conn.release();
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        conn.release();
        throw err;
      }
    },
  };
}

/**
 * A client over an `@electric-sql/pglite` instance (embedded PostgreSQL, no server).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const db = fromPglite(await PGlite.create());
 * await migrate(db);
 * ```
 * @category Setup
 */
export function fromPglite(db: PgliteLike): SqlClient {
  return {
    query: async (sql, params = []) => (await db.query(sql, [...params])) as never,
    transaction: (fn) => db.transaction((tx) => fn(async (sql, params = []) => (await tx.query(sql, [...params])) as never)),
  };
}
