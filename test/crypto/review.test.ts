// Regression tests from a security review of field encryption: each case once
// let a value stay in plaintext, revived an erased key, or leaked data in an error.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, defineSchema, generateKeyring, keyringFromJwks, memoryKeyStore, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const secret = () => pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true });
const ctx = { purpose: 'support.ticket', actor: { id: 'a' } } as const;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

describe('sealing reaches every encrypted field', () => {
  it('in recursive schemas, whatever the order of the fields', async () => {
    interface Node {
      children: Node[];
      secret: string;
    }
    const N: z.ZodType<Node> = z.object({
      get children() {
        return z.array(N);
      },
      secret: secret(),
    });
    const Tree = defineSchema('tree', z.object({ id: pd.none(z.string()), root: N }), { purposes, recordId: 'id' });
    const pf = createPurposeful({ purposes, schemas: [Tree], keys: generateKeyring() });
    const row = await pf.seal(
      Tree,
      { id: 'r1', root: { secret: 'top@x.com', children: [{ secret: 'child@x.com', children: [] }] } },
      ctx,
    );
    expect(JSON.stringify(row)).not.toContain('@x.com');
    const planted = { ...row, root: { ...(row.root as object), children: [{ secret: 'planted@x.com', children: [] }] } };
    expect(await codeOf(pf.open(Tree, planted, ctx))).toBe('PF_NOT_ENCRYPTED');
  });

  it('refuses a value of the wrong shape where encrypted fields sit, instead of passing it through', async () => {
    const S = defineSchema(
      'shape',
      z.object({ id: pd.none(z.string()), phones: z.array(secret()), address: z.object({ street: secret() }) }),
      {
        purposes,
        recordId: 'id',
      },
    );
    const pf = createPurposeful({ purposes, schemas: [S], keys: generateKeyring() });
    expect(await codeOf(pf.seal(S, { id: '1', phones: { home: '+55 11 98765-4321' }, address: { street: 'x' } }, ctx))).toBe(
      'PF_INPUT_INVALID',
    );
    expect(await codeOf(pf.seal(S, { id: '1', phones: [], address: ['Rua A'] }, ctx))).toBe('PF_INPUT_INVALID');
    class Box {
      get phones() {
        return ['+55 11 90000-0000'];
      }
    }
    expect(await codeOf(pf.seal(S, { id: '1', phones: [], address: new Box() }, ctx))).toBe('PF_INPUT_INVALID');
  });

  it('text that merely starts like an envelope is sealed; a value larger than an envelope can hold is refused', async () => {
    const S = defineSchema('note', z.object({ id: pd.none(z.string()), note: secret() }), { purposes, recordId: 'id' });
    const pf = createPurposeful({ purposes, schemas: [S], keys: generateKeyring() });
    const row = await pf.seal(S, { id: '1', note: 'pf1. first, my CPF is 529.982.247-25' }, ctx);
    expect(await pf.open(S, row, ctx)).toEqual({ id: '1', note: 'pf1. first, my CPF is 529.982.247-25' });
    expect(await codeOf(pf.seal(S, { id: '1', note: 'x'.repeat(7 * 1024 * 1024) }, ctx))).toBe('PF_LIMIT_EXCEEDED');
    // a plaintext shaped like an envelope is not echoed back in the error
    let message = '';
    try {
      await pf.open(S, { id: '1', note: 'pf1.xc20.Maria_Silva_CPF_52998224725.is-my-data' }, ctx);
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).not.toMatch(/Maria|52998224725/);
  });

  it('blind indexes follow fields whose names are not identifiers', async () => {
    const S = defineSchema(
      'tax',
      z.object({
        id: pd.none(z.string()),
        'tax-id': pd(z.string(), {
          category: 'user.government_id',
          purposes: ['support.ticket'],
          encrypt: true,
          index: 'taxid',
          mask: 'cpf',
        }),
      }),
      { purposes, recordId: 'id' },
    );
    const pf = createPurposeful({ purposes, schemas: [S], keys: generateKeyring() });
    const row = await pf.seal(S, { id: '1', 'tax-id': '529.982.247-25' }, ctx);
    expect(row.bidx_taxid).not.toBeNull();
    expect(pf.indexFor(S, 'taxid', '52998224725')).toEqual([row.bidx_taxid]);
  });
});

describe('erased keys stay erased', () => {
  const Person = defineSchema('person', z.object({ id: pd.none(z.string()), email: secret() }), {
    purposes,
    subject: { kind: 'customer', id: 'id' },
    recordId: 'id',
  });

  it('a store never lets an update clear an erasure, and rewrapping skips tombstones', async () => {
    const keyStore = memoryKeyStore();
    const keys = generateKeyring();
    const pf = createPurposeful({
      purposes,
      schemas: [Person],
      keys,
      keyStore,
      encryption: { receipts: { key: new Uint8Array(32), alg: 'HS256' } },
    });
    const row = await pf.seal(Person, { id: 'p1', email: 'ana@example.com' }, ctx);
    const [before] = await keyStore.keys('p1');
    await pf.shred('p1');
    if (before) await keyStore.update('p1', before); // a stale writer (a rewrap that read before the shred)
    expect((await keyStore.keys('p1'))[0]?.erasedAt).toBeDefined();
    const pf2 = createPurposeful({ purposes, schemas: [Person], keys: keys.rotate(), keyStore });
    expect(await pf2.rewrapDataKeys()).toBe(0);
    expect(await codeOf(pf2.open(Person, row, ctx))).toBe('PF_SUBJECT_ERASED');
  });

  it('a read that started before a shredding is not cached after it', async () => {
    const inner = memoryKeyStore();
    let release: () => void = () => undefined;
    let slow = false;
    const keyStore = {
      ...inner,
      keys: async (subject: string) => {
        const r = await inner.keys(subject);
        if (slow) await new Promise<void>((resolve) => (release = resolve));
        return r;
      },
    };
    const pf = createPurposeful({
      purposes,
      schemas: [Person],
      keys: generateKeyring(),
      keyStore,
      encryption: { receipts: { key: new Uint8Array(32), alg: 'HS256' } },
    });
    const row = await pf.seal(Person, { id: 'p1', email: 'ana@example.com' }, ctx);
    slow = true;
    const inFlight = pf.open(Person, { ...row }, ctx);
    await new Promise((r) => setTimeout(r, 5));
    slow = false;
    const shredding = pf.shred('p1');
    release();
    await inFlight.catch(() => undefined);
    await shredding;
    expect(await codeOf(pf.open(Person, row, ctx))).toBe('PF_SUBJECT_ERASED');
  });
});

describe('keyring loading follows RFC 7517', () => {
  const k = 'A'.repeat(43);
  it.each([
    ['duplicate key_ops', { kty: 'oct', kid: 'a', k, key_ops: ['wrapKey', 'unwrapKey', 'unwrapKey'] }],
    ['a signing key', { kty: 'oct', kid: 'a', k, use: 'sig', key_ops: ['wrapKey', 'unwrapKey'] }],
    ['a foreign alg', { kty: 'oct', kid: 'a', k, alg: 'HS256', key_ops: ['wrapKey', 'unwrapKey'] }],
  ])('%s is refused', async (_name, jwk) => {
    expect(await codeOf(keyringFromJwks({ keys: [jwk] } as never))).toBe('PF_OPTIONS_INVALID');
  });
  it('a valid one loads', async () => {
    expect((await keyringFromJwks({ keys: [{ kty: 'oct', kid: 'a', k, key_ops: ['wrapKey', 'unwrapKey'] }] })).primary).toBe('a');
  });
});
