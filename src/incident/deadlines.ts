/**
 * Notification deadlines of a security incident: LGPD Art. 48 with Resolution
 * CD/ANPD 15/2024. The ANPD (Art. 6) and the subjects (Art. 9) within 3
 * business days of knowing that personal data were affected (Art. 6 §1); the
 * complement within 20 business days of the communication (Art. 6 §3); the
 * declaration that the subjects were told within 3 business days after their
 * deadline (Art. 9 §4); a public notice, where direct notice is not possible,
 * kept at least three months (Art. 9 §3). A small processing agent has double
 * the time for the communications and the complement (Art. 6 §8, 9 §6), unless
 * its processing is high-risk (Res. CD/ANPD 2/2022 Art. 3 I, 4). And GDPR
 * Art. 33 (the supervisory authority within 72 hours).
 *
 * Res. CD/ANPD 2/2022 Art. 14 II once kept the ordinary deadlines where the
 * subjects' physical or moral integrity or national security could be
 * compromised; Res. CD/ANPD 15/2024 Art. 2 rewrote that item without the
 * exception, and its Arts. 6 §8 and 9 §6 double without one. A controller that
 * keeps to the ordinary deadlines as a policy passes `smallAgent: false`.
 * A deadline that sector law sets apart (Art. 6, caput) is not computed here.
 *
 * Business days are counted in Brasília time: Monday to Friday, without the
 * national holidays (from `date-holidays`, 20 November included since 2024)
 * and without the extra days you name (Carnival is a "ponto facultativo", not
 * a holiday: list it if your organization closes). The day of knowledge does
 * not count; a deadline ends at 23:59:59.999 of its last day.
 *
 * @module
 */
import { PurposefulError } from 'purposeful';

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
 * @category Deadlines
 */
export interface DeadlineOptions {
  /** When the controller learned that personal data were affected (LGPD) / became aware of the breach (GDPR). */
  readonly knownAt: Date;
  /**
   * A small processing agent (agente de tratamento de pequeno porte, Res. CD/ANPD 2/2022 Art. 2 I): the
   * communications to the ANPD and to the subjects and the complement count double (Res. CD/ANPD 15/2024
   * Art. 6 §8, 9 §6), unless `highRisk`.
   */
  readonly smallAgent?: boolean;
  /**
   * The agent carries out high-risk processing (Res. CD/ANPD 2/2022 Art. 4): it cannot use the
   * differentiated regime (Art. 3 I), so nothing doubles.
   */
  readonly highRisk?: boolean;
  /** Days that are not business days beyond weekends and national holidays (`YYYY-MM-DD`, Brasília). */
  readonly extraNonBusinessDays?: readonly string[];
  /** When the ANPD was told: the complement is due 20 business days later, 40 for a small agent (Res. 15/2024 Art. 6 §3, §8). */
  readonly notifiedAt?: Date;
  /** When a public notice went up (direct notice impossible): it stays at least three months (Res. 15/2024 Art. 9 §3). */
  readonly publicNoticeAt?: Date;
}

const DEADLINE_OPTIONS: ReadonlySet<string> = new Set([
  'knownAt',
  'smallAgent',
  'highRisk',
  'extraNonBusinessDays',
  'notifiedAt',
  'publicNoticeAt',
]);

/**
 * The deadlines, as instants.
 *
 * @example
 * ```ts
 * const d: IncidentDeadlines = incidentDeadlines({ knownAt: new Date('2026-11-19T10:00:00-03:00') });
 * d.lgpd.anpd.toISOString(); // '2026-11-26T02:59:59.999Z': 20 November is a holiday, then a weekend
 * d.lgpd.subjectsDeclaration.toISOString(); // '2026-12-01T02:59:59.999Z': 3 business days later (Art. 9 §4)
 * d.gdpr.authority.toISOString(); // '2026-11-22T13:00:00.000Z': 72 hours
 * ```
 * @category Deadlines
 */
export interface IncidentDeadlines {
  /** When the controller learned that personal data were affected: what every deadline counts from. */
  readonly knownAt: Date;
  readonly lgpd: {
    /** Communication to the ANPD (Res. 15/2024 Art. 6). */
    readonly anpd: Date;
    /** Communication to the subjects (Res. 15/2024 Art. 9). */
    readonly subjects: Date;
    /** Business days for both: 3, or 6 for a small agent (Art. 6 §8, 9 §6). */
    readonly businessDays: number;
    /** Whether the doubled deadlines of a small processing agent apply (and the report declares it, Art. 6 §2 IX). */
    readonly smallAgent: boolean;
    /** The declaration to the ANPD that the subjects were told, and how: 3 business days after their deadline (Art. 9 §4). */
    readonly subjectsDeclaration: Date;
    /** Business days for the complement after the communication: 20, or 40 for a small agent (Art. 6 §3, §8). */
    readonly complementBusinessDays: number;
    /** The complement to the ANPD (when `notifiedAt` is given). */
    readonly complement?: Date;
    /** The end of the last day a public notice must stay up (when `publicNoticeAt` is given; Art. 9 §3). */
    readonly publicNoticeUntil?: Date;
    /** The extra non-business days the deadlines were counted without. */
    readonly extraNonBusinessDays: readonly string[];
  };
  readonly gdpr: {
    /** Notification to the supervisory authority (Art. 33(1)): 72 hours. */
    readonly authority: Date;
  };
}

