import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePurposes, defineSchema, isPurposefulError, minimize, type PurposefulSchema, pd } from '../../src/index.js';

const PURPOSES = ['p.one', 'p.two', 'p.three'] as const;
type P = (typeof PURPOSES)[number];
type Level = 'clear' | 'masked' | 'pseudonymized' | 'none';

const purposes = definePurposes(
  Object.fromEntries(
    PURPOSES.map((id) => [
      id,
      {
        description: `Purpose ${id} used by the property tests only`,
        legalBasis: { lgpd: 'contract' as const },
        retention: 'P1Y',
      },
    ]),
  ),
  { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'dpo@example.com' } } },
);
const key = new Uint8Array(32).fill(3);

type Spec =
  | { kind: 'leaf'; levels: Record<P, Level> | null; optional: boolean }
  | { kind: 'object'; fields: Record<string, Spec>; optional: boolean }
  | { kind: 'array'; element: Spec; optional: boolean };

const levelArb = fc.constantFrom<Level>('clear', 'masked', 'pseudonymized', 'none');
const levelsArb = fc
  .tuple(levelArb, levelArb, levelArb)
  .filter((ls) => ls.some((l) => l !== 'none'))
  .map(([a, b, c]) => ({ 'p.one': a, 'p.two': b, 'p.three': c }));

const { spec: specArb } = fc.letrec<{ spec: Spec; object: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), levels: fc.option(levelsArb, { nil: null }), optional: fc.boolean() }),
    tie('object'),
    fc.record({ kind: fc.constant('array' as const), element: tie('spec'), optional: fc.boolean() }),
  ),
  object: fc.record({
    kind: fc.constant('object' as const),
    fields: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), tie('spec'), { minKeys: 1, maxKeys: 4 }),
    optional: fc.boolean(),
  }),
}));
const rootArb = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), specArb, { minKeys: 1, maxKeys: 5 });

function toZod(spec: Spec): z.ZodType {
  let s: z.ZodType;
  if (spec.kind === 'leaf') {
    if (spec.levels === null) s = pd.none(z.string());
    else {
      const access = Object.fromEntries(Object.entries(spec.levels).filter(([, l]) => l !== 'none'));
      s = pd(z.string(), { category: 'user.name', purposes: access as Record<string, 'clear'> });
    }
  } else if (spec.kind === 'object') {
    s = z.object(Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, toZod(v)])));
  } else s = z.array(toZod(spec.element));
  return spec.optional ? s.optional() : s;
}

function dataArb(spec: Spec): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (spec.kind === 'leaf') arb = fc.string({ maxLength: 12 });
  else if (spec.kind === 'object') {
    arb = fc.record(Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, dataArb(v)])));
  } else arb = fc.array(dataArb(spec.element), { maxLength: 3 });
  return spec.optional ? fc.option(arb, { nil: undefined }) : arb;
}

/** Whether a spec node survives projection for a purpose (mirrors the documented rule: a structure whose fields are all hidden is hidden). */
function visible(spec: Spec, p: P): boolean {
  if (spec.kind === 'leaf') return spec.levels === null || spec.levels[p] !== 'none';
  if (spec.kind === 'object') return Object.values(spec.fields).some((f) => visible(f, p));
  return visible(spec.element, p);
}

/** Asserts that `out` holds nothing the purpose may not see, and that what it holds is at the declared level. */
function checkOutbound(spec: Spec, input: unknown, out: unknown, p: P, path: string): void {
  if (input === undefined) {
    expect(out, path).toBeUndefined();
    return;
  }
  if (spec.kind === 'leaf') {
    const level = spec.levels === null ? 'clear' : spec.levels[p];
    if (level === 'clear') expect(out, path).toBe(input);
    else if (level === 'masked') expect(out, path).toBe('***');
    else if (level === 'pseudonymized') expect(out, path).toMatch(/^pn_[A-Za-z0-9_-]{24}$/);
    else throw new Error(`hidden leaf reached at ${path}`);
    return;
  }
  if (spec.kind === 'array') {
    expect(Array.isArray(out), path).toBe(true);
    for (const [i, o] of (out as unknown[]).entries())
      checkOutbound(spec.element, (input as unknown[])[i], o, p, `${path}[${i}]`);
    return;
  }
  const o = out as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const child = Object.hasOwn(spec.fields, k) ? spec.fields[k] : undefined;
    expect(child, `${path}.${k} is not in the schema`).toBeDefined();
    expect(visible(child as Spec, p), `${path}.${k} is not visible to ${p}`).toBe(true);
    checkOutbound(child as Spec, (input as Record<string, unknown>)[k], o[k], p, `${path}.${k}`);
  }
  for (const [k, child] of Object.entries(spec.fields)) {
    const v = (input as Record<string, unknown>)[k];
    if (v !== undefined && visible(child, p)) expect(Object.hasOwn(o, k), `${path}.${k} visible but missing`).toBe(true);
  }
}

