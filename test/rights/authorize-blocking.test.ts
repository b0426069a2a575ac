/**
 * `authorize` with a subject consults the blocking store, as `open`, `outbound`
 * and `seal` do: a blocked subject's purpose is refused before any row is read
 * (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18).
 */
import { describe, expect, it } from 'vitest';
import { type BlockingStore, isPurposefulError, memoryBlockingStore } from '../../src/index.js';
import { Client, ctx, restrictedDesk, subjectId, verification } from './restricted-desk.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; paths?: unknown; article?: unknown }> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toMatch(/joana|529\.982/);
      const d = err as unknown as { paths?: unknown; article?: unknown };
      return { code: err.code, paths: d.paths, article: d.article };
    }
    throw err;
  }
  return { code: 'no error' };
}

const otherSubject = '3f1c2b7a-0000-4000-8000-0000000000ff';

describe('LGPD Art. 18 IV; GDPR Art. 18: authorize() heeds the blockings of the subject', () => {
  it('LGPD Art. 5 XIII, 18 IV; GDPR Art. 18: authorize({ subjectId }) refuses a purpose that would see a blocked field', async () => {
    const { pf } = await restrictedDesk();
    const support = { ...ctx.support, subjectId };
    const billing = { ...ctx.billing, subjectId };
    await expect(pf.authorize(Client, support)).resolves.toBeUndefined();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(r.id, { fields: [{ schema: 'client', field: 'email' }] });

    const refused = await errorOf(pf.authorize(Client, support));
    expect(refused).toMatchObject({ code: 'PF_SUBJECT_RESTRICTED', paths: ['email'] });
    expect(String(refused.article)).toMatch(/LGPD Art\. 5 XIII, 18 IV; GDPR Art\. 18/);
    // a purpose that does not see the email, and another subject, are not stopped
    await expect(pf.authorize(Client, billing)).resolves.toBeUndefined();
    await expect(pf.authorize(Client, { ...ctx.support, subjectId: otherSubject })).resolves.toBeUndefined();
    // a blocking of every field stops every purpose; lifted, they all run again
    const all = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(all.id);
    expect((await errorOf(pf.authorize(Client, billing))).code).toBe('PF_SUBJECT_RESTRICTED');
    await pf.rights.unblock(all.id);
    await pf.rights.unblock(r.id);
    await expect(pf.authorize(Client, support)).resolves.toBeUndefined();
    await expect(pf.authorize(Client, billing)).resolves.toBeUndefined();
  });

  it('LGPD Art. 5 XIII; GDPR Art. 18: authorize({ subjectId }) asks an asynchronous blocking store, and fails closed when it fails', async () => {
    const inner = memoryBlockingStore();
    let answer: 'async' | 'throws' = 'async';
    const blockings: BlockingStore = {
      put: (b) => inner.put(b),
      lift: (q) => inner.lift(q),
      inForce: (s) => {
        if (answer === 'throws') throw new Error('blocking store down');
        return Promise.resolve(inner.inForce(s));
      },
    };
    const { pf } = await restrictedDesk({ blockings });
    const billing = { ...ctx.billing, subjectId };
    await expect(pf.authorize(Client, billing)).resolves.toBeUndefined();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(r.id);
    expect((await errorOf(pf.authorize(Client, billing))).code).toBe('PF_SUBJECT_RESTRICTED');
    answer = 'throws';
    expect((await errorOf(pf.authorize(Client, { ...ctx.billing, subjectId: otherSubject }))).code).toBe('PF_STORE_UNAVAILABLE');
  });
});
