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
 * @category PII in text
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
  /** The separator as a shape writes it: `sep` trimmed, or `' '` where that leaves nothing (see {@link shapeOf}). */
  readonly mark: string;
}

/** Reads the runs of digit groups and hands each run to `evaluate`. Linear: each character is looked at a bounded number of times. */
function scanNumbers(text: string, out: Found[], keep: Keep, taken: readonly Found[]): void {
  const n = text.length;
  let i = 0;
  let t = 0; // the next of the other families' finds
  while (i < n) {
    // the next digit is found by the regular-expression engine's native search (one character class: nothing to backtrack)
    NEXT_DIGIT.lastIndex = i;
    if (!NEXT_DIGIT.test(text)) return;
    i = NEXT_DIGIT.lastIndex - 1;
    // what an IBAN, a CNPJ with letters, a UUID, a PIX code or an IPv6 address holds is theirs: runs stop at them
    while (t < taken.length && (taken[t] as Found).end <= i) t++;
    const next = taken[t];
    if (next !== undefined && next.start <= i) {
      i = next.end;
      continue;
    }
    let limit = next === undefined ? n : next.start;
    // an alphanumeric CNPJ's first digits may be the last of a number typed before it ("…1322 3416DE36607042…": its
    // check digits can pass by chance where an IBAN is glued to a card): the run reads them too, and settle shares them
    if (next !== undefined && next.type === 'cnpj') while (limit < next.end && isDigit(text.charCodeAt(limit))) limit++;
    // first the run's extent, without building anything
    let j = i;
    let digitCount = 0;
    let groupCount = 0;
    for (;;) {
      const gs = j;
      while (j < limit && isDigit(text.charCodeAt(j))) j++;
      digitCount += j - gs;
      groupCount++;
      let k = j;
      while (k < limit && k - j < 2 && isSep(text.charCodeAt(k))) k++;
      if (k > j && k < limit && isDigit(text.charCodeAt(k))) {
        j = k;
        continue;
      }
      break;
    }
    // short numbers ("2 itens", "R$ 50") are nothing: only 6 digits or more, or four groups (an IPv4), are looked at
    if (digitCount >= 6 || groupCount >= 4) {
      // glued to a kept find of another family, with nothing between: fail closed (see Keep.lift)
      const before = t > 0 ? taken[t - 1] : undefined;
      // glued: nothing between, or one separator of those inside identifiers ("…4250-0664GB24…")
      const to =
        before !== undefined && gluedAt(text, before.end, i) && kept(before, keep)
          ? before
          : next !== undefined && gluedAt(text, j, next.start) && kept(next, keep)
            ? next
            : undefined;
      const first = out.length;
      evaluateRun(
        text,
        groupsOf(text, i, j),
        out,
        to !== undefined && keep.threshold > RANK.low ? liftedKeep(keep) : keep,
        taken,
      );
      // a run glued to a find, or to letters, where what is found does not cover every digit: the text cannot tell where
      // one identifier ends and the next starts ("…0445533:8caf:…" is a phone and an address sharing digits,
      // "+55 (62) 5453-7522770M19…" a phone and a CNPJ): fail closed, the whole run is redacted as one stretch
      if (
        (to !== undefined || isAlnum(text.charCodeAt(i - 1)) || isAlnum(text.charCodeAt(j))) &&
        !covered(text, i, j, out, first)
      ) {
        let like: Found | undefined = to;
        for (let k = first; k < out.length; k++) {
          const f = out[k] as Found;
          if (like === undefined || RANK[f.confidence] > RANK[like.confidence]) like = f;
        }
        if (like !== undefined) {
          const fill: Found = { type: like.type, start: i, end: j, confidence: like.confidence };
          AMBIGUOUS.add(fill);
          out.push(fill);
        }
      }
    } else if (digitCount === 4 && groupCount === 1) writtenDate(text, i, j, out); // a year, perhaps of a birthday written out
    i = j;
  }
}

/**
 * Stretches redacted because the text cannot tell which identifier they belong
 * to: no mask or token of them is shown (see {@link foundPart}).
 */
const AMBIGUOUS = new WeakSet<PiiSpan>();

/** Whether `text[from, to)` is nothing, or one of the separators inside identifiers (`.`, `-`, `/`). */
function gluedAt(text: string, from: number, to: number): boolean {
  return to <= from || (to === from + 1 && inToken(text.charCodeAt(from), false));
}

/** Whether every digit of `text[from, to)` is inside one of `out[first…]` (sorted, not overlapping). */
function covered(text: string, from: number, to: number, out: readonly Found[], first: number): boolean {
  let f = first;
  for (let k = from; k < to; k++) {
    if (!isDigit(text.charCodeAt(k))) continue;
    while (f < out.length && (out[f] as Found).end <= k) f++;
    const g = out[f];
    if (g === undefined || g.start > k) return false;
  }
  return true;
}

const NO_FINDS: readonly Found[] = [];

/** Whether position `at` is inside one of `finds` (sorted by start, not overlapping). */
function within(finds: readonly Found[], at: number): boolean {
  let lo = 0;
  let hi = finds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((finds[mid] as Found).end <= at) lo = mid + 1;
    else hi = mid;
  }
  const f = finds[lo];
  return f !== undefined && f.start <= at;
}

/** Whether the caller keeps a find. */
function kept(f: Found, keep: Keep): boolean {
  return RANK[f.confidence] >= keep.threshold && (keep.only === undefined || keep.only.has(f.type));
}

/** The same caller's choice, reading everything and lifting it to the caller's threshold. */
function liftedKeep(keep: Keep): Keep {
  return { threshold: RANK.low, only: keep.only, lift: keep.threshold };
}

/** The groups of the run `text[from, to)` and the separators between them. */
function groupsOf(text: string, from: number, to: number): Group[] {
  const groups: Group[] = [];
  let sep = '';
  let j = from;
  while (j < to) {
    const gs = j;
    while (j < to && isDigit(text.charCodeAt(j))) j++;
    const trimmed = sep.trim();
    groups.push({ start: gs, end: j, sep, mark: trimmed === '' ? ' ' : trimmed });
    const k = j;
    while (j < to && !isDigit(text.charCodeAt(j))) j++;
    sep = text.slice(k, j);
  }
  return groups;
}

/** Separators between the groups of a run. */
const NON_DIGITS = /[^0-9]+/g;

/** The next digit, by the engine's native search (shared: detection is synchronous and never re-entered). */
const NEXT_DIGIT = /[0-9]/g;

/** The context of a run, read once and only when some sub-run validates. */
class RunContext {
  private ctx: Context | undefined;
  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly taken: readonly Found[] = NO_FINDS,
  ) {}
  private bits = -1;
  get(): Context {
    this.ctx ??= contextOf(this.text, this.start, this.end, this.taken.length === 0 ? undefined : (at) => within(this.taken, at));
    return this.ctx;
  }
  /** The digit counts the run's context words make worth trying (CEP, RG, dates), as a bit set. */
  contextBits(keep: Keep): number {
    if (this.bits < 0) {
      const ctx = this.get();
      let set = 0;
      if (keep.threshold <= RANK.low || ctx.positive.has('cep')) set |= 1 << 8;
      if (ctx.positive.has('rg')) set |= (1 << 8) | (1 << 9);
      if (ctx.nearest.includes('birth_date')) set |= (1 << 6) | (1 << 7) | (1 << 8);
      this.bits = set;
    }
    return this.bits;
  }
}

