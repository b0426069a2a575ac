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
import { type ConsentLedger, type ConsentState, PurposefulError, SYNC_STATUS, stateOf } from 'purposeful';
import type { PgliteLike, SqlClient } from './client.js';

/**
 * The channel the PostgreSQL ledger notifies on.
 *
 * @example
 * ```ts
 * await client.query(`LISTEN ${CONSENT_CHANNEL}`); // what the cache does on each instance
 * ```
 * @category Consent
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
 * @category Consent
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
 * @category Consent
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
 * const options: ConsentCacheOptions = { client: db, listen: { pool }, ttlMs: 60_000, heartbeatMs: 1000, maxEntries: 50_000 };
 * const ledger = await cachedConsentLedger(postgresConsentLedger(db, purposes), options);
 * ```
 * @category Consent
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
  /**
   * The most (subject, purpose) states kept (default 100 000); the subjects
   * cached longest ago are dropped first. Reads in flight are tracked up to the
   * same bound; beyond it a read is served but not cached.
   */
  readonly maxEntries?: number;
}

/**
 * What a cache holds, for monitoring: every figure stays within `maxEntries`.
 *
 * @example
 * ```ts
 * const { entries, subjects, reading } = consent.stats;
 * metrics.gauge('consent_cache_entries', entries);
 * ```
 * @category Consent
 */
export interface ConsentCacheStats {
  /** Cached (subject, purpose) states. */
  readonly entries: number;
  /** Subjects with at least one cached state. */
  readonly subjects: number;
  /** Subjects with a ledger read in flight (an invalidation during the read keeps its answer out of the cache). */
  readonly reading: number;
}

/**
 * A cached ledger: the same interface, plus its health and a way to stop it.
 *
 * @example
 * ```ts
 * const ledger: CachedConsentLedger = await cachedConsentLedger(postgresConsentLedger(db, purposes), { client: db, listen: { pool } });
 * process.on('SIGTERM', () => ledger.close());
 * ```
 * @category Consent
 */
export interface CachedConsentLedger extends ConsentLedger {
  /** Whether cached state is being used (heartbeats arrive). */
  readonly enabled: boolean;
  /** What the cache holds now. */
  readonly stats: ConsentCacheStats;
  /** Stops listening and heartbeating; the ledger keeps working, uncached. */
  close(): Promise<void>;
}

interface Entry {
  readonly state: ConsentState;
  readonly at: number;
}

/** The reads of one subject in flight: how many, and whether an invalidation arrived since the oldest began. */
interface Reading {
  count: number;
  /** Bumped by every invalidation of the subject while reads are in flight. */
  generation: number;
}

/**
 * Wraps a PostgreSQL consent ledger with a per-instance cache invalidated by
 * LISTEN/NOTIFY, with a hard TTL and a heartbeat that switches the cache off
 * when notifications stop.
 *
 * The cache is indexed by subject, so a notification costs the same whatever
 * the cache holds: one lookup and the deletion of that subject's own states.
 * Nothing is kept per notified subject, and every map is bounded by `maxEntries`
 * (`PF_OPTIONS_INVALID` unless it is a positive integer).
 *
 * @example
 * ```ts
 * const consent = await cachedConsentLedger(postgresConsentLedger(db, purposes), { client: db, listen: { pool } });
 * const pf = createPurposeful({ purposes, schemas, consent });
 * // on shutdown
 * await consent.close();
 * ```
 * @category Consent
 */
