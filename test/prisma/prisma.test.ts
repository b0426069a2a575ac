import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { bindModel, type OpenedRow, purposefulPrisma } from '../../adapters/prisma.js';
import { type Inbound, isPurposefulError, type Outbound, type PurposefulError } from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { billing, Customer, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine();
const customers = bindModel(Customer, 'Customer');
const tickets = bindModel(Ticket, 'Ticket');

const code = settledCode;

type NewCustomer = Inbound<typeof Customer, 'support.ticket'>;
const customer = (over: Partial<NewCustomer> = {}): NewCustomer => ({
  id: randomUUID(),
  name: 'Ana Souza',
  email: 'ana@example.com',
  cpf: '529.982.247-25',
  address: { city: 'São Paulo' },
  ...over,
});

describe.skipIf(unavailable !== undefined)('purposeful/prisma on PostgreSQL (@prisma/adapter-pg)', () => {
  let db: PrismaTestDb;
  let data: ReturnType<typeof purposefulPrisma<PrismaTestDb['prisma'], 'support.ticket' | 'billing.invoice'>>;
  beforeAll(async () => {
    db = await prismaTestDb();
    data = purposefulPrisma(db.prisma, pf, { bindings: [customers, tickets] });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.raw.query('DELETE FROM customer');
  });

  it('creates with a nested ticket, stores envelopes and indexes, reads back opened with include', async () => {
    const scoped = data.forPurpose(support);
    const record = customer();
    const created = await scoped.customer.create({
      data: { ...record, tickets: { create: [{ subject: 'Login', body: 'I cannot log in' }] } },
      include: { tickets: true },
    });
    expect(created).toMatchObject({ id: record.id, name: 'Ana Souza', email: 'ana@example.com' });
    expect(created.tickets).toEqual([expect.objectContaining({ customerId: record.id, body: 'I cannot log in' })]);
    const { rows } = await db.raw.query('SELECT * FROM customer');
    expect(rows[0].email).toMatch(/^pf1\./);
    expect(rows[0].bidx_email).toEqual(expect.any(String));
    const { rows: t } = await db.raw.query('SELECT * FROM ticket');
    expect(t[0].body).toMatch(/^pf1\./);
    const found = await scoped.customer.findMany({ where: { email: 'ana@example.com' }, include: { tickets: true } });
    expect(found).toHaveLength(1);
    expect(found[0]?.tickets[0]?.body).toBe('I cannot log in');
  });

  it('checks each binding against the client: PF_BINDING_INVALID with every problem by field path', async () => {
    expect(() => bindModel(Customer, 'Customer', db.prisma)).not.toThrow();
    let error: unknown;
    try {
      bindModel(Customer, 'Ticket', db.prisma);
    } catch (err) {
      error = err;
    }
    expect(isPurposefulError(error) && error.code).toBe('PF_BINDING_INVALID');
    const problems = (error as PurposefulError).problems.map((p) => p.message);
    expect((error as PurposefulError).message).toContain('cannot be bound to model "Ticket"');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"email"'),
        expect.stringContaining('"cpf"'),
        expect.stringContaining('"address.street"'),
        expect.stringContaining('bidx_email'),
        expect.stringContaining('bidx_cpf'),
      ]),
    );
    expect(String((error as Error).message)).not.toContain('@');
    expect(await code(() => bindModel(Customer, 'Nope', db.prisma))).toBe('PF_BINDING_INVALID');
    expect(await code(() => purposefulPrisma(db.prisma, pf, { bindings: [bindModel(Ticket, 'Customer')] }))).toBe(
      'PF_BINDING_INVALID',
    );
    // the marker every binding carries
    const fresh = bindModel(Customer, 'Customer');
    const marker = (fresh as unknown as Record<symbol, { target: string; schema: unknown; problems(): string[] }>)[
      Symbol.for('purposeful.binding')
    ];
    expect(marker?.target).toBe('model Customer');
    expect(marker?.schema).toBe(Customer);
    expect(marker?.problems()).toHaveLength(1); // not checked yet
    purposefulPrisma(db.prisma, pf, { bindings: [fresh] });
    expect(marker?.problems()).toEqual([]);
    expect(Object.keys(fresh)).toEqual(['schema', 'model']);
  });

  it('in on an indexed encrypted field finds every row asked for (not 0)', async () => {
    const scoped = data.forPurpose(support);
    const [a, b, c] = [
      customer({ email: 'a@example.com' }),
      customer({ email: 'b@example.com' }),
      customer({ email: 'c@example.com' }),
    ];
    await scoped.customer.createMany({ data: [a, b, c] });
    const found = await scoped.customer.findMany({
      where: { email: { in: ['a@example.com', 'c@example.com'] } },
      orderBy: { name: 'asc' },
    });
    expect(found.map((r) => r.email).sort()).toEqual(['a@example.com', 'c@example.com']);
    expect(await scoped.customer.count({ where: { email: { notIn: ['a@example.com'] } } })).toBe(2);
    expect(await scoped.customer.count({ where: { email: { in: [] } } })).toBe(0);
    // a cpf matches with or without punctuation: the index normalizes it
    expect(await scoped.customer.count({ where: { cpf: '52998224725' } })).toBe(3);
  });

  it('OR / AND / NOT and relation filters compose over blind indexes', async () => {
    const scoped = data.forPurpose(support);
    const a = customer({ email: 'a@example.com', name: 'Ana' });
    const b = customer({ email: 'b@example.com', name: 'Bia', cpf: '111.444.777-35' });
    const c = customer({ email: 'c@example.com', name: 'Caio', cpf: undefined });
    for (const r of [a, b, c]) await scoped.customer.create({ data: r });
    await scoped.ticket.create({ data: { customerId: b.id, subject: 'Bill', body: 'Charged twice' } });
    const names = async (where: object) =>
      (await scoped.customer.findMany({ where, orderBy: { name: 'asc' } })).map((r) => r.name);
    expect(await names({ OR: [{ email: 'a@example.com' }, { email: { equals: 'c@example.com' } }] })).toEqual(['Ana', 'Caio']);
    expect(await names({ AND: [{ email: { in: ['a@example.com', 'b@example.com'] } }, { name: 'Bia' }] })).toEqual(['Bia']);
    expect(await names({ NOT: { email: 'a@example.com' } })).toEqual(['Bia', 'Caio']);
    expect(await names({ NOT: [{ email: 'a@example.com' }, { email: 'b@example.com' }] })).toEqual(['Caio']);
    expect(await names({ email: { not: 'b@example.com' } })).toEqual(['Ana', 'Caio']);
    expect(await names({ cpf: null })).toEqual(['Caio']);
    expect(
      await names({ OR: [{ cpf: '111.444.777-35' }, { AND: [{ name: 'Caio' }, { NOT: { email: 'x@example.com' } }] }] }),
    ).toEqual(['Bia', 'Caio']);
    expect(await names({ tickets: { some: { customer: { is: { email: 'b@example.com' } } } } })).toEqual(['Bia']);
    expect(await scoped.ticket.count({ where: { customer: { email: 'b@example.com' } } })).toBe(1);
    expect(await scoped.ticket.count({ where: { customer: { is: { email: 'a@example.com' } } } })).toBe(0);
  });

  it('include and select of a relation come back opened, in both directions; the fields opening needed are not added', async () => {
    const scoped = data.forPurpose(support);
    const a = customer();
    await scoped.customer.create({
      data: {
        ...a,
        tickets: {
          create: [
            { subject: 'A', body: 'first' },
            { subject: 'B', body: 'second' },
          ],
        },
      },
    });
    const selected = await scoped.customer.findUnique({
      where: { id: a.id },
      select: { email: true, tickets: { select: { body: true }, orderBy: { subject: 'asc' } } },
    });
    expect(selected).toEqual({ email: 'ana@example.com', tickets: [{ body: 'first' }, { body: 'second' }] });
    const back = await scoped.ticket.findMany({ include: { customer: true }, orderBy: { subject: 'asc' } });
    expect(back.map((t) => [t.body, t.customer.email, t.customer.cpf])).toEqual([
      ['first', 'ana@example.com', '***.***.**7-25'],
      ['second', 'ana@example.com', '***.***.**7-25'],
    ]);
    const counted = await scoped.customer.findFirst({ where: { id: a.id }, include: { _count: { select: { tickets: true } } } });
    expect(counted?._count).toEqual({ tickets: 2 });
    // billing sees the cpf in clear, the street, no email and no ticket body
    const forBilling = await data.forPurpose(billing).customer.findFirst({ where: { id: a.id }, include: { tickets: true } });
    expect(forBilling).not.toHaveProperty('email');
    expect(forBilling?.cpf).toBe('529.982.247-25');
    expect(forBilling?.tickets.map((t) => Object.keys(t).sort())).toEqual([
      ['customerId', 'id', 'subject'],
      ['customerId', 'id', 'subject'],
    ]);
  });

  it('nested writes: create, createMany, connectOrCreate under a customer; a customer created under a ticket', async () => {
    const scoped = data.forPurpose(support);
    const a = customer();
    await scoped.customer.create({
      data: {
        ...a,
        tickets: {
          createMany: {
            data: [
              { subject: 'A', body: 'one' },
              { subject: 'B', body: 'two' },
            ],
          },
        },
      },
    });
    const ticketId = randomUUID();
    await scoped.customer.update({
      where: { id: a.id },
      data: { tickets: { connectOrCreate: { where: { id: ticketId }, create: { subject: 'C', body: 'three' } } } },
    });
    const b = customer({ email: 'b@example.com' });
    await scoped.ticket.create({ data: { subject: 'D', body: 'four', customer: { create: b } } });
    const { rows } = await db.raw.query('SELECT id, customer_id, body FROM ticket ORDER BY subject');
    expect(rows.map((r) => r.body).every((v: string) => v.startsWith('pf1.'))).toBe(true);
    expect(rows[2].id).toBe(ticketId);
    expect(rows[3].customer_id).toBe(b.id);
    const all = await scoped.ticket.findMany({ orderBy: { subject: 'asc' }, include: { customer: { select: { email: true } } } });
    expect(all.map((t) => [t.body, t.customer.email])).toEqual([
      ['one', 'ana@example.com'],
      ['two', 'ana@example.com'],
      ['three', 'ana@example.com'],
      ['four', 'b@example.com'],
    ]);
  });

  it('refuses to seal an envelope again, and a value that only looks like one', async () => {
    const scoped = data.forPurpose(support);
    const a = customer();
    await scoped.customer.create({ data: a });
    const { rows } = await db.raw.query('SELECT cpf FROM customer');
    const before = db.statements.length;
    expect(await code(() => scoped.customer.create({ data: customer({ cpf: rows[0].cpf }) }))).toBe('PF_INPUT_INVALID');
    expect(await code(() => scoped.customer.create({ data: customer({ cpf: 'pf1.not-an-envelope' }) }))).toBe(
      'PF_CIPHERTEXT_MALFORMED',
    );
    expect(await code(() => scoped.ticket.create({ data: { customerId: a.id, subject: 'x', body: rows[0].cpf } }))).toBe(
      'PF_INPUT_INVALID',
    );
    expect(db.statements.length).toBe(before);
  });

  it('refusals run no SQL', async () => {
    const scoped = data.forPurpose(support);
    const before = db.statements.length;
    const refusals: [string, () => unknown][] = [
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ where: { email: { contains: 'ana' } } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ where: { email: { startsWith: 'a' } } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ where: { OR: [{ name: 'x' }, { email: { gt: 'a' } }] } })],
      [
        'PF_QUERY_ENCRYPTED',
        () => scoped.customer.findMany({ where: { email: { equals: 'a@example.com', mode: 'insensitive' } } }),
      ],
      ['PF_QUERY_ENCRYPTED', () => scoped.ticket.findMany({ where: { body: 'x' } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ where: { tickets: { some: { body: 'x' } } } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ where: { address: { path: ['street'], equals: 'x' } } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ orderBy: { email: 'asc' } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.ticket.findMany({ orderBy: [{ customer: { cpf: 'desc' } }] })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.findMany({ distinct: ['email'] })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.aggregate({ _max: { email: true } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.groupBy({ by: ['cpf'], _count: true })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.count({ where: { email: { endsWith: '.com' } } })],
      ['PF_QUERY_ENCRYPTED', () => scoped.customer.deleteMany({ where: { email: { contains: 'a' } } })],
      // an encrypted field in having at any depth, in a groupBy's order by an aggregate, in a _count's relation where
      [
        'PF_QUERY_ENCRYPTED',
        () =>
          scoped.customer.groupBy({
            by: ['name'],
            _count: true,
            having: { OR: [{ name: 'x' }, { NOT: { email: { _max: { gt: 'a' } } } }] },
          } as never),
      ],
      [
        'PF_QUERY_ENCRYPTED',
        () => scoped.customer.groupBy({ by: ['name'], _max: { name: true }, orderBy: { _max: { email: 'asc' } } } as never),
      ],
      [
        'PF_QUERY_ENCRYPTED',
        () => scoped.customer.findMany({ include: { _count: { select: { tickets: { where: { body: { contains: 'x' } } } } } } }),
      ],
      // an operator on an encrypted field of a nested update would write it unsealed
      [
        'PF_INPUT_INVALID',
        () =>
          scoped.customer.update({
            where: { id: randomUUID() },
            data: { tickets: { updateMany: { where: { subject: 's' }, data: { body: { push: 'plain' } as never } } } },
          }),
      ],
      ['PF_BINDING_INVALID', () => scoped.customer.findMany({ include: { notes: true } })],
      ['PF_BINDING_INVALID', () => scoped.note.findMany()],
      ['PF_UNDECLARED_FIELD', () => scoped.customer.create({ data: { ...customer(), bidx_email: 'forged' } })],
      [
        'PF_UNDECLARED_FIELD',
        () =>
          scoped.customer.create({
            data: { ...customer(), tickets: { create: { subject: 's', body: 'b', bidx_x: 1 } as never } },
          }),
      ],
      ['PF_VALIDATION_FAILED', () => scoped.customer.create({ data: customer({ email: 'not an email' }) })],
      // updateMany seals per row, but cannot move rows to another record id (their envelopes are bound to it)
      [
        'PF_INPUT_INVALID',
        () => scoped.customer.updateMany({ where: { name: 'Ana' }, data: { id: randomUUID(), email: 'b@example.com' } }),
      ],
      ['PF_ROLE_NOT_ALLOWED', () => data.forPurpose({ ...support, actor: { id: 'x', roles: ['billing'] } }).customer.findMany()],
      [
        'PF_ROLE_NOT_ALLOWED',
        () => data.forPurpose({ ...support, actor: { id: 'x', roles: ['billing'] } }).customer.create({ data: customer() }),
      ],
      ['PF_ROLE_NOT_ALLOWED', () => data.forPurpose({ ...billing, actor: { id: 'x', roles: ['support'] } }).ticket.count()],
    ];
    for (const [expected, run] of refusals) expect([expected, await code(run)]).toEqual([expected, expected]);
    expect(db.statements.length).toBe(before);
  });

  it('aggregates, counts and groupBy on plain fields go through; deletes open the deleted row', async () => {
    const scoped = data.forPurpose(support);
    const a = customer({ email: 'a@example.com', name: 'Ana' });
    const b = customer({ email: 'b@example.com', name: 'Bia' });
    await scoped.customer.createMany({ data: [a, b] });
    expect(await scoped.customer.count({ where: { OR: [{ email: 'a@example.com' }, { email: 'b@example.com' }] } })).toBe(2);
    const groups = await scoped.customer.groupBy({ by: ['name'], _count: { email: true }, orderBy: { name: 'asc' } });
    expect(groups.map((g) => [g.name, g._count.email])).toEqual([
      ['Ana', 1],
      ['Bia', 1],
    ]);
    const gone = await scoped.customer.delete({ where: { id: a.id } });
    expect(gone.email).toBe('a@example.com');
    expect(await scoped.customer.deleteMany({ where: { email: 'b@example.com' } })).toEqual({ count: 1 });
  });

  it('createManyAndReturn opens what it returns; the raw table holds no plaintext', async () => {
    const scoped = data.forPurpose(support);
    const rows = [
      customer({ email: 'a@example.com' }),
      customer({ email: 'b@example.com', address: { city: 'Rio', street: 'Rua A' } as never }),
    ];
    const back = await scoped.customer.createManyAndReturn({ data: rows });
    expect(back.map((r) => r.email).sort()).toEqual(['a@example.com', 'b@example.com']);
    const { rows: stored } = await db.raw.query('SELECT * FROM customer');
    const text = JSON.stringify(stored);
    for (const secret of ['a@example.com', 'b@example.com', '529.982.247-25', 'Rua A']) expect(text).not.toContain(secret);
  });

  it('batch and interactive transactions go through the scoped client; a rollback writes nothing', async () => {
    const scoped = data.forPurpose(support);
    const a = customer({ email: 'a@example.com' });
    const b = customer({ email: 'b@example.com' });
    await scoped.$transaction([scoped.customer.create({ data: a }), scoped.customer.create({ data: b })]);
    expect(await scoped.customer.count({ where: { email: { in: ['a@example.com', 'b@example.com'] } } })).toBe(2);
    const c = customer({ email: 'c@example.com' });
    const inside = await scoped.$transaction(async (tx) => {
      await tx.customer.create({ data: { ...c, tickets: { create: { subject: 's', body: 'in a transaction' } } } });
      return tx.customer.findFirst({ where: { email: 'c@example.com' }, include: { tickets: true } });
    });
    expect(inside?.tickets[0]?.body).toBe('in a transaction');
    const d = customer({ email: 'd@example.com' });
    await expect(
      scoped.$transaction(async (tx) => {
        await tx.customer.create({ data: d });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await scoped.customer.count({ where: { email: 'd@example.com' } })).toBe(0);
  });

  it('types: results are the generated client types; OpenedRow types a row as the purpose reads it', () => {
    type Billing = OpenedRow<typeof customers, 'billing.invoice'>;
    expectTypeOf<Billing>().toEqualTypeOf<Outbound<typeof Customer, 'billing.invoice'>>();
    expectTypeOf<Billing>().not.toHaveProperty('email');
    expectTypeOf<OpenedRow<typeof customers, 'support.ticket'>>().toHaveProperty('email');
    const scoped = data.forPurpose(billing);
    expectTypeOf(scoped).toEqualTypeOf<PrismaTestDb['prisma']>(); // not narrowed by the purpose
    const row = data.opened(customers, billing, { id: 'x' });
    expectTypeOf(row).toEqualTypeOf<Billing>();
  });

  it('write then read equals pf.open(pf.seal(record)) for each purpose, and no plaintext is stored (property)', async () => {
    const scoped = data.forPurpose(support);
    const text = fc.string({ minLength: 3, maxLength: 20 }).filter((s) => s.trim().length > 0 && !s.startsWith('pf1.'));
    const record = fc.record(
      {
        id: fc.uuid({ version: 4 }),
        name: text,
        email: fc
          .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._]{0,12}[a-z0-9]$/), fc.constantFrom('example.com', 'mail.test.org'))
          .map(([user, host]) => `${user.replace(/\.\.+/g, '.')}@${host}`),
        cpf: fc.option(fc.constantFrom('529.982.247-25', '111.444.777-35', '390.533.447-05'), { nil: undefined }),
        address: fc.option(fc.record({ city: text, street: text }), { nil: undefined }),
      },
      { requiredKeys: ['id', 'name', 'email'] },
    );
    await fc.assert(
      fc.asyncProperty(record, async (r) => {
        const input = {
          ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
          id: randomUUID(),
        } as NewCustomer;
        const checked = await pf.inbound(Customer, input, support);
        await scoped.customer.create({ data: input });
        for (const ctx of [support, billing]) {
          const expected = await pf.open(Customer, await pf.seal(Customer, checked, support), ctx);
          const read = await data.forPurpose(ctx).customer.findUnique({ where: { id: input.id } });
          expect(read).toEqual(expected);
          const byEmail = await data.forPurpose(ctx).customer.findMany({ where: { email: r.email } });
          expect(byEmail).toContainEqual(expected);
        }
        const { rows } = await db.raw.query('SELECT email, cpf, address FROM customer WHERE id = $1', [input.id]);
        expect(rows[0].email).toMatch(/^pf1\./);
        if (r.cpf !== undefined) expect(rows[0].cpf).toMatch(/^pf1\./);
        if (r.address !== undefined) expect(rows[0].address.street).toMatch(/^pf1\./);
      }),
      { numRuns: 25 },
    );
  });

  it('update re-seals a changed encrypted field under the row, with its blind index, in the same statement', async () => {
    const scoped = data.forPurpose(support);
    const a = customer({ email: 'a@example.com' });
    await scoped.customer.create({ data: { ...a, tickets: { create: { subject: 's', body: 'old body' } } } });
    const before = (await db.raw.query('SELECT email, bidx_email, bidx_cpf, cpf FROM customer')).rows[0];
    const updated = await scoped.customer.update({
      where: { id: a.id },
      data: { email: { set: 'new@example.com' }, name: 'Ana S.' },
    });
    expect(updated).toMatchObject({ email: 'new@example.com', name: 'Ana S.' });
    const after = (await db.raw.query('SELECT email, bidx_email, bidx_cpf, cpf FROM customer')).rows[0];
    expect(after.email).toMatch(/^pf1\./);
    expect(after.bidx_email).not.toBe(before.bidx_email);
    expect([after.cpf, after.bidx_cpf]).toEqual([before.cpf, before.bidx_cpf]); // untouched fields keep their values
    expect(await scoped.customer.count({ where: { email: 'a@example.com' } })).toBe(0);
    expect((await scoped.customer.findFirst({ where: { email: 'new@example.com' } }))?.name).toBe('Ana S.');
    // a ticket's body: its subject (the customer) read from the row, then required by the where
    const [ticket] = await scoped.ticket.findMany();
    await scoped.ticket.update({ where: { id: ticket?.id as string }, data: { body: 'new body' } });
    expect((await scoped.ticket.findFirst())?.body).toBe('new body');
    // clearing an optional encrypted field clears its index too
    await scoped.customer.update({ where: { id: a.id }, data: { cpf: null } });
    expect((await db.raw.query('SELECT cpf, bidx_cpf FROM customer')).rows[0]).toEqual({ cpf: null, bidx_cpf: null });
    // plain fields through updateMany; partial input checked for the purpose
    expect(await scoped.customer.updateMany({ where: { email: 'new@example.com' }, data: { name: 'Ana' } })).toEqual({
      count: 1,
    });
    expect(await code(() => scoped.customer.update({ where: { id: a.id }, data: { bidx_email: 'forged' } }))).toBe(
      'PF_UNDECLARED_FIELD',
    );
    expect(
      await code(() =>
        scoped.customer.update({ where: { email: 'new@example.com' } as never, data: { email: 'x@example.com' } }),
      ),
    ).toBe('PF_INPUT_INVALID');
    expect(await code(() => scoped.customer.update({ where: { id: a.id }, data: { email: 'not an email' } }))).toBe(
      'PF_VALIDATION_FAILED',
    );
    // a nested update of an encrypted field is refused: it is updated through its own model
    expect(
      await code(() =>
        scoped.customer.update({
          where: { id: a.id },
          data: { tickets: { updateMany: { where: { subject: 's' }, data: { body: 'x' } } } },
        }),
      ),
    ).toBe('PF_INPUT_INVALID');
  });

  it('upsert seals its create and its update; the where finds the row through the blind index', async () => {
    const scoped = data.forPurpose(support);
    const id = randomUUID();
    const created = await scoped.customer.upsert({
      where: { id },
      create: { name: 'Ana', email: 'a@example.com' },
      update: { email: 'b@example.com' },
    });
    expect(created).toMatchObject({ id, email: 'a@example.com' });
    const updated = await scoped.customer.upsert({
      where: { id },
      create: { name: 'Ana', email: 'a@example.com' },
      update: { email: 'b@example.com' },
    });
    expect(updated).toMatchObject({ id, email: 'b@example.com' });
    expect(await scoped.customer.count({ where: { email: 'b@example.com' } })).toBe(1);
    const { rows } = await db.raw.query('SELECT email FROM customer');
    expect(rows.map((r) => r.email.startsWith('pf1.'))).toEqual([true]);
  });
});