/** The default export of `date-holidays`, as far as the deadlines use it (no type import: the package is optional). */
type HolidayCalendar = new (
  country: string,
) => { getHolidays(year: number): readonly { readonly date: string; readonly type: string }[] };

let calendar: HolidayCalendar | undefined;
let holidays: InstanceType<HolidayCalendar> | undefined;
const holidayCache = new Map<number, ReadonlySet<string>>();

/**
 * Gives the incident deadlines the `date-holidays` calendar they count national
 * holidays with. On Node (and Bun, Deno) it is found by itself once installed
 * (`npm install date-holidays`); where there is no `require` (Edge runtimes,
 * browsers, a bundle), import it and hand it over once, at start-up.
 *
 * @example
 * ```ts
 * import Holidays from 'date-holidays';
 * import { incidentDeadlines, useHolidayCalendar } from 'purposeful/incident';
 *
 * useHolidayCalendar(Holidays);
 * const d = incidentDeadlines({ knownAt: new Date() });
 * ```
 * @category Deadlines
 */
export function useHolidayCalendar(
  Calendar: new (country: string) => { getHolidays(year: number): readonly { readonly date: string; readonly type: string }[] },
): void {
  if (typeof Calendar !== 'function') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "useHolidayCalendar() takes the default export of 'date-holidays'");
  }
  calendar = Calendar;
  holidays = undefined;
  holidayCache.clear();
}

type Require = (id: string) => unknown;
/**
 * `require` from this file's own location, where the runtime has one (no static `node:` import): the calendar is
 * resolved as a peer dependency is, from the package, never from the directory the process was started in (which
 * would load whatever module of that name sits there).
 */
function requirers(): Require[] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return [];
  let mod: { createRequire?: (from: string) => Require } | undefined;
  try {
    mod = proc.getBuiltinModule('node:module') as typeof mod;
  } catch {
    return [];
  }
  if (typeof mod?.createRequire !== 'function') return [];
  const from: string[] = [];
  const here = (import.meta as { url?: string }).url;
  if (typeof here === 'string') from.push(here);
  if (typeof __filename === 'string') from.push(__filename);
  return from.map((f) => (mod.createRequire as (from: string) => Require)(f));
}

/** The calendar: the one handed over, else `date-holidays` where `require` finds it; else `PF_DEPENDENCY_MISSING`. */
function holidayCalendar(): HolidayCalendar {
  if (calendar) return calendar;
  for (const req of requirers()) {
    try {
      const m = req('date-holidays') as HolidayCalendar | { default?: HolidayCalendar };
      const found = typeof m === 'function' ? m : m?.default;
      if (typeof found === 'function') {
        calendar = found;
        return found;
      }
    } catch {
      // not installed where this one looks: try the next
    }
  }
  throw new PurposefulError(
    'PF_DEPENDENCY_MISSING',
    "incident deadlines count Brazilian national holidays with the optional dependency 'date-holidays': run `npm install date-holidays` (where there is no require, as on Edge runtimes, also call useHolidayCalendar(Holidays))",
  );
}

function nationalHolidays(year: number): ReadonlySet<string> {
  let set = holidayCache.get(year);
  if (!set) {
    const Calendar = holidayCalendar();
    holidays ??= new Calendar('BR');
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
 * @category Deadlines
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
 * @category Deadlines
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
 * The calendar day `months` months after a Brasília day. A month runs to the
 * day of the same number; where the month lacks it, to the first day after
 * (Lei 810/1949 Arts. 2 and 3; Código Civil Art. 132 §3): 30 November plus
 * three months is 1 March, the later of the readings (Lei 9.784/1999 Art. 66
 * §3 would end on the last day of February).
 */
function addMonths(ymd: string, months: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const day =
    d <= lastDay
      ? new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), d))
      : new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 1));
  return day.toISOString().slice(0, 10);
}

const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Computes the LGPD and GDPR deadlines of an incident. Unknown options are
 * refused (`PF_OPTIONS_INVALID`), so that no reading of the rules is silently
 * ignored.
 *
 * @example
 * ```ts
 * const d = incidentDeadlines({ knownAt: new Date('2027-03-25T18:00:00-03:00') }); // the day before Good Friday
 * d.lgpd.anpd;     // end of 31 March 2027 (Friday 26 is Good Friday, then a weekend)
 * d.gdpr.authority; // 72 hours later, to the minute
 * const small = incidentDeadlines({ knownAt: new Date(), smallAgent: true, notifiedAt: new Date() });
 * small.lgpd.businessDays;          // 6 (Res. CD/ANPD 15/2024 Art. 6 §8, 9 §6)
 * small.lgpd.complementBusinessDays; // 40 (Art. 6 §3, §8)
 * ```
 * @category Deadlines
 */
