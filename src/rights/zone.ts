/**
 * Calendar days in a time zone, for the deadlines of data-subject requests:
 * a period counted in days or months ends at the end of a day in the
 * controller's zone (Regulation 1182/71 Art. 3(2)(c); LGPD Art. 19 II counts
 * "from the date of the request"). Offsets come from `Intl`, so daylight
 * saving is read for the day in question.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';

const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone (cached); an unknown zone is `PF_OPTIONS_INVALID`. @internal */
export function zoneFormat(timeZone: unknown): Intl.DateTimeFormat {
  const key = typeof timeZone === 'string' ? timeZone : '';
  let fmt = formats.get(key);
  if (fmt) return fmt;
  try {
    if (key === '') throw new RangeError('no zone');
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: key,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
  } catch {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'rights.timeZone must be an IANA time zone such as America/Sao_Paulo: deadlines end at the end of a day in it (GDPR Art. 12(3); Regulation 1182/71 Art. 3)',
      { article: 'GDPR Art. 12(3)' },
    );
  }
  if (formats.size > 64) formats.clear();
  formats.set(key, fmt);
  return fmt;
}

/** The day number (days since 1970-01-01) of the local date of an instant. @internal */
export function localDay(fmt: Intl.DateTimeFormat, t: number): number {
  let y = 0;
  let m = 0;
  let d = 0;
  for (const p of fmt.formatToParts(t)) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') m = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
  }
  return Math.floor(Date.UTC(y, m - 1, d) / DAY);
}

/** The first instant whose local date is `day` or later (zones are within ±14 h of UTC; the search allows ±36 h). */
function startOfDay(fmt: Intl.DateTimeFormat, day: number): number {
  let lo = day * DAY - 36 * 3_600_000; // local date before `day`
  let hi = day * DAY + 36 * 3_600_000; // local date `day` or after
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(fmt, mid) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The last millisecond of local day `day`. @internal */
export function endOfDay(fmt: Intl.DateTimeFormat, day: number): Date {
  return new Date(startOfDay(fmt, day + 1) - 1);
}

/**
 * The day `months` calendar months after `day`: the same date, or the last
 * day of a month that lacks it (Regulation 1182/71 Art. 3(2)(c)). @internal
 */
export function addMonthsToDay(day: number, months: number): number {
  const from = new Date(day * DAY);
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(y, m, Math.min(from.getUTCDate(), last)) / DAY);
}
