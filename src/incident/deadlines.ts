/**
 * Notification deadlines of a security incident: LGPD Art. 48 with Resolution
 * CD/ANPD 15/2024 (the ANPD and the subjects within 3 business days of
 * knowing that personal data were affected, doubled for small processing
 * agents unless the processing is high-risk; a complement within 20 business
 * days; a public notice kept 90 days where individual notice is impossible),
 * and GDPR Art. 33 (the supervisory authority within 72 hours).
 *
 * Business days are counted in Brasília time: Monday to Friday, without the
 * national holidays (from `date-holidays`, 20 November included since 2024)
 * and without the extra days you name (Carnival is a "ponto facultativo", not
 * a holiday: list it if your organization closes). The day of knowledge does
 * not count; a deadline ends at 23:59:59.999 of its last day.
 *
 * @module
 */
import Holidays from 'date-holidays';
import { PurposefulError } from '../errors.js';

/** The time zone Brazilian business days are counted in. */
const BRASILIA = 'America/Sao_Paulo';

/**
 * Options of {@link incidentDeadlines}.
 *
 * @example
 * ```ts
 * const options: DeadlineOptions = {
 *   knownAt: new Date('2027-02-05T15:00:00-03:00'),
 *   extraNonBusinessDays: ['2027-02-08', '2027-02-09'], // Carnival, where the office closes
 * };
 * ```
 */
export interface DeadlineOptions {
  /** When the controller learned that personal data were affected (LGPD) / became aware of the breach (GDPR). */
  readonly knownAt: Date;
  /** A small processing agent (Res. CD/ANPD 2/2022) has double the time, unless its processing is high-risk. */
  readonly smallAgent?: boolean;
  readonly highRisk?: boolean;
  /** Days that are not business days beyond weekends and national holidays (`YYYY-MM-DD`, Brasília). */
  readonly extraNonBusinessDays?: readonly string[];
  /** When the ANPD was notified: the complement is due 20 business days later. */
  readonly notifiedAt?: Date;
  /** When a public notice went up (individual notice impossible): it stays 90 days. */
  readonly publicNoticeAt?: Date;
}

/**
 * The deadlines, as instants.
 *
 * @example
 * ```ts
 * const d: IncidentDeadlines = incidentDeadlines({ knownAt: new Date('2026-11-19T10:00:00-03:00') });
 * d.lgpd.anpd.toISOString(); // '2026-11-26T02:59:59.999Z': 20 November is a holiday, then a weekend
 * d.gdpr.authority.toISOString(); // '2026-11-22T13:00:00.000Z': 72 hours
 * ```
 */
export interface IncidentDeadlines {
  readonly lgpd: {
    /** Communication to the ANPD (Res. 15/2024 Art. 6). */
    readonly anpd: Date;
    /** Communication to the subjects (Res. 15/2024 Art. 9). */
    readonly subjects: Date;
    readonly businessDays: number;
    /** The complement to the ANPD, 20 business days after the communication (when `notifiedAt` is given). */
    readonly complement?: Date;
    /** Until when a public notice stays up (when `publicNoticeAt` is given). */
    readonly publicNoticeUntil?: Date;
  };
  readonly gdpr: {
    /** Notification to the supervisory authority (Art. 33(1)): 72 hours. */
    readonly authority: Date;
  };
}

let holidays: Holidays | undefined;
const holidayCache = new Map<number, ReadonlySet<string>>();

function nationalHolidays(year: number): ReadonlySet<string> {
  let set = holidayCache.get(year);
  if (!set) {
    holidays ??= new Holidays('BR');
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(year, set);
  }
  return set;
}

const ymdFormat = new Intl.DateTimeFormat('en-CA', { timeZone: BRASILIA, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day of an instant in Brasília, as `YYYY-MM-DD`. */
function dayOf(at: Date): string {
  return ymdFormat.format(at);
}

function addDays(ymd: string, n: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The offset of a zone from UTC at an instant, in minutes (`-180` for Brasília). */
function offsetMinutes(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** 23:59:59.999 of a Brasília calendar day, as an instant. */
function endOfDay(ymd: string): Date {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 23, 59, 59, 999);
  return new Date(wall - offsetMinutes(new Date(wall), BRASILIA) * 60_000);
}

/**
 * Whether a Brasília calendar day is a business day: Monday to Friday, not a
 * national holiday, not one of the extra days.
 *
 * @example
 * ```ts
 * isBusinessDay('2026-11-20'); // false: Dia da Consciência Negra (Lei 14.759/2023)
 * isBusinessDay('2027-02-09'); // true: Carnival is not a national holiday…
 * isBusinessDay('2027-02-09', ['2027-02-09']); // …unless you say your office closes
 * ```
 */
export function isBusinessDay(ymd: string, extra: readonly string[] = []): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ymd)) throw new PurposefulError('PF_INPUT_INVALID', 'a day is written YYYY-MM-DD');
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  if (nationalHolidays(y).has(ymd)) return false;
  return !extra.includes(ymd);
}

/**
 * The end (23:59:59.999, Brasília) of the `n`-th business day after the day of `from`.
 *
 * @example
 * ```ts
 * addBusinessDays(new Date('2026-12-30T12:00:00-03:00'), 3).toISOString(); // '2027-01-06T02:59:59.999Z'
 * ```
 */
export function addBusinessDays(from: Date, n: number, extra: readonly string[] = []): Date {
  if (!(from instanceof Date) || Number.isNaN(from.getTime()))
    throw new PurposefulError('PF_INPUT_INVALID', 'a deadline needs a valid date');
  if (!Number.isSafeInteger(n) || n < 0)
    throw new PurposefulError('PF_INPUT_INVALID', 'a number of business days is a non-negative integer');
  let day = dayOf(from);
  for (let left = n; left > 0; ) {
    day = addDays(day, 1);
    if (isBusinessDay(day, extra)) left--;
  }
  return endOfDay(day);
}

/**
 * Computes the LGPD and GDPR deadlines of an incident.
 *
 * @example
 * ```ts
 * const d = incidentDeadlines({ knownAt: new Date('2027-03-25T18:00:00-03:00') }); // the day before Good Friday
 * d.lgpd.anpd;     // end of 31 March 2027 (Friday 26 is Good Friday, then a weekend)
 * d.gdpr.authority; // 72 hours later, to the minute
 * ```
 */
export function incidentDeadlines(options: DeadlineOptions): IncidentDeadlines {
  const { knownAt } = options;
  if (!(knownAt instanceof Date) || Number.isNaN(knownAt.getTime())) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentDeadlines() needs knownAt, a valid date');
  }
  const extra = options.extraNonBusinessDays ?? [];
  for (const d of extra) isBusinessDay(d); // checks the format
  const businessDays = options.smallAgent === true && options.highRisk !== true ? 6 : 3;
  const due = addBusinessDays(knownAt, businessDays, extra);
  return {
    lgpd: {
      anpd: due,
      subjects: due,
      businessDays,
      ...(options.notifiedAt ? { complement: addBusinessDays(options.notifiedAt, 20, extra) } : {}),
      ...(options.publicNoticeAt ? { publicNoticeUntil: new Date(options.publicNoticeAt.getTime() + 90 * 86_400_000) } : {}),
    },
    gdpr: { authority: new Date(knownAt.getTime() + 72 * 3_600_000) },
  };
}
