/**
 * Generalizations a field may declare with `anonymize` (LGPD Art. 5 III, XI,
 * 12, 16 IV; GDPR Recital 26): the form it keeps in an anonymous copy of its
 * record when it leaves the record. Only forms that remove what identifies a
 * person are accepted; a form that leaves the person identifiable would be
 * pseudonymized data at most, still personal (LGPD Art. 13 §4; GDPR Art.
 * 4(5)), and is refused (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`).
 *
 * @module
 */
import { redactText } from '../detect/redact.js';
import { PII_TYPES } from '../detect/types.js';
import { ADDRESS_WORDS, foldWord, NAME_WORDS } from './name-words.js';

/**
 * Free text kept anonymized: what the text may keep is decided by a declared
 * vocabulary, never by what a detector happens to find (LGPD Art. 12).
 * - `redact: 'all'`: every identifier detector runs first, at the lowest
 *   confidence, and what they find becomes its label (`[CPF]`);
 * - `namesAndAddresses: 'keep-only-vocabulary'`: then every word that is not
 *   in `vocabulary` (a name, a street, a place, a word typed wrong), every
 *   digit and every other sign is suppressed; a run of them becomes one
 *   `[…]`. Only vocabulary words, labels, spaces and punctuation stay;
 * - `vocabulary`: the words that may stay, letters only (1–40 each, up to
 *   10,000 words), compared without case or accents. Common given names and
 *   surnames (`costa`, `rosa`, `lima`) and street-address words (`rua`,
 *   `avenida`) are refused;
 * - `residualRisk`: the controller's documented statement (40–2,000
 *   characters) of what could still lead back to a person and why it is
 *   acceptable, shown in the data map for review.
 *
 * @example
 * ```ts
 * const ticketText: FreeTextAnonymization = {
 *   redact: 'all',
 *   namesAndAddresses: 'keep-only-vocabulary',
 *   vocabulary: ['meu', 'boleto', 'cobrado', 'duas', 'vezes', 'cpf'],
 *   residualRisk: 'Only billing words and identifier labels stay; a rare complaint could be recognized by the agent who handled it.',
 * };
 * anonymizeValue(ticketText, 'Sou Ana, meu boleto foi cobrado duas vezes, CPF 529.982.247-25');
 * // '[…], meu boleto […] cobrado duas vezes, CPF [CPF]'
 * ```
 * @category Minimization
 */
export interface FreeTextAnonymization {
  readonly redact: 'all';
  readonly namesAndAddresses: 'keep-only-vocabulary';
  readonly vocabulary: readonly string[];
  readonly residualRisk: string;
}

/**
 * How a field is generalized into an anonymous copy when it leaves its record
 * (LGPD Art. 12, 16 IV). Each form is accepted only where it removes what
 * identifies a person:
 * - `{ buckets: [b1, …, bn] }` (numbers): the declared bucket the value falls
 *   in, `'<b1'`, `'[b1, b2)'`, …, `'>=bn'`: one of at most 21 declared
 *   labels, with open ends, so an outlier is never kept apart. Only for
 *   quantities: refused on identifier categories (`user.unique_id`,
 *   `user.government_id`, `user.financial.bank_account`, `user.contact`,
 *   `user.device`, …). Each bucket between two bounds must group: at least
 *   1/20 of the range from `b1` to `bn`, and between whole-number bounds at
 *   least two whole numbers wide;
 * - `{ keepFirst: n }` (strings): the first `n` characters, only of a code
 *   whose prefix is a coarser class: a CEP's first 5 digits
 *   (`user.contact.address.postal_code`: region to subsector; the last three
 *   name the street or building) and an ISO birth date's year
 *   (`user.demographic.date_of_birth`, at most 4). A value of `n` characters
 *   or fewer would be kept whole, and is dropped instead;
 * - `{ round: n }` (numbers): rounded down to a multiple of `n`, only for an
 *   age (`user.demographic.age_range`) in bands of 5 years or more;
 * - {@link FreeTextAnonymization} (free text only): a declared vocabulary.
 *
 * Suppression needs no form: a field without `anonymize` is deleted. Whether a
 * copy as a whole can single someone out (a rare postal code with a birth
 * year) is still the controller's judgement (the data map shows every
 * declaration for review). A value of another type is dropped.
 *
 * @example
 * ```ts
 * const birthDate = pd(z.iso.date(), {
 *   category: 'user.demographic.date_of_birth', purposes: ['support.ticket'],
 *   anonymize: { keepFirst: 4 } satisfies AnonymizeSpec, // the year stays in the statistics
 * });
 * const income = pd(z.number(), {
 *   category: 'user.financial', purposes: ['support.ticket'],
 *   anonymize: { buckets: [1000, 3000, 10000] } satisfies AnonymizeSpec, // '<1000', '[1000, 3000)', …, '>=10000'
 * });
 * ```
 * @category Minimization
 */
