/**
 * Deadlines of data-subject requests, counted from the request's receipt.
 * LGPD Art. 19: a confirmation in the simplified format at once (I), the
 * complete declaration within 15 days of the date of the request (II). GDPR
 * Art. 12(3): one month from receipt, extendable by two further months with a
 * reason given to the subject within the first month. The other LGPD rights
 * wait for ANPD regulation (Art. 18 §5): their deadline is yours to set. A
 * small processing agent (Res. CD/ANPD 2/2022) has 15 days for the simplified
 * answer (Art. 15) and double the others (Art. 14 I, III). Periods in days or
 * months end at the end of a day in the controller's time zone (Regulation
 * 1182/71 Art. 3(2)(c)). When both laws apply, the earlier deadline governs.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { addMonthsToDay, endOfDay, localDay, zoneFormat } from './zone.js';

/**
 * What a subject asks for (LGPD Art. 18; GDPR Art. 15–21).
 *
 * @example
 * ```ts
 * const kind: RightsKind = 'portability';
 * ```
 * @category Rights and retention
 */
export type RightsKind =
  | 'confirmation'
  | 'access'
  | 'portability'
  | 'correction'
  | 'erasure'
  | 'consent-info'
  | 'sharing-info'
  | 'revocation'
  | 'consent-data-erasure'
  | 'blocking'
  | 'opposition'
  | 'review';

/**
 * Every kind of request, for validation.
 *
 * @example
 * ```ts
 * if (!(RIGHTS_KINDS as readonly string[]).includes(body.kind)) throw new Error('unknown request');
 * ```
 * @category Rights and retention
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
  'consent-data-erasure',
  'blocking',
  'opposition',
  'review',
]);

/**
 * Days you allow for the LGPD rights the law leaves to regulation (Art. 18 §5).
 * The default is 15 days, the Art. 19 period, until the ANPD sets one; a small
 * agent has double (Res. CD/ANPD 2/2022 Art. 14 I). For `confirmation` and
 * `access` the law sets the period (Art. 19): days there may shorten it, never
 * lengthen it.
 *
 * @example
 * ```ts
 * const lgpdDays: Partial<Record<RightsKind, number>> = { correction: 10, erasure: 15 };
 * ```
 * @category Rights and retention
 */
export type LgpdDays = Partial<Record<RightsKind, number>>;

/**
 * The deadline of one request under each law in force, and the one that governs.
 *
 * @example
 * ```ts
 * const d: RightsDeadline = rightsDeadline('access', new Date('2026-01-31T10:00:00Z'), { jurisdictions: ['lgpd', 'gdpr'] });
 * d.lgpd?.toISOString(); // '2026-02-15T23:59:59.999Z': the end of the 15th day
 * d.gdpr?.toISOString(); // '2026-02-28T23:59:59.999Z': one month, the last day of a shorter month
 * d.due.toISOString();   // the earlier: '2026-02-15T23:59:59.999Z'
 * ```
 * @category Rights and retention
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
 * @category Rights and retention
 */
