import { PurposefulError } from '../errors.js';

/**
 * "Did you mean …": the closest of a few known names to one that is not known.
 * Serves purposes, CLI flags and categories.
 *
 * @module
 * @internal
 */

/** Optimal string alignment distance (Levenshtein with adjacent transpositions), by code unit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prev2[j - 2] as number) + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[m] as number;
}

/**
 * The candidate closest to `input`, when it is close enough to be a likely
 * typo (at most a third of the longer name's length, and at most 3 edits);
 * `undefined` otherwise. Case is ignored; ties go to the earlier candidate.
 * Inputs longer than 200 characters are not compared.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > 200) return undefined;
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (typeof c !== 'string' || c.length > 200) continue;
    const d = editDistance(lower, c.toLowerCase());
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(input.length, c.length) / 3)));
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * `; did you mean "…"?` for a name that is likely a typo of one of `candidates`,
 * or an empty string: appended to a declaration problem's message.
 */
export function didYouMean(input: unknown, candidates: Iterable<string>): string {
  if (typeof input !== 'string') return '';
  const near = closest(input, candidates);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}

/**
 * A string received from a caller, fit to be quoted in a message: control
 * characters (C0, DEL, C1, line and paragraph separators, bidi controls)
 * removed and the length capped.
 */
export function quotable(value: string, max = 80): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The grammar of a purpose id (as `definePurposes` enforces it): `support.ticket`, `billing.invoice`. */
const PURPOSE_ID = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

/**
 * A purpose received that is safe to repeat in a message, and the declared one it is closest to. It is repeated
 * only when it has the shape of a purpose id and is a likely typo of a declared one: a value passed in its place by
 * mistake (a CPF, an e-mail address, a name) is never repeated, even one shaped like an id (`joao.silva`).
 */
export function echoablePurpose(
  received: unknown,
  declared: Iterable<string>,
): { readonly echo: string; readonly near: string } | undefined {
  if (typeof received !== 'string' || !PURPOSE_ID.test(received)) return undefined;
  const near = closest(received, declared);
  return near === undefined ? undefined : { echo: quotable(received), near };
}

/**
 * The message of a `PF_PURPOSE_UNKNOWN` error: a likely typo is named with the declared purpose it is closest to;
 * any other string is not repeated (it may be a value), and the declared purposes are listed instead.
 */
export function unknownPurposeMessage(received: unknown, declared: readonly string[], where: string): string {
  const article = '(LGPD Art. 6 I; GDPR Art. 5(1)(b): processing needs a specified purpose)';
  if (typeof received !== 'string' || received.length === 0) {
    return `the request context names no purpose (a non-empty string is required) for ${where} ${article}`;
  }
  const typo = echoablePurpose(received, declared);
  if (typo) return `purpose "${typo.echo}" is not declared for ${where}; did you mean "${typo.near}"? ${article}`;
  const shown = declared.slice(0, 10).map((d) => `"${d}"`);
  const list = shown.length ? `: the declared ones are ${shown.join(', ')}${declared.length > 10 ? ', …' : ''}` : '';
  return `the purpose given is not declared for ${where} (not repeated: it may be a value)${list} ${article}`;
}

/**
 * `PF_OPTIONS_INVALID` naming the first key of `options` that `known` does not
 * list, with the closest known one (or, when none is close, the list), or
 * `hint(key)` where the caller knows better (an option of another level, say).
 * The key is the caller's code, never data; it is quoted capped all the same.
 */
export function refuseUnknownOptions(
  options: object,
  known: object,
  where: string,
  hint?: (key: string) => string | undefined,
): void {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const names = Object.keys(known);
    const near = hint?.(key) ?? didYouMean(key, names);
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `unknown option "${quotable(key, 40)}" in ${where}${near || `: the options are ${names.join(', ')}`}`,
    );
  }
}
