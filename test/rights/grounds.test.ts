/**
 * An erasure keeps what another lawful ground keeps, and only for that ground
 * (LGPD Art. 16 I–III, 7 VI / 11 II d; GDPR Art. 17(3)(b)–(e)): the answer
 * gives each retained field with its ground, its article and its end date; a
 * retained field opens only for the purposes whose ground keeps it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  definePurposes,
  defineSchema,
  ERASURE_GROUNDS,
  erasureGroundsOf,
  isPurposefulError,
  memoryConsentLedger,
  pd,
  RESTRICTION_COLUMN,
} from '../../src/index.js';
import { controller } from '../helpers/fixtures.js';
import { Client, client, ctx, restrictedDesk, subjectId, verification } from './restricted-desk.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toMatch(/joana|529\.982|Joana|March/);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

const only = (row: Record<string, unknown> | undefined, ...keys: string[]) =>
  Object.fromEntries(Object.entries(row ?? {}).filter(([k]) => keys.includes(k)));

afterEach(() => {
  vi.useRealTimers();
});

describe('LGPD Art. 16; GDPR Art. 17(3): what a ground keeps opens only for that ground', () => {
  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): reproduction: after an erasure, the support desk no longer sees the name and CPF kept for billing.invoice', async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const { Customer, purposes } = await import('../../examples/support-desk/declarations.js');
    const { sampleCustomer } = await import('../../examples/support-desk/sample.js');
    const { createPurposeful, rightsDesk, generateKeyring, memoryKeyStore } = await import('../../src/index.js');
    const rows = new Map<string, Record<string, unknown>>();
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
      rights: rightsDesk({
        verify: () => true,
        sources: {
          customer: {
            find: async (id) => (rows.has(id) ? [rows.get(id) as Record<string, unknown>] : []),
            update: async (id, row) => {
              rows.set(id, row);
            },
          },
        },
        recipients: { 'NF-e issuing service': () => {}, 'Survey platform': () => {} },
      }),
    });
    const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
    rows.set(sampleCustomer.id, await pf.seal(Customer, sampleCustomer, support));
    const r = await pf.rights.request({ subjectId: sampleCustomer.id, kind: 'erasure', verification: 'x' });
    await pf.rights.erase(r.id);
    const after = rows.get(sampleCustomer.id) as Record<string, unknown>;
    // what the support view of the kept fields would show: the name in clear, the CPF masked
    const kept = Object.fromEntries(Object.entries(after).filter(([k]) => !['email', 'accessibility'].includes(k)));
    await expect(pf.open(Customer, kept, support)).rejects.toMatchObject({ code: 'PF_SUBJECT_RESTRICTED' });
    await expect(pf.open(Customer, kept, billing)).resolves.toMatchObject({ name: sampleCustomer.name, cpf: sampleCustomer.cpf });
  });

  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): after the erasure, a field kept for billing.invoice no longer opens for support.ticket, in clear or encrypted', async () => {
    const { pf, clients } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await pf.rights.erase(r.id);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    // the name (in clear) and the cpf (under the retained key) are kept for billing: they open for billing only
    const kept = only(row, 'id', 'name', 'cpf', RESTRICTION_COLUMN);
    expect(await codeOf(pf.open(Client, kept, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    expect(await codeOf(pf.open(Client, only(row, 'id', 'name', RESTRICTION_COLUMN), ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    expect(
      await codeOf(
        pf.outbound(Client, { id: subjectId, name: client.name, [RESTRICTION_COLUMN]: row[RESTRICTION_COLUMN] }, ctx.support),
      ),
    ).toBe('PF_SUBJECT_RESTRICTED');
    await expect(pf.open(Client, kept, ctx.billing)).resolves.toEqual({ id: subjectId, name: client.name, cpf: client.cpf });
    // the erased email says so first
    expect(await codeOf(pf.open(Client, row, ctx.support))).toBe('PF_SUBJECT_ERASED');
  });

  it('LGPD Art. 16; GDPR Art. 17(3): the retained key itself refuses other purposes, for a copy of the row without the restriction, here and in another process', async () => {
    const { pf, other, sealed } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await pf.rights.erase(r.id);
    // the row as it was sealed before the erasure (a replica, another store): no restriction column, the key decides
    const copy = only(sealed, 'id', 'cpf', 'complaint');
    for (const engine of [pf, other(), pf]) {
      expect(await codeOf(engine.open(Client, copy, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
      await expect(engine.open(Client, copy, ctx.billing)).resolves.toMatchObject({ cpf: client.cpf });
      await expect(engine.open(Client, copy, ctx.defence)).resolves.toMatchObject({ complaint: client.complaint });
    }
  });

  it('LGPD Art. 7 VI, 16; GDPR Art. 17(3)(b), (e): the answer gives each retained field with each keeping purpose, its ground, article and end date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T12:00:00Z'));
    const { pf } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    const by = Object.fromEntries(answer.fields.map((f) => [f.field, f]));
    expect(Object.fromEntries(answer.fields.map((f) => [f.field, f.outcome]))).toEqual({
      id: 'retained',
      name: 'retained',
      cpf: 'retained',
      email: 'deleted',
      complaint: 'retained',
      score: 'deleted',
    });
    expect(by.complaint?.keptFor).toEqual([
      {
        purpose: 'legal.defence',
        ground: 'legal_claims',
        article: 'LGPD Art. 7 VI, 11 II d; GDPR Art. 17(3)(e)',
        until: '2029-11-28T12:00:00.000Z',
      },
    ]);
    expect(by.complaint?.reason).toBe(
      'LGPD Art. 7 VI, 11 II d; GDPR Art. 17(3)(e): kept for the exercise of rights in proceedings (consumer claims about the service (CDC Art. 27: five years): legal.defence, P3Y, until 2029-11-28 at the latest); it opens for no other purpose',
    );
    // the id is kept by both grounds: each is told, and the field's end is the later one
    expect(by.id?.keptFor?.map((k) => [k.purpose, k.ground, k.until])).toEqual([
      ['billing.invoice', 'legal_obligation', '2031-11-28T12:00:00.000Z'],
      ['legal.defence', 'legal_claims', '2029-11-28T12:00:00.000Z'],
    ]);
    expect(by.id?.until).toBe('2031-11-28T12:00:00.000Z');
    expect(answer.retainedUntil).toEqual([{ purposes: ['billing.invoice', 'legal.defence'], until: '2031-11-28T12:00:00.000Z' }]);
  });

  it('LGPD Art. 16; GDPR Art. 17(3): what a ground keeps stops opening once that purpose’s retention, counted from the erasure, ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T12:00:00Z'));
    const { pf, clients, sealed } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await pf.rights.erase(r.id);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z')); // past the defence's three years, within billing's five
    expect(await codeOf(pf.open(Client, only(row, 'id', 'complaint', RESTRICTION_COLUMN), ctx.defence))).toBe(
      'PF_SUBJECT_ERASED',
    );
    expect(await codeOf(pf.open(Client, only(sealed, 'id', 'complaint'), ctx.defence))).toBe('PF_SUBJECT_ERASED');
    await expect(pf.open(Client, only(row, 'id', 'name', 'cpf', RESTRICTION_COLUMN), ctx.billing)).resolves.toMatchObject({
      cpf: client.cpf,
    });
  });

  it('LGPD Art. 16; GDPR Art. 17(3): a record sealed for an erased subject carries the erasure, so its fields in clear stay restricted too', async () => {
    const { pf } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await pf.rights.erase(r.id);
    const fresh = await pf.seal(Client, { id: subjectId, name: client.name, cpf: client.cpf }, ctx.billing);
    expect(fresh[RESTRICTION_COLUMN]).toMatchObject({ erasedAt: expect.any(String) });
    expect(await codeOf(pf.open(Client, fresh, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    await expect(pf.open(Client, fresh, ctx.billing)).resolves.toMatchObject({ name: client.name });
    // and nothing but what billing keeps may be stored for it
    expect(await codeOf(pf.seal(Client, { id: subjectId, email: client.email }, ctx.support))).toBe('PF_SUBJECT_ERASED');
  });

  it('LGPD Art. 16; GDPR Art. 17(3): a restriction column that cannot be read fails closed', async () => {
    const { pf, sealed } = await restrictedDesk();
    for (const bad of ['erased', { erasedAt: 'yesterday' }, { blocked: 'all' }, { blocked: [{ request: 1 }] }]) {
      expect(await codeOf(pf.open(Client, { ...sealed, [RESTRICTION_COLUMN]: bad }, ctx.billing))).toBe('PF_SUBJECT_RESTRICTED');
    }
  });
});

describe('LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e): erasure grounds are declared per purpose and must fit its basis', () => {
  const base = { description: 'Keep the records this purpose is about', retention: 'P1Y' } as const;
  const problemsOf = (decl: Record<string, unknown>): string[] => {
    try {
      definePurposes({ 'x.y': { ...base, ...decl } as never }, { controller });
      return [];
    } catch (err) {
      if (!isPurposefulError(err)) throw err;
      return (err.problems ?? []).filter((p) => p.code === 'PF_DECL_ERASURE_GROUND_INVALID').map((p) => p.message);
    }
  };

  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): a legal obligation keeps data by default, other bases keep nothing unless they declare a ground', () => {
    expect(erasureGroundsOf({ ...base, legalBasis: { lgpd: 'legal_obligation' } })).toEqual(['legal_obligation']);
    expect(erasureGroundsOf({ ...base, legalBasis: { lgpd: 'contract', gdpr: 'contract' } })).toEqual([]);
    expect(erasureGroundsOf({ ...base, legalBasis: { lgpd: 'legal_obligation' }, keptOnErasure: [] })).toEqual([]);
    expect(ERASURE_GROUNDS.legal_obligation).toMatchObject({ lgpd: 'LGPD Art. 16 I', gdpr: 'GDPR Art. 17(3)(b)' });
    expect(ERASURE_GROUNDS.research).toMatchObject({ lgpd: 'LGPD Art. 16 II', gdpr: 'GDPR Art. 17(3)(d)' });
    expect(ERASURE_GROUNDS.transfer).toMatchObject({ lgpd: 'LGPD Art. 16 III' });
    expect(ERASURE_GROUNDS.legal_claims).toMatchObject({ lgpd: 'LGPD Art. 7 VI, 11 II d', gdpr: 'GDPR Art. 17(3)(e)' });
  });

  it('LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e): a ground that does not fit the basis, or has no article in a law the purpose is under, is refused', () => {
    expect(problemsOf({ legalBasis: { lgpd: 'contract' }, keptOnErasure: ['legal_obligation'] })[0]).toMatch(/LGPD Art\. 16 I/);
    expect(
      problemsOf({ legalBasis: { lgpd: 'legal_obligation', gdpr: 'contract' }, keptOnErasure: ['legal_obligation'] })[0],
    ).toMatch(/GDPR Art\. 17\(3\)\(b\)/);
    expect(problemsOf({ legalBasis: { lgpd: 'research' }, keptOnErasure: ['research'] })).toEqual([]);
    expect(problemsOf({ legalBasis: { lgpd: 'contract' }, keptOnErasure: ['research'] })[0]).toMatch(/LGPD Art\. 16 II/);
    // LGPD Art. 16 III has no GDPR counterpart, and needs someone to transfer to
    expect(
      problemsOf({
        legalBasis: { lgpd: 'contract', gdpr: 'contract' },
        keptOnErasure: ['transfer'],
        recipients: [{ name: 'Acquirer', role: 'controller', country: 'BR' }],
      })[0],
    ).toMatch(/exists only under LGPD/);
    expect(problemsOf({ legalBasis: { lgpd: 'contract' }, keptOnErasure: ['transfer'] })[0]).toMatch(/recipients/);
    // proceedings: the basis, or the claim declared
    expect(problemsOf({ legalBasis: { lgpd: 'contract' }, keptOnErasure: ['legal_claims'] })[0]).toMatch(/exercise_of_rights/);
    expect(problemsOf({ legalBasis: { lgpd: 'exercise_of_rights' }, keptOnErasure: ['legal_claims'] })).toEqual([]);
    expect(
      problemsOf({
        legalBasis: { gdpr: 'legitimate_interests' },
        keptOnErasure: ['legal_claims'],
        claim: 'chargebacks disputed with the card network',
      }),
    ).toEqual([]);
    expect(problemsOf({ legalBasis: { lgpd: 'exercise_of_rights' }, claim: 'lawsuits' })[0]).toMatch(/legal_claims/);
    // GDPR-only grounds need their GDPR basis
    expect(problemsOf({ legalBasis: { gdpr: 'public_task' }, keptOnErasure: ['public_task'] })).toEqual([]);
    expect(problemsOf({ legalBasis: { gdpr: 'contract' }, keptOnErasure: ['public_health'] })[0]).toMatch(/9\(2\)\(h\)/);
    // unknown, doubled, and LGPD Art. 16 IV (kept only once anonymized: a field's anonymize)
    expect(problemsOf({ legalBasis: { lgpd: 'legal_obligation' }, keptOnErasure: ['anonymized_use'] })[0]).toMatch(
      /Art\. 16 IV keeps data only once anonymized/,
    );
    expect(
      problemsOf({ legalBasis: { lgpd: 'legal_obligation' }, keptOnErasure: ['legal_obligation', 'legal_obligation'] })[0],
    ).toMatch(/twice/);
    expect(problemsOf({ legalBasis: { lgpd: 'legal_obligation' }, keptOnErasure: 'legal_obligation' })[0]).toMatch(/list/);
  });

  it('LGPD Art. 7 VI; GDPR Art. 17(3)(e): reproduction: legal_claims with a claim is refused on the operational purpose itself (a contract), which would go on using the data', () => {
    expect(
      problemsOf({
        legalBasis: { lgpd: 'contract', gdpr: 'contract' },
        keptOnErasure: ['legal_claims'],
        claim: 'consumer claims',
      })[0],
    ).toMatch(/purpose of its own/);
    expect(
      problemsOf({ legalBasis: { gdpr: 'contract' }, keptOnErasure: ['legal_claims'], claim: 'consumer claims' })[0],
    ).toMatch(/purpose of its own/);
  });

  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): reproduction: a legal obligation under the LGPD only keeps nothing by default and must be declared, never cites GDPR Art. 17(3)(b) for a legitimate-interest basis', () => {
    const decl = { ...base, legalBasis: { lgpd: 'legal_obligation', gdpr: 'legitimate_interests' }, obligation: 'CTN Art. 195' };
    expect(erasureGroundsOf(decl as never)).toEqual([]);
    expect(
      problemsOf({ legalBasis: { lgpd: 'legal_obligation', gdpr: 'legitimate_interests' }, obligation: 'CTN Art. 195' })[0],
    ).toMatch(/one law only/);
    expect(
      problemsOf({
        legalBasis: { lgpd: 'legal_obligation', gdpr: 'legitimate_interests' },
        obligation: 'CTN Art. 195',
        keptOnErasure: [],
      }),
    ).toEqual([]);
    expect(erasureGroundsOf({ ...base, legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' } })).toEqual([
      'legal_obligation',
    ]);
  });

  it('LGPD Art. 8 §5, 18 VI, IX; GDPR Art. 7(3): a purpose resting on consent keeps nothing on an erasure ground', () => {
    expect(
      problemsOf({
        legalBasis: { lgpd: 'consent' },
        notice: { version: '1' },
        keptOnErasure: ['legal_claims'],
        claim: 'disputes about the prize draw',
      })[0],
    ).toMatch(/consent is withdrawn/);
  });

  it('LGPD Art. 16: a legal-obligation purpose that declares keptOnErasure: [] keeps nothing, and the key class follows', async () => {
    const ps = definePurposes(
      {
        'billing.invoice': { ...base, legalBasis: { lgpd: 'legal_obligation' }, keptOnErasure: [] },
      },
      { controller },
    );
    const S = defineSchema(
      's',
      z.object({
        id: pd.none(z.string()),
        taxId: pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true }),
      }),
      { purposes: ps, subject: { kind: 'customer', id: 'id' }, recordId: 'id' },
    );
    const { createPurposeful, generateKeyring, memoryKeyStore } = await import('../../src/index.js');
    const pf = createPurposeful({
      consent: memoryConsentLedger(ps),
      purposes: ps,
      schemas: [S],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      encryption: { receipts: { key: new Uint8Array(32).fill(1), alg: 'HS256' } },
    });
    const billing = { purpose: 'billing.invoice', actor: { id: 'b' } } as const;
    const row = await pf.seal(S, { id: 'a1', taxId: '123' }, billing);
    const shred = await pf.shred('a1');
    expect(shred.retained).toEqual([]);
    expect(await codeOf(pf.open(S, row, billing))).toBe('PF_SUBJECT_ERASED');
  });
});
