/**
 * Subjects' data keys and the erasure journal on PostgreSQL. A live key per
 * (subject, class) is unique by index, so concurrent `create` calls agree on
 * one; an erasure is a single UPDATE every instance sees at once, and an update
 * can never clear it, nor clear a retention but by erasing. A subject with a
 * key erased or retained gets no new key: `create` and `update` take one
 * advisory lock per subject, so a creation either lands before an erasure
 * (which then sees it) or sees the erasure and is refused.
 *
 * @module
 */
import { type DataKeyRecord, type ErasureEntry, type ErasureJournal, PurposefulError, type SubjectKeyStore } from 'purposeful';
import type { ConsentListenSource } from './cache.js';
import type { SqlClient } from './client.js';

/**
 * The channel erasures are announced on, so every instance drops its cached keys of the subject at once.
 *
 * @example
 * ```ts
 * await client.query(`LISTEN ${KEYS_CHANNEL}`);
 * ```
 * @category Encryption
 */
export const KEYS_CHANNEL = 'purposeful_keys';

/**
 * The PostgreSQL key store, with `close()` to stop listening.
 *
 * @example
 * ```ts
 * const keyStore: PostgresKeyStore = postgresKeyStore(db, { listen: { pool } });
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore });
 * process.on('SIGTERM', () => keyStore.close());
 * ```
 * @category Encryption
 */
export interface PostgresKeyStore extends SubjectKeyStore {
  close(): Promise<void>;
}

interface KeyRow {
  subject: string;
  id: string;
  key_class: DataKeyRecord['keyClass'];
  kek: string;
  wrapped: string;
  created_at: string | Date;
  erased_at: string | Date | null;
  retain_until: string | Date | null;
}

const iso = (v: string | Date | null) => (v === null ? undefined : new Date(v).toISOString());

function toRecord(r: KeyRow): DataKeyRecord {
  const erasedAt = iso(r.erased_at);
  const retainUntil = iso(r.retain_until);
  return Object.freeze({
    id: r.id,
    keyClass: r.key_class,
    kek: r.kek,
    wrapped: r.wrapped,
    createdAt: iso(r.created_at) as string,
    ...(erasedAt ? { erasedAt } : {}),
    ...(retainUntil ? { retainUntil } : {}),
  });
}

const COLUMNS = 'subject, id, key_class, kek, wrapped, created_at, erased_at, retain_until';

/** One transaction-scoped lock per subject: creations and erasures of a subject's keys happen one at a time. */
const LOCK_SUBJECT = `SELECT pg_advisory_xact_lock(hashtextextended('purposeful_data_keys:' || $1, 0))`;

/**
 * The subject key store on PostgreSQL. Run `migrate(client)` first. With
 * `listen`, every erasure is announced on a channel and every instance drops
 * its cached keys of that subject at once (without it, other instances notice
 * after `keyCacheTtlMs`).
 *
 * @example
 * ```ts
 * const keyStore = postgresKeyStore(db, { listen: { pool } });
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore, erasureJournal: postgresErasureJournal(journalDb) });
 * ```
 * @category Encryption
 */
