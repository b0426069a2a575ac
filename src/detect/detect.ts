/**
 * `detectPII`: Brazilian and international identifiers in free text, found in
 * one bounded pass per family, with no regular expression over the input
 * (nothing can backtrack): numbers as people type them (groups of digits
 * joined by dots, dashes, slashes, spaces and parentheses), e-mail addresses
 * around each `@`, IBANs and alphanumeric CNPJs, UUIDs (PIX random keys), PIX
 * "copia e cola" codes, IPv6 addresses. Every candidate is validated (check
 * digits, area codes, syntax) before context words are read around it.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { BRAZILIAN_DDDS, crc16Ccitt, isCnh, isCnpj, isCpf, isIban, isPis, isRgSp, isTituloEleitor, luhn } from './checksums.js';
import { type Context, contextOf } from './context.js';
import { type Confidence, PII_TYPES, type PiiSpan, type PiiType, RANK } from './types.js';

/**
 * Options of {@link detectPII}.
 *
 * @example
 * ```ts
 * detectPII(message, { threshold: 'medium', types: ['cpf', 'phone', 'email'] });
 * ```
 */
export interface DetectOptions {
  /** Lowest confidence reported (default `low`: everything found). */
  readonly threshold?: Confidence;
  /** Only these types (default: all). */
  readonly types?: readonly PiiType[];
}

/** A candidate before overlaps are settled. */
interface Found {
  type: PiiType;
  start: number;
  end: number;
  confidence: Confidence;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isAlnum = (c: number): boolean => isDigit(c) || isUpper(c) || isLower(c);
/** Separators people put inside numbers: space, no-break space, `.`, `-`, `/`, `(`, `)`. */
const isSep = (c: number): boolean => c === 32 || c === 0xa0 || c === 46 || c === 45 || c === 47 || c === 40 || c === 41;
/** Combining marks that may follow a character (a span never ends before them). */
const isMark = (c: number): boolean =>
  (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);

/** The longest digit count any numeric type has (a 19-digit card). */
const MAX_DIGITS = 19;

// ── numbers ─────────────────────────────────────────────────────────────────

/** A group of digits in a run and the separator text before it. */
interface Group {
  readonly start: number;
  readonly end: number;
  /** The separator characters between the previous group and this one ('' for the first). */
  readonly sep: string;
}

/** Reads the runs of digit groups and hands each run to `evaluate`. Linear: each character is looked at a bounded number of times. */
function scanNumbers(text: string, out: Found[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    // the next digit is found by the regular-expression engine's native search (one character class: nothing to backtrack)
    NEXT_DIGIT.lastIndex = i;
    if (!NEXT_DIGIT.test(text)) return;
    i = NEXT_DIGIT.lastIndex - 1;
    // first the run's extent, without building anything
    let j = i;
    let digitCount = 0;
    let groupCount = 0;
    for (;;) {
      const gs = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      digitCount += j - gs;
      groupCount++;
      let k = j;
      while (k < n && k - j < 2 && isSep(text.charCodeAt(k))) k++;
      if (k > j && k < n && isDigit(text.charCodeAt(k))) {
        j = k;
        continue;
      }
      break;
    }
    // short numbers ("2 itens", "R$ 50") are nothing: only 6 digits or more, or four groups (an IPv4), are looked at
    if (digitCount >= 6 || groupCount >= 4) evaluateRun(text, groupsOf(text, i, j), out);
    else if (digitCount === 4 && groupCount === 1) writtenDate(text, i, j, out); // a year, perhaps of a birthday written out
    i = j;
  }
}

/** The groups of the run `text[from, to)` and the separators between them. */
function groupsOf(text: string, from: number, to: number): Group[] {
  const groups: Group[] = [];
  let sep = '';
  let j = from;
  while (j < to) {
    const gs = j;
    while (j < to && isDigit(text.charCodeAt(j))) j++;
    groups.push({ start: gs, end: j, sep });
    const k = j;
    while (j < to && !isDigit(text.charCodeAt(j))) j++;
    sep = text.slice(k, j);
  }
  return groups;
}

/** The next digit, by the engine's native search (shared: detection is synchronous and never re-entered). */
const NEXT_DIGIT = /[0-9]/g;

/** Digit counts some numeric type has (dates 6–8, CEP and RG 8–9, phones 10–13, the rest up to 19 for cards). */
const INTERESTING = (() => {
  const t = new Array<boolean>(MAX_DIGITS + 1).fill(false);
  for (let k = 6; k <= MAX_DIGITS; k++) t[k] = true;
  return t;
})();

/** The context of a run, read once and only when some sub-run validates. */
class RunContext {
  private ctx: Context | undefined;
  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
  ) {}
  get(): Context {
    this.ctx ??= contextOf(this.text, this.start, this.end);
    return this.ctx;
  }
}

