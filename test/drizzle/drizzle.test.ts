import { randomUUID } from 'node:crypto';
import { and, not, or, eq as rawEq } from 'drizzle-orm';
import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindTable, purposefulDrizzle, sealed } from '../../adapters/drizzle.js';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  generateKeyring,
  type Inbound,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { customers, type DrizzleTestDb, drivers } from './db.js';

const pf = createPurposeful({
  purposes,
  schemas: [Customer],
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  consent: memoryConsentLedger(purposes),
  encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' } },
});
const agent = { id: 'agent-7', roles: ['support'] };
const ticket = { purpose: 'support.ticket', actor: agent } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const supervisor = { purpose: 'support.ticket', actor: { id: 'sup-1', roles: ['supervisor'] } } as const;

const code = settledCode;

type NewCustomer = Inbound<typeof Customer, 'support.ticket'>;
const customer = (over: Partial<NewCustomer> = {}): NewCustomer => ({
  id: randomUUID(),
  channel: 'chat',
  name: 'Ana Souza',
  cpf: '529.982.247-25',
  email: 'ana@example.com',
  phone: '+55 11 98765-4321',
  address: { city: 'São Paulo', postalCode: '01310-100' },
  ...over,
});

/** What a write then a read must equal: `pf.open(pf.seal(record))` for the reading purpose. */
async function expected(record: unknown, read: typeof ticket | typeof billing | typeof supervisor) {
  const checked = await pf.inbound(Customer, record, ticket);
  return pf.open(Customer, await pf.seal(Customer, checked, ticket), read);
}

