import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindModel, prismaRetentionSource, prismaRightsSource, prismaSources, purposefulPrisma } from '../../adapters/prisma.js';
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
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { Prisma } from './generated/client.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const customers = bindModel(Customer, 'RsCustomer');
const tickets = bindModel(Ticket, 'RsTicket');
const swept = bindModel(Ticket, 'RsSweptTicket');
const dupes = bindModel(Ticket, 'RsDupe');
const anonymous = { model: 'RsTicketAnonymous' } as const;

const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const verification = (subjectId: string) => ({ code: `otp-for-${subjectId}` });
const JSON_FIELDS = new Set(['address', 'messages', 'assignee', 'pf_restriction']);

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

async function desk(db: PrismaTestDb) {
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
      sources: prismaSources(db.prisma, [customers, tickets], {
        customer: { origin: 'given by you when you opened your account' },
        ticket: { anonymous },
      }),
      recipients: {
        'NF-e issuing service': (n) => void notices.push(n),
        'Survey platform': (n) => void notices.push(n),
      },
    }),
  });
  const data = purposefulPrisma(db.prisma, pf, { bindings: [customers, tickets, swept] });
  /** Stores a record as sealed, with fields outside the schema beside it (a base-client create of envelopes). */
  const store = async (model: string, schema: typeof Customer | typeof Ticket, record: object, extra: object = {}) => {
    const row: Record<string, unknown> = { ...(await pf.seal(schema, record, agent)), ...extra };
    for (const key of JSON_FIELDS) if (row[key] === null) row[key] = Prisma.DbNull;
    const delegate = (db.prisma as unknown as Record<string, { create(args: object): Promise<unknown> }>)[model];
    await delegate?.create({ data: row });
  };
  return { pf, data, consent, notices, store };
}

type Desk = Awaited<ReturnType<typeof desk>>;