/** Tries the sub-runs of a run, longest first from each group, keeping what validates. */
function evaluateRun(text: string, groups: readonly Group[], out: Found[]): void {
  const run = new RunContext(text, (groups[0] as Group).start, (groups[groups.length - 1] as Group).end);
  if (mistyped(text, groups)) return;
  let a = 0;
  while (a < groups.length) {
    let best: Found | undefined;
    let bestB = a;
    let digits = '';
    let shape = '';
    for (let b = a; b < groups.length; b++) {
      const g = groups[b] as Group;
      digits += text.slice(g.start, g.end);
      if (digits.length > MAX_DIGITS) break;
      if (b > a) shape += g.sep.trim() === '' ? ' ' : g.sep.trim();
      shape += String(g.end - g.start);
      if (!INTERESTING[digits.length] && b - a !== 3) continue;
      const found = classify(text, groups, a, b, digits, shape, run);
      if (found && (!best || RANK[found.confidence] >= RANK[best.confidence])) {
        best = found;
        bestB = b;
      }
    }
    if (best) {
      out.push(best);
      a = bestB + 1;
    } else a++;
  }
}

/** Whether groups a..b are joined by single dots. */
function dotted(groups: readonly Group[], a: number, b: number): boolean {
  for (let k = a + 1; k <= b; k++) if ((groups[k] as Group).sep !== '.') return false;
  return true;
}

/** Whether a digit string is a Brazilian phone number, and whether it carries the country code. */
function phoneShape(d: string): 'mobile' | 'landline' | undefined {
  const local = d.length === 13 || d.length === 12 ? (d.startsWith('55') ? d.slice(2) : undefined) : d;
  if (local === undefined || !BRAZILIAN_DDDS.has(local.slice(0, 2))) return undefined;
  if (local.length === 11 && local[2] === '9') return 'mobile';
  if (local.length === 10 && local[2] !== undefined && local[2] >= '2' && local[2] <= '5') return 'landline';
  return undefined;
}

/**
 * Whether groups a..b are only the start of a longer number typed the same
 * way ("4011 9856 5087 2825" whose 16 digits fail Luhn: its first 12 pass it
 * one time in ten). The run going on with the same separator, within a card's
 * length, means the card would be the whole of it.
 */
function cardPrefixOfLonger(groups: readonly Group[], a: number, b: number, len: number): boolean {
  const first = groups[a] as Group;
  const inner = a < b ? (groups[a + 1] as Group).sep : undefined;
  // the card would start in the middle of numbers typed alike ("4995 5512 7483 3831": not "5512 7483 3831")
  if (a > 0 && inner !== undefined && first.sep === inner) return true;
  const next = groups[b + 1];
  if (next === undefined) return false;
  const sep = (groups[b] as Group).sep;
  if (next.sep !== sep && !(sep === '' && next.sep.length === 1)) return false;
  let total = len;
  for (let k = b + 1; k < groups.length && total <= MAX_DIGITS; k++)
    total += (groups[k] as Group).end - (groups[k] as Group).start;
  return total <= MAX_DIGITS;
}