export function incidentDeadlines(options: DeadlineOptions): IncidentDeadlines {
  if (typeof options !== 'object' || options === null) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentDeadlines() needs { knownAt }');
  }
  for (const key of Object.keys(options)) {
    if (!DEADLINE_OPTIONS.has(key)) {
      throw new PurposefulError('PF_OPTIONS_INVALID', `incidentDeadlines(): unknown option "${key}"`, {
        article: 'Res. CD/ANPD 15/2024 Art. 6 §8, 9 §6; Res. CD/ANPD 2/2022 Art. 3, 14 II',
      });
    }
  }
  const { knownAt } = options;
  if (!validDate(knownAt)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentDeadlines() needs knownAt, a valid date');
  }
  for (const key of ['notifiedAt', 'publicNoticeAt'] as const) {
    if (options[key] !== undefined && !validDate(options[key])) {
      throw new PurposefulError('PF_INPUT_INVALID', `incidentDeadlines(): ${key} must be a valid date`);
    }
  }
  const extra = [...(options.extraNonBusinessDays ?? [])];
  for (const d of extra) isBusinessDay(d); // checks the format
  // Res. CD/ANPD 15/2024 Art. 6 §8 and 9 §6; Res. CD/ANPD 2/2022 Art. 3 I: no differentiated regime for high-risk processing
  const smallAgent = options.smallAgent === true && options.highRisk !== true;
  const businessDays = smallAgent ? 6 : 3;
  const complementBusinessDays = smallAgent ? 40 : 20;
  const due = addBusinessDays(knownAt, businessDays, extra);
  return {
    knownAt: new Date(knownAt.getTime()),
    lgpd: {
      anpd: due,
      subjects: due,
      businessDays,
      smallAgent,
      // Art. 9 §4: counted from the end of the subjects' deadline (the caput's, doubled or not)
      subjectsDeclaration: addBusinessDays(due, 3, extra),
      complementBusinessDays,
      ...(options.notifiedAt ? { complement: addBusinessDays(options.notifiedAt, complementBusinessDays, extra) } : {}),
      ...(options.publicNoticeAt ? { publicNoticeUntil: endOfDay(addMonths(dayOf(options.publicNoticeAt), 3)) } : {}),
      extraNonBusinessDays: Object.freeze(extra),
    },
    gdpr: { authority: new Date(knownAt.getTime() + 72 * 3_600_000) },
  };
}

/**
 * How a communication stands against its deadline.
 *
 * @example
 * ```ts
 * const s: DeadlineStatus = deadlineStatus(deadlines.lgpd.anpd, new Date('2026-12-07T11:00:00-03:00'));
 * // { deadline: '2026-12-04T02:59:59.999Z', communicatedAt: '2026-12-07T14:00:00.000Z', late: true,
 * //   lateBy: { ms: 298800001, businessDays: 2 } }
 * ```
 * @category Deadlines
 */
export interface DeadlineStatus {
  readonly deadline: string;
  readonly communicatedAt: string;
  readonly late: boolean;
  /**
   * When late: the time after the deadline, and the business days after its
   * last day up to the day of the communication (0 when it came on a weekend
   * or holiday right after the deadline).
   */
  readonly lateBy?: { readonly ms: number; readonly businessDays: number };
}

/**
 * Compares when something was communicated with its deadline, counting
 * business days as {@link incidentDeadlines} does.
 *
 * @example
 * ```ts
 * const d = incidentDeadlines({ knownAt: new Date('2026-11-30T09:00:00-03:00') });
 * deadlineStatus(d.lgpd.anpd, new Date('2026-12-02T15:00:00-03:00')).late; // false
 * deadlineStatus(d.lgpd.anpd, new Date('2026-12-07T11:00:00-03:00')).lateBy?.businessDays; // 2: Friday 4 and Monday 7
 * ```
 * @category Deadlines
 */
export function deadlineStatus(deadline: Date, communicatedAt: Date, extra: readonly string[] = []): DeadlineStatus {
  if (!validDate(deadline) || !validDate(communicatedAt)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'deadlineStatus() needs two valid dates');
  }
  const ms = communicatedAt.getTime() - deadline.getTime();
  const base = { deadline: deadline.toISOString(), communicatedAt: communicatedAt.toISOString() };
  if (ms <= 0) return { ...base, late: false };
  const last = dayOf(communicatedAt);
  let businessDays = 0;
  for (let day = addDays(dayOf(deadline), 1); day <= last; day = addDays(day, 1)) {
    if (isBusinessDay(day, extra)) businessDays++;
  }
  return { ...base, late: true, lateBy: { ms, businessDays } };
}
