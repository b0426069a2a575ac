/**
 * Redaction of free text: each span {@link detectPII} finds replaced by a
 * label (`[CPF]`), the core's mask for its type, or a keyed token stable per
 * value. The result holds nothing the detectors would find again at the same
 * threshold, so redacting twice gives what redacting once gave.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { type MaskSpec, maskValue } from '../minimize/masks.js';
import { assertPseudonymKey, derivePseudonymKey, pseudonymizer } from '../minimize/pseudonymize.js';
import { type DetectOptions, detectPII, foundPart } from './detect.js';
import type { PiiSpan, PiiType } from './types.js';

/**
 * How a span is replaced: `label` (`[CPF]`), `mask` (the core's mask for the
 * type, e.g. `***.***.**7-25`; `***` for types without one), `token` (a keyed
 * HMAC token, `[CPF:pn_…]`, equal for equal values under one key).
 *
 * @example
 * ```ts
 * redactText('cpf 529.982.247-25', { style: 'mask' }); // 'cpf ***.***.**7-25'
 * ```
 * @category PII in text
 */
export type RedactStyle = 'label' | 'mask' | 'token';

/**
 * Options of {@link redactText}.
 *
 * @example
 * ```ts
 * redactText(message, { style: 'token', key: rootKey, threshold: 'medium' });
 * ```
 * @category PII in text
 */
export interface RedactOptions extends DetectOptions {
  /** Default `label`. */
  readonly style?: RedactStyle;
  /** Lowest confidence redacted (default `medium`: checksums, and patterns with a context word). */
  readonly threshold?: DetectOptions['threshold'];
  /** The root key of the `token` style: at least 32 random bytes (the engine's `pseudonymKey`). */
  readonly key?: Uint8Array;
}

/**
 * A redaction and what it removed: how many spans of each type, never a value.
 *
 * @example
 * ```ts
 * const { text, counts } = redactWithCounts('cpf 529.982.247-25 e 111.444.777-35');
 * counts; // { cpf: 2 }
 * ```
 * @category PII in text
 */
export interface Redaction {
  readonly text: string;
  readonly counts: Readonly<Partial<Record<PiiType, number>>>;
}

const MASKS: Partial<Record<PiiType, MaskSpec>> = {
  cpf: 'cpf',
  cnpj: 'cnpj',
  phone: 'phone',
  card: 'card',
  email: 'email',
  ipv4: 'ip',
  ipv6: 'ip',
};

/** How many times a text is passed over before the last pass labels what a mask or token left findable. */
const PASSES = 3;

/** The value as a token sees it: the same identifier typed two ways gives one token. */
function normalized(type: PiiType, raw: string): string {
  switch (type) {
    case 'email':
      return raw.toLowerCase();
    case 'cnpj':
    case 'iban':
    case 'rg':
      return raw.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    case 'pix_key':
    case 'ipv6':
      return raw.toLowerCase();
    case 'pix_brcode':
    case 'birth_date':
    case 'ipv4':
      return raw;
    default:
      return raw.replace(/\D/g, '');
  }
}

const labelOf = (type: PiiType): string => `[${type.toUpperCase()}]`;

/**
 * Redacts personal data in free text and counts what it removed.
 *
 * @example
 * ```ts
 * redactWithCounts('me liga no (11) 91234-5678', { threshold: 'medium' });
 * // { text: 'me liga no [PHONE]', counts: { phone: 1 } }
 * ```
 * @category PII in text
 */
export function redactWithCounts(text: string, options: RedactOptions = {}): Redaction {
  if (typeof text !== 'string') throw new PurposefulError('PF_INPUT_INVALID', 'redactText() takes a string');
  const style = options.style ?? 'label';
  if (style !== 'label' && style !== 'mask' && style !== 'token') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'style must be label, mask or token');
  }
  let tokenFor: ((type: PiiType, raw: string) => string) | undefined;
  if (style === 'token') {
    const key = options.key;
    if (key === undefined)
      throw new PurposefulError('PF_OPTIONS_INVALID', 'the token style needs a key (at least 32 random bytes)');
    assertPseudonymKey(key);
    const perType = new Map<PiiType, (v: unknown) => string>();
    tokenFor = (type, raw) => {
      let p = perType.get(type);
      if (p === undefined) {
        p = pseudonymizer(derivePseudonymKey(key, 'purposeful.detect', type, 'redact'));
        perType.set(type, p);
      }
      return `[${type.toUpperCase()}:${p(normalized(type, raw))}]`;
    };
  }
  const detect: DetectOptions = { threshold: options.threshold ?? 'medium', types: options.types };
  const counts: Partial<Record<PiiType, number>> = {};
  let out = text;
  for (let pass = 0; ; pass++) {
    const spans = detectPII(out, detect);
    if (spans.length === 0) break;
    // the first pass counts what was in the text; later passes only tidy what a mask or token left findable
    if (pass === 0) for (const s of spans) counts[s.type] = (counts[s.type] ?? 0) + 1;
    const replace =
      pass >= PASSES || style === 'label'
        ? (s: PiiSpan) => labelOf(s.type)
        : style === 'mask'
          ? glued(out, (s, raw) => {
              const mask = MASKS[s.type];
              return mask ? maskValue(mask, raw) : '***';
            })
          : glued(out, (s, raw) => (tokenFor as (type: PiiType, raw: string) => string)(s.type, raw));
    out = splice(out, spans, replace);
    if (pass > PASSES + 2) {
      // labels hold no digit and are not read as context words ("[PHONE]" lifts no number next to it), and the first pass
      // already found every identifier of a run (spans are chosen to cover the most): reaching here would be a bug, and
      // the text must not go out half-redacted
      throw new PurposefulError('PF_LIMIT_EXCEEDED', 'the text could not be redacted to a settled form', { reason: 'redaction' });
    }
  }
  return { text: out, counts };
}

/**
 * Redacts personal data in free text (see {@link RedactOptions}): what is
 * found at or above the threshold is replaced; the rest of the text is left
 * as it was, offsets and Unicode included.
 *
 * @example
 * ```ts
 * redactText('Meu CPF é 529.982.247-25 e meu email ana@example.com');
 * // 'Meu CPF é [CPF] e meu email [EMAIL]'
 * redactText('cartão 4111 1111 1111 1111', { style: 'mask' }); // 'cartão **** **** **** 1111'
 * ```
 * @category PII in text
 */
export function redactText(text: string, options: RedactOptions = {}): string {
  return redactWithCounts(text, options).text;
}

/**
 * A mask or token of the part of a span found as its type; what is glued to
 * it (an identifier typed right against it, see `detectPII`) becomes `***`,
 * so that a mask never reveals a neighbour's digits. A stretch that the text
 * cannot assign to one identifier gets its label.
 */
function glued(text: string, replace: (s: PiiSpan, raw: string) => string): (s: PiiSpan) => string {
  return (s) => {
    const part = foundPart(s);
    if (part === undefined) return labelOf(s.type);
    const [from, to] = part;
    return (from > s.start ? '***' : '') + replace(s, text.slice(from, to)) + (to < s.end ? '***' : '');
  };
}

function splice(text: string, spans: readonly PiiSpan[], replace: (s: PiiSpan) => string): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + replace(s);
    at = s.end;
  }
  return out + text.slice(at);
}
