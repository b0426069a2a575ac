/**
 * The `sealed` column's check is structural (nothing decoded) and accepts
 * exactly what opening parses: a value bound to it is passed on when
 * `parseEnvelope` would parse it, refused as PF_CIPHERTEXT_MALFORMED (the same
 * error) when it only looks like an envelope, and as PF_NOT_ENCRYPTED when it
 * is plaintext. Every envelope the engine writes passes.
 */
import { pgTable, text } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sealed } from '../../adapters/drizzle.js';
import { purposes } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  parseEnvelope,
  pd,
} from '../../src/index.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const table = pgTable('sealed_check', { id: text('id').primaryKey(), email: sealed('email') });
const toDriver = (v: unknown) => (table.email as unknown as { mapToDriverValue(v: unknown): unknown }).mapToDriverValue(v);

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    return `${err.code}: ${err.message}`;
  }
}

const Person = defineSchema(
  'sealed-check.person',
  z.object({
    id: z.string(),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id' }, recordId: 'id' },
);
const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

describe('sealed columns: the structural check', () => {
  it('passes on every envelope the engine writes, unchanged', async () => {
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Person],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
    });
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.string({ maxLength: 300 }), async (id, email) => {
        const row = (await pf.seal(Person, { id, email }, ctx)) as { email: string };
        expect(toDriver(row.email)).toBe(row.email);
      }),
      { numRuns: 150 },
    );
  });

  it('accepts a value with the envelope prefix exactly when parseEnvelope parses it, else the same PF_CIPHERTEXT_MALFORMED', () => {
    const body = fc.string({ unit: fc.constantFrom(...ALPHABET, '.', '=', ' '), maxLength: 140 });
    const candidates = fc.oneof(
      fc
        .tuple(fc.constantFrom('pf1.xc20.', 'pf1.gsiv.', 'pf1.xc20.k1.', 'pf1.gsiv.dAbc_-.', 'pf1.'), body)
        .map(([h, b]) => h + b),
      fc.string({ maxLength: 80 }).map((s) => `pf1.${s}`),
    );
    fc.assert(
      fc.property(candidates, (s) => {
        const parsed = outcome(() => parseEnvelope(s, 'email'));
        expect(outcome(() => toDriver(s))).toBe(parsed === 'ok' ? 'ok' : parsed);
      }),
      { numRuns: 3000 },
    );
  });

  it('plaintext is PF_NOT_ENCRYPTED, naming the column and never the value', () => {
    const got = outcome(() => toDriver('ana@example.com'));
    expect(got).toMatch(/^PF_NOT_ENCRYPTED: /);
    expect(got).toContain('"email"');
    expect(got).not.toContain('ana@example.com');
  });
});
