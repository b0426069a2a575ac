/**
 * The consent model: append-only events per (subject, purpose). The state of a
 * (subject, purpose) is its latest event; history is never rewritten. The
 * ledger is evidence (LGPD Art. 8 §2: the burden of proof is on the
 * controller), not a flag.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Purposes } from '../schema/purposes.js';
import { isWellFormed } from '../util/bytes.js';

/**
 * What happened to a subject's consent for a purpose.
 *
 * @example
 * ```ts
 * const types: ConsentEventType[] = ['granted', 'withdrawn', 'expired'];
 * ```
 */
export type ConsentEventType = 'granted' | 'withdrawn' | 'expired';

/**
 * How consent was collected.
 *
 * @example
 * ```ts
 * const method: CollectionMethod = 'recorded_voice'; // consent given on a support call
 * ```
 */
export type CollectionMethod =
  | 'form'
  | 'checkbox'
  | 'api'
  | 'recorded_voice'
  | 'email'
  | 'in_person'
  | 'signed_document'
  | 'other';

/**
 * The collection methods, for validation.
 *
 * @example
 * ```ts
 * COLLECTION_METHODS.includes('checkbox'); // true
 * ```
 */
export const COLLECTION_METHODS: readonly CollectionMethod[] = Object.freeze([
  'form',
  'checkbox',
  'api',
  'recorded_voice',
  'email',
  'in_person',
  'signed_document',
  'other',
]);

/**
 * The notice the subject was shown: its version and the SHA-256 (hex) of its text.
 *
 * @example
 * ```ts
 * const notice: NoticeShown = { version: '2026-11-01', hash: sha256Hex(noticeText) };
 * ```
 */
export interface NoticeShown {
  readonly version: string;
  readonly hash: string;
}

/**
 * Who gave consent for a child, and how they were verified (LGPD Art. 14 §1, §5; GDPR Art. 8(2)).
 *
 * @example
 * ```ts
 * await consent.grant({ ...grant, guardian: { reference: parentId, verification: 'document-check' } });
 * ```
 */
export interface GuardianConsent {
  /** A reference to the parent or guardian (an internal id, not their document number). */
  readonly reference: string;
  /** How the guardian was verified, e.g. `card-micro-charge`, `document-check`. */
  readonly verification: string;
}

/**
 * What a caller gives to record a grant.
 *
 * @example
 * ```ts
 * const grant: ConsentGrant = { subject: customerId, purpose: 'support.survey',
 *   notice: { version: '2026-11-01', hash: sha256Hex(noticeText) }, method: 'checkbox', collectionPoint: 'app/ticket-closed' };
 * await consent.grant(grant);
 * ```
 */
export interface ConsentGrant {
  readonly subject: string;
  readonly purpose: string;
  readonly notice: NoticeShown;
  readonly method: CollectionMethod;
  /** Where it was collected, e.g. `app/settings/accessibility`. */
  readonly collectionPoint: string;
  /** Free evidence (a form id, a recording reference…): JSON, no secrets. */
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** For sensitive data: the consent was specific and highlighted (LGPD Art. 11 I; GDPR Art. 9(2)(a) explicit). */
  readonly highlighted?: boolean;
  /** For a subject who may be a minor: the guardian who consented. */
  readonly guardian?: GuardianConsent;
  /** When the grant lapses (ISO-8601), if it was given for a limited time. */
  readonly expiresAt?: string;
  /** When it was given (default: now). */
  readonly at?: string;
}

/**
 * One event of the ledger, as stored.
 *
 * @example
 * ```ts
 * const [first] = await consent.history(customerId, 'support.survey');
 * first.type;     // 'granted'
 * first.notice;   // { version: '2026-11-01', hash: '…' }: the text the subject saw
 * first.sequence; // 1
 * ```
 */
export interface ConsentEvent {
  /** Unique event id. */
  readonly id: string;
  /** 1, 2, 3… per (subject, purpose): the order the ledger guarantees. */
  readonly sequence: number;
  readonly subject: string;
  readonly purpose: string;
  readonly type: ConsentEventType;
  /**
   * ISO-8601 time of the event: the time the caller gave (`grant.at`, `details.at`), else the time the ledger
   * recorded it while holding the (subject, purpose) lock (on PostgreSQL the database's `clock_timestamp()`).
   * `sequence`, not `at`, is the order of events.
   */
  readonly at: string;
  readonly notice?: NoticeShown;
  readonly method?: CollectionMethod;
  readonly collectionPoint?: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  readonly highlighted?: boolean;
  readonly guardian?: GuardianConsent;
  readonly expiresAt?: string;
}

/**
 * The consent state of a (subject, purpose): its latest event, or `none`.
 *
 * @example
 * ```ts
 * const state = (await consent.status(customerId, ['support.survey'])).get('support.survey');
 * if (state?.status !== 'granted') throw new Error('ask for consent first');
 * ```
 */
export interface ConsentState {
  readonly subject: string;
  readonly purpose: string;
  /** `expired` also when a grant's `expiresAt` has passed. */
  readonly status: ConsentEventType | 'none';
  readonly event: ConsentEvent | undefined;
}

function invalid(message: string, purpose?: string): PurposefulError {
  return new PurposefulError('PF_CONSENT_INVALID', message, purpose ? { purpose } : {});
}

const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * Checks a grant against the purposes: the purpose must be declared and rest
 * on consent under some law, the notice must be the purpose's current one, a
 * sensitive-data purpose needs highlighted consent. Returns nothing; throws
 * `PF_PURPOSE_UNKNOWN` or `PF_CONSENT_INVALID` (never echoing values).
 *
 * @example
 * ```ts
 * // in a custom ledger, before storing a grant:
 * checkGrant(purposes, grant); // throws PF_CONSENT_INVALID, PF_CONSENT_STALE_NOTICE or PF_PURPOSE_UNKNOWN
 * ```
 */
