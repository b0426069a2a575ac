/**
 * The anomaly watch: per actor, sliding-window counts of distinct subjects
 * read, of sensitive-field reads and of denials, against thresholds declared
 * by default, per role and per purpose. Crossing one calls the alert hook and,
 * if asked, blocks the actor's access to personal data until cleared. O(1)
 * per event (amortized), memory bounded by the thresholds and `maxActors`.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { AccessRecord } from './event.js';

/**
 * Limits within a sliding window. A limit left out is not watched.
 *
 * @example
 * ```ts
 * const agents: AnomalyThresholds = { windowMs: 10 * 60_000, subjects: 50, sensitiveReads: 10, denials: 20 };
 * ```
 * @category Access log
 */
export interface AnomalyThresholds {
  readonly windowMs: number;
  /** Distinct subjects whose data the actor read. */
  readonly subjects?: number;
  /** Reads that showed sensitive fields. */
  readonly sensitiveReads?: number;
  /** Refused requests. */
  readonly denials?: number;
}

/**
 * What crossed, for whom. Never a subject or a value.
 *
 * @example
 * ```ts
 * const onAlert = (a: AnomalyAlert) => pager.send(`${a.actor}: ${a.count} ${a.kind} in ${a.windowMs / 60_000} min`);
 * ```
 * @category Access log
 */
export interface AnomalyAlert {
  readonly actor: string;
  readonly kind: 'subjects' | 'sensitive_reads' | 'denials';
  readonly count: number;
  readonly threshold: number;
  readonly windowMs: number;
  /** The purpose, when the thresholds crossed are that purpose's. */
  readonly purpose?: string;
  readonly time: string;
  /** Whether the actor is now blocked. */
  readonly blocked: boolean;
}

/**
 * Options of {@link anomalyWatch}.
 *
 * @example
 * ```ts
 * const options: AnomalyWatchOptions = {
 *   thresholds: { windowMs: 600_000, subjects: 50, denials: 20 },
 *   roles: { supervisor: { windowMs: 600_000, subjects: 200 } },
 *   purposes: { 'billing.invoice': { windowMs: 3_600_000, subjects: 500 } },
 *   onAlert: (a) => console.warn('anomaly', a),
 *   block: true,
 * };
 * ```
 * @category Access log
 */
export interface AnomalyWatchOptions {
  /** The default limits. */
  readonly thresholds: AnomalyThresholds;
  /** Limits for actors with a role (an actor with several roles gets the highest limit of each kind). */
  readonly roles?: Readonly<Record<string, AnomalyThresholds>>;
  /** Limits for one purpose: its events are counted apart, per actor. */
  readonly purposes?: Readonly<Record<string, AnomalyThresholds>>;
  readonly onAlert?: (alert: AnomalyAlert) => void;
  /** Block an actor's further access to personal data when a limit is crossed (default false). */
  readonly block?: boolean;
  /** How many actors are tracked at once; the least recently seen are forgotten first (default 100,000). */
  readonly maxActors?: number;
}

/**
 * The watch the access log feeds and the engine asks.
 *
 * @example
 * ```ts
 * if (watch.isBlocked('agent-7')) console.log('agent-7 is blocked:', watch.blocked());
 * watch.clear('agent-7'); // after review
 * ```
 * @category Access log
 */
export interface AnomalyWatch {
  /** Counts one decision (the access log calls it for every record). */
  observe(record: AccessRecord): void;
  isBlocked(actorId: string): boolean;
  /** Lifts a block and forgets the actor's counts. */
  clear(actorId: string): void;
  /** The actors blocked now. */
  blocked(): string[];
}

/** Timestamps within a window, at most `cap` kept: enough to know the limit was crossed. */
class Window {
  private readonly times: number[] = [];
  private head = 0;
  constructor(private readonly cap: number) {}
  add(now: number, windowMs: number): number {
    this.times.push(now);
    return this.count(now, windowMs);
  }
  count(now: number, windowMs: number): number {
    const t = this.times;
    while (this.head < t.length && ((t[this.head] as number) <= now - windowMs || t.length - this.head > this.cap)) this.head++;
    if (this.head > 64 && this.head * 2 > t.length) {
      t.splice(0, this.head);
      this.head = 0;
    }
    return t.length - this.head;
  }
}

/** Distinct keys seen within a window, most recent last, at most `cap` kept. */
class DistinctWindow {
  private readonly seen = new Map<string, number>();
  constructor(private readonly cap: number) {}
  add(key: string, now: number, windowMs: number): number {
    this.seen.delete(key);
    this.seen.set(key, now);
    for (const [k, t] of this.seen) {
      if (t > now - windowMs && this.seen.size <= this.cap) break;
      this.seen.delete(k);
    }
    return this.seen.size;
  }
}