for (const [driver, open] of drivers) {
  describe(`purposeful/drizzle on ${driver}`, () => {
    let t: DrizzleTestDb;
    let data: ReturnType<typeof purposefulDrizzle<string>>;
    const bound = bindTable(Customer, customers);
    beforeAll(async () => {
      t = await open();
      data = purposefulDrizzle(t.db, pf, { bindings: [bound] });
    }, 60_000);
    afterAll(() => t?.close());

    it('a write then a read equals pf.open(pf.seal(record)) for the purpose, and the raw table holds no plaintext of an encrypted field', async () => {
      const word = fc.stringMatching(/^[a-z0-9]{1,12}$/);
      const record = fc.record({
        channel: fc.constantFrom('chat', 'email'),
        name: fc.string({ minLength: 1, maxLength: 30 }),
        cpf: fc.string({ minLength: 1, maxLength: 20 }),
        email: fc.tuple(word, word).map(([a, b]) => `${a}@${b}.com`),
        phone: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
        address: fc.option(fc.record({ city: fc.string({ maxLength: 20 }), postalCode: fc.string({ maxLength: 9 }) }), {
          nil: undefined,
        }),
      });
      await fc.assert(
        fc.asyncProperty(record, async (r) => {
          const id = randomUUID(); // a new row each run, shrinking included
          const input = { id, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) } as NewCustomer;
          await data.forPurpose(ticket).insert(bound, input);
          for (const read of [ticket, billing, supervisor]) {
            const got = await data.forPurpose(read).findFirst(bound, { where: rawEq(customers.id, id) });
            expect(got).toEqual(await expected(input, read));
          }
          const [raw] = await t.exec(`SELECT cpf, email, bidx_cpf FROM customers WHERE id = '${id}'`);
          expect(raw?.cpf).toMatch(/^pf1\./);
          expect(raw?.email).toMatch(/^pf1\./);
          expect(raw?.cpf).not.toBe(r.cpf);
          expect(raw?.email).not.toBe(r.email);
        }),
        { numRuns: 15 },
      );
    });

    it('a multi-row insert is one statement with envelopes and blind indexes, returning the rows opened', async () => {
      const rows = [customer({ cpf: '111.444.777-35' }), customer({ cpf: '390.533.447-05' })];
      const before = t.statements.length;
      const back = await data.forPurpose(ticket).insert(bound, rows, { returning: true });
      expect(t.statements.slice(before).filter((s) => s.startsWith('insert'))).toHaveLength(1);
      expect(back.map((r) => r.id)).toEqual(rows.map((r) => r.id));
      expect(back[0]?.email).toBe('ana@example.com');
      expect(back[0]?.cpf).not.toBe('111.444.777-35'); // masked for support.ticket
    });

    it('eq and inArray on an indexed encrypted field go through the blind index', async () => {
      const a = customer({ cpf: '935.411.347-80' });
      const b = customer({ cpf: '286.255.878-87' });
      const c = customer({ cpf: '714.602.380-01' });
      await data.forPurpose(ticket).insert(bound, [a, b, c]);
      const billed = data.forPurpose(billing);
      const one = await billed.findMany(bound, { where: data.eq(customers.cpf, '935.411.347-80') });
      expect(one.map((r) => r.id)).toEqual([a.id]);
      // the normalizer of a CPF index keeps digits only: the same CPF written differently is found
      const same = await billed.findMany(bound, { where: data.eq(customers.cpf, '93541134780') });
      expect(same.map((r) => r.id)).toEqual([a.id]);
      const many = await billed.findMany(bound, { where: data.inArray(customers.cpf, ['935.411.347-80', '714.602.380-01']) });
      expect(many.map((r) => r.id).sort()).toEqual([a.id, c.id].sort());
      expect(many.map((r) => r.cpf).sort()).toEqual(['714.602.380-01', '935.411.347-80']);
    });

    it('OR, AND and NOT compose over blind-index and plain conditions', async () => {
      const x = customer({ cpf: '123.456.789-09', channel: 'chat' });
      const y = customer({ cpf: '987.654.321-00', channel: 'email' });
      const z = customer({ cpf: '111.222.333-96', channel: 'email' });
      await data.forPurpose(ticket).insert(bound, [x, y, z]);
      const ids = [x.id, y.id, z.id];
      const read = data.forPurpose(billing);
      const mine = data.inArray(customers.id, ids);
      const ors = await read.findMany(bound, {
        where: and(mine, or(data.eq(customers.cpf, '123.456.789-09'), data.eq(customers.cpf, '111.222.333-96'))),
      });
      expect(ors.map((r) => r.id).sort()).toEqual([x.id, z.id].sort());
      const ands = await read.findMany(bound, {
        where: and(mine, data.eq(customers.channel, 'email'), data.inArray(customers.cpf, ['987.654.321-00', '123.456.789-09'])),
      });
      expect(ands.map((r) => r.id)).toEqual([y.id]);
      const nots = await read.findMany(bound, { where: and(mine, not(data.eq(customers.cpf, '123.456.789-09'))) });
      expect(nots.map((r) => r.id).sort()).toEqual([y.id, z.id].sort());
      const none = await read.findMany(bound, { where: and(mine, data.inArray(customers.cpf, [])) });
      expect(none).toEqual([]);
    });

    it('a query on an encrypted field without an index is PF_QUERY_ENCRYPTED when it is built', async () => {
      expect(await code(() => data.eq(customers.email, 'ana@example.com'))).toBe('PF_QUERY_ENCRYPTED');
      expect(await code(() => data.inArray(customers.accessibility, ['x']))).toBe('PF_QUERY_ENCRYPTED');
    });

    it('a raw plaintext bound to a sealed column fails closed (PF_NOT_ENCRYPTED), naming the column, never the value', async () => {
      let thrown: unknown;
      try {
        await t.db.select().from(customers).where(rawEq(customers.email, 'ana@example.com'));
      } catch (err) {
        thrown = err;
      }
      expect(isPurposefulError(thrown) && thrown.code).toBe('PF_NOT_ENCRYPTED');
      expect(String((thrown as Error).message)).toContain('"email"');
      expect(String((thrown as Error).message)).not.toContain('ana@example.com');
      const row = { ...customer(), bidx_cpf: 'k.x', cpf: '529.982.247-25', email: 'pf1.fake' };
      expect(await code(() => t.db.insert(customers).values(row))).toBe('PF_NOT_ENCRYPTED');
      const [count] = await t.exec(`SELECT count(*)::int AS n FROM customers WHERE id = '${row.id}'`);
      expect(count?.n).toBe(0);
      // what only looks like an envelope (its prefix before a plaintext) is not one
      const fake = { ...customer(), bidx_cpf: 'k.x', cpf: 'pf1.529.982.247-25', email: 'pf1.ana@example.com' };
      expect(await code(() => t.db.insert(customers).values(fake))).toBe('PF_CIPHERTEXT_MALFORMED');
      expect(await code(() => t.db.select().from(customers).where(rawEq(customers.email, 'pf1.ana@example.com')))).toBe(
        'PF_CIPHERTEXT_MALFORMED',
      );
    });

    it('undeclared fields for the purpose are refused before anything is written', async () => {
      const before = t.statements.length;
      const record = { ...customer(), accessibility: 'low vision' }; // declared for support.accessibility only
      expect(await code(() => data.forPurpose(ticket).insert(bound, record as NewCustomer))).toBe('PF_UNDECLARED_FIELD');
      expect(await code(() => data.forPurpose(ticket).insert(bound, { ...customer(), nickname: 'x' } as NewCustomer))).toBe(
        'PF_UNDECLARED_FIELD',
      );
      expect(t.statements.length).toBe(before);
    });

    it('a read the purpose may not make is refused before the query runs (no SQL)', async () => {
      const before = t.statements.length;
      const survey = { purpose: 'support.survey', actor: agent, subjectId: randomUUID() } as const;
      const refused = await code(() => data.forPurpose(survey).findMany(bound));
      expect(refused).toMatch(/^PF_CONSENT/);
      const noRole = { purpose: 'billing.invoice', actor: agent } as const;
      expect(await code(() => data.forPurpose(noRole).findMany(bound))).toBe('PF_ROLE_NOT_ALLOWED');
      expect(t.statements.length).toBe(before);
    });

    it('a transaction scopes its reads and writes to the same purpose, and rolls back together', async () => {
      const a = customer({ cpf: '046.454.286-44' });
      await expect(
        data.forPurpose(ticket).transaction(async (tx) => {
          await tx.insert(bound, a);
          expect(await tx.findFirst(bound, { where: rawEq(customers.id, a.id) })).toBeDefined();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await data.forPurpose(ticket).findFirst(bound, { where: rawEq(customers.id, a.id) })).toBeUndefined();
      await data.forPurpose(ticket).transaction((tx) => tx.insert(bound, a));
      const got = await data.forPurpose(billing).findFirst(bound, { where: data.eq(customers.cpf, '046.454.286-44') });
      expect(got?.id).toBe(a.id);
    });

    it('delete needs a where: without one it is refused and no SQL runs', async () => {
      const before = t.statements.length;
      const scoped = data.forPurpose(ticket);
      expect(await code(() => scoped.delete(bound, {} as never))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.delete(bound, { where: and() } as never))).toBe('PF_INPUT_INVALID'); // and() of nothing
      expect(await code(() => scoped.delete(customers, undefined as never))).toBe('PF_INPUT_INVALID');
      expect(t.statements.length).toBe(before);
      const [n] = await t.exec('SELECT count(*)::int AS n FROM customers');
      expect(n?.n).toBeGreaterThan(0);
    });

    it('a delete the purpose may not make is refused by authorize before the query runs (no SQL)', async () => {
      const kept = customer({ cpf: '123.456.789-09' });
      await data.forPurpose(ticket).insert(bound, kept);
      const before = t.statements.length;
      const survey = { purpose: 'support.survey', actor: agent, subjectId: kept.id } as const;
      const where = rawEq(customers.id, kept.id);
      expect(await code(() => data.forPurpose(survey).delete(bound, { where }))).toMatch(/^PF_CONSENT/);
      const noRole = { purpose: 'billing.invoice', actor: agent } as const;
      expect(await code(() => data.forPurpose(noRole).delete(bound, { where }))).toBe('PF_ROLE_NOT_ALLOWED');
      expect(t.statements.length).toBe(before);
      expect(await data.forPurpose(ticket).findFirst(bound, { where })).toBeDefined();
    });

    it('delete returns the number of rows deleted, matching encrypted fields through their blind index', async () => {
      const [a, b, c] = [
        customer({ cpf: '418.379.420-06' }),
        customer({ cpf: '761.584.560-40' }),
        customer({ cpf: '302.119.360-09' }),
      ] as const;
      await data.forPurpose(ticket).insert(bound, [a, b, c]);
      const scoped = data.forPurpose(ticket);
      const gone = await scoped.delete(bound, { where: data.inArray(customers.cpf, ['418.379.420-06', '76158456040']) });
      expect(gone).toBe(2);
      expect(await scoped.findMany(bound, { where: data.inArray(customers.id, [a.id, b.id, c.id]) })).toHaveLength(1);
      expect(await scoped.delete(customers, { where: rawEq(customers.id, a.id) })).toBe(0);
    });

    it('a delete in a transaction rolls back with it, and commits with it', async () => {
      const a = customer({ cpf: '527.648.830-70' });
      await data.forPurpose(ticket).insert(bound, a);
      const where = rawEq(customers.id, a.id);
      await expect(
        data.forPurpose(ticket).transaction(async (tx) => {
          expect(await tx.delete(bound, { where })).toBe(1);
          expect(await tx.findFirst(bound, { where })).toBeUndefined();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await data.forPurpose(ticket).findFirst(bound, { where })).toBeDefined();
      expect(await data.forPurpose(ticket).transaction((tx) => tx.delete(bound, { where }))).toBe(1);
      expect(await data.forPurpose(ticket).findFirst(bound, { where })).toBeUndefined();
    });

    it('a row of a shredded subject no longer opens: the read fails closed', async () => {
      const gone = customer({ cpf: '853.513.468-93' });
      await data.forPurpose(ticket).insert(bound, gone);
      await pf.shred(gone.id);
      const read = () => data.forPurpose(ticket).findFirst(bound, { where: rawEq(customers.id, gone.id) });
      expect(await code(read)).toBe('PF_SUBJECT_ERASED');
    });

    it('limit and offset page the rows', async () => {
      const page = await data.forPurpose(ticket).findMany(bound, { limit: 2, offset: 1 });
      expect(page).toHaveLength(2);
      const total = await t.exec('SELECT count(*)::int AS n FROM customers');
      expect(total[0]?.n).toBeGreaterThan(3);
    });
  });
}

describe('bindTable', () => {
  it('names every problem: an encrypted field without a sealed column, a nested one outside json, an index without its column, no subject column', () => {
    const wrong = pgTable('wrong', {
      channel: text('channel'),
      name: text('name'),
      cpf: text('cpf'), // not sealed
      email: sealed('email'),
      accessibility: sealed('accessibility'),
    });
    let message = '';
    try {
      bindTable(Customer, wrong);
    } catch (err) {
      expect(isPurposefulError(err) && err.code).toBe('PF_BINDING_INVALID');
      message = (err as Error).message;
    }
    expect(message).toContain('encrypted field "cpf": column "cpf" must be sealed("cpf")');
    expect(message).toContain('blind index "cpf" has no column "bidx_cpf"');
    expect(message).toContain('subject field "id" has no column');
  });

  it('an encrypted field missing its column, or nested in a column that is not json', async () => {
    const { defineSchema, pd } = await import('../../src/index.js');
    const { z } = await import('zod');
    const Nested = defineSchema(
      'nested',
      z.object({
        id: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
        contact: z.object({
          email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
        }),
        note: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
      }),
      { purposes, subject: { kind: 'customer', id: 'id' } },
    );
    const asText = pgTable('nested', { id: text('id'), contact: text('contact') });
    expect(() => bindTable(Nested, asText)).toThrow(/"contact.email" is nested: column "contact" must be json or jsonb/);
    expect(() => bindTable(Nested, asText)).toThrow(/encrypted field "note" has no column "note"/);
    const right = pgTable('nested', { id: text('id'), contact: jsonb('contact'), note: sealed('note') });
    expect(bindTable(Nested, right).schema).toBe(Nested);
  });

  it('a table no binding names, and a table bound twice', async () => {
    const other = pgTable('other', { id: uuid('id') });
    const data = purposefulDrizzle({} as never, pf, { bindings: [bindTable(Customer, customers)] });
    expect(await code(() => data.forPurpose(ticket).findMany(other))).toBe('PF_BINDING_INVALID');
    expect(() =>
      purposefulDrizzle({} as never, pf, { bindings: [bindTable(Customer, customers), bindTable(Customer, customers)] }),
    ).toThrow(/bound twice/);
  });
});
