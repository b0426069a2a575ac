import { randomUUID } from 'node:crypto';
import { eq as rawEq } from 'drizzle-orm';
import { integer, jsonb, type PgTable, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  bindTable,
  drizzleRetentionSource,
  drizzleRightsSource,
  drizzleSources,
  purposefulDrizzle,
  sealed,
} from '../../adapters/drizzle.js';
import { Customer, purposes, SurveyAnswer, Ticket } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  memoryConsentLedger,
  memoryKeyStore,
  pd,
  type RecipientNotice,
  rightsDesk,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { type DrizzleTestDb, drivers } from './db.js';

const customersTable = pgTable('dzs_customers', {
  id: uuid('id').primaryKey(),
  channel: text('channel').notNull(),
  name: text('name'),
  cpf: sealed('cpf'),
  bidx_cpf: text('bidx_cpf'),
  email: sealed('email'),
  phone: text('phone'),
  address: jsonb('address'),
  accessibility: sealed('accessibility'),
  pf_restriction: jsonb('pf_restriction'),
});

const ticketColumns = () => ({
  id: uuid('id').primaryKey(),
  customerId: uuid('customer_id').notNull(),
  status: text('status').notNull(),
  subject: sealed('subject'),
  messages: jsonb('messages'),
  assignee: jsonb('assignee'),
  satisfaction: integer('satisfaction'),
  createdAt: timestamp('created_at', { withTimezone: true }),
  pf_restriction: jsonb('pf_restriction'),
});
const ticketsTable = pgTable('dzs_tickets', ticketColumns());
const sweptTable = pgTable('dzs_swept_tickets', ticketColumns());
const anonymousTable = pgTable('dzs_tickets_anonymous', {
  schema: text('schema').notNull(),
  fields: text('fields').array().notNull(),
  data: jsonb('data').notNull(),
});
/** No primary key: a record id that two rows share. */
const dupesTable = pgTable('dzs_dupes', { ...ticketColumns(), id: uuid('id').notNull() });

const TICKET_DDL = (name: string, pk = 'PRIMARY KEY') => `CREATE TABLE ${name} (
  id uuid ${pk}, customer_id uuid NOT NULL, status text NOT NULL, subject text, messages jsonb, assignee jsonb,
  satisfaction integer, created_at timestamptz, pf_restriction jsonb)`;
const DDL = [
  `CREATE TABLE dzs_customers (id uuid PRIMARY KEY, channel text NOT NULL, name text, cpf text, bidx_cpf text,
    email text, phone text, address jsonb, accessibility text, pf_restriction jsonb)`,
  TICKET_DDL('dzs_tickets'),
  TICKET_DDL('dzs_swept_tickets'),
  TICKET_DDL('dzs_dupes', 'NOT NULL'),
  'CREATE TABLE dzs_tickets_anonymous (schema text NOT NULL, fields text[] NOT NULL, data jsonb NOT NULL)',
];

const customers = bindTable(Customer, customersTable);
const tickets = bindTable(Ticket, ticketsTable);
const swept = bindTable(Ticket, sweptTable);
const dupes = bindTable(Ticket, dupesTable);

const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const verification = (subjectId: string) => ({ code: `otp-for-${subjectId}` });

const code = settledCode;

const customer = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  channel: 'chat',
  name: 'Ana Souza',
  cpf: '529.982.247-25',
  email: 'ana@example.com',
  phone: '+55 11 98765-4321',
  address: { city: 'São Paulo', postalCode: '01310-100' },
  ...over,
});
const ticket = (customerId: string, over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  customerId,
  status: 'closed',
  subject: 'Boleto cobrado duas vezes',
  messages: [{ at: '2026-01-10T10:00:00Z', from: 'customer', text: 'paguei o boleto duas vezes, meu cpf 529.982.247-25' }],
  assignee: null,
  satisfaction: 4,
  ...over,
});

