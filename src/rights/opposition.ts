/**
 * Opposition (LGPD Art. 18 §2; GDPR Art. 21): the subject objects to a
 * purpose that does not rest on consent. An objection stops the purpose for
 * that subject at once: the engine refuses every request for it that concerns
 * them (`PF_OBJECTED`) in `inbound`, `outbound`, `open`, `seal` and
 * `authorize`, and every such request whose record and context name no
 * subject while an objection to the purpose is in force (`PF_SUBJECT_MISSING`);
 * `authorize` without a subject leaves the check to each record, unless the
 * schema's records name no subject at all. It stays in
 * force until the controller dismisses it with its grounds (GDPR Art. 21(1):
 * compelling legitimate grounds, or legal claims; LGPD Art. 18 §2: the
 * processing complies with the law), told to the subject. An objection to
 * direct marketing cannot be dismissed (GDPR Art. 21(3)).
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { Jurisdiction } from '../taxonomy/bases.js';

/**
 * One objection of a subject to one purpose.
 *
 * @example
 * ```ts
 * const o: Objection = {
 *   request: 'rq_…', subjectId: 'cust-1', purpose: 'analytics.churn', at: '2026-11-02T12:00:00.000Z',
 *   status: 'in_force', absolute: false, article: 'LGPD Art. 18 §2; GDPR Art. 21(1)',
 * };
 * ```
 * @category Rights and retention
 */
export interface Objection {
  /** The opposition request that recorded it. */
  readonly request: string;
  readonly subjectId: string;
  readonly purpose: string;
  /** When it was recorded: the purpose stops for the subject from then on. */
  readonly at: string;
  /** The subject's grounds, as they gave them (GDPR Art. 21(1): grounds relating to their particular situation). */
  readonly grounds?: string;
  /** `in_force`: the purpose is stopped for the subject; `dismissed`: the controller stated grounds that override it. */
  readonly status: 'in_force' | 'dismissed';
  /** Direct marketing (GDPR Art. 21(2)–(3)): it cannot be dismissed. */
  readonly absolute: boolean;
  readonly article: string;
  /** The controller's grounds for dismissing it, told to the subject. */
  readonly dismissal?: { readonly grounds: string; readonly at: string };
}

/**
 * Where objections are kept. The engine asks `stops` before every request for
 * a purpose: keep it fast, and shared by every instance of your service (the
 * default store lives in one process's memory). A store that fails refuses
 * the request (`PF_STORE_UNAVAILABLE`).
 *
 * @example
 * ```ts
 * const objections: ObjectionStore = memoryObjectionStore();
 * const pf = createPurposeful({ purposes, schemas, rights: rightsDesk({ verify, sources, objections }) });
 * ```
 * @category Rights and retention
 */
export interface ObjectionStore {
  /** Records an objection, or its new state (replacing the one with the same `request`). */
  put(objection: Objection): Promise<void>;
  /** The objection an opposition request recorded. */
  get(request: string): Promise<Objection | undefined>;
  /** A subject's objections, in force or dismissed. */
  list(subjectId: string): Promise<readonly Objection[]>;
  /**
   * Whether an objection in force stops `purpose`: for `subjectId`, or, when the
   * subject is unknown (`undefined`), for anyone.
   */
  stops(purpose: string, subjectId: string | undefined): boolean | Promise<boolean>;
}

/**
 * An objection store in memory (one process; answers `stops` synchronously).
 *
 * @example
 * ```ts
 * const objections = memoryObjectionStore();
 * objections.stops('analytics.churn', 'cust-1'); // false until the subject objects
 * ```
 * @category Rights and retention
 */
export function memoryObjectionStore(): ObjectionStore {
  const byRequest = new Map<string, Objection>();
  /** purpose → subject → requests in force */
  const inForce = new Map<string, Map<string, Set<string>>>();
  /** purpose → how many objections to it are in force, so a request naming no subject is answered in O(1) */
  const counts = new Map<string, number>();
  const count = (purpose: string, by: 1 | -1) => {
    const n = (counts.get(purpose) ?? 0) + by;
    if (n > 0) counts.set(purpose, n);
    else counts.delete(purpose);
  };
  return {
    async put(o) {
      const before = byRequest.get(o.request);
      if (before && inForce.get(before.purpose)?.get(before.subjectId)?.delete(before.request)) count(before.purpose, -1);
      byRequest.set(o.request, Object.freeze({ ...o }));
      if (o.status === 'in_force') {
        let subjects = inForce.get(o.purpose);
        if (!subjects) {
          subjects = new Map();
          inForce.set(o.purpose, subjects);
        }
        let requests = subjects.get(o.subjectId);
        if (!requests) {
          requests = new Set();
          subjects.set(o.subjectId, requests);
        }
        requests.add(o.request);
        count(o.purpose, 1);
      }
    },
    get: async (request) => byRequest.get(request),
    list: async (subjectId) => [...byRequest.values()].filter((o) => o.subjectId === subjectId),
    stops(purpose, subjectId) {
      if (subjectId === undefined) return counts.has(purpose);
      return (inForce.get(purpose)?.get(subjectId)?.size ?? 0) > 0;
    },
  };
}

