/**
 * Deadlines of data-subject requests. LGPD Art. 19: confirmation and access
 * get a simplified answer at once, or a complete declaration within 15 days of
 * the request. GDPR Art. 12(3): one month from receipt, extendable by two
 * further months with a reason given to the subject within the first month.
 * The other LGPD rights wait for ANPD regulation (Art. 18 §5): their deadline
 * is yours to set. When both laws apply, the earlier deadline governs.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Jurisdiction } from '../taxonomy/bases.js';

/**
 * What a subject asks for (LGPD Art. 18; GDPR Art. 15–21).
 *
 * @example
 * ```ts
 * const kind: RightsKind = 'portability';
 * ```
 */
export type RightsKind =
  | 'confirmation'
  | 'access'
  | 'portability'
  | 'correction'
  | 'erasure'
  | 'consent-info'
  | 'sharing-info'
  | 'revocation';

/**
 * Every kind of request, for validation.
 *
 * @example
 * ```ts
 * if (!(RIGHTS_KINDS as readonly string[]).includes(body.kind)) throw new Error('unknown request');
 * ```
 */
export const RIGHTS_KINDS: readonly RightsKind[] = Object.freeze([
  'confirmation',
  'access',
  'portability',
  'correction',
  'erasure',
  'consent-info',
  'sharing-info',
  'revocation',
]);

/**
 * Days you allow for the LGPD rights the law leaves to regulation (Art. 18 §5).
 * The default is 15 days, the Art. 19 period, until the ANPD sets one.
 *
 * @example
 * ```ts
 * const lgpdDays: Partial<Record<RightsKind, number>> = { correction: 10, erasure: 15 };
 * ```
 */
export type LgpdDays = Partial<Record<RightsKind, number>>;

/**
 * The deadline of one request under each law in force, and the one that governs.
 *
 * @example
 * ```ts
 * const d: RightsDeadline = rightsDeadline('access', new Date('2026-01-31T10:00:00Z'), { jurisdictions: ['lgpd', 'gdpr'] });
 * d.lgpd?.toISOString(); // '2026-02-15T10:00:00.000Z': 15 days
 * d.gdpr?.toISOString(); // '2026-02-28T10:00:00.000Z': one month, the last day of a shorter month
 * d.due.toISOString();   // the earlier: '2026-02-15T10:00:00.000Z'
 * ```
 */
export interface RightsDeadline {
  readonly lgpd?: Date;
  readonly gdpr?: Date;
  /** The earliest deadline among the laws in force. */
  readonly due: Date;
}

/**
 * `from` plus `months` calendar months; a day the target month lacks becomes its last day (GDPR, Regulation 1182/71).
 *
 * @example
 * ```ts
 * addMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString(); // '2026-02-28T10:00:00.000Z'
 * ```
 */
export function addMonths(from: Date, months: number): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), last);
  return new Date(Date.UTC(y, m, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

/**
 * Computes the deadline of a request received at `receivedAt`.
 *
 * @example
 * ```ts
 * rightsDeadline('erasure', receivedAt, { jurisdictions: ['lgpd'], lgpdDays: { erasure: 10 } }).due; // 10 days
 * rightsDeadline('access', receivedAt, { jurisdictions: ['gdpr'], extended: true }).due;             // three months
 * ```
 */
export function rightsDeadline(
  kind: RightsKind,
  receivedAt: Date,
  options: { readonly jurisdictions: readonly Jurisdiction[]; readonly lgpdDays?: LgpdDays; readonly extended?: boolean },
): RightsDeadline {
  if (!RIGHTS_KINDS.includes(kind))
    throw new PurposefulError('PF_INPUT_INVALID', `unknown request kind: use one of ${RIGHTS_KINDS.join(', ')}`);
  if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime())) {
    throw new PurposefulError('PF_INPUT_INVALID', 'a request deadline needs a valid receipt date');
  }
  const out: { lgpd?: Date; gdpr?: Date } = {};
  if (options.jurisdictions.includes('lgpd')) {
    const days = options.lgpdDays?.[kind] ?? 15;
    if (!Number.isSafeInteger(days) || days < 0)
      throw new PurposefulError('PF_OPTIONS_INVALID', 'lgpdDays are non-negative integers');
    out.lgpd = new Date(receivedAt.getTime() + days * 86_400_000);
  }
  if (options.jurisdictions.includes('gdpr')) out.gdpr = addMonths(receivedAt, options.extended ? 3 : 1);
  const all = [out.lgpd, out.gdpr].filter((d): d is Date => d !== undefined);
  if (all.length === 0) throw new PurposefulError('PF_OPTIONS_INVALID', 'a request deadline needs a law in force');
  return { ...out, due: new Date(Math.min(...all.map((d) => d.getTime()))) };
}