/** Card numbers start with a known issuer prefix (Visa, Mastercard, Amex, Elo, Hipercard, Diners, Discover, JCB). */
function cardIssuer(d: string): boolean {
  const c = d.charCodeAt(0) - 48;
  if (c === 4) return true; // Visa, and most Elo ranges
  const two = Number(d.slice(0, 2));
  const four = Number(d.slice(0, 4));
  if (two >= 51 && two <= 55) return true; // Mastercard
  if (four >= 2221 && four <= 2720) return true; // Mastercard 2-series
  if (two === 34 || two === 37) return true; // Amex
  if (two === 36 || two === 38 || (four >= 3000 && four <= 3059)) return true; // Diners
  if (two === 35) return true; // JCB
  if (two === 60 || two === 62 || two === 63 || two === 64 || two === 65) return true; // Discover, Hipercard, Elo 6x
  if (two === 50) return true; // Elo 50xx
  return false;
}

/** A time (`14:33`, `14h30`) right after a date, or right before it ("às 09:49 do dia …"): a timestamp, not a birthday. */
function nextToTime(text: string, start: number, end: number): boolean {
  let i = end;
  while (i < text.length && i - end < 4 && !isDigit(text.charCodeAt(i))) i++;
  if (isTime(text, i)) return true;
  let j = start - 1;
  while (j > 0 && start - j < 12 && !isDigit(text.charCodeAt(j))) j--;
  // back to the start of the digits before: hh:mm or h:mm
  let k = j;
  while (k > 0 && (isDigit(text.charCodeAt(k - 1)) || text.charCodeAt(k - 1) === 58 || text.charCodeAt(k - 1) === 104)) k--;
  return k < j && isTime(text, k);
}

function isTime(text: string, i: number): boolean {
  const h1 = isDigit(text.charCodeAt(i));
  const h2 = isDigit(text.charCodeAt(i + 1));
  const sepAt = h1 && h2 ? i + 2 : i + 1;
  const sep = text.charCodeAt(sepAt);
  return h1 && (sep === 58 || sep === 104) && isDigit(text.charCodeAt(sepAt + 1)) && isDigit(text.charCodeAt(sepAt + 2));
}

const DATE_SHAPES = new Set(['2/2/4', '2-2-4', '2.2.4', '4-2-2', '4/2/2', '1/2/4', '2/1/4', '1/1/4']);

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] as number);
}

/**
 * What groups a..b (digits `d`) are, if anything: checksum types first, then
 * phones, CEP, RG, cards, IPv4 and dates, with the context words deciding
 * between types that validate alike and lifting pattern-only finds.
 */
