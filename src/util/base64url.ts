/**
 * Unpadded base64url encoding (RFC 4648 §5).
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
const NATIVE_MIN = 48;

/** Encodes bytes as unpadded base64url. */
export function base64urlEncode(bytes: Uint8Array, length = bytes.length): string {
  if (NativeBuffer && length >= NATIVE_MIN)
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

/** Only the base64url alphabet (a single character class: linear, no backtracking). */
const ALPHABET_RE = /^[A-Za-z0-9_-]*$/;
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Strict, canonical, linear-time base64url decoding (RFC 4648 §5, no padding):
 * any character outside the alphabet, a length of 1 mod 4, padding characters,
 * or non-zero padding bits make it return `undefined`. So every byte string has
 * exactly one accepted encoding.
 */
export function base64urlDecode(s: string): Uint8Array | undefined {
  const n = s.length;
  if (NativeBuffer && n >= NATIVE_MIN) {
    // Buffer decoding is lenient (it skips bad characters, accepts padding and ignores stray
    // bits): the alphabet, the length and the unused bits of the last character are checked
    // here, so the decoding stays strict and canonical
    if (n % 4 === 1 || !ALPHABET_RE.test(s)) return undefined;
    const last = code(s, n - 1);
    if ((n % 4 === 2 && (last & 15) !== 0) || (n % 4 === 3 && (last & 3) !== 0)) return undefined;
    const b = NativeBuffer.from(s, 'base64url');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const rest = n % 4;
  if (rest === 1) return undefined;
  const out = new Uint8Array(((n * 3) >> 2) | 0);
  let o = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a = code(s, i);
    const b = code(s, i + 1);
    const c = code(s, i + 2);
    const d = code(s, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (rest === 2) {
    const a = code(s, i);
    const b = code(s, i + 1);
    if ((a | b) < 0 || (b & 15) !== 0) return undefined;
    out[o++] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = code(s, i);
    const b = code(s, i + 1);
    const c = code(s, i + 2);
    if ((a | b | c) < 0 || (c & 3) !== 0) return undefined;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return o === out.length ? out : out.subarray(0, o);
}

function code(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? (DECODE[c] as number) : -1;
}