async function desk(t: DrizzleTestDb) {
  for (const statement of DDL) await t.exec(statement);
  const consent = memoryConsentLedger(purposes);
  const notices: RecipientNotice[] = [];
  const pf = createPurposeful({
    purposes,
    schemas: [Customer, Ticket],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    consent,
    encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' } },
    rights: rightsDesk({
      verify: ({ subjectId, verification: v }) => (v as { code?: string })?.code === `otp-for-${subjectId}`,
      sources: drizzleSources(t.db, [customers, tickets], {
        customer: { origin: 'given by you when you opened your account' },
        ticket: { anonymous: { table: anonymousTable } },
      }),
      recipients: {
        'NF-e issuing service': (n) => void notices.push(n),
        'Survey platform': (n) => void notices.push(n),
      },
    }),
  });
  const data = purposefulDrizzle(t.db, pf, { bindings: [customers, tickets, swept] });
  /** Stores a record as sealed, with columns outside the schema beside it (a raw Drizzle insert of envelopes). */
  const store = async (table: PgTable, schema: typeof Customer | typeof Ticket, record: object, extra: object = {}) => {
    const row = await pf.seal(schema, record, agent);
    await t.db.insert(table).values({ ...row, ...extra } as never);
  };
  return { pf, data, consent, notices, store };
}

type Desk = Awaited<ReturnType<typeof desk>>;

