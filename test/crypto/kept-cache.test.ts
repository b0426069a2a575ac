/**
 * A retained key kept past a shredding is restricted from its cached copy as
 * well (LGPD Art. 16; GDPR Art. 17(3)): the restriction travels with the cached
 * data key, so no eviction can separate the two.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { createPurposeful, generateKeyring, memoryConsentLedger, memoryKeyStore } from '../../src/index.js';
import { rejectionCode } from '../helpers/fixtures.js';

const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const receipts = { key: new Uint8Array(32).fill(5), alg: 'HS256' };
const CACHE = 16; // the smallest key cache allowed

const codeOf = rejectionCode;

describe('LGPD Art. 16; GDPR Art. 17(3): the restriction of a kept retained key and its cached copy', () => {
  it('LGPD Art. 16 I; GDPR Art. 17(3)(b): a cached retained key stays restricted however the key cache evicts', async () => {
    const keyStore = memoryKeyStore();
    const keys = generateKeyring();
    const encryption = { receipts, keyCacheSize: CACHE };
    // rows are written and erased by one instance; another one (with a small key cache) reads them
    const writer = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer],
      keys,
      keyStore,
      encryption,
    });
    const reader = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer],
      keys,
      keyStore,
      encryption,
    });
    const sealOne = async () => {
      const row = await writer.seal(Customer, { ...sampleCustomer, id: randomUUID() }, support);
      return { id: String(row.id), cpf: row.cpf, email: row.email };
    };
    const a = await sealOne();
    const kept = [] as { id: string; cpf: unknown }[];
    for (let i = 0; i < CACHE; i++) kept.push(await sealOne());
    const live = [] as { id: string; email: unknown }[];
    for (let i = 0; i < CACHE; i++) live.push(await sealOne());
    for (const r of [a, ...kept]) await writer.shred(r.id);
    const cpfOf = (r: { id: string; cpf: unknown }) => ({ id: r.id, cpf: r.cpf }); // no restriction column: the key restricts

    // the erased subject's retained key, then others, enter the cache; erasable keys then push them all out of it
    await expect(reader.open(Customer, cpfOf(a), billing)).resolves.toMatchObject({ cpf: sampleCustomer.cpf });
    for (const r of kept.slice(0, CACHE - 1)) await reader.open(Customer, cpfOf(r), billing);
    for (const r of live) await reader.open(Customer, { id: r.id, email: r.email }, support);
    // read again (cached again), then one more kept key
    await expect(reader.open(Customer, cpfOf(a), billing)).resolves.toMatchObject({ cpf: sampleCustomer.cpf });
    await reader.open(Customer, cpfOf(kept[CACHE - 1] as { id: string; cpf: unknown }), billing);

    // the key is still cached: it opens for the purpose that keeps it, and for no other
    for (let i = 0; i < 2; i++) {
      expect(await codeOf(reader.open(Customer, cpfOf(a), support))).toBe('PF_SUBJECT_RESTRICTED');
      await expect(reader.open(Customer, cpfOf(a), billing)).resolves.toMatchObject({ cpf: sampleCustomer.cpf });
    }
  });
});
