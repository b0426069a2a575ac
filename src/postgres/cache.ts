/**
 * A per-instance cache of consent state, kept honest by PostgreSQL
 * LISTEN/NOTIFY: every event the PostgreSQL ledger writes notifies the
 * `purposeful_consent` channel on commit, and every instance drops its cached
 * state for that (subject, purpose) when the notification arrives — so a
 * withdrawal on one instance is enforced by the others within about a second.
 *
 * Entries also have a hard time-to-live, and the cache publishes a heartbeat
 * on the channel. When heartbeats stop arriving (a dropped connection, or a
 * pooler such as PgBouncer in transaction mode, which does not pass LISTEN),
 * the cache switches itself off and every check reads the ledger, rather than
 * trust state that nobody can invalidate any more. It switches back on when
 * heartbeats return.
 *
 * @module
 */
import { type ConsentLedger, type ConsentState, SYNC_STATUS, stateOf } from 'purposeful';
import type { PgliteLike, SqlClient } from './client.js';

/**
 * The channel the PostgreSQL ledger notifies on.
 *
 * @example
 * ```ts
 * await client.query(`LISTEN ${CONSENT_CHANNEL}`); // what the cache does on each instance
 * ```
 */
export const CONSENT_CHANNEL = 'purposeful_consent';

/**
 * Where notifications come from: a `pg` Pool (one connection is held for LISTEN) or a PGlite instance.
 *
 * @example
 * ```ts
 * const fromServer: ConsentListenSource = { pool };       // a pg Pool
 * const embedded: ConsentListenSource = { pglite: db };   // a PGlite instance
 * ```
 */
export type ConsentListenSource =
  | { readonly pool: { connect(): Promise<ListenClient> } }
  | { readonly pglite: PgliteLike & { listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>> } };

/**
 * The connection a `pg` Pool lends for LISTEN.
 *
 * @example
 * ```ts
 * const consent = await cachedConsentLedger(ledger, { client: db, listen: { pool } }); // pool.connect() gives a ListenClient
 * ```
 */
export interface ListenClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', cb: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', cb: (err: unknown) => void): unknown;
  release(err?: unknown): void;
}

/**
 * Options of {@link cachedConsentLedger}.
 *
 * @example
 * ```ts
 * const options: ConsentCacheOptions = { client: db, listen: { pool }, ttlMs: 60_000, heartbeatMs: 1000 };
 * const ledger = await cachedConsentLedger(postgresConsentLedger(db, purposes), options);
 * ```
 */
export interface ConsentCacheOptions {
  /** The database the ledger writes to (the heartbeat is published through it). */
  readonly client: SqlClient;
  /** Where to LISTEN. */
  readonly listen: ConsentListenSource;
  /** Hard time-to-live of a cached state (ms, default 30 000). */
  readonly ttlMs?: number;
  /** Heartbeat period (ms, default 1000); the cache is off after three missed heartbeats. */
  readonly heartbeatMs?: number;
}

/**
 * A cached ledger: the same interface, plus its health and a way to stop it.
 *
 * @example
 * ```ts
 * const ledger: CachedConsentLedger = await cachedConsentLedger(postgresConsentLedger(db, purposes), { client: db, listen: { pool } });
 * process.on('SIGTERM', () => ledger.close());
 * ```
 */
export interface CachedConsentLedger extends ConsentLedger {
  /** Whether cached state is being used (heartbeats arrive). */
  readonly enabled: boolean;
  /** Stops listening and heartbeating; the ledger keeps working, uncached. */
  close(): Promise<void>;
}

/**
 * Wraps a PostgreSQL consent ledger with a per-instance cache invalidated by
 * LISTEN/NOTIFY, with a hard TTL and a heartbeat that switches the cache off
 * when notifications stop.
 *
 * @example
 * ```ts
 * const consent = await cachedConsentLedger(postgresConsentLedger(db, purposes), { client: db, listen: { pool } });
 * const pf = createPurposeful({ purposes, schemas, consent });
 * // on shutdown
 * await consent.close();
 * ```
 */