function build(shape: Record<string, Spec>): PurposefulSchema {
  return defineSchema('prop', z.object(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, toZod(v)]))), { purposes });
}

const caseArb = rootArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    data: fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, dataArb(v)]))),
    purpose: fc.constantFrom(...PURPOSES),
  }),
);

describe('minimize, for random schemas and data', () => {
  it('outbound never contains a field the purpose may not see, and shows the rest at the declared level', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, data, purpose }) => {
        const schema = build(shape);
        const out = minimize(schema, purpose, data, { direction: 'outbound', pseudonymKey: key });
        checkOutbound({ kind: 'object', fields: shape, optional: false }, data, out, purpose, '');
      }),
      { numRuns: 300 },
    );
  });

  it('inbound rejects every undeclared field and lists each path', () => {
    /** The paths inbound must reject: keys unknown to the schema and fields hidden from the purpose. */
    const expected = (spec: Spec, v: unknown, p: P, path: string, acc: string[]): void => {
      if (v === undefined || v === null) return;
      if (spec.kind === 'object') {
        for (const k of Object.keys(v as object)) {
          const child = Object.hasOwn(spec.fields, k) ? spec.fields[k] : undefined;
          const childPath = path ? `${path}.${k}` : k;
          const val = (v as Record<string, unknown>)[k];
          if (!child || !visible(child, p)) acc.push(childPath);
          else expected(child, val, p, childPath, acc);
        }
      } else if (spec.kind === 'array') for (const item of v as unknown[]) expected(spec.element, item, p, `${path}[]`, acc);
    };
    const withExtra = caseArb.chain((c) =>
      fc.record({ c: fc.constant(c), extra: fc.constantFrom('zz', 'x-y', 'constructor', '__proto__', 'toString') }),
    );
    fc.assert(
      fc.property(withExtra, ({ c: { shape, data, purpose }, extra }) => {
        const schema = build(shape);
        const input = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
        Object.defineProperty(input, extra, { value: 1, enumerable: true, configurable: true, writable: true });
        const paths: string[] = [];
        expected({ kind: 'object', fields: shape, optional: false }, input, purpose, '', paths);
        const want = paths.map((p) =>
          /^[A-Za-z_$][\w$]*$/.test(p.split(/[.[]/).at(-1) ?? '') ? p : p.replace(/\.?x-y$/, '["?"]'),
        );
        let thrown: unknown;
        let out: unknown;
        try {
          out = minimize(schema, purpose, input, { direction: 'inbound' });
        } catch (err) {
          thrown = err;
        }
        expect(isPurposefulError(thrown), `expected PF_UNDECLARED_FIELD, got ${String(thrown)}`).toBe(true);
        if (!isPurposefulError(thrown)) return;
        expect(thrown.code).toBe('PF_UNDECLARED_FIELD');
        expect([...thrown.paths].sort()).toEqual([...new Set(want)].sort());
        expect(out).toBeUndefined();
        // strip instead: the same input goes through without any of those keys
        const stripped = minimize(schema, purpose, input, { direction: 'inbound', undeclared: 'strip' });
        expect(Object.hasOwn(stripped, extra)).toBe(false);
        expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON except with a PurposefulError', () => {
    fc.assert(
      fc.property(
        rootArb,
        fc.jsonValue(),
        fc.constantFrom(...PURPOSES),
        fc.constantFrom('inbound', 'outbound') as fc.Arbitrary<'inbound' | 'outbound'>,
        (shape, data, purpose, direction) => {
          const schema = build(shape);
          try {
            minimize(schema, purpose, data, { direction, pseudonymKey: key });
          } catch (err) {
            expect(isPurposefulError(err), String(err)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