function classify(
  text: string,
  groups: readonly Group[],
  a: number,
  b: number,
  d: string,
  shape: string,
  run: RunContext,
): Found | undefined {
  const first = groups[a] as Group;
  const last = groups[b] as Group;
  let start = first.start;
  let end = last.end;
  const len = d.length;
  const candidates: Array<[PiiType, Confidence]> = [];

  // IPv4: four dotted groups of 1–3 digits, each ≤ 255, not part of a longer dotted chain
  if (b - a === 3 && dotted(groups, a, b)) {
    let ok = true;
    for (let k = a; k <= b; k++) {
      const g = groups[k] as Group;
      const v = text.slice(g.start, g.end);
      if (g.end - g.start > 3 || Number(v) > 255 || (v.length > 1 && v[0] === '0')) ok = false;
    }
    const before = text.charCodeAt(start - 1);
    const after = text.charCodeAt(end);
    if (before === 46 || (after === 46 && isDigit(text.charCodeAt(end + 1)))) ok = false;
    if (ok) candidates.push(['ipv4', 'medium']);
  }

  if (len === 11) {
    if (isCpf(d)) candidates.push(['cpf', 'high']);
    if (isPis(d)) candidates.push(['pis', 'high']);
    if (isCnh(d)) candidates.push(['cnh', 'high']);
  }
  if (len === 14 && isCnpj(d)) candidates.push(['cnpj', 'high']);
  if (len === 12 && isTituloEleitor(d)) candidates.push(['titulo_eleitor', 'high']);
  if (len >= 12 && len <= 19 && luhn(d) && cardIssuer(d) && !cardPrefixOfLonger(groups, a, b, len)) {
    candidates.push(['card', 'high']);
  }

  const phone = len >= 10 && len <= 13 ? phoneShape(d) : undefined;
  if (phone) {
    const plus = text.charCodeAt(start - 1) === 43; // +
    const paren = text.charCodeAt(start - 1) === 40 && text.charCodeAt(first.end) === 41; // (11)
    const formatted = b > a && !shape.includes('/') && !shape.includes('.');
    if (plus) start--;
    else if (paren) start--;
    candidates.push(['phone', plus || paren || (formatted && len >= 10) ? 'medium' : 'low']);
  }
  if (len === 8 && (shape === '5-3' || shape === '8' || shape === '2.3-3')) candidates.push(['cep', 'low']);
  // a São Paulo RG: 8 digits and a check digit (or X)
  if (len === 9 && isRgSp(d)) candidates.push(['rg', 'medium']);
  if (len === 8 && (text[end] === '-' || text[end] === ' ') && (text[end + 1] === 'X' || text[end + 1] === 'x')) {
    if (isRgSp(`${d}X`) && !isAlnum(text.charCodeAt(end + 2))) {
      end += 2;
      candidates.push(['rg', 'medium']);
    }
  } else if (len === 8 && (text[end] === 'X' || text[end] === 'x') && !isAlnum(text.charCodeAt(end + 1)) && isRgSp(`${d}X`)) {
    end += 1;
    candidates.push(['rg', 'medium']);
  }
  if (DATE_SHAPES.has(shape)) {
    const parts = shape.startsWith('4') ? [d.slice(0, 4), d.slice(4, 6), d.slice(6)] : undefined;
    const gs = groups.slice(a, b + 1).map((g) => Number(text.slice(g.start, g.end)));
    const [y, m, day] = parts ? parts.map(Number) : [gs[2], gs[1], gs[0]];
    if (validDate(y as number, m as number, day as number) && !nextToTime(text, start, end))
      candidates.push(['birth_date', 'low']);
  }
  if (candidates.length === 0) return undefined;

  return choose(candidates, run.get(), shape, start, end);
}

/**
 * A whole run written in a format only one checked type uses ("32.224.982/8343-79")
 * that fails that type's check is a mistyped one, or none: no part of it is
 * reported as something else.
 */
function mistyped(text: string, groups: readonly Group[]): boolean {
  let shape = '';
  let digits = '';
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k] as Group;
    if (k > 0) shape += g.sep.trim() === '' ? ' ' : g.sep.trim();
    shape += String(g.end - g.start);
    digits += text.slice(g.start, g.end);
    if (digits.length > MAX_DIGITS) return false;
  }
  // a card as people type one: groups of four with one separator, 13 to 19 digits
  if (groups.length >= 3 && digits.length >= 13 && /^4([ -])4(\1[1-4]){1,3}$/.test(shape)) return !luhn(digits);
  const typical = TYPICAL[shape];
  if (typical === 'cpf') return !isCpf(digits);
  if (typical === 'cnpj') return !isCnpj(digits);
  if (typical === 'pis') return !isPis(digits);
  return false;
}

/** Shapes only one type is written in. */
const TYPICAL: Readonly<Record<string, PiiType>> = {
  '3.3.3-2': 'cpf',
  '2.3.3/4-2': 'cnpj',
  '3.5.2-1': 'pis',
  '5-3': 'cep',
  '2.3-3': 'cep',
  '2.3.3-1': 'rg',
};

/** Types found by their check digits. */
const CHECKED: ReadonlySet<PiiType> = new Set<PiiType>(['cpf', 'cnpj', 'cnh', 'pis', 'titulo_eleitor', 'card']);

