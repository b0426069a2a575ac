/**
 * The fast paths of the data layer give the same answers as the plain ones:
 *
 * - `assertEnvelope` (the structural check, nothing decoded) accepts exactly
 *   what `parseEnvelope` parses, refuses with the same PF_CIPHERTEXT_MALFORMED,
 *   accepts every real envelope, and whatever it accepts is refused at open with
 *   a stable code unless it is the authentic value;
 * - the single-pass base64url decoder agrees with a reference (Node's Buffer
 *   plus the canonical checks) on both sides of the size where Buffer takes over,
 *   from any offset, and `base64urlLength` accepts exactly what it decodes;
 * - the cached HKDF extraction and HMAC key schedules give the bytes of
 *   @noble/hashes' `hkdf` and `hmac`; the ASCII `lengthPrefixed` those of UTF-8;
 * - a data key just created is used as made only when the store kept it (not another instance's);
 * - cached key material never outlives a shredding: after `shred`, values of the
 *   subject fail closed at once, with every cache warm.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import { blindIndexValue } from '../../src/crypto/blind-index.js';
import { formatEnvelope, NONCE_LENGTH } from '../../src/crypto/envelope.js';
import { derive, expand, extract } from '../../src/crypto/kek.js';
import {
  assertEnvelope,
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  parseEnvelope,
  pd,
} from '../../src/index.js';
import { base64urlDecode, base64urlEncode, base64urlLength } from '../../src/util/base64url.js';
import { lengthPrefixed } from '../../src/util/bytes.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PATH = 'customer.email';

/** What a call throws: its code and message, or 'ok'. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    return `${err.code}: ${err.message}`;
  }
}

/** Reference strict decoding: Node's lenient decoder, accepted only when it round-trips. */
function referenceDecode(s: string): Uint8Array | undefined {
  if (![...s].every((c) => ALPHABET.includes(c)) || s.length % 4 === 1) return undefined;
  const b = Buffer.from(s, 'base64url');
  return b.toString('base64url') === s ? new Uint8Array(b) : undefined;
}

const Person = defineSchema(
  'data-path.person',
  z.object({
    id: z.string(),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true, index: 'email' }),
    note: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id' }, recordId: 'id' },
);
const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

function engine() {
  return createPurposeful({
    consent: memoryConsentLedger(purposes),
    purposes,
    schemas: [Person],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    encryption: { receipts: { key: new Uint8Array(32).fill(3), alg: 'HS256' } },
  });
}

/** Strings near envelopes: real heads with arbitrary, alphabet-only or truncated data, and anything at all. */
const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
const realEnvelope = fc
  .record({
    alg: fc.constantFrom('xc20' as const, 'gsiv' as const),
    kid: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    n: fc.nat(120),
  })
  .map(({ alg, kid, n }) => formatEnvelope(alg, kid, seq(NONCE_LENGTH[alg]), seq(17 + n)));
const nearEnvelope = fc.oneof(
  realEnvelope,
  fc.tuple(realEnvelope, fc.nat(), fc.constantFrom(...ALPHABET, '=', '.', '+', '/', ' ', 'é', '\u{1F600}')).map(([e, at, c]) => {
    const i = at % (e.length + 1);
    return e.slice(0, i) + c + e.slice(i + 1);
  }),
  fc.tuple(realEnvelope, fc.nat()).map(([e, at]) => e.slice(0, at % (e.length + 1))),
  fc
    .tuple(
      fc.constantFrom('pf1.xc20.', 'pf1.gsiv.', 'pf1.', 'pf1.aes.', 'pf2.xc20.'),
      fc.string({ unit: fc.constantFrom(...ALPHABET, '.'), maxLength: 120 }),
    )
    .map(([h, t]) => h + t),
  fc.string({ maxLength: 60 }),
);

