import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, Invoice, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createPurposeful,
  type DataKeyRecord,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryErasureJournal,
  memoryKeyStore,
  type PurposefulError,
  pd,
  type SubjectKeyStore,
} from '../../src/index.js';

const ticketCtx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billingCtx = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const accessCtx = { purpose: 'support.accessibility', actor: { id: 'agent-7', roles: ['support'], mfa: true } } as const;

/** A schema without a subject, with a value of every codec type (keys derive from the keyring root). */
const Settings = defineSchema(
  'settings',
  z.object({
    id: pd.none(z.string()),
    contact: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
    score: pd(z.number(), { category: 'user.behavior', purposes: ['support.ticket'], encrypt: true }),
    born: pd(z.date(), { category: 'user.demographic.date_of_birth', purposes: ['support.ticket'], encrypt: true }),
    big: pd(z.bigint(), { category: 'user.financial', purposes: ['support.ticket'], encrypt: true }),
    flag: pd(z.boolean(), { category: 'user.privacy_preferences', purposes: ['support.ticket'], encrypt: true }),
    prefs: pd(z.json(), { category: 'user.privacy_preferences', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, recordId: 'id' },
);
const settings = {
  id: 's-1',
  contact: 'ana@example.com',
  score: -0.5,
  born: new Date('1990-05-01T00:00:00Z'),
  big: -12345678901234567890n,
  flag: false,
  prefs: { a: [1, 'x', null] },
};

async function setup(overrides: Partial<Parameters<typeof createPurposeful>[0]> = {}) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const keys = generateKeyring();
  const keyStore = memoryKeyStore();
  const journal = memoryErasureJournal();
  const consent = memoryConsentLedger(purposes);
  for (const subject of [sampleCustomer.id, '1c9f7e2a-0000-4000-8000-000000000001']) {
    await consent.grant({
      subject,
      purpose: 'support.accessibility',
      notice: { version: '2026-11-01', hash: 'c'.repeat(64) },
      method: 'form',
      collectionPoint: 'app/settings/accessibility',
      highlighted: true,
    });
  }
  const options = {
    consent,
    purposes,
    schemas: [Customer, Ticket, Invoice, Settings],
    keys,
    keyStore,
    erasureJournal: journal,
    encryption: {
      receipts: { key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'receipts-1', issuer: 'https://example.com' },
    },
    ...overrides,
  };
  return { pf: createPurposeful(options), keys, keyStore, journal, publicKey, options };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(JSON.stringify(err) + err.message).not.toMatch(/529\.982|joao\.silva|low vision/);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

describe('seal and open', () => {
  it('seals every encrypted field, leaves the rest, adds the blind index, and opens what the purpose may see', async () => {
    const { pf } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    for (const k of ['cpf', 'email', 'accessibility']) expect(row[k]).toMatch(/^pf1\.xc20\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(row.name).toBe(sampleCustomer.name);
    expect(row.bidx_cpf).toMatch(/^k-[\w-]+\.[A-Za-z0-9_-]{11}$/);
    expect(JSON.stringify(row)).not.toContain('529.982.247-25');
    expect(await pf.open(Customer, row, ticketCtx)).toEqual({
      id: sampleCustomer.id,
      channel: 'chat',
      name: 'João da Silva',
      cpf: '***.***.**7-25',
      email: 'joao.silva@example.com',
      phone: '*********4321',
      address: { city: 'São Paulo', postalCode: '******100' },
    });
    expect(await pf.open(Customer, row, accessCtx)).toEqual({
      id: sampleCustomer.id,
      channel: 'chat',
      accessibility: 'low vision',
    });
  });

  it('keeps every codec type, in schemas without a subject too', async () => {
    const { pf } = await setup();
    const row = await pf.seal(Settings, settings, ticketCtx);
    const back = await pf.open(Settings, row, ticketCtx);
    expect(back).toEqual(settings);
    expect(Object.is(back.score, -0.5)).toBe(true);
    expect(back.born).toBeInstanceOf(Date);
  });

  it('reaches fields inside arrays and binds them to the record id', async () => {
    const { pf } = await setup();
    const ticket = {
      id: '9b2f6a30-1a5e-4d3c-9a8f-0c1d2e3f4a5b',
      customerId: sampleCustomer.id,
      status: 'open',
      subject: 'Cobrança duplicada',
      messages: [
        { at: '2026-11-28T10:00:00Z', from: 'customer', text: 'Meu CPF é 529.982.247-25' },
        { at: '2026-11-28T10:05:00Z', from: 'agent', text: 'Vamos verificar' },
      ],
      assignee: null,
    };
    const row = await pf.seal(Ticket, ticket, ticketCtx);
    const messages = row.messages as Array<{ text: string }>;
    expect(messages[0]?.text).toMatch(/^pf1\./);
    expect(await pf.open(Ticket, row, ticketCtx)).toEqual(ticket);
  });

  it('decrypts only what the purpose may see', async () => {
    const { pf } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    // the accessibility value is garbage, but support.ticket never sees it, so it is never opened
    const view = await pf.open(Customer, { ...row, accessibility: 'pf1.xc20.nope.AAAA' }, ticketCtx);
    expect(view).not.toHaveProperty('accessibility');
    expect(await codeOf(pf.open(Customer, { ...row, accessibility: 'pf1.xc20.nope.AAAA' }, accessCtx))).toBe(
      'PF_CIPHERTEXT_MALFORMED',
    );
    const truncated = (row.accessibility as string).replace(/\.[^.]+$/, '.AAAA');
    expect(await codeOf(pf.open(Customer, { ...row, accessibility: truncated }, accessCtx))).toBe('PF_CIPHERTEXT_MALFORMED');
  });

  it('batch forms', async () => {
    const { pf } = await setup();
    const rows = await pf.sealMany(Settings, [settings, { ...settings, id: 's-2' }], ticketCtx);
    expect(await pf.openMany(Settings, rows, ticketCtx)).toEqual([settings, { ...settings, id: 's-2' }]);
  });

  it('works with AES-256-GCM-SIV and with the portable implementation, and they read each other', async () => {
    const schemas = [Customer, Ticket, Invoice];
    const a = await setup({ schemas, encryption: { algorithm: 'gsiv' } });
    const row = await a.pf.seal(Customer, sampleCustomer, ticketCtx);
    expect(row.email).toMatch(/^pf1\.gsiv\./);
    const portable = createPurposeful({ ...a.options, encryption: { implementation: 'noble' } });
    expect(await portable.open(Customer, row, accessCtx)).toEqual({
      id: sampleCustomer.id,
      channel: 'chat',
      accessibility: 'low vision',
    });
    const xc = await portable.seal(Customer, sampleCustomer, ticketCtx);
    expect(xc.email).toMatch(/^pf1\.xc20\./);
    expect(await a.pf.open(Customer, xc, ticketCtx)).toMatchObject({ email: 'joao.silva@example.com' });
    // GCM-SIV only under keys bounded per subject and field: a schema without a subject may not use it
    let err: unknown;
    try {
      createPurposeful({ ...a.options, schemas: [Settings], encryption: { algorithm: 'gsiv' } });
    } catch (e) {
      err = e;
    }
    expect((err as PurposefulError).code).toBe('PF_OPTIONS_INVALID');
  });
});

describe('a value is bound to its place', () => {
  it('moved to another field, another record or another subject, it does not open', async () => {
    const { pf } = await setup();
    const a = await pf.seal(Settings, settings, ticketCtx);
    const b = await pf.seal(Settings, { ...settings, id: 's-2' }, ticketCtx);
    expect(await codeOf(pf.open(Settings, { ...a, contact: a.prefs }, ticketCtx))).toBe('PF_DECRYPTION_FAILED');
    expect(await codeOf(pf.open(Settings, { ...a, contact: b.contact }, ticketCtx))).toBe('PF_DECRYPTION_FAILED');
    expect(await codeOf(pf.open(Settings, { ...a, id: 's-2' }, ticketCtx))).toBe('PF_DECRYPTION_FAILED');

    const other = { ...sampleCustomer, id: '1c9f7e2a-0000-4000-8000-000000000001' };
    const rowA = await pf.seal(Customer, sampleCustomer, ticketCtx);
    const rowB = await pf.seal(Customer, other, ticketCtx);
    // B's key does not have A's key id: the key id selects the key, no trial decryption
    expect(await codeOf(pf.open(Customer, { ...rowB, email: rowA.email }, ticketCtx))).toBe('PF_KEY_NOT_FOUND');
    // the same subject's row, claimed for another subject
    expect(await codeOf(pf.open(Customer, { ...rowA, id: other.id }, ticketCtx))).toBe('PF_KEY_NOT_FOUND');
  });

  it('any tampering fails with a typed error and no plaintext', async () => {
    const { pf } = await setup();
    const row = await pf.seal(Settings, settings, ticketCtx);
    const text = row.contact as string;
    const body = text.slice(text.lastIndexOf('.') + 1);
    const prefix = text.slice(0, text.lastIndexOf('.') + 1);
    for (let i = 0; i < body.length; i += 7) {
      const c = body[i] === 'A' ? 'B' : 'A';
      const code = await codeOf(
        pf.open(Settings, { ...row, contact: prefix + body.slice(0, i) + c + body.slice(i + 1) }, ticketCtx),
      );
      expect(['PF_DECRYPTION_FAILED', 'PF_CIPHERTEXT_MALFORMED']).toContain(code);
    }
    expect(await codeOf(pf.open(Settings, { ...row, contact: text.slice(0, -4) }, ticketCtx))).toMatch(
      /PF_DECRYPTION_FAILED|PF_CIPHERTEXT_MALFORMED/,
    );
    expect(await codeOf(pf.open(Settings, { ...row, contact: `${text}AAAA` }, ticketCtx))).toBe('PF_DECRYPTION_FAILED');
    expect(await codeOf(pf.open(Settings, { ...row, contact: text.replace('xc20', 'gsiv') }, ticketCtx))).toMatch(
      /PF_DECRYPTION_FAILED|PF_CIPHERTEXT_MALFORMED/,
    );
  });

  it('fails closed on plaintext, unknown keys, double sealing and a missing subject', async () => {
    const { pf } = await setup();
    const row = await pf.seal(Settings, settings, ticketCtx);
    expect(await codeOf(pf.open(Settings, { ...row, contact: 'ana@example.com' }, ticketCtx))).toBe('PF_NOT_ENCRYPTED');
    expect(
      await codeOf(
        pf.open(Settings, { ...row, contact: (row.contact as string).replace(/^pf1\.xc20\.[^.]+/, 'pf1.xc20.nokey') }, ticketCtx),
      ),
    ).toBe('PF_KEY_NOT_FOUND');
    expect(await codeOf(pf.seal(Settings, row, ticketCtx))).toBe('PF_INPUT_INVALID');
    const { id: _id, ...noSubject } = sampleCustomer;
    expect(await codeOf(pf.seal(Customer, noSubject, ticketCtx))).toBe('PF_SUBJECT_MISSING');
    expect(await codeOf(pf.seal(Settings, { ...settings, score: Number.NaN }, ticketCtx))).toBe('PF_INPUT_INVALID');
    const { id: _sid, ...noRecordId } = settings;
    expect(await codeOf(pf.seal(Settings, noRecordId, ticketCtx))).toBe('PF_INPUT_INVALID');
  });

  it('a key store whose wrapped keys were altered is detected', async () => {
    const { pf, keyStore } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    const fresh = createPurposeful({ ...(await setup()).options, keys: (await setup()).keys, keyStore });
    expect(await codeOf(fresh.open(Customer, row, ticketCtx))).toBe('PF_KEY_NOT_FOUND');
    const [record] = (await keyStore.keys(sampleCustomer.id)) as DataKeyRecord[];
    if (!record) throw new Error('no key');
    const w = record.wrapped;
    await keyStore.update(sampleCustomer.id, {
      ...record,
      wrapped: `${w.slice(0, -3)}${w.endsWith('A') ? 'B' : 'A'}${w.slice(-2)}`,
    });
    const other = createPurposeful((await setup({ keyStore })).options);
    expect(await codeOf(other.open(Customer, row, ticketCtx))).toMatch(/PF_DECRYPTION_FAILED|PF_KEY_NOT_FOUND/);
  });

  it('options are checked when the engine is created', async () => {
    const base = (await setup()).options;
    for (const bad of [
      { keys: { keys: [] } },
      { keyStore: undefined },
      { encryption: { algorithm: 'aes-cbc' } },
      { encryption: { indexBits: 12 } },
      { encryption: { backupMaxAge: 'a month' } },
      { encryption: { keyCacheSize: 1 } },
    ]) {
      let err: unknown;
      try {
        createPurposeful({ ...base, ...(bad as object) } as never);
      } catch (e) {
        err = e;
      }
      expect((err as PurposefulError).code, JSON.stringify(bad)).toBe('PF_OPTIONS_INVALID');
    }
  });
});

describe('blind indexes', () => {
  it('equal values after normalization give equal index values; rotation gives one per live key', async () => {
    const { pf, options } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    expect(pf.indexFor(Customer, 'cpf', '52998224725')).toEqual([row.bidx_cpf]);
    expect(pf.indexFor(Customer, 'cpf', '529 982 247 25')).toEqual([row.bidx_cpf]);
    expect(pf.indexFor(Customer, 'cpf', '11144477735')).not.toEqual([row.bidx_cpf]);
    const rotated = createPurposeful({ ...options, keys: options.keys.rotate() });
    const values = rotated.indexFor(Customer, 'cpf', '529.982.247-25');
    expect(values).toHaveLength(2);
    expect(values[1]).toBe(row.bidx_cpf);
    const newRow = await rotated.seal(Customer, { ...sampleCustomer, id: '1c9f7e2a-0000-4000-8000-000000000002' }, ticketCtx);
    expect(newRow.bidx_cpf).toBe(values[0]);
    expect(() => pf.indexFor(Customer, 'nope', 'x')).toThrow(/no blind index/);
  });

  it('compound indexes combine normalized fields, in order', async () => {
    const People = defineSchema(
      'people',
      z.object({
        id: pd.none(z.string()),
        name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], encrypt: true }),
        email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
      }),
      { purposes, indexes: { name_email: ['name', 'email'] } },
    );
    const pf = createPurposeful({ ...(await setup()).options, schemas: [People] });
    const row = await pf.seal(People, { id: 'p1', name: 'João  da Silva', email: ' Joao@Example.com' }, ticketCtx);
    expect(pf.indexFor(People, 'name_email', ['joao da silva', 'joao@example.com'])).toEqual([row.bidx_name_email]);
    expect(pf.indexFor(People, 'name_email', ['joao@example.com', 'joao da silva'])).not.toEqual([row.bidx_name_email]);
    expect(() => pf.indexFor(People, 'name_email', 'joao')).toThrow(/pass their values as an array/);
    const missing = await pf.seal(People, { id: 'p2', name: 'Ana', email: null }, ticketCtx);
    expect(missing.bidx_name_email).toBeNull();
  });
});

describe('rotation', () => {
  it('a keyring rotation only rewraps data keys; old rows still open; the old key can then retire', async () => {
    const { pf, options, keyStore } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    const next = options.keys.rotate();
    const pf2 = createPurposeful({ ...options, keys: next });
    expect(await pf2.rewrapDataKeys()).toBe(2);
    expect(await pf2.rewrapDataKeys()).toBe(0);
    for (const r of await keyStore.keys(sampleCustomer.id)) expect(r.kek).toBe(next.primary);
    const pf3 = createPurposeful({ ...options, keys: next.retire(options.keys.primary) });
    expect(await pf3.open(Customer, row, ticketCtx)).toMatchObject({ email: 'joao.silva@example.com' });
  });

  it('rotate() re-encrypts values under old keys, verified, idempotent, and refuses unknown keys before changing anything', async () => {
    const { pf, options } = await setup();
    const rows = await pf.sealMany(
      Settings,
      Array.from({ length: 7 }, (_, i) => ({ ...settings, id: `s-${i}` })),
      ticketCtx,
    );
    const next = options.keys.rotate();
    const pf2 = createPurposeful({ ...options, keys: next });
    const seen: number[] = [];
    const first = await pf2.rotate(Settings, rows, { batchSize: 3, onProgress: (p) => void seen.push(p.done) });
    expect(first.changed).toBe(7);
    expect(seen).toEqual([3, 6, 7]);
    for (const r of first.rows)
      expect((r as Record<string, string>).contact).toMatch(new RegExp(`^pf1\\.xc20\\.${next.primary}\\.`));
    expect(await pf2.openMany(Settings, first.rows, ticketCtx)).toEqual(rows.map((_, i) => ({ ...settings, id: `s-${i}` })));
    const again = await pf2.rotate(Settings, first.rows);
    expect(again.changed).toBe(0);
    expect(again.rows).toEqual(first.rows);
    const first0 = rows[0] as Record<string, unknown>;
    const foreign = { ...first0, contact: (first0.contact as string).replace(/^pf1\.xc20\.[^.]+/, 'pf1.xc20.gone') };
    let progressed = false;
    const mark = () => {
      progressed = true;
    };
    expect(await codeOf(pf2.rotate(Settings, [rows[1], foreign], { onProgress: mark }))).toBe('PF_KEY_NOT_FOUND');
    expect(progressed).toBe(false);
  });

  it('rotate() moves subject rows to another algorithm under the same data key', async () => {
    const { pf, options } = await setup();
    const rows = await pf.sealMany(Customer, [sampleCustomer], ticketCtx);
    const gsiv = createPurposeful({ ...options, schemas: [Customer, Ticket, Invoice], encryption: { algorithm: 'gsiv' } });
    const { rows: rotated, changed } = await gsiv.rotate(Customer, rows);
    expect(changed).toBe(1);
    const r = rotated[0] as Record<string, string>;
    expect(r.email).toMatch(/^pf1\.gsiv\./);
    expect(r.email?.split('.')[2]).toBe(((rows[0] as Record<string, unknown>).email as string).split('.')[2]);
    expect(await gsiv.open(Customer, r, ticketCtx)).toMatchObject({ email: 'joao.silva@example.com' });
  });

  it('killed at any batch and resumed, every row stays readable and ends rotated', async () => {
    const { pf, options } = await setup();
    const stored = await pf.sealMany(
      Settings,
      Array.from({ length: 10 }, (_, i) => ({ ...settings, id: `s-${i}` })),
      ticketCtx,
    );
    const pf2 = createPurposeful({ ...options, keys: options.keys.rotate() });
    for (const killAt of [1, 2, 3]) {
      const db = [...stored];
      let batches = 0;
      await pf2
        .rotate(Settings, db, {
          batchSize: 3,
          onProgress: (p) => {
            db.splice(p.from, p.rows.length, ...(p.rows as Record<string, unknown>[]));
            if (++batches === killAt) throw new Error('killed');
          },
        })
        .catch(() => undefined);
      expect(await pf2.openMany(Settings, db, ticketCtx)).toHaveLength(10);
      const resumed = await pf2.rotate(Settings, db);
      expect(resumed.changed).toBe(10 - Math.min(killAt * 3, 10));
      expect((await pf2.rotate(Settings, resumed.rows)).changed).toBe(0);
    }
  });
});

describe('crypto-shredding', () => {
  it('erases what may be erased, keeps what the law keeps, signs a receipt, and journals the erasure', async () => {
    const { pf, journal, publicKey } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    const invoice = await pf.seal(
      Invoice,
      {
        number: 'NF-1',
        customerId: sampleCustomer.id,
        taxId: '529.982.247-25',
        amountCents: 100,
        issuedAt: '2026-01-01T00:00:00Z',
      },
      billingCtx,
    );
    const now = new Date('2026-11-28T12:00:00Z');
    const result = await pf.shred(sampleCustomer.id, { rows: [{ schema: Customer, rows: [row] }], now });
    expect(result.erased).toHaveLength(1);
    expect(result.retained).toEqual([
      { keyId: expect.any(String), until: '2031-11-28T12:00:00.000Z', purposes: ['billing.invoice'] },
    ]);
    expect(result.indexValues).toEqual({ bidx_cpf: [row.bidx_cpf] });
    expect(result.backupsClearBy).toBe('2026-12-28T12:00:00.000Z');
    const { payload, protectedHeader } = await jwtVerify(result.receipt, publicKey, {
      issuer: 'https://example.com',
      subject: sampleCustomer.id,
    });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'receipts-1', typ: 'purposeful-erasure+jwt' });
    expect(payload).toMatchObject({ purpose: 'erasure', erased: result.erased });
    expect(JSON.stringify(payload)).not.toMatch(/529|joao|João/);

    expect(await codeOf(pf.open(Customer, row, ticketCtx))).toBe('PF_SUBJECT_ERASED');
    expect(await codeOf(pf.open(Customer, row, accessCtx))).toBe('PF_SUBJECT_ERASED');
    expect(await pf.open(Invoice, invoice, billingCtx)).toMatchObject({ taxId: '529.982.247-25' });
    const entries = [];
    for await (const e of journal.entries()) entries.push(e);
    expect(entries).toEqual([{ subject: sampleCustomer.id, keyIds: result.erased, at: now.toISOString() }]);

    // the retained key goes once its retention ends
    expect(await pf.purgeRetained(new Date('2031-01-01T00:00:00Z'))).toBe(0);
    expect(await pf.purgeRetained(new Date('2031-11-28T12:00:00Z'))).toBe(1);
    expect(await codeOf(pf.open(Invoice, invoice, billingCtx))).toBe('PF_SUBJECT_ERASED');
  });

  it('a restored key-store backup is erased again by replaying the journal', async () => {
    const { pf, keyStore, journal, options } = await setup();
    const row = await pf.seal(Customer, sampleCustomer, ticketCtx);
    const backup = new Map<string, DataKeyRecord[]>([[sampleCustomer.id, [...(await keyStore.keys(sampleCustomer.id))]]]);
    await pf.shred(sampleCustomer.id);
    const restored: SubjectKeyStore = memoryKeyStore();
    for (const [subject, records] of backup) for (const r of records) await restored.create(subject, r);
    const afterRestore = createPurposeful({ ...options, keyStore: restored, erasureJournal: journal });
    expect(await afterRestore.open(Customer, row, ticketCtx)).toMatchObject({ email: 'joao.silva@example.com' });
    expect(await afterRestore.replayErasures()).toBe(1);
    expect(await codeOf(afterRestore.open(Customer, row, ticketCtx))).toBe('PF_SUBJECT_ERASED');
  });

  it('shred needs a receipt signer, and an erased subject gets no new key (only what the law keeps, under its retained key)', async () => {
    const { options } = await setup();
    const noReceipts = createPurposeful({ ...options, encryption: {} });
    expect(await codeOf(noReceipts.shred(sampleCustomer.id))).toBe('PF_OPTIONS_INVALID');
    const { pf, keyStore } = await setup();
    const before = await pf.seal(Customer, sampleCustomer, ticketCtx);
    await pf.shred(sampleCustomer.id);
    const count = (await keyStore.keys(sampleCustomer.id)).length;
    expect(await codeOf(pf.seal(Customer, sampleCustomer, ticketCtx))).toBe('PF_SUBJECT_ERASED');
    const { id, channel, name, cpf } = sampleCustomer;
    const after = await pf.seal(Customer, { id, channel, name, cpf }, billingCtx);
    expect((after.cpf as string).split('.')[2]).toBe((before.cpf as string).split('.')[2]);
    expect(await keyStore.keys(sampleCustomer.id)).toHaveLength(count);
    // a subject erased before it had any key is remembered all the same
    await pf.shred('1c9f7e2a-0000-4000-8000-00000000000f');
    expect(await codeOf(pf.seal(Customer, { ...sampleCustomer, id: '1c9f7e2a-0000-4000-8000-00000000000f' }, ticketCtx))).toBe(
      'PF_SUBJECT_ERASED',
    );
  });
});