export type AnonymizeSpec =
  | { readonly keepFirst: number; readonly round?: never; readonly buckets?: never }
  | { readonly round: number; readonly keepFirst?: never; readonly buckets?: never }
  | { readonly buckets: readonly number[]; readonly keepFirst?: never; readonly round?: never }
  | FreeTextAnonymization;

/**
 * The longest prefix `keepFirst` may keep.
 *
 * @example
 * ```ts
 * isAnonymizeSpec({ keepFirst: MAX_KEEP_FIRST + 1 }); // false: defineSchema reports PF_DECL_ANONYMIZE_INVALID
 * ```
 * @category Minimization
 */
export const MAX_KEEP_FIRST = 32;

/**
 * The most bounds `buckets` may declare (at most one more label).
 *
 * @example
 * ```ts
 * isAnonymizeSpec({ buckets: Array.from({ length: MAX_BUCKETS + 1 }, (_, i) => i) }); // false: PF_DECL_ANONYMIZE_INVALID
 * ```
 * @category Minimization
 */
export const MAX_BUCKETS = 20;

/** The most words a free-text vocabulary may declare. */
const MAX_VOCABULARY = 10_000;
const WORD = /^[\p{L}\p{M}]{1,40}$/u;

/**
 * True when `spec` is an anonymization purposeful knows, with a valid
 * parameter. Whether it is anonymous for the field's category is checked by
 * `defineSchema` (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`).
 *
 * @example
 * ```ts
 * isAnonymizeSpec({ keepFirst: 4 }); // true
 * isAnonymizeSpec({ round: 0 });     // false: defineSchema reports PF_DECL_ANONYMIZE_INVALID
 * isAnonymizeSpec('redact');         // false: redacted text is not anonymous (PF_DECL_ANONYMIZE_NOT_ANONYMOUS)
 * ```
 * @category Minimization
 */
export function isAnonymizeSpec(spec: unknown): spec is AnonymizeSpec {
  return anonymizeSpecProblem(spec) === undefined;
}

/**
 * What is wrong with the shape of an `anonymize` declaration, or `undefined`.
 *
 * @internal
 */
export function anonymizeSpecProblem(spec: unknown): string | undefined {
  const forms =
    "anonymize must be { buckets: ascending numbers }, { keepFirst: 1–32 }, { round: a step from 0.000001, at most 6 decimals } or, for free text, { redact: 'all', namesAndAddresses: 'keep-only-vocabulary', vocabulary, residualRisk }";
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return `${forms}, not ${typeof spec === 'string' ? `'${spec.slice(0, 40)}'` : spec === null ? 'null' : typeof spec}`;
  }
  const keys = Object.keys(spec);
  const s = spec as Record<string, unknown>;
  if (keys.includes('redact') || keys.includes('vocabulary')) return freeTextProblem(s, keys);
  if (keys.length === 1 && keys[0] === 'keepFirst') {
    const n = s.keepFirst;
    if (Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= MAX_KEEP_FIRST) return undefined;
  } else if (keys.length === 1 && keys[0] === 'round') {
    if (decimalsOf(s.round) !== undefined) return undefined;
  } else if (keys.length === 1 && keys[0] === 'buckets') {
    const b = s.buckets;
    if (
      Array.isArray(b) &&
      b.length >= 1 &&
      b.length <= MAX_BUCKETS &&
      b.every((x, i) => typeof x === 'number' && Math.abs(x) <= Number.MAX_SAFE_INTEGER && (i === 0 || x > b[i - 1]))
    )
      return undefined;
    return `anonymize: buckets must be 1–${MAX_BUCKETS} finite numbers in ascending order`;
  }
  return `${forms}, not ${typeof spec}`;
}

