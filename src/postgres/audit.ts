/**
 * The access log and its checkpoints on PostgreSQL, beside the consent
 * ledger. Many writers on several instances each append their own chain; a
 * batch is one multi-row insert in one transaction, so it lands whole or not
 * at all. A retried batch whose rows are already there is accepted only if
 * they are the same events.
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
  PurposefulError,
} from 'purposeful';
import type { SqlClient } from './client.js';

const COLUMNS = 9;

function where(q: AccessQuery | undefined, params: unknown[]): string {
  if (!q) return '';
  const parts: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (q.subject !== undefined) add('subject = ?', q.subject);
  if (q.actor !== undefined) add('actor = ?', q.actor);
  if (q.purpose !== undefined) add('purpose = ?', q.purpose);
  if (q.decision !== undefined) add('decision = ?', q.decision);
  if (q.chain !== undefined) add('chain = ?', q.chain);
  if (q.from !== undefined) add('time >= ?::timestamptz', q.from);
  if (q.to !== undefined) add('time <= ?::timestamptz', q.to);
  if (q.category !== undefined)
    add("EXISTS (SELECT 1 FROM unnest(categories) c WHERE c = ? OR starts_with(c, ? || '.'))", q.category);
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
          rows.push(`(${Array.from({ length: COLUMNS }, (_, i) => `$${at + i + 1}`).join(', ')})`);
          params.push(
            e.chain,
            e.seq,
            e.time,
            e.subject ?? null,
            e.actor.id,
            e.purpose ?? null,
            e.decision,
            [...e.categories],
            JSON.stringify(e),
          );
        }
        // a batch retried after a lost answer: rows already stored must be the very same events
        const inserted = await q<{ seq: string }>(
          `INSERT INTO purposeful_access_events (chain, seq, time, subject, actor, purpose, decision, categories, event)
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
            );
          }
        }
      });
    },
    async read(query) {
      const params: unknown[] = [];
      const { rows } = await client.query<{ event: AccessEvent | string }>(
        `SELECT event FROM purposeful_access_events${where(query, params)} ORDER BY chain, seq`,
        params,
      );
      return rows.map((r) => (typeof r.event === 'string' ? (JSON.parse(r.event) as AccessEvent) : r.event));
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