export async function cachedConsentLedger(ledger: ConsentLedger, options: ConsentCacheOptions): Promise<CachedConsentLedger> {
  const ttl = options.ttlMs ?? 30_000;
  const beat = options.heartbeatMs ?? 1000;
  const cache = new Map<string, { state: ConsentState; at: number }>();
  const generation = new Map<string, number>();
  const me = `hb_${Math.random().toString(36).slice(2)}`;
  let lastBeat = 0;
  let closed = false;
  const key = (subject: string, purpose: string) => JSON.stringify([subject, purpose]);
  const invalidate = (subject: string, purpose?: string) => {
    generation.set(subject, (generation.get(subject) ?? 0) + 1);
    for (const k of [...cache.keys()]) {
      const [s, p] = JSON.parse(k) as [string, string];
      if (s === subject && (purpose === undefined || p === purpose)) cache.delete(k);
    }
  };
  const onPayload = (payload: string | undefined) => {
    if (!payload) return;
    try {
      const msg = JSON.parse(payload) as { subject?: string; purpose?: string; heartbeat?: string };
      if (msg.heartbeat === me) lastBeat = Date.now();
      else if (typeof msg.subject === 'string')
        invalidate(msg.subject, typeof msg.purpose === 'string' ? msg.purpose : undefined);
    } catch {
      cache.clear(); // a notification we cannot read: trust nothing cached
    }
  };
  let stopListening: () => Promise<void>;
  if ('pool' in options.listen) {
    const conn = await options.listen.pool.connect();
    conn.on('notification', (msg) => onPayload(msg.payload));
    conn.on('error', () => {
      lastBeat = 0;
      cache.clear();
    });
    await conn.query(`LISTEN ${CONSENT_CHANNEL}`);
    stopListening = async () => {
      await conn.query(`UNLISTEN ${CONSENT_CHANNEL}`).catch(() => undefined);
      conn.release();
    };
  } else {
    stopListening = await options.listen.pglite.listen(CONSENT_CHANNEL, onPayload);
  }
  const heartbeat = async () => {
    if (closed) return;
    await options.client
      .query('SELECT pg_notify($1, $2)', [CONSENT_CHANNEL, JSON.stringify({ heartbeat: me })])
      .catch(() => undefined);
  };
  await heartbeat();
  const timer = setInterval(heartbeat, beat);
  (timer as { unref?: () => void }).unref?.();
  const healthy = () => !closed && Date.now() - lastBeat < 3 * beat;
  /**
   * The answer from the cache when every purpose is there and fresh, recomputed
   * at `now` (a cached grant that has since expired reads as expired); else `undefined`.
   */
  const fromCache = (
    subject: string,
    purposes: readonly string[],
    now = new Date(),
  ): ReadonlyMap<string, ConsentState> | undefined => {
    if (!healthy()) return undefined;
    const t = Date.now();
    const out = new Map<string, ConsentState>();
    for (const p of purposes) {
      const hit = cache.get(key(subject, p));
      if (hit === undefined || t - hit.at >= ttl) return undefined;
      out.set(p, stateOf(subject, p, hit.state.event ? [hit.state.event] : [], now));
    }
    return out;
  };
  const wrapped: CachedConsentLedger = {
    get enabled() {
      return healthy();
    },
    async grant(grant) {
      const event = await ledger.grant(grant);
      invalidate(grant.subject, grant.purpose);
      return event;
    },
    async withdraw(subject, purpose, details) {
      const event = await ledger.withdraw(subject, purpose, details);
      invalidate(subject, purpose);
      return event;
    },
    async status(subject, purposes, now = new Date()) {
      const t = Date.now();
      const cached = fromCache(subject, purposes, now);
      if (cached !== undefined) return cached;
      const g = generation.get(subject) ?? 0;
      const states = await ledger.status(subject, purposes, now);
      // an event that arrived while we read makes what we read possibly stale: serve it, do not keep it
      if (healthy() && (generation.get(subject) ?? 0) === g) {
        for (const [p, state] of states) {
          const expires = state.event?.expiresAt ? Date.parse(state.event.expiresAt) : Number.POSITIVE_INFINITY;
          if (expires > t) cache.set(key(subject, p), { state, at: t });
        }
        while (cache.size > 100_000) cache.delete(cache.keys().next().value as string);
      }
      return states;
    },
    history: (subject, purpose) => ledger.history(subject, purpose),
    recordFromReceipt: async (receipt) => {
      const event = await ledger.recordFromReceipt(receipt);
      invalidate(event.subject, event.purpose);
      return event;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      cache.clear();
      await stopListening();
    },
  };
  // a cache hit answers the engine without a promise or timer
  SYNC_STATUS.set(wrapped, {
    status: wrapped.status,
    now: (subject, purpose) => {
      if (!healthy()) return undefined;
      const hit = cache.get(key(subject, purpose));
      return hit === undefined || Date.now() - hit.at >= ttl ? undefined : hit.state;
    },
  });
  return wrapped;
}