export async function cachedConsentLedger(ledger: ConsentLedger, options: ConsentCacheOptions): Promise<CachedConsentLedger> {
  const ttl = options.ttlMs ?? 30_000;
  const beat = options.heartbeatMs ?? 1000;
  const max = options.maxEntries ?? 100_000;
  for (const [name, v] of [
    ['ttlMs', ttl],
    ['heartbeatMs', beat],
    ['maxEntries', max],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw new PurposefulError('PF_OPTIONS_INVALID', `cachedConsentLedger: ${name} must be a positive integer`);
    }
  }
  /** subject → purpose → state; insertion order of subjects is the eviction order. */
  const cache = new Map<string, Map<string, Entry>>();
  let entries = 0;
  /** Only subjects with a read in flight: empty when no read runs, whatever was notified. */
  const reading = new Map<string, Reading>();
  /** Bumped when everything is dropped at once: a read in flight then keeps nothing. */
  let epoch = 0;
  const me = `hb_${Math.random().toString(36).slice(2)}`;
  let lastBeat = 0;
  let closed = false;
  const clear = () => {
    cache.clear();
    entries = 0;
    epoch++;
  };
  const invalidate = (subject: string, purpose?: string) => {
    const r = reading.get(subject);
    if (r !== undefined) r.generation++;
    const states = cache.get(subject);
    if (states === undefined) return;
    if (purpose === undefined || (states.size === 1 && states.has(purpose))) {
      entries -= states.size;
      cache.delete(subject);
    } else if (states.delete(purpose)) entries--;
  };
  const store = (subject: string, states: ReadonlyMap<string, ConsentState>, t: number) => {
    let mine = cache.get(subject);
    if (mine === undefined) mine = new Map();
    else cache.delete(subject); // re-inserted last: the most recently cached subject
    for (const [p, state] of states) {
      const had = mine.has(p);
      const expires = state.event?.expiresAt ? Date.parse(state.event.expiresAt) : Number.POSITIVE_INFINITY;
      if (expires > t) {
        mine.set(p, { state, at: t });
        if (!had) entries++;
      } else if (had) {
        mine.delete(p);
        entries--;
      }
    }
    if (mine.size > 0) cache.set(subject, mine);
    while (entries > max) {
      const [oldest, dropped] = cache.entries().next().value as [string, Map<string, Entry>];
      entries -= dropped.size;
      cache.delete(oldest);
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
      clear(); // a notification we cannot read: trust nothing cached
    }
  };
  let stopListening: () => Promise<void>;
  if ('pool' in options.listen) {
    const conn = await options.listen.pool.connect();
    conn.on('notification', (msg) => onPayload(msg.payload));
    conn.on('error', () => {
      lastBeat = 0;
      clear();
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
  /** A fresh cached state, or `undefined`. */
  const hitOf = (subject: string, purpose: string, t: number): Entry | undefined => {
    const hit = cache.get(subject)?.get(purpose);
    return hit === undefined || t - hit.at >= ttl ? undefined : hit;
  };
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
      const hit = hitOf(subject, p, t);
      if (hit === undefined) return undefined;
      out.set(p, stateOf(subject, p, hit.state.event ? [hit.state.event] : [], now));
    }
    return out;
  };
  const wrapped: CachedConsentLedger = {
    get enabled() {
      return healthy();
    },
    get stats() {
      return { entries, subjects: cache.size, reading: reading.size };
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
      // track the read so an event that arrives meanwhile keeps its answer out of the cache (bounded: beyond, not cached)
      let r = reading.get(subject);
      if (r === undefined && reading.size < max) {
        r = { count: 0, generation: 0 };
        reading.set(subject, r);
      }
      if (r === undefined) return ledger.status(subject, purposes, now);
      r.count++;
      const g = r.generation;
      const e = epoch;
      try {
        const states = await ledger.status(subject, purposes, now);
        // an event that arrived while we read makes what we read possibly stale: serve it, do not keep it
        if (healthy() && r.generation === g && epoch === e) store(subject, states, t);
        return states;
      } finally {
        if (--r.count === 0) reading.delete(subject);
      }
    },
    history: (subject, purpose) => ledger.history(subject, purpose),
    // listed from the ledger itself: the cache holds only the subjects it was asked about
    ...(ledger.grantsInForce
      ? { grantsInForce: (purpose: string, now?: Date) => ledger.grantsInForce?.(purpose, now) ?? Promise.resolve([]) }
      : {}),
    recordFromReceipt: async (receipt) => {
      const event = await ledger.recordFromReceipt(receipt);
      invalidate(event.subject, event.purpose);
      return event;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clear();
      await stopListening();
    },
  };
  // a cache hit answers the engine without a promise or timer
  SYNC_STATUS.set(wrapped, {
    status: wrapped.status,
    now: (subject, purpose) => (healthy() ? hitOf(subject, purpose, Date.now())?.state : undefined),
  });
  return wrapped;
}
