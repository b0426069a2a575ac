/**
 * Issue 16, part 4: a correction (LGPD Art. 18 III; GDPR Art. 16) corrects
 * data; it never changes whose record it is or which record it is, and what
 * it stores is zod's output for the merged record, with nothing undeclared.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, Invoice, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  pd,
  rightsDesk,
} from '../../src/index.js';

/** A profile whose owner field is itself declared personal data (so it passes the "declared field" check today). */
const Profile = defineSchema(
  'profile',
  z.object({
    id: pd.none(z.string()),
    ownerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    nickname: pd(z.string().trim().toLowerCase(), { category: 'user.name', purposes: ['support.ticket'] }),
    address: z
      .object({
        city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
        geo: z.object({ lat: pd(z.number(), { category: 'user.location', purposes: ['support.ticket'] }) }).optional(),
      })
      .optional(),
    // a record keeps every key it is given: a prototype key in it must still be refused
    prefs: pd(z.record(z.string(), z.string()).optional(), { category: 'user.content', purposes: ['support.ticket'] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'ownerId' }, recordId: 'id' },
);

const subjectId = sampleCustomer.id;
const otherCustomer = '9a9a9a9a-0000-4000-8000-000000000009';

async function desk() {
  const tables = {
    profile: new Map<string, Record<string, unknown>>(),
    customer: new Map<string, Record<string, unknown>>(),
    invoice: new Map<string, Record<string, unknown>>(),
  };
  const source = (t: Map<string, Record<string, unknown>>, owner: string, id: string) => ({
    find: async (s: string) => [...t.values()].filter((r) => r[owner] === s),
    update: async (_s: string, row: Record<string, unknown>) => {
      t.set(String(row[id]), row);
    },
  });
  const pf = createPurposeful({
    consent: memoryConsentLedger(purposes),
    purposes,
    schemas: [Profile, Customer, Invoice],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    rights: rightsDesk({
      verify: () => true,
      sources: {
        profile: source(tables.profile, 'ownerId', 'id'),
        customer: source(tables.customer, 'id', 'id'),
        invoice: source(tables.invoice, 'customerId', 'number'),
      },
      recipients: { 'NF-e issuing service': () => {}, 'Survey platform': () => {} },
    }),
  });
  const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
  const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
  tables.profile.set(
    'p1',
    await pf.seal(Profile, { id: 'p1', ownerId: subjectId, nickname: 'jo', address: { city: 'Santos' } }, support),
  );
  tables.customer.set(subjectId, await pf.seal(Customer, sampleCustomer, support));
  tables.invoice.set(
    'NF-1',
    await pf.seal(
      Invoice,
      { number: 'NF-1', customerId: subjectId, taxId: sampleCustomer.cpf, amountCents: 100, issuedAt: '2026-01-01T00:00:00Z' },
      billing,
    ),
  );
  const request = await pf.rights.request({ subjectId, kind: 'correction', verification: 'ok' });
  return { pf, tables, id: request.id, support };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; status?: number; message?: string }> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  return { code: 'no error' };
}

describe('a correction cannot rewrite whose record it is', () => {
  it('the subject-id field is refused (422), even where it is declared personal data, and nothing is stored', async () => {
    const { pf, tables, id } = await desk();
    const before = { profile: tables.profile.get('p1'), invoice: tables.invoice.get('NF-1') };
    const owner = await codeOf(pf.rights.correct(id, { schema: 'profile', record: 'p1', patch: { ownerId: otherCustomer } }));
    expect(owner).toMatchObject({ code: 'PF_CORRECTION_INVALID', status: 422 });
    expect(owner.message).toMatch(/ownerId/);
    expect(owner.message).not.toContain(otherCustomer);
    expect(await codeOf(pf.rights.correct(id, { schema: 'invoice', patch: { customerId: otherCustomer } }))).toMatchObject({
      code: 'PF_CORRECTION_INVALID',
    });
    // removing it (null in a merge patch) is refused too
    expect(await codeOf(pf.rights.correct(id, { schema: 'profile', record: 'p1', patch: { ownerId: null } }))).toMatchObject({
      code: 'PF_CORRECTION_INVALID',
    });
    expect(tables.profile.get('p1')).toBe(before.profile);
    expect(tables.invoice.get('NF-1')).toBe(before.invoice);
    expect([...tables.invoice.keys()]).toEqual(['NF-1']);
  });

  it('the record-id field is refused (422), declared or not', async () => {
    const { pf, id } = await desk();
    for (const [schema, patch] of [
      ['profile', { id: 'p2' }],
      ['invoice', { number: 'NF-2' }],
      ['customer', { id: otherCustomer }],
    ] as const) {
      expect(await codeOf(pf.rights.correct(id, { schema, patch }))).toMatchObject({
        code: 'PF_CORRECTION_INVALID',
        status: 422,
      });
    }
  });
});

describe('a correction stores zod’s output for the merged record, nothing undeclared', () => {
  it('an undeclared key at any depth is refused, not stored', async () => {
    const { pf, tables, id } = await desk();
    const stored = tables.customer.get(subjectId);
    for (const patch of [
      { address: { city: 'Campinas', notes: 'UNDECLARED' } },
      { address: { city: 'Campinas', postalCode: '13010-000', extra: { deep: 1 } } },
      { phone: '+55 11 90000-0000', bidx_cpf: 'k-forged' },
    ]) {
      const r = await codeOf(pf.rights.correct(id, { schema: 'customer', patch }));
      expect(r.code).toBe('PF_UNDECLARED_FIELD');
      expect(r.message).not.toMatch(/UNDECLARED|notes|extra|forged/);
    }
    const deep = await codeOf(
      pf.rights.correct(id, { schema: 'profile', record: 'p1', patch: { address: { city: 'X', geo: { lat: 1, alt: 2 } } } }),
    );
    expect(deep.code).toBe('PF_UNDECLARED_FIELD');
    expect(tables.customer.get(subjectId)).toBe(stored);
  });

  it('prototype keys are refused and pollute nothing', async () => {
    const { pf, tables, id } = await desk();
    const stored = tables.customer.get(subjectId);
    for (const json of [
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"address":{"city":"Campinas","constructor":{"prototype":{"polluted":"yes"}}}}',
      '{"address":{"city":"Campinas","__proto__":{"polluted":"yes"}}}',
      '{"__proto__":{"polluted":"yes"}}',
    ]) {
      const r = await codeOf(pf.rights.correct(id, { schema: 'customer', patch: JSON.parse(json) }));
      expect(['PF_UNDECLARED_FIELD', 'PF_INPUT_INVALID']).toContain(r.code);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tables.customer.get(subjectId)).toBe(stored);
  });

  it('prototype keys are refused at any depth, even where a record would keep them', async () => {
    const { pf, tables, id } = await desk();
    const stored = tables.profile.get('p1');
    for (const patch of ['{"prefs":{"constructor":"x"}}', '{"prefs":{"lang":"pt","prototype":"y"}}']) {
      const r = await codeOf(pf.rights.correct(id, { schema: 'profile', record: 'p1', patch: JSON.parse(patch) }));
      expect(r.code).toBe('PF_UNDECLARED_FIELD');
    }
    expect(tables.profile.get('p1')).toBe(stored);
    // an ordinary key of the record is a correction like any other
    const ok = await pf.rights.correct(id, { schema: 'profile', record: 'p1', patch: { prefs: { lang: 'pt' } } });
    expect([...ok.changed]).toEqual(['prefs']);
  });

  it('what is stored is the parsed record: transforms applied, declared nested keys kept', async () => {
    const { pf, tables, id, support } = await desk();
    const result = await pf.rights.correct(id, {
      schema: 'profile',
      record: 'p1',
      patch: { nickname: '  JOCA  ', address: { city: 'Campinas', geo: { lat: -22.9 } } },
    });
    expect([...result.changed].sort()).toEqual(['address.city', 'address.geo.lat', 'nickname']);
    const row = tables.profile.get('p1') as Record<string, unknown>;
    expect(row).toEqual({ id: 'p1', ownerId: subjectId, nickname: 'joca', address: { city: 'Campinas', geo: { lat: -22.9 } } });
    expect(await pf.open(Profile, row, support)).toMatchObject({ nickname: 'joca' });
    // a correction of an encrypted field in a nested record still seals it again, with its blind index
    const c = await pf.rights.correct(id, {
      schema: 'customer',
      patch: { address: { city: 'Campinas' }, cpf: '111.444.777-35' },
    });
    expect([...c.changed].sort()).toEqual(['address.city', 'cpf']);
    const customer = tables.customer.get(subjectId) as Record<string, unknown>;
    expect(String(customer.cpf)).toMatch(/^pf1\./);
    expect(customer.bidx_cpf).toEqual(pf.indexFor(Customer, 'cpf', '111.444.777-35')[0]);
    expect(Object.keys(customer).filter((k) => !(k in sampleCustomer))).toEqual(['bidx_cpf']);
  });
});

