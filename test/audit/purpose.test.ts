import { describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_PURPOSE,
  type AccessLogSink,
  type AccessRecord,
  accessLogPurpose,
  createAccessLog,
  definePurposes,
  isPurposefulError,
  type PurposefulError,
} from '../../src/index.js';
import { controller } from '../helpers/fixtures.js';

const subjectKey = new Uint8Array(32).fill(9);
const SECURITY_ARTICLES = 'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32';

const rec: AccessRecord = {
  time: '2026-11-29T10:00:00.000Z',
  action: 'open',
  decision: 'allow',
  actor: { id: 'agent-7', roles: ['support'], mfa: false },
  subjectId: 'cust-1',
  schema: 'customer',
  fields: ['email'],
  categories: ['user.contact.email'],
  sensitive: false,
  purpose: 'support.ticket',
  legalBasis: { lgpd: 'contract' },
};

function thrown(fn: () => unknown): PurposefulError {
  try {
    fn();
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('nothing thrown');
}

describe("the access log's own purpose", () => {
  it('LGPD Art. 7; GDPR Art. 6(1): accessLogPurpose() has no default basis, the developer chooses one (legitimate interest suggested, LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f))', () => {
    const err = thrown(() => accessLogPurpose({ retention: 'P5Y' } as never));
    expect(err.code).toBe('PF_DECLARATION_INVALID');
    expect(err.problems.map((p) => [p.code, p.purpose])).toEqual([['PF_DECL_LEGAL_BASIS_MISSING', ACCESS_LOG_PURPOSE]]);
    expect(err.message).toContain("lgpd: 'legitimate_interest'");
    expect(err.message).toContain("gdpr: 'legitimate_interests'");
    expect(err.message).toContain('LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)');
    // an empty map is no choice either
    expect(thrown(() => accessLogPurpose({ retention: 'P5Y', legalBasis: {} })).code).toBe('PF_DECLARATION_INVALID');
  });

  it('LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f): the basis declared is the one the registry keeps, never legal_obligation (LGPD Art. 37 and GDPR Art. 30 are the record of processing, not a duty to log each access)', () => {
    const declaration = accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      roles: ['dpo'],
    });
    expect(declaration.legalBasis).toEqual({ lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' });
    expect(JSON.stringify(declaration)).not.toContain('legal_obligation');
    const purposes = definePurposes({ [ACCESS_LOG_PURPOSE]: declaration }, { controller });
    expect(purposes.get(ACCESS_LOG_PURPOSE)?.declaration.legalBasis).toEqual({
      lgpd: 'legitimate_interest',
      gdpr: 'legitimate_interests',
    });
  });

  it('LGPD Art. 7 II, 16 I: a controller that does have a legal duty to log names it, as any legal obligation', () => {
    const declaration = accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legal_obligation' },
      obligation: 'the sector rule that obliges this controller to keep access records',
    });
    expect(declaration.obligation).toBe('the sector rule that obliges this controller to keep access records');
    expect(() => definePurposes({ [ACCESS_LOG_PURPOSE]: declaration }, { controller })).not.toThrow();
  });

  it('LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32: PF_AUDIT_UNAVAILABLE cites the security and accountability articles, not the record of processing', async () => {
    const sink: AccessLogSink = {
      append: async () => {
        throw new Error('connection refused');
      },
      read: async () => [],
    };
    const log = createAccessLog({ sink, subjectKey, onError: () => {} });
    log.record(rec);
    const failed = await log.flush().catch((e: unknown) => e);
    expect(isPurposefulError(failed) && [failed.code, failed.article]).toEqual(['PF_AUDIT_UNAVAILABLE', SECURITY_ARTICLES]);
    const refused = thrown(() => log.record(rec));
    expect([refused.code, refused.article]).toEqual(['PF_AUDIT_UNAVAILABLE', SECURITY_ARTICLES]);
    expect(refused.article).not.toMatch(/Art\. 37|Art\. 30/);
  });

  it('LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32: a full queue is refused with the same citation', () => {
    const log = createAccessLog({ sink: { append: () => new Promise(() => {}), read: async () => [] }, subjectKey, maxQueue: 1 });
    log.record(rec);
    const refused = thrown(() => log.record(rec));
    expect([refused.code, refused.article]).toEqual(['PF_AUDIT_UNAVAILABLE', SECURITY_ARTICLES]);
  });
});
