import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addBusinessDays,
  incidentDeadlines,
  incidentReport,
  isBusinessDay,
  memoryIncidentRegister,
  scopeIncident,
} from '../../src/incident/index.js';
import {
  accessLogPurpose,
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  memoryAccessLogSink,
  memoryKeyStore,
  pd,
} from '../../src/index.js';

const brt = (s: string) => new Date(`${s}-03:00`);

describe('LGPD deadlines in business days (Brasília)', () => {
  it('Res. CD/ANPD 15/2024 Art. 6 §1: skip 20 November, a national holiday since 2024 (Lei 14.759/2023)', () => {
    expect(isBusinessDay('2026-11-20')).toBe(false);
    const d = incidentDeadlines({ knownAt: brt('2026-11-19T10:00:00') });
    expect(d.lgpd.anpd.toISOString()).toBe('2026-11-26T02:59:59.999Z'); // Mon 23, Tue 24, Wed 25
    expect(d.lgpd.subjects).toEqual(d.lgpd.anpd);
    expect(d.lgpd.businessDays).toBe(3);
  });

  it('Res. CD/ANPD 15/2024 Art. 6: count Carnival as a business day unless it is listed as a day off', () => {
    const known = brt('2027-02-05T16:00:00'); // Friday before Carnival
    expect(incidentDeadlines({ knownAt: known }).lgpd.anpd.toISOString()).toBe('2027-02-11T02:59:59.999Z');
    const closed = incidentDeadlines({ knownAt: known, extraNonBusinessDays: ['2027-02-08', '2027-02-09'] });
    expect(closed.lgpd.anpd.toISOString()).toBe('2027-02-13T02:59:59.999Z'); // Wed 10, Thu 11, Fri 12
  });

  it('Res. CD/ANPD 15/2024 Art. 6: skip Good Friday and the year end', () => {
    expect(incidentDeadlines({ knownAt: brt('2027-03-25T18:00:00') }).lgpd.anpd.toISOString()).toBe('2027-04-01T02:59:59.999Z');
    expect(addBusinessDays(brt('2026-12-30T12:00:00'), 3).toISOString()).toBe('2027-01-06T02:59:59.999Z');
    // known late on 31 December, Brasília time, which is already 1 January in UTC
    expect(addBusinessDays(new Date('2027-01-01T01:30:00Z'), 1).toISOString()).toBe('2027-01-05T02:59:59.999Z');
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §3, §8 and 9 §3, §6: double for a small agent unless its processing is high-risk (Res. 2/2022 Art. 3 I); complement and public notice', () => {
    const known = brt('2026-11-23T09:00:00');
    expect(incidentDeadlines({ knownAt: known, smallAgent: true }).lgpd).toMatchObject({ businessDays: 6 });
    expect(incidentDeadlines({ knownAt: known, smallAgent: true, highRisk: true }).lgpd).toMatchObject({ businessDays: 3 });
    const d = incidentDeadlines({
      knownAt: known,
      notifiedAt: brt('2026-11-25T09:00:00'),
      publicNoticeAt: new Date('2026-12-01T00:00:00Z'),
    });
    expect(d.lgpd.complement?.toISOString()).toBe('2026-12-24T02:59:59.999Z'); // 20 business days after 25 Nov
    // put up on 30 November, Brasília time: three months end on 1 March, February having no 30th (Lei 810/1949 Art. 3)
    expect(d.lgpd.publicNoticeUntil?.toISOString()).toBe('2027-03-02T02:59:59.999Z');
  });

  it('GDPR Art. 33(1): 72 hours to the minute, across a daylight-saving change', () => {
    const known = new Date('2027-03-26T10:00:00Z'); // Lisbon moves to summer time on 28 March
    const due = incidentDeadlines({ knownAt: known }).gdpr.authority;
    expect(due.getTime() - known.getTime()).toBe(72 * 3_600_000);
    const lisbon = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: 'Europe/Lisbon', hour: '2-digit', minute: '2-digit' });
    expect([lisbon(known), lisbon(due)]).toEqual(['10:00', '11:00']);
  });

  it('Res. CD/ANPD 15/2024 Art. 6: deadlines end on a business day, later for more days (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 25 }),
        (from, n) => {
          const due = addBusinessDays(from, n);
          const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(due);
          expect(isBusinessDay(day)).toBe(true);
          expect(addBusinessDays(from, n + 1).getTime()).toBeGreaterThan(due.getTime());
          expect(due.getTime()).toBeGreaterThan(from.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §1: refuse a knowledge date or a day off that is not a date', () => {
    expect(() => incidentDeadlines({ knownAt: new Date('nope') })).toThrow(/knownAt/);
    expect(() => incidentDeadlines({ knownAt: new Date(), extraNonBusinessDays: ['8/2/2027'] })).toThrow(/YYYY-MM-DD/);
  });
});

