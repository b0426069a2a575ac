/**
 * ISO-8601 durations (`P2Y`, `P6M`, `P1Y2M10DT2H30M`, `P4W`) for retention.
 *
 * @module
 */

/**
 * A parsed ISO-8601 duration. Fractions are not accepted: retention is counted in whole units.
 *
 * @example
 * ```ts
 * const d: Duration | undefined = parseDuration('P1Y6M');
 * // { years: 1, months: 6, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 }
 * if (d) addDuration(new Date('2026-01-15T00:00:00Z'), d).toISOString(); // '2027-07-15T00:00:00.000Z'
 * ```
 * @category Utilities
 */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const DURATION_RE =
  /^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;

/**
 * Parses an ISO-8601 duration, or returns `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseDuration('P2Y');    // { years: 2, months: 0, … }
 * parseDuration('forever'); // undefined
 * ```
 * @category Utilities
 */
export function parseDuration(text: string): Duration | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return Object.freeze({ years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) });
}

/**
 * Adds a duration to a date in UTC (calendar arithmetic for years and months,
 * clamped to the month's last day: 31 Jan + P1M is 28/29 Feb).
 *
 * @example
 * ```ts
 * addDuration(new Date('2026-01-31T00:00:00Z'), parseDuration('P1M')!).toISOString(); // '2026-02-28T00:00:00.000Z'
 * ```
 * @category Utilities
 */
export function addDuration(from: Date, d: Duration): Date {
  const y = from.getUTCFullYear() + d.years;
  const monthIndex = from.getUTCMonth() + d.months;
  const targetYear = y + Math.floor(monthIndex / 12);
  const targetMonth = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  const base = Date.UTC(
    targetYear,
    targetMonth,
    day,
    from.getUTCHours(),
    from.getUTCMinutes(),
    from.getUTCSeconds(),
    from.getUTCMilliseconds(),
  );
  const extra = ((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return new Date(base + extra);
}