interface Limits {
  readonly windowMs: number;
  readonly subjects: number;
  readonly sensitiveReads: number;
  readonly denials: number;
  readonly purpose: string | undefined;
}

interface ActorState {
  readonly subjects: DistinctWindow;
  readonly sensitive: Window;
  readonly denials: Window;
  /** Kinds over their limit now: alerted once per crossing. */
  readonly over: Set<string>;
}

function checkThresholds(t: unknown, where: string): AnomalyThresholds {
  const x = t as AnomalyThresholds;
  const count = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 1);
  if (
    typeof x !== 'object' ||
    x === null ||
    !Number.isSafeInteger(x.windowMs) ||
    x.windowMs < 1 ||
    !count(x.subjects) ||
    !count(x.sensitiveReads) ||
    !count(x.denials)
  ) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `anomalyWatch(): ${where} must be { windowMs, subjects?, sensitiveReads?, denials? } with positive integers`,
    );
  }
  return x;
}

const READS = new Set(['open', 'outbound']);

/**
 * Creates an anomaly watch. Give it to `createAccessLog({ watch })`: every
 * decision the engine records is counted, and with `block: true` the engine
 * refuses a blocked actor with `PF_ACTOR_BLOCKED` before touching any data.
 *
 * @example
 * ```ts
 * const watch = anomalyWatch({
 *   thresholds: { windowMs: 10 * 60_000, subjects: 50, sensitiveReads: 10, denials: 20 },
 *   onAlert: (a) => securityChannel.post(`${a.actor} read ${a.count} ${a.kind} in 10 min`),
 *   block: true,
 * });
 * const audit = createAccessLog({ sink, subjectKey, watch });
 * ```
 * @category Access log
 */
export function anomalyWatch(options: AnomalyWatchOptions): AnomalyWatch {
  const watch = new ActorWatch(watchSettings(options));
  return {
    observe: (record) => watch.observe(record),
    isBlocked: (actorId) => watch.blockedActors.has(actorId),
    clear: (actorId) => watch.clear(actorId),
    blocked: () => [...watch.blockedActors].sort(),
  };
}

/** The options of {@link anomalyWatch}, checked, with their defaults. */
interface WatchSettings {
  readonly base: AnomalyThresholds;
  readonly roles: ReadonlyMap<string, AnomalyThresholds>;
  readonly purposes: ReadonlyMap<string, AnomalyThresholds>;
  readonly maxActors: number;
  readonly onAlert: ((alert: AnomalyAlert) => void) | undefined;
  readonly block: boolean;
}

function watchSettings(options: AnomalyWatchOptions): WatchSettings {
  if (typeof options !== 'object' || options === null)
    throw new PurposefulError('PF_OPTIONS_INVALID', 'anomalyWatch() expects options');
  const base = checkThresholds(options.thresholds, 'thresholds');
  const roles = new Map(Object.entries(options.roles ?? {}).map(([r, t]) => [r, checkThresholds(t, `roles.${r}`)]));
  const purposes = new Map(Object.entries(options.purposes ?? {}).map(([p, t]) => [p, checkThresholds(t, `purposes.${p}`)]));
  const maxActors = options.maxActors ?? 100_000;
  if (!Number.isSafeInteger(maxActors) || maxActors < 1)
    throw new PurposefulError('PF_OPTIONS_INVALID', 'maxActors must be a positive integer');
  return { base, roles, purposes, maxActors, onAlert: options.onAlert, block: options.block === true };
}

/** A limit left out: never reached. */
const NEVER = Number.MAX_SAFE_INTEGER;

// an actor's windows keep enough to see the highest limit any of its roles could give it (a purpose's, its own)
const largest = (list: readonly AnomalyThresholds[], kind: 'subjects' | 'sensitiveReads' | 'denials') =>
  Math.max(1, ...list.map((t) => t[kind] ?? 0)) + 1;
const capsOf = (list: readonly AnomalyThresholds[]) => ({
  subjects: largest(list, 'subjects'),
  sensitiveReads: largest(list, 'sensitiveReads'),
  denials: largest(list, 'denials'),
});