for (const [driver, open] of drivers) {
  describe(`rights and retention over Drizzle tables on ${driver}`, () => {
    let t: DrizzleTestDb;
    let d: Desk;
    beforeAll(async () => {
      t = await open();
      d = await desk(t);
    }, 60_000);
    afterAll(() => t?.close());

    const raw = async (table: string, id: string) => (await t.exec(`SELECT * FROM ${table} WHERE id = '${id}'`))[0];

    it('access: the subject export holds their rows of both tables, opened, and no other subject', async () => {
      const a = randomUUID();
      const b = randomUUID();
      await d.data.forPurpose(agent).insert(customers, customer(a) as never);
      await d.data.forPurpose(agent).insert(customers, customer(b, { email: 'bia@example.com' }) as never);
      const ta = ticket(a);
      await d.store(ticketsTable, Ticket, ta, { createdAt: new Date() });
      await d.store(ticketsTable, Ticket, ticket(b));
      const r = await d.pf.rights.request({ subjectId: a, kind: 'access', verification: verification(a) });
      const exported = await d.pf.rights.access(r.id);
      const items = Object.values(exported.data).flat();
      expect(items.find((i) => i.schema === 'customer' && i.field === 'email')?.value).toBe('ana@example.com');
      expect(items.find((i) => i.schema === 'customer' && i.field === 'cpf')?.value).toBe('529.982.247-25');
      expect(items.find((i) => i.schema === 'customer')?.origin).toBe('given by you when you opened your account');
      expect(items.find((i) => i.schema === 'ticket' && i.field === 'subject')).toMatchObject({
        record: ta.id,
        value: 'Boleto cobrado duas vezes',
      });
      expect(items.some((i) => i.value === 'bia@example.com')).toBe(false);
      expect(new Set(items.filter((i) => i.schema === 'ticket').map((i) => i.record))).toEqual(new Set([ta.id]));
    });

    it('correction: the resealed row and its blind index are written, and read back through the scoped client', async () => {
      const c = randomUUID();
      await d.data.forPurpose(agent).insert(customers, customer(c, { cpf: '390.533.447-05' }) as never);
      const before = await raw('dzs_customers', c);
      const r = await d.pf.rights.request({ subjectId: c, kind: 'correction', verification: verification(c) });
      const result = await d.pf.rights.correct(r.id, {
        schema: 'customer',
        patch: { cpf: '714.602.380-01', email: 'ana.souza@example.com' },
      });
      expect([...result.changed].sort()).toEqual(['cpf', 'email']);
      const after = await raw('dzs_customers', c);
      expect(after?.cpf).toMatch(/^pf1\./);
      expect(after?.bidx_cpf).not.toBe(before?.bidx_cpf);
      const read = d.data.forPurpose(billing);
      const found = await read.findMany(customers, { where: d.data.eq(customersTable.cpf, '714.602.380-01') });
      expect(found.map((row) => [row.id, row.cpf])).toEqual([[c, '714.602.380-01']]);
      expect(await read.findMany(customers, { where: d.data.eq(customersTable.cpf, '390.533.447-05') })).toEqual([]);
      const support = await d.data.forPurpose(agent).findFirst(customers, { where: rawEq(customersTable.id, c) });
      expect(support?.email).toBe('ana.souza@example.com');
      expect(support?.phone).toBeDefined(); // the rest of the row is as it was
      // cpf is used by billing.invoice: its recipient is told
      expect(d.notices.some((n) => n.kind === 'correction' && n.subjectId === c)).toBe(true);
    });

    it('erasure: the subject’s rows are trimmed or removed as the desk decides, keys shredded; another subject’s rows still open', async () => {
      const e = randomUUID();
      const other = randomUUID();
      await d.data.forPurpose(agent).insert(customers, [customer(e), customer(other, { email: 'outra@example.com' })] as never);
      const [t1, t2, t3] = [ticket(e), ticket(e), ticket(other)];
      for (const x of [t1, t2, t3]) await d.store(ticketsTable, Ticket, x);
      const copiesBefore = (await t.exec('SELECT * FROM dzs_tickets_anonymous')).length;
      const r = await d.pf.rights.request({ subjectId: e, kind: 'erasure', verification: verification(e) });
      const answer = await d.pf.rights.erase(r.id);
      const outcome = Object.fromEntries(answer.fields.map((f) => [`${f.schema}.${f.field}`, f.outcome]));
      expect(outcome).toMatchObject({
        'customer.email': 'deleted',
        'customer.phone': 'deleted',
        'customer.cpf': 'retained',
        'customer.name': 'retained',
        'ticket.subject': 'anonymized',
      });
      expect(answer.receipt).toBeTypeOf('string');
      // the customer row stays (billing keeps what tax law requires), trimmed and marked
      const row = await raw('dzs_customers', e);
      expect(row?.phone).toBeNull();
      expect(row?.email).toMatch(/^pf1\./); // crypto-shredded: its key is gone
      expect((row?.pf_restriction as { erasedAt?: string } | null)?.erasedAt).toBeTypeOf('string');
      // the tickets go whole, their anonymous copies kept in the same transaction
      expect(await raw('dzs_tickets', t1.id)).toBeUndefined();
      expect(await raw('dzs_tickets', t2.id)).toBeUndefined();
      const copies = (await t.exec('SELECT * FROM dzs_tickets_anonymous')).slice(copiesBefore);
      expect(copies).toHaveLength(2);
      expect(JSON.stringify(copies)).not.toContain(e);
      expect(JSON.stringify(copies)).not.toContain('529.982.247-25');
      // what is retained opens for the purpose that keeps it, and for no other
      const kept = await d.data.forPurpose(billing).findFirst(customers, { where: rawEq(customersTable.id, e) });
      expect(kept).toMatchObject({ id: e, cpf: '529.982.247-25', name: 'Ana Souza' });
      // support.ticket reads the email, whose key is shredded
      const support = () => d.data.forPurpose(agent).findFirst(customers, { where: rawEq(customersTable.id, e) });
      expect(await code(support)).toBe('PF_SUBJECT_ERASED');
      // the other subject is untouched
      const still = await d.data.forPurpose(agent).findFirst(customers, { where: rawEq(customersTable.id, other) });
      expect(still?.email).toBe('outra@example.com');
      const theirs = await d.data.forPurpose(agent).findFirst(tickets, { where: rawEq(ticketsTable.id, t3.id) });
      expect(theirs?.subject).toBe('Boleto cobrado duas vezes');
    });

    it('shredding: pf.shred over the rows a source finds makes them stop opening; another subject’s rows still open', async () => {
      const s = randomUUID();
      const other = randomUUID();
      await d.data.forPurpose(agent).insert(customers, [customer(s), customer(other)] as never);
      const ts = ticket(s);
      await d.store(ticketsTable, Ticket, ts);
      const source = drizzleRightsSource(t.db, tickets, { anonymous: { table: anonymousTable } });
      const shredded = await d.pf.shred(s, { rows: [{ schema: Ticket, rows: await source.find(s) }] });
      expect(shredded.erased.length).toBeGreaterThan(0);
      const support = d.data.forPurpose(agent);
      expect(await code(() => support.findFirst(tickets, { where: rawEq(ticketsTable.id, ts.id) }))).toBe('PF_SUBJECT_ERASED');
      expect(await code(() => support.findFirst(customers, { where: rawEq(customersTable.id, s) }))).toBe('PF_SUBJECT_ERASED');
      expect((await support.findFirst(customers, { where: rawEq(customersTable.id, other) }))?.email).toBe('ana@example.com');
    });

    it('revocation: the values only the withdrawn consent justified leave the row; the rest stays', async () => {
      const v = randomUUID();
      await d.store(customersTable, Customer, customer(v, { accessibility: 'low vision' }));
      await d.consent.grant({
        subject: v,
        purpose: 'support.accessibility',
        notice: { version: '2026-11-01', hash: '9'.repeat(64) },
        method: 'form',
        collectionPoint: 'app',
        highlighted: true,
      });
      expect((await raw('dzs_customers', v))?.accessibility).toMatch(/^pf1\./);
      const r = await d.pf.rights.request({ subjectId: v, kind: 'revocation', verification: verification(v) });
      const answer = await d.pf.rights.revoke(r.id, 'support.accessibility');
      expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['accessibility', 'deleted']]);
      const row = await raw('dzs_customers', v);
      expect(row?.accessibility).toBeNull();
      expect(row?.email).toMatch(/^pf1\./);
      const read = await d.data.forPurpose(agent).findFirst(customers, { where: rawEq(customersTable.id, v) });
      expect(read?.email).toBe('ana@example.com');
    });

    it('blocking: written to pf_restriction of the subject’s rows, refused by the scoped client, lifted by unblock', async () => {
      const b = randomUUID();
      await d.data.forPurpose(agent).insert(customers, customer(b) as never);
      const x = ticket(b);
      await d.store(ticketsTable, Ticket, x);
      const r = await d.pf.rights.request({ subjectId: b, kind: 'blocking', verification: verification(b) });
      await d.pf.rights.block(r.id);
      const held = (await raw('dzs_customers', b))?.pf_restriction as { blocked?: { request: string }[] } | null;
      expect(held?.blocked?.map((k) => k.request)).toEqual([r.id]);
      expect((await raw('dzs_tickets', x.id))?.pf_restriction).toMatchObject({ blocked: [{ request: r.id }] });
      const read = () => d.data.forPurpose(agent).findFirst(customers, { where: rawEq(customersTable.id, b) });
      expect(await code(read)).toBe('PF_SUBJECT_RESTRICTED');
      await d.pf.rights.unblock(r.id);
      expect((await raw('dzs_customers', b))?.pf_restriction).toBeNull();
      expect((await read())?.email).toBe('ana@example.com');
    });

    it('a retention sweep: a dry run changes nothing, a real one resumes from its cursor', async () => {
      const owner = randomUUID();
      const day = 86_400_000;
      const now = new Date('2030-01-01T00:00:00Z');
      const ago = (days: number) => new Date(now.getTime() - days * day);
      // ids in a known order: the sweep walks by record id
      const ids = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
      const ages = [1000, 900, 500, 450, 30, undefined]; // days: expired whole, trimmed (satisfaction), kept, unknown
      for (const [i, id] of ids.entries()) {
        const age = ages[i];
        await d.store(sweptTable, Ticket, ticket(owner, { id }), age === undefined ? {} : { createdAt: ago(age) });
      }
      const source = drizzleRetentionSource(t.db, swept, {
        startOf: { collection: 'createdAt' },
        anonymous: { table: anonymousTable },
      });
      const dry = await d.pf.retention.sweep(source, { now, dryRun: true, pageSize: 4 });
      expect(dry).toMatchObject({ scanned: 6, removed: 0, updated: 0, undetermined: 1 });
      expect(dry.actions?.map((a) => [a.record, a.action])).toEqual([
        [ids[0], 'remove'],
        [ids[1], 'remove'],
        [ids[2], 'update'],
        [ids[3], 'update'],
      ]);
      expect(await t.exec('SELECT id FROM dzs_swept_tickets')).toHaveLength(6);
      // a sweep that stops after its first page (a crash), then resumes from the cursor it reported
      let saved: string | undefined;
      const crash = new Error('stopped');
      await expect(
        d.pf.retention.sweep(source, {
          now,
          pageSize: 2,
          onProgress: (p) => {
            saved = p.cursor;
            throw crash;
          },
        }),
      ).rejects.toBe(crash);
      expect(saved).toBe(ids[1]);
      expect(await t.exec('SELECT id FROM dzs_swept_tickets')).toHaveLength(4);
      const rest = await d.pf.retention.sweep(source, { now, pageSize: 2, cursor: saved });
      expect(rest).toMatchObject({ scanned: 4, removed: 0, updated: 2, undetermined: 1 });
      expect(rest.cursor).toBeUndefined();
      const left = await t.exec('SELECT id, satisfaction, subject FROM dzs_swept_tickets ORDER BY id');
      expect(left.map((r) => r.id)).toEqual(ids.slice(2));
      expect(left.map((r) => r.satisfaction)).toEqual([null, null, 4, 4]);
      expect(left.every((r) => String(r.subject).startsWith('pf1.'))).toBe(true);
      // idempotent: a second sweep finds nothing more to do
      expect(await d.pf.retention.sweep(source, { now })).toMatchObject({ scanned: 4, removed: 0, updated: 0 });
      const read = await d.data.forPurpose(agent).findFirst(swept, { where: rawEq(sweptTable.id, ids[2] as string) });
      expect(read?.subject).toBe('Boleto cobrado duas vezes');
    });

    it('a change made from an older read never lifts a restriction written since, even after newer reads and changes', async () => {
      const owner = randomUUID();
      const source = drizzleRightsSource(t.db, tickets, { anonymous: { table: anonymousTable } });
      const update = source.update as NonNullable<typeof source.update>;
      const x = ticket(owner);
      await d.store(ticketsTable, Ticket, x);
      const [a] = await source.find(owner); // request A reads: no restriction
      const [b] = await source.find(owner); // request B reads too, then blocks the row
      const blocked = { blocked: [{ request: 'rq_1', at: '2026-12-01T09:00:00.000Z' }] };
      await update(owner, { ...b, pf_restriction: blocked });
      await source.find(owner); // and any later read
      expect(await code(() => update(owner, { ...a, status: 'open' }))).toBe('PF_INPUT_INVALID');
      expect((await t.exec(`SELECT status, pf_restriction FROM dzs_tickets WHERE id = '${x.id}'`))[0]).toMatchObject({
        status: 'closed',
        pf_restriction: blocked,
      });
      // a blocking written by another instance, straight to the table
      const [c] = await source.find(owner);
      const lifted = { blocked: [] as unknown[] };
      await t.exec(`UPDATE dzs_tickets SET pf_restriction = '${JSON.stringify(lifted)}' WHERE id = '${x.id}'`);
      expect(await code(() => update(owner, { ...c, status: 'open' }))).toBe('PF_INPUT_INVALID');
      // a row the source did not read (built by hand, or JSON of one): refused, nothing to compare with
      expect(await code(() => update(owner, JSON.parse(JSON.stringify({ ...c, status: 'open' }))))).toBe('PF_INPUT_INVALID');
      const [fresh] = await source.find(owner);
      await update(owner, { ...fresh, status: 'open' });
      expect((await t.exec(`SELECT status, pf_restriction FROM dzs_tickets WHERE id = '${x.id}'`))[0]).toMatchObject({
        status: 'open',
        pf_restriction: lifted,
      });
    });

    it('an update that matches no row, or two rows, fails closed and changes nothing', async () => {
      const owner = randomUUID();
      const source = drizzleRightsSource(t.db, tickets, { anonymous: { table: anonymousTable } });
      const x = ticket(owner);
      await d.store(ticketsTable, Ticket, x);
      const [row] = await source.find(owner);
      expect(row?.id).toBe(x.id);
      const update = source.update as NonNullable<typeof source.update>;
      const remove = source.remove as NonNullable<typeof source.remove>;
      expect(await code(() => update(owner, { ...row, id: randomUUID() }))).toBe('PF_INPUT_INVALID');
      // the right record id, another subject: no row
      expect(await code(() => update(randomUUID(), { ...row, status: 'open' }))).toBe('PF_INPUT_INVALID');
      expect(await code(() => remove(randomUUID(), row as Record<string, unknown>))).toBe('PF_INPUT_INVALID');
      expect((await raw('dzs_tickets', x.id))?.status).toBe('closed');
      // a record id two rows share: rolled back
      const twin = ticket(owner);
      await d.store(dupesTable, Ticket, twin);
      await d.store(dupesTable, Ticket, twin);
      const twins = drizzleRightsSource(t.db, dupes, { anonymous: { table: anonymousTable } });
      const [first] = await twins.find(owner);
      const err = await (twins.update as NonNullable<typeof twins.update>)(owner, { ...first, status: 'open' }).catch((e) => e);
      expect(err).toMatchObject({ code: 'PF_BINDING_INVALID' });
      expect(err.problems.map((p: { message: string }) => p.message)).toEqual([expect.stringContaining('not unique')]);
      expect(await code(() => (twins.remove as NonNullable<typeof twins.remove>)(owner, first as Record<string, unknown>))).toBe(
        'PF_BINDING_INVALID',
      );
      const sweep = drizzleRetentionSource(t.db, dupes, {
        startOf: { collection: 'createdAt' },
        anonymous: { table: anonymousTable },
      });
      expect(await code(() => sweep.update({ ...first, status: 'open' }))).toBe('PF_BINDING_INVALID');
      const both = await t.exec(`SELECT status FROM dzs_dupes WHERE id = '${twin.id}'`);
      expect(both.map((r) => r.status)).toEqual(['closed', 'closed']);
      // the anonymous copy goes with the change or not at all
      const copies = (await t.exec('SELECT * FROM dzs_tickets_anonymous')).length;
      const anonymize = twins.anonymize as NonNullable<typeof twins.anonymize>;
      const copy = { schema: 'ticket', fields: ['subject'], data: { subject: 'boleto' } };
      expect(await code(() => anonymize(owner, copy, first as Record<string, unknown>, 'remove'))).toBe('PF_BINDING_INVALID');
      expect(await t.exec('SELECT * FROM dzs_tickets_anonymous')).toHaveLength(copies);
      expect(await t.exec(`SELECT status FROM dzs_dupes WHERE id = '${twin.id}'`)).toHaveLength(2);
    });

    it('a row found then updated as it is reads back the same, optional fields absent or present', async () => {
      const source = drizzleRightsSource(t.db, customers);
      const update = source.update as NonNullable<typeof source.update>;
      const word = fc.stringMatching(/^[a-z0-9]{1,10}$/);
      const record = fc.record({
        name: fc.string({ minLength: 1, maxLength: 20 }),
        cpf: fc.string({ minLength: 1, maxLength: 14 }),
        email: fc.tuple(word, word).map(([a, b]) => `${a}@${b}.com`),
        phone: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
        address: fc.option(fc.record({ city: fc.string({ maxLength: 12 }), postalCode: fc.string({ maxLength: 9 }) }), {
          nil: undefined,
        }),
      });
      await fc.assert(
        fc.asyncProperty(record, async (r) => {
          const id = randomUUID();
          const input = Object.fromEntries(Object.entries({ ...customer(id), ...r }).filter(([, v]) => v !== undefined));
          if (r.phone === undefined) delete input.phone;
          if (r.address === undefined) delete input.address;
          await d.data.forPurpose(agent).insert(customers, input as never);
          const [found] = await source.find(id);
          await update(id, { ...(found as Record<string, unknown>) });
          const [again] = await source.find(id);
          expect(again).toEqual(found);
          expect('phone' in (again ?? {})).toBe(r.phone !== undefined);
          const read = await d.data.forPurpose(billing).findFirst(customers, { where: rawEq(customersTable.id, id) });
          expect(read).toMatchObject({ id, cpf: r.cpf, name: r.name });
        }),
        { numRuns: 10 },
      );
    });

    it('a change applies only to a row whose restriction is still as read: a blocking written since stays', async () => {
      const owner = randomUUID();
      const x = ticket(owner);
      await d.store(ticketsTable, Ticket, x);
      const source = drizzleRightsSource(t.db, tickets, { anonymous: { table: anonymousTable } });
      const [row] = await source.find(owner);
      const blocked = { blocked: [{ request: 'rq_1', at: '2026-12-01T09:00:00.000Z' }] };
      await t.exec(`UPDATE dzs_tickets SET pf_restriction = '${JSON.stringify(blocked)}' WHERE id = '${x.id}'`);
      const update = source.update as NonNullable<typeof source.update>;
      expect(await code(() => update(owner, { ...row, status: 'open' }))).toBe('PF_INPUT_INVALID');
      expect(await code(() => (source.remove as NonNullable<typeof source.remove>)(owner, row as never))).toBe(
        'PF_INPUT_INVALID',
      );
      expect(await raw('dzs_tickets', x.id)).toMatchObject({ status: 'closed', pf_restriction: blocked });
      // read again, the change applies, the blocking kept
      const [again] = await source.find(owner);
      await update(owner, { ...again, status: 'open' });
      expect(await raw('dzs_tickets', x.id)).toMatchObject({ status: 'open', pf_restriction: blocked });
      // the same holds for a sweep: a row blocked after its page was read is not changed
      const sweep = drizzleRetentionSource(t.db, tickets, {
        startOf: { collection: 'createdAt' },
        anonymous: { table: anonymousTable },
      });
      const page = await sweep.page(undefined, 1000);
      const mine = page.rows.find((r) => r.id === x.id) as Record<string, unknown>;
      await t.exec(`UPDATE dzs_tickets SET pf_restriction = NULL WHERE id = '${x.id}'`);
      expect(await code(() => sweep.remove(mine))).toBe('PF_INPUT_INVALID');
      expect(await raw('dzs_tickets', x.id)).toBeDefined();
    });

    it('anonymous copies through a function: given the transaction that changes the row, rolled back with it', async () => {
      const owner = randomUUID();
      const x = ticket(owner);
      await d.store(ticketsTable, Ticket, x);
      const kept: unknown[] = [];
      let fail = true;
      const source = drizzleRightsSource(t.db, tickets, {
        anonymous: async (tx, copy) => {
          await tx.insert(anonymousTable).values({ schema: copy.schema, fields: [...copy.fields], data: copy.data });
          kept.push(copy);
          if (fail) throw new Error('the statistics store is down');
        },
      });
      const before = (await t.exec('SELECT * FROM dzs_tickets_anonymous')).length;
      const [row] = await source.find(owner);
      const anonymize = source.anonymize as NonNullable<typeof source.anonymize>;
      const copy = { schema: 'ticket', fields: ['subject'], data: { subject: 'boleto' } };
      expect(await code(() => anonymize(owner, copy, row as Record<string, unknown>, 'remove'))).toBe('PF_STORE_UNAVAILABLE');
      expect(kept).toHaveLength(1);
      expect(await raw('dzs_tickets', x.id)).toBeDefined();
      expect(await t.exec('SELECT * FROM dzs_tickets_anonymous')).toHaveLength(before);
      fail = false;
      await anonymize(owner, copy, row as Record<string, unknown>, 'remove');
      expect(await raw('dzs_tickets', x.id)).toBeUndefined();
      expect(await t.exec('SELECT * FROM dzs_tickets_anonymous')).toHaveLength(before + 1);
    });

    it('a driver error becomes a value-free PF_STORE_UNAVAILABLE; a subject id the column cannot hold has no rows', async () => {
      const source = drizzleRightsSource(t.db, customers);
      expect(await source.find('not-a-uuid')).toEqual([]);
      const c = randomUUID();
      await d.data.forPurpose(agent).insert(customers, customer(c) as never);
      const [row] = await source.find(c);
      // channel is NOT NULL: a row without it is refused by the database
      const { channel: _gone, ...without } = row as Record<string, unknown>;
      const err = await (source.update as NonNullable<typeof source.update>)(c, without).catch((e) => e);
      expect(err).toMatchObject({ code: 'PF_STORE_UNAVAILABLE' });
      expect(String(err.message)).not.toContain('São Paulo');
      expect(String(err.message)).not.toMatch(/pf1\./);
      expect(err.message).toMatch(/SQLSTATE 23502/);
    });
  });
}

