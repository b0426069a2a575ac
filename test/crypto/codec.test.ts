/**
 * The value codec: every representable value comes back exactly (type, sign
 * of zero, bytes); everything else is refused with a value-free error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, isPurposefulError, type PurposefulError } from '../../src/index.js';

const SECRET = 'S3CR3T-529.982.247-25';
const PATH = 'contacts[0].cpf';

function roundTrip(value: unknown): unknown {
  const encoded = encodeValue(value, PATH);
  const decoded = decodeValue(encoded, PATH);
  // the encoding is canonical: re-encoding what came back gives the same bytes
  expect(Array.from(encodeValue(decoded, PATH))).toEqual(Array.from(encoded));
  return decoded;
}

function caught(f: () => unknown): PurposefulError {
  try {
    f();
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a PurposefulError');
}

/** Refused with PF_INPUT_INVALID, naming the path and never the value. */
function expectRefused(value: unknown, leak: readonly string[] = [SECRET]): void {
  const err = caught(() => encodeValue(value, PATH));
  expect(err.code).toBe('PF_INPUT_INVALID');
  expect(err.status).toBe(400);
  expect(err.paths).toEqual([PATH]);
  expect(err.message).toContain(PATH);
  const text = err.message + JSON.stringify(err) + String(err.stack);
  for (const l of leak) expect(text).not.toContain(l);
}

const hasNegativeZero = (v: unknown): boolean =>
  Object.is(v, -0) || (typeof v === 'object' && v !== null && Object.values(v).some(hasNegativeZero));
const hasProtoKey = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (Object.keys(v).includes('__proto__') || Object.values(v).some(hasProtoKey));

