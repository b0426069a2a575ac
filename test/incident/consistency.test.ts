/**
 * The incident register and report cannot say what is not so: a registration
 * date the caller chose, "no relevant risk" from a criterion never checked, a
 * notification later than the communication the entry keeps, a controller
 * without its CNPJ.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type IncidentFacts,
  type IncidentScope,
  incidentDeadlines,
  incidentEntry,
  incidentReport,
  memoryIncidentRegister,
  scopeIncident,
} from '../../src/incident/index.js';
import { definePurposes, defineSchema, isPurposefulError, pd } from '../../src/index.js';
import { controller } from '../helpers/fixtures.js';

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
    },
  },
  { controller: { ...controller, id: '11.222.333/0001-81' } },
);
const Customer = defineSchema(
  'cust',
  z.object({
    id: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

const knownAt = new Date('2026-11-30T12:00:00Z');
const dump = { from: '2026-11-28T00:00:00Z', to: '2026-11-29T00:00:00Z', exposedStores: [{ schema: 'cust', subjects: 9000 }] };
const facts = (extra: Partial<IncidentFacts> = {}): IncidentFacts => ({
  id: 'I',
  title: 'Dump of the customer table',
  description: 'A customer table was dumped.',
  knownAt,
  communicatedAt: new Date('2026-12-01T12:00:00Z'),
  risks: 'Phishing',
  measures: [],
  contact: { contact: 'dpo@acme.example' },
  controller: purposes.controller as NonNullable<typeof purposes.controller>,
  ...extra,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isPurposefulError(e) ? { code: e.code, paths: e.paths } : String(e);
  }
  return 'no error';
};

const entry = {
  id: 'INC-1',
  title: 'Lost laptop',
  knownAt: '2026-11-29T12:00:00.000Z',
  circumstances: 'Laptop stolen',
  data: { categories: ['user.name'], sensitiveCategories: [] },
  subjects: 340,
  riskAssessment: 'Disk encrypted, key not exposed (LGPD Art. 48 §3).',
  notified: false,
  reason: 'no relevant risk',
};

describe('the register sets the registration date (Res. CD/ANPD 15/2024 Art. 10)', () => {
  it('Res. CD/ANPD 15/2024 Art. 10: a caller-given registeredAt cannot backdate the registration and shorten the five years', async () => {
    const register = memoryIncidentRegister();
    await expect(register.add({ ...entry, registeredAt: '2001-01-01T00:00:00.000Z' })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['registeredAt'], article: 'Res. CD/ANPD 15/2024 Art. 10' }),
    );
    // not even a plausible date is taken without saying where it comes from
    await expect(register.add({ ...entry, registeredAt: '2026-11-30T12:00:00.000Z' })).rejects.toThrow(
      expect.objectContaining({ paths: ['registeredAt'] }),
    );
    // carried over from an earlier register: no earlier than the knowledge, no later than now
    for (const registeredAt of ['2001-01-01T00:00:00.000Z', '2026-11-29T11:59:59.999Z', '2999-01-01T00:00:00.000Z']) {
      await expect(register.add({ ...entry, registeredAt }, { carriedOver: true })).rejects.toThrow(
        expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['registeredAt'] }),
      );
    }
    expect(await register.list()).toEqual([]);
    await register.add({ ...entry, registeredAt: '2026-11-29T12:00:00.000Z' }, { carriedOver: true });
    expect((await register.get('INC-1'))?.registeredAt).toBe('2026-11-29T12:00:00.000Z');
    await expect(register.remove('INC-1', new Date('2031-11-29T11:59:59Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    // without one, the register dates it now
    const before = Date.now();
    await register.add({ ...entry, id: 'INC-2' });
    expect(Date.parse((await register.get('INC-2'))?.registeredAt as string)).toBeGreaterThanOrEqual(before);
  });
});

describe('relevant risk is not concluded from a criterion never checked (Res. CD/ANPD 15/2024 Art. 5)', () => {
  it('Res. CD/ANPD 15/2024 Art. 5 II, §2: unknown ages and no large-scale threshold leave relevant risk not determined, not "none … whatever its effect"', async () => {
    const scope = await scopeIncident({ ...dump, significantEffect: true }, { schemas: [Customer] });
    expect(scope.subjects.ageGroups).toMatchObject({ unknown: 9000 });
    expect(scope.criteria.childrenAdolescentsOrElderly).toBeUndefined(); // minors: 'never' does not rule out elderly people
    expect(scope.criteria.largeScale).toBeUndefined(); // the regulation sets no number, and the controller gave none
    expect(scope.criteriaUndetermined.map((u) => u.criterion)).toEqual(['childrenAdolescentsOrElderly', 'largeScale']);
    expect(scope.relevantRisk).toBeUndefined();
    const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(markdown).not.toContain('whatever its effect');
    expect(markdown).toContain(
      'Criteria not determined: data of children, adolescents or elderly people (the ages of 9000 subject(s) are unknown',
    );
    expect(markdown).toContain('no large-scale threshold was set');
    expect(json.relevantRisk).toMatchObject({ relevant: null, conclusion: expect.stringContaining('not determined') });
  });

  it("Res. CD/ANPD 15/2024 Art. 5 II, §2: with the controller's findings the test is determined, and large scale is the controller's threshold", async () => {
    const scope = (extra: Record<string, unknown>, largeScaleSubjects: number) =>
      scopeIncident({ ...dump, significantEffect: true, ...extra }, { schemas: [Customer], rules: { largeScaleSubjects } });
    const none = await scope({ childrenAdolescentsOrElderly: false }, 10_000);
    expect(none.criteriaUndetermined).toEqual([]);
    expect(none.relevantRisk).toBe(false);
    const report = incidentReport({ facts: facts(), scope: none, deadlines: incidentDeadlines({ knownAt }) });
    expect(report.markdown).toContain('Every criterion of Res. CD/ANPD 15/2024 Art. 5 was determined and none holds');
    const big = await scope({ childrenAdolescentsOrElderly: false }, 5_000);
    expect(big.relevantRisk).toBe(true);
    expect(incidentReport({ facts: facts(), scope: big, deadlines: incidentDeadlines({ knownAt }) }).markdown).toContain(
      "data at large scale, by the controller's threshold of 5000 subjects",
    );
    expect((await scope({ childrenAdolescentsOrElderly: true }, 10_000)).criteriaMet).toEqual(['childrenAdolescentsOrElderly']);
  });
});

describe('a register entry agrees with the report it keeps (Res. CD/ANPD 15/2024 Art. 10 §1 VII; LGPD Art. 48 §1 V)', () => {
  const scope = {
    window: { from: '2026-11-29T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' },
    events: 0,
    actors: [],
    purposes: [],
    affectedPurposes: [],
    subjects: {
      count: 10,
      unreferenced: 0,
      refs: [],
      fromStores: 10,
      ageGroups: { children: 0, adolescents: 0, elderly: 0, unknown: 10 },
    },
    categories: ['user.financial'],
    sensitiveCategories: [],
    exposedFields: [],
    criteria: {} as IncidentScope['criteria'],
    criteriaMet: ['financialData'],
    criteriaUndetermined: [],
    largeScaleThreshold: undefined,
    significantEffect: true,
    relevantRisk: true,
  } satisfies IncidentScope;

  it('Res. CD/ANPD 15/2024 Art. 10 §1 VII; LGPD Art. 48 §1 V: an entry notified later than the report says it was communicated is refused', async () => {
    const report = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(report.markdown).toContain('within the deadline');
    const late = new Date('2026-12-20T12:00:00Z');
    expect(codeOf(() => incidentEntry(report, { notified: true, notifiedAt: late, means: ['ANPD form'] }))).toEqual({
      code: 'PF_INPUT_INVALID',
      paths: ['notifiedAt'],
    });
    // the report made for that time is late, and needs its reasons
    expect(
      codeOf(() => incidentReport({ facts: facts({ communicatedAt: late }), scope, deadlines: incidentDeadlines({ knownAt }) })),
    ).toEqual({
      code: 'PF_INCIDENT_DELAY_UNEXPLAINED',
      paths: ['delayReasons'],
    });
    // the entry's notification is the report's communication
    const register = memoryIncidentRegister();
    await register.add(incidentEntry(report, { notified: true, means: ['ANPD form'] }));
    expect((await register.get('I'))?.notifiedAt).toBe('2026-12-01T12:00:00.000Z');
    // and a report that states a communication is not registered as not notified
    expect(codeOf(() => incidentEntry(report, { notified: false, reason: 'no relevant risk' }))).toMatchObject({
      code: 'PF_INPUT_INVALID',
    });
  });

  it('LGPD Art. 48 §1 V: a report without communicatedAt is a draft, states no timeliness, and is not registered as notified', () => {
    const now = new Date(); // drafted at once: its deadline has not ended
    const draft = incidentReport({
      facts: facts({ knownAt: now, communicatedAt: undefined }),
      scope,
      deadlines: incidentDeadlines({ knownAt: now }),
    });
    expect(draft.json).toMatchObject({ draft: true, communicatedAt: null, timeliness: { anpd: null } });
    expect(draft.markdown).toContain('Draft: not communicated to the ANPD yet');
    expect(draft.markdown).not.toContain('within the deadline');
    expect(codeOf(() => incidentEntry(draft, { notified: true, notifiedAt: new Date(), means: ['ANPD form'] }))).toEqual({
      code: 'PF_INPUT_INVALID',
      paths: ['communicatedAt'],
    });
    expect(incidentEntry(draft, { notified: false, reason: 'no relevant risk' })).toMatchObject({ notified: false });
  });
});

describe("the controller's CNPJ or CPF (Res. CD/ANPD 15/2024 Art. 6 §2 IX)", () => {
  it('Res. CD/ANPD 15/2024 Art. 6 §2 IX: controller.id is declared once, checked by its check digits, and named in the report', async () => {
    const scope = await scopeIncident({ ...dump, significantEffect: false }, { schemas: [Customer] });
    const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(json.controller).toMatchObject({ name: 'ACME Ltda', id: '11.222.333/0001-81' });
    expect(markdown).toContain('ACME Ltda (11.222.333/0001-81)');
    const declare = (id: unknown) => () =>
      definePurposes(
        { 'support.ticket': { description: 'Answer the customer', legalBasis: { lgpd: 'contract' }, retention: 'P1Y' } },
        {
          controller: { ...controller, id } as never,
        },
      );
    expect(declare('529.982.247-25')).not.toThrow(); // a CPF, for a natural person
    for (const bad of ['11.222.333/0001-82', '12345', 7]) {
      expect(declare(bad)).toThrow(
        expect.objectContaining({
          code: 'PF_DECLARATION_INVALID',
          problems: expect.arrayContaining([
            expect.objectContaining({ code: 'PF_DECL_INVALID', article: 'Res. CD/ANPD 15/2024 Art. 6 §2 IX' }),
          ]),
        }),
      );
    }
  });
});
