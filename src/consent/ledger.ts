/**
 * The consent ledger: the interface every store implements, and an in-memory
 * ledger (the PostgreSQL one lives in `purposeful/postgres`).
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { isPurposes, type Purposes } from '../schema/purposes.js';
import { base64urlEncode } from '../util/base64url.js';
import { isWellFormed, randomBytes } from '../util/bytes.js';
import {
  type CollectionMethod,
  type ConsentEvent,
  type ConsentGrant,
  type ConsentState,
  checkGrant,
  checkNotReplayed,
  stateOf,
} from './events.js';
import type { VerifiedReceipt } from './receipts.js';

/**
 * Ledgers that can answer `status` without I/O, with the function that does
 * (`undefined` when it cannot this time). Keyed by the ledger object itself:
 * a copy or wrapper of a ledger is not in it and is asked asynchronously.
 *
 * @internal
 */
export const SYNC_STATUS = new WeakMap<
  ConsentLedger,
  {
    /** The ledger's `status` when it was registered. */
    readonly status: ConsentLedger['status'];
    /**
     * The subject's latest state for one purpose as recorded (the check applies
     * a grant's expiry itself), or `undefined` when the ledger must be asked.
     */
    readonly now: (subject: string, purpose: string) => ConsentState | undefined;
  }
>();

/**
 * Details of a withdrawal (all optional: withdrawing is one call, as easy as granting — LGPD Art. 8 §5).
 *
 * @example
 * ```ts
 * await consent.withdraw(customerId, 'support.survey', { method: 'email', collectionPoint: 'dpo-mailbox' });
 * ```
 * @category Consent
 */
