/**
 * Envelope parsing is strict: one accepted spelling per envelope, anything
 * else PF_CIPHERTEXT_MALFORMED naming the path (and never echoing the input).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEnvelope, isKid, NONCE_LENGTH } from '../../src/crypto/envelope.js';
import {
  ENVELOPE_PREFIX,
  isPurposefulError,
  looksEncrypted,
  MAX_ENVELOPE_LENGTH,
  type PurposefulError,
  parseEnvelope,
} from '../../src/index.js';
import { base64urlDecode, base64urlEncode } from '../../src/util/base64url.js';

const PATH = 'customer.cpf';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 255);
/** A well-formed envelope with `ct` bytes after the nonce (ciphertext ‖ tag). */
const envelope = (alg: 'xc20' | 'gsiv', kid: string, ct: number) =>
  formatEnvelope(alg, kid, seq(NONCE_LENGTH[alg], 1), seq(ct, 100));
const dataOf = (env: string) => env.slice(env.lastIndexOf('.') + 1);
const withData = (env: string, data: string) => env.slice(0, env.lastIndexOf('.') + 1) + data;

function malformed(text: unknown, mustNotLeak: readonly string[] = []): PurposefulError {
  let err: unknown;
  try {
    parseEnvelope(text, PATH);
  } catch (e) {
    err = e;
  }
  if (!isPurposefulError(err)) throw new Error(`expected PF_CIPHERTEXT_MALFORMED for ${String(text).slice(0, 80)}`);
  expect(err.code).toBe('PF_CIPHERTEXT_MALFORMED');
  expect(err.status).toBe(400);
  expect(err.paths).toEqual([PATH]);
  expect(err.message).toContain(PATH);
  for (const s of mustNotLeak) expect(err.message).not.toContain(s);
  return err;
}

describe('valid envelopes parse', () => {
  it('both algorithms, the shortest accepted length and longer ones', () => {
    for (const alg of ['xc20', 'gsiv'] as const) {
      for (const ct of [17, 18, 19, 20, 100, 1000]) {
        const text = envelope(alg, 'k1', ct);
        expect(text.startsWith(`pf1.${alg}.k1.`)).toBe(true);
        const env = parseEnvelope(text, PATH);
        expect(env.alg).toBe(alg);
        expect(env.kid).toBe('k1');
        expect(Array.from(env.nonce)).toEqual(Array.from(seq(NONCE_LENGTH[alg], 1)));
        expect(Array.from(env.sealed)).toEqual(Array.from(seq(ct, 100)));
      }
    }
  });

  it('key ids of 1 and 64 characters from the whole alphabet', () => {
    for (const kid of ['a', 'Z', '0', '-', '_', 'k-2026_05-AbC', 'x'.repeat(64), ALPHABET.slice(0, 64)]) {
      expect(isKid(kid)).toBe(true);
      expect(parseEnvelope(envelope('xc20', kid, 20), PATH).kid).toBe(kid);
    }
  });

  it('looksEncrypted only checks the prefix', () => {
    expect(looksEncrypted(envelope('gsiv', 'k', 20))).toBe(true);
    expect(looksEncrypted('pf1.garbage')).toBe(true);
    expect(looksEncrypted('pf2.xc20.k.AAAA')).toBe(false);
    expect(looksEncrypted(42)).toBe(false);
    expect(ENVELOPE_PREFIX).toBe('pf1.');
  });
});

