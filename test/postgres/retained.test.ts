/** Issue 16, part 2, on the PostgreSQL key store: the server at DATABASE_URL, or embedded PGlite. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { createPurposeful, generateKeyring, memoryConsentLedger, type SubjectKeyStore } from '../../src/index.js';
import { migrate, postgresKeyStore } from '../../src/postgres/index.js';
import { retainedKeyScenarios } from '../crypto/retained-scenarios.js';
import { onServer, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

/**
 * The store, with the engine's sweeps (rewrapping, purging) scoped to the scenario's subject: each scenario
 * has its own keyring, and the other scenarios' keys in the shared table are not its to unwrap.
 */
function scoped(subject: string): SubjectKeyStore {
  const store = postgresKeyStore(db.client);
  return {
    keys: (s) => store.keys(s),
    create: (s, k) => store.create(s, k),
    update: (s, k) => store.update(s, k),
    erasureVersion: (s) => store.erasureVersion?.(s) ?? 0,
    async *subjects() {
      for await (const s of store.subjects()) if (s === subject) yield s;
    },
  };
}

retainedKeyScenarios(onServer ? 'PostgreSQL key store, server' : 'PostgreSQL key store, PGlite', scoped);

describe(`an erased subject never gets a live key, even racing its erasure (${onServer ? 'server, two pools' : 'PGlite'})`, () => {
  it('concurrent sealing on one instance while another shreds: afterwards, no key of the subject is live', async () => {
    const keys = generateKeyring();
    const engine = (client: typeof db.client) =>
      createPurposeful({
        consent: memoryConsentLedger(purposes),
        purposes,
        schemas: [Customer],
        keys,
        keyStore: postgresKeyStore(client),
        encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' }, keyCacheTtlMs: 0 },
      });
    const shredder = engine(db.client);
    const sealer = engine(db.second);
    const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    for (let round = 0; round < 6; round++) {
      const subject = crypto.randomUUID();
      const customer = { ...sampleCustomer, id: subject };
      const seals = Array.from({ length: 12 }, (_, i) =>
        new Promise((r) => setTimeout(r, i)).then(() => sealer.seal(Customer, customer, ctx)),
      );
      const shredding = new Promise((r) => setTimeout(r, round)).then(() => shredder.shred(subject));
      const settled = await Promise.allSettled([...seals, shredding]);
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'PF_SUBJECT_ERASED' });
      }
      expect(settled.at(-1)?.status).toBe('fulfilled');
      const live = (await postgresKeyStore(db.client).keys(subject)).filter((k) => !k.erasedAt && !k.retainUntil);
      expect(live).toEqual([]);
      expect(await codeOf(sealer.seal(Customer, customer, ctx))).toBe('PF_SUBJECT_ERASED');
    }
  });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'not a PurposefulError';
  }
  return 'no error';
}
