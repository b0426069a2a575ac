/**
 * Fields declared neither with pd() nor with pd.none(): declared for no purpose by default (left out outbound,
 * rejected inbound with PF_UNDECLARED_FIELD), reported by defineSchema; `unannotated: 'allow'` (schema or engine)
 * keeps them flowing for every purpose while a schema migrates.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPurposeful,
  defineSchema,
  isPurposefulError,
  minimize,
  PurposefulError,
  type PurposefulSchema,
  pd,
} from '../../src/index.js';
import { codeOf, purposes } from '../helpers/fixtures.js';

const shape = () =>
  z.object({
    id: pd.none(z.string()),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
    priority: z.number(),
    meta: z.object({ source: z.string(), tags: z.array(z.string()) }),
    address: z.object({
      city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
      note: z.string().optional(),
    }),
  });
const record = {
  id: 't1',
  name: 'Ana',
  priority: 2,
  meta: { source: 'web', tags: ['a'] },
  address: { city: 'Recife', note: 'Rua das Flores 10' },
};
const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7' } } as const;

function thrown(fn: () => unknown): PurposefulError {
  try {
    fn();
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a PurposefulError');
}

async function rejection(p: Promise<unknown>): Promise<PurposefulError> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('by default an unannotated field is declared for no purpose', () => {
  const Ticket = defineSchema('ticket', shape(), { purposes });

  it('minimize outbound projects it away, at any depth', () => {
    expect(minimize(Ticket, 'support.ticket', record, { direction: 'outbound' })).toEqual({
      id: 't1',
      name: 'Ana',
      address: { city: 'Recife' },
    });
  });

  it('minimize inbound rejects it with PF_UNDECLARED_FIELD naming every path, never a value', () => {
    const err = thrown(() => minimize(Ticket, 'support.ticket', record, { direction: 'inbound' }));
    expect(err.code).toBe('PF_UNDECLARED_FIELD');
    expect(err.status).toBe(400);
    expect(err.paths).toEqual(['priority', 'meta', 'address.note']);
    expect(err.message).not.toContain('Flores');
    expect(err.message).not.toContain('web');
    expect(minimize(Ticket, 'support.ticket', record, { direction: 'inbound', undeclared: 'strip' })).toEqual({
      id: 't1',
      name: 'Ana',
      address: { city: 'Recife' },
    });
  });

  it('pf.inbound rejects it, and with undeclared: strip a required unannotated field does not fail validation', async () => {
    const pf = createPurposeful({ purposes, schemas: [Ticket] });
    const err = await rejection(pf.inbound(Ticket, record, ctx));
    expect(err.code).toBe('PF_UNDECLARED_FIELD');
    expect(err.paths).toEqual(['priority', 'meta', 'address.note']);
    const stripping = createPurposeful({ purposes, schemas: [Ticket], undeclared: 'strip' });
    // `priority` and `meta` are required by zod, yet not received: the purpose's schema leaves them out
    expect(await stripping.inbound(Ticket, { id: 't1', name: 'Ana', address: { city: 'Recife' } }, ctx)).toEqual({
      id: 't1',
      name: 'Ana',
      address: { city: 'Recife' },
    });
  });

  it('pf.outbound projects it away', async () => {
    const pf = createPurposeful({ purposes, schemas: [Ticket] });
    expect(await pf.outbound(Ticket, record, ctx)).toEqual({ id: 't1', name: 'Ana', address: { city: 'Recife' } });
  });

  it('the structure declared inside pd.none() and pd() still goes out as declared', () => {
    const S = defineSchema(
      'inside',
      z.object({
        settings: pd.none(z.object({ theme: z.string(), flags: z.array(z.boolean()) })),
        home: pd(z.object({ city: z.string() }), { category: 'user.contact.address', purposes: ['support.ticket'] }),
      }),
      { purposes },
    );
    const data = { settings: { theme: 'dark', flags: [true] }, home: { city: 'Recife' } };
    expect(minimize(S, 'support.ticket', data, { direction: 'outbound' })).toEqual(data);
    expect(minimize(S, 'support.ticket', data, { direction: 'inbound' })).toEqual(data);
    expect(S.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED')).toEqual([]);
  });

  it('a union of pd.none() and an unannotated option lets out only what pd.none() declares', () => {
    const S = defineSchema('mixed', z.object({ ref: z.union([pd.none(z.number()), z.string()]) }), { purposes });
    expect(minimize(S, 'support.ticket', { ref: 7 }, { direction: 'outbound' })).toEqual({ ref: 7 });
    expect(codeOf(() => minimize(S, 'support.ticket', { ref: 'Ana Silva' }, { direction: 'outbound' }))).toBe(
      'PF_OUTPUT_INVALID',
    );
  });

  it('defineSchema reports each one once, as a warning placed at its defineSchema call', () => {
    const line = Number(new Error().stack?.split('\n')[1]?.match(/:(\d+):\d+\)?$/)?.[1]) + 1;
    const S = defineSchema('placed', shape(), { purposes });
    const found = S.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED');
    expect(found.map((p) => [p.path, p.severity])).toEqual([
      ['priority', 'warning'],
      ['meta', 'warning'],
      ['address.note', 'warning'],
    ]);
    for (const p of found) {
      expect(p.declaredAt).toMatch(new RegExp(`unannotated\\.test\\.ts:${line}:\\d+$`));
      expect(p.message).toContain('declared for no purpose');
      expect(p.message).toContain('pd.none()');
    }
    // a name that suggests personal data is reported once, by the stronger hint
    const T = defineSchema('hinted', z.object({ taxNumber: z.string() }), { purposes });
    expect(T.problems.map((p) => [p.code, p.path])).toEqual([['PF_DECL_LIKELY_PERSONAL', 'taxNumber']]);
    expect(T.problems[0]?.message).toContain('declared for no purpose');
  });
});

describe("unannotated: 'allow' keeps the fields flowing for every purpose (migration)", () => {
  const Legacy = defineSchema('legacy', shape(), { purposes, unannotated: 'allow' });

  it('outbound and inbound keep them as before', async () => {
    expect(minimize(Legacy, 'support.ticket', record, { direction: 'outbound' })).toEqual(record);
    expect(minimize(Legacy, 'support.ticket', record, { direction: 'inbound' })).toEqual(record);
    const pf = createPurposeful({ purposes, schemas: [Legacy] });
    expect(await pf.inbound(Legacy, record, ctx)).toEqual(record);
    expect(await pf.outbound(Legacy, record, ctx)).toEqual(record);
  });

  it('still reports each field, saying that it flows for every purpose', () => {
    const found = Legacy.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED');
    expect(found.map((p) => p.path)).toEqual(['priority', 'meta', 'address.note']);
    for (const p of found) {
      expect(p.severity).toBe('warning');
      expect(p.message).toContain("with unannotated: 'allow' it flows in and out for every purpose");
    }
  });

  it('at the engine, for the schemas that do not say; a schema that says wins', async () => {
    const Plain = defineSchema('plain', shape(), { purposes });
    const Strict = defineSchema('strict', shape(), { purposes, unannotated: 'deny' });
    const pf = createPurposeful({ purposes, schemas: [Plain, Strict, Legacy], unannotated: 'allow' });
    expect(await pf.outbound(Plain, record, ctx)).toEqual(record);
    expect(await pf.inbound(Plain, record, ctx)).toEqual(record);
    expect(await pf.outbound(Strict, record, ctx)).toEqual({ id: 't1', name: 'Ana', address: { city: 'Recife' } });
    expect((await rejection(pf.inbound(Strict, record, ctx))).code).toBe('PF_UNDECLARED_FIELD');
    // and an engine that denies leaves a schema that allows as it is
    const denying = createPurposeful({ purposes, schemas: [Plain, Legacy], unannotated: 'deny' });
    expect(await denying.outbound(Legacy, record, ctx)).toEqual(record);
    expect(await denying.outbound(Plain, record, ctx)).toEqual({ id: 't1', name: 'Ana', address: { city: 'Recife' } });
  });

  it('the same schema in two engines keeps each engine’s behaviour (plans are cached per mode)', async () => {
    const Shared = defineSchema('shared', shape(), { purposes });
    const allow = createPurposeful({ purposes, schemas: [Shared], unannotated: 'allow' });
    const deny = createPurposeful({ purposes, schemas: [Shared] });
    expect(await allow.outbound(Shared, record, ctx)).toEqual(record);
    expect(await deny.outbound(Shared, record, ctx)).toEqual({ id: 't1', name: 'Ana', address: { city: 'Recife' } });
    expect(await allow.outbound(Shared, record, ctx)).toEqual(record);
  });

  it('an unknown value is refused with a stable code', () => {
    const bad = thrown(() =>
      defineSchema('bad', shape(), { purposes, unannotated: 'yes' as never } as { purposes: typeof purposes }),
    );
    expect(bad.code).toBe('PF_DECLARATION_INVALID');
    expect(bad.problems.map((p) => p.code)).toEqual(['PF_DECL_INVALID']);
    expect(bad.message).toContain("unannotated must be 'deny' (the default) or 'allow'");
    const schema: PurposefulSchema = defineSchema('ok', shape(), { purposes });
    const engine = thrown(() => createPurposeful({ purposes, schemas: [schema], unannotated: 'off' as never }));
    expect(engine.code).toBe('PF_OPTIONS_INVALID');
    expect(engine.message).toContain("unannotated must be 'deny' (the default) or 'allow'");
    expect(engine).toBeInstanceOf(PurposefulError);
  });
});

describe('a union option that is neither pd() nor pd.none(), beside an annotated option', () => {
  const age = pd(z.number(), { category: 'user.demographic.age_range', purposes: ['support.ticket'] });
  const masked = pd(z.number(), { category: 'user.demographic.age_range', purposes: { 'support.ticket': 'masked' } });
  const unionShape = () =>
    z.object({
      id: pd.none(z.string()),
      age: z.union([age, z.string()]),
      ages: z.array(z.union([age, z.boolean()])).optional(),
      band: z.union([masked, z.string()]).optional(),
    });
  const U = defineSchema('union-option', unionShape(), { purposes });
  const leak = 'Ana Souza, CPF 529.982.247-25';

  it('minimize outbound refuses a value only the unannotated option accepts, naming the path and not the value', () => {
    expect(minimize(U, 'support.ticket', { id: '1', age: 42 }, { direction: 'outbound' })).toEqual({ id: '1', age: 42 });
    for (const data of [
      { id: '1', age: leak },
      { id: '1', age: 1, ages: [1, true] },
      { id: '1', age: 1, band: leak },
    ]) {
      const err = thrown(() => minimize(U, 'support.ticket', data, { direction: 'outbound' }));
      expect(err.code).toBe('PF_OUTPUT_INVALID');
      expect(err.message).not.toContain('Ana');
    }
    expect(
      thrown(() => minimize(U, 'support.ticket', { id: '1', age: 1, ages: [1, true] }, { direction: 'outbound' })).paths,
    ).toEqual(['ages[]']);
  });

  it('pf.outbound and pf.open do not let it out, as pf.inbound does not let it in', async () => {
    const pf = createPurposeful({ purposes, schemas: [U] });
    for (const run of [() => pf.outbound(U, { id: '1', age: leak }, ctx), () => pf.open(U, { id: '1', age: leak }, ctx)]) {
      const err = await rejection(run());
      expect(err.code).toBe('PF_OUTPUT_INVALID');
      expect(err.paths).toEqual(['age']);
      expect(err.message).not.toContain('Ana');
    }
    expect(await pf.outbound(U, { id: '1', age: 42, ages: [3] }, ctx)).toEqual({ id: '1', age: 42, ages: [3] });
    expect((await rejection(pf.inbound(U, { id: '1', age: leak }, ctx))).code).toBe('PF_VALIDATION_FAILED');
  });

  it('defineSchema reports the option as a warning at the field, so check --strict fails', () => {
    const found = U.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED');
    expect(found.map((p) => [p.path, p.severity]).sort()).toEqual([
      ['age', 'warning'],
      ['ages[]', 'warning'],
      ['band', 'warning'],
    ]);
    expect(found[0]?.message).toContain('neither pd() nor pd.none()');
    expect(found[0]?.message).toContain('declared for no purpose');
    // the same for pd.none(): a union of pd.none() and an unannotated option
    const N = defineSchema('none-option', z.object({ ref: z.union([pd.none(z.number()), z.string()]) }), { purposes });
    expect(N.problems.map((p) => [p.code, p.path])).toEqual([['PF_DECL_UNANNOTATED', 'ref']]);
  });

  it('an option that holds no value (z.null(), z.undefined()) is no undeclared data: not reported, received and sent', async () => {
    const email = pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] });
    const S = defineSchema('nullable-option', z.object({ id: pd.none(z.string()), email: z.union([email, z.null()]) }), {
      purposes,
    });
    expect(S.problems).toEqual([]);
    const pf = createPurposeful({ purposes, schemas: [S] });
    expect(await pf.inbound(S, { id: '1', email: null }, ctx)).toEqual({ id: '1', email: null });
    expect(await pf.outbound(S, { id: '1', email: null }, ctx)).toEqual({ id: '1', email: null });
    expect(await pf.outbound(S, { id: '1', email: 'a@b.c' }, ctx)).toEqual({ id: '1', email: 'a@b.c' });
  });

  it('a transform after pd() or pd.none() is not a union option: its output still goes out', () => {
    const S = defineSchema(
      'transformed',
      z.object({
        id: pd.none(z.string()),
        nameLength: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }).transform((s) => s.length),
        refLength: pd.none(z.string()).transform((s) => s.length),
      }),
      { purposes },
    );
    expect(S.problems).toEqual([]);
    const stored = { id: '1', nameLength: 3, refLength: 4 };
    expect(minimize(S, 'support.ticket', stored, { direction: 'outbound' })).toEqual(stored);
  });

  it("with unannotated: 'allow' the option flows with the field, and is still reported", async () => {
    const A = defineSchema('union-option-allow', unionShape(), { purposes, unannotated: 'allow' });
    const pf = createPurposeful({ purposes, schemas: [A] });
    expect(await pf.outbound(A, { id: '1', age: 'forty', ages: [true] }, ctx)).toEqual({
      id: '1',
      age: 'forty',
      ages: [true],
    });
    expect(await pf.inbound(A, { id: '1', age: 'forty' }, ctx)).toEqual({ id: '1', age: 'forty' });
    const found = A.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED');
    expect(found.map((p) => p.path).sort()).toEqual(['age', 'ages[]', 'band']);
    expect(found[0]?.message).toContain("unannotated: 'allow'");
  });
});