describe('malformed envelopes: PF_CIPHERTEXT_MALFORMED with the path', () => {
  const good = envelope('xc20', 'k1', 20);
  const data = dataOf(good);

  it('the fixture is valid', () => {
    expect(parseEnvelope(good, PATH).kid).toBe('k1');
  });

  it('wrong prefix or version', () => {
    for (const p of ['pf2.', 'pf0.', 'PF1.', 'pf1-', 'pf.', 'pf11.', ' pf1.', 'xpf1.', '']) malformed(`${p}xc20.k1.${data}`);
    malformed(`pf1`);
    malformed(`pf1.`);
    malformed(good.slice(1));
  });

  it('unknown algorithms', () => {
    for (const alg of ['aes', 'XC20', 'xc2', 'xc200', 'gsiv2', 'chacha', 'gcm', 'xc20 ', ' gsiv', 'none'])
      malformed(`pf1.${alg}.k1.${data}`);
  });

  it('bad key ids', () => {
    for (const kid of ['k+1', 'k/1', 'k 1', 'k=1', 'k:1', 'ké', 'k\u0000', 'k\n', 'k🙂', '%6b'])
      malformed(`pf1.xc20.${kid}.${data}`);
    malformed(`pf1.xc20.${'k'.repeat(65)}.${data}`);
    malformed(`pf1.xc20.${'k'.repeat(1000)}.${data}`);
  });

  it('empty parts and missing separators', () => {
    malformed(`pf1..k1.${data}`);
    malformed(`pf1.xc20..${data}`);
    malformed('pf1.xc20.k1.');
    malformed('pf1.xc20.k1');
    malformed('pf1.xc20');
    malformed('pf1.xc20.');
    malformed(`pf1.xc20.k1.${data}.`);
    malformed(`pf1.xc20.k1.${data}.${data}`);
    malformed(`pf1.xc20.k1..${data}`);
  });

  it('base64 padding, the standard alphabet and foreign characters', () => {
    // 24 + 20 = 44 bytes → 59 characters (44 = 14·3 + 2): padded form ends in one '='
    expect(data.length).toBe(59);
    malformed(withData(good, `${data}=`));
    malformed(withData(good, `${data.slice(0, -1)}=`));
    malformed(withData(good, `${data}==`));
    const i = 10;
    for (const c of ['+', '/', '=', '.', ' ', '\n', 'é', '\u0000', '\uFF21'])
      malformed(withData(good, data.slice(0, i) + c + data.slice(i + 1)));
    // the standard-alphabet spelling of the same bytes is refused (bytes chosen to need '-' and '_')
    const sealed = Uint8Array.from({ length: 24 }, (_, j) => [0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff][j % 6] as number);
    const urlSafe = formatEnvelope('xc20', 'k1', seq(24), sealed);
    expect(parseEnvelope(urlSafe, PATH).sealed.length).toBe(24);
    const std = Buffer.from(base64urlDecode(dataOf(urlSafe)) as Uint8Array).toString('base64');
    expect(std).toMatch(/\+/);
    expect(std).toMatch(/\//);
    expect(std.endsWith('=')).toBe(false); // 48 bytes: no padding, only the alphabet differs
    malformed(withData(urlSafe, std));
    malformed(withData(urlSafe, std.replaceAll('/', '_')));
    malformed(withData(urlSafe, std.replaceAll('+', '-')));
  });

  it('non-canonical trailing bits', () => {
    for (const ct of [17, 19]) {
      // 24 + 17 = 41 bytes: 2 leftover bytes (3 chars, 2 unused bits); 24 + 19 = 43 bytes: 1 leftover byte (2 chars, 4 unused bits)
      const env = envelope('xc20', 'k1', ct);
      const d = dataOf(env);
      const last = ALPHABET.indexOf(d.at(-1) as string);
      const unused = (41 + ct - 17) % 3 === 2 ? 3 : 15;
      expect(last & unused).toBe(0);
      for (let bits = 1; bits <= unused; bits++) malformed(withData(env, d.slice(0, -1) + ALPHABET[last | bits]));
      expect(parseEnvelope(env, PATH).sealed.length).toBe(ct);
    }
  });

  it('a data length of 1 mod 4', () => {
    const d = dataOf(envelope('xc20', 'k1', 18)); // 42 bytes → 56 chars
    expect(d.length % 4).toBe(0);
    malformed(withData(good, `${d}A`));
  });

  it('too short: no room for nonce, tag and at least one byte', () => {
    for (const [alg, n] of [
      ['xc20', 24],
      ['gsiv', 12],
    ] as const) {
      for (const len of [0, 1, n, n + 15, n + 16]) {
        malformed(formatEnvelope(alg, 'k1', seq(Math.min(len, n)), seq(Math.max(0, len - n))));
      }
      expect(parseEnvelope(formatEnvelope(alg, 'k1', seq(n), seq(17)), PATH).sealed.length).toBe(17);
    }
    // a gsiv-sized payload under the xc20 id is too short for xc20
    malformed(formatEnvelope('xc20', 'k1', seq(12), seq(17)));
  });

  it('longer than MAX_ENVELOPE_LENGTH', () => {
    expect(MAX_ENVELOPE_LENGTH).toBe(8 * 1024 * 1024);
    const head = 'pf1.xc20.kk.';
    const atMax = head + 'A'.repeat(MAX_ENVELOPE_LENGTH - head.length);
    expect(atMax.length).toBe(MAX_ENVELOPE_LENGTH);
    expect(parseEnvelope(atMax, PATH).sealed.length).toBe(((MAX_ENVELOPE_LENGTH - head.length) * 3) / 4 - 24);
    const err = malformed(`${atMax}AAAA`);
    expect(err.message).toContain('too long');
    malformed(`${atMax}A`);
  });

  it('non-strings', () => {
    const env = envelope('xc20', 'k1', 20);
    for (const v of [
      undefined,
      null,
      0,
      1n,
      true,
      {},
      [],
      [env],
      { toString: () => env },
      new String(env),
      Symbol('x'),
      new TextEncoder().encode(env),
      () => env,
    ]) {
      malformed(v);
    }
  });

  it('errors name the path, never the input', () => {
    const secretKid = 'SECRETKID123';
    malformed(`pf1.xc20.${secretKid}.${data}=`, [secretKid, data]);
    malformed(`pf1.nope.${secretKid}.${data}`, [secretKid, data, 'nope']);
    malformed(`pf9.${data}`, [data]);
  });
});

describe('properties', () => {
  const b64urlChars = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 120 });
  const near = fc
    .tuple(
      fc.constantFrom('pf1.', 'pf1', 'pf2.', ''),
      fc.constantFrom('xc20', 'gsiv', 'XC20', ''),
      fc.constantFrom('.', '', '..'),
      fc.oneof(fc.constantFrom('k1', '', 'x'.repeat(64), 'x'.repeat(65), 'a b'), fc.string({ maxLength: 8 })),
      fc.constantFrom('.', ''),
      fc.oneof(b64urlChars, fc.string({ maxLength: 80 })),
    )
    .map((parts) => parts.join(''));

  it('for any string, parseEnvelope returns an envelope or throws PF_CIPHERTEXT_MALFORMED', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme' }), near), (s) => {
        try {
          const env = parseEnvelope(s, PATH);
          // what parses formats back to exactly the same string
          expect(formatEnvelope(env.alg, env.kid, env.nonce, env.sealed)).toBe(s);
          expect(env.nonce.length).toBe(NONCE_LENGTH[env.alg]);
          expect(env.sealed.length).toBeGreaterThanOrEqual(17);
        } catch (err) {
          expect(isPurposefulError(err) && err.code).toBe('PF_CIPHERTEXT_MALFORMED');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('for any value, parseEnvelope returns or throws a PurposefulError, never anything else', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }), (v) => {
        try {
          parseEnvelope(v, PATH);
        } catch (err) {
          expect(isPurposefulError(err) && err.code).toBe('PF_CIPHERTEXT_MALFORMED');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('every formatted envelope parses back to the same parts', () => {
    const kid = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 64 });
    fc.assert(
      fc.property(
        fc.constantFrom('xc20' as const, 'gsiv' as const),
        kid,
        fc.uint8Array({ minLength: 17, maxLength: 300 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        (alg, k, sealed, nonce24) => {
          const nonce = nonce24.subarray(0, NONCE_LENGTH[alg]);
          const env = parseEnvelope(formatEnvelope(alg, k, nonce, sealed), PATH);
          expect(env.alg).toBe(alg);
          expect(env.kid).toBe(k);
          expect(Array.from(env.nonce)).toEqual(Array.from(nonce));
          expect(Array.from(env.sealed)).toEqual(Array.from(sealed));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('base64url: decode(encode(b)) is b, and encode matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = base64urlEncode(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        const back = base64urlDecode(s);
        expect(back && Array.from(back)).toEqual(Array.from(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('base64url: encode(b, n) encodes the first n bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (b, at) => {
        const n = b.length === 0 ? 0 : at % (b.length + 1);
        expect(base64urlEncode(b, n)).toBe(base64urlEncode(b.subarray(0, n)));
      }),
    );
  });

  it('base64url: a string decodes only if it is the canonical encoding of its bytes', () => {
    const anyString = fc.oneof(
      b64urlChars,
      fc.string({ maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...ALPHABET, '=', '+', '/', '.', ' '), maxLength: 40 }),
    );
    fc.assert(
      fc.property(anyString, (s) => {
        const d = base64urlDecode(s);
        if (d !== undefined) {
          expect(base64urlEncode(d)).toBe(s);
          expect(d.length).toBe(Math.floor((s.length * 3) / 4));
        } else {
          // refused: outside the alphabet, or Node's lenient decoder would not round-trip it
          const inAlphabet = [...s].every((c) => ALPHABET.includes(c));
          if (inAlphabet) expect(Buffer.from(s, 'base64url').toString('base64url')).not.toBe(s);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('linear time on large inputs (outcomes only, no timing assertions)', () => {
  const big = MAX_ENVELOPE_LENGTH;

  it("an 8 MiB string of 'A's", () => {
    const s = 'A'.repeat(big);
    expect(malformed(s).message).toContain('unknown format');
  });

  it('an 8 MiB envelope body of 1 mod 4 characters, and one of dots', () => {
    malformed(`pf1.xc20.k.${'A'.repeat(big - 11)}`);
    malformed(`pf1.${'.'.repeat(big - 4)}`);
    malformed(`pf1.xc20${'x'.repeat(big - 8)}`);
    malformed(`pf1.xc20.${'k'.repeat(big - 9)}`);
  });

  it('an 8 MiB near-valid body with one bad character at the end', () => {
    const head = 'pf1.gsiv.kk.';
    malformed(`${head}${'A'.repeat(big - head.length - 1)}+`);
  });
});
