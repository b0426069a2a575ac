/**
 * The envelope format, version 1: one compact string per encrypted field.
 *
 * ```
 * pf1.<alg>.<kid>.<data>
 * ```
 *
 * - `pf1` — format and version.
 * - `<alg>` — `xc20` (XChaCha20-Poly1305) or `gsiv` (AES-256-GCM-SIV).
 * - `<kid>` — the id of the key the field key is derived from: the subject's
 *   data key, or for schemas without a subject the keyring key. 1–64 characters
 *   of `A–Z a–z 0–9 _ -`.
 * - `<data>` — canonical unpadded base64url of `nonce ‖ ciphertext ‖ tag`
 *   (nonce 24 bytes for `xc20`, 12 for `gsiv`; tag 16 bytes).
 *
 * The associated data binds the value to its place: the u32 big-endian
 * length-prefixed list `["purposeful.field", "1", alg, kid, schema id, field
 * id, subject reference, record id]` (empty strings where the schema has no
 * subject or record id; both are refused when empty otherwise). A value copied
 * to another field, record or subject does not authenticate.
 *
 * Parsing is strict and linear: at most {@link MAX_ENVELOPE_LENGTH}
 * characters, no regular expression, canonical base64url only.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { base64urlDecode, base64urlEncode, base64urlLength } from '../util/base64url.js';
import { lengthPrefixed } from '../util/bytes.js';
import { type AlgorithmId, TAG_LENGTH } from './aead.js';

/**
 * The prefix of every version-1 envelope.
 *
 * @example
 * ```ts
 * row.cpf.startsWith(ENVELOPE_PREFIX); // true once sealed
 * ```
 * @category Encryption
 */
export const ENVELOPE_PREFIX = 'pf1.';
/**
 * Longest envelope accepted, in characters (about 6 MiB of plaintext).
 *
 * @example
 * ```ts
 * if (text.length > MAX_ENVELOPE_LENGTH) throw new Error('not a purposeful ciphertext');
 * ```
 * @category Encryption
 */
export const MAX_ENVELOPE_LENGTH = 8 * 1024 * 1024;
/** Nonce length per algorithm. */
export const NONCE_LENGTH: Readonly<Record<AlgorithmId, number>> = Object.freeze({ xc20: 24, gsiv: 12 });

/**
 * A parsed envelope.
 *
 * @example
 * ```ts
 * const { alg, kid, nonce, sealed } = parseEnvelope(row.email, 'email');
 * ```
 * @category Encryption
 */
export interface Envelope {
  readonly alg: AlgorithmId;
  readonly kid: string;
  readonly nonce: Uint8Array;
  /** ciphertext ‖ tag */
  readonly sealed: Uint8Array;
}

/** Where a value belongs: what the associated data binds it to. */
export interface Place {
  readonly schema: string;
  readonly field: string;
  readonly subject: string;
  readonly record: string;
}

/** Whether a key id is well formed. */
export function isKid(kid: string): boolean {
  if (kid.length < 1 || kid.length > 64) return false;
  for (let i = 0; i < kid.length; i++) {
    const c = kid.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** The associated data of a value at its place. */
export function associatedData(alg: AlgorithmId, kid: string, place: Place): Uint8Array {
  return lengthPrefixed(['purposeful.field', '1', alg, kid, place.schema, place.field, place.subject, place.record]);
}

/** Writes an envelope. */
export function formatEnvelope(alg: AlgorithmId, kid: string, nonce: Uint8Array, sealed: Uint8Array): string {
  const data = new Uint8Array(nonce.length + sealed.length);
  data.set(nonce, 0);
  data.set(sealed, nonce.length);
  return `${ENVELOPE_PREFIX}${alg}.${kid}.${base64urlEncode(data)}`;
}

/**
 * True when `value` looks like an envelope (a string with the version-1 prefix); says nothing of its validity.
 *
 * @example
 * ```ts
 * looksEncrypted(row.email);         // true
 * looksEncrypted('ana@example.com'); // false
 * ```
 * @category Encryption
 */
export function looksEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENVELOPE_PREFIX);
}

