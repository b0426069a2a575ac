/**
 * Blocking (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18) as a record per subject:
 * the rights desk writes it before it marks any row, and the engine consults
 * it wherever a value goes in or out (`seal`, `open`, `outbound`), so that a
 * write that drops a row's restriction column, or a row created after the
 * blocking, never lifts it. The row column stays as well: it carries the
 * blocking to instances whose store is not shared.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Jurisdiction } from '../taxonomy/bases.js';

/**
 * One blocking in force: the request that made it, the subject, when, the
 * fields it covers, and the laws in force when it was made.
 *
 * @example
 * ```ts
 * const b: Blocking = {
 *   request: 'rq_…', subjectId: 'cust-1', at: '2026-12-01T09:00:00.000Z',
 *   fields: [{ schema: 'customer', field: 'email' }], laws: ['lgpd', 'gdpr'],
 * };
 * ```
 * @category Rights and retention
 */
export interface Blocking {
  /** The `blocking` request that made it. */
  readonly request: string;
  readonly subjectId: string;
  readonly at: string;
  /** The fields blocked; every personal field of every schema when absent. */
  readonly fields?: readonly { readonly schema: string; readonly field: string }[];
  /**
   * The laws in force when it was made. While the LGPD is among them no purpose
   * opens the data (Art. 5 XIII), whatever a request's `ctx.jurisdictions` says.
   */
  readonly laws: readonly Jurisdiction[];
}

/**
 * Where blockings are kept. The engine asks `inForce` on every `seal`, `open`
 * and `outbound` that names a subject: keep it fast, and shared by every
 * instance of your service (the default store lives in one process's memory;
 * another instance then sees a blocking only through the row's restriction
 * column). A store that fails, or answers anything but a list, refuses the
 * request (`PF_STORE_UNAVAILABLE`).
 *
 * @example
 * ```ts
 * const blockings: BlockingStore = memoryBlockingStore();
 * const pf = createPurposeful({ purposes, schemas, rights: rightsDesk({ verify, sources, blockings }) });
 * ```
 * @category Rights and retention
 */
export interface BlockingStore {
  /** Records a blocking (replacing the one with the same `request`). */
  put(blocking: Blocking): Promise<void>;
  /** Lifts the blocking a request made (nothing when there is none). */
  lift(request: string): Promise<void>;
  /** The blockings in force for a subject: an empty list when none (answer synchronously when you can). */
  inForce(subjectId: string): readonly Blocking[] | Promise<readonly Blocking[]>;
}

const NONE: readonly Blocking[] = Object.freeze([]);

/**
 * A blocking store in memory (one process; answers `inForce` synchronously,
 * with no allocation for a subject that has no blocking).
 *
 * @example
 * ```ts
 * const blockings = memoryBlockingStore();
 * blockings.inForce('cust-1'); // [] until a blocking request for cust-1 is carried out
 * ```
 * @category Rights and retention
 */
export function memoryBlockingStore(): BlockingStore {
  const bySubject = new Map<string, readonly Blocking[]>();
  const subjectOf = new Map<string, string>();
  const drop = (request: string) => {
    const s = subjectOf.get(request);
    if (s === undefined) return;
    subjectOf.delete(request);
    const left = (bySubject.get(s) ?? NONE).filter((b) => b.request !== request);
    if (left.length) bySubject.set(s, Object.freeze(left));
    else bySubject.delete(s);
  };
  return {
    async put(b) {
      drop(b.request);
      const frozen = Object.freeze({
        ...b,
        laws: Object.freeze([...b.laws]),
        ...(b.fields ? { fields: Object.freeze(b.fields.map((f) => Object.freeze({ schema: f.schema, field: f.field }))) } : {}),
      });
      bySubject.set(b.subjectId, Object.freeze([...(bySubject.get(b.subjectId) ?? NONE), frozen]));
      subjectOf.set(b.request, b.subjectId);
    },
    async lift(request) {
      drop(request);
    },
    inForce: (subjectId) => bySubject.get(subjectId) ?? NONE,
  };
}

/** Checks a store given in options. @internal */
export function assertBlockingStore(store: unknown): asserts store is BlockingStore {
  const s = store as Partial<Record<keyof BlockingStore, unknown>> | null;
  if (typeof s !== 'object' || s === null || !(['put', 'lift', 'inForce'] as const).every((k) => typeof s[k] === 'function')) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.blockings must be a blocking store: { put, lift, inForce }');
  }
}

/**
 * The blocking store of an engine's `rights` options: the one given (checked),
 * a memory store by default, none without a rights desk. @internal
 */
export function blockingStoreFor(rights: unknown): BlockingStore | undefined {
  if (rights === undefined) return undefined;
  const given = typeof rights === 'object' && rights !== null ? (rights as { blockings?: unknown }).blockings : undefined;
  if (given === undefined) return memoryBlockingStore();
  assertBlockingStore(given);
  return given;
}

const unavailable = () =>
  new PurposefulError(
    'PF_STORE_UNAVAILABLE',
    'the blocking store could not say whether the subject is blocked: nothing is opened or stored',
    {
      article: 'LGPD Art. 5 XIII, 18 IV; GDPR Art. 18',
    },
  );

function checked(answer: unknown): readonly Blocking[] {
  if (!Array.isArray(answer)) throw unavailable();
  return answer as readonly Blocking[];
}

/**
 * The engine's look-up: the blockings in force for a subject, synchronously
 * when the store answers so; failures and malformed answers become
 * `PF_STORE_UNAVAILABLE` (fail closed). @internal
 */
export function blockingGate(store: BlockingStore): (subjectId: string) => readonly Blocking[] | Promise<readonly Blocking[]> {
  return (subjectId) => {
    let answer: readonly Blocking[] | Promise<readonly Blocking[]>;
    try {
      answer = store.inForce(subjectId);
    } catch {
      throw unavailable();
    }
    if (Array.isArray(answer)) return answer;
    if (typeof (answer as { then?: unknown } | null)?.then !== 'function') throw unavailable();
    return Promise.resolve(answer).then(checked, () => {
      throw unavailable();
    });
  };
}
