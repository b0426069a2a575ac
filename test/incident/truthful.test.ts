/**
 * What the incident module tells the ANPD, the subjects and a reviewer must be
 * true: deadlines as Res. CD/ANPD 15/2024 and 2/2022 write them, a report that
 * compares the communication with its deadline, claims about the access log only
 * when a verified log backs them, the cumulative test of Art. 5, and a register
 * that keeps each incident five years from its registration.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type IncidentAccessLog,
  type IncidentFacts,
  incidentDeadlines,
  incidentEntry,
  incidentReport,
  memoryIncidentRegister,
  scopeIncident,
} from '../../src/incident/index.js';
import {
  type AccessLogVerification,
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
const iso = (d: Date | undefined) => d?.toISOString();

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      sensitiveBasis: { lgpd: 'health_protection', gdpr: 'health_care' },
      retention: 'P2Y',
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
    },
    'security.access_log': accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
    }),
  },
  { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } } },
);
const Customer = defineSchema(
  'customer',
  z.object({
    id: pd.none(z.string()),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
    health: pd(z.string().optional(), { category: 'user.health_and_medical', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);
const Invoice = defineSchema(
  'invoice',
  z.object({
    id: pd.none(z.string()),
    customer: pd.none(z.string()),
    taxId: pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customer', minors: 'never' }, recordId: 'id' },
);

/** Ten reads by a compromised account, at 2026-11-28 10:00 UTC, for support.ticket. */
async function incidentLog() {
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(7) });
  for (let i = 0; i < 10; i++) {
    audit.record({
      time: '2026-11-28T10:00:00.000Z',
      action: 'open',
      decision: 'allow',
      actor: { id: 'agent-13', roles: [], mfa: false },
      subjectId: `c${i}`,
      schema: 'customer',
      fields: ['name'],
      categories: ['user.name'],
      sensitive: false,
      purpose: 'support.ticket',
    });
  }
  await audit.flush();
  return audit;
}

const knownAt = brt('2026-11-30T09:00:00'); // a Monday: the ANPD deadline ends on Thursday 3 December
const window = { from: '2026-11-28T00:00:00Z', to: '2026-11-29T00:00:00Z' };

function facts(extra: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    id: 'INC-2026-020',
    title: 'Bulk read by a compromised agent account',
    description: 'An agent account read customer records far beyond its tickets.',
    knownAt,
    occurredAt: new Date('2026-11-28T10:00:00Z'),
    risks: 'Phishing aimed at the customers whose names were read.',
    measures: ['Account blocked', 'Sessions revoked'],
    contact: { name: 'Encarregada de Dados', contact: 'dpo@acme.example' },
    controller: { name: 'ACME Ltda', id: 'CNPJ 11.222.333/0001-81' },
    communicatedAt: brt('2026-12-02T15:00:00'),
    ...extra,
  };
}

async function scoped(extra: Record<string, unknown> = {}) {
  const audit = await incidentLog();
  const scope = await scopeIncident({ ...window, actors: ['agent-13'], ...extra }, { log: audit, schemas: [Customer, Invoice] });
  return { audit, scope };
}