describe('scoping an incident', () => {
  const purposes = definePurposes(
    {
      'support.ticket': {
        description: 'Answer the customer about their support request',
        legalBasis: { lgpd: 'contract', gdpr: 'contract' },
        sensitiveBasis: { lgpd: 'health_protection', gdpr: 'health_care' },
        retention: 'P2Y',
      },
      'security.access_log': accessLogPurpose({
        retention: 'P5Y',
        legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      }),
    },
    { controller: { name: 'ACME', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } } },
  );
  const Customer = defineSchema(
    'customer',
    z.object({
      id: pd.none(z.string()),
      name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
      iban: pd(z.string().optional(), { category: 'user.financial.bank_account', purposes: ['support.ticket'], encrypt: true }),
      health: pd(z.string().optional(), { category: 'user.health_and_medical', purposes: ['support.ticket'], encrypt: true }),
    }),
    { purposes, subject: { kind: 'customer', id: 'id', minors: 'possible' }, recordId: 'id' },
  );

  async function history() {
    const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(1) });
    const pf = createPurposeful({
      purposes,
      schemas: [Customer],
      audit,
      keys: await generateKeyring(),
      keyStore: memoryKeyStore(),
    });
    const bulk = { id: 'agent-13', roles: [], mfa: false };
    for (let i = 0; i < 30; i++)
      await pf.outbound(Customer, { id: `c${i}`, name: 'Ana' }, { purpose: 'support.ticket', actor: bulk });
    await pf.outbound(Customer, { id: 'c99', name: 'Bia' }, { purpose: 'support.ticket', actor: { id: 'agent-2', mfa: true } });
    await audit.flush();
    return audit;
  }

  it('Res. CD/ANPD 15/2024 Art. 5, 6 §2 II: from the access log, whom one actor read, their ages, the criteria', async () => {
    const audit = await history();
    const ages: Record<string, number> = { c0: 10, c1: 15, c2: 70, c3: 40 };
    const scope = await scopeIncident(
      { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', actors: ['agent-13'] },
      {
        log: audit,
        schemas: [Customer],
        identify: async (refs) => {
          const out = new Map<string, { id: string; age?: number }>();
          for (let i = 0; i < 30; i++) {
            const ref = audit.subjectRef(`c${i}`);
            if (refs.includes(ref)) out.set(ref, { id: `c${i}`, ...(ages[`c${i}`] !== undefined ? { age: ages[`c${i}`] } : {}) });
          }
          return out;
        },
        rules: { largeScaleSubjects: 25 },
      },
    );
    expect(scope.events).toBe(30);
    expect(scope.actors).toEqual(['agent-13']);
    expect(scope.subjects.count).toBe(30);
    expect(scope.subjects.toNotify).toHaveLength(30);
    expect(scope.subjects.ageGroups).toEqual({ children: 1, adolescents: 1, elderly: 1, unknown: 26 });
    expect(scope.categories).toEqual(['user.financial.bank_account', 'user.health_and_medical', 'user.name']);
    expect(scope.criteria).toEqual({
      sensitiveData: true,
      childrenAdolescentsOrElderly: true,
      financialData: true,
      authenticationData: false,
      secrecyProtectedData: true,
      largeScale: true,
    });
  });

  it('LGPD Art. 48 §3: from a dump that bypassed the engine, encrypted fields stay unintelligible unless their keys were exposed', async () => {
    const input = {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      exposedStores: [{ schema: 'customer', subjects: 120_000 }],
    };
    const scope = await scopeIncident(input, { schemas: [Customer], rules: { largeScaleSubjects: 100_000 } });
    expect(scope.subjects).toMatchObject({ count: 120_000, fromStores: 120_000, refs: [] });
    expect(scope.exposedFields.map((f) => [f.path, f.intelligible])).toEqual([
      ['name', true],
      ['iban', false],
      ['health', false],
    ]);
    expect(scope.criteria).toMatchObject({
      sensitiveData: false,
      financialData: false,
      largeScale: true,
      childrenAdolescentsOrElderly: true,
    });
    const keysToo = await scopeIncident({ ...input, compromisedKeyIds: ['kek-2026'] }, { schemas: [Customer] });
    expect(keysToo.criteria).toMatchObject({ sensitiveData: true, financialData: true });
    expect(keysToo.exposedFields[1]?.why).toContain('kek-2026');
    await expect(
      scopeIncident({ ...input, exposedStores: [{ schema: 'nope', subjects: 1 }] }, { schemas: [Customer] }),
    ).rejects.toThrow(/no schema "nope"/);
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §2 II: counts reads of records that name no subject, one each', async () => {
    const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(2) });
    for (let i = 0; i < 4; i++) {
      audit.record({
        time: '2026-11-29T10:00:00.000Z',
        action: 'open',
        decision: 'allow',
        actor: { id: 'job', roles: [], mfa: false },
        schema: 'customer',
        fields: ['name'],
        categories: ['user.name'],
        sensitive: false,
        purpose: 'support.ticket',
      });
    }
    const scope = await scopeIncident(
      { from: '2026-11-29T00:00:00Z', to: '2026-11-30T00:00:00Z' },
      { log: audit, schemas: [Customer] },
    );
    expect(scope.subjects).toMatchObject({ count: 4, unreferenced: 4, refs: [] });
  });

  it('LGPD Art. 48 §1, Res. CD/ANPD 15/2024 Art. 6 §2 and GDPR Art. 33(3): the report has their contents, without identifying anyone', async () => {
    const audit = await history();
    const knownAt = brt('2026-11-29T09:00:00');
    const scope = await scopeIncident(
      { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', actors: ['agent-13'] },
      { log: audit, schemas: [Customer] },
    );
    const { json, markdown } = incidentReport({
      facts: {
        id: 'INC-2026-014',
        title: 'Bulk read by a compromised agent account',
        description: 'An agent account read customer records far beyond its tickets.',
        knownAt,
        risks: 'Phishing aimed at the customers whose data were read.',
        measures: ['Account blocked by the anomaly watch', 'Sessions revoked'],
        contact: { name: 'Encarregada de Dados', contact: 'dpo@acme.example' },
        controller: { name: 'ACME Ltda' },
        communicatedAt: brt('2026-12-01T10:00:00'),
      },
      scope,
      deadlines: incidentDeadlines({ knownAt }),
    });
    for (const heading of [
      'Art. 48 §1 I',
      'Art. 48 §1 II',
      'Art. 48 §1 III',
      'Art. 48 §1 IV',
      'Art. 48 §1 V',
      'Art. 48 §1 VI',
      'Art. 33(3)(b)',
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('30 subject(s)');
    expect(markdown).toContain('2026-12-03T02:59:59.999Z');
    expect(json).toMatchObject({ id: 'INC-2026-014', subjects: { count: 30 }, deadlines: { businessDays: 3 } });
    expect(`${markdown}${JSON.stringify(json)}`).not.toMatch(/"c\d+"|\bc\d+\b|Ana/);
  });
});

describe('the incident register', () => {
  const entry = {
    id: 'INC-1',
    title: 'Laptop lost; disk encrypted',
    knownAt: '2026-11-29T12:00:00.000Z',
    registeredAt: '2026-11-29T12:00:00.000Z', // carried over from an earlier register
    circumstances: 'A support laptop was stolen from a car.',
    data: { categories: ['user.name'], sensitiveCategories: [] },
    subjects: 340,
    riskAssessment: 'The disk was encrypted and its key was not exposed (LGPD Art. 48 §3).',
    notified: false,
    reason: 'the disk was encrypted and its key was not exposed: no relevant risk',
  };

  it('Res. CD/ANPD 15/2024 Art. 10: keeps every incident, notified or not, and refuses removal within five years', async () => {
    const register = memoryIncidentRegister();
    await register.add(entry, { carriedOver: true });
    await expect(register.add(entry, { carriedOver: true })).rejects.toThrow(/already registered/);
    await expect(register.add({ ...entry, id: 'INC-2', reason: undefined } as never)).rejects.toThrow(/reason/);
    const updated = await register.update('INC-1', {
      notified: true,
      notifiedAt: '2026-11-30T12:00:00.000Z',
      communication: { means: ['ANPD electronic form'], content: 'the report' },
    });
    expect(updated).toMatchObject({ id: 'INC-1', notified: true });
    expect(await register.list()).toHaveLength(1);
    await expect(register.remove('INC-1', new Date('2031-11-28T00:00:00Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    await register.remove('INC-1', new Date('2031-11-30T00:00:00Z'));
    expect(await register.get('INC-1')).toBeUndefined();
    expect(() => memoryIncidentRegister({ retention: 'P1Y' })).toThrow(/five years/);
  });
});
