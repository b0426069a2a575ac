/** Issue 16, part 2, on the memory key store (the scenarios are shared with the PostgreSQL store). */
import { describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createPurposeful,
  type DataKeyRecord,
  generateKeyring,
  memoryConsentLedger,
  memoryKeyStore,
  type SubjectKeyStore,
} from '../../src/index.js';
import { kidOf, retainedKeyScenarios } from './retained-scenarios.js';

retainedKeyScenarios('memory key store', () => memoryKeyStore());

describe('keys an earlier version made for an erased subject do not outlive its retention', () => {
  it('rotation moves a retained value back under the retained key, and the purge erases the stray keys', async () => {
    // a store as an earlier version used it: no refusal of new keys after an erasure; `blind` replays a read that
    // did not see the erasure (what an earlier engine did not look for)
    const bySubject = new Map<string, DataKeyRecord[]>();
    let blind = false;
    const legacy: SubjectKeyStore = {
      keys: async (s) => (blind ? [] : [...(bySubject.get(s) ?? [])]),
      create: async (s, k) => {
        bySubject.set(s, [...(bySubject.get(s) ?? []), k]);
        return k;
      },
      update: async (s, k) => {
        bySubject.set(
          s,
          (bySubject.get(s) ?? []).map((r) => (r.id === k.id ? (r.erasedAt ? r : k) : r)),
        );
      },
      async *subjects() {
        yield* [...bySubject.keys()];
      },
    };
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer, Invoice],
      keys: generateKeyring(),
      keyStore: legacy,
      encryption: { receipts: { key: new Uint8Array(32).fill(2), alg: 'HS256' }, keyCacheTtlMs: 0 },
    });
    const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
    const row = await pf.seal(Customer, sampleCustomer, support);
    await pf.shred(sampleCustomer.id, { now: new Date('2026-11-28T12:00:00Z') });
    const [kept] = (bySubject.get(sampleCustomer.id) ?? []).filter((k) => k.retainUntil);
    blind = true;
    const stray = await pf.seal(Customer, sampleCustomer, support); // new live keys, as before the fix
    blind = false;
    expect(kidOf(stray.cpf)).not.toBe(kept?.id);
    expect(await pf.open(Customer, stray, support)).toMatchObject({ email: sampleCustomer.email });
    // rotation now puts the retained value back under the retained key (and its date)
    const {
      rows: [fixed],
    } = await pf.rotate(Customer, [stray]);
    expect(kidOf((fixed as Record<string, unknown>).cpf)).toBe(kept?.id);
    // the purge, past the date, leaves nothing of the subject openable: the stray keys go with the retained one
    await pf.purgeRetained(new Date('2032-01-01T00:00:00Z'));
    expect((bySubject.get(sampleCustomer.id) ?? []).filter((k) => !k.erasedAt)).toEqual([]);
    for (const r of [row, stray, fixed]) {
      await expect(pf.open(Customer, r, billing)).rejects.toMatchObject({ code: 'PF_SUBJECT_ERASED' });
    }
    await expect(pf.open(Customer, stray, support)).rejects.toMatchObject({ code: 'PF_SUBJECT_ERASED' });
  });
});
