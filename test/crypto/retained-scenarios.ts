/**
 * Issue 16, part 2: after an erasure, what a legal obligation keeps stays
 * under its retained key and its `retainUntil`, whatever is done to the rows
 * meanwhile (rotation, rewrapping, correction, new sealing), so that
 * `purgeRetained` past the date leaves nothing of it openable. Run on the
 * memory key store (test/crypto/retained.test.ts) and on the PostgreSQL one
 * (test/postgres/retained.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createPurposeful,
  generateKeyring,
  isPurposefulError,
  type Keyring,
  memoryConsentLedger,
  type Purposeful,
  rightsDesk,
  type SubjectKeyStore,
} from '../../src/index.js';

const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
/** The erasure: retained keys are kept until five years later (billing.invoice, P5Y). */
const ERASED_AT = new Date('2026-11-28T12:00:00Z');
const RETAIN_UNTIL = '2031-11-28T12:00:00.000Z';
/** Past every retention: purgeRetained then erases what was retained. */
const PAST = new Date('2032-06-01T00:00:00Z');
const OTHER_CPF = '111.444.777-35';

/** The key id of an envelope (`pf1.<alg>.<kid>.…`). */
export const kidOf = (v: unknown): string => String(v).split('.')[2] ?? '';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(JSON.stringify(err) + err.message).not.toMatch(/529\.982|111\.444|joao|João/);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

interface World {
  pf: Purposeful;
  keys: Keyring;
  keyStore: SubjectKeyStore;
  subject: string;
  customer: Record<string, unknown>;
  invoices: Map<string, Record<string, unknown>>;
  engine(over?: { keys?: Keyring; algorithm?: 'xc20' | 'gsiv' }): Purposeful;
}

/** Makes the key store a scenario runs on, for its one subject (a shared database may scope it to that subject). */
export type StoreFor = (subject: string) => SubjectKeyStore | Promise<SubjectKeyStore>;

async function world(makeStore: StoreFor): Promise<World> {
  const subject = crypto.randomUUID();
  const keyStore = await makeStore(subject);
  const invoices = new Map<string, Record<string, unknown>>();
  const w = { keyStore, subject, invoices, keys: generateKeyring() } as World;
  w.engine = (over = {}) =>
    createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer, Invoice],
      keys: over.keys ?? w.keys,
      keyStore,
      encryption: {
        receipts: { key: new Uint8Array(32).fill(3), alg: 'HS256' },
        keyCacheTtlMs: 0,
        ...(over.algorithm ? { algorithm: over.algorithm } : {}),
      },
      rights: rightsDesk({
        verify: () => true,
        sources: {
          invoice: {
            find: async (id) => [...invoices.values()].filter((r) => r.customerId === id),
            update: async (_id, row) => {
              invoices.set(String(row.number), row);
            },
          },
        },
        recipients: { 'NF-e issuing service': () => {}, 'Survey platform': () => {} },
      }),
    });
  w.pf = w.engine();
  w.customer = await w.pf.seal(Customer, { ...sampleCustomer, id: subject }, support);
  const invoice = {
    number: 'NF-1',
    customerId: subject,
    taxId: sampleCustomer.cpf,
    amountCents: 100,
    issuedAt: '2026-01-01T00:00:00Z',
  };
  invoices.set('NF-1', await w.pf.seal(Invoice, invoice, billing));
  return w;
}

/** The subject's retained key after the erasure. */
async function retainedKey(w: World) {
  const kept = (await w.keyStore.keys(w.subject)).filter((k) => k.retainUntil && !k.erasedAt);
  expect(kept).toHaveLength(1);
  return kept[0] as NonNullable<(typeof kept)[0]>;
}

/** Nothing the subject had stays openable: every stored key is erased, and every retained value refuses to open. */
async function nothingOpens(w: World, pf: Purposeful, rows: { customer: unknown[]; invoices: unknown[] }) {
  expect((await w.keyStore.keys(w.subject)).filter((k) => !k.erasedAt)).toEqual([]);
  for (const row of rows.customer) expect(await codeOf(pf.open(Customer, row, billing))).toBe('PF_SUBJECT_ERASED');
  for (const row of rows.invoices) expect(await codeOf(pf.open(Invoice, row, billing))).toBe('PF_SUBJECT_ERASED');
}

