import { describe, expect, it } from 'vitest';
import { isPurposefulError, toProblem } from '../../src/index.js';
import { code, desk, subjectId, ticket } from './answers-desk.js';

describe('consent information (LGPD Art. 18 VIII, 9 §3)', () => {
  it('LGPD Art. 18 VIII: what follows from refusing consent is the text the purpose declares, and nothing when it declares none', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'consent-info', verification: code });
    const info = await pf.rights.consentInfo(r.id);
    const survey = info.find((i) => i.purpose === 'support.survey');
    expect(survey?.ifRefused).toBe('We do not ask you about your satisfaction; support and billing work as before.');
    const newsletter = info.find((i) => i.purpose === 'support.newsletter');
    expect(newsletter).toBeDefined();
    expect(newsletter && 'ifRefused' in newsletter).toBe(false);
    // no invented claim that the rest of the service does not depend on it
    expect(JSON.stringify(info)).not.toMatch(/does not depend|Only this purpose/);
  });

  it('LGPD Art. 9 §3: a declared consequence must be a text', async () => {
    const { definePurposes } = await import('../../src/index.js');
    const { controller } = await import('./answers-desk.js');
    expect(() =>
      definePurposes(
        {
          'support.survey': {
            description: 'Ask for satisfaction feedback after a ticket closes',
            legalBasis: { lgpd: 'consent' },
            notice: { version: '1' },
            retention: 'P6M',
            ifRefused: '' as string,
          },
        },
        { controller },
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'PF_DECLARATION_INVALID',
        problems: [
          expect.objectContaining({ message: expect.stringMatching(/ifRefused must say/), article: 'LGPD Art. 18 VIII, 9 §3' }),
        ],
      }),
    );
  });
});

describe('an unverified identity (GDPR Art. 12(6); LGPD Art. 18 §3–4)', () => {
  it('GDPR Art. 12(6): the refusal asks for what is missing, keeps the request, and holds no personal value', async () => {
    const { pf } = desk({
      verify: ({ verification }) =>
        (verification as { code?: string })?.code === 'right'
          ? true
          : {
              verified: false,
              missing: ['the 6-digit code sent to the e-mail address on file'],
              reason: 'the code given does not match the one we sent',
            },
    });
    const err = await pf.rights
      .request({ subjectId, kind: 'access', verification: { code: 'wrong' }, receivedAt: new Date('2026-11-02T12:00:00Z') })
      .catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_IDENTITY_UNVERIFIED');
    expect(err.missing).toEqual(['the 6-digit code sent to the e-mail address on file']);
    expect(err.article).toMatch(/GDPR Art\. 12\(6\)/);
    expect(err.article).toMatch(/LGPD Art\. 18 §3, §4/);
    expect(typeof err.request).toBe('string');
    expect(JSON.stringify(err)).not.toContain(subjectId);
    expect(err.message).not.toContain(subjectId);
    // the HTTP answer carries the request for information
    const problem = toProblem(err);
    expect(JSON.parse(problem.body ?? '{}')).toMatchObject({
      code: 'PF_IDENTITY_UNVERIFIED',
      missing: err.missing,
      request: err.request,
    });
    // the request is tracked, waiting for the identity, with its deadline running from receipt
    const kept = await pf.rights.get(err.request);
    expect(kept).toMatchObject({
      status: 'unverified',
      receivedAt: '2026-11-02T12:00:00.000Z',
      identity: {
        missing: ['the 6-digit code sent to the e-mail address on file'],
        reason: 'the code given does not match the one we sent',
      },
    });
    expect(kept?.lgpdDue).toBe('2026-11-17T23:59:59.999Z');
    // nothing is answered until the identity is proven
    await expect(pf.rights.access(err.request)).rejects.toThrow(expect.objectContaining({ code: 'PF_IDENTITY_UNVERIFIED' }));
    const again = await pf.rights.verify(err.request, { code: 'still wrong' }).catch((e) => e);
    expect(isPurposefulError(again) && [again.code, again.request]).toEqual(['PF_IDENTITY_UNVERIFIED', err.request]);
    const open = await pf.rights.verify(err.request, { code: 'right' });
    expect(open.status).toBe('open');
    await expect(pf.rights.access(err.request)).resolves.toMatchObject({ subjectId });
    await expect(pf.rights.verify(err.request, { code: 'right' })).rejects.toThrow(/already verified/);
  });

  it('LGPD Art. 18 §4 II: a bare refusal of the hook still gives the reason and asks for proof of identity', async () => {
    const { pf, audit } = desk({ verify: () => false });
    const err = await pf.rights.request({ subjectId, kind: 'erasure', verification: undefined }).catch((e) => e);
    expect(err.missing).toEqual(['proof that you are the data subject or their legal representative']);
    expect((await pf.rights.get(err.request))?.identity?.reason).toMatch(/could not be verified/);
    // a hook that throws fails closed the same way
    const failing = desk({
      verify: () => {
        throw new Error('otp service down for ana@example.com');
      },
    });
    const e2 = await failing.pf.rights.request({ subjectId, kind: 'access', verification: {} }).catch((e) => e);
    expect(isPurposefulError(e2) && e2.code).toBe('PF_IDENTITY_UNVERIFIED');
    expect(JSON.stringify(await failing.pf.rights.get(e2.request))).not.toContain('ana@example.com');
    const denied = (await audit.forSubject(subjectId)).filter((e) => e.action === 'rights');
    expect(denied.map((e) => [e.decision, e.reason])).toEqual([['deny', 'PF_IDENTITY_UNVERIFIED']]);
  });

  it('GDPR Art. 12(6): what the hook asks for holds no personal value: a text with an identifier becomes the generic request', async () => {
    const { pf } = desk({
      verify: () => ({ verified: false, missing: ['the code sent to ana@example.com'], reason: 'wrong code for 11 98765-4321' }),
    });
    const err = await pf.rights.request({ subjectId, kind: 'access', verification: {} }).catch((e) => e);
    expect(err.missing).toEqual(['proof that you are the data subject or their legal representative']);
    const kept = JSON.stringify(await pf.rights.get(err.request));
    expect(kept).not.toContain('ana@example.com');
    expect(kept).not.toContain('98765');
  });

  it('GDPR Art. 12(6): a malformed answer of the hook is a refusal, never a verification', async () => {
    for (const answer of [{ verified: 'yes' }, { verified: true, missing: 'x' }, 1, 'true', null]) {
      const { pf } = desk({ verify: () => answer as never });
      const err = await pf.rights.request({ subjectId, kind: 'access', verification: code }).catch((e) => e);
      expect(isPurposefulError(err) && err.code).toBe('PF_IDENTITY_UNVERIFIED');
    }
  });
});

