import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivePseudonymKey, pseudonymize, pseudonymizer } from '../../src/index.js';

const rootKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const otherKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + 7) & 0xff);
const where = { schema: 'customer', field: 'email', purpose: 'analytics.churn' } as const;

const TOKEN_RE = /^pn_[A-Za-z0-9_-]{24}$/;

function errorOf(fn: () => unknown): { code?: unknown; message?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as { code?: unknown; message?: unknown };
  }
  throw new Error('expected a throw');
}

describe('pseudonymize', () => {
  it('is stable per value', () => {
    const a = pseudonymize(rootKey, where, 'ana@example.com');
    expect(pseudonymize(rootKey, where, 'ana@example.com')).toBe(a);
    expect(pseudonymize(Uint8Array.from(rootKey), { ...where }, 'ana@example.com')).toBe(a);
  });

  it('a reused pseudonymizer stays stable across interleaved values and matches pseudonymize', () => {
    const token = pseudonymizer(derivePseudonymKey(rootKey, where.schema, where.field, where.purpose));
    const values = ['ana@example.com', 'bob@example.com', 'ana@example.com', 42, 'bob@example.com', '', 42];
    const tokens = values.map((v) => token(v));
    expect(tokens[0]).toBe(tokens[2]);
    expect(tokens[1]).toBe(tokens[4]);
    expect(tokens[3]).toBe(tokens[6]);
    expect(new Set(tokens).size).toBe(4);
    values.forEach((v, i) => {
      expect(tokens[i]).toBe(pseudonymize(rootKey, where, v));
    });
  });

  it('differs across schema, field and purpose (a key per triple)', () => {
    const v = 'ana@example.com';
    const base = pseudonymize(rootKey, where, v);
    const variants = [
      pseudonymize(rootKey, { ...where, schema: 'lead' }, v),
      pseudonymize(rootKey, { ...where, field: 'contact.email' }, v),
      pseudonymize(rootKey, { ...where, purpose: 'analytics.retention' }, v),
    ];
    expect(new Set([base, ...variants]).size).toBe(4);
  });

  it('derives unambiguous keys: moving characters between the names changes the key', () => {
    const v = 'x';
    const tokens = [
      pseudonymize(rootKey, { schema: 'ab', field: 'c', purpose: 'd' }, v),
      pseudonymize(rootKey, { schema: 'a', field: 'bc', purpose: 'd' }, v),
      pseudonymize(rootKey, { schema: 'a', field: 'b', purpose: 'cd' }, v),
      pseudonymize(rootKey, { schema: 'd', field: 'c', purpose: 'ab' }, v),
    ];
    expect(new Set(tokens).size).toBe(tokens.length);
    const keys = [
      derivePseudonymKey(rootKey, 'ab', 'c', 'd'),
      derivePseudonymKey(rootKey, 'a', 'bc', 'd'),
      derivePseudonymKey(rootKey, 'a', 'b', 'cd'),
    ];
    for (const k of keys) expect(k).toHaveLength(32);
    expect(new Set(keys.map((k) => Buffer.from(k).toString('hex'))).size).toBe(3);
  });

  it('keeps values of different types apart', () => {
    const pairs: [unknown, unknown][] = [
      [1, '1'],
      [true, 'true'],
      [false, 'false'],
      [null, 'null'],
      [1n, 1],
      [1n, '1'],
      [new Date(0), new Date(0).toISOString()],
      [['a'], 'a'],
      [{ a: 1 }, '{"a":1}'],
    ];
    for (const [a, b] of pairs) {
      expect(pseudonymize(rootKey, where, a), `${String(a)} vs ${String(b)}`).not.toBe(pseudonymize(rootKey, where, b));
    }
    // -0 and 0 are the same number
    expect(pseudonymize(rootKey, where, -0)).toBe(pseudonymize(rootKey, where, 0));
  });

  it("starts with 'pn_' and carries 24 base64url characters (144 bits, at least 128)", () => {
    for (const v of ['ana@example.com', '', 0, 1n, true, null, { a: [1, 2] }, new Date(0)]) {
      const token = pseudonymize(rootKey, where, v);
      expect(token).toMatch(TOKEN_RE);
      expect(token.startsWith('pn_')).toBe(true);
      expect(token.length - 'pn_'.length).toBe(24);
      // 24 base64url characters decode to 18 bytes: 144 bits, at least 128
      expect(Buffer.from(token.slice(3), 'base64url').length * 8).toBe(144);
    }
  });

  it('different root keys give different tokens', () => {
    for (const v of ['ana@example.com', '529.982.247-25', 7]) {
      expect(pseudonymize(rootKey, where, v)).not.toBe(pseudonymize(otherKey, where, v));
    }
    // one changed bit is enough
    const flipped = Uint8Array.from(rootKey);
    flipped[31] = (flipped[31] as number) ^ 1;
    expect(pseudonymize(flipped, where, 'ana@example.com')).not.toBe(pseudonymize(rootKey, where, 'ana@example.com'));
  });

  it('accepts keys of 32 bytes or more, including Buffers', () => {
    expect(pseudonymize(new Uint8Array(64).fill(9), where, 'v')).toMatch(TOKEN_RE);
    expect(pseudonymize(Buffer.from(rootKey), where, 'v')).toBe(pseudonymize(rootKey, where, 'v'));
    expect(pseudonymize(new Uint8Array(32), where, 'v')).toMatch(TOKEN_RE);
  });

  it('rejects keys shorter than 32 bytes or that are not a Uint8Array, with PF_OPTIONS_INVALID', () => {
    const bad: unknown[] = [
      new Uint8Array(31),
      new Uint8Array(0),
      Array.from(rootKey),
      new ArrayBuffer(32),
      new Uint16Array(32),
      new Int8Array(32),
      'k'.repeat(32),
      Buffer.from(rootKey).toString('hex'),
      { length: 32 },
      null,
      undefined,
      32,
    ];
    for (const key of bad) {
      const err = errorOf(() => pseudonymize(key as Uint8Array, where, 'ana@example.com'));
      expect(err.code).toBe('PF_OPTIONS_INVALID');
      expect(String(err.message)).not.toContain('ana@example.com');
    }
  });
});

