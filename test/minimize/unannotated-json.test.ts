/**
 * Unannotated fields whose zod type is a union, a record, an array, a lazy (recursive or not) or an opaque value,
 * z.json() first among them: under the default (`unannotated: 'deny'`) they are declared for no purpose, whatever
 * the value holds: left out outbound (never an error, never a value), rejected inbound with PF_UNDECLARED_FIELD naming
 * the path (never the value), dropped with `undeclared: 'strip'` (a required one does not make the input invalid).
 * With `unannotated: 'allow'` they flow as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, defineSchema, isPurposefulError, minimize, type PurposefulError, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7' } } as const;
const subject = () => pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'] });

async function rejection(p: Promise<unknown>): Promise<PurposefulError> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('an unannotated z.json() field (the default: declared for no purpose)', () => {
  const Note = defineSchema(
    'note',
    z.object({
      id: pd.none(z.string()),
      subject: subject(),
      extra: z.json(),
    }),
    { purposes },
  );
  const pf = createPurposeful({ purposes, schemas: [Note] });

  const values: unknown[] = [{ a: 1 }, [1, 'x', null], 'text', 3, true, null, { deep: { list: [{ b: true }] } }, [[[]]], {}];
  it.for(values.map((v) => [JSON.stringify(v), v] as const))(
    'is left out of what goes out, whatever it holds (%s)',
    async ([, extra]) => {
      const view = await pf.outbound(Note, { id: 'n1', subject: 'Boleto', extra }, ctx);
      expect(view).toEqual({ id: 'n1', subject: 'Boleto' });
      expect(view).not.toHaveProperty('extra');
    },
  );

  it('for any JSON value, outbound leaves the field out and never throws (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (extra) => {
        const view = await pf.outbound(Note, { id: 'n1', subject: 'Boleto', extra }, ctx);
        expect(view).toEqual({ id: 'n1', subject: 'Boleto' });
        expect(minimize(Note, 'support.ticket', { id: 'n1', subject: 'Boleto', extra }, { direction: 'outbound' })).toEqual({
          id: 'n1',
          subject: 'Boleto',
        });
      }),
      { numRuns: 300 },
    );
  });
});

const Tree: z.ZodType = z.lazy(() => z.union([z.number(), z.array(Tree)]));
const Node = z.object({
  name: z.string(),
  get children() {
    return z.array(Node);
  },
});

/** Each shape with a value it accepts (holding a marker that must never appear in an error) and other values it may hold. */
const SHAPES = {
  'z.json()': { make: () => z.json(), value: { secret: 'SECRET-4711', list: [1, null] }, others: ['SECRET-4711', 3, null, []] },
  'z.union([z.string(), z.number()])': {
    make: () => z.union([z.string(), z.number()]),
    value: 'SECRET-4711',
    others: [4711, null, { a: 1 }, ['x']],
  },
  'z.record(z.string(), z.number())': {
    make: () => z.record(z.string(), z.number()),
    value: { 'SECRET-4711': 4711 },
    others: [{}, 'x', 3, null, [1]],
  },
  'z.array(z.number())': { make: () => z.array(z.number()), value: [4711], others: [[], 'x', 3, null, { a: 1 }] },
  'z.lazy(() => z.string())': { make: () => z.lazy(() => z.string()), value: 'SECRET-4711', others: [3, null, [], {}] },
  'a recursive z.lazy union': { make: () => Tree, value: [4711, [4711, []]], others: [4711, [], 'x', null, {}] },
  'a recursive z.object': {
    make: () => Node,
    value: { name: 'SECRET-4711', children: [{ name: 'SECRET-4711', children: [] }] },
    others: [{ name: 'x', children: [] }, { children: [{ children: [] }] }, 'x', 3, null, []],
  },
  'z.unknown()': { make: () => z.unknown(), value: { secret: 'SECRET-4711' }, others: ['SECRET-4711', 3, null, [{}]] },
  'z.any()': { make: () => z.any(), value: ['SECRET-4711'], others: ['SECRET-4711', 3, null, { a: [] }] },
} as const;

