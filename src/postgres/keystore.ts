/**
 * Subjects' data keys and the erasure journal on PostgreSQL. A live key per
 * (subject, class) is unique by index, so concurrent `create` calls agree on
 * one; an erasure is a single UPDATE every instance sees at once, and an update
 * can never clear it.
 *
 * @module
 */
import type { DataKeyRecord, ErasureEntry, ErasureJournal, SubjectKeyStore } from 'purposeful';
import type { SqlClient } from './client.js';

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

/**
 * The subject key store on PostgreSQL. Run `migrate(client)` first.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore: postgresKeyStore(db), erasureJournal: postgresErasureJournal(db) });
 * ```
 */
export function postgresKeyStore(client: SqlClient): SubjectKeyStore {
  return {
    async keys(subject) {
      const { rows } = await client.query<KeyRow>(
        `SELECT ${COLUMNS} FROM purposeful_data_keys WHERE subject = $1 ORDER BY created_at, id`,
        [subject],
      );
      return rows.map(toRecord);
    },
    async create(subject, key) {
      return client.transaction(async (q) => {
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
      // an erasure is final: erased_at is never cleared, and an erased key gets no material back
      const { rows } = await client.query<{ id: string }>(
        `UPDATE purposeful_data_keys
            SET kek = CASE WHEN erased_at IS NULL THEN $3 ELSE kek END,
                wrapped = CASE WHEN erased_at IS NULL AND $5::timestamptz IS NULL THEN $4 ELSE '' END,
                erased_at = COALESCE(erased_at, $5::timestamptz),
                retain_until = CASE WHEN COALESCE(erased_at, $5::timestamptz) IS NULL THEN $6::timestamptz ELSE NULL END
          WHERE subject = $1 AND id = $2
          RETURNING id`,
        [subject, key.id, key.kek, key.wrapped, key.erasedAt ?? null, key.retainUntil ?? null],
      );
      if (rows.length === 0) throw new Error('no such data key');
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