describe('the access answer (GDPR Art. 15; LGPD Art. 9, 18, 19 II)', () => {
  it("GDPR Art. 15(1)(e)(f), LGPD Art. 18 §1: the answer lists the subject's rights and the right to complain to the authority", async () => {
    const { pf } = desk({ supervisoryAuthority: { name: 'Comissão Nacional de Proteção de Dados', url: 'https://www.cnpd.pt' } });
    const doc = await pf.rights.access((await pf.rights.request({ subjectId, kind: 'access', verification: code })).id);
    const rights = Object.fromEntries(doc.rights.map((r) => [r.right, r.article]));
    expect(rights).toMatchObject({
      rectification: expect.stringMatching(/LGPD Art\. 18 III.*GDPR Art\. 16/),
      erasure: expect.stringMatching(/GDPR Art\. 17/),
      restriction: expect.stringMatching(/LGPD Art\. 18 IV.*GDPR Art\. 18/),
      objection: expect.stringMatching(/LGPD Art\. 18 §2.*GDPR Art\. 21/),
      'automated-decision-review': expect.stringMatching(/LGPD Art\. 20.*GDPR Art\. 22/),
      portability: expect.stringMatching(/GDPR Art\. 20/),
    });
    expect(doc.rights.find((r) => r.right === 'objection')?.request).toBe('opposition');
    expect(doc.rights.find((r) => r.right === 'restriction')?.request).toBe('blocking');
    expect(doc.complaint).toEqual([
      expect.objectContaining({
        law: 'lgpd',
        authority: 'Autoridade Nacional de Proteção de Dados (ANPD)',
        article: expect.stringContaining('LGPD Art. 18 §1'),
      }),
      expect.objectContaining({
        law: 'gdpr',
        authority: 'Comissão Nacional de Proteção de Dados',
        url: 'https://www.cnpd.pt',
        article: 'GDPR Art. 15(1)(f), 77(1)',
      }),
    ]);
  });

  it('GDPR Art. 15(1)(f): without a named authority, the answer says which one the subject may turn to', async () => {
    const { pf } = desk({}, { jurisdictions: ['gdpr'] });
    const doc = await pf.rights.access((await pf.rights.request({ subjectId, kind: 'access', verification: code })).id);
    expect(doc.complaint).toHaveLength(1);
    expect(doc.complaint[0]?.authority).toMatch(/habitual residence, place of work or place of the alleged infringement/);
    expect(doc.rights.every((r) => !r.article.includes('LGPD'))).toBe(true);
  });

  it('GDPR Art. 15(1)(h), LGPD Art. 20 §1: the answer tells of the automated decisions made with the data, their logic and consequences', async () => {
    const { pf } = desk();
    const doc = await pf.rights.access((await pf.rights.request({ subjectId, kind: 'access', verification: code })).id);
    expect(doc.automatedDecisions).toEqual([
      {
        purpose: 'credit.limit',
        decision: 'the credit limit of your postpaid plan',
        logic: 'a score from the number of late payments in the last 12 months and the plan you hold',
        consequences: 'a lower score gives a lower limit; below a threshold the plan is prepaid only',
        article: 'LGPD Art. 20 §1; GDPR Art. 15(1)(h), 22',
      },
    ]);
  });

  it('GDPR Art. 15(2): the answer names the safeguard of each transfer abroad', async () => {
    const { pf } = desk();
    const doc = await pf.rights.access((await pf.rights.request({ subjectId, kind: 'access', verification: code })).id);
    expect(doc.transfers).toEqual([
      expect.objectContaining({
        purpose: 'billing.invoice',
        countries: ['US'],
        mechanism: 'standard_contractual_clauses',
        safeguard: expect.stringMatching(/standard contractual clauses/i),
        article: expect.stringMatching(/LGPD Art\. 33 II b.*GDPR Art\. 46\(2\)\(c\)/),
      }),
    ]);
  });

  it("GDPR Art. 15(4): another person's data in the subject's records is withheld or redacted, and the answer says so", async () => {
    const { pf } = desk({
      aboutOthers: {
        ticket: {
          agentName: 'withhold',
          text: (value) => (typeof value === 'string' ? value.replaceAll('Bruna', '[another person]') : undefined),
        },
      },
    });
    const r = await pf.rights.request({ subjectId, kind: 'portability', verification: code });
    const doc = await pf.rights.access(r.id);
    const all = JSON.stringify(doc);
    expect(all).not.toContain(ticket.agentName);
    expect(all).not.toContain('Bruna');
    expect(doc.data['user.content.private']?.[0]).toMatchObject({
      field: 'text',
      value: 'Please call me back, [another person] said she would',
      redacted: true,
    });
    expect(doc.screened).toEqual([
      { schema: 'ticket', record: 'T-1', field: 'agentName', outcome: 'withheld', article: 'GDPR Art. 15(4), 20(4)' },
      { schema: 'ticket', record: 'T-1', field: 'text', outcome: 'redacted', article: 'GDPR Art. 15(4), 20(4)' },
    ]);
    expect(await pf.rights.portability(r.id, 'csv')).not.toContain('Bruna');
  });

  it('GDPR Art. 15(4): a screening declaration must name a personal field of a registered schema', () => {
    expect(() => desk({ aboutOthers: { ticket: { nope: 'withhold' } } })).toThrow(/ticket\.nope/);
    expect(() => desk({ aboutOthers: { nope: { text: 'withhold' } } })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    expect(() => desk({ aboutOthers: { ticket: { text: 'hide' as never } } })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
  });

  it('GDPR Art. 15(4): a screening hook that fails stops the answer without leaking the value', async () => {
    const { pf } = desk({
      aboutOthers: {
        ticket: {
          text: () => {
            throw new Error('could not parse "Please call me back"');
          },
        },
      },
    });
    const r = await pf.rights.request({ subjectId, kind: 'access', verification: code });
    const err = await pf.rights.access(r.id).catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_OPTIONS_INVALID');
    expect(JSON.stringify(err)).not.toContain('Please call');
    expect(err.message).not.toContain('Please call');
  });
});

describe('consent to a transfer abroad (LGPD Art. 33 VIII, 8 §5, 18 IX)', () => {
  async function transferDesk() {
    const { createPurposeful, rightsDesk, definePurposes, defineSchema, memoryConsentLedger, pd } = await import(
      '../../src/index.js'
    );
    const { z } = await import('zod');
    const { controller } = await import('./answers-desk.js');
    const purposes = definePurposes(
      {
        'support.ticket': {
          description: 'Answer the customer through a helpdesk hosted abroad',
          legalBasis: { lgpd: 'contract' },
          retention: 'P2Y',
          recipients: [{ name: 'Helpdesk SaaS', role: 'processor', country: 'US' }],
          transfer: { countries: ['US'], mechanism: { lgpd: 'specific_consent' } },
          notice: { version: '2026-11-01', url: 'https://example.com/privacy#helpdesk' },
        },
      },
      { controller },
    );
    const Ticket = defineSchema(
      'ticket',
      z.object({
        id: pd.none(z.string()),
        customerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
        email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
      }),
      { purposes, subject: { kind: 'customer', id: 'customerId' }, recordId: 'id' },
    );
    const consent = memoryConsentLedger(purposes);
    const rows = new Map<string, Record<string, unknown>>([
      ['t1', { id: 't1', customerId: subjectId, email: 'ana@example.com' }],
    ]);
    const notices: { recipient: string; kind: string; purpose?: string; article: string }[] = [];
    const pf = createPurposeful({
      purposes,
      schemas: [Ticket],
      consent,
      rights: rightsDesk({
        verify: ({ verification }) => verification === 'ok',
        sources: {
          ticket: {
            find: async (s) => [...rows.values()].filter((r) => r.customerId === s),
            update: async (_s, r) => {
              rows.set(String(r.id), r);
            },
          },
        },
        recipients: {
          'Helpdesk SaaS': (n) => {
            notices.push({
              recipient: n.recipient,
              kind: n.kind,
              article: n.article ?? '',
              ...('purpose' in n && n.purpose ? { purpose: n.purpose } : {}),
            });
          },
        },
      }),
    });
    await consent.grant({
      subject: subjectId,
      purpose: 'support.ticket',
      notice: { version: '2026-11-01', hash: 'a'.repeat(64) },
      method: 'form',
      collectionPoint: 'app',
      highlighted: true,
    });
    return { pf, Ticket, rows, notices, consent };
  }
  const ctx = { purpose: 'support.ticket', actor: { id: 'agent-1' } } as const;

  it('LGPD Art. 33 VIII, 8 §5: the consent a transfer abroad rests on is withdrawn through a revocation request, and the transfer stops', async () => {
    const { pf, Ticket, rows, notices, consent } = await transferDesk();
    await expect(pf.open(Ticket, rows.get('t1'), ctx)).resolves.toBeDefined();
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification: 'ok' });
    const answer = await pf.rights.revoke(r.id, 'support.ticket');
    // the data rests on the contract: nothing is removed, but nothing goes abroad on the withdrawn consent
    expect(answer.fields).toEqual([]);
    expect((await consent.status(subjectId, ['support.ticket'])).get('support.ticket')?.status).toBe('withdrawn');
    await expect(pf.open(Ticket, rows.get('t1'), ctx)).rejects.toThrow(expect.objectContaining({ code: 'PF_CONSENT_REQUIRED' }));
    // the recipient abroad is told
    expect(notices).toEqual([
      {
        recipient: 'Helpdesk SaaS',
        kind: 'revocation',
        purpose: 'support.ticket',
        article: expect.stringContaining('LGPD Art. 33 VIII'),
      },
    ]);
  });

  it('LGPD Art. 18 VIII, 33 VIII: consent information lists the consent a transfer abroad rests on, named as such', async () => {
    const { pf } = await transferDesk();
    const r = await pf.rights.request({ subjectId, kind: 'consent-info', verification: 'ok' });
    expect(await pf.rights.consentInfo(r.id)).toEqual([
      {
        purpose: 'support.ticket',
        description: 'Answer the customer through a helpdesk hosted abroad',
        notice: { version: '2026-11-01', url: 'https://example.com/privacy#helpdesk' },
        status: 'granted',
        transfer: { countries: ['US'], article: 'LGPD Art. 33 VIII', only: true },
      },
    ]);
  });

  it('LGPD Art. 18 IX, 8 §5: a revocation of an undeclared purpose is refused without echoing its name', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification: code });
    const err = await pf.rights.revoke(r.id, 'nobody.declared').catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_INPUT_INVALID');
    expect(JSON.stringify(err)).not.toContain('nobody.declared');
    const e = await pf.rights.request({ subjectId, kind: 'consent-data-erasure', verification: code });
    const err2 = await pf.rights.eraseConsentData(e.id, { purpose: 'nobody.declared' as never }).catch((x) => x);
    expect(isPurposefulError(err2) && err2.code).toBe('PF_INPUT_INVALID');
    expect(JSON.stringify(err2)).not.toContain('nobody.declared');
    // a declared id is named
    const err3 = await pf.rights.revoke(r.id, 'support.ticket').catch((x) => x);
    expect([err3.message, err3.purpose]).toEqual([expect.stringContaining('"support.ticket"'), 'support.ticket']);
  });
});