export function checkGrant(purposes: Purposes, grant: ConsentGrant): void {
  if (typeof grant !== 'object' || grant === null) throw invalid('a grant must be an object');
  const p = typeof grant.purpose === 'string' ? purposes.get(grant.purpose) : undefined;
  if (!p)
    throw new PurposefulError(
      'PF_PURPOSE_UNKNOWN',
      'consent can only be granted for a declared purpose (LGPD Art. 8 §4: no generic consent)',
    );
  const id = p.id;
  if (p.consentUnder.length === 0) {
    throw invalid(`purpose "${id}" does not rest on consent under any law in force: there is nothing to grant`, id);
  }
  if (
    typeof grant.subject !== 'string' ||
    grant.subject.length === 0 ||
    grant.subject.length > 256 ||
    !isWellFormed(grant.subject)
  ) {
    throw invalid('the subject must be a non-empty id (at most 256 characters)', id);
  }
  const notice = p.declaration.notice;
  if (typeof grant.notice !== 'object' || grant.notice === null || typeof grant.notice.version !== 'string') {
    throw invalid(`purpose "${id}": a grant names the notice version shown and the SHA-256 of its text`, id);
  }
  if (!notice || grant.notice.version !== notice.version) {
    throw new PurposefulError(
      'PF_CONSENT_STALE_NOTICE',
      `purpose "${id}": the grant is for a notice version that is not the current one`,
      {
        purpose: id,
        article: 'LGPD Art. 8 §6, Art. 9 §2',
      },
    );
  }
  if (typeof grant.notice.hash !== 'string' || !HASH_RE.test(grant.notice.hash)) {
    throw invalid(`purpose "${id}": notice.hash must be the lowercase hex SHA-256 of the notice text`, id);
  }
  if (!COLLECTION_METHODS.includes(grant.method))
    throw invalid(`purpose "${id}": method must be one of ${COLLECTION_METHODS.join(', ')}`, id);
  if (typeof grant.collectionPoint !== 'string' || grant.collectionPoint.length === 0 || grant.collectionPoint.length > 256) {
    throw invalid(`purpose "${id}": collectionPoint names where consent was collected`, id);
  }
  if (p.sensitiveConsentUnder.length > 0 && grant.highlighted !== true) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${id}" uses sensitive data: consent must be specific and highlighted (highlighted: true)`,
      { purpose: id, article: 'LGPD Art. 11 I; GDPR Art. 9(2)(a)' },
    );
  }
  if (grant.guardian !== undefined) {
    const g = grant.guardian;
    if (
      typeof g !== 'object' ||
      g === null ||
      typeof g.reference !== 'string' ||
      !g.reference ||
      typeof g.verification !== 'string' ||
      !g.verification
    ) {
      throw invalid(`purpose "${id}": guardian must be { reference, verification }`, id);
    }
  }
  for (const [k, v] of [
    ['at', grant.at],
    ['expiresAt', grant.expiresAt],
  ] as const) {
    if (v !== undefined && (typeof v !== 'string' || Number.isNaN(Date.parse(v))))
      throw invalid(`purpose "${id}": ${k} must be an ISO-8601 time`, id);
  }
  if (grant.evidence !== undefined) {
    let text: string | undefined;
    try {
      text = JSON.stringify(grant.evidence);
    } catch {
      text = undefined;
    }
    if (
      typeof grant.evidence !== 'object' ||
      grant.evidence === null ||
      text === undefined ||
      text.length > 16_384 ||
      text.includes('\\u0000')
    ) {
      throw invalid(`purpose "${id}": evidence must be a JSON object of at most 16 KiB`, id);
    }
  }
}

/**
 * The state of a (subject, purpose) from its events (in sequence order): the
 * latest event decides; a grant whose `expiresAt` has passed reads as `expired`.
 *
 * @example
 * ```ts
 * const state = stateOf(customerId, 'support.survey', eventsInSequenceOrder, new Date());
 * state.status; // 'granted' | 'withdrawn' | 'expired' | 'none'
 * ```
 */
export function stateOf(subject: string, purpose: string, events: readonly ConsentEvent[], now: Date): ConsentState {
  const latest = events.length ? events[events.length - 1] : undefined;
  if (!latest) return { subject, purpose, status: 'none', event: undefined };
  if (latest.type === 'granted' && latest.expiresAt && Date.parse(latest.expiresAt) <= now.getTime()) {
    return { subject, purpose, status: 'expired', event: latest };
  }
  return { subject, purpose, status: latest.type, event: latest };
}

/**
 * Refuses a grant dated at or before the latest withdrawal or expiry of the
 * same (subject, purpose): replaying old evidence (a receipt issued before a
 * withdrawal) must never turn consent back on.
 *
 * @example
 * ```ts
 * // in a custom ledger, inside the lock that orders events of (subject, purpose):
 * checkNotReplayed(grant, latestEvent); // PF_CONSENT_INVALID when the grant is dated before the latest withdrawal
 * ```
 */
export function checkNotReplayed(
  grant: ConsentGrant,
  latest: ConsentEvent | undefined,
  receiptId?: string,
  seenReceipt?: boolean,
): void {
  if (seenReceipt) {
    throw new PurposefulError('PF_CONSENT_INVALID', `purpose "${grant.purpose}": this consent receipt is already recorded`, {
      purpose: grant.purpose,
    });
  }
  if (latest && latest.type !== 'granted' && grant.at !== undefined && Date.parse(grant.at) <= Date.parse(latest.at)) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${grant.purpose}": the grant is dated before the latest withdrawal or expiry${receiptId ? ' (an old receipt)' : ''}`,
      { purpose: grant.purpose },
    );
  }
}
