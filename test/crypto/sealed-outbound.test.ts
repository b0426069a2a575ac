import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import { createPurposeful, defineSchema, generateKeyring, isPurposefulError, memoryConsentLedger, pd } from '../../src/index.js';

const ticketCtx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billingCtx = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;

/** Encrypted fields seen in clear, masked and nested; a clear field whose value merely looks sealed. */
const Note = defineSchema(
  'sealed-note',
  z.object({
    id: pd.none(z.string()),
    email: pd(z.string(), {
      category: 'user.contact.email',
      purposes: { 'support.ticket': 'clear', 'billing.invoice': 'masked' },
      mask: 'email',
      encrypt: true,
    }),
    address: z.object({
      street: pd(z.string(), { category: 'user.contact.address', purposes: ['support.ticket'], encrypt: true }),
    }),
    nickname: pd(z.string(), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] }),
    ref: pd.none(z.string()),
  }),
  { purposes, recordId: 'id' },
);
/** The same fields, none encrypted. */
const Plain = defineSchema(
  'sealed-plain',
  z.object({
    id: pd.none(z.string()),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
    ref: pd.none(z.string()),
  }),
  { purposes, recordId: 'id' },
);

const record = {
  id: 'n-1',
  email: 'ana@example.com',
  address: { street: 'Rua A, 1' },
  nickname: 'pf1.looks-sealed', // a clear field: data, whatever it looks like
  ref: 'pf1.xc20.k.AAAA',
};

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('outbound refuses sealed values (PF_SEALED_VALUE)', () => {
  const pf = createPurposeful({
    consent: memoryConsentLedger(purposes),
    purposes,
    schemas: [Note, Plain],
    keys: generateKeyring(),
  });

  it('a sealed row in clear: refused, naming the field, never the value', async () => {
    const row = await pf.seal(Note, record, ticketCtx);
    expect(String(row.email)).toMatch(/^pf1\./);
    const err = await refusal(pf.outbound(Note, row, ticketCtx));
    expect(err.code).toBe('PF_SEALED_VALUE');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/email holds sealed values: use open/);
    expect(err.message).not.toContain(String(row.email));
    expect(JSON.stringify(err)).not.toContain(String(row.email));
    expect(err.paths).toEqual(['email']);
  });

  it('a sealed row masked: refused rather than a mask of ciphertext', async () => {
    const row = await pf.seal(Note, record, ticketCtx);
    const err = await refusal(pf.outbound(Note, row, billingCtx));
    expect(err.code).toBe('PF_SEALED_VALUE');
    expect(err.message).not.toContain(String(row.email));
  });

  it('a nested sealed field is named by its path', async () => {
    const row = await pf.seal(Note, record, ticketCtx);
    const err = await refusal(pf.outbound(Note, { ...row, email: 'ana@example.com' }, ticketCtx));
    expect(err.code).toBe('PF_SEALED_VALUE');
    expect(err.paths).toEqual(['address.street']);
  });

  it('open reads the same row; outbound of a plaintext record passes', async () => {
    const row = await pf.seal(Note, record, ticketCtx);
    expect(await pf.open(Note, row, ticketCtx)).toMatchObject({ email: 'ana@example.com', address: { street: 'Rua A, 1' } });
    expect(await pf.outbound(Note, record, ticketCtx)).toMatchObject({ email: 'ana@example.com', nickname: 'pf1.looks-sealed' });
  });

  it('a sealed field the purpose does not see is projected away, not refused', async () => {
    const row = await pf.seal(Note, record, ticketCtx);
    const out = await pf.outbound(Note, { ...row, email: 'ana@example.com' }, billingCtx);
    expect(out).not.toHaveProperty('address');
  });

  it('a sealed-looking string in a field not declared encrypted is data', async () => {
    const plain = { id: 'p-1', email: 'pf1.xc20.k.AAAA', ref: 'pf1.xc20.k.AAAA' };
    expect(await pf.outbound(Plain, plain, ticketCtx)).toEqual(plain);
  });
});
