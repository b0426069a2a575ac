/**
 * The consent check the engine runs before `inbound`, `outbound` and `open`
 * for a purpose that rests on consent under any law in force (they apply
 * together). It fails closed: no ledger, a ledger error or a timeout is
 * `PF_CONSENT_UNAVAILABLE` (503), never an allow.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { needsGuardianConsent } from '../taxonomy/minors.js';
import { type ConsentState, stateOf, WRITTEN_METHODS } from './events.js';
import { type ConsentLedger, SYNC_STATUS } from './ledger.js';
import { controllersConsentMustName } from './sharing.js';

/**
 * Why consent does not allow a request; stable, value-free.
 *
 * @example
 * ```ts
 * if (err.code === 'PF_CONSENT_REQUIRED') askForConsent(err.purpose); // the message names the reason: none, withdrawn, expired, …
 * ```
 * @category Consent
 */
export type ConsentDenial = 'none' | 'withdrawn' | 'expired' | 'not_highlighted' | 'guardian_required' | 'sharing_not_specific';

/**
 * Told when a grant is still valid but was given for an earlier, non-material notice: inform the subject, who may revoke (LGPD Art. 8 §6).
 *
 * @example
 * ```ts
 * createPurposeful({ purposes, schemas, consent, onNoticeChange: (c) => notifySubject(c.subject, c.purpose, c.current) });
 * ```
 * @category Consent
 */
export interface NoticeChange {
  readonly subject: string;
  readonly purpose: string;
  readonly grantedFor: string;
  readonly current: string;
}

/** Consent options of the engine. */
export interface ConsentOptions {
  readonly ledger: ConsentLedger | undefined;
  readonly timeoutMs: number;
  readonly onNoticeChange: ((change: NoticeChange) => void | Promise<void>) | undefined;
  readonly gdprDigitalConsentAge: number | undefined;
}

/**
 * A per-request memo of passed consent checks. The HTTP pipeline puts a fresh
 * {@link ConsentMemo} under this key in the context it builds for each request, so the
 * checks of `authorize`, `inbound` and `open` for the same subject and purpose
 * run once per request; a context without it is checked every time.
 */
export const CONSENT_MEMO: unique symbol = Symbol('purposeful.consentMemo');

/** One passed check: everything the decision depended on. */
interface PassedCheck {
  readonly subject: string | undefined;
  readonly purpose: string;
  readonly sensitive: boolean;
  readonly age: number | undefined;
  readonly minors: string;
  readonly jurisdictions: readonly Jurisdiction[];
}

/**
 * The passed checks of one request: a request has one or two, so a list
 * compared field by field (no key string built and hashed per check).
 */
export type ConsentMemo = PassedCheck[];

/** Whether an identical check already passed in this request. */
export function memoHas(memo: ConsentMemo, c: PassedCheck): boolean {
  for (const m of memo) {
    if (
      m.subject === c.subject &&
      m.purpose === c.purpose &&
      m.sensitive === c.sensitive &&
      m.age === c.age &&
      m.minors === c.minors &&
      (m.jurisdictions === c.jurisdictions || m.jurisdictions.join() === c.jurisdictions.join())
    ) {
      return true;
    }
  }
  return false;
}