function freeTextProblem(s: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const want = ['redact', 'namesAndAddresses', 'vocabulary', 'residualRisk'];
  const odd = keys.filter((k) => !want.includes(k));
  if (odd.length)
    return `anonymize: free text declares only ${want.join(', ')}, not ${odd.map((k) => k.slice(0, 40)).join(', ')}`;
  if (s.redact !== 'all') return "anonymize.redact must be 'all': every detector runs before the vocabulary";
  if (s.namesAndAddresses !== 'keep-only-vocabulary') {
    return "anonymize.namesAndAddresses must be 'keep-only-vocabulary': no other policy removes names and addresses typed in free text (a capitalized word test misses a name typed in lower case)";
  }
  const v = s.vocabulary;
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_VOCABULARY) {
    return `anonymize.vocabulary must list 1–${MAX_VOCABULARY.toLocaleString('en-US')} words`;
  }
  const bad = v.findIndex((w) => typeof w !== 'string' || !WORD.test(w.normalize('NFC')));
  if (bad >= 0) return `anonymize.vocabulary[${bad}] must be one word of 1–40 letters (no digit, space or sign)`;
  const risk = typeof s.residualRisk === 'string' ? s.residualRisk.trim().length : 0;
  if (risk < 40 || risk > 2000) {
    return 'anonymize.residualRisk must state, in 40–2,000 characters, what could still lead back to a person and why it is acceptable';
  }
  return undefined;
}

/** The decimals of a valid `round` step (0–6), or `undefined` when it is not one. */
function decimalsOf(n: unknown): number | undefined {
  if (typeof n !== 'number' || !(n >= 1e-6 && n <= Number.MAX_SAFE_INTEGER)) return undefined;
  for (let d = 0; d <= 6; d++) if (Math.round(n * 10 ** d) / 10 ** d === n) return d;
  return undefined;
}

/**
 * Codes whose prefix is a coarser class, and the longest prefix that is still
 * one (a child category, e.g. a custom `….postal_code.br`, counts too).
 */
const PREFIX_CODES: readonly { category: string; max: number; what: string }[] = [
  {
    category: 'user.contact.address.postal_code',
    max: 5,
    what: "a CEP's region, sub-region, sector, subsector and subsector divider (its last three digits name the street or building)",
  },
  { category: 'user.demographic.date_of_birth', max: 4, what: "an ISO date's year" },
];

/** Numbers that `round` generalizes into bands, and the narrowest band. */
const ROUND_BANDS: readonly { category: string; min: number; what: string }[] = [
  { category: 'user.demographic.age_range', min: 5, what: 'an age in bands of 5 years or more' },
];

const under = (category: string, key: string) => category === key || category.startsWith(`${key}.`);

/**
 * Why a valid spec does not remove what identifies a person in a field of
 * this category (LGPD Art. 12), or `undefined` when it does.
 *
 * @internal
 */
export function anonymityProblem(spec: unknown, category: string): string | undefined {
  if (spec === 'redact') {
    return "anonymize: 'redact' replaces only the identifiers the detectors find; names, addresses and other details typed in the text stay, so the text is still personal data (pseudonymized at most: LGPD Art. 13 §4; GDPR Art. 4(5)), not anonymous (LGPD Art. 12). Declare { redact: 'all', namesAndAddresses: 'keep-only-vocabulary', vocabulary, residualRisk }, or drop anonymize and the text is deleted";
  }
  if (!isAnonymizeSpec(spec)) return undefined; // a shape problem, reported as such
  if ('redact' in spec) {
    const names = spec.vocabulary.filter((w) => NAME_WORDS.has(foldWord(w)));
    const places = spec.vocabulary.filter((w) => ADDRESS_WORDS.has(foldWord(w)));
    if (!names.length && !places.length) return undefined;
    const list = (ws: string[]) => ws.slice(0, 10).join(', ') + (ws.length > 10 ? ', …' : '');
    return `anonymize.vocabulary keeps ${[
      names.length ? `words that are common names (${list(names)})` : '',
      places.length ? `words that open an address (${list(places)})` : '',
    ]
      .filter(Boolean)
      .join(' and ')}: a name or an address typed in the text would stay (LGPD Art. 12)`;
  }
  if (typeof spec.keepFirst === 'number') {
    const code = PREFIX_CODES.find((c) => under(category, c.category));
    if (!code) {
      return `anonymize: the first characters of a ${category || 'field'} can still identify a person (LGPD Art. 12): keepFirst is anonymous only for a postal code (at most 5) or a date of birth (at most 4); use { buckets } for a number, or drop anonymize and the value is deleted`;
    }
    if (spec.keepFirst > code.max) {
      return `anonymize: keepFirst: ${spec.keepFirst} keeps more than ${code.what}: at most ${code.max} is anonymous (LGPD Art. 12)`;
    }
    return undefined;
  }
  if (typeof spec.round === 'number') {
    const band = ROUND_BANDS.find((b) => under(category, b.category));
    if (!band) {
      return `anonymize: a ${category || 'field'} rounded to a step is not bounded to declared buckets, and can still identify a person (LGPD Art. 12): round is anonymous only for ${ROUND_BANDS.map((b) => b.what).join(', ')}; declare { buckets: […] } instead`;
    }
    if (spec.round < band.min) {
      return `anonymize: round: ${spec.round} is narrower than ${band.what}: at least ${band.min} is anonymous (LGPD Art. 12)`;
    }
    return undefined;
  }
  if (Array.isArray(spec.buckets)) return bucketsProblem(spec.buckets, category);
  return undefined;
}

