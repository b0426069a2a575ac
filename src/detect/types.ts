/**
 * The types the detectors find, and what a finding looks like.
 *
 * @module
 */

/**
 * What kind of personal data a span is.
 *
 * @example
 * ```ts
 * const wanted: PiiType[] = ['cpf', 'email', 'phone'];
 * detectPII(text, { types: wanted });
 * ```
 * @category PII in text
 */
export type PiiType =
  | 'cpf'
  | 'cnpj'
  | 'rg'
  | 'cnh'
  | 'titulo_eleitor'
  | 'pis'
  | 'cep'
  | 'phone'
  | 'pix_key'
  | 'pix_brcode'
  | 'email'
  | 'card'
  | 'iban'
  | 'ipv4'
  | 'ipv6'
  | 'birth_date';

/**
 * Every type, in a stable order.
 *
 * @example
 * ```ts
 * PII_TYPES.includes('cpf'); // true
 * ```
 * @category PII in text
 */
export const PII_TYPES: readonly PiiType[] = Object.freeze([
  'cpf',
  'cnpj',
  'rg',
  'cnh',
  'titulo_eleitor',
  'pis',
  'cep',
  'phone',
  'pix_key',
  'pix_brcode',
  'email',
  'card',
  'iban',
  'ipv4',
  'ipv6',
  'birth_date',
]);

/**
 * How sure a finding is: `high` when a check digit or a full syntax check
 * passed, `medium` for a pattern with a context word near it (or a format only
 * that type uses), `low` for a pattern alone.
 *
 * @example
 * ```ts
 * detectPII('cpf 529.982.247-25')[0]?.confidence; // 'high'
 * ```
 * @category PII in text
 */
export type Confidence = 'low' | 'medium' | 'high';

/**
 * One finding: `text.slice(start, end)` is the identifier, as typed (separators included).
 *
 * @example
 * ```ts
 * const [span] = detectPII('meu cpf é 529.982.247-25');
 * // { type: 'cpf', start: 10, end: 24, confidence: 'high' }
 * ```
 * @category PII in text
 */
export interface PiiSpan {
  readonly type: PiiType;
  /** UTF-16 offset of the first character. */
  readonly start: number;
  /** UTF-16 offset after the last character. */
  readonly end: number;
  readonly confidence: Confidence;
}

/** Ranks of the confidence levels. */
export const RANK: Readonly<Record<Confidence, number>> = { low: 1, medium: 2, high: 3 };
