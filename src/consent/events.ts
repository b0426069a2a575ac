/**
 * The consent model: append-only events per (subject, purpose). The state of a
 * (subject, purpose) is its latest event; history is never rewritten. The
 * ledger is evidence (LGPD Art. 8 §2: the burden of proof is on the
 * controller), not a flag.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Purposes, ResolvedPurpose } from '../schema/purposes.js';
import { isWellFormed } from '../util/bytes.js';
import { controllersConsentMustName, otherControllers } from './sharing.js';

/**
 * What happened to a subject's consent for a purpose.
 *
 * @example
 * ```ts
 * const types: ConsentEventType[] = ['granted', 'withdrawn', 'expired'];
 * ```
 * @category Consent
 */
export type ConsentEventType = 'granted' | 'withdrawn' | 'expired';

/**
 * How consent was collected.
 *
 * @example
 * ```ts
 * const method: CollectionMethod = 'recorded_voice'; // consent given on a support call
 * ```
 * @category Consent
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
 * @category Consent
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
 * The collection methods that are consent given in writing: a form or a signed
 * document holding the consent clause among others. Under the LGPD such a
 * grant must record `highlighted: true`, the clause standing out from the
 * others (Art. 8 §1), whatever the purpose. A `checkbox` on its own is not a
 * clause among others; a checkbox that accepts terms or a contract is a `form`.
 *
 * @example
 * ```ts
 * WRITTEN_METHODS.includes('signed_document'); // true: record highlighted: true (LGPD Art. 8 §1)
 * WRITTEN_METHODS.includes('checkbox');        // false
 * ```
 * @category Consent
 */
export const WRITTEN_METHODS: readonly CollectionMethod[] = Object.freeze(['form', 'signed_document']);

/**
 * The notice the subject was shown: its version and the SHA-256 (hex) of its text.
 *
 * @example
 * ```ts
 * const notice: NoticeShown = { version: '2026-11-01', hash: sha256Hex(noticeText) };
 * ```
 * @category Consent
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
 * @category Consent
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
 * @category Consent
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
  /**
   * The consent was specific and highlighted: asked on its own, its clause standing out. Required for written
   * consent (a `form` or `signed_document`: LGPD Art. 8 §1), for sensitive data (LGPD Art. 11 I; GDPR Art. 9(2)(a)
   * explicit) and for a guardian's consent to a child's data (LGPD Art. 14 §1). Receipts call such consent
   * `EXPLICIT`; nothing else makes them say so.
   */
  readonly highlighted?: boolean;
  /** For a subject who may be a minor: the guardian who consented (with `highlighted: true` under the LGPD, Art. 14 §1). */
  readonly guardian?: GuardianConsent;
  /**
   * The other controllers the subject consented specifically to share the data with, by their declared recipient
   * `name` (LGPD Art. 7 §5). A purpose resting on consent under the LGPD that lists recipients with the role
   * `controller` or `joint_controller` only takes grants naming every one of them.
   */
  readonly sharedWith?: readonly string[];
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
 * @category Consent
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
  /** The other controllers this consent specifically covers sharing with (LGPD Art. 7 §5). */
  readonly sharedWith?: readonly string[];
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
 * @category Consent
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
 * The names of the other controllers a purpose shares its data with (recipients with the role `controller` or
 * `joint_controller`): under the LGPD, consent must be specific to sharing with each (Art. 7 §5).
 *
 * @example
 * ```ts
 * controllersSharedWith(purposes.get('partners.offers')); // ['Seguros Parceira S.A.']
 * ```
 * @category Consent
 */
export function controllersSharedWith(purpose: ResolvedPurpose | undefined): readonly string[] {
  return otherControllers(purpose);
}

/**
 * Checks a grant against the purposes: the purpose must be declared and rest
 * on consent under some law, the notice must be the purpose's current one; a
 * sensitive-data purpose, written consent (LGPD Art. 8 §1) and a guardian's
 * consent (LGPD Art. 14 §1) need highlighted consent; a purpose sharing with
 * other controllers needs consent naming them (LGPD Art. 7 §5). Returns
 * nothing; throws `PF_PURPOSE_UNKNOWN` or `PF_CONSENT_INVALID` (never echoing
 * values).
 *
 * @example
 * ```ts
 * // in a custom ledger, before storing a grant:
 * checkGrant(purposes, grant); // throws PF_CONSENT_INVALID, PF_CONSENT_STALE_NOTICE or PF_PURPOSE_UNKNOWN
 * ```
 * @category Consent
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
  if (p.ledgerConsentUnder.length === 0) {
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
      `purpose "${id}": the grant is for a notice version that is not the current one; purposeful's policy is to record consent only to the notice in force, so that it proves what the subject was shown`,
      {
        purpose: id,
        article: 'LGPD Art. 8 §2, Art. 9; GDPR Art. 7(1)',
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
  if (grant.highlighted !== undefined && typeof grant.highlighted !== 'boolean') {
    throw invalid(`purpose "${id}": highlighted must be true or false`, id);
  }
  const lgpd = p.consentUnder.includes('lgpd');
  if (lgpd && WRITTEN_METHODS.includes(grant.method) && grant.highlighted !== true) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${id}": consent given in writing (${grant.method}) must be a clause that stands out from the others (highlighted: true)`,
      { purpose: id, article: 'LGPD Art. 8 §1' },
    );
  }
  if (p.sensitiveConsentUnder.length > 0 && grant.highlighted !== true) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${id}" uses sensitive data: consent must be specific and highlighted (highlighted: true)`,
      { purpose: id, article: 'LGPD Art. 11 I; GDPR Art. 9(2)(a)' },
    );
  }
  if (p.transferConsentUnder.length > 0 && grant.highlighted !== true) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${id}" transfers the data abroad on the subject's consent: it must be specific and highlighted, informed of the transfer (highlighted: true)`,
      { purpose: id, article: 'LGPD Art. 33 VIII; GDPR Art. 49(1)(a)' },
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
    if (lgpd && grant.highlighted !== true) {
      throw new PurposefulError(
        'PF_CONSENT_INVALID',
        `purpose "${id}": a parent's or guardian's consent for a child must be specific and highlighted (highlighted: true)`,
        { purpose: id, article: 'LGPD Art. 14 §1' },
      );
    }
  }
  checkSharedWith(p, grant.sharedWith);
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

/** A grant's `sharedWith`: declared recipients only, and every other controller when the purpose rests on LGPD consent. */
function checkSharedWith(p: ResolvedPurpose, sharedWith: unknown): void {
  const id = p.id;
  const names = new Set((p.declaration.recipients ?? []).map((r) => r.name));
  if (sharedWith !== undefined) {
    if (!Array.isArray(sharedWith) || sharedWith.length > 64 || !sharedWith.every((n) => typeof n === 'string' && names.has(n))) {
      throw invalid(`purpose "${id}": sharedWith must list recipients the purpose declares, by name`, id);
    }
  }
  // the engine reads the same rule (LGPD Art. 7 §5)
  const missing = controllersConsentMustName(p).filter((n) => !(sharedWith as readonly string[] | undefined)?.includes(n));
  if (missing.length > 0) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      `purpose "${id}" shares the data with other controllers: consent must be specific to sharing with each (sharedWith must name ${missing.join(', ')})`,
      { purpose: id, article: 'LGPD Art. 7 §5' },
    );
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
 * @category Consent
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
 * @category Consent
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