/**
 * Categories whose values identify a person or an account by themselves: a
 * bucket of them is a range of identifiers, not a quantity, and a narrow one
 * is the identifier itself.
 */
const IDENTIFIER_CATEGORIES: readonly string[] = [
  'user.unique_id',
  'user.government_id',
  'user.financial.bank_account',
  'user.financial.credit_card',
  'user.payment',
  'user.contact',
  'user.device',
  'user.account',
  'user.authorization',
  'user.name',
  'user.biometric',
  'user.location.precise',
];

/** Why declared buckets keep a value that identifies a person (LGPD Art. 12), or `undefined` when they group. */
function bucketsProblem(b: readonly number[], category: string): string | undefined {
  const id = IDENTIFIER_CATEGORIES.find((c) => under(category, c));
  if (id !== undefined) {
    return `anonymize: buckets of a ${category} (under ${id}) are ranges of identifiers, and a narrow one keeps the identifier itself (LGPD Art. 12): buckets are anonymous only for quantities (amounts, scores, ages); drop anonymize and the value is deleted`;
  }
  // every bucket between two bounds groups: none narrower than 1/MAX_BUCKETS of the declared span, so none is
  // carved out around a single value among wide ones; and between whole-number bounds at least two whole numbers
  const span = (b.at(-1) as number) - (b[0] as number);
  for (let i = 1; i < b.length; i++) {
    const lo = b[i - 1] as number;
    const hi = b[i] as number;
    const width = hi - lo;
    if (width < span / MAX_BUCKETS) {
      return `anonymize: the bucket [${lo}, ${hi}) is narrower than 1/${MAX_BUCKETS} of the declared range [${b[0]}, ${b.at(-1)}]: a bucket carved that narrow can single out a value (LGPD Art. 12)`;
    }
    if (Number.isInteger(lo) && Number.isInteger(hi) && width < 2) {
      return `anonymize: the bucket [${lo}, ${hi}) holds a single whole number, which it keeps exactly (LGPD Art. 12): a bucket between whole-number bounds must hold at least two`;
    }
  }
  return undefined;
}

/**
 * The name of a spec in the data map: `keepFirst:4`, `round:10`,
 * `buckets:18,65`, `vocabulary:120` (a free-text vocabulary of 120 words).
 *
 * @example
 * ```ts
 * anonymizeName({ round: 10 }); // 'round:10'
 * ```
 * @category Minimization
 */
export function anonymizeName(spec: AnonymizeSpec): string {
  if ('redact' in spec) return `vocabulary:${new Set(spec.vocabulary.map((w) => w.normalize('NFC').toLowerCase())).size}`;
  if (typeof spec.keepFirst === 'number') return `keepFirst:${spec.keepFirst}`;
  if (typeof spec.round === 'number') return `round:${spec.round}`;
  return `buckets:${(spec.buckets ?? []).join(',')}`;
}

/**
 * The anonymized form of one value, or `undefined` when the spec does not
 * apply to its type (the value is then dropped, never kept as it was).
 *
 * @example
 * ```ts
 * anonymizeValue({ keepFirst: 5 }, '01310-100'); // '01310'
 * anonymizeValue({ keepFirst: 5 }, 'Ana');       // undefined: it would be kept whole
 * anonymizeValue({ round: 10 }, 37);            // 30
 * anonymizeValue({ round: 0.1 }, 0.35);         // 0.3
 * anonymizeValue({ buckets: [18, 65] }, 37);    // '[18, 65)'
 * anonymizeValue({ buckets: [18, 65] }, 104);   // '>=65'
 * anonymizeValue({ round: 10 }, '37');          // undefined: not a number
 * ```
 * @category Minimization
 */
