/**
 * Generalizations a field may declare with `anonymize` (LGPD Art. 12, 16 IV;
 * GDPR Recital 26): the form it keeps in an anonymous copy of its record when
 * it leaves the record.
 *
 * @module
 */
import { redactText } from '../detect/redact.js';

/**
 * How a field is generalized into an anonymous copy when it leaves its record:
 * - `'redact'` (free text only): every identifier the detectors find is
 *   replaced by its label, at the lowest confidence;
 * - `{ keepFirst: n }` (strings): the first `n` characters, e.g. a CEP's
 *   5-digit region, a birth date's year (`keepFirst: 4`); a value of `n`
 *   characters or fewer would be kept whole, and is dropped instead;
 * - `{ round: n }` (numbers): rounded down to a multiple of `n`, e.g. an age's
 *   decade (`round: 10`); `n` from 0.000001 to 2^53, with at most 6 decimals
 *   (a value too large to be a multiple of `n` exactly is dropped).
 *
 * Generalizing one field is not enough by itself: whether the copy as a whole
 * can single someone out is the controller's judgement (the data map shows
 * every declaration for review). A value of another type is dropped.
 *
 * @example
 * ```ts
 * const birthDate = pd(z.iso.date(), {
 *   category: 'user.demographic.date_of_birth', purposes: ['support.ticket'],
 *   anonymize: { keepFirst: 4 } satisfies AnonymizeSpec, // the year stays in the statistics
 * });
 * ```
 */
export type AnonymizeSpec =
  | 'redact'
  | { readonly keepFirst: number; readonly round?: never }
  | { readonly round: number; readonly keepFirst?: never };

/**
 * The longest prefix `keepFirst` may keep.
 *
 * @example
 * ```ts
 * isAnonymizeSpec({ keepFirst: MAX_KEEP_FIRST + 1 }); // false: defineSchema reports PF_DECL_ANONYMIZE_INVALID
 * ```
 */
export const MAX_KEEP_FIRST = 32;

/**
 * True when `spec` is an anonymization purposeful knows, with a valid parameter.
 *
 * @example
 * ```ts
 * isAnonymizeSpec({ keepFirst: 4 }); // true
 * isAnonymizeSpec({ round: 0 });     // false: defineSchema reports PF_DECL_ANONYMIZE_INVALID
 * ```
 */
export function isAnonymizeSpec(spec: unknown): spec is AnonymizeSpec {
  if (spec === 'redact') return true;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  if (keys.length !== 1) return false;
  const s = spec as { keepFirst?: unknown; round?: unknown };
  if (keys[0] === 'keepFirst')
    return Number.isSafeInteger(s.keepFirst) && (s.keepFirst as number) >= 1 && (s.keepFirst as number) <= MAX_KEEP_FIRST;
  if (keys[0] === 'round') return decimalsOf(s.round) !== undefined;
  return false;
}

/** The decimals of a valid `round` step (0–6), or `undefined` when it is not one. */
function decimalsOf(n: unknown): number | undefined {
  if (typeof n !== 'number' || !(n >= 1e-6 && n <= Number.MAX_SAFE_INTEGER)) return undefined;
  for (let d = 0; d <= 6; d++) if (Math.round(n * 10 ** d) / 10 ** d === n) return d;
  return undefined;
}

/**
 * The name of a spec in the data map: `redact`, `keepFirst:4`, `round:10`.
 *
 * @example
 * ```ts
 * anonymizeName({ round: 10 }); // 'round:10'
 * ```
 */
export function anonymizeName(spec: AnonymizeSpec): string {
  if (spec === 'redact') return 'redact';
  return typeof spec.keepFirst === 'number' ? `keepFirst:${spec.keepFirst}` : `round:${spec.round}`;
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
 * anonymizeValue('redact', 'call me on ana@example.com'); // 'call me on [EMAIL]'
 * anonymizeValue({ round: 10 }, '37');          // undefined: not a number
 * ```
 */
export function anonymizeValue(spec: AnonymizeSpec, value: unknown): unknown {
  if (spec === 'redact') return typeof value === 'string' ? redactText(value, { style: 'label', threshold: 'low' }) : undefined;
  if (typeof spec.keepFirst === 'number') {
    if (typeof value !== 'string') return undefined;
    // by code point: a cut never leaves half a surrogate pair
    const points = Array.from(value.slice(0, spec.keepFirst * 2 + 2));
    return points.length > spec.keepFirst ? points.slice(0, spec.keepFirst).join('') : undefined;
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