/**
 * Which finds the caller keeps (threshold and types), known before a run is
 * read: a find the caller would drop never hides one it keeps.
 */
interface Keep {
  readonly threshold: number;
  readonly only: ReadonlySet<PiiType> | undefined;
  /**
   * The confidence a find is lifted to (0: none). A run of digits glued to a
   * kept find of another family (no space between: "…-bb30d59ad6022221 7500
   * 3487 2183") is read at `low` and what it holds is kept at the caller's
   * threshold: the text cannot tell where the find ends and the next
   * identifier starts, so the words around it are not trusted to lower it.
   */
  readonly lift: number;
}

/** Room for the inner points ahead of the one being tried from (at most 19 digits ahead). */
const RING = 32;

/** The room the dynamic programme's arrays start with (and shrink back to after a huge run). */
const DP_ROOM = 1024;

/**
 * The state of the dynamic programme, reused from run to run (detection is
 * synchronous and never re-entered). At each group boundary, the best cover
 * of the run so far (its score and last step); at the points inside a group
 * that a candidate ends at, the same in a ring indexed by digit. Steps (a
 * find and the step before it, `-1`: none) live in a pool indexed by number:
 * typed arrays, so that a long run allocates no object per step and leaves
 * the garbage collector nothing to trace.
 */
const DP = {
  score: new Float64Array(DP_ROOM),
  step: new Int32Array(DP_ROOM),
  cum: new Int32Array(DP_ROOM),
  cutAt: new Int32Array(RING).fill(-1),
  cutScore: new Float64Array(RING),
  cutStep: new Int32Array(RING).fill(-1),
  /** Inner points not yet tried from, ascending. */
  pending: [] as number[],
  /** The step pool: the find of each step (its type and confidence by index, its span), and the step before it. */
  type: new Uint8Array(DP_ROOM),
  confidence: new Uint8Array(DP_ROOM),
  start: new Int32Array(DP_ROOM),
  end: new Int32Array(DP_ROOM),
  prev: new Int32Array(DP_ROOM),
  steps: 0,
};

/** The index of each type in {@link PII_TYPES}, and the confidences by rank. */
const TYPE_INDEX: ReadonlyMap<PiiType, number> = new Map(PII_TYPES.map((t, i) => [t, i]));
const BY_RANK: readonly Confidence[] = (['low', 'medium', 'high'] as const).reduce<Confidence[]>((all, c) => {
  all[RANK[c]] = c;
  return all;
}, []);

/** A new step of the pool: find `f` after step `prev`. */
function addStep(f: Found, prev: number): number {
  const id = DP.steps++;
  if (id >= DP.prev.length) {
    const room = DP.prev.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    DP.type = grow(DP.type, new Uint8Array(room));
    DP.confidence = grow(DP.confidence, new Uint8Array(room));
    DP.start = grow(DP.start, new Int32Array(room));
    DP.end = grow(DP.end, new Int32Array(room));
    DP.prev = grow(DP.prev, new Int32Array(room));
  }
  DP.type[id] = TYPE_INDEX.get(f.type) as number;
  DP.confidence[id] = RANK[f.confidence];
  DP.start[id] = f.start;
  DP.end[id] = f.end;
  DP.prev[id] = prev;
  return id;
}

/**
 * Reads a run of digit groups. Every stretch of at most 19 digits that
 * validates at the kept threshold is a candidate, and the candidates reported
 * are those that together cover the most digits (then the fewest spans, then
 * the surest), chosen by dynamic programming over the run: two identifiers
 * typed one after the other are both found, whatever validates across them.
 *
 * A candidate may start or end inside a group only where another kept
 * candidate continues it, so that identifiers typed with nothing between them
 * ("529.982.247-254111 1111 1111 1111") are split where their check digits
 * say, while a long number is never cut into a piece that validates by
 * chance and a rest that is nothing. Linear: at most 19 ends are tried from
 * each group start and each such point, fewer where the first digits rule
 * types out (see {@link lengthsFrom}).
 */
function evaluateRun(text: string, groups: readonly Group[], out: Found[], keep: Keep, taken: readonly Found[]): void {
  const m = groups.length;
  // a run glued to letters at either end has no known shape (its last group may end inside the next identifier)
  const glued =
    isAlnum(text.charCodeAt((groups[0] as Group).start - 1)) || isAlnum(text.charCodeAt((groups[m - 1] as Group).end));
  if (!glued && mistyped(text, groups)) return;
  if (m > 4 && dottedChain(text, groups, out, keep)) return;
  const run = new RunContext(text, (groups[0] as Group).start, (groups[m - 1] as Group).end, taken);
  if (DP.cum.length < m + 1) {
    let room = DP.cum.length;
    while (room < m + 1) room *= 2;
    DP.score = new Float64Array(room);
    DP.step = new Int32Array(room);
    DP.cum = new Int32Array(room);
  }
  DP.steps = 0;
  const { score, step, cum, pending, cutAt, cutScore, cutStep } = DP;
  pending.length = 0;
  cutAt.fill(-1);
  // digit offsets of the groups, and the run's digits
  cum[0] = 0;
  for (let k = 0; k < m; k++) {
    const g = groups[k] as Group;
    cum[k + 1] = (cum[k] as number) + g.end - g.start;
    score[k + 1] = -1;
  }
  // one flat string (a concatenation of many slices would be a rope, slow to slice); the class has nothing to backtrack
  const all =
    m === 1
      ? text.slice((groups[0] as Group).start, (groups[0] as Group).end)
      : text.slice((groups[0] as Group).start, (groups[m - 1] as Group).end).replace(NON_DIGITS, '');
  score[0] = 0;
  step[0] = -1;
  // the run's first group glued to a letter before it ("…7O12027088123642 0338 9108 78"): the text cannot tell where a
  // number starts in it, so one that runs past it may start at any of its last 18 digits (the rest is glued to what
  // is before, and redacted with it: see glue)
  const g0 = groups[0] as Group;
  if (isAlnum(text.charCodeAt(g0.start - 1)) && m > 1) {
    for (let p = Math.max(1, glen(g0) - (MAX_DIGITS - 1)); p < glen(g0); p++) {
      cutAt[p % RING] = p;
      cutScore[p % RING] = 0;
      cutStep[p % RING] = -1;
      pending.push(p);
    }
  }
  for (let k = 0; k <= m; k++) {
    // the inner points of the group before this boundary, in order (each is reached only by a candidate ending there)
    while (pending.length > 0 && (pending[0] as number) < (cum[k] as number)) {
      const p = pending.shift() as number;
      const r = p % RING;
      // a start in a glued first group that no find ends at (its slot may since hold a point 32 digits before it)
      const reached = cutAt[r] === p;
      tryFrom(
        text,
        groups,
        all,
        run,
        keep,
        k - 1,
        p,
        reached ? (cutScore[r] as number) : 0,
        reached ? (cutStep[r] as number) : -1,
      );
    }
    if (k === m) break;
    // leaving group k uncovered: the cover up to the next boundary is at least this one
    if ((score[k] as number) >= (score[k + 1] as number)) {
      score[k + 1] = score[k] as number;
      step[k + 1] = step[k] as number;
    }
    tryFrom(text, groups, all, run, keep, k, cum[k] as number, score[k] as number, step[k] as number);
  }
  const first = out.length;
  for (let s = step[m] as number; s >= 0; s = DP.prev[s] as number)
    out.push({
      type: PII_TYPES[DP.type[s] as number] as PiiType,
      start: DP.start[s] as number,
      end: DP.end[s] as number,
      confidence: BY_RANK[DP.confidence[s] as number] as Confidence,
    });
  // pushed from the last: put this run's finds in order
  for (let i = first, j = out.length - 1; i < j; i++, j--) {
    const t = out[i] as Found;
    out[i] = out[j] as Found;
    out[j] = t;
  }
  if (m > 4096 || DP.steps > 4096) {
    // a huge run's state is not kept alive
    DP.score = new Float64Array(DP_ROOM);
    DP.step = new Int32Array(DP_ROOM);
    DP.cum = new Int32Array(DP_ROOM);
    DP.type = new Uint8Array(DP_ROOM);
    DP.confidence = new Uint8Array(DP_ROOM);
    DP.start = new Int32Array(DP_ROOM);
    DP.end = new Int32Array(DP_ROOM);
    DP.prev = new Int32Array(DP_ROOM);
  }
}

