/**
 * The retained key class follows the erasure grounds, and a retained key kept
 * past a shredding opens its values only for the purposes whose ground keeps
 * them (LGPD Art. 16; GDPR Art. 17(3)), whether the key comes from the store
 * or from the cache, and whatever the row says.
 */
import { describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { createPurposeful, generateKeyring, isPurposefulError, memoryConsentLedger, memoryKeyStore } from '../../src/index.js';

const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const receipts = { key: new Uint8Array(32).fill(5), alg: 'HS256' };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(sampleCustomer.cpf);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

describe('LGPD Art. 16; GDPR Art. 17(3): retained keys after a shredding', () => {
  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): a value under the retained key opens only for the purpose that keeps it, from the store and from the cache', async () => {
    const keyStore = memoryKeyStore();
    const keys = generateKeyring();
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer],
      keys,
      keyStore,
      encryption: { receipts },
    });
    const row = await pf.seal(Customer, sampleCustomer, support);
    const cpfOnly = { id: sampleCustomer.id, cpf: row.cpf };
    await expect(pf.open(Customer, cpfOnly, support)).resolves.toMatchObject({ cpf: '***.***.**7-25' });
    await pf.shred(sampleCustomer.id);
    for (let i = 0; i < 3; i++) {
      // the first read asks the store; the next ones find the key in the cache, restricted all the same
      expect(await codeOf(pf.open(Customer, cpfOnly, support))).toBe('PF_SUBJECT_RESTRICTED');
      await expect(pf.open(Customer, cpfOnly, billing)).resolves.toMatchObject({ cpf: sampleCustomer.cpf });
    }
    // another instance, on the same store
    const other = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer],
      keys,
      keyStore,
      encryption: { receipts },
    });
    await expect(other.open(Customer, cpfOnly, billing)).resolves.toMatchObject({ cpf: sampleCustomer.cpf });
    expect(await codeOf(other.open(Customer, cpfOnly, support))).toBe('PF_SUBJECT_RESTRICTED');
  });

  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): a subject with only a retained key gets a tombstone, whose time bounds what stays', async () => {
    const keyStore = memoryKeyStore();
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Invoice],
      keys: generateKeyring(),
      keyStore,
      encryption: { receipts },
    });
    const invoice = await pf.seal(
      Invoice,
      {
        number: 'NF-7',
        customerId: sampleCustomer.id,
        taxId: sampleCustomer.cpf,
        amountCents: 1,
        issuedAt: '2026-01-01T00:00:00Z',
      },
      billing,
    );
    expect((await keyStore.keys(sampleCustomer.id)).map((k) => k.keyClass)).toEqual(['retained']);
    const at = new Date('2026-11-28T12:00:00Z');
    const result = await pf.shred(sampleCustomer.id, { now: at });
    const records = await keyStore.keys(sampleCustomer.id);
    expect(records.filter((k) => k.erasedAt).map((k) => [k.keyClass, k.erasedAt])).toEqual([['erasable', at.toISOString()]]);
    expect(result.retained.map((k) => k.until)).toEqual(['2031-11-28T12:00:00.000Z']);
    await expect(pf.open(Invoice, invoice, billing)).resolves.toMatchObject({ taxId: sampleCustomer.cpf });
  });
});