export function postgresKeyStore(client: SqlClient, options: { readonly listen?: ConsentListenSource } = {}): PostgresKeyStore {
  const versions = new Map<string, number>();
  /** Bumped when the listener fails: every cached key everywhere in this process is dropped once. */
  let epoch = 0;
  const bump = (subject: string) => versions.set(subject, (versions.get(subject) ?? 0) + 1);
  let stop: (() => Promise<void>) | undefined;
  const listen = options.listen;
  const ready = (async () => {
    if (!listen) return;
    const onPayload = (payload: string | undefined) => {
      if (payload) bump(payload);
    };
    if ('pool' in listen) {
      const conn = await listen.pool.connect();
      conn.on('notification', (msg) => {
        if (msg.channel === KEYS_CHANNEL) onPayload(msg.payload);
      });
      conn.on('error', (err) => {
        // the listener is gone: drop every cached key once, and rely on keyCacheTtlMs from now on
        epoch++;
        stop = undefined;
        try {
          conn.release(err);
        } catch {
          // already released
        }
      });
      await conn.query(`LISTEN ${KEYS_CHANNEL}`);
      stop = async () => {
        await conn.query(`UNLISTEN ${KEYS_CHANNEL}`).catch(() => undefined);
        conn.release();
      };
    } else {
      stop = await listen.pglite.listen(KEYS_CHANNEL, onPayload);
    }
  })();
  return {
    erasureVersion: (subject) => epoch * 1_000_000 + (versions.get(subject) ?? 0),
    async close() {
      await ready.catch(() => undefined);
      const s = stop;
      stop = undefined;
      await s?.();
    },
    async keys(subject) {
      const { rows } = await client.query<KeyRow>(
        `SELECT ${COLUMNS} FROM purposeful_data_keys WHERE subject = $1 ORDER BY created_at, id`,
        [subject],
      );
      return rows.map(toRecord);
    },
    async create(subject, key) {
      return client.transaction(async (q) => {
        await q(LOCK_SUBJECT, [subject]);
        const { rows: gone } = await q<{ one: number }>(
          `SELECT 1 AS one FROM purposeful_data_keys
            WHERE subject = $1 AND (erased_at IS NOT NULL OR retain_until IS NOT NULL) LIMIT 1`,
          [subject],
        );
        if (gone.length > 0) {
          throw new PurposefulError('PF_SUBJECT_ERASED', 'the subject was erased: no new data key is made for it');
        }
        await q(
          `INSERT INTO purposeful_data_keys (subject, id, key_class, kek, wrapped, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (subject, key_class) WHERE erased_at IS NULL AND retain_until IS NULL DO NOTHING`,
          [subject, key.id, key.keyClass, key.kek, key.wrapped, key.createdAt],
        );
        const { rows } = await q<KeyRow>(
          `SELECT ${COLUMNS} FROM purposeful_data_keys
            WHERE subject = $1 AND key_class = $2 AND erased_at IS NULL AND retain_until IS NULL`,
          [subject, key.keyClass],
        );
        return toRecord(rows[0] as KeyRow);
      });
    },
    async update(subject, key) {
      // an erasure is final: erased_at is never cleared, and an erased key gets no material back; a retention is
      // ended only by erasing (a writer that read the key before a shredding does not make it live again)
      const rows = await client.transaction(async (q) => {
        await q(LOCK_SUBJECT, [subject]);
        const r = await q<{ id: string }>(
          `UPDATE purposeful_data_keys
              SET kek = CASE WHEN erased_at IS NULL THEN $3 ELSE kek END,
                  wrapped = CASE WHEN erased_at IS NULL AND $5::timestamptz IS NULL THEN $4 ELSE '' END,
                  erased_at = COALESCE(erased_at, $5::timestamptz),
                  retain_until = CASE WHEN COALESCE(erased_at, $5::timestamptz) IS NULL
                                      THEN COALESCE($6::timestamptz, retain_until) ELSE NULL END
            WHERE subject = $1 AND id = $2
            RETURNING id`,
          [subject, key.id, key.kek, key.wrapped, key.erasedAt ?? null, key.retainUntil ?? null],
        );
        return r.rows;
      });
      if (rows.length === 0) throw new Error('no such data key');
      if (key.erasedAt) {
        bump(subject);
        await client.query('SELECT pg_notify($1, $2)', [KEYS_CHANNEL, subject]);
      }
    },
    async *subjects() {
      const { rows } = await client.query<{ subject: string }>(
        'SELECT DISTINCT subject FROM purposeful_data_keys ORDER BY subject',
      );
      for (const r of rows) yield r.subject;
    },
  };
}

/**
 * The erasure journal on PostgreSQL. Keep it out of the key store's backups
 * (another database or schema, with its own retention), so a restore cannot
 * roll it back.
 *
 * @example
 * ```ts
 * const journal = postgresErasureJournal(journalDb);
 * await pf.replayErasures(journal.entries()); // after restoring the key store
 * ```
 * @category Encryption
 */
export function postgresErasureJournal(client: SqlClient): ErasureJournal {
  return {
    async append(entry) {
      await client.query('INSERT INTO purposeful_erasures (subject, key_ids, at) VALUES ($1, $2, $3)', [
        entry.subject,
        [...entry.keyIds],
        entry.at,
      ]);
    },
    async *entries(): AsyncIterable<ErasureEntry> {
      const { rows } = await client.query<{ subject: string; key_ids: string[]; at: string | Date }>(
        'SELECT subject, key_ids, at FROM purposeful_erasures ORDER BY id',
      );
      for (const r of rows)
        yield Object.freeze({ subject: r.subject, keyIds: Object.freeze([...r.key_ids]), at: new Date(r.at).toISOString() });
    },
  };
}
