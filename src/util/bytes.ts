/**
 * Byte helpers shared by pseudonyms, envelopes and keys.
 *
 * @module
 * @internal
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A string from UTF-8 bytes; invalid UTF-8 throws. */
export function fromUtf8(b: Uint8Array): string {
  return strictDecoder.decode(b);
}

/** One tag byte followed by the UTF-8 bytes of a string, in one allocation when the text is ASCII. */
export function taggedUtf8(tag: number, s: string): Uint8Array {
  let out = new Uint8Array(1 + s.length);
  let r = encoder.encodeInto(s, out.subarray(1));
  if (r.read < s.length) {
    out = new Uint8Array(1 + s.length * 3);
    r = encoder.encodeInto(s, out.subarray(1));
  }
  out[0] = tag;
  return r.written + 1 === out.length ? out : out.subarray(0, 1 + r.written);
}

/**
 * Each part as a u32 big-endian length followed by its bytes, concatenated:
 * an unambiguous encoding of a list (no separator can be forged by a part).
 * ASCII text (ids, labels, algorithm names) is written directly, with no
 * call into TextEncoder per part.
 */
export function lengthPrefixed(parts: ReadonlyArray<string | Uint8Array>): Uint8Array {
  let total = 0;
  for (const p of parts) total += 4 + p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    const n = p.length;
    out[o] = n >>> 24;
    out[o + 1] = n >>> 16;
    out[o + 2] = n >>> 8;
    out[o + 3] = n;
    o += 4;
    if (typeof p !== 'string') out.set(p, o);
    else {
      for (let i = 0; i < n; i++) {
        const c = p.charCodeAt(i);
        if (c > 127) return lengthPrefixed(parts.map((q) => (typeof q === 'string' ? encoder.encode(q) : q))); // not ASCII
        out[o + i] = c;
      }
    }
    o += n;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time equality of two byte arrays. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/**
 * Random bytes from the Web Crypto API (Node, Edge, workers and browsers all
 * have it). Small requests (nonces, key ids) are served from a 4 KiB buffer
 * refilled by `getRandomValues`, which costs about as much for 4 KiB as for 24
 * bytes; every byte is handed out once and the buffer is wiped as it is used.
 */
export function randomBytes(n: number): Uint8Array {
  if (n > 256) return globalThis.crypto.getRandomValues(new Uint8Array(n));
  if (poolOffset + n > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + n);
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** Whether a string is well-formed UTF-16 (no unpaired surrogate), so UTF-8 carries it unchanged. */
export function isWellFormed(s: string): boolean {
  if (nativeWellFormed) return nativeWellFormed.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}
