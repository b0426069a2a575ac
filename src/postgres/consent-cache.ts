/**
 * The state of a consent cache: cached states by subject and purpose, bounded
 * and evicted oldest subject first; the reads in flight, so that an
 * invalidation during a read keeps its answer out; and the heartbeat that says
 * whether notifications still arrive.
 *
 * @module
 * @internal
 */
import { type ConsentLedger, type ConsentState, stateOf } from 'purposeful';

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

/** Cached consent states, invalidated by notifications and trusted only while heartbeats arrive. */
export class ConsentCache {
  /** subject → purpose → state; insertion order of subjects is the eviction order. */
  private readonly cache = new Map<string, Map<string, Entry>>();
  private entries = 0;
  /** Only subjects with a read in flight: empty when no read runs, whatever was notified. */
  private readonly reading = new Map<string, Reading>();
  /** Bumped when everything is dropped at once: a read in flight then keeps nothing. */
  private epoch = 0;
  /** This instance's heartbeat, told from those of other instances. */
  readonly me = `hb_${Math.random().toString(36).slice(2)}`;
  private lastBeat = 0;
  closed = false;

  constructor(
    private readonly ttl: number,
    private readonly beat: number,
    private readonly max: number,
  ) {}

  get stats(): { entries: number; subjects: number; reading: number } {
    return { entries: this.entries, subjects: this.cache.size, reading: this.reading.size };
  }

  /** Whether cached state may be used: open, and a heartbeat arrived within three periods. */
  healthy(): boolean {
    return !this.closed && Date.now() - this.lastBeat < 3 * this.beat;
  }

  /** Drops everything cached. */
  clear(): void {
    this.cache.clear();
    this.entries = 0;
    this.epoch++;
  }

  /** The listening connection failed: nothing cached can be invalidated any more. */
  lost(): void {
    this.lastBeat = 0;
    this.clear();
  }

  /** Drops the cached states of a subject (for one purpose, or all), and spoils the reads of it in flight. */
  invalidate(subject: string, purpose?: string): void {
    const r = this.reading.get(subject);
    if (r !== undefined) r.generation++;
    const states = this.cache.get(subject);
    if (states === undefined) return;
    if (purpose === undefined || (states.size === 1 && states.has(purpose))) {
      this.entries -= states.size;
      this.cache.delete(subject);
    } else if (states.delete(purpose)) this.entries--;
  }

  /** A notification: our heartbeat, or a change of a subject's consent; one we cannot read drops everything. */
  readonly onPayload = (payload: string | undefined): void => {
    if (!payload) return;
    try {
      const msg = JSON.parse(payload) as { subject?: string; purpose?: string; heartbeat?: string };
      if (msg.heartbeat === this.me) this.lastBeat = Date.now();
      else if (typeof msg.subject === 'string')
        this.invalidate(msg.subject, typeof msg.purpose === 'string' ? msg.purpose : undefined);
    } catch {
      this.clear(); // a notification we cannot read: trust nothing cached
    }
  };

  /** A fresh cached state, or `undefined`. */
  hitOf(subject: string, purpose: string, t: number): Entry | undefined {
    const hit = this.cache.get(subject)?.get(purpose);
    return hit === undefined || t - hit.at >= this.ttl ? undefined : hit;
  }

  /** The state cached for one purpose, while the cache is healthy: the engine's synchronous answer. */
  now(subject: string, purpose: string): ConsentState | undefined {
    return this.healthy() ? this.hitOf(subject, purpose, Date.now())?.state : undefined;
  }

  /**
   * The status from the cache when every purpose is there and fresh; else read from the ledger and cached,
   * unless an invalidation arrived during the read.
   */
  async status(
    ledger: ConsentLedger,
    subject: string,
    purposes: readonly string[],
    now: Date,
  ): Promise<ReadonlyMap<string, ConsentState>> {
    const t = Date.now();
    const cached = this.fromCache(subject, purposes, now);
    if (cached !== undefined) return cached;
    // track the read so an event that arrives meanwhile keeps its answer out of the cache (bounded: beyond, not cached)
    let r = this.reading.get(subject);
    if (r === undefined && this.reading.size < this.max) {
      r = { count: 0, generation: 0 };
      this.reading.set(subject, r);
    }
    if (r === undefined) return ledger.status(subject, purposes, now);
    r.count++;
    const g = r.generation;
    const e = this.epoch;
    try {
      const states = await ledger.status(subject, purposes, now);
      // an event that arrived while we read makes what we read possibly stale: serve it, do not keep it
      if (this.healthy() && r.generation === g && this.epoch === e) this.store(subject, states, t);
      return states;
    } finally {
      if (--r.count === 0) this.reading.delete(subject);
    }
  }

  /**
   * The answer from the cache when every purpose is there and fresh, recomputed
   * at `now` (a cached grant that has since expired reads as expired); else `undefined`.
   */
  private fromCache(subject: string, purposes: readonly string[], now: Date): ReadonlyMap<string, ConsentState> | undefined {
    if (!this.healthy()) return undefined;
    const t = Date.now();
    const out = new Map<string, ConsentState>();
    for (const p of purposes) {
      const hit = this.hitOf(subject, p, t);
      if (hit === undefined) return undefined;
      out.set(p, stateOf(subject, p, hit.state.event ? [hit.state.event] : [], now));
    }
    return out;
  }

  /** Keeps the states read at `t` (not those already expired), the subject last in eviction order; evicts beyond `max`. */
  private store(subject: string, states: ReadonlyMap<string, ConsentState>, t: number): void {
    let mine = this.cache.get(subject);
    if (mine === undefined) mine = new Map();
    else this.cache.delete(subject); // re-inserted last: the most recently cached subject
    for (const [p, state] of states) {
      const had = mine.has(p);
      const expires = state.event?.expiresAt ? Date.parse(state.event.expiresAt) : Number.POSITIVE_INFINITY;
      if (expires > t) {
        mine.set(p, { state, at: t });
        if (!had) this.entries++;
      } else if (had) {
        mine.delete(p);
        this.entries--;
      }
    }
    if (mine.size > 0) this.cache.set(subject, mine);
    while (this.entries > this.max) {
      const [oldest, dropped] = this.cache.entries().next().value as [string, Map<string, Entry>];
      this.entries -= dropped.size;
      this.cache.delete(oldest);
    }
  }
}