describe('a correction passes the declaration check pf.inbound does (LGPD Art. 18 III; GDPR Art. 16)', () => {
  /** `address.note` is annotated with neither pd() nor pd.none(): under the default it is declared for no purpose. */
  const Contact = defineSchema(
    'contact',
    z.object({
      id: pd.none(z.string()),
      ownerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
      address: z
        .object({
          city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['billing.invoice'] }),
          kind: pd.none(z.enum(['home', 'work'])).optional(),
          note: z.string().optional(),
          geo: z
            .object({ lat: z.number(), lng: pd(z.number(), { category: 'user.location', purposes: ['support.ticket'] }) })
            .optional(),
        })
        .optional(),
    }),
    { purposes, subject: { kind: 'customer', id: 'ownerId' }, recordId: 'id' },
  );
  const cpf = '529.982.247-25';
  const stored = { id: 'c1', ownerId: subjectId, address: { city: 'Santos', kind: 'home', geo: { lat: 1, lng: 2 } } };

  async function contactDesk(unannotated?: 'allow') {
    const table = new Map<string, Record<string, unknown>>([['c1', structuredClone(stored)]]);
    const told: unknown[] = [];
    const pf = createPurposeful({
      purposes,
      schemas: [Contact],
      ...(unannotated ? { unannotated } : {}),
      rights: rightsDesk({
        verify: () => true,
        sources: {
          contact: {
            find: async (s: string) => [...table.values()].filter((r) => r.ownerId === s),
            update: async (_s: string, row: Record<string, unknown>) => void table.set(String(row.id), row),
          },
        },
        recipients: { 'NF-e issuing service': (n) => void told.push(n) },
      }),
    });
    const request = await pf.rights.request({ subjectId, kind: 'correction', verification: 'ok' });
    return { pf, table, told, id: request.id };
  }

  it('an unannotated nested field is refused as pf.inbound refuses it: the path named, never the value; nothing stored or passed on', async () => {
    const { pf, table, told, id } = await contactDesk();
    const inbound = await codeOf(
      pf.inbound(
        Contact,
        { ...stored, address: { city: 'Santos', note: cpf } },
        { purpose: 'billing.invoice', actor: { id: 'a', roles: ['billing'] } },
      ),
    );
    expect(inbound.code).toBe('PF_UNDECLARED_FIELD');
    for (const patch of [
      { address: { note: cpf } },
      { address: { city: 'Campinas', note: cpf } },
      { address: { note: 5 } },
      { address: { geo: { lat: 3 } } },
    ]) {
      const r = await codeOf(pf.rights.correct(id, { schema: 'contact', patch }));
      expect(r.code).toBe('PF_UNDECLARED_FIELD');
      expect(r.message).toMatch(/address\.(note|geo\.lat)/);
      expect(r.message).not.toContain(cpf);
    }
    expect(table.get('c1')).toEqual(stored);
    expect(told).toEqual([]);
  });

  it('declared fields nested beside it are corrected, and the unannotated values the row holds are kept', async () => {
    const { pf, table, told, id } = await contactDesk();
    table.set('c1', { ...structuredClone(stored), address: { ...stored.address, note: 'kept by the application' } });
    const ok = await pf.rights.correct(id, { schema: 'contact', patch: { address: { city: 'Campinas', kind: 'work' } } });
    expect([...ok.changed]).toEqual(['address.city']);
    expect((table.get('c1') as { address: unknown }).address).toEqual({
      city: 'Campinas',
      kind: 'work',
      note: 'kept by the application',
      geo: { lat: 1, lng: 2 },
    });
    expect(told).toHaveLength(1);
  });

  it('in a strict object too: written by the patch, the unannotated key is an undeclared field; held by the row, the correction is refused', async () => {
    const Strict = defineSchema(
      'strict',
      z.object({
        id: pd.none(z.string()),
        ownerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
        address: z.strictObject({
          city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
          note: z.string().optional(),
        }),
      }),
      { purposes, subject: { kind: 'customer', id: 'ownerId' }, recordId: 'id' },
    );
    const row = { id: 's1', ownerId: subjectId, address: { city: 'Santos' } };
    const table = new Map<string, Record<string, unknown>>([['s1', row]]);
    const pf = createPurposeful({
      purposes,
      schemas: [Strict],
      rights: rightsDesk({
        verify: () => true,
        sources: {
          strict: {
            find: async (s: string) => [...table.values()].filter((r) => r.ownerId === s),
            update: async (_s: string, r: Record<string, unknown>) => void table.set(String(r.id), r),
          },
        },
      }),
    });
    const { id } = await pf.rights.request({ subjectId, kind: 'correction', verification: 'ok' });
    const written = await codeOf(pf.rights.correct(id, { schema: 'strict', patch: { address: { note: cpf } } }));
    expect(written.code).toBe('PF_UNDECLARED_FIELD');
    expect(written.message).toMatch(/address\.note/);
    expect(written.message).not.toContain(cpf);
    expect(table.get('s1')).toBe(row);
    const held = { ...row, address: { city: 'Santos', note: 'written by the application' } };
    table.set('s1', held);
    expect((await codeOf(pf.rights.correct(id, { schema: 'strict', patch: { address: { city: 'Campinas' } } }))).code).toBe(
      'PF_VALIDATION_FAILED',
    );
    expect(table.get('s1')).toBe(held);
  });

  it("with unannotated: 'allow', the engine's mode is followed: the unannotated field is corrected", async () => {
    const { pf, table, id } = await contactDesk('allow');
    await pf.rights.correct(id, { schema: 'contact', patch: { address: { note: 'x' } } });
    expect((table.get('c1') as { address: { note?: string } }).address.note).toBe('x');
  });
});