/**
 * A chain of more than four small numbers joined by single dots ("108.166.49.210.199.52.76.106"): only network
 * addresses are typed so (or a version, an OID), and the text cannot tell where one address ends and the next
 * starts. Fail closed: where four of them in a row are an address, the whole chain is one find, shown by its label
 * only. Linear, and one find however long the chain.
 */
function dottedChain(text: string, groups: readonly Group[], out: Found[], keep: Keep): boolean {
  const m = groups.length;
  let valid = 0; // octets in a row so far
  let at = -1;
  for (let k = 0; k < m; k++) {
    const g = groups[k] as Group;
    if ((k > 0 && g.sep !== '.') || glen(g) > 3) return false;
    const v = Number(text.slice(g.start, g.end));
    valid = v <= 255 && !(glen(g) > 1 && text.charCodeAt(g.start) === 48) ? valid + 1 : 0;
    if (valid >= 4 && at < 0) at = k - 3;
  }
  if (at < 0) return false; // no four octets in a row: addresses glued in a group ("…84.392.186…"), or nothing
  const all = text.slice((groups[at] as Group).start, (groups[at + 3] as Group).end).replace(NON_DIGITS, '');
  const run = new RunContext(text, (groups[0] as Group).start, (groups[m - 1] as Group).end);
  const f = classify(text, groups, at, 0, at + 3, -1, all, 0, all.length, run, keep);
  if (f === undefined) return false;
  f.start = (groups[0] as Group).start;
  f.end = (groups[m - 1] as Group).end;
  AMBIGUOUS.add(f);
  out.push(f);
  return true;
}

/** Tries the candidates of up to 19 digits starting at digit `p` (in group `a`), after a cover scoring `base`. */
function tryFrom(
  text: string,
  groups: readonly Group[],
  all: string,
  run: RunContext,
  keep: Keep,
  a: number,
  p: number,
  base: number,
  prev: number,
): void {
  const { score, step, cum, pending, cutAt, cutScore, cutStep } = DP;
  const m = groups.length;
  const total = cum[m] as number;
  const other = lengthsFrom(all, p, run, keep);
  const cardOnly = cardIssuerAt(all, p) ? DIGIT_COUNTS_CARD & ~other : 0;
  let lengths = other | cardOnly;
  // an IPv4 address: four dotted groups from here (the last may end inside its group, glued to what follows)
  if (a + 3 < m && dotted(groups, a, a + 3)) {
    for (let len = (cum[a + 3] as number) + 1 - p; len <= (cum[a + 4] as number) - p && len <= MAX_DIGITS; len++)
      lengths |= 1 << len;
  }
  let b = a;
  for (let len = 1; len <= MAX_DIGITS; len++) {
    if ((lengths & (1 << len)) === 0) continue;
    const e = p + len;
    if (e > total) return;
    while ((cum[b + 1] as number) < e) b++;
    const whole = e === cum[b + 1];
    // a length only a card has, ending inside a group: only a card typed as cards are (see classify)
    if (
      !whole &&
      (cardOnly & (1 << len)) !== 0 &&
      a !== b &&
      !cardTyped(groups, a, p - (cum[a] as number), b, e - (cum[b] as number))
    )
      continue;
    const f = classify(text, groups, a, p - (cum[a] as number), b, whole ? -1 : e - (cum[b] as number), all, p, e, run, keep);
    if (f === undefined) continue;
    const s = base + len * 64 - 8 + RANK[f.confidence];
    // the run's last group glued to a letter ("…188-968A0WL9…"): the text cannot tell where the number ends, so a find may
    // end inside it and leave the rest, which is glued to it and redacted with it (see glue)
    let id = -1; // this step in the pool, added once and only when kept
    if (!whole && b === m - 1 && isAlnum(text.charCodeAt((groups[b] as Group).end)) && s > (score[m] as number)) {
      score[m] = s;
      id = addStep(f, prev);
      step[m] = id;
    }
    if (whole) {
      if (s > (score[b + 1] as number)) {
        score[b + 1] = s;
        if (id < 0) id = addStep(f, prev);
        step[b + 1] = id;
      }
    } else {
      const r = e % RING;
      if (cutAt[r] !== e) {
        cutAt[r] = e;
        let i = pending.length;
        while (i > 0 && (pending[i - 1] as number) > e) i--;
        pending.splice(i, 0, e);
        cutScore[r] = s;
        if (id < 0) id = addStep(f, prev);
        cutStep[r] = id;
      } else if (s > (cutScore[r] as number)) {
        cutScore[r] = s;
        if (id < 0) id = addStep(f, prev);
        cutStep[r] = id;
      }
    }
  }
}

const DIGIT_COUNTS_ALWAYS = (1 << 11) | (1 << 12) | (1 << 14); // CPF, PIS, CNH; título; CNPJ
const DIGIT_COUNTS_CARD = 0b11111111 << 12; // 12–19
const dv = (s: string, i: number): number => s.charCodeAt(i) - 48;

/**
 * The digit counts worth trying from digit `p` for the types other than
 * cards (those need an issuer prefix: see `tryFrom`), as a bit set: what the
 * first digits and the run's context words leave possible (a phone needs a
 * valid area code and its third digit, RG, CEP and dates their word). Only
 * saves work: `classify` checks everything again.
 */
function lengthsFrom(all: string, p: number, run: RunContext, keep: Keep): number {
  let set = DIGIT_COUNTS_ALWAYS | run.contextBits(keep);
  const d0 = dv(all, p);
  const d1 = dv(all, p + 1);
  if (DDD[d0 * 10 + d1] === 1) {
    const d2 = dv(all, p + 2);
    if (d2 === 9) set |= 1 << 11;
    if (d2 >= 2 && d2 <= 5) set |= 1 << 10;
  }
  if (d0 === 5 && d1 === 5 && DDD[dv(all, p + 2) * 10 + dv(all, p + 3)] === 1) {
    const d4 = dv(all, p + 4);
    if (d4 === 9) set |= 1 << 13;
    if (d4 >= 2 && d4 <= 5) set |= 1 << 12;
  }
  return set;
}

/** The Brazilian area codes, by value (1 where valid). */
const DDD = (() => {
  const t = new Uint8Array(100);
  for (const d of BRAZILIAN_DDDS) t[Number(d)] = 1;
  return t;
})();

