/**
 * Unpadded base64url encoding (RFC 4648 §5).
 *
 * Short values (key ids, index values, the envelopes of short fields) are
 * decoded here in plain JavaScript, in one pass that checks as it goes: it runs
 * everywhere and costs less than a call into Node's `Buffer` at these sizes.
 * Long ones go through `Buffer` where the runtime has it (a global, not an
 * import), after the same checks.
 *
 * @module
 * @internal
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface NodeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64url'): string };
  from(data: string, encoding: 'base64url'): Uint8Array;
}
/** Node's Buffer where the runtime has one (a global, not an import): native base64url, much faster on large values. */
const NativeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
/** From this many bytes on, Buffer encodes faster than the code below. */
const NATIVE_ENCODE_MIN = 48;
/**
 * From this many characters on, Buffer decodes faster than the code below
 * (below it, Buffer's per-call cost and pooled allocation outweigh the work).
 */
const NATIVE_DECODE_MIN = 128;

/** Encodes bytes as unpadded base64url. */
export function base64urlEncode(bytes: Uint8Array, length = bytes.length): string {
  if (NativeBuffer && length >= NATIVE_ENCODE_MIN)
    return NativeBuffer.from(bytes.buffer, bytes.byteOffset, length).toString('base64url');
  return base64urlEncodeJs(bytes, length);
}

function base64urlEncodeJs(bytes: Uint8Array, length: number): string {
  let out = '';
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63);
  }
  return out;
}

/** Character code (below 256) → its 6-bit value; 0xff for anything outside the alphabet. */
const DECODE = new Uint8Array(256).fill(0xff);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The 6-bit value of a character, or 0xff (above 63) when it is outside the alphabet. */
function sextet(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 256 ? (DECODE[c] as number) : 0xff;
}

/**
 * The number of bytes `s` (from index `from`) decodes to, or -1 when it is not
 * canonical unpadded base64url: one scan, nothing allocated. Exactly the strings
 * {@link base64urlDecode} accepts.
 */
export function base64urlLength(s: string, from = 0): number {
  const n = s.length - from;
  if ((n & 3) === 1) return -1;
  ALPHABET_TAIL.lastIndex = from;
  // the unused bits of the last character must be zero (lengths 2 and 3 mod 4)
  const last = n & 3 ? sextet(s, s.length - 1) : 0;
  if (!ALPHABET_TAIL.test(s) || last & ((n & 3) === 2 ? 15 : 3)) return -1;
  return (n * 3) >>> 2;
}

/** Only the base64url alphabet from `lastIndex` to the end (one character class: linear, no backtracking). */
const ALPHABET_TAIL = /[A-Za-z0-9_-]*$/y;

/**
 * Strict, canonical, linear-time base64url decoding (RFC 4648 §5, no padding)
 * of `s` from index `from`: any character outside the alphabet, a length of 1
 * mod 4, padding characters, or non-zero padding bits make it return
 * `undefined`. So every byte string has exactly one accepted encoding.
 */
export function base64urlDecode(s: string, from = 0): Uint8Array | undefined {
  const n = s.length - from;
  if ((n & 3) === 1) return undefined;
  if (NativeBuffer && n >= NATIVE_DECODE_MIN) {
    // Buffer decoding is lenient (it skips bad characters, accepts padding and ignores stray
    // bits): the alphabet, the length and the unused bits are checked first, so it stays strict
    if (base64urlLength(s, from) < 0) return undefined;
    const b = NativeBuffer.from(s.slice(from), 'base64url');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const rest = n & 3;
  const out = new Uint8Array((n * 3) >>> 2);
  const end = s.length - rest;
  let bad = 0;
  let o = 0;
  let i = from;
  for (; i < end; i += 4) {
    const a = sextet(s, i);
    const b = sextet(s, i + 1);
    const c = sextet(s, i + 2);
    const d = sextet(s, i + 3);
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >>> 16;
    out[o + 1] = v >>> 8;
    out[o + 2] = v;
    o += 3;
  }
  if (rest === 2) {
    const a = sextet(s, i);
    const b = sextet(s, i + 1);
    bad |= a | b | ((b & 15) << 6);
    out[o] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = sextet(s, i);
    const b = sextet(s, i + 1);
    const c = sextet(s, i + 2);
    bad |= a | b | c | ((c & 3) << 6);
    out[o] = (a << 2) | (b >>> 4);
    out[o + 1] = (b << 4) | (c >>> 2);
  }
  return bad > 63 ? undefined : out;
}
