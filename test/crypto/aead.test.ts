/**
 * The AEADs of the envelope format against published known answers, and the
 * native (Node) XChaCha20-Poly1305 path against the portable one.
 *
 * Sources of the vectors (copied byte for byte, not recomputed):
 * - XChaCha20-Poly1305 and HChaCha20: draft-irtf-cfrg-xchacha-03, Appendix A.3.1
 *   (A.1 in the repository's text rendering) and §2.2.1, as published in
 *   github.com/bikeshedders/xchacha-rfc, draft-irtf-cfrg-xchacha-rfc-03.txt.
 * - AES-256-GCM-SIV: RFC 8452 Appendix C.2, as transcribed in GNU Nettle's
 *   testsuite/siv-gcm-test.c.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Aead, aeads, hchacha20, TAG_LENGTH } from '../../src/crypto/aead.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
};
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

const noble = aeads('noble');
const auto = aeads('auto');
const nativeMissing = auto.xc20.implementation !== 'node';

describe('XChaCha20-Poly1305 known answers (draft-irtf-cfrg-xchacha-03)', () => {
  // Appendix A.3.1
  const plaintext = ascii(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const aad = unhex('50515253c0c1c2c3c4c5c6c7');
  const key = unhex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const iv = unhex('404142434445464748494a4b4c4d4e4f5051525354555657');
  const ciphertext =
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
    '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
    '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
    '21f9664c97637da9768812f615c68b13b52e';
  const tag = 'c0875924c1c7987947deafd8780acf49';

  it('the plaintext is the 114 bytes of the draft', () => {
    expect(plaintext.length).toBe(114);
    expect(hex(plaintext).slice(0, 32)).toBe('4c616469657320616e642047656e746c');
  });

  for (const [name, aead] of [
    ['noble', noble.xc20],
    ['auto', auto.xc20],
  ] as const) {
    it(`seals to the draft's ciphertext ‖ tag (${name}: ${aead.implementation})`, () => {
      expect(aead.id).toBe('xc20');
      expect(aead.nonceLength).toBe(24);
      expect(hex(aead.seal(key, iv, plaintext, aad))).toBe(ciphertext + tag);
    });

    it(`opens the draft's ciphertext ‖ tag (${name}: ${aead.implementation})`, () => {
      const opened = aead.open(key, iv, unhex(ciphertext + tag), aad);
      expect(opened && hex(opened)).toBe(hex(plaintext));
      expect(aead.open(key, iv, unhex(ciphertext + tag), aad.subarray(1))).toBeUndefined();
    });
  }

  it('auto is the native implementation on Node', () => {
    const hasBuiltin = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';
    expect(auto.xc20.implementation).toBe(hasBuiltin ? 'node' : 'noble');
    expect(noble.xc20.implementation).toBe('noble');
  });

  it('HChaCha20 matches §2.2.1', () => {
    const k = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const nonce = unhex('000000090000004a0000000031415927');
    expect(hex(hchacha20(k, nonce))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
    // only the first 16 bytes of a longer (24-byte) nonce are used
    const long = new Uint8Array(24).fill(0xee);
    long.set(nonce);
    expect(hex(hchacha20(k, long))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
  });
});

describe('AES-256-GCM-SIV known answers (RFC 8452 Appendix C.2)', () => {
  const K1 = '0100000000000000000000000000000000000000000000000000000000000000';
  const N1 = '030000000000000000000000';
  const vectors: ReadonlyArray<{ name: string; key: string; nonce: string; aad: string; pt: string; result: string }> = [
    { name: 'empty plaintext, no AAD', key: K1, nonce: N1, aad: '', pt: '', result: '07f5f4169bbf55a8400cd47ea6fd400f' },
    {
      name: '8-byte plaintext, no AAD',
      key: K1,
      nonce: N1,
      aad: '',
      pt: '0100000000000000',
      result: 'c2ef328e5c71c83b843122130f7364b761e0b97427e3df28',
    },
    {
      name: '32-byte plaintext, no AAD',
      key: K1,
      nonce: N1,
      aad: '',
      pt: '0100000000000000000000000000000002000000000000000000000000000000',
      result: '4a6a9db4c8c6549201b9edb53006cba821ec9cf850948a7c86c68ac7539d027fe819e63abcd020b006a976397632eb5d',
    },
    {
      name: '1-byte AAD, 8-byte plaintext',
      key: K1,
      nonce: N1,
      aad: '01',
      pt: '0200000000000000',
      result: '1de22967237a813291213f267e3b452f02d01ae33e4ec854',
    },
    {
      name: '12-byte AAD, 4-byte plaintext',
      key: K1,
      nonce: N1,
      aad: '010000000000000000000000',
      pt: '02000000',
      result: '22b3f4cd1835e517741dfddccfa07fa4661b74cf',
    },
    {
      name: '18-byte AAD, 20-byte plaintext',
      key: K1,
      nonce: N1,
      aad: '010000000000000000000000000000000200',
      pt: '0300000000000000000000000000000004000000',
      result: '43dd0163cdb48f9fe3212bf61b201976067f342bb879ad976d8242acc188ab59cabfe307',
    },
    {
      name: 'random key, empty plaintext',
      key: 'e66021d5eb8e4f4066d4adb9c33560e4f46e44bb3da0015c94f7088736864200',
      nonce: 'e0eaf5284d884a0e77d31646',
      aad: '',
      pt: '',
      result: '169fbb2fbf389a995f6390af22228a62',
    },
    {
      name: 'random key, 5-byte AAD, 3-byte plaintext',
      key: 'bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269',
      nonce: 'e4b47801afc0577e34699b9e',
      aad: '4fbdc66f14',
      pt: '671fdd',
      result: '0eaccb93da9bb81333aee0c785b240d319719d',
    },
    {
      name: 'random key, 35-byte AAD, 21-byte plaintext',
      key: '3c535de192eaed3822a2fbbe2ca9dfc88255e14a661b8aa82cc54236093bbc23',
      nonce: '688089e55540db1872504e1c',
      aad: '734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f167541',
      pt: 'ced532ce4159b035277d4dfbb7db62968b13cd4eec',
      result: '626660c26ea6612fb17ad91e8e767639edd6c9faee9d6c7029675b89eaf4ba1ded1a286594',
    },
  ];

  const gsiv = aeads().gsiv;

  it('is the portable implementation with 12-byte nonces', () => {
    expect(gsiv.id).toBe('gsiv');
    expect(gsiv.nonceLength).toBe(12);
    expect(gsiv.implementation).toBe('noble');
  });

  for (const v of vectors) {
    it(`seals and opens: ${v.name}`, () => {
      const key = unhex(v.key);
      const nonce = unhex(v.nonce);
      const aad = unhex(v.aad);
      expect(hex(gsiv.seal(key, nonce, unhex(v.pt), aad))).toBe(v.result);
      const opened = gsiv.open(key, nonce, unhex(v.result), aad);
      expect(opened && hex(opened)).toBe(v.pt);
    });
  }
});

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const caseArb = fc.record({
  key: bytes(32, 32),
  nonce: bytes(24, 24),
  pt: bytes(0, 2048),
  ad: bytes(0, 128),
});

describe('native and portable XChaCha20-Poly1305 agree', () => {
  it.skipIf(nativeMissing)('3000 random messages: native seals, noble opens; byte-identical ciphertexts', () => {
    fc.assert(
      fc.property(caseArb, ({ key, nonce, pt, ad }) => {
        const sealed = auto.xc20.seal(key, nonce, pt, ad);
        expect(sealed.length).toBe(pt.length + TAG_LENGTH);
        expect(hex(sealed)).toBe(hex(noble.xc20.seal(key, nonce, pt, ad)));
        const opened = noble.xc20.open(key, nonce, sealed, ad);
        expect(opened && hex(opened)).toBe(hex(pt));
      }),
      { numRuns: 3000 },
    );
  });

  it.skipIf(nativeMissing)('3000 random messages: noble seals, native opens', () => {
    fc.assert(
      fc.property(caseArb, ({ key, nonce, pt, ad }) => {
        const sealed = noble.xc20.seal(key, nonce, pt, ad);
        const opened = auto.xc20.open(key, nonce, sealed, ad);
        expect(opened).toBeInstanceOf(Uint8Array);
        expect(opened && hex(opened)).toBe(hex(pt));
      }),
      { numRuns: 3000 },
    );
  });

  it.skipIf(nativeMissing)('native open handles sealed bytes at an offset inside a larger buffer', () => {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(9);
    const pt = ascii('offsets must not matter');
    const sealed = noble.xc20.seal(key, nonce, pt, new Uint8Array(0));
    const padded = new Uint8Array(sealed.length + 5);
    padded.set(sealed, 3);
    const opened = auto.xc20.open(key, nonce, padded.subarray(3, 3 + sealed.length), new Uint8Array(0));
    expect(opened && hex(opened)).toBe(hex(pt));
  });
});

type Tamper =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; by: number }
  | { kind: 'extend'; extra: Uint8Array };

const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), by: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ kind: fc.constant('extend' as const), extra: bytes(1, 32) }),
);

function tamper(sealed: Uint8Array, t: Tamper): Uint8Array {
  switch (t.kind) {
    case 'flip': {
      const out = sealed.slice();
      const i = t.at % out.length;
      out[i] = (out[i] as number) ^ t.mask;
      return out;
    }
    case 'truncate':
      return sealed.slice(0, sealed.length - Math.min(t.by, sealed.length));
    case 'extend': {
      const out = new Uint8Array(sealed.length + t.extra.length);
      out.set(sealed, 0);
      out.set(t.extra, sealed.length);
      return out;
    }
  }
}

const candidates: ReadonlyArray<readonly [string, Aead]> = [
  ['xc20 noble', noble.xc20],
  ...(nativeMissing ? [] : ([['xc20 native', auto.xc20]] as const)),
  ['gsiv', noble.gsiv],
];

describe('tampering never authenticates', () => {
  for (const [name, aead] of candidates) {
    it(`${name}: any single-byte flip, truncation or extension of the sealed bytes → undefined`, () => {
      fc.assert(
        fc.property(
          bytes(32, 32),
          bytes(aead.nonceLength, aead.nonceLength),
          bytes(0, 300),
          bytes(0, 64),
          tamperArb,
          (key, nonce, pt, ad, t) => {
            const sealed = aead.seal(key, nonce, pt, ad);
            const opened = aead.open(key, nonce, sealed, ad);
            expect(opened && hex(opened)).toBe(hex(pt));
            expect(aead.open(key, nonce, tamper(sealed, t), ad)).toBeUndefined();
          },
        ),
        { numRuns: 500 },
      );
    });

    it(`${name}: another nonce, associated data or key → undefined`, () => {
      fc.assert(
        fc.property(
          bytes(32, 32),
          bytes(aead.nonceLength, aead.nonceLength),
          bytes(0, 100),
          bytes(0, 64),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (key, nonce, pt, ad, at, mask) => {
            const sealed = aead.seal(key, nonce, pt, ad);
            const n2 = nonce.slice();
            n2[at % n2.length] = (n2[at % n2.length] as number) ^ mask;
            const k2 = key.slice();
            k2[at % k2.length] = (k2[at % k2.length] as number) ^ mask;
            const ad2 = new Uint8Array(ad.length + 1);
            ad2.set(ad);
            expect(aead.open(key, n2, sealed, ad)).toBeUndefined();
            expect(aead.open(k2, nonce, sealed, ad)).toBeUndefined();
            expect(aead.open(key, nonce, sealed, ad2)).toBeUndefined();
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${name}: sealed bytes shorter than a tag → undefined, no throw`, () => {
      const key = new Uint8Array(32);
      const nonce = new Uint8Array(aead.nonceLength);
      for (let n = 0; n < TAG_LENGTH; n++) expect(aead.open(key, nonce, new Uint8Array(n), new Uint8Array(0))).toBeUndefined();
    });
  }
});

/*
 * Known defect (see the report): the native XChaCha20-Poly1305 path does not
 * check key and nonce lengths. hchacha20() copies the key and nonce into
 * fixed-size words, so a short key is zero-padded and a short or long nonce is
 * zero-padded or truncated, where the portable implementation throws. Internal
 * callers always pass 32-byte keys and 24-byte nonces, so this is latent, but
 * the two implementations behind one interface disagree. `it.fails` turns red
 * once fixed (then drop `.fails`).
 */
describe('known defect: native xc20 accepts wrong key and nonce lengths', () => {
  const wrong: ReadonlyArray<readonly [string, number, number]> = [
    ['16-byte key', 16, 24],
    ['23-byte nonce', 32, 23],
    ['25-byte nonce', 32, 25],
  ];
  for (const [name, keyLength, nonceLength] of wrong) {
    it.skipIf(nativeMissing)(`${name}: native seal throws like noble does`, () => {
      const args = [new Uint8Array(keyLength), new Uint8Array(nonceLength), new Uint8Array(3), new Uint8Array(0)] as const;
      expect(() => noble.xc20.seal(...args)).toThrow();
      expect(() => auto.xc20.seal(...args)).toThrow();
    });
  }
});