/** {@link cardIssuer} on the digits of `s` from `p`, without slicing. */
function cardIssuerAt(s: string, p: number): boolean {
  const c = dv(s, p);
  if (c === 4) return true;
  const two = c * 10 + dv(s, p + 1);
  if (two < 0 || two > 99) return false;
  const four = two * 100 + dv(s, p + 2) * 10 + dv(s, p + 3);
  return (
    (two >= 50 && two <= 55) ||
    (four >= 2221 && four <= 2720) ||
    two === 34 ||
    two === 35 ||
    two === 36 ||
    two === 37 ||
    two === 38 ||
    (four >= 3000 && four <= 3059) ||
    two === 60 ||
    two === 62 ||
    two === 63 ||
    two === 64 ||
    two === 65
  );
}

/** Whether groups a..b are joined by single dots. */
function dotted(groups: readonly Group[], a: number, b: number): boolean {
  for (let k = a + 1; k <= b; k++) if ((groups[k] as Group).sep !== '.') return false;
  return true;
}

/** Whether a digit string is a Brazilian phone number, and whether it carries the country code. */
function phoneShape(d: string): 'mobile' | 'landline' | undefined {
  const o = d.length >= 12 ? 2 : 0;
  if (DDD[dv(d, o) * 10 + dv(d, o + 1)] !== 1) return undefined;
  const local = d.length === 13 || d.length === 12 ? (d.startsWith('55') ? d.slice(2) : undefined) : d;
  if (local === undefined || !BRAZILIAN_DDDS.has(local.slice(0, 2))) return undefined;
  if (local.length === 11 && local[2] === '9') return 'mobile';
  if (local.length === 10 && local[2] !== undefined && local[2] >= '2' && local[2] <= '5') return 'landline';
  return undefined;
}

const glen = (g: Group): number => g.end - g.start;

/**
 * Whether groups a..b are only part of a longer number typed the same way
 * ("4011 9856 5087 2825" whose 16 digits fail Luhn: its first 12 pass it one
 * time in ten). The groups of four around them with the same separator, within
 * a card's length, would be the card: a part of it is not one. Numbers typed
 * alike back to back (more than 19 digits together) are several.
 */
function partOfLongerCard(groups: readonly Group[], a: number, b: number, len: number): boolean {
  if (a === b) return false;
  const inner = (groups[a + 1] as Group).sep;
  let total = len;
  for (let k = a; k > 0 && total <= MAX_DIGITS; k--) {
    if ((groups[k] as Group).sep !== inner || glen(groups[k - 1] as Group) !== 4) break;
    // a group joined to the one before it otherwise ("02/10/1948 3477 …") ends another number: it starts no card
    if (k > 1 && (groups[k - 1] as Group).sep !== inner) break;
    total += 4;
  }
  for (let k = b + 1; k < groups.length && total <= MAX_DIGITS; k++) {
    const g = groups[k] as Group;
    if (g.sep !== inner || glen(groups[k - 1] as Group) !== 4 || glen(g) > 4) break;
    // a shorter group is a card's last only where nothing typed otherwise follows it ("… 3858 55.807.147/…" is a CNPJ)
    const then = groups[k + 1];
    if (glen(g) < 4 && then !== undefined && then.sep !== inner) break;
    total += glen(g);
  }
  return total > len && total <= MAX_DIGITS;
}

/**
 * Whether groups a..b (the first from digit `oa`, the last up to digit `ob`) are typed as a card is: groups of
 * four, the last one possibly shorter (a card glued to what follows, or between two glued numbers).
 */
function cardTyped(groups: readonly Group[], a: number, oa: number, b: number, ob: number): boolean {
  if (ob > 4 || a === b) return false;
  if (glen(groups[a] as Group) - oa !== 4) return false;
  for (let k = a + 1; k < b; k++) if (glen(groups[k] as Group) !== 4) return false;
  return true;
}