describe('rights and retention sources: the binding they need', () => {
  it('a schema without a subject or a record id, or a table without pf_restriction, is PF_BINDING_INVALID at creation', () => {
    const answers = bindTable(
      SurveyAnswer,
      pgTable('dzs_answers', { satisfaction: integer('satisfaction'), comment: text('comment') }),
    );
    const db = {} as never;
    const err = (() => {
      try {
        drizzleRightsSource(db, answers);
      } catch (e) {
        return e as { code?: string; problems?: readonly { message: string }[] };
      }
    })();
    expect(err?.code).toBe('PF_BINDING_INVALID');
    expect(err?.problems?.map((p) => p.message)).toEqual([
      expect.stringContaining('no subject id'),
      expect.stringContaining('no recordId'),
      expect.stringContaining('pf_restriction'),
    ]);
    expect(() => drizzleRetentionSource(db, answers, { startOf: { collection: 'createdAt' } })).toThrow(
      expect.objectContaining({ code: 'PF_BINDING_INVALID' }),
    );
    // tickets declare anonymize: their copies need a place
    expect(() => drizzleRightsSource(db, tickets)).toThrow(expect.objectContaining({ code: 'PF_BINDING_INVALID' }));
    expect(() => drizzleRightsSource(db, tickets, { anonymous: { table: customersTable } })).toThrow(
      /anonymous table needs a column "schema"/,
    );
    expect(() =>
      drizzleRetentionSource(db, swept, { startOf: { collection: 'created_at' }, anonymous: { table: anonymousTable } }),
    ).toThrow(/startOf.collection: the table has no column "created_at"/);
    expect(() => drizzleSources(db, [customers, customers])).toThrow(/bound twice/);
    expect(() => drizzleSources(db, [customers], { tickets: {} })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringMatching(/"tickets"/) }),
    );
    expect(() => drizzleRightsSource(db, { schema: Customer, table: customersTable })).toThrow(
      expect.objectContaining({ code: 'PF_BINDING_INVALID' }),
    );
  });

  it('startOf reads the column an event maps to (a Date, a date string, epoch ms); NULL or an unmapped event is unknown', () => {
    const source = drizzleRetentionSource({} as never, swept, {
      startOf: { collection: 'createdAt' },
      anonymous: { table: anonymousTable },
    });
    const at = new Date('2026-01-10T10:00:00Z');
    expect(source.startOf({ createdAt: at }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: '2026-01-10T10:00:00Z' }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: at.getTime() }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: null }, 'collection')).toBeUndefined();
    expect(source.startOf({ createdAt: 'not a date' }, 'collection')).toBeUndefined();
    expect(source.startOf({ createdAt: at }, 'invoice.issued')).toBeUndefined();
    const mine = (row: Record<string, unknown>, event: string) => (event === 'closed' ? (row.createdAt as Date) : undefined);
    const byFunction = drizzleRetentionSource({} as never, swept, { startOf: mine, anonymous: { table: anonymousTable } });
    expect(byFunction.startOf({ createdAt: at }, 'closed')).toBe(at);
    expect(() => drizzleRetentionSource({} as never, swept, { anonymous: { table: anonymousTable } } as never)).toThrow(
      /options.startOf is required/,
    );
  });

  it('a subject that is not a top-level column is PF_BINDING_INVALID', () => {
    const Nested = defineSchema(
      'dzs-nested',
      z.object({
        id: pd.none(z.uuid()),
        owner: z.object({ id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['billing.invoice'] }) }),
      }),
      { purposes, subject: { kind: 'customer', id: 'owner.id', minors: 'never' }, recordId: 'id' },
    );
    const table = pgTable('dzs_nested', {
      id: uuid('id').primaryKey(),
      owner: jsonb('owner'),
      pf_restriction: jsonb('pf_restriction'),
    });
    expect(() => drizzleRightsSource({} as never, bindTable(Nested, table))).toThrow(
      expect.objectContaining({
        code: 'PF_BINDING_INVALID',
        message: expect.stringMatching(/subject field "owner.id" must be a top-level field/),
      }),
    );
  });
});