export interface WithdrawalDetails {
  readonly at?: string;
  readonly method?: CollectionMethod;
  readonly collectionPoint?: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/**
 * A consent ledger: append-only events per (subject, purpose), never
 * rewritten. Implementations must keep the order of events per (subject,
 * purpose) under concurrent writers.
 *
 * @example
 * ```ts
 * const consent: ConsentLedger = memoryConsentLedger(purposes);
 * const states = await consent.status(customerId, ['support.survey', 'support.accessibility']);
 * ```
 * @category Consent
 */
export interface ConsentLedger {
  /** Records a grant after checking it against the purposes (`PF_CONSENT_INVALID`, `PF_CONSENT_STALE_NOTICE`). */
  grant(grant: ConsentGrant): Promise<ConsentEvent>;
  /** Records a withdrawal. Always possible for a consent-based purpose, even without an earlier grant. */
  withdraw(subject: string, purpose: string, details?: WithdrawalDetails): Promise<ConsentEvent>;
  /** The state of several purposes for one subject, in one call. */
  status(subject: string, purposes: readonly string[], now?: Date): Promise<ReadonlyMap<string, ConsentState>>;
  /**
   * Every event of a subject (for one purpose, or all), oldest first: the evidence. Each purpose's events come in
   * sequence order, the order `status` reads, so a purpose's latest act is always its last event here, even when a
   * caller dated an event before the one it follows (such an event sorts at its predecessor's time).
   */
  history(subject: string, purpose?: string): Promise<readonly ConsentEvent[]>;
  /** Records the grant a verified receipt stands for (see `verifyReceipt`), with the receipt as evidence. */
  recordFromReceipt(receipt: VerifiedReceipt): Promise<ConsentEvent>;
  /**
   * The grant in force of every subject who consented to `purpose` (latest event a grant, not expired at `now`),
   * ordered by subject; optional for custom ledgers. `subjectsToInform` reads it when a notice changes (LGPD Art. 8 §6).
   */
  grantsInForce?(purpose: string, now?: Date): Promise<readonly ConsentEvent[]>;
}

function checkWithdrawal(purposes: Purposes, subject: string, purpose: string, details: WithdrawalDetails): void {
  const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
  if (!p) throw new PurposefulError('PF_PURPOSE_UNKNOWN', 'consent can only be withdrawn for a declared purpose');
  if (p.ledgerConsentUnder.length === 0) {
    throw new PurposefulError('PF_CONSENT_INVALID', `purpose "${p.id}" does not rest on consent: there is nothing to withdraw`, {
      purpose: p.id,
    });
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256 || !isWellFormed(subject)) {
    throw new PurposefulError('PF_CONSENT_INVALID', 'the subject must be a non-empty id (at most 256 characters)', {
      purpose: p.id,
    });
  }
  if (details.at !== undefined && Number.isNaN(Date.parse(details.at))) {
    throw new PurposefulError('PF_CONSENT_INVALID', `purpose "${p.id}": at must be an ISO-8601 time`, { purpose: p.id });
  }
}

/**
 * An in-memory consent ledger, for tests and single-process tools: its
 * evidence vanishes with the process.
 *
 * @example
 * ```ts
 * const consent = memoryConsentLedger(purposes);
 * await consent.grant({ subject: customerId, purpose: 'support.survey', notice: { version: '2026-11-01', hash },
 *   method: 'checkbox', collectionPoint: 'app/ticket-closed' });
 * (await consent.status(customerId, ['support.survey'])).get('support.survey')?.status; // 'granted'
 * await consent.withdraw(customerId, 'support.survey');
 * ```
 * @category Consent
 */
export function memoryConsentLedger(purposes: Purposes): ConsentLedger {
  // without the registry no grant could be checked (purpose, notice, sensitive data): refuse now, not at the first grant
  if (!isPurposes(purposes)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'memoryConsentLedger(purposes): purposes must come from definePurposes()');
  }
  const events = new Map<string, ConsentEvent[]>();
  /** The latest event's state by subject, then purpose, for the engine's synchronous check (no key string built per check). */
  const latest = new Map<string, Map<string, ConsentState>>();
  const key = (subject: string, purpose: string) => `${subject}\u0000${purpose}`;
  const append = (
    subject: string,
    purpose: string,
    fields: Omit<ConsentEvent, 'id' | 'sequence' | 'subject' | 'purpose'>,
  ): ConsentEvent => {
    const list = events.get(key(subject, purpose)) ?? [];
    const event: ConsentEvent = Object.freeze({
      id: `ce_${base64urlEncode(randomBytes(12))}`,
      sequence: list.length + 1,
      subject,
      purpose,
      ...fields,
    });
    list.push(event);
    events.set(key(subject, purpose), list);
    let bySubject = latest.get(subject);
    if (bySubject === undefined) {
      bySubject = new Map();
      latest.set(subject, bySubject);
    }
    bySubject.set(purpose, Object.freeze({ subject, purpose, status: event.type, event }));
    return event;
  };
  const ledger: ConsentLedger = {
    async recordFromReceipt(receipt) {
      if (!receipt || typeof receipt !== 'object' || !receipt.grant) {
        throw new PurposefulError('PF_CONSENT_INVALID', 'recordFromReceipt() takes what verifyReceipt() returns');
      }
      const receiptId = String((receipt.grant.evidence as { receiptId?: unknown } | undefined)?.receiptId ?? '');
      checkGrant(purposes, receipt.grant);
      const list = events.get(key(receipt.grant.subject, receipt.grant.purpose)) ?? [];
      const seen =
        receiptId !== '' && list.some((e) => (e.evidence as { receiptId?: unknown } | undefined)?.receiptId === receiptId);
      checkNotReplayed(receipt.grant, list[list.length - 1], receiptId, seen);
      return ledger.grant(receipt.grant);
    },
    async grant(grant) {
      checkGrant(purposes, grant);
      const list = events.get(key(grant.subject, grant.purpose)) ?? [];
      checkNotReplayed(grant, list[list.length - 1]);
      return append(grant.subject, grant.purpose, {
        type: 'granted',
        at: grant.at ?? new Date().toISOString(),
        notice: Object.freeze({ ...grant.notice }),
        method: grant.method,
        collectionPoint: grant.collectionPoint,
        ...(grant.evidence ? { evidence: JSON.parse(JSON.stringify(grant.evidence)) as Record<string, unknown> } : {}),
        ...(grant.highlighted !== undefined ? { highlighted: grant.highlighted } : {}),
        ...(grant.guardian
          ? { guardian: Object.freeze({ reference: grant.guardian.reference, verification: grant.guardian.verification }) }
          : {}),
        ...(grant.sharedWith ? { sharedWith: Object.freeze([...grant.sharedWith]) } : {}),
        ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}),
      });
    },
    async withdraw(subject, purpose, details = {}) {
      checkWithdrawal(purposes, subject, purpose, details);
      return append(subject, purpose, {
        type: 'withdrawn',
        at: details.at ?? new Date().toISOString(),
        ...(details.method ? { method: details.method } : {}),
        ...(details.collectionPoint ? { collectionPoint: details.collectionPoint } : {}),
        ...(details.evidence ? { evidence: JSON.parse(JSON.stringify(details.evidence)) as Record<string, unknown> } : {}),
      });
    },
    async status(subject, list, now = new Date()) {
      const out = new Map<string, ConsentState>();
      for (const purpose of list) out.set(purpose, stateOf(subject, purpose, events.get(key(subject, purpose)) ?? [], now));
      return out;
    },
    async grantsInForce(purpose, now = new Date()) {
      const out: ConsentEvent[] = [];
      for (const [subject, byPurpose] of latest) {
        const state = byPurpose.get(purpose);
        if (state?.event === undefined) continue;
        const inForce = stateOf(subject, purpose, [state.event], now);
        if (inForce.status === 'granted' && inForce.event) out.push(inForce.event);
      }
      return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    },
    async history(subject, purpose) {
      if (purpose !== undefined) return [...(events.get(key(subject, purpose)) ?? [])];
      return mergeHistories(
        subject,
        [...(latest.get(subject)?.keys() ?? [])].map((p) => events.get(key(subject, p)) ?? []),
      );
    },
  };
  // this very object: a copy or wrapper is asked asynchronously
  SYNC_STATUS.set(ledger, {
    status: ledger.status,
    now: (subject, purpose) => latest.get(subject)?.get(purpose) ?? stateOf(subject, purpose, [], new Date()),
  });
  return ledger;
}

/**
 * A subject's events of every purpose, oldest first, each purpose in sequence
 * order: an event its caller dated before its predecessor sorts at the
 * predecessor's time, so the latest event of a purpose is always last among
 * its own (the one `status` reads).
 */
function mergeHistories(subject: string, lists: readonly (readonly ConsentEvent[])[]): ConsentEvent[] {
  const keyed: Array<{ readonly t: number; readonly e: ConsentEvent }> = [];
  for (const list of lists) {
    let t = Number.NEGATIVE_INFINITY;
    for (const e of list) {
      if (e.subject !== subject) continue;
      t = Math.max(t, Date.parse(e.at));
      keyed.push({ t, e });
    }
  }
  keyed.sort((a, b) =>
    a.t !== b.t ? a.t - b.t : a.e.purpose < b.e.purpose ? -1 : a.e.purpose > b.e.purpose ? 1 : a.e.sequence - b.e.sequence,
  );
  return keyed.map((k) => k.e);
}
