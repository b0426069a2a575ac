import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { eq as rawEq, relations } from 'drizzle-orm';
import { drizzle as overPg } from 'drizzle-orm/node-postgres';
import { integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { drizzle as overPglite } from 'drizzle-orm/pglite';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { bindTable, purposefulDrizzle, sealed } from '../../adapters/drizzle.js';
import { Customer, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  generateKeyring,
  type Inbound,
  memoryConsentLedger,
  memoryKeyStore,
  type Outbound,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { onServer } from './db.js';

// this file's own tables: customers (with a self-relation: who referred them), their tickets, and notes no binding names
const customersTable = pgTable('customers', {
  id: uuid('id').primaryKey(),
  channel: text('channel').notNull(),
  name: text('name').notNull(),
  cpf: sealed('cpf').notNull(),
  bidx_cpf: text('bidx_cpf').notNull(),
  email: sealed('email').notNull(),
  phone: text('phone'),
  address: jsonb('address'),
  accessibility: sealed('accessibility'),
  pf_restriction: jsonb('pf_restriction'),
  referredBy: uuid('referred_by'),
});
const ticketsTable = pgTable('tickets', {
  id: uuid('id').primaryKey(),
  customerId: uuid('customer_id')
    .notNull()
    .references(() => customersTable.id),
  status: text('status').notNull(),
  subject: sealed('subject').notNull(),
  messages: jsonb('messages').notNull(),
  assignee: jsonb('assignee'),
  satisfaction: integer('satisfaction'),
  pf_restriction: jsonb('pf_restriction'),
});
const notesTable = pgTable('customer_notes', {
  id: uuid('id').primaryKey(),
  customerId: uuid('customer_id').notNull(),
  body: text('body').notNull(),
});
const customersRelations = relations(customersTable, ({ many, one }) => ({
  tickets: many(ticketsTable),
  notes: many(notesTable),
  referrer: one(customersTable, { fields: [customersTable.referredBy], references: [customersTable.id] }),
}));
const ticketsRelations = relations(ticketsTable, ({ one }) => ({
  customer: one(customersTable, { fields: [ticketsTable.customerId], references: [customersTable.id] }),
}));
const notesRelations = relations(notesTable, ({ one }) => ({
  customer: one(customersTable, { fields: [notesTable.customerId], references: [customersTable.id] }),
}));
const schema = {
  customers: customersTable,
  tickets: ticketsTable,
  notes: notesTable,
  customersRelations,
  ticketsRelations,
  notesRelations,
};

const DDL = `CREATE TABLE customers (
  id uuid PRIMARY KEY, channel text NOT NULL, name text NOT NULL, cpf text NOT NULL, bidx_cpf text NOT NULL,
  email text NOT NULL, phone text, address jsonb, accessibility text, pf_restriction jsonb, referred_by uuid);
CREATE TABLE tickets (
  id uuid PRIMARY KEY, customer_id uuid NOT NULL REFERENCES customers(id), status text NOT NULL, subject text NOT NULL,
  messages jsonb NOT NULL, assignee jsonb, satisfaction integer, pf_restriction jsonb);
CREATE TABLE customer_notes (id uuid PRIMARY KEY, customer_id uuid NOT NULL, body text NOT NULL);`;

/** A Drizzle database made with the schema and relations, counting its statements; raw SQL through `exec`. */
async function pgliteDb() {
  const client = await PGlite.create();
  await client.exec(DDL);
  const statements: string[] = [];
  const db = overPglite({ client, schema, logger: { logQuery: (q) => statements.push(q) } });
  return {
    db,
    bare: overPglite({ client }),
    statements,
    exec: async (text: string) => (await client.query<Record<string, unknown>>(text)).rows,
    close: () => client.close(),
  };
}

async function serverDb() {
  const name = `r_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${name}`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, options: `-c search_path=${name}` });
  await pool.query(DDL);
  const statements: string[] = [];
  const db = overPg({ client: pool, schema, logger: { logQuery: (q) => statements.push(q) } });
  return {
    db,
    bare: overPg({ client: pool }),
    statements,
    exec: async (text: string) => (await pool.query(text)).rows as Record<string, unknown>[],
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${name} CASCADE`);
      await admin.end();
    },
  };
}

const drivers = onServer
  ? ([
      ['pglite', pgliteDb],
      ['node-postgres', serverDb],
    ] as const)
  : ([['pglite', pgliteDb]] as const);

const consent = memoryConsentLedger(purposes);
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Ticket],
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  consent,
  pseudonymKey: new Uint8Array(32).fill(9),
});
const agent = { id: 'agent-7', roles: ['support'] };
const support = { purpose: 'support.ticket', actor: agent } as const;
const survey = { purpose: 'support.survey', actor: agent } as const;

const code = settledCode;

const customer = (over: Partial<Inbound<typeof Customer, 'support.ticket'>> = {}) => ({
  id: randomUUID(),
  channel: 'chat' as const,
  name: 'Ana Souza',
  cpf: '529.982.247-25',
  email: 'ana@example.com',
  phone: '+55 11 98765-4321',
  address: { city: 'São Paulo', postalCode: '01310-100' },
  ...over,
});
const ticket = (customerId: string, over: Partial<Inbound<typeof Ticket, 'support.ticket'>> = {}) => ({
  id: randomUUID(),
  customerId,
  status: 'open' as const,
  subject: 'Boleto cobrado duas vezes',
  messages: [{ at: '2026-12-01T10:00:00.000Z', from: 'customer' as const, text: 'Paguei o boleto duas vezes' }],
  assignee: { agentId: 'agent-7', agentName: 'Bruno Lima' },
  ...over,
});

/** Every string anywhere in a value. */
const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(strings) : [];

for (const [driver, open] of drivers) {
  describe(`relational reads (with) on ${driver}`, () => {
    let t: Awaited<ReturnType<typeof open>>;
    const customers = bindTable(Customer, customersTable);
    const tickets = bindTable(Ticket, ticketsTable);
    const make = (db: Awaited<ReturnType<typeof open>>['db']) => purposefulDrizzle(db, pf, { bindings: [customers, tickets] });
    let data: ReturnType<typeof make>;
    // Ana with two tickets and a health note only support.accessibility may see; Bia (who referred Ana) with one ticket
    const ana = customer({ cpf: '935.411.347-80' });
    const bia = customer({ name: 'Bia Costa', cpf: '714.602.380-01', email: 'bia@example.com' });
    const anaTickets = [ticket(ana.id), ticket(ana.id, { status: 'closed', subject: 'Segunda via da fatura' })];
    const biaTicket = ticket(bia.id, { assignee: null });

    beforeAll(async () => {
      t = await open();
      data = make(t.db);
      const scoped = data.forPurpose(support);
      await scoped.insert(customers, bia);
      // accessibility is declared for support.accessibility only: sealed with the engine, written raw
      const sealedAna = await pf.seal(Customer, { ...ana, accessibility: 'low vision' }, support);
      await t.db.insert(customersTable).values({ ...(sealedAna as typeof customersTable.$inferInsert), referredBy: bia.id });
      await scoped.insert(tickets, [...anaTickets, biaTicket]);
      // a satisfaction score is declared for the survey, not for support.ticket
      await t.exec(`UPDATE tickets SET satisfaction = 4 WHERE id = '${anaTickets[0]?.id}'`);
      await t.exec(`INSERT INTO customer_notes VALUES ('${randomUUID()}', '${ana.id}', 'prefers chat')`);
    }, 60_000);
    afterAll(() => t?.close());

    it('each row and each related row comes back opened and masked with its own binding: no envelope anywhere', async () => {
      const scoped = data.forPurpose(support);
      const rows = await scoped.findMany(customers, { where: data.eq(customersTable.cpf, ana.cpf), with: { tickets: true } });
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(strings(rows).filter((s) => s.startsWith('pf1.'))).toEqual([]);
      // the root row as a plain read opens it; the tickets as a read of their own table opens them
      const { tickets: loaded, ...root } = row ?? ({} as never);
      expect(root).toEqual(await scoped.findFirst(customers, { where: rawEq(customersTable.id, ana.id) }));
      const own = await scoped.findMany(tickets, { where: rawEq(ticketsTable.customerId, ana.id) });
      expect([...(loaded ?? [])].sort((a, b) => a.id.localeCompare(b.id))).toEqual(own.sort((a, b) => a.id.localeCompare(b.id)));
      // masked as declared, absent where the purpose may not see
      expect(row?.cpf).not.toBe(ana.cpf);
      expect(row?.email).toBe(ana.email);
      expect(row && 'accessibility' in row).toBe(false);
      expect(row && 'referredBy' in row).toBe(false);
      expect(row && 'bidx_cpf' in row).toBe(false);
      const scored = loaded?.find((x) => x.id === anaTickets[0]?.id);
      expect(scored?.subject).toBe('Boleto cobrado duas vezes');
      expect(scored?.messages[0]?.text).toBe('Paguei o boleto duas vezes');
      expect(scored?.assignee?.agentName).not.toBe('Bruno Lima');
      expect(scored && 'satisfaction' in scored).toBe(false);
      // the raw rows hold envelopes
      const [raw] = await t.exec(`SELECT subject, messages FROM tickets WHERE id = '${anaTickets[0]?.id}'`);
      expect(raw?.subject).toMatch(/^pf1\./);
      expect(JSON.stringify(raw?.messages)).toContain('pf1.');
    });

    it('for any customer and tickets, each related row equals what a read of its own table returns, for each purpose', async () => {
      const text = fc.string({ minLength: 1, maxLength: 40 });
      const input = fc.record({
        name: fc.string({ minLength: 1, maxLength: 20 }),
        tickets: fc.array(
          fc.record({
            status: fc.constantFrom('open' as const, 'waiting' as const, 'closed' as const),
            subject: text,
            message: text,
          }),
          { maxLength: 3 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(input, async (r) => {
          const c = customer({ name: r.name });
          await data.forPurpose(support).insert(customers, c);
          const own = r.tickets.map((x) =>
            ticket(c.id, {
              status: x.status,
              subject: x.subject,
              messages: [{ at: '2026-12-02T09:00:00.000Z', from: 'customer', text: x.message }],
            }),
          );
          if (own.length > 0) await data.forPurpose(support).insert(tickets, own);
          const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
          for (const ctx of [support, { purpose: 'analytics.churn', actor: agent } as const]) {
            const scoped = data.forPurpose(ctx);
            const [row] = await scoped.findMany(customers, { where: rawEq(customersTable.id, c.id), with: { tickets: true } });
            const { tickets: loaded, ...root } = row as NonNullable<typeof row>;
            expect(root).toEqual(await scoped.findFirst(customers, { where: rawEq(customersTable.id, c.id) }));
            const alone = await scoped.findMany(tickets, { where: rawEq(ticketsTable.customerId, c.id) });
            expect([...(loaded as { id: string }[])].sort(byId)).toEqual((alone as { id: string }[]).sort(byId));
            expect(strings(row).filter((v) => v.startsWith('pf1.'))).toEqual([]);
          }
        }),
        { numRuns: 8 },
      );
    });

    it('nested with: one-relations and many-relations, each level opened with its binding', async () => {
      const scoped = data.forPurpose(support);
      const found = await scoped.findFirst(tickets, {
        where: rawEq(ticketsTable.id, biaTicket.id),
        with: { customer: { with: { tickets: { where: data.eq(ticketsTable.status, 'open'), limit: 5 } } } },
      });
      expect(found?.id).toBe(biaTicket.id);
      expect(found?.assignee).toBeNull();
      expect(found?.customer?.name).toBe('Bia Costa');
      expect(found?.customer?.tickets.map((x) => x.id)).toEqual([biaTicket.id]);
      expect(strings(found).filter((s) => s.startsWith('pf1.'))).toEqual([]);
      const none = await scoped.findFirst(customers, { where: rawEq(customersTable.id, bia.id), with: { referrer: true } });
      expect(none?.referrer).toBeNull();
      const both = await scoped.findMany(customers, { where: data.inArray(customersTable.id, [ana.id, bia.id]), with: {} });
      expect(both).toHaveLength(2);
    });

    it('the rows are typed: the related binding’s Outbound, one or many, nested included', async () => {
      const scoped = data.forPurpose(support);
      const rows = await scoped.findMany(customers, { with: { tickets: true, referrer: { with: { tickets: true } } }, limit: 1 });
      type Row = (typeof rows)[number];
      expectTypeOf<Row['tickets']>().toEqualTypeOf<Outbound<typeof Ticket, 'support.ticket'>[]>();
      expectTypeOf<Row['cpf']>().toEqualTypeOf<Outbound<typeof Customer, 'support.ticket'>['cpf']>();
      expectTypeOf<Row>().not.toHaveProperty('accessibility');
      expectTypeOf<Row['tickets'][number]>().not.toHaveProperty('satisfaction');
      expectTypeOf<NonNullable<Row['referrer']>['tickets']>().toEqualTypeOf<Outbound<typeof Ticket, 'support.ticket'>[]>();
      expectTypeOf<null>().toExtend<Row['referrer']>();
      const one = await scoped.findFirst(tickets, { with: { customer: true } });
      expectTypeOf<NonNullable<typeof one>['customer']>().toEqualTypeOf<Outbound<typeof Customer, 'support.ticket'>>();
      // a relation the schema does not declare is a type error (and PF_INPUT_INVALID when it runs)
      // @ts-expect-error: customers have no relation "invoices"
      expect(await code(() => scoped.findMany(customers, { with: { invoices: true } }))).toBe('PF_INPUT_INVALID');
      // over a database whose type carries no schema, relation values are records
      const untyped = purposefulDrizzle(t.db as unknown as Parameters<typeof purposefulDrizzle>[0], pf, {
        bindings: [customers, tickets],
      });
      const loose = await untyped.forPurpose(support).findMany(customers, { with: { tickets: true }, limit: 1 });
      expectTypeOf<(typeof loose)[number]['tickets']>().toEqualTypeOf<
        Record<string, unknown> | Record<string, unknown>[] | null
      >();
      expect(Array.isArray(loose[0]?.tickets)).toBe(true);
    });

    it('an encrypted-field eq in the relational where goes through the blind index', async () => {
      const billing = purposefulDrizzle(t.db, pf, { bindings: [customers, tickets] }).forPurpose(support);
      const byCpf = await billing.findMany(customers, {
        where: data.eq(customersTable.cpf, '71460238001'),
        with: { tickets: true },
      });
      expect(byCpf.map((r) => r.id)).toEqual([bia.id]);
      expect(byCpf[0]?.tickets.map((x) => x.id)).toEqual([biaTicket.id]);
      const sql = t.statements.at(-1) ?? '';
      expect(sql).toContain('bidx_cpf');
      expect(sql).not.toContain('71460238001');
      expect(await code(() => data.eq(ticketsTable.subject, 'x'))).toBe('PF_QUERY_ENCRYPTED'); // no index: refused when built
    });

    it('a related table no binding names is PF_BINDING_INVALID before any SQL', async () => {
      const before = t.statements.length;
      expect(await code(() => data.forPurpose(support).findMany(customers, { with: { notes: true } }))).toBe(
        'PF_BINDING_INVALID',
      );
      expect(
        await code(() =>
          data.forPurpose(support).findMany(customers, { with: { tickets: { with: { customer: { with: { notes: true } } } } } }),
        ),
      ).toBe('PF_BINDING_INVALID');
      const only = purposefulDrizzle(t.db, pf, { bindings: [customers] }).forPurpose(support);
      expect(await code(() => only.findMany(customers, { with: { tickets: true } }))).toBe('PF_BINDING_INVALID');
      expect(t.statements.length).toBe(before);
    });

    it('a refusal for any schema the read touches (consent, role) runs no SQL', async () => {
      const before = t.statements.length;
      const noConsent = { ...survey, subjectId: ana.id };
      expect(await code(() => data.forPurpose(noConsent).findMany(customers, { with: { tickets: true } }))).toMatch(
        /^PF_CONSENT/,
      );
      const noRole = { purpose: 'billing.invoice', actor: agent } as const;
      expect(await code(() => data.forPurpose(noRole).findMany(customers, { with: { tickets: true } }))).toBe(
        'PF_ROLE_NOT_ALLOWED',
      );
      expect(t.statements.length).toBe(before);
      // every schema the read touches is authorized before the query: a refusal on the related one runs no SQL either
      const seen: string[] = [];
      const spied: typeof pf = {
        ...pf,
        async authorize(s, ctx) {
          seen.push(s.id);
          if (s.id === 'ticket') await pf.authorize(s, { ...ctx, purpose: 'support.survey', subjectId: bia.id });
          return pf.authorize(s, ctx);
        },
      };
      const spiedData = purposefulDrizzle(t.db, spied, { bindings: [customers, tickets] });
      const nested = { with: { tickets: { with: { customer: true } } } } as const;
      expect(await code(() => spiedData.forPurpose(support).findMany(customers, nested))).toMatch(/^PF_CONSENT/);
      expect(seen).toEqual(['customer', 'ticket']); // each schema once, the root first
      expect(t.statements.length).toBe(before);
      // billing may read both: tickets declare nothing for it but their non-personal fields
      const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
      const [billed] = await data
        .forPurpose(billing)
        .findMany(customers, { where: rawEq(customersTable.id, ana.id), with: { tickets: true } });
      expect(billed?.cpf).toBe(ana.cpf);
      const own = await data.forPurpose(billing).findMany(tickets, { where: rawEq(ticketsTable.customerId, ana.id) });
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect([...(billed?.tickets ?? [])].sort(byId)).toEqual(own.sort(byId));
      expect(billed?.tickets.every((x) => !('subject' in x) && !('assignee' in x) && !('customerId' in x))).toBe(true);
    });

    it('unsupported options (columns, extras, orderBy, a callback where) are refused before any SQL', async () => {
      const before = t.statements.length;
      const scoped = data.forPurpose(support);
      const attempts: unknown[] = [
        { with: { tickets: true }, columns: { id: true } },
        { with: { tickets: { columns: { id: true } } } },
        { with: { tickets: { extras: {} } } },
        { with: { tickets: true }, orderBy: customersTable.name },
        { with: { tickets: true }, where: () => rawEq(customersTable.id, ana.id) },
        { with: { referrer: { where: rawEq(customersTable.id, ana.id) } } }, // a one-relation takes no where
        { with: { tickets: 'yes' } },
        { with: { toString: true } }, // not a relation, though every object has it
      ];
      for (const options of attempts)
        expect(await code(() => scoped.findMany(customers, options as never))).toBe('PF_INPUT_INVALID');
      expect(t.statements.length).toBe(before);
      // a database made without its schema cannot run relational queries
      const bare = purposefulDrizzle(t.bare, pf, { bindings: [customers, tickets] }).forPurpose(support);
      expect(await code(() => bare.findMany(customers, { with: { tickets: true } }))).toBe('PF_BINDING_INVALID');
      expect(t.statements.length).toBe(before);
    });

    it('with ctx.subjectId, related rows of another subject fail closed (PF_SUBJECT_MISMATCH)', async () => {
      const forAna = data.forPurpose({ ...support, subjectId: ana.id });
      const mine = await forAna.findFirst(customers, { where: rawEq(customersTable.id, ana.id), with: { tickets: true } });
      expect(mine?.tickets).toHaveLength(2);
      const other = () => forAna.findFirst(customers, { where: rawEq(customersTable.id, ana.id), with: { referrer: true } });
      expect(await code(other)).toBe('PF_SUBJECT_MISMATCH');
    });

    it('without ctx.subjectId, consent is checked on each related row for its own subject', async () => {
      await consent.grant({
        subject: ana.id,
        purpose: 'support.survey',
        notice: { version: '2026-11-01', hash: 'b'.repeat(64) },
        method: 'checkbox',
        collectionPoint: 'app/ticket-closed',
      });
      const scoped = data.forPurpose(survey);
      const [row] = await scoped.findMany(customers, { where: rawEq(customersTable.id, ana.id), with: { tickets: true } });
      expect(row?.email).toBe(ana.email);
      expect(row && 'name' in row).toBe(false); // not declared for the survey
      expect(row?.tickets.map((x) => x.satisfaction).sort()).toEqual([4, undefined]);
      // Ana consented, Bia (who referred her) did not: her row loaded with Ana's is refused
      const referrer = () => scoped.findMany(customers, { where: rawEq(customersTable.id, ana.id), with: { referrer: true } });
      expect(await code(referrer)).toMatch(/^PF_CONSENT/);
    });

    it('a transaction runs relational reads with the same purpose', async () => {
      const rows = await data
        .forPurpose(support)
        .transaction((tx) => tx.findMany(tickets, { where: rawEq(ticketsTable.customerId, ana.id), with: { customer: true } }));
      expect(rows.map((r) => r.customer.id)).toEqual([ana.id, ana.id]);
    });
  });
}