/** Checks a store given in options. @internal */
export function assertObjectionStore(store: unknown): asserts store is ObjectionStore {
  const s = store as Partial<Record<keyof ObjectionStore, unknown>> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    !(['put', 'get', 'list', 'stops'] as const).every((k) => typeof s[k] === 'function')
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.objections must be an objection store: { put, get, list, stops }');
  }
}

/** Whether a purpose is direct marketing: its data use is under fideslang's `marketing`. @internal */
export function isDirectMarketing(p: ResolvedPurpose): boolean {
  const use = p.declaration.dataUse;
  return typeof use === 'string' && (use === 'marketing' || use.startsWith('marketing.'));
}

/**
 * Whether, and under which articles, the subject may object to a purpose; the
 * reason it is refused otherwise. @internal
 */
export function opposability(
  p: ResolvedPurpose,
  jurisdictions: readonly Jurisdiction[],
):
  | { readonly ok: true; readonly absolute: boolean; readonly article: string }
  | { readonly ok: false; readonly why: string; readonly article: string } {
  if (p.consentUnder.some((j) => jurisdictions.includes(j))) {
    return {
      ok: false,
      why: `purpose "${p.id}" rests on consent: withdraw it with a revocation request instead`,
      article: 'LGPD Art. 18 IX, 8 §5; GDPR Art. 7(3)',
    };
  }
  const lgpd = jurisdictions.includes('lgpd') && p.declaration.legalBasis.lgpd !== undefined;
  const g = jurisdictions.includes('gdpr') ? p.declaration.legalBasis.gdpr : undefined;
  const marketing = g !== undefined && isDirectMarketing(p);
  const gdpr = marketing || g === 'public_task' || g === 'legitimate_interests';
  if (!lgpd && !gdpr) {
    return {
      ok: false,
      why: `purpose "${p.id}" rests on ${String(g)}: the GDPR gives a right to object only to processing based on Art. 6(1)(e) or (f), or for direct marketing`,
      article: 'GDPR Art. 21(1)',
    };
  }
  const articles = [
    ...(lgpd ? ['LGPD Art. 18 §2'] : []),
    ...(marketing ? ['GDPR Art. 21(2), 21(3)'] : gdpr ? ['GDPR Art. 21(1)'] : []),
  ];
  return { ok: true, absolute: marketing, article: articles.join('; ') };
}

/**
 * The engine's check: a function that throws (or rejects) when an objection in
 * force stops the purpose for the request's subject. @internal
 */
export function objectionGate(
  store: ObjectionStore,
): (schema: string, purpose: string, subjectId: string | undefined) => void | Promise<void> {
  const refuse = (schema: string, purpose: string, subjectId: string | undefined, stopped: boolean) => {
    if (!stopped) return;
    if (subjectId === undefined) {
      throw new PurposefulError(
        'PF_SUBJECT_MISSING',
        `a subject objected to purpose "${purpose}": a request for it must name its subject, so the objection can be honoured`,
        { purpose, schema, article: 'LGPD Art. 18 §2; GDPR Art. 21' },
      );
    }
    throw new PurposefulError(
      'PF_OBJECTED',
      `the subject objected to purpose "${purpose}": it is stopped for them until the controller decides otherwise`,
      { purpose, schema, article: 'LGPD Art. 18 §2; GDPR Art. 21' },
    );
  };
  const unavailable = (purpose: string) =>
    new PurposefulError('PF_STORE_UNAVAILABLE', `the objection store could not say whether purpose "${purpose}" is stopped`, {
      purpose,
      article: 'LGPD Art. 18 §2; GDPR Art. 21',
    });
  return (schema, purpose, subjectId) => {
    let answer: boolean | Promise<boolean>;
    try {
      answer = store.stops(purpose, subjectId);
    } catch {
      throw unavailable(purpose);
    }
    if (typeof answer === 'boolean') return refuse(schema, purpose, subjectId, answer);
    if (typeof (answer as { then?: unknown } | null)?.then !== 'function') throw unavailable(purpose);
    // anything but a boolean is no answer: the request is refused, never let through
    return Promise.resolve(answer).then(
      (stopped) => {
        if (typeof stopped !== 'boolean') throw unavailable(purpose);
        return refuse(schema, purpose, subjectId, stopped);
      },
      () => {
        throw unavailable(purpose);
      },
    );
  };
}

/**
 * The objection store of an engine's `rights` options: the one given
 * (checked), a memory store by default, none without a rights desk. @internal
 */
export function objectionStoreFor(rights: unknown): ObjectionStore | undefined {
  if (rights === undefined) return undefined;
  const given = typeof rights === 'object' && rights !== null ? (rights as { objections?: unknown }).objections : undefined;
  if (given === undefined) return memoryObjectionStore();
  assertObjectionStore(given);
  return given;
}
