// Regression tests from a review of the core: each case once let a field through
// to a purpose that may not see it, or let bad data through silently.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, defineSchema, generateKeyring, isPurposefulError, minimize, pd } from '../../src/index.js';
import { codeOf, purposes } from '../helpers/fixtures.js';

const secret = () => pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true });
const open = () => pd(z.string(), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] });
const out = (s: Parameters<typeof minimize>[0], data: unknown, roles?: string[]) =>
  minimize(s, 'support.ticket', data, { direction: 'outbound', ...(roles ? { roles } : {}) });

describe('recursive schemas keep their rules below the back-reference', () => {
  it('z.lazy inside an object', () => {
    const Node: z.ZodType = z.object({ name: open(), cpf: secret().optional(), children: z.array(z.lazy(() => Node)) });
    const S = defineSchema('r1', z.object({ root: Node }), { purposes });
    const data = { root: { name: 'n', cpf: 'TOP', children: [{ name: 'm', cpf: 'LEAK1', children: [] }] } };
    expect(JSON.stringify(out(S, data))).not.toContain('LEAK1');
    expect(out(S, data)).toEqual({ root: { name: 'n', children: [{ name: 'm', children: [] }] } });
    expect(
      codeOf(() =>
        minimize(
          S,
          'support.ticket',
          { root: { name: 'n', children: [{ name: 'm', cpf: 'x', junk: 1, children: [] }] } },
          { direction: 'inbound' },
        ),
      ),
    ).toBe('PF_UNDECLARED_FIELD');
  });

  it('getters returning a union with the object, or an optional lazy', () => {
    const G = z.object({
      cpf: secret().optional(),
      name: open(),
      get next() {
        return z.union([G, z.null()]);
      },
    });
    const H = z.object({
      cpf: secret().optional(),
      get next() {
        return z.lazy(() => H).optional();
      },
    });
    const S = defineSchema('r2', z.object({ g: G, h: H }), { purposes });
    const data = { g: { name: 'a', next: { name: 'b', cpf: 'LEAK2', next: null } }, h: { next: { cpf: 'LEAK3' } } };
    const text = JSON.stringify(out(S, data));
    expect(text).not.toContain('LEAK2');
    expect(text).not.toContain('LEAK3');
  });

  it('limits apply through the recursion', () => {
    const Node: z.ZodType = z.object({ name: open(), children: z.array(z.lazy(() => Node)) });
    const S = defineSchema('r3', z.object({ root: Node }), { purposes });
    let deep: unknown = { name: 'x', children: [] };
    for (let i = 0; i < 100; i++) deep = { name: 'x', children: [deep] };
    expect(codeOf(() => minimize(S, 'support.ticket', { root: deep }, { direction: 'inbound', maxDepth: 16 }))).toBe(
      'PF_LIMIT_EXCEEDED',
    );
  });
});

describe('role-dependent levels', () => {
  const phone = pd(z.string(), {
    category: 'user.contact.phone_number',
    mask: 'phone',
    purposes: { 'support.ticket': { default: 'masked', roles: { supervisor: 'clear', intern: 'none' } } },
  });
  const S = defineSchema('roles', z.object({ phone }), { purposes });
  const data = { phone: '+55 11 98765-4321' };

  it('a listed role gets its level, even when it is narrower than the default', () => {
    expect(out(S, data, ['intern'])).toEqual({});
    expect(out(S, data, ['supervisor'])).toEqual(data);
    expect(out(S, data, ['intern', 'supervisor'])).toEqual(data);
    expect(out(S, data, ['other'])).toEqual({ phone: '*********4321' });
    expect(out(S, data)).toEqual({ phone: '*********4321' });
    expect(codeOf(() => minimize(S, 'support.ticket', data, { direction: 'inbound', roles: ['intern'] }))).toBe(
      'PF_UNDECLARED_FIELD',
    );
  });
});

describe('outbound refuses values of the wrong shape at unannotated places', () => {
  // unannotated places flow only with unannotated: 'allow' (by default they are declared for no purpose)
  const shape = () => z.object({ note: z.string(), tags: z.array(z.string()), at: z.date().optional() });
  const S = defineSchema('shape', shape(), { purposes, unannotated: 'allow' });

  it('by default an unannotated place lets nothing out, whatever its value', () => {
    const D = defineSchema('shape', shape(), { purposes });
    expect(out(D, { note: { cpf: 'LEAK7' }, tags: ['a', { cpf: 'LEAK' }], at: new Date(0) })).toEqual({});
  });

  it('an object or an array where a scalar is declared', () => {
    // outbound data is the application's: a value of the wrong shape is a server error (issue 16, part 5)
    expect(codeOf(() => out(S, { note: { cpf: 'LEAK7' }, tags: [] }))).toBe('PF_OUTPUT_INVALID');
    expect(codeOf(() => out(S, { note: ['LEAK'], tags: [] }))).toBe('PF_OUTPUT_INVALID');
    expect(codeOf(() => out(S, { note: 'ok', tags: ['a', { cpf: 'LEAK' }] }))).toBe('PF_OUTPUT_INVALID');
    expect(out(S, { note: 'ok', tags: ['a'], at: new Date(0) })).toEqual({ note: 'ok', tags: ['a'], at: new Date(0) });
  });

  it('names the tuple index on a mismatch', () => {
    const T = defineSchema('tup', z.object({ t: z.tuple([z.object({ a: z.string() }), z.string()]) }), {
      purposes,
      unannotated: 'allow',
    });
    let err: unknown;
    try {
      out(T, { t: ['x', 'y'] });
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.paths).toEqual(['t[0]']);
  });
});