export function anonymizeValue(spec: AnonymizeSpec, value: unknown): unknown {
  if ('redact' in spec) return typeof value === 'string' ? anonymizeText(spec, value) : undefined;
  if (typeof spec.keepFirst === 'number') {
    if (typeof value !== 'string') return undefined;
    // by code point: a cut never leaves half a surrogate pair
    const points = Array.from(value.slice(0, spec.keepFirst * 2 + 2));
    return points.length > spec.keepFirst ? points.slice(0, spec.keepFirst).join('') : undefined;
  }
  if (spec.buckets !== undefined) {
    const b = spec.buckets;
    if (typeof value !== 'number' || !Number.isFinite(value) || b.length === 0) return undefined;
    if (value < (b[0] as number)) return `<${b[0]}`;
    const i = b.findLastIndex((x) => value >= x);
    return i === b.length - 1 ? `>=${b[i]}` : `[${b[i]}, ${b[i + 1]})`;
  }
  const d = decimalsOf(spec.round);
  if (d === undefined || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // in integer steps of 10^-d: exact where binary fractions are not (0.3 / 0.1 is 2.9999999999999996)
  const scale = 10 ** d;
  const step = Math.round(spec.round * scale);
  const scaled = value * scale;
  // beyond 2^53 steps a double cannot tell multiples of the step apart: dropped, never kept as it was
  if (!(Math.abs(scaled) <= Number.MAX_SAFE_INTEGER)) return undefined;
  // the multiples are compared as the doubles they come out as, not as scaled values: `value * scale` is itself
  // rounded (-2098.523125 × 10^6 is -2098523125.0000002), and a result must come back unchanged when rounded again
  const multiple = (k: number) => (k * step) / scale;
  let q = Math.floor(scaled / step);
  while (multiple(q) > value) q -= 1;
  while (multiple(q + 1) <= value) q += 1;
  const r = multiple(q);
  return Object.is(r, -0) ? 0 : r;
}

/** The labels the detectors write (`[CPF]`): kept, they name a kind of identifier and nothing of its value. */
const LABELS = new Set(PII_TYPES.map((t) => `[${t.toUpperCase()}]`));
/** What a run of suppressed words, digits and signs becomes. */
const SUPPRESSED = '[…]';
/** A detector's label, a word, spaces and punctuation between words, or any other character. */
const TOKEN = /\[[A-Z0-9_]{2,16}\]|[\p{L}\p{M}]+|[\s.,;:!?¡¿()"'“”‘’\-–—/]+|[\s\S]/gu;
const SEPARATOR = /^[\s.,;:!?¡¿()"'“”‘’\-–—/]+$/u;
const vocabularies = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * Free text reduced to its declared vocabulary (LGPD Art. 12): the detectors'
 * labels first, then only vocabulary words and the labels stay, with the
 * spaces and punctuation between them; every other word, digit or sign is
 * suppressed, a run of them becoming one `[…]`. `undefined` when nothing of
 * the vocabulary is left.
 */
function anonymizeText(spec: FreeTextAnonymization, text: string): string | undefined {
  let words = vocabularies.get(spec.vocabulary);
  if (!words) {
    words = new Set(spec.vocabulary.map(foldWord));
    vocabularies.set(spec.vocabulary, words);
  }
  const redacted = redactText(text, { style: 'label', threshold: 'low' }).normalize('NFC');
  let out = '';
  let pending = '';
  let suppressed = false; // the last thing written is the suppression mark
  let kept = false;
  for (const [token] of redacted.matchAll(TOKEN)) {
    if (SEPARATOR.test(token)) {
      pending += token;
      continue;
    }
    const keep = LABELS.has(token) || (/^[\p{L}\p{M}]+$/u.test(token) && words.has(foldWord(token)));
    if (keep) {
      out += pending + token;
      kept = true;
      suppressed = false;
    } else if (!suppressed) {
      out += pending + SUPPRESSED;
      suppressed = true;
    }
    pending = '';
  }
  // spaces collapse: a run of them, or a line break, says nothing of the person and could shape a layout
  return kept ? (out + pending).replace(/\s+/g, ' ').trim() : undefined;
}