describe('deadlines as Res. CD/ANPD 15/2024 and 2/2022 write them', () => {
  it('Res. CD/ANPD 15/2024 Art. 6 §3 and §8: a small agent has 40 business days for the complement, not 20', () => {
    const notifiedAt = brt('2026-11-25T09:00:00');
    const normal = incidentDeadlines({ knownAt: brt('2026-11-23T09:00:00'), notifiedAt });
    const small = incidentDeadlines({ knownAt: brt('2026-11-23T09:00:00'), notifiedAt, smallAgent: true });
    expect(iso(normal.lgpd.complement)).toBe('2026-12-24T02:59:59.999Z'); // 20 business days after 25 Nov
    expect(small.lgpd).toMatchObject({ businessDays: 6, complementBusinessDays: 40, smallAgent: true });
    // 40 business days after 25 Nov: 25 December and 1 January are holidays
    expect(iso(small.lgpd.complement)).toBe('2027-01-23T02:59:59.999Z');
  });

  it('Res. CD/ANPD 2/2022 Art. 3 I: an agent whose processing is high-risk has no doubled deadline, complement included', () => {
    const d = incidentDeadlines({ knownAt: brt('2026-11-23T09:00:00'), smallAgent: true, highRisk: true });
    expect(d.lgpd).toMatchObject({ businessDays: 3, complementBusinessDays: 20, smallAgent: false });
  });

  it('Res. CD/ANPD 2/2022 Art. 14 II as rewritten by Res. 15/2024 Art. 2: no integrity exception; an option asking for one is refused, not ignored', () => {
    expect(incidentDeadlines({ knownAt, smallAgent: true }).lgpd.businessDays).toBe(6);
    expect(() => incidentDeadlines({ knownAt, smallAgent: true, integrityAtStake: true } as never)).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
  });

  it('Res. CD/ANPD 15/2024 Art. 9 §4: the declaration that the subjects were told is due 3 business days after their deadline', () => {
    const d = incidentDeadlines({ knownAt });
    expect(iso(d.lgpd.subjects)).toBe('2026-12-04T02:59:59.999Z'); // Thursday 3 December, Brasília
    expect(iso(d.lgpd.subjectsDeclaration)).toBe('2026-12-09T02:59:59.999Z'); // Tuesday 8 December
    const small = incidentDeadlines({ knownAt, smallAgent: true }); // subjects by Tuesday 8: Art. 9 §6
    expect(iso(small.lgpd.subjects)).toBe('2026-12-09T02:59:59.999Z');
    expect(iso(small.lgpd.subjectsDeclaration)).toBe('2026-12-12T02:59:59.999Z'); // Friday 11 December
  });

  it('Res. CD/ANPD 15/2024 Art. 9 §3: a public notice stays up at least three months, not 90 days', () => {
    // three months from 1 May 2027 (Brasília) end on 1 August; 90 days would end on 30 July
    const d = incidentDeadlines({ knownAt, publicNoticeAt: brt('2027-05-01T10:00:00') });
    expect(iso(d.lgpd.publicNoticeUntil)).toBe('2027-08-02T02:59:59.999Z');
    // a month that lacks the day: the term ends on the next day (Lei 810/1949 Art. 3)
    const end = incidentDeadlines({ knownAt, publicNoticeAt: brt('2026-11-30T10:00:00') });
    expect(iso(end.lgpd.publicNoticeUntil)).toBe('2027-03-02T02:59:59.999Z');
  });
});