describe('inbound limits and errors', () => {
  const S = defineSchema(
    'json',
    z.object({ prefs: pd(z.array(z.json()), { category: 'user.content', purposes: ['support.ticket'] }) }),
    {
      purposes,
    },
  );
  const pf = createPurposeful({ purposes, schemas: [S], limits: { maxDepth: 8, maxNodes: 100 } });
  const ctx = { purpose: 'support.ticket', actor: { id: 'a' } } as const;

  it('limits count inside annotated values too', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50; i++) deep = [deep];
    await expect(pf.inbound(S, { prefs: [deep] }, ctx)).rejects.toMatchObject({ code: 'PF_LIMIT_EXCEEDED' });
    await expect(pf.inbound(S, { prefs: Array.from({ length: 1000 }, () => 1) }, ctx)).rejects.toMatchObject({
      code: 'PF_LIMIT_EXCEEDED',
    });
    await expect(pf.inbound(S, { prefs: [1, [2, { a: 3 }]] }, ctx)).resolves.toEqual({ prefs: [1, [2, { a: 3 }]] });
  });

  it('record keys never appear in validation paths', async () => {
    const R = defineSchema(
      'rec',
      z.object({
        contacts: z.record(z.string(), pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] })),
      }),
      {
        purposes,
      },
    );
    const pf2 = createPurposeful({ purposes, schemas: [R] });
    const err = await pf2.inbound(R, { contacts: { mariaDaSilvaSantos: 'not-an-email' } }, ctx).catch((e: unknown) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_VALIDATION_FAILED');
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('maria');
    expect(isPurposefulError(err) && err.paths).toEqual(['contacts{}']);
  });

  it('an intersection whose one side is hidden still validates the visible side', async () => {
    const I = defineSchema('inter', z.object({ x: z.intersection(z.object({ a: open() }), z.object({ b: secret() })) }), {
      purposes,
    });
    const pf3 = createPurposeful({ purposes, schemas: [I], keys: generateKeyring() });
    await expect(pf3.inbound(I, { x: { a: 'a' } }, ctx)).resolves.toEqual({ x: { a: 'a' } });
    await expect(pf3.inbound(I, {}, ctx)).rejects.toMatchObject({ code: 'PF_VALIDATION_FAILED' });
  });

  it('an undeclared purpose is not echoed back', () => {
    let err: unknown;
    try {
      minimize(S, '529.982.247-25' as never, {}, { direction: 'outbound' });
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.code).toBe('PF_PURPOSE_UNKNOWN');
    expect(String((err as Error).message)).not.toContain('529');
  });

  it('an annotated recursive value (z.json) is one field, not a nested annotation', () => {
    expect(S.fields.map((f) => f.path)).toEqual(['prefs']);
  });
});

describe('a polluted Object.prototype', () => {
  it('is refused rather than read as data or roles', async () => {
    const phone = pd(z.string(), {
      category: 'user.contact.phone_number',
      mask: 'phone',
      purposes: { 'support.ticket': { default: 'masked', roles: { supervisor: 'clear' } } },
    });
    const S = defineSchema('pollution', z.object({ phone, name: open().optional() }), { purposes });
    const pf = createPurposeful({ purposes, schemas: [S] });
    const proto = Object.prototype as Record<string, unknown>;
    proto.roles = ['supervisor'];
    proto.name = 'from the prototype';
    try {
      const err = await pf
        .outbound(S, { phone: '+55 11 98765-4321' }, { purpose: 'support.ticket', actor: { id: 'a' } })
        .catch((e: unknown) => e);
      expect(isPurposefulError(err) && err.code).toBe('PF_ENVIRONMENT_UNSAFE');
    } finally {
      delete proto.roles;
      delete proto.name;
    }
    await expect(
      pf.outbound(S, { phone: '+55 11 98765-4321' }, { purpose: 'support.ticket', actor: { id: 'a' } }),
    ).resolves.toEqual({
      phone: '*********4321',
    });
  });
});

describe('an undeclared key is named in errors only when it is a short identifier', () => {
  it('a long key, like data used as a key, is shown as ["?"]', () => {
    const S = defineSchema('r-keys', z.object({ name: open() }), { purposes });
    const paths = (key: string) => {
      try {
        minimize(S, 'support.ticket', { name: 'n', [key]: 1 }, { direction: 'inbound' });
      } catch (err) {
        return isPurposefulError(err) ? err.paths : [];
      }
      return [];
    };
    expect(paths('nickname')).toEqual(['nickname']);
    expect(paths(`k${'x'.repeat(500)}`)).toEqual(['["?"]']);
    expect(paths('joao.silva@example.com')).toEqual(['["?"]']);
  });
});