/** Settles which of the types that validated the candidate is, and how sure that is. */
function choose(
  candidates: ReadonlyArray<[PiiType, Confidence]>,
  ctx: Context,
  shape: string,
  start: number,
  end: number,
): Found | undefined {
  // a number written the way only one type is written, that fails that type's check, is a mistyped one (or none):
  // it is not reported as another type that happens to validate
  const typical = TYPICAL[shape];
  if (typical !== undefined && CHECKED.has(typical) && !candidates.some(([t]) => t === typical)) return undefined;
  // the closest word names a checked type this number is not ("cpf 529…-26"): what else it validates as is a coincidence
  const namesOther =
    ctx.nearest.length > 0 &&
    !ctx.nearest.some((t) => candidates.some(([c]) => c === t)) &&
    ctx.nearest.some((t) => CHECKED.has(t));
  let best: [PiiType, Confidence] | undefined;
  let bestScore = -1;
  for (const [type, base] of candidates) {
    let conf = base;
    const spoken = ctx.positive.has(type);
    // a date is a date of birth only when the closest telling word before it says so
    if (type === 'birth_date' && !ctx.nearest.includes('birth_date')) continue;
    if (type === 'birth_date' || type === 'rg' || type === 'cep') {
      // context-only types: nothing without a word for them
      if (!spoken) {
        if (type === 'birth_date' || type === 'rg') continue;
        conf = 'low';
      } else conf = 'medium';
    } else if (spoken && conf === 'low') conf = 'medium';
    // "pedido 529…": an order number that happens to validate; the closest word decides
    if (ctx.negative || (namesOther && !spoken)) conf = 'low';
    // the type the words name wins, then the type the format says, then the surer one, then the list order
    const score = (ctx.nearest.includes(type) ? 200 : 0) + (spoken ? 100 : 0) + (TYPICAL[shape] === type ? 10 : 0) + RANK[conf];
    if (score > bestScore) {
      best = [type, conf];
      bestScore = score;
    }
  }
  if (!best) return undefined;
  return { type: best[0], start, end, confidence: best[1] };
}

// ── e-mail ──────────────────────────────────────────────────────────────────

const isLocalChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; // . _ % + -
const isDomainChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 46;

function scanEmails(text: string, out: Found[]): void {
  let at = text.indexOf('@');
  let floor = 0; // the left side of one address never reaches into the previous one
  while (at >= 0) {
    let s = at;
    while (s > floor && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && (text.charCodeAt(s) === 46 || text.charCodeAt(s) === 45)) s++; // no leading dot or dash
    let e = at + 1;
    while (e < text.length && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // a sentence's full stop
    const next = text.indexOf('@', at + 1);
    if (s < at && e > at + 1 && (next < 0 || next >= e) && validDomain(text, at + 1, e) && at - s <= 64) {
      out.push({ type: 'email', start: s, end: e, confidence: 'high' });
      floor = e;
    } else floor = at + 1;
    at = next;
  }
}

/** Labels of letters, digits and inner dashes; at least two labels; the last of letters only, 2–24 long. */
function validDomain(text: string, from: number, to: number): boolean {
  if (to - from > 253) return false;
  let labels = 0;
  let labelStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 46) continue;
    const n = i - labelStart;
    if (n === 0 || n > 63 || text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) return false;
    labels++;
    if (i === to) {
      if (labels < 2 || n < 2 || n > 24) return false;
      for (let k = labelStart; k < to; k++) if (!isUpper(text.charCodeAt(k)) && !isLower(text.charCodeAt(k))) return false;
    }
    labelStart = i + 1;
  }
  return true;
}

// ── letters and digits: IBAN, alphanumeric CNPJ, UUID ──────────────────────

/**
 * IBANs, alphanumeric CNPJs and UUIDs all start a word: one pass looks at each
 * word's first characters and positions (no slice unless they fit), then
 * skips to the word's end.
 */
function scanTokens(text: string, out: Found[]): void {
  const n = text.length;
  let floor = 0; // nothing before this is looked at again
  let i = 0;
  while (i < n) {
    NEXT_DIGIT.lastIndex = i;
    if (!NEXT_DIGIT.test(text)) return;
    const p = NEXT_DIGIT.lastIndex - 1;
    // every IBAN, CNPJ and UUID holds a digit: start from the word around it (a formatted CNPJ may start before a '/')
    let w = p;
    while (w > floor && p - w < 36 && isTokenChar(text.charCodeAt(w - 1))) w--;
    while (w < p && !isAlnum(text.charCodeAt(w))) w++;
    let end = p + 1;
    for (let k = w; k <= p; k++) {
      if (k > w && isAlnum(text.charCodeAt(k - 1))) continue; // only where a word starts
      const resume = wordCandidates(text, k, out);
      if (resume > k) {
        end = Math.max(end, resume);
        break;
      }
    }
    while (end < n && isAlnum(text.charCodeAt(end))) end++;
    floor = end;
    i = end;
  }
}

