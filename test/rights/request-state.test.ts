/**
 * What the desk refuses about the state of a request: closing or extending one
 * whose requester's identity is not proven (GDPR Art. 12(6); LGPD Art. 18 §4),
 * and a receipt time in the future, which would push every deadline back
 * (LGPD Art. 19; GDPR Art. 12(3)).
 */
import { describe, expect, it } from 'vitest';
import { isPurposefulError } from '../../src/index.js';
import { code, desk, subjectId } from './answers-desk.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return { code: err.code, details: err as unknown as Record<string, unknown> };
    throw err;
  }
  return { code: 'no error', details: {} };
}

describe('an unverified request is neither closed nor extended (GDPR Art. 12(6); LGPD Art. 18 §4)', () => {
  it('GDPR Art. 12(6); LGPD Art. 18 §4: complete() and extend() refuse a request whose identity is still unverified', async () => {
    const { pf } = desk({}, { jurisdictions: ['lgpd', 'gdpr'] });
    const receivedAt = new Date(Date.now() - 24 * 3600_000);
    const err = await pf.rights
      .request({ subjectId, kind: 'access', verification: { code: 'wrong' }, receivedAt })
      .catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_IDENTITY_UNVERIFIED');
    const id = err.request as string;
    const before = await pf.rights.get(id);

    const extended = await errorOf(pf.rights.extend(id, 'records in several archives'));
    expect(extended.code).toBe('PF_IDENTITY_UNVERIFIED');
    expect(extended.details.request).toBe(id);
    expect(String(extended.details.article)).toMatch(/GDPR Art\. 12\(6\)/);
    const completed = await errorOf(pf.rights.complete(id));
    expect(completed.code).toBe('PF_IDENTITY_UNVERIFIED');
    expect(String(completed.details.article)).toMatch(/LGPD Art\. 18 §3, §4 II/);
    // the request is as it was: still waiting for the identity, its deadlines unchanged
    expect(await pf.rights.get(id)).toEqual(before);

    // once proven, both work
    await pf.rights.verify(id, code);
    await expect(pf.rights.extend(id, 'records in several archives')).resolves.toMatchObject({ status: 'open' });
    await expect(pf.rights.complete(id)).resolves.toMatchObject({ status: 'completed' });
  });
});

describe('a receipt time in the future is refused (LGPD Art. 19; GDPR Art. 12(3))', () => {
  it('LGPD Art. 19; GDPR Art. 12(3): request({ receivedAt }) in the future is PF_INPUT_INVALID, and nothing is recorded', async () => {
    const { pf } = desk({}, { jurisdictions: ['lgpd', 'gdpr'] });
    for (const receivedAt of [new Date(Date.now() + 3600_000), new Date('2099-01-01T00:00:00Z')]) {
      const e = await errorOf(pf.rights.request({ subjectId, kind: 'access', verification: code, receivedAt }));
      expect(e.code).toBe('PF_INPUT_INVALID');
      expect(String(e.details.article)).toMatch(/LGPD Art\. 19/);
    }
    // an invalid date is refused too
    expect(
      (await errorOf(pf.rights.request({ subjectId, kind: 'access', verification: code, receivedAt: new Date(Number.NaN) })))
        .code,
    ).toBe('PF_INPUT_INVALID');
    expect(await pf.rights.list()).toEqual([]);
    // a clock a little ahead of ours (within the allowance), now, and the past are accepted
    for (const receivedAt of [new Date(Date.now() + 60_000), new Date(), new Date(Date.now() - 3 * 24 * 3600_000)]) {
      await expect(pf.rights.request({ subjectId, kind: 'access', verification: code, receivedAt })).resolves.toMatchObject({
        status: 'open',
        receivedAt: receivedAt.toISOString(),
      });
    }
  });
});