describe.skipIf(unavailable !== undefined)('rights and retention over Prisma models on PostgreSQL', () => {
  let db: PrismaTestDb;
  let d: Desk;
  beforeAll(async () => {
    db = await prismaTestDb();
    d = await desk(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  const raw = async (table: string, id: string) => (await db.raw.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0];
  const all = async (sql: string) => (await db.raw.query(sql)).rows;

  it('access: the subject export holds their rows of both models, opened, and no other subject', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await d.data.forPurpose(agent).rsCustomer.create({ data: customer(a) as never });
    await d.data.forPurpose(agent).rsCustomer.create({ data: customer(b, { email: 'bia@example.com' }) as never });
    const ta = ticket(a);
    await d.store('rsTicket', Ticket, ta, { createdAt: new Date() });
    await d.store('rsTicket', Ticket, ticket(b));
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
    // portability: the same rows, machine-readable
    const p = await d.pf.rights.request({ subjectId: a, kind: 'portability', verification: verification(a) });
    const ported = JSON.stringify(await d.pf.rights.access(p.id));
    expect(ported).toContain('ana@example.com');
    expect(ported).not.toContain('bia@example.com');
  });

  it('correction: the resealed row and its blind index are written, and read back through the scoped client', async () => {
    const c = randomUUID();
    await d.data.forPurpose(agent).rsCustomer.create({ data: customer(c, { cpf: '390.533.447-05' }) as never });
    const before = await raw('prs_customers', c);
    const r = await d.pf.rights.request({ subjectId: c, kind: 'correction', verification: verification(c) });
    const result = await d.pf.rights.correct(r.id, {
      schema: 'customer',
      patch: { cpf: '714.602.380-01', email: 'ana.souza@example.com' },
    });
    expect([...result.changed].sort()).toEqual(['cpf', 'email']);
    const after = await raw('prs_customers', c);
    expect(after?.cpf).toMatch(/^pf1\./);
    expect(after?.bidx_cpf).not.toBe(before?.bidx_cpf);
    const read = d.data.forPurpose(billing);
    const found = await read.rsCustomer.findMany({ where: { cpf: '714.602.380-01' } });
    expect(found.map((row) => [row.id, row.cpf])).toEqual([[c, '714.602.380-01']]);
    expect(await read.rsCustomer.findMany({ where: { cpf: '390.533.447-05' } })).toEqual([]);
    const support = await d.data.forPurpose(agent).rsCustomer.findFirst({ where: { id: c } });
    expect(support?.email).toBe('ana.souza@example.com');
    expect(support?.phone).toBeDefined(); // the rest of the row is as it was
    expect(d.notices.some((n) => n.kind === 'correction' && n.subjectId === c)).toBe(true);
  });

  it('erasure: the subject’s rows are trimmed or removed, anonymous copies kept; another subject’s rows untouched', async () => {
    const e = randomUUID();
    const other = randomUUID();
    for (const c of [customer(e), customer(other, { email: 'outra@example.com' })]) {
      await d.data.forPurpose(agent).rsCustomer.create({ data: c as never });
    }
    const [t1, t2, t3] = [ticket(e), ticket(e), ticket(other)];
    for (const x of [t1, t2, t3]) await d.store('rsTicket', Ticket, x);
    const otherBefore = await raw('prs_customers', other);
    const theirsBefore = await raw('prs_tickets', t3.id);
    const copiesBefore = (await all('SELECT * FROM prs_tickets_anonymous')).length;
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
    const row = await raw('prs_customers', e);
    expect(row?.phone).toBeNull();
    expect(row?.email).toMatch(/^pf1\./); // crypto-shredded: its key is gone
    expect((row?.pf_restriction as { erasedAt?: string } | null)?.erasedAt).toBeTypeOf('string');
    expect(await raw('prs_tickets', t1.id)).toBeUndefined();
    expect(await raw('prs_tickets', t2.id)).toBeUndefined();
    const copies = (await all('SELECT * FROM prs_tickets_anonymous ORDER BY seq')).slice(copiesBefore);
    expect(copies).toHaveLength(2);
    expect(copies[0]).toMatchObject({ schema: 'ticket', fields: expect.arrayContaining(['subject']) });
    expect(JSON.stringify(copies)).not.toContain(e);
    expect(JSON.stringify(copies)).not.toContain('529.982.247-25');
    const kept = await d.data.forPurpose(billing).rsCustomer.findFirst({ where: { id: e } });
    expect(kept).toMatchObject({ id: e, cpf: '529.982.247-25', name: 'Ana Souza' });
    expect(await code(() => d.data.forPurpose(agent).rsCustomer.findFirst({ where: { id: e } }))).toBe('PF_SUBJECT_ERASED');
    // the other subject's rows, as stored, are untouched
    expect(await raw('prs_customers', other)).toEqual(otherBefore);
    expect(await raw('prs_tickets', t3.id)).toEqual(theirsBefore);
    const still = await d.data.forPurpose(agent).rsCustomer.findFirst({ where: { id: other } });
    expect(still?.email).toBe('outra@example.com');
  });

  it('revocation: the values only the withdrawn consent justified leave the row; the rest stays', async () => {
    const v = randomUUID();
    await d.store('rsCustomer', Customer, customer(v, { accessibility: 'low vision' }));
    await d.consent.grant({
      subject: v,
      purpose: 'support.accessibility',
      notice: { version: '2026-11-01', hash: '9'.repeat(64) },
      method: 'form',
      collectionPoint: 'app',
      highlighted: true,
    });
    expect((await raw('prs_customers', v))?.accessibility).toMatch(/^pf1\./);
    const r = await d.pf.rights.request({ subjectId: v, kind: 'revocation', verification: verification(v) });
    const answer = await d.pf.rights.revoke(r.id, 'support.accessibility');
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['accessibility', 'deleted']]);
    const row = await raw('prs_customers', v);
    expect(row?.accessibility).toBeNull();
    expect(row?.email).toMatch(/^pf1\./);
    const read = await d.data.forPurpose(agent).rsCustomer.findFirst({ where: { id: v } });
    expect(read?.email).toBe('ana@example.com');
  });

  it('blocking: written to pf_restriction of the subject’s rows, refused by the scoped client, lifted by unblock', async () => {
    const b = randomUUID();
    await d.data.forPurpose(agent).rsCustomer.create({ data: customer(b) as never });
    const x = ticket(b);
    await d.store('rsTicket', Ticket, x);
    const r = await d.pf.rights.request({ subjectId: b, kind: 'blocking', verification: verification(b) });
    await d.pf.rights.block(r.id);
    const held = (await raw('prs_customers', b))?.pf_restriction as { blocked?: { request: string }[] } | null;
    expect(held?.blocked?.map((k) => k.request)).toEqual([r.id]);
    expect((await raw('prs_tickets', x.id))?.pf_restriction).toMatchObject({ blocked: [{ request: r.id }] });
    const read = () => d.data.forPurpose(agent).rsCustomer.findFirst({ where: { id: b } });
    expect(await code(read)).toBe('PF_SUBJECT_RESTRICTED');
    await d.pf.rights.unblock(r.id);
    // lifted: a database NULL again (Prisma's DbNull), not a JSON null
    expect((await all(`SELECT pf_restriction IS NULL AS none FROM prs_customers WHERE id = '${b}'`))[0]?.none).toBe(true);
    expect((await read())?.email).toBe('ana@example.com');
  });

  it('a retention sweep: a dry run changes nothing, a real one resumes from its cursor, anonymous copies kept', async () => {
    const owner = randomUUID();
    const day = 86_400_000;
    const now = new Date('2030-01-01T00:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * day);
    // ids in a known order: the sweep walks by record id
    const ids = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
    const ages = [1000, 900, 500, 450, 30, undefined]; // days: expired whole, trimmed (satisfaction), kept, unknown
    for (const [i, id] of ids.entries()) {
      const age = ages[i];
      await d.store('rsSweptTicket', Ticket, ticket(owner, { id }), age === undefined ? {} : { createdAt: ago(age) });
    }
    const source = prismaRetentionSource(db.prisma, swept, { startOf: { collection: 'createdAt' }, anonymous });
    const copiesBefore = (await all('SELECT * FROM prs_tickets_anonymous')).length;
    const dry = await d.pf.retention.sweep(source, { now, dryRun: true, pageSize: 4 });
    expect(dry).toMatchObject({ scanned: 6, removed: 0, updated: 0, undetermined: 1 });
    expect(dry.actions?.map((a) => [a.record, a.action])).toEqual([
      [ids[0], 'remove'],
      [ids[1], 'remove'],
      [ids[2], 'update'],
      [ids[3], 'update'],
    ]);
    expect(await all('SELECT id FROM prs_swept_tickets')).toHaveLength(6);
    expect(await all('SELECT * FROM prs_tickets_anonymous')).toHaveLength(copiesBefore);
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
    expect(await all('SELECT id FROM prs_swept_tickets')).toHaveLength(4);
    const copies = (await all('SELECT * FROM prs_tickets_anonymous ORDER BY seq')).slice(copiesBefore);
    expect(copies).toHaveLength(2);
    expect(JSON.stringify(copies)).not.toContain('529.982.247-25');
    const rest = await d.pf.retention.sweep(source, { now, pageSize: 2, cursor: saved });
    expect(rest).toMatchObject({ scanned: 4, removed: 0, updated: 2, undetermined: 1 });
    expect(rest.cursor).toBeUndefined();
    const left = await all('SELECT id, satisfaction, subject FROM prs_swept_tickets ORDER BY id');
    expect(left.map((r) => r.id)).toEqual(ids.slice(2));
    expect(left.map((r) => r.satisfaction)).toEqual([null, null, 4, 4]);
    expect(left.every((r) => String(r.subject).startsWith('pf1.'))).toBe(true);
    // idempotent: a second sweep finds nothing more to do
    expect(await d.pf.retention.sweep(source, { now })).toMatchObject({ scanned: 4, removed: 0, updated: 0 });
    const read = await d.data.forPurpose(agent).rsSweptTicket.findFirst({ where: { id: ids[2] as string } });
    expect(read?.subject).toBe('Boleto cobrado duas vezes');
  });

  it('a change made from an older read never lifts a restriction written since, even after newer reads and changes', async () => {
    const owner = randomUUID();
    const source = prismaRightsSource(db.prisma, tickets, { anonymous });
    const update = source.update as NonNullable<typeof source.update>;
    const x = ticket(owner);
    await d.store('rsTicket', Ticket, x);
    const [a] = await source.find(owner); // request A reads: no restriction
    const [b] = await source.find(owner); // request B reads too, then blocks the row
    const blocked = { blocked: [{ request: 'rq_1', at: '2026-12-01T09:00:00.000Z' }] };
    await update(owner, { ...b, pf_restriction: blocked });
    await source.find(owner); // and any later read
    expect(await code(() => update(owner, { ...a, status: 'open' }))).toBe('PF_INPUT_INVALID');
    expect((await db.raw.query('SELECT status, pf_restriction FROM prs_tickets WHERE id = $1', [x.id])).rows[0]).toMatchObject({
      status: 'closed',
      pf_restriction: blocked,
    });
    // a blocking written by another instance, straight to the table
    const [c] = await source.find(owner);
    const lifted = { blocked: [] as unknown[] };
    await db.raw.query('UPDATE prs_tickets SET pf_restriction = $1 WHERE id = $2', [JSON.stringify(lifted), x.id]);
    expect(await code(() => update(owner, { ...c, status: 'open' }))).toBe('PF_INPUT_INVALID');
    // a row the source did not read (built by hand, or JSON of one): refused, nothing to compare with
    expect(await code(() => update(owner, JSON.parse(JSON.stringify({ ...c, status: 'open' }))))).toBe('PF_INPUT_INVALID');
    const [fresh] = await source.find(owner);
    await update(owner, { ...fresh, status: 'open' });
    expect((await db.raw.query('SELECT status, pf_restriction FROM prs_tickets WHERE id = $1', [x.id])).rows[0]).toMatchObject({
      status: 'open',
      pf_restriction: lifted,
    });
  });

  it('an update that matches no row, or two rows, fails closed and changes nothing', async () => {
    const owner = randomUUID();
    const source = prismaRightsSource(db.prisma, tickets, { anonymous });
    const x = ticket(owner);
    await d.store('rsTicket', Ticket, x);
    const [row] = await source.find(owner);
    expect(row?.id).toBe(x.id);
    const update = source.update as NonNullable<typeof source.update>;
    const remove = source.remove as NonNullable<typeof source.remove>;
    expect(await code(() => update(owner, { ...row, id: randomUUID() }))).toBe('PF_INPUT_INVALID');
    // the right record id, another subject: no row
    expect(await code(() => update(randomUUID(), { ...row, status: 'open' }))).toBe('PF_INPUT_INVALID');
    expect(await code(() => remove(randomUUID(), row as Record<string, unknown>))).toBe('PF_INPUT_INVALID');
    expect(await code(() => update(owner, { ...row, id: undefined }))).toBe('PF_INPUT_INVALID');
    expect((await raw('prs_tickets', x.id))?.status).toBe('closed');
    // a record id two rows share: rolled back
    const twin = ticket(owner);
    await d.store('rsDupe', Ticket, twin);
    await d.store('rsDupe', Ticket, twin);
    const twins = prismaRightsSource(db.prisma, dupes, { anonymous });
    const [first] = await twins.find(owner);
    const err = await (twins.update as NonNullable<typeof twins.update>)(owner, { ...first, status: 'open' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'PF_BINDING_INVALID' });
    expect(err.problems.map((p: { message: string }) => p.message)).toEqual([expect.stringContaining('not unique')]);
    expect(await code(() => (twins.remove as NonNullable<typeof twins.remove>)(owner, first as Record<string, unknown>))).toBe(
      'PF_BINDING_INVALID',
    );
    const sweep = prismaRetentionSource(db.prisma, dupes, { startOf: { collection: 'createdAt' }, anonymous });
    expect(await code(() => sweep.update({ ...first, status: 'open' }))).toBe('PF_BINDING_INVALID');
    const both = await all(`SELECT status FROM prs_dupes WHERE id = '${twin.id}'`);
    expect(both.map((r) => r.status)).toEqual(['closed', 'closed']);
    // the anonymous copy goes with the change or not at all
    const copies = (await all('SELECT * FROM prs_tickets_anonymous')).length;
    const anonymize = twins.anonymize as NonNullable<typeof twins.anonymize>;
    const copy = { schema: 'ticket', fields: ['subject'], data: { subject: 'boleto' } };
    expect(await code(() => anonymize(owner, copy, first as Record<string, unknown>, 'remove'))).toBe('PF_BINDING_INVALID');
    expect(await all('SELECT * FROM prs_tickets_anonymous')).toHaveLength(copies);
    expect(await all(`SELECT status FROM prs_dupes WHERE id = '${twin.id}'`)).toHaveLength(2);
  });

  it('a row found then updated as it is reads back the same, optional fields absent or present', async () => {
    const source = prismaRightsSource(db.prisma, customers);
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
        await d.data.forPurpose(agent).rsCustomer.create({ data: input as never });
        const [found] = await source.find(id);
        await update(id, { ...(found as Record<string, unknown>) });
        const [again] = await source.find(id);
        expect(again).toEqual(found);
        expect('phone' in (again ?? {})).toBe(r.phone !== undefined);
        expect('address' in (again ?? {})).toBe(r.address !== undefined);
        const read = await d.data.forPurpose(billing).rsCustomer.findFirst({ where: { id } });
        expect(read).toMatchObject({ id, cpf: r.cpf, name: r.name });
      }),
      { numRuns: 10 },
    );
  });

  it('a change applies only to a row whose restriction is still as read: a blocking written since stays', async () => {
    const owner = randomUUID();
    const x = ticket(owner);
    await d.store('rsTicket', Ticket, x);
    const source = prismaRightsSource(db.prisma, tickets, { anonymous });
    const [row] = await source.find(owner);
    const blocked = { blocked: [{ request: 'rq_1', at: '2026-12-01T09:00:00.000Z' }] };
    await db.raw.query('UPDATE prs_tickets SET pf_restriction = $1 WHERE id = $2', [JSON.stringify(blocked), x.id]);
    const update = source.update as NonNullable<typeof source.update>;
    expect(await code(() => update(owner, { ...row, status: 'open' }))).toBe('PF_INPUT_INVALID');
    expect(await code(() => (source.remove as NonNullable<typeof source.remove>)(owner, row as never))).toBe('PF_INPUT_INVALID');
    expect(await raw('prs_tickets', x.id)).toMatchObject({ status: 'closed', pf_restriction: blocked });
    // read again, the change applies, the blocking kept
    const [again] = await source.find(owner);
    await update(owner, { ...again, status: 'open' });
    expect(await raw('prs_tickets', x.id)).toMatchObject({ status: 'open', pf_restriction: blocked });
    // another blocking since: its Json differs from what was read, refused again
    const twice = { blocked: [...blocked.blocked, { request: 'rq_2', at: '2026-12-02T09:00:00.000Z' }] };
    await db.raw.query('UPDATE prs_tickets SET pf_restriction = $1 WHERE id = $2', [JSON.stringify(twice), x.id]);
    expect(await code(() => update(owner, { ...again, status: 'waiting' }))).toBe('PF_INPUT_INVALID');
    expect(await raw('prs_tickets', x.id)).toMatchObject({ status: 'open', pf_restriction: twice });
    // the same holds for a sweep: a row whose blocking was lifted after its page was read is not changed
    const sweep = prismaRetentionSource(db.prisma, tickets, { startOf: { collection: 'createdAt' }, anonymous });
    const page = await sweep.page(undefined, 1000);
    const mine = page.rows.find((r) => r.id === x.id) as Record<string, unknown>;
    await db.raw.query('UPDATE prs_tickets SET pf_restriction = NULL WHERE id = $1', [x.id]);
    expect(await code(() => sweep.remove(mine))).toBe('PF_INPUT_INVALID');
    expect(await raw('prs_tickets', x.id)).toBeDefined();
    // and a row read without a restriction is not changed once one is written
    const [open] = await source.find(owner);
    await db.raw.query('UPDATE prs_tickets SET pf_restriction = $1 WHERE id = $2', [JSON.stringify(blocked), x.id]);
    expect(await code(() => update(owner, { ...open, status: 'closed' }))).toBe('PF_INPUT_INVALID');
    expect(await raw('prs_tickets', x.id)).toMatchObject({ status: 'open', pf_restriction: blocked });
  });

  it('anonymous copies through a function: given the transaction that changes the row, rolled back with it', async () => {
    const owner = randomUUID();
    const x = ticket(owner);
    await d.store('rsTicket', Ticket, x);
    const kept: unknown[] = [];
    let fail = true;
    const source = prismaRightsSource(db.prisma, tickets, {
      anonymous: async (tx, copy) => {
        await tx.rsTicketAnonymous.create({
          data: { schema: copy.schema, fields: [...copy.fields], data: copy.data as Prisma.InputJsonValue },
        });
        kept.push(copy);
        if (fail) throw new Error('the statistics store is down');
      },
    });
    const before = (await all('SELECT * FROM prs_tickets_anonymous')).length;
    const [row] = await source.find(owner);
    const anonymize = source.anonymize as NonNullable<typeof source.anonymize>;
    const copy = { schema: 'ticket', fields: ['subject'], data: { subject: 'boleto' } };
    expect(await code(() => anonymize(owner, copy, row as Record<string, unknown>, 'remove'))).toBe('PF_STORE_UNAVAILABLE');
    expect(kept).toHaveLength(1);
    expect(await raw('prs_tickets', x.id)).toBeDefined();
    expect(await all('SELECT * FROM prs_tickets_anonymous')).toHaveLength(before);
    fail = false;
    await anonymize(owner, copy, row as Record<string, unknown>, 'remove');
    expect(await raw('prs_tickets', x.id)).toBeUndefined();
    expect(await all('SELECT * FROM prs_tickets_anonymous')).toHaveLength(before + 1);
  });

  it('a database error becomes a value-free PF_STORE_UNAVAILABLE; a subject id the field cannot hold has no rows', async () => {
    const source = prismaRightsSource(db.prisma, customers);
    expect(await source.find('not-a-uuid')).toEqual([]);
    const c = randomUUID();
    await d.data.forPurpose(agent).rsCustomer.create({ data: customer(c) as never });
    const [row] = await source.find(c);
    // channel is required: a row without it is refused by Prisma (whose message quotes the query's values)
    const { channel: _gone, ...without } = row as Record<string, unknown>;
    const err = await (source.update as NonNullable<typeof source.update>)(c, without).catch((e) => e);
    expect(err).toMatchObject({ code: 'PF_STORE_UNAVAILABLE' });
    expect(String(err.message)).not.toContain('São Paulo');
    expect(String(err.message)).not.toContain('Ana Souza');
    expect(String(err.message)).not.toMatch(/pf1\./);
    expect(String(err.message)).not.toContain(c);
    expect(err.message).toMatch(/model RsCustomer did not take the change \(Prisma validation\)/);
    // a value the column refuses (PostgreSQL text holds no NUL): the SQLSTATE, no value
    const bad = await (source.update as NonNullable<typeof source.update>)(c, { ...row, name: 'Ana\u0000Souza' }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'PF_STORE_UNAVAILABLE' });
    expect(String(bad.message)).not.toContain('Ana');
    expect(String(bad.message)).not.toMatch(/pf1\./);
    expect(bad.message).toMatch(/SQLSTATE 22021/);
    expect(await raw('prs_customers', c)).toMatchObject({ name: 'Ana Souza' });
  });
});