describe('round trips', () => {
  it('strings, full Unicode (well-formed)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme' }), fc.string()), (s) => {
        expect(roundTrip(s)).toBe(s);
      }),
      { numRuns: 1000 },
    );
    for (const s of ['', '\u0000', '😀', '\u{10FFFF}', 'a\u0301', '\uFEFFbom', 'ção']) expect(roundTrip(s)).toBe(s);
  });

  it('finite numbers, with the sign of zero and subnormals', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(Object.is(roundTrip(n), n)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const special = [
      0,
      -0,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      2.225073858507201e-308, // largest subnormal
      -2.225073858507201e-308,
      2.2250738585072014e-308, // smallest normal
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      Number.EPSILON,
      0.1,
    ];
    for (const n of special) expect(Object.is(roundTrip(n), n)).toBe(true);
    expect(Object.is(roundTrip(-0), 0)).toBe(false);
  });

  it('bigints, negative and huge', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 4096n), max: 2n ** 4096n }), (b) => {
        expect(roundTrip(b)).toBe(b);
      }),
      { numRuns: 1000 },
    );
    for (const b of [0n, -1n, 1n, 10n ** 5000n, -(10n ** 5000n), -(2n ** 64n) + 1n]) expect(roundTrip(b)).toBe(b);
  });

  it('booleans and null', () => {
    expect(roundTrip(true)).toBe(true);
    expect(roundTrip(false)).toBe(false);
    expect(roundTrip(null)).toBe(null);
    expect(Array.from(encodeValue(true, PATH))).toEqual([4]);
    expect(Array.from(encodeValue(false, PATH))).toEqual([5]);
    expect(Array.from(encodeValue(null, PATH))).toEqual([6]);
  });

  it('valid Dates, to the millisecond, up to the edges of the Date range', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (d) => {
        const back = roundTrip(d);
        expect(back).toBeInstanceOf(Date);
        expect(back).not.toBe(d);
        expect((back as Date).getTime()).toBe(d.getTime());
      }),
      { numRuns: 1000 },
    );
    for (const t of [-8.64e15, 8.64e15, 0, -1]) expect((roundTrip(new Date(t)) as Date).getTime()).toBe(t);
    expect(Object.is((roundTrip(new Date(-0)) as Date).getTime(), 0)).toBe(true);
  });

  it('Uint8Array, a copy of exactly the view', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(8), fc.nat(8), (b, pre, post) => {
        const big = new Uint8Array(pre + b.length + post).fill(0xaa);
        big.set(b, pre);
        const view = big.subarray(pre, pre + b.length);
        const back = roundTrip(view);
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Array.from(back as Uint8Array)).toEqual(Array.from(b));
        expect((back as Uint8Array).buffer).not.toBe(big.buffer);
      }),
      { numRuns: 500 },
    );
  });

  it('JSON objects and arrays', () => {
    const jsonContainer = fc
      .jsonValue({ stringUnit: 'binary', maxDepth: 8 })
      .filter((v) => typeof v === 'object' && v !== null && !hasNegativeZero(v) && !hasProtoKey(v));
    fc.assert(
      fc.property(jsonContainer, (v) => {
        const back = roundTrip(v);
        expect(back).toEqual(v);
        expect(JSON.stringify(back)).toBe(JSON.stringify(v));
      }),
      { numRuns: 1000 },
    );
    for (const v of [{}, [], [null], { a: [1, 'x', true, null, { b: 0 }] }, Object.assign(Object.create(null), { a: 1 })]) {
      const back = roundTrip(v);
      expect(JSON.stringify(back)).toBe(JSON.stringify(v));
      expect(Object.getPrototypeOf(back)).toBe(Array.isArray(v) ? Array.prototype : Object.prototype);
    }
  });

  it('JSON nested exactly 64 levels deep is accepted', () => {
    let arr: unknown = 'leaf';
    let obj: unknown = 'leaf';
    for (let i = 0; i < 64; i++) {
      arr = [arr];
      obj = { k: obj };
    }
    expect(roundTrip(arr)).toEqual(arr);
    expect(roundTrip(obj)).toEqual(obj);
  });

  it('the tag byte of each type is the documented one', () => {
    const tag = (v: unknown) => encodeValue(v, PATH)[0];
    expect([
      tag('s'),
      tag(1),
      tag(1n),
      tag(true),
      tag(false),
      tag(null),
      tag(new Date(0)),
      tag(new Uint8Array()),
      tag({}),
    ]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(encodeValue(new Date(0), 'createdAt'))).toEqual([7, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(encodeValue(-0, PATH))).toEqual([2, 0x80, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('refusals: PF_INPUT_INVALID naming the path, never the value', () => {
  it('non-finite numbers', () => {
    expectRefused(Number.NaN, ['NaN']);
    expectRefused(Number.POSITIVE_INFINITY, ['Infinity']);
    expectRefused(Number.NEGATIVE_INFINITY, ['Infinity']);
  });

  it('undefined, functions and symbols', () => {
    expectRefused(undefined);
    expectRefused(function s3cr3t() {
      return SECRET;
    });
    expectRefused(() => SECRET);
    expectRefused(Symbol(SECRET));
  });

  it('an invalid Date', () => {
    expectRefused(new Date(Number.NaN), ['Invalid Date', 'NaN']);
    expectRefused(new Date(SECRET));
  });

  it('class instances, Map, Set, RegExp, boxed primitives', () => {
    class Person {
      name = SECRET;
    }
    expectRefused(new Person());
    expectRefused(new Map([['cpf', SECRET]]));
    expectRefused(new Set([SECRET]));
    expectRefused(new RegExp(SECRET));
    expectRefused(new String(SECRET));
    expectRefused({ nested: new Person() });
  });

  it('objects with undefined values and sparse arrays', () => {
    expectRefused({ name: SECRET, middle: undefined });
    expectRefused([SECRET, undefined]);
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is the input under test
    expectRefused([SECRET, , 'x']);
    const holey: unknown[] = [SECRET];
    holey.length = 3;
    expectRefused(holey);
  });

  it('JSON holding -0, NaN, Infinity, bigint, Date or bytes', () => {
    expectRefused({ balance: -0, name: SECRET });
    expectRefused([SECRET, [-0]]);
    expectRefused({ a: Number.NaN, name: SECRET });
    expectRefused({ a: Number.POSITIVE_INFINITY, name: SECRET });
    expectRefused({ a: 1n, name: SECRET });
    expectRefused({ at: new Date(0), name: SECRET });
    expectRefused({ raw: new Uint8Array(1), name: SECRET });
    expectRefused({ f: () => SECRET });
  });

  it('a __proto__ key (own property, as JSON.parse makes it)', () => {
    expectRefused(JSON.parse(`{"__proto__": {"polluted": "${SECRET}"}}`));
  });

  it('nesting deeper than 64', () => {
    let arr: unknown = SECRET;
    let obj: unknown = SECRET;
    for (let i = 0; i < 65; i++) {
      arr = [arr];
      obj = { k: obj };
    }
    expectRefused(arr);
    expectRefused(obj);
    let deep: unknown = SECRET;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expectRefused(deep); // no stack overflow: refused at depth 64
  });

  it('arbitrary non-JSON values inside JSON are refused (property)', () => {
    const bad = fc.constantFrom<unknown>(undefined, Number.NaN, -0, 1n, Symbol('x'), () => 1, new Map(), new Date(0));
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), bad, fc.nat(), (items, b, at) => {
        const clean = items.filter((v) => !hasNegativeZero(v));
        const arr: unknown[] = [...clean];
        arr.splice(at % (arr.length + 1), 0, b);
        expectRefused(arr, []);
        expectRefused({ x: b }, []);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeValue on bytes that are not an encoding: PF_CIPHERTEXT_MALFORMED', () => {
  const malformed = (bytes: Uint8Array) => {
    const err = caught(() => decodeValue(bytes, PATH));
    expect(err.code).toBe('PF_CIPHERTEXT_MALFORMED');
    expect(err.paths).toEqual([PATH]);
    expect(err.message).toContain(PATH);
  };
  const te = new TextEncoder();
  const withTag = (tag: number, body: Uint8Array | string) =>
    Uint8Array.from([tag, ...(typeof body === 'string' ? te.encode(body) : body)]);

  it('empty, unknown tags', () => {
    malformed(new Uint8Array(0));
    for (const t of [0, 10, 0x7f, 0xff]) malformed(Uint8Array.of(t, 1, 2, 3));
  });

  it('wrong lengths for fixed-size types', () => {
    malformed(withTag(2, new Uint8Array(7)));
    malformed(withTag(2, new Uint8Array(9)));
    malformed(withTag(7, new Uint8Array(0)));
    for (const t of [4, 5, 6]) malformed(withTag(t, Uint8Array.of(0)));
  });

  it('a Date tag holding a NaN or out-of-range time', () => {
    const nan = new Uint8Array(8);
    new DataView(nan.buffer).setFloat64(0, Number.NaN);
    malformed(withTag(7, nan));
    const far = new Uint8Array(8);
    new DataView(far.buffer).setFloat64(0, 8.64e15 + 1);
    malformed(withTag(7, far));
  });

  it('non-canonical bigints', () => {
    for (const s of ['', '-', '-0', '01', '+1', '1.5', '1e3', ' 1', '0x10', '١']) malformed(withTag(3, s));
  });

  it('invalid UTF-8', () => {
    malformed(withTag(1, Uint8Array.of(0xff)));
    malformed(withTag(1, Uint8Array.of(0xc3))); // truncated sequence
    malformed(withTag(1, Uint8Array.of(0xed, 0xa0, 0x80))); // an encoded surrogate
    malformed(withTag(9, Uint8Array.of(0x7b, 0xff, 0x7d)));
  });

  it('JSON that is not an object or array', () => {
    for (const s of ['', '{', '1', '"x"', 'null', 'true', '{"a":1}x']) malformed(withTag(9, s));
  });

  it('arbitrary bytes either decode or are PF_CIPHERTEXT_MALFORMED, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 16 })).map(([t, b]) => withTag(t, b)),
        ),
        (b) => {
          try {
            decodeValue(b, PATH);
          } catch (err) {
            expect(isPurposefulError(err) && err.code).toBe('PF_CIPHERTEXT_MALFORMED');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/*
 * Known defects (see the report): the codec promises that "anything that would
 * not come back exactly as it went in is refused", but these are accepted and
 * come back different. `it.fails` keeps the suite green while the defect stands
 * and turns red once it is fixed (then drop `.fails`).
 */
describe('known defects: values silently altered instead of refused', () => {
  it('a string with a lone surrogate comes back unchanged or is refused (today: becomes U+FFFD)', () => {
    const s = `a\uD800b${SECRET}`;
    let refused = false;
    try {
      encodeValue(s, PATH);
    } catch {
      refused = true;
    }
    if (!refused) expect(decodeValue(encodeValue(s, PATH), PATH)).toBe(s);
  });

  it('an array carrying extra named properties is refused (today: they are dropped)', () => {
    const a: string[] & { note?: string } = ['x'];
    a.note = SECRET;
    expectRefused(a);
  });

  it('an object with symbol-keyed properties is refused (today: they are dropped)', () => {
    expectRefused({ a: 1, [Symbol('k')]: SECRET });
  });
});