/** Characters inside the identifiers `scanTokens` looks for: letters, digits, `.`, `/`, `-`. */
const isTokenChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 47 || c === 45;

/** Whether `text[at]` ends a word (the end of the text, or a character that is not a letter or digit). */
const endsWord = (text: string, at: number): boolean => at >= text.length || !isAlnum(text.charCodeAt(at));

/** Candidates starting at the word that starts at `w`; returns where scanning may resume. */
function wordCandidates(text: string, w: number, out: Found[]): number {
  const n = text.length;
  const c0 = text.charCodeAt(w);
  // IBAN: two letters, two digits, then letters and digits, in groups of four or not
  if (isUpper(c0) && isUpper(text.charCodeAt(w + 1)) && isDigit(text.charCodeAt(w + 2)) && isDigit(text.charCodeAt(w + 3))) {
    let compact = '';
    const ends: number[] = [];
    for (let k = w; k < n && compact.length < 34; k++) {
      const c = text.charCodeAt(k);
      if (c === 32 && k + 1 < n && isAlnum(text.charCodeAt(k + 1)) && k > w && text.charCodeAt(k - 1) !== 32) continue;
      if (!isUpper(c) && !isDigit(c)) break;
      compact += text[k];
      ends.push(k + 1);
    }
    for (let len = compact.length; len >= 15; len--) {
      const end = ends[len - 1] as number;
      if (!endsWord(text, end)) continue;
      if (isIban(compact.slice(0, len))) {
        out.push({ type: 'iban', start: w, end, confidence: 'high' });
        return end;
      }
    }
  }
  // an alphanumeric CNPJ (a letter among the first 12): 14 characters, or 2.3.3/4-2
  if (isDigit(c0) || isUpper(c0)) {
    const formatted =
      text.charCodeAt(w + 2) === 46 &&
      text.charCodeAt(w + 6) === 46 &&
      text.charCodeAt(w + 10) === 47 &&
      text.charCodeAt(w + 15) === 45;
    const len = formatted ? 18 : 14;
    if (w + len <= n && endsWord(text, w + len) && (formatted || isAlnum(text.charCodeAt(w + 13)))) {
      const raw = text.slice(w, w + len);
      const compact = formatted ? raw.slice(0, 2) + raw.slice(3, 6) + raw.slice(7, 10) + raw.slice(11, 15) + raw.slice(16) : raw;
      let letters = false;
      for (let k = 0; k < 12; k++) if (isUpper(compact.charCodeAt(k))) letters = true;
      if (letters && isCnpj(compact)) {
        out.push({ type: 'cnpj', start: w, end: w + len, confidence: 'high' });
        return w + len;
      }
    }
  }
  // a UUID, the form of a PIX random key (EVP): 8-4-4-4-12 hex digits
  if (
    w + 36 <= n &&
    text.charCodeAt(w + 8) === 45 &&
    text.charCodeAt(w + 13) === 45 &&
    text.charCodeAt(w + 18) === 45 &&
    text.charCodeAt(w + 23) === 45 &&
    endsWord(text, w + 36) &&
    isUuid(text, w)
  ) {
    // any system prints UUIDs: a PIX key only when the words around say so
    const ctx = contextOf(text, w, w + 36);
    const spoken = ctx.positive.has('pix_key');
    out.push({ type: 'pix_key', start: w, end: w + 36, confidence: spoken && !ctx.negative ? 'medium' : 'low' });
    return w + 36;
  }
  return w;
}