describe('pseudonymize: properties', () => {
  it('no collisions among 1000 distinct random strings', () => {
    const token = pseudonymizer(derivePseudonymKey(rootKey, where.schema, where.field, where.purpose));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { minLength: 1000, maxLength: 1000 }),
        (values) => {
          const tokens = new Set(values.map((v) => token(v)));
          expect(tokens.size).toBe(values.length);
        },
      ),
      { numRuns: 5 },
    );
  });

  it('is stable and well-formed for any value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), (v) => {
        const t = pseudonymize(rootKey, where, v);
        expect(t).toMatch(TOKEN_RE);
        expect(pseudonymize(rootKey, where, v)).toBe(t);
      }),
    );
  });

  // a token is 27 base64url characters after `pn_`: a 4-character input of that alphabet lands in one by chance
  // about once in 700,000 draws (it did: '__lo' in 'pn__loOK…'); at 8 characters the chance is about 1 in 10^13
  it('a token never contains its input (inputs of 8 characters or more)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (s) => {
        expect(pseudonymize(rootKey, where, s)).not.toContain(s);
      }),
    );
  });
});

describe('pseudonymize: structured values', () => {
  const where = { schema: 'customer', field: 'address', purpose: 'analytics.churn' };
  const rootKey = new Uint8Array(32).fill(5);

  it('gives equal objects the same token whatever their key order, and tells types apart', () => {
    expect(pseudonymize(rootKey, where, { city: 'Recife', zip: '50000' })).toBe(
      pseudonymize(rootKey, where, { zip: '50000', city: 'Recife' }),
    );
    expect(pseudonymize(rootKey, where, [1, 2])).not.toBe(pseudonymize(rootKey, where, ['1', '2']));
    expect(pseudonymize(rootKey, where, { n: 1n })).not.toBe(pseudonymize(rootKey, where, { n: 1 }));
    expect(pseudonymize(rootKey, where, new Date(0))).not.toBe(pseudonymize(rootKey, where, '1970-01-01T00:00:00.000Z'));
  });

  it('refuses what is not data, with a code and no value', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const bad of [cyclic, () => 1, Symbol('s'), undefined, { f: () => 1 }]) {
      let err: unknown;
      try {
        pseudonymize(rootKey, where, bad);
      } catch (e) {
        err = e;
      }
      expect((err as { code?: string }).code).toBe('PF_INPUT_INVALID');
    }
  });
});
