import { describe, expect, it } from 'vitest';
import { definePurposes, isPurposefulError, type ReviewTicket } from '../../src/index.js';
import { code, controller, desk, subjectId } from './answers-desk.js';

describe('review of automated decisions (LGPD Art. 20; GDPR Art. 22(3))', () => {
  it("LGPD Art. 20 §1; GDPR Art. 22(3): a review reaches the reviewer with the subject's point of view, and the answer gives the criteria", async () => {
    const tickets: ReviewTicket[] = [];
    const { pf, audit } = desk({ reviewer: (t) => void tickets.push(t) });
    const r = await pf.rights.request({
      subjectId,
      kind: 'review',
      verification: code,
      receivedAt: new Date('2026-11-02T12:00:00Z'),
    });
    const answer = await pf.rights.review(r.id, {
      purpose: 'credit.limit',
      reference: 'limit set on 2026-11-01',
      statement: 'the late payments were the bank’s error',
    });
    expect(answer).toEqual({
      request: r.id,
      purpose: 'credit.limit',
      decision: 'the credit limit of your postpaid plan',
      logic: 'a score from the number of late payments in the last 12 months and the plan you hold',
      consequences: 'a lower score gives a lower limit; below a threshold the plan is prepaid only',
      review: 'requested',
      due: r.due,
      article: 'LGPD Art. 20, 20 §1; GDPR Art. 22(3)',
    });
    expect(tickets).toEqual([
      {
        request: r.id,
        subjectId,
        purpose: 'credit.limit',
        reference: 'limit set on 2026-11-01',
        statement: 'the late payments were the bank’s error',
        due: r.due,
      },
    ]);
    expect((await pf.rights.get(r.id))?.review).toEqual({ purpose: 'credit.limit', requestedAt: expect.any(String) });
    const logged = (await audit.forSubject(subjectId)).filter((e) => e.actor.id === 'subject:review');
    expect(logged.map((e) => e.decision)).toEqual(['allow', 'allow']);
    expect(JSON.stringify(logged)).not.toContain('bank');
    await expect(pf.rights.review(r.id, { purpose: 'credit.limit' })).rejects.toThrow(/already/);
  });

  it('LGPD Art. 20: only a purpose that declares an automated decision can be reviewed', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'review', verification: code });
    const err = await pf.rights.review(r.id, { purpose: 'support.ticket' }).catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.purpose]).toEqual(['PF_INPUT_INVALID', 'support.ticket']);
  });

  it('GDPR Art. 22(3): a registry that declares automated decisions needs a reviewer hook, checked at start', () => {
    expect(() => desk({ reviewer: undefined })).toThrow(/rights\.reviewer.*credit\.limit/);
    expect(() => desk({ reviewer: 'someone' as never })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
  });

  it('GDPR Art. 22(3): a reviewer that fails leaves the request open and says nothing of the statement', async () => {
    let full = true;
    const { pf } = desk({
      reviewer: () => {
        if (full) throw new Error('queue full: the late payments were the bank’s error');
      },
    });
    const r = await pf.rights.request({ subjectId, kind: 'review', verification: code });
    const err = await pf.rights
      .review(r.id, { purpose: 'credit.limit', statement: 'the late payments were the bank’s error' })
      .catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_STORE_UNAVAILABLE');
    expect(JSON.stringify(err) + err.message).not.toContain('bank');
    expect((await pf.rights.get(r.id))?.review).toBeUndefined();
    full = false;
    await expect(pf.rights.review(r.id, { purpose: 'credit.limit' })).resolves.toMatchObject({ review: 'requested' });
  });

  it('LGPD Art. 20 §1: an automated decision is declared with what it decides, its logic and its consequences', () => {
    const declare = (automatedDecision: unknown) =>
      definePurposes(
        {
          'credit.limit': {
            description: "Set the credit limit of a customer's postpaid plan from their payment history",
            legalBasis: { lgpd: 'contract' },
            retention: 'P2Y',
            automatedDecision: automatedDecision as never,
          },
        },
        { controller },
      );
    expect(() => declare({ decision: 'the limit', logic: 'a score' })).toThrow(
      expect.objectContaining({ code: 'PF_DECLARATION_INVALID' }),
    );
    expect(() => declare('yes')).toThrow(expect.objectContaining({ code: 'PF_DECLARATION_INVALID' }));
    expect(() => declare({ decision: 'the limit', logic: 'a score', consequences: 'a lower limit' })).not.toThrow();
  });
});