/** Card numbers start with a known issuer prefix (Visa, Mastercard, Amex, Elo, Hipercard, Diners, Discover, JCB). */
function cardIssuer(d: string): boolean {
  const c = d.charCodeAt(0) - 48;
  if (c === 4) return true; // Visa, and most Elo ranges
  const two = c * 10 + d.charCodeAt(1) - 48;
  const four = two * 100 + (d.charCodeAt(2) - 48) * 10 + d.charCodeAt(3) - 48;
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
 * What the digits `all[p, e)` are, if anything: groups a..b, the first from
 * digit `oa` of its group, the last up to digit `ob` of its group (`-1`: to
 * its end). Checksum types first, then phones, CEP, RG, cards, IPv4 and
 * dates, with the context words deciding between types that validate alike
 * and lifting pattern-only finds; only what the caller keeps is returned.
 */
function classify(
  text: string,
  groups: readonly Group[],
  a: number,
  oa: number,
  b: number,
  ob: number,
  all: string,
  p: number,
  e: number,
  run: RunContext,
  keep: Keep,
): Found | undefined {
  const first = groups[a] as Group;
  const last = groups[b] as Group;
  let start = first.start + oa;
  let end = ob < 0 ? last.end : last.start + ob;
  const whole = oa === 0 && ob < 0;
  const len = e - p;
  const cands = CANDIDATES;
  if (cands.length !== 0) cands.length = 0;
  let shape: string | undefined;

  // IPv4: four dotted groups of 1–3 digits, each ≤ 255; the first may be the end of a group, glued to an identifier
  // before it. In a longer chain of small dotted numbers (two addresses joined by '.', or a version, an OID) the text
  // cannot tell where an address starts: fail closed, the chain is covered (the rest of it is glued to the find)
  if (b - a === 3 && dotted(groups, a, b)) {
    let ok = true;
    for (let k = a; k <= b && ok; k++) {
      const g = groups[k] as Group;
      const v = text.slice(k === a ? start : g.start, k === b ? end : g.end);
      if (v.length > 3 || Number(v) > 255 || (v.length > 1 && v[0] === '0')) ok = false;
    }
    if (ok) cands.push(CAND.ipv4_medium);
  }
  if (len < 6)
    return cands.length === 0 ? undefined : choose(cands, run.get(), typicalOf(groups, a, oa, b, ob), start, end, keep);

  // glued to what follows (ending inside a group), a number is split off only as it is typed: unbroken, or in a shape
  // its type is written in (cards and phones are checked below)
  if (ob >= 0 && a !== b && !(b - a === 3 && dotted(groups, a, b))) {
    const c = text.charCodeAt(start - 1);
    if (c !== 43 && c !== 40 && !cardTyped(groups, a, oa, b, ob)) {
      // GLUED_SHAPES.has(shapeOf(…)), without writing the shape out
      if ((GLUED_LENGTHS & (1 << len)) === 0 || !gluedShape(groups, a, oa, b, ob)) return undefined;
    }
  }
  const d = all.slice(p, e);
  if (len === 11) {
    if (isCpf(d)) cands.push(CAND.cpf_high);
    if (isPis(d)) cands.push(CAND.pis_high);
    if (isCnh(d)) cands.push(CAND.cnh_high);
  }
  if (len === 14 && isCnpj(d)) cands.push(CAND.cnpj_high);
  if (len === 12 && isTituloEleitor(d)) cands.push(CAND.titulo_eleitor_high);
  // glued to what follows (ending inside a group), a card is one typed as cards are: unbroken, or in groups of four
  if (
    len >= 12 &&
    cardIssuer(d) &&
    (ob < 0 || a === b || cardTyped(groups, a, oa, b, ob)) &&
    luhn(d) &&
    !(whole && partOfLongerCard(groups, a, b, len))
  )
    cands.push(CAND.card_high);

  const phone = len >= 10 && len <= 13 ? phoneShape(d) : undefined;
  const plus = phone !== undefined && text.charCodeAt(start - 1) === 43; // +
  const paren = phone !== undefined && text.charCodeAt(start - 1) === 40 && text.charCodeAt(first.end) === 41; // (11)
  // glued to what follows, a phone is one written as phones are: after + or with its area code in parentheses
  if (phone && (ob < 0 || plus || paren)) {
    shape ??= shapeOf(groups, a, oa, b, ob);
    const formatted = b > a && !shape.includes('/') && !shape.includes('.');
    if (plus) start--;
    else if (paren) start--;
    cands.push(plus || paren || (formatted && len >= 10) ? CAND.phone_medium : CAND.phone_low);
  }
  if (len === 8 && b - a <= 2) {
    shape ??= shapeOf(groups, a, oa, b, ob);
    if (shape === '5-3' || shape === '8' || shape === '2.3-3') cands.push(CAND.cep_low);
  }
  // a São Paulo RG: 8 digits and a check digit (or X)
  if (len === 9 && isRgSp(d)) cands.push(CAND.rg_medium);
  // the check letter may be glued to what follows in upper case or digits ("…507-XFR80…"): fail closed, not lower case
  if (len === 8 && (text[end] === '-' || text[end] === ' ') && (text[end + 1] === 'X' || text[end + 1] === 'x')) {
    if (isRgSp(`${d}X`) && !isLower(text.charCodeAt(end + 2))) {
      end += 2;
      cands.push(CAND.rg_medium);
    }
  } else if (len === 8 && (text[end] === 'X' || text[end] === 'x') && !isLower(text.charCodeAt(end + 1)) && isRgSp(`${d}X`)) {
    end += 1;
    cands.push(CAND.rg_medium);
  }
  if (len <= 8 && b - a === 2) shape ??= shapeOf(groups, a, oa, b, ob);
  if (len <= 8 && b - a === 2 && shape !== undefined && DATE_SHAPES.has(shape)) {
    const s = shape;
    let y: number;
    let mo: number;
    let day: number;
    if (s.startsWith('4')) {
      y = Number(d.slice(0, 4));
      mo = Number(d.slice(4, 6));
      day = Number(d.slice(6));
    } else {
      const l0 = glen(first) - oa;
      const l1 = glen(groups[a + 1] as Group);
      day = Number(d.slice(0, l0));
      mo = Number(d.slice(l0, l0 + l1));
      y = Number(d.slice(l0 + l1));
    }
    if (validDate(y, mo, day) && !nextToTime(text, start, end)) cands.push(CAND.birth_date_low);
  }
  if (cands.length === 0) return undefined;
  return choose(cands, run.get(), typicalOf(groups, a, oa, b, ob), start, end, keep);
}

/** The shapes a number glued to what follows is split off in: the formats of CPF, CNPJ, PIS, título, RG, CEP and dates. */
const GLUED_SHAPES: ReadonlySet<string> = new Set([
  '3.3.3-2',
  '2.3.3/4-2',
  '3.5.2-1',
  '4 4 4',
  '2.3.3-1',
  '5-3',
  '2.3-3',
  ...DATE_SHAPES,
]);

/** The digit counts of {@link GLUED_SHAPES} (a bit set), and their most groups. */
const GLUED_LENGTHS = (() => {
  let set = 0;
  for (const shape of GLUED_SHAPES) set |= 1 << shape.split(/[^0-9]+/).reduce((sum, n) => sum + Number(n), 0);
  return set;
})();

/** {@link GLUED_SHAPES} read back: the digit count of each part, and the mark before each part after the first. */
const GLUED_PARTS: ReadonlyArray<{ readonly counts: readonly number[]; readonly marks: readonly string[] }> = [
  ...GLUED_SHAPES,
].map((shape) => ({ counts: shape.split(/[^0-9]+/).map(Number), marks: shape.split(/[0-9]+/).slice(1, -1) }));

/**
 * Whether {@link shapeOf} of groups a..b is one of {@link GLUED_SHAPES}, compared part by part (a shape's marks hold
 * no digit, so two shapes are the same string exactly when their parts are the same): no string is built.
 */
function gluedShape(groups: readonly Group[], a: number, oa: number, b: number, ob: number): boolean {
  return shapeIn(GLUED_PARTS, groups, a, oa, b, ob) >= 0;
}

/** Which of `shapes` (read back as in {@link GLUED_PARTS}) {@link shapeOf} groups a..b is, by index (`-1`: none). */
function shapeIn(
  shapes: ReadonlyArray<{ readonly counts: readonly number[]; readonly marks: readonly string[] }>,
  groups: readonly Group[],
  a: number,
  oa: number,
  b: number,
  ob: number,
): number {
  const parts = b - a + 1;
  next: for (let i = 0; i < shapes.length; i++) {
    const shape = shapes[i] as { readonly counts: readonly number[]; readonly marks: readonly string[] };
    if (shape.counts.length !== parts) continue;
    for (let k = a; k <= b; k++) {
      const g = groups[k] as Group;
      if (k > a && g.mark !== shape.marks[k - a - 1]) continue next;
      if ((k === b && ob >= 0 ? ob : glen(g)) - (k === a ? oa : 0) !== shape.counts[k - a]) continue next;
    }
    return i;
  }
  return -1;
}

/** Digit counts as a shape writes them (the short ones, without converting). */
const COUNTS: readonly string[] = Array.from({ length: 20 }, (_, n) => String(n));

/** The candidate types of one stretch of digits (reused: detection is synchronous and never re-entered). */
const CANDIDATES: Array<Candidate> = [];

/** A type a stretch of digits validates as, and how sure that is by itself. */
type Candidate = readonly [PiiType, Confidence];

/** The candidates, made once (a stretch that validates allocates none). */
const CAND = {
  birth_date_low: ['birth_date', 'low'],
  card_high: ['card', 'high'],
  cep_low: ['cep', 'low'],
  cnh_high: ['cnh', 'high'],
  cnpj_high: ['cnpj', 'high'],
  cpf_high: ['cpf', 'high'],
  ipv4_medium: ['ipv4', 'medium'],
  phone_low: ['phone', 'low'],
  phone_medium: ['phone', 'medium'],
  pis_high: ['pis', 'high'],
  rg_medium: ['rg', 'medium'],
  titulo_eleitor_high: ['titulo_eleitor', 'high'],
} as const satisfies Record<string, Candidate>;

/** The shape of groups a..b as typed ("3.3.3-2"), the first from digit `oa`, the last up to digit `ob` (`-1`: whole). */
function shapeOf(groups: readonly Group[], a: number, oa: number, b: number, ob: number): string {
  let shape = '';
  for (let k = a; k <= b; k++) {
    const g = groups[k] as Group;
    if (k > a) shape += g.mark;
    const n = (k === b && ob >= 0 ? ob : glen(g)) - (k === a ? oa : 0);
    shape += n >= 0 && n < 20 ? COUNTS[n] : String(n);
  }
  return shape;
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
    if (k > 0) shape += g.mark;
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

/** The shapes of {@link TYPICAL} read back (as in {@link GLUED_PARTS}), and their types. */
const TYPICAL_PARTS = Object.keys(TYPICAL).map((shape) => ({
  counts: shape.split(/[^0-9]+/).map(Number),
  marks: shape.split(/[0-9]+/).slice(1, -1),
  type: TYPICAL[shape] as PiiType,
}));

/** `TYPICAL[shapeOf(…)]`, without writing the shape out. */
function typicalOf(groups: readonly Group[], a: number, oa: number, b: number, ob: number): PiiType | undefined {
  const i = shapeIn(TYPICAL_PARTS, groups, a, oa, b, ob);
  return i < 0 ? undefined : (TYPICAL_PARTS[i] as { readonly type: PiiType }).type;
}

/** Types found by their check digits. */
const CHECKED: ReadonlySet<PiiType> = new Set<PiiType>(['cpf', 'cnpj', 'cnh', 'pis', 'titulo_eleitor', 'card']);

function hasType(candidates: ReadonlyArray<Candidate>, type: PiiType): boolean {
  for (const c of candidates) if (c[0] === type) return true;
  return false;
}

/** Settles which of the types that validated the candidate is, and how sure that is. */
function choose(
  candidates: ReadonlyArray<Candidate>,
  ctx: Context,
  /** `TYPICAL` of the candidate's shape as typed. */
  typical: PiiType | undefined,
  start: number,
  end: number,
  keep: Keep,
): Found | undefined {
  // a number written the way only one type is written, that fails that type's check, is a mistyped one (or none):
  // it is not reported as another type that happens to validate
  if (typical !== undefined && CHECKED.has(typical) && !hasType(candidates, typical)) return undefined;
  // the closest word names a checked type this number is not ("cpf 529…-26"): what else it validates as is a coincidence
  let namesOther = false;
  if (ctx.nearest.length > 0) {
    let named = false;
    let checked = false;
    for (const t of ctx.nearest) {
      if (hasType(candidates, t)) named = true;
      if (CHECKED.has(t)) checked = true;
    }
    namesOther = !named && checked;
  }
  let bestType: PiiType | undefined;
  let bestConf: Confidence = 'low';
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
    // glued to a kept find: fail closed, whatever the words say
    if (RANK[conf] < keep.lift) conf = keep.lift >= RANK.high ? 'high' : 'medium';
    // what the caller drops never stands in for what it keeps
    if (RANK[conf] < keep.threshold || (keep.only !== undefined && !keep.only.has(type))) continue;
    // the type the words name wins, then the type the format says, then the surer one, then the list order
    const score = (ctx.nearest.includes(type) ? 200 : 0) + (spoken ? 100 : 0) + (typical === type ? 10 : 0) + RANK[conf];
    if (score > bestScore) {
      bestType = type;
      bestConf = conf;
      bestScore = score;
    }
  }
  if (bestType === undefined) return undefined;
  return { type: bestType, start, end, confidence: bestConf };
}

// ── e-mail ──────────────────────────────────────────────────────────────────

const isLocalChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; // . _ % + -
const isDomainChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 46;

function scanEmails(text: string, out: Found[]): void {
  let at = text.indexOf('@');
  // the left side of one address never reaches past the previous '@'; it may reach into the previous domain, where two
  // addresses are typed with nothing between ("…@gmail.comjoaobrown@uol.com.br": settle shares the overlap out)
  let floor = 0;
  while (at >= 0) {
    let s = at;
    while (s > floor && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && (text.charCodeAt(s) === 46 || text.charCodeAt(s) === 45)) s++; // no leading dot or dash
    let e = at + 1;
    while (e < text.length && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // a sentence's full stop
    e = domainEnd(text, at + 1, e);
    const next = text.indexOf('@', at + 1);
    if (s < at && e > at + 1 && (next < 0 || next >= e) && at - s <= 64) {
      out.push({ type: 'email', start: s, end: e, confidence: 'high' });
    }
    floor = at + 1;
    at = next;
  }
}

/**
 * The end of the longest valid domain in `text[from, to)`, or -1: the whole,
 * then up to each dot before (a number typed right after the address runs
 * into its domain: "…@example.org.358.153.797-43", "…@hotmail.com141.239…").
 */
function domainEnd(text: string, from: number, to: number): number {
  let e = to;
  for (let tries = 0; e > from && tries < 16; tries++) {
    const t = tldEnd(text, from, e);
    if (validDomain(text, from, t)) return t;
    e--;
    while (e > from && text.charCodeAt(e) !== 46) e--;
    while (e > from && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
  }
  return -1;
}

/**
 * Where a domain ends when its last label runs into something typed right
 * after it: a top-level label is letters in one case, so a digit, or upper
 * case after lower case, starts something else ("…@empresa.com.br3982…").
 */
function tldEnd(text: string, from: number, to: number): number {
  let dot = to - 1;
  while (dot > from && text.charCodeAt(dot) !== 46) dot--;
  if (dot <= from) return to;
  let k = dot + 1;
  const lower = isLower(text.charCodeAt(k));
  while (k < to && (lower ? isLower(text.charCodeAt(k)) : isUpper(text.charCodeAt(k)))) k++;
  return k - dot - 1 >= 2 ? k : to;
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
function scanTokens(text: string, out: Found[], after: ReadonlySet<number>): void {
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
    let hit = false;
    for (let k = w; k <= p; k++) {
      // only where a word starts, or right after a find, or where upper case follows a digit or lower case (an IBAN typed
      // right after something: "…-221BR63 4421…")
      if (
        k > w &&
        isAlnum(text.charCodeAt(k - 1)) &&
        !(isUpper(text.charCodeAt(k)) && !isUpper(text.charCodeAt(k - 1))) &&
        !(ibanStart(text, k) && !isUpper(text.charCodeAt(k - 2))) &&
        !after.has(k)
      )
        continue;
      const resume = wordCandidates(text, k, out);
      if (resume > k) {
        end = Math.max(end, resume);
        hit = true;
        break;
      }
    }
    // after a find, what follows it may be another identifier typed right after it; else the word is skipped
    if (!hit) {
      // upper case after a digit or lower case may start an IBAN typed right after a number ("…-221BR63 4421…"), and so
      // may an IBAN's shape after a letter that follows digits ("…507-XFR80 1837…": where the check letter ends is unknown)
      while (
        end < n &&
        isAlnum(text.charCodeAt(end)) &&
        !(
          isUpper(text.charCodeAt(end)) &&
          (!isUpper(text.charCodeAt(end - 1)) || (ibanStart(text, end) && !isUpper(text.charCodeAt(end - 2))))
        ) &&
        !after.has(end)
      )
        end++;
    }
    floor = end;
    i = end;
  }
}

/**
 * IBAN lengths of the countries in the ISO 13616 registry that Brazilian and
 * European support desks meet most: a known country's IBAN is tried at its
 * length first, so a number typed right after it is not read into it.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  BR: 29,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
};

/** Whether an IBAN may start at `k`: two upper-case letters and two digits. */
function ibanStart(text: string, k: number): boolean {
  return (
    isUpper(text.charCodeAt(k)) &&
    isUpper(text.charCodeAt(k + 1)) &&
    isDigit(text.charCodeAt(k + 2)) &&
    isDigit(text.charCodeAt(k + 3))
  );
}

/** Characters inside the identifiers `scanTokens` looks for: letters, digits, `.`, `/`, `-`. */
const isTokenChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 47 || c === 45;

/** Candidates starting at the word that starts at `w`; returns where scanning may resume. */
function wordCandidates(text: string, w: number, out: Found[]): number {
  const n = text.length;
  const c0 = text.charCodeAt(w);
  // IBAN: two letters, two digits, then letters and digits, in groups of four or not
  if (isUpper(c0) && isUpper(text.charCodeAt(w + 1)) && isDigit(text.charCodeAt(w + 2)) && isDigit(text.charCodeAt(w + 3))) {
    let compact = '';
    const ends: number[] = [];
    let group = 0; // characters since the last space: a printed IBAN is in groups of four, only its last one shorter
    let spaced = false;
    const fits: number[] = [];
    for (let k = w; k < n && compact.length < 34; k++) {
      const c = text.charCodeAt(k);
      if (c === 32 && k + 1 < n && isAlnum(text.charCodeAt(k + 1)) && k > w && text.charCodeAt(k - 1) !== 32) {
        if (group !== 4) break;
        group = 0;
        spaced = true;
        continue;
      }
      if (!isUpper(c) && !isDigit(c)) break;
      compact += text[k];
      ends.push(k + 1);
      group++;
      // where a printed IBAN may end: in a group, at most four characters in (spaced) — a longer group is its end glued
      // to a number typed right after it ("…3231 16278 1434 2747")
      if (group > 4 && spaced) fits.push(0);
      else fits.push(1);
    }
    // the registry's length for the country first (a number typed right after it is not read into it), then longest first
    const known = IBAN_LENGTHS[text.slice(w, w + 2)] ?? 0;
    // an IBAN followed by another's first four characters (country and check digits) is valid too, by the arithmetic of
    // the check (the same IBAN typed twice with nothing between): lengths that end in such a start are tried last
    for (let k = 2 * compact.length + 1; k >= 15; k--) {
      const late = k > compact.length + 1;
      const len = k === compact.length + 1 ? known : late ? k - compact.length - 1 : k;
      if (len < 15 || len > compact.length || (k !== compact.length + 1 && len === known)) continue;
      // a country in the registry has one length: any other would read a number typed after it into it, whenever the
      // check passes by chance across the join (1 in 97 per length tried)
      if (known !== 0 && len !== known) continue;
      if (fits[len - 1] !== 1) continue;
      const tail = (ends[len - 4] as number) - 1;
      if (late !== (len >= 19 && isDigit(text.charCodeAt(tail - 1)) && ibanStart(text, tail))) continue;
      const end = ends[len - 1] as number;
      // not in the middle of upper-case letters; a digit or lower case after it, or upper case after its last digit, is
      // something typed right after it
      if (isUpper(text.charCodeAt(end)) && isUpper(text.charCodeAt(end - 1))) continue;
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
    // the end of the word is not required: its check digits vouch for it, and what follows may be another identifier typed right after it
    if (w + len <= n && (formatted || isAlnum(text.charCodeAt(w + 13)))) {
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
  // a UUID, the form of a PIX random key (EVP): 8-4-4-4-12 hex digits, whatever is typed right after them
  if (
    w + 36 <= n &&
    text.charCodeAt(w + 8) === 45 &&
    text.charCodeAt(w + 13) === 45 &&
    text.charCodeAt(w + 18) === 45 &&
    text.charCodeAt(w + 23) === 45 &&
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

/** The longest IPv6 address read (an IPv4 tail included). */
const MAX_IPV6 = 45;

/**
 * IPv6 addresses around each colon. Where the token of hex digits, colons and
 * dots does not parse whole, its longest prefix that does is the address, and
 * what follows is something typed right after it ("…:6b05692.184.744-64",
 * "…:7b25.2001:db8::1"): glued to the find, it is redacted with it (see
 * {@link glue}). An address of three colons or more may touch letters on
 * either side (`…@uol.com.breadf:ba97:…`, `…:c70blucas@…`): fail closed.
 */
function scanIpv6(text: string, out: Found[]): void {
  const n = text.length;
  let floor = 0;
  let i = text.indexOf(':');
  while (i >= 0) {
    // the token of hex digits, colons and dots around this colon, at most an address long
    let s = i;
    while (s > floor && i - s < MAX_IPV6 && (isHex(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 58)) s--;
    let e = i;
    while (e < n && e - i < MAX_IPV6 && (isHex(text.charCodeAt(e)) || text.charCodeAt(e) === 58 || text.charCodeAt(e) === 46))
      e++;
    while (e > i && text.charCodeAt(e - 1) === 46) e--; // a full stop after it
    // more than four hex digits before the first colon: something typed right before the address ("…-162001:db8::1",
    // "…830E2001:db8::1"), which the address does not start in
    const colon = text.indexOf(':', s);
    if (colon - s > 4) s = colon - 4;
    let colons = 0;
    for (let k = s; k < e; k++) if (text.charCodeAt(k) === 58) colons++;
    // every address has two colons or more ("10:30" is a time)
    const end = colons >= 2 ? ipv6End(text, s, e) : -1;
    let found = false;
    if (end > 0) {
      colons = 0;
      for (let k = s; k < end; k++) if (text.charCodeAt(k) === 58) colons++;
      const prev = text.charCodeAt(s - 1);
      const after = text.charCodeAt(end);
      if (
        colons >= 3 ||
        ((!isAlnum(prev) || isDigit(prev)) && (!isAlnum(after) || isDigit(after)) && (end === e || after !== 58))
      ) {
        out.push({ type: 'ipv6', start: s, end, confidence: 'medium' });
        found = true;
        floor = end;
      }
    }
    if (!found) floor = Math.max(floor, i);
    i = text.indexOf(':', Math.max(found ? end : e, i + 1));
  }
}

/**
 * The end of the longest IPv6 address starting at `s` within `text[s, e)`, or
 * -1: the whole token first, then shorter ones, each ending at a group of at
 * most four hex digits (or at `::`).
 */
function ipv6End(text: string, s: number, e: number): number {
  for (let k = Math.min(e, s + MAX_IPV6); k > s + 1; k--) {
    const c = text.charCodeAt(k - 1);
    if (c === 58) {
      if (text.charCodeAt(k - 2) !== 58) continue;
    } else if (!isHex(c)) continue;
    else {
      let g = k - 1;
      while (g > s && isHex(text.charCodeAt(g - 1))) g--;
      // a group of more than four hex digits only as an IPv4 tail's end is not one; dotted tails are tried whole
      if (k - g > 4) continue;
    }
    if (isIpv6(text.slice(s, k))) return k;
  }
  return -1;
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
 * sorted, never overlapping. Identifiers typed next to each other are all
 * found: in a run of digits the finds that together cover the most digits are
 * kept, and where finds of two families overlap, the surer one (then the
 * longer one) stays whole and the other keeps what lies outside it. Finds
 * below `threshold` or outside `types` never hide those kept. Linear in the
 * length of the text; never throws on a string.
 *
 * @example
 * ```ts
 * detectPII('Meu CPF é 529.982.247-25, cartão 4111 1111 1111 1111, zap (11) 91234-5678');
 * // [ { type: 'cpf', start: 10, end: 24, confidence: 'high' },
 * //   { type: 'card', start: 33, end: 52, confidence: 'high' },
 * //   { type: 'phone', start: 58, end: 73, confidence: 'medium' } ]
 * ```
 * @category PII in text
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
  // a word may also start right after a PIX code (its CRC's hex digits run into what is typed after it)
  scanTokens(text, found, new Set(found.map((f) => f.end)));
  scanIpv6(text, found);
  // the numbers inside those are theirs; an e-mail's local part may hold a number that is one (settle shares them out)
  const taken = found.slice().sort((x, y) => x.start - y.start);
  scanEmails(text, found);
  scanNumbers(text, found, { threshold, only, lift: 0 }, taken);
  const kept = found.filter((f) => RANK[f.confidence] >= threshold && (!only || only.has(f.type)));
  return glue(text, settle(text, kept));
}

/**
 * The characters glued to a find: letters, digits, and the separators inside
 * identifiers (`.`, `-`, `/`, and `:` in a find that holds one) between two of
 * them, with no space anywhere. Where an identifier is typed right against
 * another ("…d9ad602185.234.228.33", "…-968A0WL91149680", a chain of dotted
 * numbers) and the text cannot tell where one ends, the find is extended over
 * the whole glued stretch up to the next find: fail closed, the stretch is
 * over-redacted rather than left with digits in clear. The part of a find that
 * was found as such is kept aside (see {@link foundPart}) for the `mask` and
 * `token` styles, which must not reveal a glued neighbour's digits.
 */
function glue(text: string, spans: Found[]): Found[] {
  const n = text.length;
  for (let i = 0; i < spans.length; i++) {
    const f = spans[i] as Found;
    const lo = i === 0 ? 0 : (spans[i - 1] as Found).end;
    const hi = i + 1 < spans.length ? (spans[i + 1] as Found).start : n;
    let colon = false;
    for (let k = f.start; k < f.end && !colon; k++) if (text.charCodeAt(k) === 58) colon = true;
    let s = f.start;
    while (s > lo) {
      const c = text.charCodeAt(s - 1);
      if (isAlnum(c)) s--;
      else if (s - 1 > lo && inToken(c, colon) && isAlnum(text.charCodeAt(s - 2))) s -= 2;
      else break;
    }
    // a glued stretch without a digit is a word ("meucpf52998224725obrigado"), not an identifier
    if (!hasDigit(text, s, f.start)) s = f.start;
    let e = f.end;
    while (e < hi) {
      const c = text.charCodeAt(e);
      if (isAlnum(c)) e++;
      else if (e + 1 < hi && inToken(c, colon) && isAlnum(text.charCodeAt(e + 1))) e += 2;
      else break;
    }
    if (!hasDigit(text, f.end, e)) e = f.end;
    if (s === f.start && e === f.end) continue;
    GLUED.set(f, [f.start, f.end]);
    f.start = s;
    f.end = pastMarks(text, e);
  }
  return spans;
}

function hasDigit(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (isDigit(text.charCodeAt(k))) return true;
  return false;
}

const inToken = (c: number, colon: boolean): boolean => c === 46 || c === 45 || c === 47 || (colon && c === 58);

/** The part of each extended find that was found as such (see {@link glue}): internal to redaction. */
const GLUED = new WeakMap<PiiSpan, readonly [number, number]>();

/**
 * The part of a span returned by {@link detectPII} that was found as an
 * identifier of its type, without what is glued to it: `[start, end)`; or
 * undefined where the whole span is a stretch the text cannot assign to one
 * identifier (only its label may be shown).
 *
 * @internal
 */
export function foundPart(span: PiiSpan): readonly [number, number] | undefined {
  if (AMBIGUOUS.has(span)) return undefined;
  return GLUED.get(span) ?? [span.start, span.end];
}

/**
 * Sorted, non-overlapping spans, each extended over the combining marks that
 * follow it. Where two finds overlap, the surer one (then the longer one)
 * stays whole and the other keeps what lies outside it, as a span of its own
 * type: nothing any detector found at the threshold is left out of every
 * span ("4111 1111 1111 1111.ana@example.com" is a card and an e-mail that
 * share "1111.", and neither goes out in clear).
 */
function settle(text: string, found: Found[]): PiiSpan[] {
  if (found.length === 0) return [];
  for (const f of found) f.end = pastMarks(text, f.end);
  if (found.length === 1) return found;
  const order = (x: Found, y: Found) => x.start - y.start || y.end - x.end;
  found.sort(order);
  const out: Found[] = [];
  const rest = new Rest(order); // the parts of finds that lost an overlap, still to place
  let i = 0;
  for (;;) {
    const next = found[i];
    const piece = rest.peek();
    let f: Found;
    if (next !== undefined && (piece === undefined || order(next, piece) <= 0)) {
      f = next;
      i++;
    } else if (piece !== undefined) f = rest.pop() as Found;
    else break;
    const prev = out[out.length - 1];
    if (prev === undefined || f.start >= prev.end) {
      out.push(f);
      continue;
    }
    const better = RANK[f.confidence] - RANK[prev.confidence] || f.end - f.start - (prev.end - prev.start);
    if (better > 0) {
      // f stays whole; prev keeps what lies before f, and what lies after f is placed later
      if (prev.end > f.end) rest.push(part(text, prev, f.end, prev.end));
      const head = part(text, prev, prev.start, f.start);
      if (head === undefined) out.pop();
      else out[out.length - 1] = head;
      out.push(f);
    } else if (f.end > prev.end) rest.push(part(text, f, prev.end, f.end));
  }
  // the finds themselves, no longer touched here: readonly to the caller by their type
  return out;
}

/** The end moved past the combining marks that follow it. */
function pastMarks(text: string, end: number): number {
  let e = end;
  while (e < text.length && isMark(text.charCodeAt(e))) e++;
  return e;
}

/**
 * What a find keeps of `text[from, to)`: without the separators at its edges;
 * nothing when no letter or digit is left. Its edges are edges of finds, so
 * they split no surrogate pair; the end is moved past combining marks again.
 */
function part(text: string, f: Found, from: number, to: number): Found | undefined {
  let s = from;
  let e = to;
  while (s < e && !isAlnum(text.charCodeAt(s))) s++;
  while (e > s && !isAlnum(text.charCodeAt(e - 1))) e--;
  if (s === e) return undefined;
  const piece = { type: f.type, start: s, end: pastMarks(text, e), confidence: f.confidence };
  if (AMBIGUOUS.has(f)) AMBIGUOUS.add(piece);
  return piece;
}

/** A binary heap of the parts still to place, in the order of the finds. */
class Rest {
  private readonly heap: Found[] = [];
  constructor(private readonly order: (x: Found, y: Found) => number) {}
  peek(): Found | undefined {
    return this.heap[0];
  }
  push(f: Found | undefined): void {
    if (f === undefined) return;
    const h = this.heap;
    h.push(f);
    let i = h.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.order(h[up] as Found, h[i] as Found) <= 0) break;
      [h[up], h[i]] = [h[i] as Found, h[up] as Found];
      i = up;
    }
  }
  pop(): Found | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.order(h[l] as Found, h[m] as Found) < 0) m = l;
        if (r < h.length && this.order(h[r] as Found, h[m] as Found) < 0) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i] as Found, h[m] as Found];
        i = m;
      }
    }
    return top;
  }
}
