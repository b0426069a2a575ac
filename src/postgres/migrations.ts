/**
 * Versioned, idempotent migrations for purposeful's tables. `migrate(client)`
 * applies what is missing, once, under an advisory lock (several instances may
 * start at the same time).
 *
 * @module
 */
import type { SqlClient } from './client.js';

/**
 * Each migration: its version and its statements. Never edit one that has shipped; add the next.
 *
 * @example
 * ```ts
 * const latest = MIGRATIONS.at(-1)?.version; // 4: consent ledger and key store, access log, incident register, access log on its hashed events
 * ```
 * @category Setup
 */
export const MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly statements: readonly string[] }> = Object.freeze([
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS purposeful_consent_events (
        subject text NOT NULL,
        purpose text NOT NULL,
        sequence integer NOT NULL,
        id text NOT NULL UNIQUE,
        type text NOT NULL CHECK (type IN ('granted', 'withdrawn', 'expired')),
        at timestamptz NOT NULL,
        body jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, purpose, sequence)
      )`,
      `CREATE TABLE IF NOT EXISTS purposeful_data_keys (
        subject text NOT NULL,
        id text PRIMARY KEY,
        key_class text NOT NULL CHECK (key_class IN ('erasable', 'retained')),
        kek text NOT NULL,
        wrapped text NOT NULL,
        created_at timestamptz NOT NULL,
        erased_at timestamptz,
        retain_until timestamptz
      )`,
      `CREATE UNIQUE INDEX IF NOT EXISTS purposeful_data_keys_live
        ON purposeful_data_keys (subject, key_class) WHERE erased_at IS NULL AND retain_until IS NULL`,
      `CREATE INDEX IF NOT EXISTS purposeful_data_keys_subject ON purposeful_data_keys (subject)`,
      `CREATE TABLE IF NOT EXISTS purposeful_erasures (
        id bigserial PRIMARY KEY,
        subject text NOT NULL,
        key_ids text[] NOT NULL,
        at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    statements: [
      // the access log: one row per event, the event itself as written (jsonb: its hash is over its canonical JSON),
      // and the columns queries filter on; one chain per writer, so (chain, seq) is unique and gaps show
      `CREATE TABLE IF NOT EXISTS purposeful_access_events (
        chain text NOT NULL,
        seq bigint NOT NULL CHECK (seq >= 1),
        time timestamptz NOT NULL,
        subject text,
        actor text NOT NULL,
        purpose text,
        decision text NOT NULL,
        categories text[] NOT NULL,
        event jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chain, seq)
      )`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_subject ON purposeful_access_events (subject, time)`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_actor ON purposeful_access_events (actor, time)`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_time ON purposeful_access_events (time)`,
      `CREATE TABLE IF NOT EXISTS purposeful_access_checkpoints (
        chain text NOT NULL,
        seq bigint NOT NULL,
        hash text NOT NULL,
        time timestamptz NOT NULL,
        jws text NOT NULL,
        PRIMARY KEY (chain, seq)
      )`,
    ],
  },
  {
    version: 3,
    statements: [
      `CREATE TABLE IF NOT EXISTS purposeful_incidents (
        id text PRIMARY KEY,
        known_at timestamptz NOT NULL,
        entry jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 4,
    statements: [
      // the access log keeps nothing outside the hash chain that a query reads: the copies of the event's fields in
      // columns of their own (an UPDATE could change them and leave every hash intact) give way to indexes over the
      // hashed event itself; times compare as text in "C" (UTC ISO 8601 with milliseconds: text order is time order)
      `ALTER TABLE purposeful_access_events
        DROP COLUMN IF EXISTS time, DROP COLUMN IF EXISTS subject, DROP COLUMN IF EXISTS actor,
        DROP COLUMN IF EXISTS purpose, DROP COLUMN IF EXISTS decision, DROP COLUMN IF EXISTS categories`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_subject
        ON purposeful_access_events ((event ->> 'subject'), ((event ->> 'time') COLLATE "C"))`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_actor
        ON purposeful_access_events ((event -> 'actor' ->> 'id'), ((event ->> 'time') COLLATE "C"))`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_time ON purposeful_access_events (((event ->> 'time') COLLATE "C"))`,
      `CREATE INDEX IF NOT EXISTS purposeful_access_events_chain ON purposeful_access_events ((event ->> 'chain'))`,
    ],
  },
]);

/**
 * Applies the migrations that are missing; safe to run on every start.
 *
 * @example
 * ```ts
 * const db = fromPg(pool);
 * await migrate(db); // [1] the first time, [] afterwards
 * ```
 * @category Setup
 */
export async function migrate(client: SqlClient): Promise<number[]> {
  return client.transaction(async (q) => {
    await q("SELECT pg_advisory_xact_lock(hashtext('purposeful.migrations'))");
    await q(`CREATE TABLE IF NOT EXISTS purposeful_migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await q<{ version: number }>('SELECT version FROM purposeful_migrations')).rows.map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await q(statement);
      await q('INSERT INTO purposeful_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