/** True when `value` is a well-formed envelope (it parses); says nothing of whether it authenticates. */
export function isEnvelope(value: unknown): boolean {
  return looksEncrypted(value) && typeof envelopeShape(value) !== 'string';
}

/** The head of an envelope that passed {@link envelopeShape}: its algorithm, key id and where its data starts. */
export interface EnvelopeHead {
  readonly alg: AlgorithmId;
  readonly kid: string;
  /** Index of the first character of `<data>`. */
  readonly data: number;
}

/**
 * The structural check of an envelope, without decoding it: the prefix, the
 * algorithm, the key id, and a `<data>` part that is canonical unpadded
 * base64url (the alphabet, a length that is not 1 mod 4, zero unused bits in
 * the last character) long enough for a nonce, a tag and one byte. It accepts
 * exactly what {@link parseEnvelope} parses: the head, or why not.
 */
export function envelopeShape(text: unknown): EnvelopeHead | string {
  const head = envelopeHead(text);
  if (typeof head === 'string') return head;
  const length = base64urlLength(text as string, head.data);
  if (length < 0) return 'non-canonical base64url';
  if (length < NONCE_LENGTH[head.alg] + TAG_LENGTH + 1) return 'too short';
  return head;
}

/** The checks of an envelope's head (everything before `<data>`): the head, or why not. */
function envelopeHead(text: unknown): EnvelopeHead | string {
  if (typeof text !== 'string') return 'not a string';
  if (text.length > MAX_ENVELOPE_LENGTH) return 'too long';
  if (!text.startsWith(ENVELOPE_PREFIX)) return 'unknown format or version';
  const a = ENVELOPE_PREFIX.length;
  const b = text.indexOf('.', a);
  if (b < 0) return 'no algorithm';
  const alg = text.slice(a, b);
  if (alg !== 'xc20' && alg !== 'gsiv') return 'unknown algorithm';
  const c = text.indexOf('.', b + 1);
  if (c < 0) return 'no key id';
  const kid = text.slice(b + 1, c);
  if (!isKid(kid)) return 'malformed key id';
  return { alg, kid, data: c + 1 };
}

/**
 * Checks that a value is a well-formed envelope without decoding it, or throws
 * `PF_CIPHERTEXT_MALFORMED` naming `path` (never the value). It accepts
 * exactly what {@link parseEnvelope} accepts, at the cost of one scan of the
 * text and no allocation: for guards that only pass the value on, such as a
 * column that must hold envelopes. Whether the value authenticates is known
 * only when it is opened.
 *
 * @param value - The value to check.
 * @param path - The field path or column named in the error.
 * @example
 * ```ts
 * assertEnvelope(row.cpf, 'cpf'); // returns: the value is a well-formed envelope
 * assertEnvelope('pf1.529.982.247-25', 'cpf'); // throws PF_CIPHERTEXT_MALFORMED
 * ```
 * @category Encryption
 */
export function assertEnvelope(value: unknown, path: string): asserts value is string {
  const shape = envelopeShape(value);
  if (typeof shape === 'string') throw malformed(path, shape);
}

function malformed(path: string, why: string): PurposefulError {
  return new PurposefulError('PF_CIPHERTEXT_MALFORMED', `${path}: not a valid purposeful ciphertext (${why})`, { paths: [path] });
}

/**
 * Parses an envelope, or throws `PF_CIPHERTEXT_MALFORMED` naming `path`.
 *
 * @example
 * ```ts
 * const env = parseEnvelope(row.cpf, 'cpf');
 * env.alg; // 'xc20'
 * env.kid; // the data key it was sealed under
 * ```
 * @category Encryption
 */
export function parseEnvelope(text: unknown, path: string): Envelope {
  // the head, then one decoding pass that checks the data as it goes (the same checks as envelopeShape)
  const head = envelopeHead(text);
  if (typeof head === 'string') throw malformed(path, head);
  const data = base64urlDecode(text as string, head.data);
  if (!data) throw malformed(path, 'non-canonical base64url');
  const n = NONCE_LENGTH[head.alg];
  if (data.length < n + TAG_LENGTH + 1) throw malformed(path, 'too short');
  return { alg: head.alg, kid: head.kid, nonce: data.subarray(0, n), sealed: data.subarray(n) };
}