export function addMonths(from: Date, months: number): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), last);
  return new Date(Date.UTC(y, m, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

/**
 * How {@link rightsDeadline} counts.
 *
 * @example
 * ```ts
 * const options: RightsDeadlineOptions = {
 *   jurisdictions: ['lgpd', 'gdpr'],
 *   timeZone: 'America/Sao_Paulo', // the controller's: periods end at the end of a day there
 *   smallAgent: true,              // Res. CD/ANPD 2/2022 Art. 14–15
 *   lgpdDays: { correction: 10 },  // LGPD Art. 18 §5
 * };
 * ```
 * @category Rights and retention
 */
export interface RightsDeadlineOptions {
  readonly jurisdictions: readonly Jurisdiction[];
  readonly lgpdDays?: LgpdDays;
  /** GDPR Art. 12(3): the two further months. */
  readonly extended?: boolean;
  /**
   * A small processing agent (Res. CD/ANPD 2/2022 Art. 2; not one Art. 3 excludes, such as high-risk processing):
   * 15 days for the simplified answer (Art. 15), double for the complete declaration (Art. 14 III) and for the
   * rights regulation times (Art. 14 I). The GDPR month does not change.
   */
  readonly smallAgent?: boolean;
  /** The controller's IANA time zone (default `UTC`): a period ends at the end of its last day there. */
  readonly timeZone?: string;
}

/** The LGPD periods the law itself sets (Art. 19), and a small agent's (Res. CD/ANPD 2/2022 Art. 15, 14 III). */
const ART_19: Partial<Record<RightsKind, { readonly days: number; readonly small: number }>> = {
  confirmation: { days: 0, small: 15 },
  access: { days: 15, small: 30 },
};

/** Checks `lgpdDays` against the law: non-negative integers, never beyond an Art. 19 period. @internal */
export function assertLgpdDays(lgpdDays: unknown, smallAgent: boolean): void {
  if (lgpdDays === undefined) return;
  if (typeof lgpdDays !== 'object' || lgpdDays === null || Array.isArray(lgpdDays)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'lgpdDays maps request kinds to days');
  }
  for (const [kind, days] of Object.entries(lgpdDays)) {
    if (!RIGHTS_KINDS.includes(kind as RightsKind))
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `lgpdDays names an unknown request kind: use one of ${RIGHTS_KINDS.join(', ')}`,
      );
    if (!Number.isSafeInteger(days) || (days as number) < 0)
      throw new PurposefulError('PF_OPTIONS_INVALID', 'lgpdDays are non-negative integers');
    const legal = ART_19[kind as RightsKind];
    const most = legal ? (smallAgent ? legal.small : legal.days) : undefined;
    if (most !== undefined && (days as number) > most) {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `lgpdDays.${kind} is ${days as number} days, beyond the ${most} the law allows: LGPD Art. 19 sets this period, it can only be shortened`,
        { article: smallAgent ? 'LGPD Art. 19; Res. CD/ANPD 2/2022 Art. 14 III, 15' : 'LGPD Art. 19' },
      );
    }
  }
}

/**
 * Computes the deadline of a request received at `receivedAt`, under each law
 * in force. Counted from receipt, whenever the identity is verified.
 *
 * @example
 * ```ts
 * rightsDeadline('erasure', receivedAt, { jurisdictions: ['lgpd'], lgpdDays: { erasure: 10 } }).due; // the end of the 10th day
 * rightsDeadline('access', receivedAt, { jurisdictions: ['gdpr'], extended: true }).due;             // three months
 * rightsDeadline('confirmation', receivedAt, { jurisdictions: ['lgpd'] }).due;                       // at once: receivedAt
 * ```
 * @category Rights and retention
 */
export function rightsDeadline(kind: RightsKind, receivedAt: Date, options: RightsDeadlineOptions): RightsDeadline {
  if (!RIGHTS_KINDS.includes(kind))
    throw new PurposefulError('PF_INPUT_INVALID', `unknown request kind: use one of ${RIGHTS_KINDS.join(', ')}`);
  if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime())) {
    throw new PurposefulError('PF_INPUT_INVALID', 'a request deadline needs a valid receipt date');
  }
  if (options.smallAgent !== undefined && typeof options.smallAgent !== 'boolean') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'smallAgent is true or false (Res. CD/ANPD 2/2022)');
  }
  const small = options.smallAgent === true;
  assertLgpdDays(options.lgpdDays, small);
  const zone = zoneFormat(options.timeZone ?? 'UTC');
  const day = localDay(zone, receivedAt.getTime());
  const out: { lgpd?: Date; gdpr?: Date } = {};
  if (options.jurisdictions.includes('lgpd')) {
    const legal = ART_19[kind];
    if (kind === 'confirmation' && !small) {
      // Art. 19 I: the simplified format, at once
      out.lgpd = new Date(receivedAt.getTime());
    } else {
      // Art. 19 II (or Res. 2/2022 Art. 15, 14 III); Art. 18 §5 (doubled by Res. 2/2022 Art. 14 I): days from the date
      const configured = options.lgpdDays?.[kind];
      const days = legal ? (configured ?? (small ? legal.small : legal.days)) : (configured ?? 15) * (small ? 2 : 1);
      out.lgpd = endOfDay(zone, day + days);
    }
  }
  if (options.jurisdictions.includes('gdpr')) out.gdpr = endOfDay(zone, addMonthsToDay(day, options.extended ? 3 : 1));
  const all = [out.lgpd, out.gdpr].filter((d): d is Date => d !== undefined);
  if (all.length === 0) throw new PurposefulError('PF_OPTIONS_INVALID', 'a request deadline needs a law in force');
  return { ...out, due: new Date(Math.min(...all.map((d) => d.getTime()))) };
}
