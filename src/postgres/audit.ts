/**
 * The access log and its checkpoints on PostgreSQL, beside the consent
 * ledger. Many writers on several instances each append their own chain; a
 * batch is one multi-row insert in one transaction, so it lands whole or not
 * at all. A retried batch whose rows are already there is accepted only if
 * they are the same events.
 *
 * A row is its chain, its sequence number and the event as hashed; queries
 * filter on the hashed event itself (through expression indexes), never on a
 * copy of it that an `UPDATE` could change without breaking the chain.
 *
 * @module
 */
import {
  type AccessEvent,
  type AccessLogSink,
  type AccessQuery,
  accessEventHash,
  type Checkpoint,
  type CheckpointSink,
  matchesQuery,
  normalizeAccessQuery,
  PurposefulError,
} from 'purposeful';
import type { SqlClient } from './client.js';

/**
 * The filter in SQL, over the hashed event: each expression is the one an
 * index of migration 4 is built on (times compare as text in the "C"
 * collation: events carry them as UTC ISO 8601 with milliseconds, where text
 * order is time order).
 */
function where(q: AccessQuery | undefined, params: unknown[]): string {
  if (!q) return '';
  const parts: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (q.subject !== undefined) add("(event ->> 'subject') = ?", q.subject);
  if (q.actor !== undefined) add("(event -> 'actor' ->> 'id') = ?", q.actor);
  if (q.purpose !== undefined) add("(event ->> 'purpose') = ?", q.purpose);
  if (q.decision !== undefined) add("(event ->> 'decision') = ?", q.decision);
  if (q.chain !== undefined) add("(event ->> 'chain') = ?", q.chain);
  if (q.from !== undefined) add('((event ->> \'time\') COLLATE "C") >= ?', q.from);
  if (q.to !== undefined) add('((event ->> \'time\') COLLATE "C") <= ?', q.to);
  if (q.category !== undefined)
    add(
      `CASE WHEN jsonb_typeof(event -> 'categories') = 'array' THEN EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(event -> 'categories') c WHERE c = ? OR starts_with(c, ? || '.')) ELSE false END`,
      q.category,
    );
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/**
 * An access-log sink on PostgreSQL (run `migrate(client)` first).
 *
 * @example
 * ```ts
 * const db = fromPg(pool);
 * await migrate(db);
 * const audit = createAccessLog({ sink: postgresAccessLogSink(db), subjectKey, instance: process.env.HOSTNAME });
 * ```
 * @category Access log
 */
export function postgresAccessLogSink(client: SqlClient): AccessLogSink {
  return {
    async append(events) {
      if (events.length === 0) return;
      await client.transaction(async (q) => {
        const params: unknown[] = [];
        const rows: string[] = [];
        for (const e of events) {
          const at = params.length;
          rows.push(`($${at + 1}, $${at + 2}, $${at + 3})`);
          params.push(e.chain, e.seq, JSON.stringify(e));
        }
        // a batch retried after a lost answer: rows already stored must be the very same events
        const inserted = await q<{ seq: string }>(
          `INSERT INTO purposeful_access_events (chain, seq, event)
           VALUES ${rows.join(', ')} ON CONFLICT (chain, seq) DO NOTHING RETURNING seq`,
          params,
        );
        if (inserted.rows.length !== events.length) {
          const stored = await q<{ seq: string; hash: string }>(
            "SELECT seq, event->>'hash' AS hash FROM purposeful_access_events WHERE chain = $1 AND seq = ANY($2::bigint[])",
            [events[0]?.chain, events.map((e) => e.seq)],
          );
          const byHash = new Map(stored.rows.map((r) => [Number(r.seq), r.hash]));
          // the same events: the stored hash, and content that gives it
          if (events.some((e) => byHash.get(e.seq) !== e.hash || accessEventHash(e) !== e.hash)) {
            throw new PurposefulError(
              'PF_AUDIT_UNAVAILABLE',
              'the access log already holds other events at these sequence numbers of this chain',
              { article: 'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32' },
            );
          }
        }
      });
    },
    async read(q) {
      const query = normalizeAccessQuery(q);
      const params: unknown[] = [];
      const { rows } = await client.query<{ event: AccessEvent | string }>(
        `SELECT event FROM purposeful_access_events${where(query, params)} ORDER BY chain, seq`,
        params,
      );
      const events = rows.map((r) => (typeof r.event === 'string' ? (JSON.parse(r.event) as AccessEvent) : r.event));
      // the SQL filter and the one every other sink applies must agree: an answer is checked against the events it holds
      return query ? events.filter((e) => matchesQuery(e, query)) : events;
    },
  };
}

/**
 * A checkpoint sink on PostgreSQL. Keep it where the log's writers cannot
 * rewrite it (another database role with insert-only rights, or another
 * database) for the anchors to mean anything.
 *
 * @example
 * ```ts
 * const checkpoints = postgresCheckpointSink(anchorDb);
 * const audit = createAccessLog({ sink, subjectKey, checkpoints: { sink: checkpoints, sign, every: 1000 } });
 * ```
 * @category Access log
 */
export function postgresCheckpointSink(client: SqlClient): CheckpointSink {
  return {
    async append(cp) {
      await client.query(
        'INSERT INTO purposeful_access_checkpoints (chain, seq, hash, time, jws) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [cp.chain, cp.seq, cp.hash, cp.time, cp.jws],
      );
    },
    async read() {
      const { rows } = await client.query<{
        chain: string;
        seq: string | number;
        hash: string;
        time: Date | string;
        jws: string;
      }>('SELECT chain, seq, hash, time, jws FROM purposeful_access_checkpoints ORDER BY chain, seq');
      return rows.map(
        (r): Checkpoint => ({
          chain: r.chain,
          seq: Number(r.seq),
          hash: r.hash,
          time: r.time instanceof Date ? r.time.toISOString() : String(r.time),
          jws: r.jws,
        }),
      );
    },
  };
}