/** The limits of one record: its purpose's, or else those of the actor's roles (the highest of each kind), or else the defaults. */
function limitsFor(record: AccessRecord, settings: WatchSettings): Limits {
  const own = record.purpose !== undefined ? settings.purposes.get(record.purpose) : undefined;
  if (own) {
    return {
      windowMs: own.windowMs,
      subjects: own.subjects ?? NEVER,
      sensitiveReads: own.sensitiveReads ?? NEVER,
      denials: own.denials ?? NEVER,
      purpose: record.purpose,
    };
  }
  const base = settings.base;
  let windowMs = base.windowMs;
  let subjects = base.subjects ?? NEVER;
  let sensitiveReads = base.sensitiveReads ?? NEVER;
  let denials = base.denials ?? NEVER;
  let first = true;
  for (const r of record.actor.roles) {
    const t = settings.roles.get(r);
    if (!t) continue;
    // the first role found replaces the defaults; more roles can only raise a limit
    windowMs = first ? t.windowMs : Math.min(windowMs, t.windowMs);
    subjects = first ? (t.subjects ?? NEVER) : Math.max(subjects, t.subjects ?? NEVER);
    sensitiveReads = first ? (t.sensitiveReads ?? NEVER) : Math.max(sensitiveReads, t.sensitiveReads ?? NEVER);
    denials = first ? (t.denials ?? NEVER) : Math.max(denials, t.denials ?? NEVER);
    first = false;
  }
  return { windowMs, subjects, sensitiveReads, denials, purpose: undefined };
}

/** The windows of every actor (and actor per purpose) tracked, and the actors blocked. */
class ActorWatch {
  private readonly states = new Map<string, ActorState>();
  readonly blockedActors = new Set<string>();
  private readonly actorCaps: ReturnType<typeof capsOf>;

  constructor(private readonly settings: WatchSettings) {
    this.actorCaps = capsOf([settings.base, ...settings.roles.values()]);
  }

  observe(record: AccessRecord): void {
    const l = limitsFor(record, this.settings);
    const key = l.purpose === undefined ? record.actor.id : `${record.actor.id}\u0000${l.purpose}`;
    const s = this.stateOf(key, l);
    const parsed = Date.parse(record.time);
    const now = Number.isNaN(parsed) ? Date.now() : parsed;
    if (record.decision === 'deny') {
      if (l.denials !== NEVER) this.check(record, s, l, 'denials', s.denials.add(now, l.windowMs), l.denials, now);
      return;
    }
    if (!READS.has(record.action)) return;
    if (record.subjectId !== undefined && l.subjects !== NEVER) {
      this.check(record, s, l, 'subjects', s.subjects.add(record.subjectId, now, l.windowMs), l.subjects, now);
    }
    if (record.sensitive && l.sensitiveReads !== NEVER) {
      this.check(record, s, l, 'sensitive_reads', s.sensitive.add(now, l.windowMs), l.sensitiveReads, now);
    }
  }

  /** Lifts a block and forgets the actor's counts. */
  clear(actorId: string): void {
    this.blockedActors.delete(actorId);
    const states = this.states;
    for (const key of [...states.keys()]) if (key === actorId || key.startsWith(`${actorId}\u0000`)) states.delete(key);
  }

  /** The windows of one key, made most recently seen; a new key may push out the least recently seen. */
  private stateOf(key: string, l: Limits): ActorState {
    const states = this.states;
    let s = states.get(key);
    if (s) {
      states.delete(key); // most recently seen last
    } else {
      const own = l.purpose !== undefined ? this.settings.purposes.get(l.purpose) : undefined;
      const caps = own ? capsOf([own]) : this.actorCaps;
      s = {
        subjects: new DistinctWindow(caps.subjects),
        sensitive: new Window(caps.sensitiveReads),
        denials: new Window(caps.denials),
        over: new Set(),
      };
      if (states.size >= this.settings.maxActors) {
        const oldest = states.keys().next().value as string;
        states.delete(oldest);
      }
    }
    states.set(key, s);
    return s;
  }

  /** Alerts (and blocks, if asked) once when a count crosses its limit; a count back under it re-arms the alert. */
  private check(
    record: AccessRecord,
    s: ActorState,
    l: Limits,
    kind: AnomalyAlert['kind'],
    count: number,
    limit: number,
    now: number,
  ): void {
    if (count <= limit) {
      s.over.delete(kind);
      return;
    }
    if (s.over.has(kind)) return;
    s.over.add(kind);
    const { block, onAlert } = this.settings;
    if (block) this.blockedActors.add(record.actor.id);
    try {
      onAlert?.(
        Object.freeze({
          actor: record.actor.id,
          kind,
          count,
          threshold: limit,
          windowMs: l.windowMs,
          ...(l.purpose !== undefined ? { purpose: l.purpose } : {}),
          time: new Date(now).toISOString(),
          blocked: block,
        }),
      );
    } catch {
      // a failing alert hook (a pager that is down) must not fail the call that tripped it
    }
  }
}
