/**
 * Where access events and checkpoints are kept. The log hands a sink whole
 * batches of chained events; a sink stores them in order and reads them back.
 * In memory here; an append-only JSONL file in `purposeful/node`; PostgreSQL
 * in `purposeful/postgres`.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { type AccessEvent, canonicalTime } from './event.js';

/**
 * A filter over access events. Every given criterion must hold; times are inclusive.
 *
 * @example
 * ```ts
 * const q: AccessQuery = { actor: 'agent-7', category: 'user.health_and_medical', from: '2026-11-01T00:00:00Z' };
 * const events = await log.query(q);
 * ```
 * @category Access log
 */
export interface AccessQuery {
  /** The keyed subject reference (`log.subjectRef(id)`), not the id. */
  readonly subject?: string;
  readonly actor?: string;
  readonly purpose?: string;
  /** Events that touched a field of this category (or of one under it: `user.contact` matches `user.contact.email`). */
  readonly category?: string;
  readonly decision?: 'allow' | 'deny';
  readonly chain?: string;
  /** ISO 8601 with a zone (or a date, read as UTC midnight); inclusive. */
  readonly from?: string;
  /** ISO 8601 with a zone (or a date, read as UTC midnight); inclusive. */
  readonly to?: string;
}

/**
 * A query as every sink compares it: `from` and `to` in the one form events
 * carry their time (UTC, milliseconds, `Z`), so that text order is time order.
 * A query without times is returned as is. Throws `PF_INPUT_INVALID` (naming
 * the bound, never its value) for a time that is not ISO 8601 with a zone.
 *
 * @example
 * ```ts
 * normalizeAccessQuery({ actor: 'agent-13', from: '2026-11-29T07:00:00-03:00' });
 * // { actor: 'agent-13', from: '2026-11-29T10:00:00.000Z' }
 * ```
 * @category Access log
 */
export function normalizeAccessQuery<Q extends AccessQuery | undefined>(q: Q): Q {
  if (!q || (q.from === undefined && q.to === undefined)) return q;
  const out: Record<string, unknown> = { ...q };
  for (const bound of ['from', 'to'] as const) {
    const v = q[bound];
    if (v === undefined) continue;
    const t = typeof v === 'string' ? canonicalTime(v) : undefined;
    if (t === undefined) {
      throw new PurposefulError('PF_INPUT_INVALID', `an access query's "${bound}" must be an ISO 8601 date-time with a zone`);
    }
    out[bound] = t;
  }
  return out as Q;
}

/**
 * A signed anchor of a chain at one event: a JWS over `{ chain, seq, hash, time }`
 * made with a key the log's writer does not hold.
 *
 * @example
 * ```ts
 * const cp: Checkpoint = { chain: 'web-1.m3x…', seq: 1000, hash: 'ab12…', time: '2026-11-29T12:00:00.000Z', jws: 'eyJ…' };
 * ```
 * @category Access log
 */
export interface Checkpoint {
  readonly chain: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  /** Compact JWS whose payload is the JSON of the four properties above. */
  readonly jws: string;
}

/**
 * Stores chained access events.
 *
 * @example
 * ```ts
 * const mine: AccessLogSink = {
 *   append: async (events) => { await queue.send(events.map((e) => JSON.stringify(e))); },
 *   read: async () => (await queue.all()).map((s) => JSON.parse(s)),
 * };
 * ```
 * @category Access log
 */
export interface AccessLogSink {
  /** Stores the events in the given order; resolves once they are durable, rejects if any is not. */
  append(events: readonly AccessEvent[]): Promise<void>;
  /** The events matching the query (all without one): each chain in stored order, chains one after another. */
  read(query?: AccessQuery): Promise<AccessEvent[]>;
  /** What the storage itself shows: a torn last write of a file after a crash. */
  inspect?(): Promise<{ readonly torn?: { readonly offset: number; readonly bytes: number } }>;
}

/**
 * Stores checkpoints, apart from the events they anchor.
 *
 * @example
 * ```ts
 * const checkpoints: CheckpointSink = memoryCheckpointSink();
 * await checkpoints.append({ chain, seq, hash, time, jws });
 * ```
 * @category Access log
 */
export interface CheckpointSink {
  append(checkpoint: Checkpoint): Promise<void>;
  read(): Promise<Checkpoint[]>;
}

/**
 * Whether an event satisfies a query (the in-memory and file sinks filter with it).
 *
 * @example
 * ```ts
 * const denials = events.filter((e) => matchesQuery(e, { decision: 'deny' }));
 * ```
 * @category Access log
 */
export function matchesQuery(e: AccessEvent, q: AccessQuery | undefined): boolean {
  if (!q) return true;
  if (q.subject !== undefined && e.subject !== q.subject) return false;
  if (q.actor !== undefined && e.actor?.id !== q.actor) return false;
  if (q.purpose !== undefined && e.purpose !== q.purpose) return false;
  if (q.decision !== undefined && e.decision !== q.decision) return false;
  if (q.chain !== undefined && e.chain !== q.chain) return false;
  if (q.from !== undefined && e.time < q.from) return false;
  if (q.to !== undefined && e.time > q.to) return false;
  if (q.category !== undefined) {
    const c = q.category;
    if (!Array.isArray(e.categories) || !e.categories.some((x) => x === c || x.startsWith(`${c}.`))) return false;
  }
  return true;
}

/**
 * An access-log sink in memory: for tests, demos and single-process tools.
 * `events` is the stored array itself (to inspect it, or to tamper with it in
 * a test and watch `verify` catch it).
 *
 * @example
 * ```ts
 * const sink = memoryAccessLogSink();
 * const log = createAccessLog({ sink, subjectKey });
 * // …
 * await log.flush();
 * sink.events.length; // how many events were recorded
 * ```
 * @category Access log
 */
export function memoryAccessLogSink(): AccessLogSink & { readonly events: AccessEvent[] } {
  const events: AccessEvent[] = [];
  return {
    events,
    async append(batch) {
      for (const e of batch) events.push(e);
    },
    async read(q) {
      const query = normalizeAccessQuery(q);
      const out = events.filter((e) => matchesQuery(e, query));
      // chains one after another, each in stored order
      const order = new Map<string, number>();
      for (const e of out) if (!order.has(e.chain)) order.set(e.chain, order.size);
      return out
        .map((e, i) => [e, i] as const)
        .sort((a, b) => (order.get(a[0].chain) as number) - (order.get(b[0].chain) as number) || a[1] - b[1])
        .map(([e]) => e);
    },
  };
}

/**
 * A checkpoint sink in memory.
 *
 * @example
 * ```ts
 * const checkpoints = memoryCheckpointSink();
 * const log = createAccessLog({ sink, subjectKey, checkpoints: { sink: checkpoints, sign: checkpointSigner(key), every: 100 } });
 * ```
 * @category Access log
 */
export function memoryCheckpointSink(): CheckpointSink & { readonly checkpoints: Checkpoint[] } {
  const checkpoints: Checkpoint[] = [];
  return {
    checkpoints,
    async append(cp) {
      checkpoints.push(cp);
    },
    async read() {
      return [...checkpoints];
    },
  };
}