function isUuid(text: string, at: number): boolean {
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

// ── PIX "copia e cola" ──────────────────────────────────────────────────────

/** Longest BR Code read (an EMV QR payload holds at most 512 characters). */
const MAX_BRCODE = 512;

function scanBrCodes(text: string, out: Found[]): void {
  let s = text.indexOf('000201');
  while (s >= 0) {
    const end = brCodeEnd(text, s);
    if (end > 0) {
      out.push({ type: 'pix_brcode', start: s, end, confidence: 'high' });
      s = text.indexOf('000201', end);
    } else s = text.indexOf('000201', s + 1);
  }
}

/** The end of a BR Code starting at `s` whose CRC is right, or -1: TLV fields with rising ids up to field 63. */
function brCodeEnd(text: string, s: number): number {
  let p = s;
  let lastId = -1;
  let pix = false;
  while (p + 4 <= text.length && p - s < MAX_BRCODE) {
    const id = twoDigits(text, p);
    const len = twoDigits(text, p + 2);
    if (id < 0 || len < 0 || id <= lastId) return -1;
    lastId = id;
    const v = p + 4;
    if (v + len > text.length) return -1;
    if (id === 63) {
      if (len !== 4 || !pix) return -1;
      const crc = text.slice(v, v + 4).toUpperCase();
      return crc16Ccitt(text.slice(s, v)) === crc ? v + 4 : -1;
    }
    if (
      id >= 26 &&
      id <= 51 &&
      text
        .slice(v, v + len)
        .toLowerCase()
        .includes('br.gov.bcb.pix')
    )
      pix = true;
    p = v + len;
  }
  return -1;
}

function twoDigits(text: string, p: number): number {
  const a = text.charCodeAt(p) - 48;
  const b = text.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

// ── IPv6 ────────────────────────────────────────────────────────────────────

function scanIpv6(text: string, out: Found[]): void {
  const n = text.length;
  let i = text.indexOf(':');
  while (i >= 0) {
    // the token of hex digits, colons and dots around this colon
    let s = i;
    while (s > 0 && (isHex(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 58)) s--;
    let e = i;
    while (e < n && (isHex(text.charCodeAt(e)) || text.charCodeAt(e) === 58 || text.charCodeAt(e) === 46)) e++;
    while (e > i && text.charCodeAt(e - 1) === 46) e--; // a full stop after it
    if (!isAlnum(text.charCodeAt(s - 1)) && !isAlnum(text.charCodeAt(e)) && isIpv6(text.slice(s, e))) {
      out.push({ type: 'ipv6', start: s, end: e, confidence: 'medium' });
    }
    i = text.indexOf(':', Math.max(e, i + 1));
  }
}

function isIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parts = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parts(halves[0] as string);
  const tail = halves.length === 2 ? parts(halves[1] as string) : [];
  let groups = head.length + tail.length;
  const all = [...head, ...tail];
  const lastPart = all[all.length - 1];
  if (lastPart?.includes('.')) {
    const octets = lastPart.split('.');
    if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return false;
    all.pop();
    groups += 1; // an IPv4 tail takes two groups' room
  }
  if (!all.every((g) => g.length >= 1 && g.length <= 4 && /^[0-9a-fA-F]+$/.test(g))) return false;
  if (halves.length === 2) return groups <= 7 && (head.length + tail.length > 0 || s === '::') && s.length > 2;
  return groups === 8;
}

// ── dates written out: "12 de abril de 1985", "April 12, 1985" ─────────────

const MONTHS: ReadonlyMap<string, number> = new Map(
  [
    ['janeiro', 'january', 'jan'],
    ['fevereiro', 'february', 'fev', 'feb'],
    ['marco', 'march', 'mar'],
    ['abril', 'april', 'abr', 'apr'],
    ['maio', 'may', 'mai'],
    ['junho', 'june', 'jun'],
    ['julho', 'july', 'jul'],
    ['agosto', 'august', 'ago', 'aug'],
    ['setembro', 'september', 'set', 'sep', 'sept'],
    ['outubro', 'october', 'out', 'oct'],
    ['novembro', 'november', 'nov'],
    ['dezembro', 'december', 'dez', 'dec'],
  ].flatMap((names, m) => names.map((n) => [n, m + 1] as const)),
);

/** What may come before a year in a written date, read on the 32 characters before it (a bounded slice). */
const DAY_MONTH = /(\d{1,2})(?:º|o|st|nd|rd|th)?\s+(?:de\s+|of\s+)?([A-Za-z\u00c0-\u017f]{3,9})\.?,?\s+(?:de\s+|of\s+)?$/i;
const MONTH_DAY = /([A-Za-z\u00c0-\u017f]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+$/i;

/**
 * A date of birth written with the month's name and ending at the year
 * `text[ys, ye)`, after a word that says so: `12 de abril de 1985`,
 * `12 abr 1985`, `April 12, 1985`, `3rd of March 1990`.
 */
function writtenDate(text: string, ys: number, ye: number, out: Found[]): void {
  const year = Number(text.slice(ys, ye));
  if (year < 1900 || year > 2100 || isAlnum(text.charCodeAt(ye))) return;
  const before = text.slice(Math.max(0, ys - 32), ys);
  let day: number;
  let monthName: string;
  let length: number;
  const dm = DAY_MONTH.exec(before);
  if (dm) {
    day = Number(dm[1]);
    monthName = dm[2] as string;
    length = dm[0].length;
  } else {
    const md = MONTH_DAY.exec(before);
    if (!md) return;
    monthName = md[1] as string;
    day = Number(md[2]);
    length = md[0].length;
  }
  const month = MONTHS.get(
    monthName
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase(),
  );
  const start = ys - length;
  if (month === undefined || !validDate(year, month, day) || isAlnum(text.charCodeAt(start - 1))) return;
  const ctx = contextOf(text, start, ye);
  if (!ctx.nearest.includes('birth_date') || ctx.negative) return;
  out.push({ type: 'birth_date', start, end: ye, confidence: 'medium' });
}

// ── the whole ───────────────────────────────────────────────────────────────

/**
 * Finds personal data in free text: spans with their type and confidence,
 * sorted, never overlapping (where two finds overlap, the surer one, then the
 * longer one, stays). Linear in the length of the text; never throws on a string.
 *
 * @example
 * ```ts
 * detectPII('Meu CPF é 529.982.247-25, cartão 4111 1111 1111 1111, zap (11) 91234-5678');
 * // [ { type: 'cpf', start: 10, end: 24, confidence: 'high' },
 * //   { type: 'card', start: 33, end: 52, confidence: 'high' },
 * //   { type: 'phone', start: 58, end: 73, confidence: 'medium' } ]
 * ```
 */
export function detectPII(text: string, options: DetectOptions = {}): PiiSpan[] {
  if (typeof text !== 'string') throw new PurposefulError('PF_INPUT_INVALID', 'detectPII() takes a string');
  const threshold = RANK[options.threshold ?? 'low'];
  if (threshold === undefined) throw new PurposefulError('PF_OPTIONS_INVALID', 'threshold must be low, medium or high');
  const only = options.types ? new Set(options.types) : undefined;
  if (only)
    for (const t of only)
      if (!PII_TYPES.includes(t)) throw new PurposefulError('PF_OPTIONS_INVALID', `unknown PII type "${String(t)}"`);
  const found: Found[] = [];
  scanBrCodes(text, found);
  scanEmails(text, found);
  scanTokens(text, found);
  scanIpv6(text, found);
  scanNumbers(text, found);
  const kept = found.filter((f) => RANK[f.confidence] >= threshold && (!only || only.has(f.type)));
  return settle(text, kept);
}

/** Sorted, non-overlapping spans; each extended over the combining marks that follow it. */
function settle(text: string, found: Found[]): PiiSpan[] {
  if (found.length === 0) return [];
  if (found.length > 1) found.sort((x, y) => x.start - y.start || y.end - x.end);
  const out: Found[] = [];
  for (const f of found) {
    while (f.end < text.length && isMark(text.charCodeAt(f.end))) f.end++;
    const prev = out[out.length - 1];
    if (prev && f.start < prev.end) {
      const better = RANK[f.confidence] - RANK[prev.confidence] || f.end - f.start - (prev.end - prev.start);
      if (better > 0) out[out.length - 1] = f;
      continue;
    }
    out.push(f);
  }
  // the finds themselves, no longer touched here: readonly to the caller by their type
  return out;
}
