import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePurposes, defineSchema, minimize, pd, toJSONSchema } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const email = () => pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] });
const taxId = () => pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true });

describe('the walker finds annotations wherever zod puts them', () => {
  it('through wrappers applied after pd(), and through .describe()/.meta() clones', () => {
    const s = defineSchema(
      'w',
      z.object({
        a: email().optional(),
        b: email().nullable(),
        c: email().default('x@example.com'),
        d: email().optional().readonly(),
        e: email().catch('x@example.com'),
        f: email().describe('contact e-mail'),
        g: email().meta({ title: 'g' }).nullish(),
      }),
      { purposes },
    );
    expect(s.fields.map((f) => f.path)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(s.fields.every((f) => f.category === 'user.contact.email')).toBe(true);
  });

  it('inside arrays, nested objects, tuples and records, with stable ids free of array markers', () => {
    const s = defineSchema(
      'w',
      z.object({
        contacts: z.array(z.object({ email: email(), tax: taxId() })),
        nested: z.object({ deeper: z.object({ email: email() }) }),
        pair: z.tuple([email(), taxId()]),
        byLabel: z.record(z.string(), z.object({ email: email() })),
      }),
      { purposes },
    );
    expect(s.fields.map((f) => [f.path, f.id])).toEqual([
      ['contacts[].email', 'contacts.email'],
      ['contacts[].tax', 'contacts.tax'],
      ['nested.deeper.email', 'nested.deeper.email'],
      ['pair[0]', 'pair.0'],
      ['pair[1]', 'pair.1'],
      ['byLabel{}.email', 'byLabel.email'],
    ]);
  });

  it('in unions of objects (merged by path), discriminated unions and both sides of a pipe', () => {
    const s = defineSchema(
      'w',
      z.object({
        who: z.discriminatedUnion('kind', [
          z.object({ kind: pd.none(z.literal('person')), email: email() }),
          z.object({ kind: pd.none(z.literal('company')), tax: taxId() }),
        ]),
        piped: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }).transform((v) => v.trim()),
      }),
      { purposes },
    );
    expect(s.fields.map((f) => f.path)).toEqual(['who.email', 'who.tax', 'piped']);
    const out = minimize(
      s,
      'support.ticket',
      { who: { kind: 'company', tax: '123', email: 'a@b.co' }, piped: ' x ' },
      {
        direction: 'outbound',
      },
    );
    expect(out).toEqual({ who: { kind: 'company', email: 'a@b.co' }, piped: ' x ' });
  });

  it('in recursive schemas: z.lazy and getters in the shape, without looping', () => {
    interface Node {
      email: string;
      children: Node[];
    }
    const Lazy: z.ZodType<Node> = z.lazy(() => z.object({ email: email(), children: z.array(Lazy) }));
    const Getter = z.object({
      tax: taxId(),
      get children() {
        return z.array(Getter);
      },
    });
    const s = defineSchema('tree', z.object({ lazy: Lazy, getter: Getter }), { purposes });
    expect(s.fields.map((f) => f.path)).toEqual(['lazy.email', 'getter.tax']);
    const tree = {
      lazy: { email: 'a@b.co', children: [{ email: 'c@d.co', children: [] }] },
      getter: { tax: '1', children: [{ tax: '2', children: [] }] },
    };
    expect(minimize(s, 'support.ticket', tree, { direction: 'outbound' })).toEqual({
      lazy: tree.lazy,
      getter: { children: [{ children: [] }] },
    });
    // the recursive part stays: a hidden leaf removes the field, not the structure around it
    expect(minimize(s, 'billing.invoice', tree, { direction: 'outbound' })).toEqual({
      lazy: { children: [{ children: [] }] },
      getter: tree.getter,
    });
  });

  it('a declared id survives a rename of the path', () => {
    const before = defineSchema(
      'c',
      z.object({ mail: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'], id: 'email' }) }),
      {
        purposes,
      },
    );
    const after = defineSchema(
      'c',
      z.object({ contactEmail: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'], id: 'email' }) }),
      { purposes },
    );
    expect(before.field('email')?.id).toBe(after.field('email')?.id);
    expect(after.field('contactEmail')?.path).toBe('contactEmail');
  });

  it('free text is encrypted by default; sensitivity follows the category', () => {
    const p = definePurposes(
      {
        'support.accessibility': {
          description: 'Adapt how we serve a customer who tells us about a disability',
          legalBasis: { lgpd: 'consent' },
          sensitiveBasis: { lgpd: 'consent' },
          notice: { version: '1' },
          retention: 'P2Y',
          mfa: 'sensitive',
        },
      },
      { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'dpo@example.com' } } },
    );
    const s = defineSchema(
      'x',
      z.object({
        message: pd(z.string(), { category: 'user.content', purposes: ['support.accessibility'], freeText: true }),
        dna: pd(z.string(), { category: 'user.health_and_medical.genetic', purposes: ['support.accessibility'], encrypt: true }),
      }),
      { purposes: p },
    );
    expect(s.field('message')).toMatchObject({ encrypt: true, freeText: true, sensitive: false });
    expect(s.field('dna')).toMatchObject({ sensitive: true, sensitiveKind: 'health' });
  });
});

describe('toJSONSchema', () => {
  it('annotates each personal field with x-personal-data, and pd.none() fields with false', () => {
    const s = defineSchema(
      'c',
      z.object({
        id: z.uuid(),
        channel: pd.none(z.enum(['chat', 'email'])),
        email: email().optional(),
        tax: pd(z.string(), {
          category: 'user.government_id',
          purposes: { 'billing.invoice': 'clear', 'support.ticket': 'masked' },
          encrypt: true,
          mask: 'cpf',
        }),
      }),
      { purposes },
    );
    const js = toJSONSchema(s, { target: 'openapi-3.1' }) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(js.properties.id?.['x-personal-data']).toBeUndefined();
    expect(js.properties.channel?.['x-personal-data']).toBe(false);
    expect(js.properties.email?.['x-personal-data']).toMatchObject({
      category: 'user.contact.email',
      sensitive: false,
      purposes: { 'support.ticket': 'clear' },
      retention: { 'support.ticket': 'P2Y' },
      encrypted: false,
    });
    expect(js.properties.tax?.['x-personal-data']).toMatchObject({
      purposes: { 'billing.invoice': 'clear', 'support.ticket': 'masked' },
      retention: { 'billing.invoice': 'P5Y', 'support.ticket': 'P2Y' },
      encrypted: true,
    });
    expect(js.required).toEqual(['id', 'channel', 'tax']);
  });
});
