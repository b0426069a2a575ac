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