describe.skipIf(unavailable !== undefined)('rights and retention sources over Prisma: the binding they need', () => {
  let db: PrismaTestDb;
  beforeAll(async () => {
    db = await prismaTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  const problemsOf = (run: () => unknown) => {
    try {
      run();
    } catch (e) {
      return e as { code?: string; message: string; problems?: readonly { message: string }[] };
    }
    return undefined;
  };

  it('a schema without a subject or a record id, or a model without pf_restriction, is PF_BINDING_INVALID at creation', () => {
    const answers = bindModel(SurveyAnswer, 'Note');
    const err = problemsOf(() => prismaRightsSource(db.prisma, answers));
    expect(err?.code).toBe('PF_BINDING_INVALID');
    expect(err?.problems?.map((p) => p.message)).toEqual([
      expect.stringContaining('no subject id'),
      expect.stringContaining('no recordId'),
      expect.stringContaining('pf_restriction'),
    ]);
    expect(() => prismaRetentionSource(db.prisma, answers, { startOf: { collection: 'createdAt' } })).toThrow(
      expect.objectContaining({ code: 'PF_BINDING_INVALID' }),
    );
    // tickets declare anonymize: their copies need a place, a model with the fields of a copy
    expect(problemsOf(() => prismaRightsSource(db.prisma, tickets))?.message).toMatch(/give options.anonymous/);
    expect(problemsOf(() => prismaRightsSource(db.prisma, tickets, { anonymous: { model: 'RsCustomer' } }))?.problems).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/anonymous model RsCustomer needs a field "schema"/) }),
      expect.objectContaining({ message: expect.stringMatching(/needs a field "fields"/) }),
      expect.objectContaining({ message: expect.stringMatching(/needs a field "data"/) }),
    ]);
    expect(() => prismaRightsSource(db.prisma, tickets, { anonymous: { model: 'Nope' } })).toThrow(/no model "Nope"/);
    expect(() => prismaRetentionSource(db.prisma, swept, { startOf: { collection: 'created_at' }, anonymous })).toThrow(
      /startOf.collection: model RsSweptTicket has no field "created_at"/,
    );
    expect(() => prismaRetentionSource(db.prisma, swept, { anonymous } as never)).toThrow(/options.startOf is required/);
    // the binding's own problems are listed too: the ticket schema on the customer model
    const wrong = problemsOf(() => prismaRightsSource(db.prisma, bindModel(Ticket, 'Customer'), { anonymous }));
    expect(wrong?.code).toBe('PF_BINDING_INVALID');
    expect(wrong?.problems?.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('"subject"'), expect.stringContaining('subject field "customerId"')]),
    );
    expect(() => prismaRightsSource(db.prisma, bindModel(Customer, 'Missing'))).toThrow(/no model "Missing"/);
    expect(() => prismaSources(db.prisma, [customers, customers])).toThrow(/bound twice/);
    expect(() => prismaSources(db.prisma, [customers], { tickets: {} })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringMatching(/"tickets"/) }),
    );
    expect(() => prismaRightsSource(db.prisma, { schema: Customer } as never)).toThrow(
      expect.objectContaining({ code: 'PF_BINDING_INVALID' }),
    );
    expect(() => prismaRightsSource({} as never, customers)).toThrow(expect.objectContaining({ code: 'PF_BINDING_INVALID' }));
  });

  it('a subject that is not a top-level field is PF_BINDING_INVALID', () => {
    const Nested = defineSchema(
      'prs-nested',
      z.object({
        id: pd.none(z.uuid()),
        address: z.object({ id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['billing.invoice'] }) }),
      }),
      { purposes, subject: { kind: 'customer', id: 'address.id', minors: 'never' }, recordId: 'id' },
    );
    expect(() => prismaRightsSource(db.prisma, bindModel(Nested, 'RsCustomer'))).toThrow(
      /subject field "address.id" must be a top-level field/,
    );
  });

  it('startOf reads the field an event maps to (a Date, a date string, epoch ms); NULL or an unmapped event is unknown', () => {
    const source = prismaRetentionSource(db.prisma, swept, { startOf: { collection: 'createdAt' }, anonymous });
    const at = new Date('2026-01-10T10:00:00Z');
    expect(source.startOf({ createdAt: at }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: '2026-01-10T10:00:00Z' }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: at.getTime() }, 'collection')).toEqual(at);
    expect(source.startOf({ createdAt: null }, 'collection')).toBeUndefined();
    expect(source.startOf({ createdAt: 'not a date' }, 'collection')).toBeUndefined();
    expect(source.startOf({ createdAt: at }, 'invoice.issued')).toBeUndefined();
    const mine = (row: Record<string, unknown>, event: string) => (event === 'closed' ? (row.createdAt as Date) : undefined);
    const byFunction = prismaRetentionSource(db.prisma, swept, { startOf: mine, anonymous });
    expect(byFunction.startOf({ createdAt: at }, 'closed')).toBe(at);
  });
});