describe('the report compares the communication with its deadline (LGPD Art. 48 §1 V)', () => {
  it('LGPD Art. 48 §1 V: a late communication without delayReasons is refused with a typed error', async () => {
    const { scope } = await scoped();
    const late = facts({ communicatedAt: brt('2026-12-07T11:00:00') }); // Monday: two business days late
    expect(() => incidentReport({ facts: late, scope, deadlines: incidentDeadlines({ knownAt }) })).toThrow(
      expect.objectContaining({ code: 'PF_INCIDENT_DELAY_UNEXPLAINED', article: expect.stringContaining('Art. 48 §1 V') }),
    );
  });

  it('LGPD Art. 48 §1 V; Res. CD/ANPD 15/2024 Art. 6 §2 V: a late communication with reasons says it is late, by how much, and why', async () => {
    const { scope } = await scoped();
    const delayReasons = 'The scope of the dump was confirmed by the hosting provider only on 4 December.';
    const { json, markdown } = incidentReport({
      facts: facts({ communicatedAt: brt('2026-12-07T11:00:00'), delayReasons }),
      scope,
      deadlines: incidentDeadlines({ knownAt }),
    });
    expect(json.timeliness.anpd).toMatchObject({
      late: true,
      deadline: '2026-12-04T02:59:59.999Z',
      communicatedAt: '2026-12-07T14:00:00.000Z',
      lateBy: { businessDays: 2, ms: (3 * 24 + 11) * 3_600_000 + 1 },
    });
    expect(markdown).toContain('late by 3 days 11 hours');
    expect(markdown).toContain('2 business day(s) after the last day of the deadline');
    expect(markdown).toContain(delayReasons);
    expect(markdown).not.toMatch(/within the deadline/);
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §2 V: only a communication within the deadline is said to be within it', async () => {
    const { scope } = await scoped();
    const { json, markdown } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(json.timeliness.anpd).toMatchObject({ late: false });
    expect(markdown).toContain('within the deadline');
  });

  it('Res. CD/ANPD 15/2024 Art. 9 IV: a late communication to the subjects needs reasons too', async () => {
    const { scope } = await scoped();
    const deadlines = incidentDeadlines({ knownAt });
    const subjectsLate = facts({ subjectsNotifiedAt: brt('2026-12-08T10:00:00') });
    expect(() => incidentReport({ facts: subjectsLate, scope, deadlines })).toThrow(
      expect.objectContaining({ code: 'PF_INCIDENT_DELAY_UNEXPLAINED' }),
    );
    const { json } = incidentReport({
      facts: { ...subjectsLate, delayReasons: 'Contact data had to be restored first.' },
      scope,
      deadlines,
    });
    expect(json.timeliness.subjects).toMatchObject({ late: true, lateBy: { businessDays: 3 } });
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §1: deadlines computed from another time of knowledge, or a communication before it, are refused', async () => {
    const { scope } = await scoped();
    const other = incidentDeadlines({ knownAt: brt('2026-12-01T09:00:00') });
    expect(() => incidentReport({ facts: facts(), scope, deadlines: other })).toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID' }),
    );
    expect(() =>
      incidentReport({
        facts: facts({ communicatedAt: brt('2026-11-29T09:00:00') }),
        scope,
        deadlines: incidentDeadlines({ knownAt }),
      }),
    ).toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
  });
});

describe('the access log is mentioned only when a verified log backs it (LGPD Art. 48 §1 III)', () => {
  const SENTENCE = /access log/i;
  const good = (verification: AccessLogVerification): IncidentAccessLog => ({
    verification,
    verifiedAt: new Date('2026-12-01T12:00:00Z'),
    purposes: ['support.ticket', 'billing.invoice'],
    since: new Date('2026-01-01T00:00:00Z'),
  });

  it('LGPD Art. 48 §1 III; Res. CD/ANPD 15/2024 Art. 6 §2 III: no access-log claim without a verification', async () => {
    const { scope } = await scoped();
    const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(markdown).not.toMatch(SENTENCE);
    expect(json.safeguards.join(' ')).not.toMatch(SENTENCE);
  });

  it('LGPD Art. 48 §1 III: the claim names the purposes and the verification, when the log was intact and in force for them', async () => {
    const { audit, scope } = await scoped();
    const verification = await audit.verify();
    const { markdown, json } = incidentReport({
      facts: facts(),
      scope,
      deadlines: incidentDeadlines({ knownAt }),
      accessLog: good(verification),
    });
    expect(json.accessLog).toMatchObject({ stated: true });
    expect(markdown).toMatch(SENTENCE);
    expect(markdown).toContain('support.ticket');
    expect(markdown).toContain('2026-12-01T12:00:00.000Z');
    expect(markdown).toContain('no signed checkpoint'); // verified without keys: a hash chain only
  });

  it('LGPD Art. 48 §1 III: no claim for a broken log, a purpose it did not cover, or a log that started after the incident', async () => {
    const { audit, scope } = await scoped();
    const verification = await audit.verify();
    const deadlines = incidentDeadlines({ knownAt });
    const broken: AccessLogVerification = {
      ...verification,
      ok: false,
      broken: { chain: 'x', seq: 3, reason: 'hash_mismatch', message: 'edited' },
    };
    for (const accessLog of [
      good(broken),
      { ...good(verification), purposes: ['billing.invoice'] },
      { ...good(verification), since: new Date('2026-11-28T12:00:00Z') },
      { ...good(verification), verifiedAt: new Date('2026-11-28T12:00:00Z') }, // before the window closed
    ]) {
      const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines, accessLog });
      expect(markdown).not.toMatch(SENTENCE);
      expect(json.accessLog).toMatchObject({ stated: false });
    }
  });

  it('LGPD Art. 48 §1 III: a dump that bypassed the engine brings its purposes into the claim, which must cover them', async () => {
    const { audit, scope } = await scoped({ exposedStores: [{ schema: 'invoice', subjects: 40 }] });
    expect(scope.affectedPurposes).toEqual(['billing.invoice', 'support.ticket']);
    const verification = await audit.verify();
    const deadlines = incidentDeadlines({ knownAt });
    const onlyTickets = incidentReport({
      facts: facts(),
      scope,
      deadlines,
      accessLog: { ...good(verification), purposes: ['support.ticket'] },
    });
    expect(onlyTickets.markdown).not.toMatch(SENTENCE);
    const both = incidentReport({ facts: facts(), scope, deadlines, accessLog: good(verification) });
    expect(both.markdown).toMatch(SENTENCE);
    expect(both.markdown).toContain('not in it'); // the dump itself is not an access through the engine
  });
});

