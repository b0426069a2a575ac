/**
 * A notice change, at the time of the change: who holds consent given for an
 * earlier notice, so they can be told before they next use the service.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { isPurposes, type Purposes } from '../schema/purposes.js';
import type { NoticeChange } from './check.js';
import type { ConsentLedger } from './ledger.js';

/**
 * The subjects to tell about a notice change, and what to do.
 *
 * @example
 * ```ts
 * const list: NoticeChangeList = await subjectsToInform(consent, purposes, 'support.survey');
 * list.action;   // 'inform' for a non-material change, 'ask_again' for a material one
 * list.subjects; // [{ subject: 'c-1', purpose: 'support.survey', grantedFor: '2026-11-01', current: '2027-01-01' }, …]
 * ```
 * @category Consent
 */
export interface NoticeChangeList {
  readonly purpose: string;
  /** The notice version in force in the registry given. */
  readonly current: string;
  /** Whether the notice declares the change material. */
  readonly material: boolean;
  /**
   * `inform`: the grants stand; tell each subject, with the change highlighted, that they may revoke (LGPD Art. 8
   * §6). `ask_again`: purposeful's policy for a material change (and the GDPR's rule for a new purpose, Art. 6(4)):
   * the grants no longer allow processing, so tell each subject and ask for consent to the new notice.
   */
  readonly action: 'inform' | 'ask_again';
  /** The duty to inform: LGPD Art. 8 §6 (any change of the information in Art. 9 I, II, III, V), Art. 9 §2 (beforehand for a change of purpose). */
  readonly article: string;
  /** Every subject whose consent in force was given for another notice version, ordered by subject. */
  readonly subjects: readonly NoticeChange[];
}

/**
 * Lists, at the time of a notice change, every subject whose consent in force
 * for `purpose` was given for another notice version than the one `purposes`
 * declares: the people to inform (LGPD Art. 8 §6), beforehand when the purpose
 * changes (Art. 9 §2). Pass the registry with the new notice before you deploy
 * it to inform them ahead of the change. The engine's `onNoticeChange` still
 * tells you again at a subject's next access.
 *
 * Throws `PF_PURPOSE_UNKNOWN` for an undeclared purpose, `PF_CONSENT_INVALID`
 * for one that does not rest on consent or declares no notice, and
 * `PF_OPTIONS_INVALID` for a ledger that cannot list grants (`grantsInForce`).
 *
 * @example
 * ```ts
 * // the survey's notice moves to 2027-01-01 (material: false)
 * const { subjects } = await subjectsToInform(consent, purposes, 'support.survey');
 * for (const s of subjects) await mailer.noticeChanged(s.subject, s.purpose, s.current); // with the change highlighted
 * ```
 * @category Consent
 */
export async function subjectsToInform(
  ledger: ConsentLedger,
  purposes: Purposes,
  purpose: string,
  now: Date = new Date(),
): Promise<NoticeChangeList> {
  if (!isPurposes(purposes)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'subjectsToInform(): purposes must come from definePurposes()');
  }
  const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
  if (!p) throw new PurposefulError('PF_PURPOSE_UNKNOWN', 'subjectsToInform(): the purpose is not declared');
  const notice = p.declaration.notice;
  if (p.ledgerConsentUnder.length === 0 || notice === undefined) {
    throw new PurposefulError('PF_CONSENT_INVALID', `purpose "${p.id}" does not rest on consent: nobody holds a grant for it`, {
      purpose: p.id,
    });
  }
  if (typeof ledger?.grantsInForce !== 'function') {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'subjectsToInform(): this consent ledger cannot list the grants in force (grantsInForce); the memory and PostgreSQL ledgers can',
    );
  }
  const grants = await ledger.grantsInForce(p.id, now);
  const subjects: NoticeChange[] = [];
  for (const e of grants) {
    const grantedFor = e.notice?.version ?? '';
    if (e.purpose !== p.id || e.type !== 'granted' || grantedFor === notice.version) continue;
    subjects.push(Object.freeze({ subject: e.subject, purpose: p.id, grantedFor, current: notice.version }));
  }
  const material = notice.material !== false;
  return Object.freeze({
    purpose: p.id,
    current: notice.version,
    material,
    action: material ? 'ask_again' : 'inform',
    article: 'LGPD Art. 8 §6, Art. 9 §2',
    subjects: Object.freeze(subjects),
  });
}