function deny(purpose: string, reason: ConsentDenial, article: string): PurposefulError {
  return new PurposefulError(
    'PF_CONSENT_REQUIRED',
    `purpose "${purpose}" rests on consent and the subject's consent does not allow it (${reason})`,
    { purpose, article, reason },
  );
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

const ARTICLES = new Map<string, string>();
/** The articles of the consent bases in force, computed once per combination. */
/** The article of a transfer resting on the subject's specific consent. */
const TRANSFER_CONSENT: Readonly<Record<Jurisdiction, string>> = { lgpd: 'LGPD Art. 33 VIII', gdpr: 'GDPR Art. 49(1)(a)' };

/** The article of the consent a purpose needs: a law under which only its transfer rests on consent cites the transfer's. */
function consentArticle(purpose: ResolvedPurpose, under: readonly Jurisdiction[]): string {
  if (purpose.transferConsentUnder.length === 0) return articleFor(under);
  const basis = under.filter((j) => purpose.consentUnder.includes(j));
  const transferOnly = under.filter((j) => !purpose.consentUnder.includes(j)).map((j) => TRANSFER_CONSENT[j]);
  return [...(basis.length ? [articleFor(basis)] : []), ...transferOnly].join('; ');
}

function articleFor(under: readonly Jurisdiction[]): string {
  const k = under.join();
  let a = ARTICLES.get(k);
  if (a === undefined) {
    a = under.map((j) => (j === 'lgpd' ? 'LGPD Art. 7 I, 8' : 'GDPR Art. 6(1)(a), 7')).join('; ');
    ARTICLES.set(k, a);
  }
  return a;
}

/**
 * Checks consent for one request: returns (nothing, or a promise) when it
 * allows, throws a coded error otherwise. A ledger registered in
 * {@link SYNC_STATUS} (in memory, a fresh cache entry) answers at once, with
 * no promise, timer or tick; any other ledger gets the asynchronous,
 * time-limited `status`.
 */
export function checkConsent(
  options: ConsentOptions,
  schema: PurposefulSchema,
  purpose: ResolvedPurpose,
  jurisdictions: readonly Jurisdiction[],
  subject: string | undefined,
  subjectAge: number | undefined,
  touchesSensitive: boolean,
): void | Promise<void> {
  const { under, article, ids } = basesFor(purpose, jurisdictions);
  if (under.length === 0) return;
  const ledger = options.ledger;
  if (!ledger) {
    throw new PurposefulError(
      'PF_CONSENT_UNAVAILABLE',
      `purpose "${purpose.id}" rests on consent and no consent ledger is configured`,
      {
        purpose: purpose.id,
        article,
      },
    );
  }
  if (subject === undefined) {
    throw new PurposefulError(
      'PF_SUBJECT_MISSING',
      `purpose "${purpose.id}" rests on consent: the request must name its subject`,
      {
        purpose: purpose.id,
        schema: schema.id,
      },
    );
  }
  const sync = SYNC_STATUS.get(ledger);
  // only while `status` is still the one registered with it: a ledger whose status was replaced is asked as it is now
  if (sync !== undefined && sync.status === ledger.status) {
    let state: ConsentState | undefined;
    try {
      state = sync.now(subject, purpose.id);
    } catch {
      throw unavailable(purpose.id, article);
    }
    if (state !== undefined) {
      // the state as recorded: a grant with an expiry is read again now (a passed expiry reads as expired)
      if (state.status === 'granted' && state.event?.expiresAt !== undefined) {
        state = stateOf(subject, purpose.id, [state.event], new Date());
      }
      return decideConsent(options, schema, purpose, under, subject, subjectAge, touchesSensitive, state);
    }
  }
  let pending: Promise<ReadonlyMap<string, ConsentState>>;
  try {
    pending = withTimeout(ledger.status(subject, ids), options.timeoutMs);
  } catch {
    throw unavailable(purpose.id, article);
  }
  return pending.then(
    (states) =>
      decideConsent(options, schema, purpose, under, subject, subjectAge, touchesSensitive, stateIn(states, purpose, article)),
    () => {
      throw unavailable(purpose.id, article);
    },
  );
}

/** The purpose's state in a ledger's answer; an answer that is not a map is a ledger failure. */
function stateIn(states: unknown, purpose: ResolvedPurpose, article: string): ConsentState | undefined {
  if (typeof (states as ReadonlyMap<string, ConsentState> | null)?.get !== 'function') throw unavailable(purpose.id, article);
  return (states as ReadonlyMap<string, ConsentState>).get(purpose.id);
}

function unavailable(purpose: string, article: string): PurposefulError {
  return new PurposefulError(
    'PF_CONSENT_UNAVAILABLE',
    `the consent ledger did not answer for purpose "${purpose}": refusing rather than assuming consent`,
    { purpose, article },
  );
}

/** The laws in force under which a purpose rests on consent, and their articles: computed once per (purpose, laws in force). */
const BASES = new WeakMap<
  ResolvedPurpose,
  {
    readonly j: readonly Jurisdiction[];
    readonly under: readonly Jurisdiction[];
    readonly article: string;
    readonly ids: readonly string[];
  }
>();
function basesFor(purpose: ResolvedPurpose, jurisdictions: readonly Jurisdiction[]) {
  const hit = BASES.get(purpose);
  if (hit !== undefined && hit.j === jurisdictions) return hit;
  const under = purpose.ledgerConsentUnder.filter((j) => jurisdictions.includes(j));
  const entry = { j: jurisdictions, under, article: consentArticle(purpose, under), ids: Object.freeze([purpose.id]) };
  BASES.set(purpose, entry);
  return entry;
}

/** The other controllers a grant for each purpose must name (LGPD Art. 7 §5, as the ledger reads it), computed once per purpose. */
const SHARING = new WeakMap<ResolvedPurpose, readonly string[]>();
function sharingOf(purpose: ResolvedPurpose): readonly string[] {
  let hit = SHARING.get(purpose);
  if (hit === undefined) {
    hit = Object.freeze([...controllersConsentMustName(purpose)]);
    SHARING.set(purpose, hit);
  }
  return hit;
}

/** The decision on the subject's state: grant, notice, highlighted (sensitive, written, guardian), guardian, sharing. */
function decideConsent(
  options: ConsentOptions,
  schema: PurposefulSchema,
  purpose: ResolvedPurpose,
  under: readonly Jurisdiction[],
  subject: string,
  subjectAge: number | undefined,
  touchesSensitive: boolean,
  state: ConsentState | undefined,
): void | Promise<void> {
  if (state?.status !== 'granted' || !state.event) {
    throw deny(
      purpose.id,
      state?.status === 'withdrawn' || state?.status === 'expired' ? state.status : 'none',
      consentArticle(purpose, under),
    );
  }
  const event = state.event;
  const notice = purpose.declaration.notice;
  const noticeChanged = notice !== undefined && event.notice?.version !== notice.version;
  if (notice && noticeChanged) {
    if (notice.material !== false) {
      throw new PurposefulError(
        'PF_CONSENT_STALE_NOTICE',
        `purpose "${purpose.id}": consent was given for an earlier notice and the notice changed materially. Asking the subject again is purposeful's policy, and the GDPR's rule for a new purpose (Art. 6(1)(a), 6(4), 13(3)); the LGPD requires informing the subject, beforehand for a change of purpose, who may revoke (Art. 8 §6, Art. 9 §2)`,
        { purpose: purpose.id, article: 'LGPD Art. 8 §6, Art. 9 §2; GDPR Art. 6(1)(a), 6(4), 13(3)' },
      );
    }
  }
  if (touchesSensitive && purpose.sensitiveConsentUnder.length > 0 && event.highlighted !== true) {
    throw deny(purpose.id, 'not_highlighted', 'LGPD Art. 11 I; GDPR Art. 9(2)(a)');
  }
  // a transfer on consent: specific and highlighted, informed of its international character
  if (event.highlighted !== true && purpose.transferConsentUnder.some((j) => under.includes(j))) {
    throw deny(purpose.id, 'not_highlighted', 'LGPD Art. 33 VIII; GDPR Art. 49(1)(a)');
  }
  const lgpd = under.includes('lgpd');
  // events recorded before the ledger checked these are read with the same rules
  if (lgpd && event.method !== undefined && WRITTEN_METHODS.includes(event.method) && event.highlighted !== true) {
    throw deny(purpose.id, 'not_highlighted', 'LGPD Art. 8 §1');
  }
  const minors = schema.subject?.minors ?? 'never';
  if (minors !== 'never') {
    for (const j of under) {
      const offeredDirectlyToChild = purpose.declaration.offeredDirectlyToChildren === true;
      if (
        !needsGuardianConsent(j, subjectAge, minors, {
          gdprDigitalConsentAge: options.gdprDigitalConsentAge,
          offeredDirectlyToChild,
        })
      ) {
        continue;
      }
      if (!event.guardian) throw deny(purpose.id, 'guardian_required', j === 'lgpd' ? 'LGPD Art. 14 §1' : 'GDPR Art. 8(1)');
      // LGPD Art. 14 §1: the consent of at least one parent or guardian, specific and highlighted
      if (j === 'lgpd' && event.highlighted !== true) throw deny(purpose.id, 'not_highlighted', 'LGPD Art. 14 §1');
    }
  }
  if (lgpd) {
    const controllers = sharingOf(purpose);
    if (controllers.length > 0 && !controllers.every((c) => event.sharedWith?.includes(c) === true)) {
      throw deny(purpose.id, 'sharing_not_specific', 'LGPD Art. 7 §5');
    }
  }
  // the grant stands: tell the application the subject should hear of the new (non-material) notice
  if (notice && noticeChanged) {
    return options.onNoticeChange?.({
      subject,
      purpose: purpose.id,
      grantedFor: event.notice?.version ?? '',
      current: notice.version,
    });
  }
}