describe('the contents of Res. CD/ANPD 15/2024 Art. 6 §2', () => {
  it('Res. CD/ANPD 15/2024 Art. 6 §2 VII, IX, X, XI, XII: dates, controller, small-agent declaration, operator, root cause, total subjects', async () => {
    const { scope } = await scoped();
    const { markdown, json } = incidentReport({
      facts: facts({
        operators: [{ name: 'Hosting Provider S.A.', id: 'CNPJ 44.555.666/0001-99' }],
        rootCause: 'A support agent reused a password exposed in an unrelated breach; no second factor was required.',
        subjectsInAffectedProcessing: 52_000,
      }),
      scope,
      deadlines: incidentDeadlines({ knownAt, smallAgent: true }),
    });
    for (const item of ['§2 VII', '§2 VIII', '§2 IX', '§2 X', '§2 XI', '§2 XII']) expect(markdown).toContain(item);
    expect(markdown).toContain('ACME Ltda');
    expect(markdown).toContain('small processing agent (Res. CD/ANPD 2/2022)');
    expect(markdown).toContain('Hosting Provider S.A.');
    expect(markdown).toContain('reused a password');
    expect(markdown).toContain('52000');
    expect(markdown).toContain('2026-11-28T10:00:00.000Z'); // occurrence
    expect(json).toMatchObject({
      controller: { name: 'ACME Ltda', smallAgent: true },
      operators: [{ name: 'Hosting Provider S.A.' }],
      subjects: { count: 10, totalInAffectedProcessing: 52_000 },
      pending: [],
    });
  });

  it('Res. CD/ANPD 15/2024 Art. 6 §2 and §3: what is not yet known is said to be pending, to be completed by the complement', async () => {
    const { scope } = await scoped();
    const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    expect(json.pending).toEqual(['Art. 6 §2 XI root cause', 'Art. 6 §2 XII total subjects in the affected processing']);
    expect(markdown).toContain('not a small processing agent');
    expect(markdown).toContain('2027-01-01T02:59:59.999Z'); // complement: 20 business days after 2 December (Art. 6 §3)
  });

  it("Res. CD/ANPD 15/2024 Art. 6 §2 IX: a report without the controller's identity is refused", async () => {
    const { scope } = await scoped();
    const { controller: _, ...noController } = facts();
    expect(() =>
      incidentReport({ facts: noController as IncidentFacts, scope, deadlines: incidentDeadlines({ knownAt }) }),
    ).toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID', article: expect.stringContaining('Art. 6 §2 IX') }));
  });
});