export function retainedKeyScenarios(label: string, makeStore: StoreFor): void {
  describe(`after an erasure, legally retained data ends with its retention (${label})`, () => {
    it('rotation keeps a retained field under its retained key, and mints no key for the erased subject', async () => {
      const w = await world(makeStore);
      await w.pf.shred(w.subject, { now: ERASED_AT });
      const kept = await retainedKey(w);
      const count = (await w.keyStore.keys(w.subject)).length;
      // the reproduction: rotate, then purge six years later
      const {
        rows: [r2],
      } = await w.pf.rotate(Customer, [w.customer]);
      expect(kidOf((r2 as Record<string, unknown>).cpf)).toBe(kept.id);
      // after a keyring rotation, and to another algorithm: still under the same retained key
      const gsiv = w.engine({ keys: w.keys.rotate(), algorithm: 'gsiv' });
      const {
        rows: [r3],
      } = await gsiv.rotate(Customer, [r2]);
      expect(String((r3 as Record<string, unknown>).cpf).split('.')[1]).toBe('gsiv');
      expect(kidOf((r3 as Record<string, unknown>).cpf)).toBe(kept.id);
      const [inv] = (await gsiv.rotate(Invoice, [...w.invoices.values()])).rows;
      expect(kidOf((inv as Record<string, unknown>).taxId)).toBe(kept.id);
      expect(await gsiv.open(Customer, r3, billing)).toMatchObject({ cpf: sampleCustomer.cpf });
      expect(await w.keyStore.keys(w.subject)).toHaveLength(count);
      expect((await retainedKey(w)).retainUntil).toBe(RETAIN_UNTIL);
      expect(await w.pf.purgeRetained(PAST)).toBeGreaterThanOrEqual(1); // the store may hold other subjects
      await nothingOpens(w, gsiv, { customer: [w.customer, r2, r3], invoices: [inv] });
    });

    it('rewrapping keeps the retention date, even when a stale writer read the key before the erasure', async () => {
      const w = await world(makeStore);
      const before = (await w.keyStore.keys(w.subject)).find((k) => k.keyClass === 'retained');
      await w.pf.shred(w.subject, { now: ERASED_AT });
      // a writer that read the key record before the shredding (a rewrap in flight) writes it back
      if (before) await w.keyStore.update(w.subject, before);
      expect((await retainedKey(w)).retainUntil).toBe(RETAIN_UNTIL);
      const newKeys = w.keys.rotate();
      const rotated = w.engine({ keys: newKeys });
      expect(await rotated.rewrapDataKeys()).toBe(1);
      const kept = await retainedKey(w);
      expect([kept.retainUntil, kept.kek]).toEqual([RETAIN_UNTIL, newKeys.primary]);
      expect(await rotated.open(Invoice, w.invoices.get('NF-1'), billing)).toMatchObject({ taxId: sampleCustomer.cpf });
      await rotated.purgeRetained(new Date('2031-11-28T11:59:59Z'));
      expect((await retainedKey(w)).id).toBe(kept.id); // a second before its date, it is kept
      expect(await rotated.purgeRetained(PAST)).toBeGreaterThanOrEqual(1);
      await nothingOpens(w, rotated, { customer: [w.customer], invoices: [...w.invoices.values()] });
    });

    it('a correction of an erased subject’s retained record stays under the retained key', async () => {
      const w = await world(makeStore);
      await w.pf.shred(w.subject, { now: ERASED_AT });
      const kept = await retainedKey(w);
      const count = (await w.keyStore.keys(w.subject)).length;
      const r = await w.pf.rights.request({ subjectId: w.subject, kind: 'correction', verification: 'ok' });
      const result = await w.pf.rights.correct(r.id, { schema: 'invoice', record: 'NF-1', patch: { taxId: OTHER_CPF } });
      expect(result.changed).toEqual(['taxId']);
      const corrected = w.invoices.get('NF-1') as Record<string, unknown>;
      expect(kidOf(corrected.taxId)).toBe(kept.id);
      expect(await w.pf.open(Invoice, corrected, billing)).toMatchObject({ taxId: OTHER_CPF });
      expect(await w.keyStore.keys(w.subject)).toHaveLength(count);
      await w.pf.purgeRetained(PAST);
      await nothingOpens(w, w.pf, { customer: [], invoices: [corrected] });
    });

    it('new data for an erased subject is refused, except a retained field under its retaining purpose', async () => {
      const w = await world(makeStore);
      await w.pf.shred(w.subject, { now: ERASED_AT });
      const kept = await retainedKey(w);
      const count = (await w.keyStore.keys(w.subject)).length;
      const customer = { ...sampleCustomer, id: w.subject };
      // erasable fields (e-mail, accessibility, phone) and a purpose that retains nothing are refused
      expect(await codeOf(w.pf.seal(Customer, customer, support))).toBe('PF_SUBJECT_ERASED');
      expect(await codeOf(w.pf.seal(Customer, customer, billing))).toBe('PF_SUBJECT_ERASED');
      const retainedOnly = { id: w.subject, channel: 'chat', name: customer.name, cpf: OTHER_CPF };
      expect(await codeOf(w.pf.seal(Customer, retainedOnly, support))).toBe('PF_SUBJECT_ERASED');
      expect(await codeOf(w.pf.seal(Customer, { id: w.subject, phone: customer.phone }, billing))).toBe('PF_SUBJECT_ERASED');
      // what billing must keep by law goes under the retained key, with its date
      const row = await w.pf.seal(Customer, retainedOnly, billing);
      expect(kidOf(row.cpf)).toBe(kept.id);
      const invoice = {
        number: 'NF-2',
        customerId: w.subject,
        taxId: OTHER_CPF,
        amountCents: 5,
        issuedAt: '2026-12-01T00:00:00Z',
      };
      const inv = await w.pf.seal(Invoice, invoice, billing);
      expect(kidOf(inv.taxId)).toBe(kept.id);
      expect(await w.keyStore.keys(w.subject)).toHaveLength(count);
      expect((await retainedKey(w)).retainUntil).toBe(RETAIN_UNTIL);
      // once the retention ends, nothing at all can be sealed for the subject
      await w.pf.purgeRetained(PAST);
      expect(await codeOf(w.pf.seal(Invoice, { ...invoice, number: 'NF-3' }, billing))).toBe('PF_SUBJECT_ERASED');
      await nothingOpens(w, w.pf, { customer: [row], invoices: [inv] });
    });

    it('a second erasure does not push the retention date back', async () => {
      const w = await world(makeStore);
      await w.pf.shred(w.subject, { now: ERASED_AT });
      const again = await w.pf.shred(w.subject, { now: new Date('2029-01-01T00:00:00Z') });
      expect(again.retained.map((r) => r.until)).toEqual([RETAIN_UNTIL]);
      expect((await retainedKey(w)).retainUntil).toBe(RETAIN_UNTIL);
    });

    it('property: whatever is done to the rows between the erasure and the end of retention, nothing opens after the purge', async () => {
      const op = fc.constantFrom('rotate', 'rotate-gsiv', 'rewrap', 'correct', 'seal-invoice', 'shred-again', 'open');
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
          const w = await world(makeStore);
          await w.pf.shred(w.subject, { now: ERASED_AT });
          let pf = w.pf;
          let keys = w.keys;
          let customers: unknown[] = [w.customer];
          const all = { customer: [w.customer] as unknown[], invoices: [...w.invoices.values()] as unknown[] };
          let n = 10;
          for (const o of ops) {
            if (o === 'rotate' || o === 'rotate-gsiv') {
              const e = o === 'rotate' ? pf : w.engine({ keys, algorithm: 'gsiv' });
              customers = (await e.rotate(Customer, customers)).rows;
              const inv = (await e.rotate(Invoice, [...w.invoices.values()])).rows as Record<string, unknown>[];
              for (const row of inv) w.invoices.set(String(row.number), row);
            } else if (o === 'rewrap') {
              keys = keys.rotate();
              pf = w.engine({ keys });
              await pf.rewrapDataKeys();
            } else if (o === 'correct') {
              const r = await pf.rights.request({ subjectId: w.subject, kind: 'correction', verification: 'ok' });
              await pf.rights.correct(r.id, { schema: 'invoice', record: 'NF-1', patch: { taxId: OTHER_CPF } });
            } else if (o === 'seal-invoice') {
              const number = `NF-${n++}`;
              const row = { number, customerId: w.subject, taxId: OTHER_CPF, amountCents: 1, issuedAt: '2027-01-01T00:00:00Z' };
              w.invoices.set(number, await pf.seal(Invoice, row, billing));
            } else if (o === 'shred-again') {
              await pf.shred(w.subject, { now: new Date('2028-03-01T00:00:00Z') });
            } else {
              await pf.open(Invoice, w.invoices.get('NF-1'), billing);
            }
            all.customer.push(...customers);
            all.invoices.push(...w.invoices.values());
          }
          expect(await pf.purgeRetained(PAST)).toBeGreaterThanOrEqual(1);
          await nothingOpens(w, pf, all);
        }),
        { numRuns: 12 },
      );
    });
  });
}