describe('assertEnvelope: the structural check of sealed columns', () => {
  it('accepts exactly what parseEnvelope parses, and refuses with the same error', () => {
    fc.assert(
      fc.property(nearEnvelope, (s) => {
        expect(outcome(() => assertEnvelope(s, PATH))).toBe(outcome(() => parseEnvelope(s, PATH)));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses non-strings as PF_CIPHERTEXT_MALFORMED naming the path', () => {
    for (const v of [undefined, null, 42, {}, ['pf1.xc20.k.AAAA'], new Uint8Array(3)]) {
      expect(outcome(() => assertEnvelope(v, PATH))).toBe(outcome(() => parseEnvelope(v, PATH)));
      expect(outcome(() => assertEnvelope(v, PATH))).toMatch(/^PF_CIPHERTEXT_MALFORMED: customer\.email: /);
    }
  });

  it('accepts every envelope pf.seal writes', async () => {
    const pf = engine();
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.string({ maxLength: 200 }), fc.string({ maxLength: 2000 }), async (id, email, note) => {
        const row = (await pf.seal(Person, { id, email, note }, ctx)) as Record<string, unknown>;
        expect(() => assertEnvelope(row.email, 'email')).not.toThrow();
        expect(() => assertEnvelope(row.note, 'note')).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });

  it('anything it accepts in place of a real value is refused at open with a stable code', async () => {
    const pf = engine();
    const row = (await pf.seal(Person, { id: 'p-1', email: 'ana@example.com', note: 'n' }, ctx)) as Record<string, unknown>;
    const stable = new Set(['PF_DECRYPTION_FAILED', 'PF_KEY_NOT_FOUND']);
    await fc.assert(
      fc.asyncProperty(nearEnvelope, async (s) => {
        if (outcome(() => assertEnvelope(s, 'email')) !== 'ok' || s === row.email) return;
        let code = 'opened';
        try {
          await pf.open(Person, { ...row, email: s }, ctx);
        } catch (err) {
          code = isPurposefulError(err) ? err.code : 'not a PurposefulError';
        }
        expect(stable.has(code)).toBe(true);
      }),
      { numRuns: 400 },
    );
    expect(((await pf.open(Person, row, ctx)) as { email: string }).email).toBe('ana@example.com');
  });
});

describe('base64url: the single-pass decoder', () => {
  const anyString = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('base64url')),
    fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 400 }),
    fc
      .tuple(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.constantFrom('=', '+', '/', '.', ' ', 'é', '\0', '\u0100', '\u{1F600}'),
      )
      .map(([b, at, c]) => {
        const s = Buffer.from(b).toString('base64url');
        const i = at % s.length;
        return s.slice(0, i) + c + s.slice(i + 1);
      }),
    fc.string({ maxLength: 200 }),
  );

  it('agrees with the reference on every string, on both sides of the native threshold', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const want = referenceDecode(s);
        const got = base64urlDecode(s);
        expect(got === undefined ? undefined : Array.from(got)).toEqual(want === undefined ? undefined : Array.from(want));
        expect(base64urlLength(s)).toBe(want === undefined ? -1 : want.length);
      }),
      { numRuns: 4000 },
    );
  });

  it('decodes from an offset as it decodes the tail alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), anyString, (head, s) => {
        const whole = head + s;
        const a = base64urlDecode(whole, head.length);
        const b = base64urlDecode(s);
        expect(a === undefined ? undefined : Array.from(a)).toEqual(b === undefined ? undefined : Array.from(b));
        expect(base64urlLength(whole, head.length)).toBe(base64urlLength(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any bytes, and encodes as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const s = base64urlEncode(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(Array.from(base64urlDecode(s) as Uint8Array)).toEqual(Array.from(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('base64url without Buffer (Edge, workers, browsers)', () => {
  it('the portable code alone decodes and encodes every length as the reference does', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    let portable: typeof import('../../src/util/base64url.js');
    try {
      portable = await import('../../src/util/base64url.js');
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString('base64url')),
          fc.string({ unit: fc.constantFrom(...ALPHABET, '='), maxLength: 400 }),
        ),
        (s) => {
          const want = referenceDecode(s);
          const got = portable.base64urlDecode(s);
          expect(got === undefined ? undefined : Array.from(got)).toEqual(want === undefined ? undefined : Array.from(want));
          if (got) expect(portable.base64urlEncode(got)).toBe(s);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('derivations: cached key schedules give the same bytes', () => {
  const ascii = fc.string({ unit: fc.constantFrom(...ALPHABET, '.', ' '), maxLength: 40 });

  it('derive = expand(extract()) = @noble/hashes hkdf, for any key, label and info', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        ascii,
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }),
        (ikm, label, info) => {
          const want = hkdf(sha256, ikm, new TextEncoder().encode(`purposeful/v1/${label}`), lengthPrefixed(info), 32);
          expect(Array.from(derive(ikm, label, info))).toEqual(Array.from(want));
          const prk = extract(ikm, label);
          // one extraction serves several expansions
          expect(Array.from(expand(prk, info))).toEqual(Array.from(want));
          expect(Array.from(expand(prk, info))).toEqual(Array.from(want));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('blind-index values are the HMAC of the length-prefixed parts, the key schedule cached per key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }),
        (key, parts) => {
          const want = `k1.${Buffer.from(hmac(sha256, key, lengthPrefixed(parts)).subarray(0, 8)).toString('base64url')}`;
          expect(blindIndexValue('k1', key, parts, 64)).toBe(want);
          expect(blindIndexValue('k1', key, parts, 64)).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lengthPrefixed writes ASCII directly and anything else as UTF-8, the same bytes either way', () => {
    const reference = (parts: ReadonlyArray<string | Uint8Array>) => {
      const enc = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
      const out: number[] = [];
      for (const e of enc) out.push(e.length >>> 24, (e.length >>> 16) & 255, (e.length >>> 8) & 255, e.length & 255, ...e);
      return out;
    };
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ascii, fc.string({ unit: 'grapheme', maxLength: 20 }), fc.uint8Array({ maxLength: 20 })), {
          maxLength: 8,
        }),
        (parts) => {
          expect(Array.from(lengthPrefixed(parts))).toEqual(reference(parts));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('cached keys never outlive a shredding', () => {
  it('with every cache warm (data key, extraction, field keys), a shredded subject’s values fail closed at once', async () => {
    const pf = engine();
    const rows = [];
    for (let i = 0; i < 3; i++) {
      const row = await pf.seal(Person, { id: 'ana', email: `ana${i}@example.com`, note: `note ${i}` }, ctx);
      expect(((await pf.open(Person, row, ctx)) as { note: string }).note).toBe(`note ${i}`);
      rows.push(row);
    }
    const other = await pf.seal(Person, { id: 'bia', email: 'bia@example.com', note: 'kept' }, ctx);
    await pf.shred('ana', {});
    for (const row of rows) {
      let code = 'opened';
      try {
        await pf.open(Person, row, ctx);
      } catch (err) {
        code = isPurposefulError(err) ? err.code : 'other';
      }
      expect(code).toBe('PF_SUBJECT_ERASED');
    }
    let sealCode = 'sealed';
    try {
      await pf.seal(Person, { id: 'ana', email: 'ana@example.com', note: 'again' }, ctx);
    } catch (err) {
      sealCode = isPurposefulError(err) ? err.code : 'other';
    }
    expect(sealCode).toBe('PF_SUBJECT_ERASED');
    expect(((await pf.open(Person, other, ctx)) as { note: string }).note).toBe('kept');
  });
});

describe('the data key an insert creates', () => {
  it('is the one the store kept: when another instance stored its key first, values go under that key and open anywhere', async () => {
    const keys = generateKeyring();
    const store = memoryKeyStore();
    // a store that lets another instance win the race: by the time this create arrives, a key was stored
    const racing: typeof store = {
      ...store,
      keys: (subject) => store.keys(subject),
      create: async (subject, key) => {
        const [first] = await store.keys(subject);
        if (first === undefined) await other.seal(Person, { id: subject, email: 'first@example.com', note: 'first' }, ctx);
        return store.create(subject, key);
      },
      update: (subject, key) => store.update(subject, key),
    };
    const make = (keyStore: typeof store) =>
      createPurposeful({ consent: memoryConsentLedger(purposes), purposes, schemas: [Person], keys, keyStore });
    const other = make(store);
    const mine = make(racing);
    const row = await mine.seal(Person, { id: 'cleo', email: 'cleo@example.com', note: 'mine' }, ctx);
    expect((await store.keys('cleo')).length).toBe(1); // one live key: the other instance's
    // a third instance, which never cached anything, opens it with the stored key
    const fresh = make(store);
    expect(((await fresh.open(Person, row, ctx)) as { note: string }).note).toBe('mine');
    expect(((await mine.open(Person, row, ctx)) as { note: string }).note).toBe('mine');
  });
});