describe('relevant risk is cumulative (Res. CD/ANPD 15/2024 Art. 5)', () => {
  it('Res. CD/ANPD 15/2024 Art. 5: a criterion alone is not relevant risk; a significant effect and at least one criterion are', async () => {
    const big = { rules: { largeScaleSubjects: 5 } };
    const audit = await incidentLog();
    const scope = (input: Record<string, unknown>) =>
      scopeIncident({ ...window, ...input }, { log: audit, schemas: [Customer], ...big });
    const unassessed = await scope({});
    expect(unassessed.criteriaMet).toEqual(['largeScale']);
    expect(unassessed.relevantRisk).toBeUndefined(); // the significant effect is a judgement scopeIncident cannot make
    expect((await scope({ significantEffect: false })).relevantRisk).toBe(false);
    expect((await scope({ significantEffect: true })).relevantRisk).toBe(true);
    const noCriterion = await scopeIncident(
      { ...window, significantEffect: true, childrenAdolescentsOrElderly: false }, // the controller's finding on the unknown ages
      { log: audit, schemas: [Customer], rules: { largeScaleSubjects: 1_000 } },
    );
    expect(noCriterion.criteriaMet).toEqual([]);
    expect(noCriterion.relevantRisk).toBe(false);
  });

  it('Res. CD/ANPD 15/2024 Art. 5: the report states the cumulative test, not a criterion as relevant risk', async () => {
    const { scope } = await scoped();
    const { markdown, json } = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    // ages unknown and no large-scale threshold: not "no criterion" (Art. 5 II, §2), but not determined
    expect(json.relevantRisk).toMatchObject({ relevant: null, significantEffect: null, criteriaMet: [] });
    expect(markdown).toContain('relevant risk or damage is not determined');
    expect(markdown).toContain('Art. 5');
    expect(markdown).toContain('significant effect');
  });
});