describe.each(Object.entries(SHAPES))('an unannotated %s field', (_name, { make, value, others }) => {
  const schema = (unannotated?: 'allow') =>
    defineSchema(
      'holder',
      z.object({
        id: pd.none(z.string()),
        subject: subject(),
        extra: make(),
        meta: z.object({ tag: pd.none(z.string()), extra: make() }),
        items: z.array(z.object({ n: pd.none(z.number()), extra: make() })),
      }),
      { purposes, ...(unannotated ? { unannotated } : {}) },
    );
  const Denied = schema();
  const Allowed = schema('allow');
  const record = (extra: unknown) => ({
    id: 'h1',
    subject: 'Boleto',
    extra,
    meta: { tag: 't', extra },
    items: [{ n: 1, extra }],
  });
  const projected = { id: 'h1', subject: 'Boleto', meta: { tag: 't' }, items: [{ n: 1 }] };

  it('is left out outbound, at the top and nested, whatever it holds, and never makes outbound throw', async () => {
    const pf = createPurposeful({ purposes, schemas: [Denied] });
    for (const extra of [value, ...others]) {
      expect(await pf.outbound(Denied, record(extra), ctx)).toEqual(projected);
      expect(minimize(Denied, 'support.ticket', record(extra), { direction: 'outbound' })).toEqual(projected);
    }
  });

  it('is rejected inbound with PF_UNDECLARED_FIELD naming each path, never the value', async () => {
    const pf = createPurposeful({ purposes, schemas: [Denied] });
    const err = await rejection(pf.inbound(Denied, record(value), ctx));
    expect(err.code).toBe('PF_UNDECLARED_FIELD');
    expect(err.paths).toEqual(['extra', 'meta.extra', 'items[].extra']);
    expect(err.message).not.toContain('4711');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('4711');
    for (const extra of others) {
      const e = await rejection(pf.inbound(Denied, record(extra), ctx));
      expect(e.code).toBe('PF_UNDECLARED_FIELD');
      expect(e.paths).toEqual(['extra', 'meta.extra', 'items[].extra']);
    }
  });

  it("with undeclared: 'strip' it is dropped, and being required does not make the input invalid", async () => {
    const pf = createPurposeful({ purposes, schemas: [Denied], undeclared: 'strip' });
    expect(await pf.inbound(Denied, record(value), ctx)).toEqual(projected);
    const { extra: _, ...without } = record(value);
    expect(await pf.inbound(Denied, { ...without, meta: { tag: 't' }, items: [{ n: 1 }] }, ctx)).toEqual(projected);
  });

  it("flows in and out as before with unannotated: 'allow'", async () => {
    const pf = createPurposeful({ purposes, schemas: [Allowed] });
    expect(await pf.inbound(Allowed, record(value), ctx)).toEqual(record(value));
    expect(await pf.outbound(Allowed, record(value), ctx)).toEqual(record(value));
  });
});

describe('an opaque value declared pd.none() (or unannotated under allow) goes out as it is', () => {
  const shape = () =>
    z.object({
      id: pd.none(z.string()),
      payload: pd.none(z.unknown()),
      anything: pd.none(z.any()),
      bag: pd.none(z.record(z.string(), z.unknown())),
    });
  const record = { id: 'o1', payload: { a: [1, 'x'] }, anything: 'text', bag: { k: { deep: true } } };

  it('is kept outbound, not dropped, and received inbound', async () => {
    for (const S of [
      defineSchema('opaque', shape(), { purposes }),
      defineSchema('opaque', shape(), { purposes, unannotated: 'allow' }),
    ]) {
      const pf = createPurposeful({ purposes, schemas: [S] });
      expect(await pf.outbound(S, record, ctx)).toEqual(record);
      expect(minimize(S, 'support.ticket', record, { direction: 'outbound' })).toEqual(record);
      expect(await pf.inbound(S, record, ctx)).toEqual(record);
    }
  });
});
