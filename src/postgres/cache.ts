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
import { type ConsentLedger, PurposefulError, SYNC_STATUS } from 'purposeful';
import type { PgliteLike, SqlClient } from './client.js';
import { ConsentCache } from './consent-cache.js';

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
  const cache = new ConsentCache(ttl, beat, max);
  const stopListening = await listenForChanges(options.listen, cache);
  const heartbeat = async () => {
    if (cache.closed) return;
    await options.client
      .query('SELECT pg_notify($1, $2)', [CONSENT_CHANNEL, JSON.stringify({ heartbeat: cache.me })])
      .catch(() => undefined);
  };
  await heartbeat();
  const timer = setInterval(heartbeat, beat);
  (timer as { unref?: () => void }).unref?.();
  const wrapped: CachedConsentLedger = {
    get enabled() {
      return cache.healthy();
    },
    get stats() {
      return cache.stats;
    },
    async grant(grant) {
      const event = await ledger.grant(grant);
      cache.invalidate(grant.subject, grant.purpose);
      return event;
    },
    async withdraw(subject, purpose, details) {
      const event = await ledger.withdraw(subject, purpose, details);
      cache.invalidate(subject, purpose);
      return event;
    },
    status: (subject, purposes, now = new Date()) => cache.status(ledger, subject, purposes, now),
    history: (subject, purpose) => ledger.history(subject, purpose),
    // listed from the ledger itself: the cache holds only the subjects it was asked about
    ...(ledger.grantsInForce
      ? { grantsInForce: (purpose: string, now?: Date) => ledger.grantsInForce?.(purpose, now) ?? Promise.resolve([]) }
      : {}),
    recordFromReceipt: async (receipt) => {
      const event = await ledger.recordFromReceipt(receipt);
      cache.invalidate(event.subject, event.purpose);
      return event;
    },
    async close() {
      if (cache.closed) return;
      cache.closed = true;
      clearInterval(timer);
      cache.clear();
      await stopListening();
    },
  };
  // a cache hit answers the engine without a promise or timer
  SYNC_STATUS.set(wrapped, {
    status: wrapped.status,
    now: (subject, purpose) => cache.now(subject, purpose),
  });
  return wrapped;
}

/** LISTENs on the consent channel, feeding the cache every notification; gives the way to stop. */
async function listenForChanges(listen: ConsentListenSource, cache: ConsentCache): Promise<() => Promise<void>> {
  if ('pool' in listen) {
    const conn = await listen.pool.connect();
    conn.on('notification', (msg) => cache.onPayload(msg.payload));
    conn.on('error', () => cache.lost());
    await conn.query(`LISTEN ${CONSENT_CHANNEL}`);
    return async () => {
      await conn.query(`UNLISTEN ${CONSENT_CHANNEL}`).catch(() => undefined);
      conn.release();
    };
  }
  return listen.pglite.listen(CONSENT_CHANNEL, cache.onPayload);
}
