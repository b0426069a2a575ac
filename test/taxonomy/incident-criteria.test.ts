import { describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA_RULES, scopeIncident } from '../../src/incident/index.js';
import { type AccessRecord, BUILTIN_CATEGORIES, createAccessLog, memoryAccessLogSink } from '../../src/index.js';

const subjectKey = new Uint8Array(32).fill(3);

/** The criteria an incident meets when one read of the given categories leaked. */
async function criteriaFor(categories: string[]) {
  const log = createAccessLog({ sink: memoryAccessLogSink(), subjectKey });
  const record: AccessRecord = {
    time: '2026-11-29T10:00:00.000Z',
    action: 'open',
    decision: 'allow',
    actor: { id: 'agent-13', roles: ['support'], mfa: false },
    subjectId: 'cust-1',
    schema: 'account',
    fields: categories.map((_, i) => `f${i}`),
    categories,
    sensitive: false,
    purpose: 'support.ticket',
    legalBasis: { lgpd: 'contract' },
  };
  log.record(record);
  await log.flush();
  const scope = await scopeIncident({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, { log });
  return scope.criteria;
}

describe('the default incident criteria follow the taxonomy (Res. CD/ANPD 15/2024 Art. 5)', () => {
  it('Res. CD/ANPD 15/2024 Art. 5: every default financial, authentication and secrecy category is a category of the taxonomy', () => {
    const keys = [
      ...DEFAULT_CRITERIA_RULES.financial,
      ...DEFAULT_CRITERIA_RULES.authentication,
      ...DEFAULT_CRITERIA_RULES.secrecy,
    ];
    expect(keys.filter((k) => !(BUILTIN_CATEGORIES as readonly string[]).includes(k))).toEqual([]);
    expect(keys).not.toContain('user.account.password');
    expect(keys).not.toContain('user.credentials');
  });

  it('Res. CD/ANPD 15/2024 Art. 5: payment data is financial data', async () => {
    expect(DEFAULT_CRITERIA_RULES.financial).toEqual(['user.financial', 'user.payment']);
    expect((await criteriaFor(['user.payment'])).financialData).toBe(true);
    expect((await criteriaFor(['user.financial.credit_card'])).financialData).toBe(true);
    expect((await criteriaFor(['user.contact.email'])).financialData).toBe(false);
  });

  it('Res. CD/ANPD 15/2024 Art. 5: credentials, passwords, biometric credentials and system authentication data are authentication data; the scope of permissions is not', async () => {
    for (const c of [
      'user.authorization.credentials',
      'user.authorization.password',
      'user.authorization.biometric',
      'system.authentication',
    ]) {
      expect((await criteriaFor([c])).authenticationData, c).toBe(true);
    }
    expect((await criteriaFor(['user.authorization'])).authenticationData).toBe(false);
  });
});
