/**
 * Issue 16, part 9: derived field keys are cached by what they are bound to
 * (the subject's data key, schema, field, algorithm), never by key id alone,
 * so two subjects can never share a cached key.
 *
 * Two subjects' data keys get the same key id here by making the id generator
 * repeat itself (as a broken random source, a cloned process state or a key
 * store importing keys with its own ids would): the data keys themselves differ.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import { createPurposeful, defineSchema, generateKeyring, memoryConsentLedger, memoryKeyStore, pd } from '../../src/index.js';
import { rejectionCode } from '../helpers/fixtures.js';

const ids = vi.hoisted(() => ({ repeat: false }));
vi.mock('../../src/util/bytes.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/util/bytes.js')>();
  // key ids are 12 random bytes (the xc20 nonces are 24): while `repeat` is on, every new key gets the same id
  return {
    ...original,
    randomBytes: (n: number) => (ids.repeat && n === 12 ? new Uint8Array(12).fill(7) : original.randomBytes(n)),
  };
});

const Person = defineSchema(
  'person',
  z.object({
    id: z.string(),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id' }, recordId: 'id' },
);
const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const kidOf = (v: unknown) => String(v).split('.')[2];

function engines() {
  const keys = generateKeyring();
  const keyStore = memoryKeyStore();
  const make = () =>
    createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Person],
      keys,
      keyStore,
      // data keys are asked of the store every time (a shredding reaches every engine at once); derived keys stay cached
      encryption: { algorithm: 'xc20', keyCacheTtlMs: 0, receipts: { key: new Uint8Array(32).fill(1), alg: 'HS256' } },
    });
  return { make, keyStore };
}

const codeOf = rejectionCode;

describe('derived field keys are cached per subject data key, not per key id', () => {
  it('two subjects whose data keys share a key id never seal under, nor open with, each other’s keys', async () => {
    const { make, keyStore } = engines();
    const sealer = make();
    ids.repeat = true;
    let ana: Record<string, unknown>;
    let bia: Record<string, unknown>;
    try {
      ana = await sealer.seal(Person, { id: 'ana', email: 'ana@example.com' }, ctx);
      bia = await sealer.seal(Person, { id: 'bia', email: 'bia@example.com' }, ctx);
    } finally {
      ids.repeat = false;
    }
    const [ka] = await keyStore.keys('ana');
    const [kb] = await keyStore.keys('bia');
    expect(kidOf(ana.email)).toBe(kidOf(bia.email)); // the precondition: one key id, two subjects
    expect(ka?.id).toBe(kb?.id);
    expect(ka?.wrapped).not.toBe(kb?.wrapped);

    // a fresh engine opens each with that subject's own data key: neither was sealed under the other's
    expect(await make().open(Person, bia, ctx)).toMatchObject({ email: 'bia@example.com' });
    expect(await make().open(Person, ana, ctx)).toMatchObject({ email: 'ana@example.com' });
    // an engine that derived one subject's field key first does not hand it to the other
    const reader = make();
    expect(await reader.open(Person, ana, ctx)).toMatchObject({ email: 'ana@example.com' });
    expect(await reader.open(Person, bia, ctx)).toMatchObject({ email: 'bia@example.com' });

    // erasing one subject erases exactly that subject, on every engine
    await sealer.shred('bia');
    for (const e of [sealer, reader, make()]) {
      expect(await codeOf(e.open(Person, bia, ctx))).toBe('PF_SUBJECT_ERASED');
      expect(await e.open(Person, ana, ctx)).toMatchObject({ email: 'ana@example.com' });
    }
  });
});