describe('the register keeps each incident five years from its registration (Res. CD/ANPD 15/2024 Art. 10)', () => {
  const entry = {
    id: 'INC-OLD',
    title: 'Backup tape lost in 2020, found in the register review',
    knownAt: '2020-01-10T12:00:00.000Z',
    circumstances: 'A backup tape was lost in transit between data centres.',
    data: { categories: ['user.name', 'user.contact.email'], sensitiveCategories: [] },
    subjects: 800,
    riskAssessment: 'The tape was encrypted and its key was not exposed: no relevant risk (LGPD Art. 48 §3).',
    notified: false,
    reason: 'Unintelligible to third parties: the key never left the key store.',
  };

  it('Res. CD/ANPD 15/2024 Art. 10: five years count from the registration, not from the knowledge', async () => {
    const register = memoryIncidentRegister();
    await register.add(entry);
    const kept = await register.get('INC-OLD');
    expect(kept?.registeredAt).toBeDefined();
    const registered = new Date(kept?.registeredAt as string);
    // five years after the knowledge have passed; five years after the registration have not
    await expect(register.remove('INC-OLD', new Date('2025-06-01T00:00:00Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE', article: expect.stringContaining('Art. 10') }),
    );
    const almost = new Date(registered);
    almost.setUTCFullYear(almost.getUTCFullYear() + 5);
    await expect(register.remove('INC-OLD', new Date(almost.getTime() - 1))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    // the registration date cannot be moved by an update
    const updated = await register.update('INC-OLD', { registeredAt: '2000-01-01T00:00:00.000Z' } as never);
    expect(updated.registeredAt).toBe(kept?.registeredAt);
    await register.remove('INC-OLD', almost);
    expect(await register.get('INC-OLD')).toBeUndefined();
  });

  it('Res. CD/ANPD 15/2024 Art. 10 §1: an entry without the minimum contents is refused, naming what is missing', async () => {
    const register = memoryIncidentRegister();
    const { circumstances: _c, subjects: _s, riskAssessment: _r, data: _d, ...bare } = entry;
    await expect(register.add(bare as never)).rejects.toThrow(
      expect.objectContaining({
        code: 'PF_INPUT_INVALID',
        article: expect.stringContaining('Art. 10 §1'),
        paths: ['circumstances', 'data', 'subjects', 'riskAssessment'],
      }),
    );
    // VIII: not communicated → why; VII: communicated → how and what
    await expect(register.add({ ...entry, reason: undefined } as never)).rejects.toThrow(
      expect.objectContaining({ paths: ['reason'] }),
    );
    await expect(
      register.add({ ...entry, id: 'INC-N', notified: true, notifiedAt: '2020-01-12T12:00:00.000Z' } as never),
    ).rejects.toThrow(expect.objectContaining({ paths: ['communication'] }));
  });

  it('Res. CD/ANPD 15/2024 Art. 10 §1 VII: an entry made from a report keeps the form and content of the communication', async () => {
    const { scope } = await scoped({ significantEffect: true });
    const report = incidentReport({ facts: facts(), scope, deadlines: incidentDeadlines({ knownAt }) });
    const register = memoryIncidentRegister();
    await register.add(
      incidentEntry(report, { notified: true, notifiedAt: brt('2026-12-02T15:00:00'), means: ['ANPD electronic form'] }),
    );
    const kept = await register.get('INC-2026-020');
    expect(kept).toMatchObject({
      knownAt: knownAt.toISOString(),
      circumstances: expect.stringContaining('An agent account read'),
      data: { categories: ['user.name'], sensitiveCategories: [] },
      subjects: 10,
      riskAssessment: expect.stringContaining('Phishing'),
      measures: ['Account blocked', 'Sessions revoked'],
      notified: true,
      notifiedAt: '2026-12-02T18:00:00.000Z',
      communication: { means: ['ANPD electronic form'], content: report.markdown },
      criteria: [],
    });
    // a report that states a communication is not kept as "not notified": that entry comes from a draft
    expect(() => incidentEntry(report, { notified: false, reason: 'No significant effect: names only.' })).toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['communicatedAt'] }),
    );
    const draft = incidentReport({
      facts: facts({ communicatedAt: undefined, delayReasons: 'Assessed after the deadline: names only.' }),
      scope,
      deadlines: incidentDeadlines({ knownAt }),
    });
    const notNotified = incidentEntry(draft, { notified: false, reason: 'No significant effect: names only.' });
    expect(notNotified).toMatchObject({ notified: false, reason: 'No significant effect: names only.' });
    expect(notNotified.communication).toBeUndefined();
  });
});

// the engine path, so the claims above hold for logs the engine writes too
describe('through the engine', () => {
  it('LGPD Art. 48 §1 III: a log the engine wrote, verified after the incident, backs the claim', async () => {
    const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(3) });
    const pf = createPurposeful({
      purposes,
      schemas: [Customer],
      audit,
      keys: await generateKeyring(),
      keyStore: memoryKeyStore(),
    });
    for (let i = 0; i < 3; i++) {
      await pf.outbound(
        Customer,
        { id: `c${i}`, name: 'Ana' },
        { purpose: 'support.ticket', actor: { id: 'agent-13', mfa: false } },
      );
    }
    await audit.flush();
    const scope = await scopeIncident(
      { from: '2000-01-01T00:00:00Z', to: new Date().toISOString(), actors: ['agent-13'] },
      { log: audit, schemas: [Customer] },
    );
    const now = new Date();
    const { markdown } = incidentReport({
      facts: facts({ knownAt: now, occurredAt: undefined, communicatedAt: now }),
      scope,
      deadlines: incidentDeadlines({ knownAt: now }),
      accessLog: {
        verification: await audit.verify(),
        verifiedAt: now,
        purposes: ['support.ticket'],
        since: new Date('1999-01-01T00:00:00Z'),
      },
    });
    expect(markdown).toMatch(/access log/i);
  });
});
