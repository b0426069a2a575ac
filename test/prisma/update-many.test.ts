/**
 * updateMany / updateManyAndReturn of encrypted fields through the scoped client (sealed per matching row, under
 * each row's own subject and record id, in one transaction), and updates inside the caller's interactive transaction.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import { settledCode } from '../helpers/fixtures.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { billing, Customer, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine();

const code = settledCode;

describe.skipIf(unavailable !== undefined)('purposeful/prisma updateMany of encrypted fields (PostgreSQL)', () => {
  let db: PrismaTestDb;
  let data: ReturnType<typeof purposefulPrisma<PrismaTestDb['prisma'], 'support.ticket' | 'billing.invoice'>>;
  beforeAll(async () => {
    db = await prismaTestDb();
    data = purposefulPrisma(db.prisma, pf, { bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket')] });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.raw.query('DELETE FROM customer');
  });

  /** Two customers, each with a ticket of subject 'Login' and one of subject 'Other'. */
  async function seed() {
    const scoped = data.forPurpose(support);
    const ids = [randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      await scoped.customer.create({
        data: {
          id,
          name: `Customer ${i}`,
          email: `c${i}@example.com`,
          tickets: {
            create: [
              { subject: 'Login', body: `old body ${i}` },
              { subject: 'Other', body: `other body ${i}` },
            ],
          },
        },
      });
    }
    return { scoped, ids };
  }

  it('a parent-side nested write never moves another subject’s rows: connect finds only the parent’s own, set and disconnect are refused', async () => {
    const { scoped, ids } = await seed();
    const [a, b] = ids as [string, string];
    const tA = (await db.raw.query(`SELECT id FROM ticket WHERE customer_id = $1 AND subject = 'Login'`, [a])).rows[0].id;
    const tB = (await db.raw.query(`SELECT id FROM ticket WHERE customer_id = $1 AND subject = 'Login'`, [b])).rows[0].id;
    const before = (await db.raw.query('SELECT id, customer_id, body FROM ticket ORDER BY id')).rows;
    // a's ticket connected to b: not found among b's rows, nothing moved
    expect(await code(() => scoped.customer.update({ where: { id: b }, data: { tickets: { connect: { id: tA } } } }))).toBe(
      'PF_NOT_FOUND',
    );
    expect(
      await code(() =>
        scoped.customer.update({
          where: { id: b },
          data: { tickets: { connectOrCreate: { where: { id: tA }, create: { subject: 's', body: 'b' } } } },
        }),
      ),
    ).toBe('PF_STORE_UNAVAILABLE'); // not b's: a new row with a's ticket id, which the database refuses
    for (const data of [{ tickets: { set: [{ id: tA }] } }, { tickets: { disconnect: [{ id: tB }] } }]) {
      expect(await code(() => scoped.customer.update({ where: { id: b }, data }))).toBe('PF_INPUT_INVALID');
    }
    // on a new customer: connecting an existing ticket would move it too
    expect(
      await code(() =>
        scoped.customer.create({
          data: { id: randomUUID(), name: 'C', email: 'c@example.com', tickets: { connect: { id: tA } } },
        }),
      ),
    ).toBe('PF_NOT_FOUND');
    expect((await db.raw.query('SELECT id, customer_id, body FROM ticket ORDER BY id')).rows).toEqual(before);
    // b's own ticket connected to b: found, nothing changes, it still opens
    await scoped.customer.update({ where: { id: b }, data: { tickets: { connect: { id: tB } } } });
    expect((await scoped.ticket.findUnique({ where: { id: tB } }))?.body).toBe('old body 1');
    expect((await scoped.ticket.findUnique({ where: { id: tA } }))?.body).toBe('old body 0');
  });

  it('seals each matching row under its own subject and record id, and updates only those rows', async () => {
    const { scoped, ids } = await seed();
    const before = (await db.raw.query(`SELECT id, body FROM ticket WHERE subject = 'Other' ORDER BY id`)).rows;
    expect(await scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'new body' } })).toEqual({ count: 2 });
    const stored = (await db.raw.query(`SELECT id, customer_id, body FROM ticket WHERE subject = 'Login'`)).rows;
    expect(stored).toHaveLength(2);
    for (const row of stored) expect(row.body).toMatch(/^pf1\./);
    expect(stored[0].body).not.toBe(stored[1].body); // one envelope per row
    expect(JSON.stringify(stored)).not.toContain('new body');
    // each envelope opens for its own row (sealed under its customer and its id)
    for (const id of ids) {
      const rows = await scoped.ticket.findMany({ where: { customerId: id }, orderBy: { subject: 'asc' } });
      expect(rows.map((r) => r.body)).toEqual(['new body', expect.stringMatching(/^other body/)]);
    }
    // an envelope moved to another row does not open there: each is bound to its own row
    await db.raw.query(
      `UPDATE ticket SET body = (SELECT body FROM ticket WHERE customer_id = $1 AND subject = 'Login') WHERE customer_id = $2 AND subject = 'Login'`,
      [ids[0], ids[1]],
    );
    expect(await code(() => scoped.ticket.findMany({ where: { customerId: ids[1] as string, subject: 'Login' } }))).toBe(
      'PF_KEY_NOT_FOUND',
    );
    expect((await db.raw.query(`SELECT id, body FROM ticket WHERE subject = 'Other' ORDER BY id`)).rows).toEqual(before);
  });

  it('an indexed field: each row gets its envelope and the blind index; the where goes through the index', async () => {
    const { scoped, ids } = await seed();
    const before = (await db.raw.query('SELECT id, bidx_email FROM customer ORDER BY id')).rows;
    expect(
      await scoped.customer.updateMany({
        where: { email: { in: ['c0@example.com', 'c1@example.com'] } },
        data: { email: 'same@example.com', name: 'Renamed' },
      }),
    ).toEqual({ count: 2 });
    const after = (await db.raw.query('SELECT id, name, email, bidx_email FROM customer ORDER BY id')).rows;
    expect(after.map((r) => r.name)).toEqual(['Renamed', 'Renamed']);
    expect(after[0].email).toMatch(/^pf1\./);
    expect(after[0].email).not.toBe(after[1].email);
    expect(after[0].bidx_email).toBe(after[1].bidx_email); // one value, one index
    expect(after[0].bidx_email).not.toBe(before[0].bidx_email);
    expect(await scoped.customer.count({ where: { email: 'same@example.com' } })).toBe(2);
    expect((await scoped.customer.findMany()).map((r) => [r.email, r.name])).toEqual([
      ['same@example.com', 'Renamed'],
      ['same@example.com', 'Renamed'],
    ]);
    expect(await scoped.customer.count({ where: { email: 'c0@example.com' } })).toBe(0);
    // clearing an optional encrypted field clears its index on every row
    await scoped.customer.updateMany({ where: { id: { in: ids } }, data: { cpf: '529.982.247-25' } });
    expect((await db.raw.query('SELECT cpf FROM customer')).rows.every((r) => r.cpf.startsWith('pf1.'))).toBe(true);
    expect(await scoped.customer.updateMany({ where: { cpf: '52998224725' }, data: { cpf: null } })).toEqual({ count: 2 });
    expect((await db.raw.query('SELECT cpf, bidx_cpf FROM customer')).rows).toEqual([
      { cpf: null, bidx_cpf: null },
      { cpf: null, bidx_cpf: null },
    ]);
    // no row matches: nothing written
    expect(
      await scoped.customer.updateMany({ where: { email: 'nobody@example.com' }, data: { email: 'x@example.com' } }),
    ).toEqual({
      count: 0,
    });
  });

  it('limit bounds the rows sealed and updated', async () => {
    const { scoped } = await seed();
    expect(await scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'limited' }, limit: 1 })).toEqual({
      count: 1,
    });
    const bodies = (await scoped.ticket.findMany({ where: { subject: 'Login' } })).map((r) => r.body);
    expect(bodies.filter((b) => b === 'limited')).toHaveLength(1);
    expect(bodies.filter((b) => b.startsWith('old body'))).toHaveLength(1);
  });

  it('updateManyAndReturn returns the rows opened for the purpose', async () => {
    const { scoped } = await seed();
    const rows = await scoped.ticket.updateManyAndReturn({ where: { subject: 'Login' }, data: { body: 'returned body' } });
    expect(rows.map((r) => r.body)).toEqual(['returned body', 'returned body']);
    const billed = await data.forPurpose(billing).customer.updateManyAndReturn({
      where: { name: 'Customer 0' },
      data: { cpf: '111.444.777-35' },
      select: { name: true, cpf: true },
    });
    expect(billed).toHaveLength(1);
    expect(billed[0]?.cpf).toBe('111.444.777-35'); // billing reads the cpf in clear
    expect(billed[0]?.name).not.toBe('Customer 0'); // and the name masked
    expect(Object.keys(billed[0] ?? {}).sort()).toEqual(['cpf', 'name']); // the id opening needed is not returned
    expect((await db.raw.query(`SELECT cpf FROM customer WHERE name = 'Customer 0'`)).rows[0].cpf).toMatch(/^pf1\./);
  });

  it("inside an interactive transaction: sees the transaction's own rows, and a rollback leaves nothing changed", async () => {
    const { scoped, ids } = await seed();
    const before = (await db.raw.query('SELECT * FROM ticket ORDER BY id')).rows;
    await expect(
      scoped.$transaction(async (tx) => {
        await tx.ticket.create({ data: { customerId: ids[0] as string, subject: 'Login', body: 'created inside' } });
        expect(await tx.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'changed inside' } })).toEqual({
          count: 3,
        });
        const inside = await tx.ticket.findMany({ where: { subject: 'Login' } });
        expect(inside.map((r) => r.body)).toEqual(['changed inside', 'changed inside', 'changed inside']);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await db.raw.query('SELECT * FROM ticket ORDER BY id')).rows).toEqual(before);
    // committed: the change stays
    await scoped.$transaction(async (tx) => {
      await tx.ticket.updateMany({ where: { subject: 'Other' }, data: { body: 'committed' } });
    });
    expect((await scoped.ticket.findMany({ where: { subject: 'Other' } })).map((r) => r.body)).toEqual([
      'committed',
      'committed',
    ]);
  });

  it('update inside an interactive transaction reads the subject there; a rollback leaves nothing changed', async () => {
    const { scoped, ids } = await seed();
    const before = (await db.raw.query('SELECT * FROM ticket ORDER BY id')).rows;
    const customersBefore = (await db.raw.query('SELECT * FROM customer ORDER BY id')).rows;
    await expect(
      scoped.$transaction(async (tx) => {
        // a ticket created in this transaction: its subject is read inside it (no subjectId in the context)
        const made = await tx.ticket.create({ data: { customerId: ids[1] as string, subject: 'New', body: 'first' } });
        const changed = await tx.ticket.update({ where: { id: made.id }, data: { body: 'second' } });
        expect(changed.body).toBe('second');
        const [old] = await tx.ticket.findMany({ where: { customerId: ids[0] as string, subject: 'Login' } });
        await tx.ticket.update({ where: { id: old?.id as string }, data: { body: 'rolled back' } });
        await tx.customer.update({ where: { id: ids[0] as string }, data: { email: 'rolled@example.com' } });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await db.raw.query('SELECT * FROM ticket ORDER BY id')).rows).toEqual(before);
    expect((await db.raw.query('SELECT * FROM customer ORDER BY id')).rows).toEqual(customersBefore);
  });

  it('a row moved to another subject while the update waits for it is skipped, not sealed under the old subject', async () => {
    const { scoped, ids } = await seed();
    const { rows } = await db.raw.query(`SELECT id, body FROM ticket WHERE subject = 'Login' AND customer_id = $1`, [ids[0]]);
    const moved = rows[0] as { id: string; body: string };
    const other = await db.raw.connect();
    try {
      const pid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await other.query('BEGIN');
      await other.query('UPDATE ticket SET customer_id = $1 WHERE id = $2', [ids[1], moved.id]); // holds the row's lock
      const pending = Promise.resolve(scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'raced' } }));
      pending.catch(() => {}); // awaited below
      let waiting = 0;
      for (let i = 0; i < 400 && waiting === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const blocked = await db.raw.query('SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [
          pid,
        ]);
        waiting = Number(blocked.rows[0].n);
      }
      expect(waiting).toBeGreaterThan(0); // the update waits for the moved row
      await other.query('COMMIT');
      expect(await pending).toEqual({ count: 1 });
    } finally {
      other.release();
    }
    const after = (await db.raw.query('SELECT customer_id, body FROM ticket WHERE id = $1', [moved.id])).rows[0];
    expect(after).toEqual({ customer_id: ids[1], body: moved.body }); // not written: its subject changed
    const [kept] = await scoped.ticket.findMany({
      where: { customerId: ids[1] as string, subject: 'Login', id: { not: moved.id } },
    });
    expect(kept?.body).toBe('raced');
  });

  it('refusals: moving rows to another subject or record id, operators, a batch transaction, roles, validation; no SQL', async () => {
    const { scoped, ids } = await seed();
    const [ticket] = await scoped.ticket.findMany({ where: { customerId: ids[0] as string } });
    const before = db.statements.length;
    const refusals: [string, () => unknown][] = [
      [
        'PF_INPUT_INVALID',
        () => scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'x', customerId: ids[1] as string } }),
      ],
      [
        'PF_INPUT_INVALID',
        () => scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { customerId: ids[1] as string } }),
      ],
      [
        'PF_INPUT_INVALID',
        () => scoped.customer.updateMany({ where: { name: 'Customer 0' }, data: { id: randomUUID(), email: 'a@example.com' } }),
      ],
      [
        'PF_INPUT_INVALID',
        () => scoped.ticket.update({ where: { id: ticket?.id as string }, data: { customerId: ids[1] as string } }),
      ],
      [
        'PF_INPUT_INVALID',
        () =>
          scoped.ticket.update({
            where: { id: ticket?.id as string },
            data: { customer: { connect: { id: ids[1] as string } } },
          }),
      ],
      ['PF_INPUT_INVALID', () => scoped.customer.update({ where: { id: ids[0] as string }, data: { id: randomUUID() } })],
      [
        'PF_INPUT_INVALID',
        () =>
          scoped.customer.update({
            where: { id: ids[0] as string },
            data: { tickets: { updateMany: { where: { subject: 'Login' }, data: { id: randomUUID() } } } },
          }),
      ],
      [
        'PF_INPUT_INVALID',
        () => scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: { push: 'x' } as never } }),
      ],
      [
        'PF_VALIDATION_FAILED',
        () => scoped.customer.updateMany({ where: { name: 'Customer 0' }, data: { email: 'not an email' } }),
      ],
      [
        'PF_UNDECLARED_FIELD',
        () => data.forPurpose(billing).customer.updateMany({ where: {}, data: { email: 'a@example.com' } }),
      ],
      [
        'PF_ROLE_NOT_ALLOWED',
        () =>
          data
            .forPurpose({ ...support, actor: { id: 'x', roles: ['billing'] } })
            .ticket.updateMany({ where: {}, data: { body: 'x' } }),
      ],
      [
        'PF_INPUT_INVALID',
        () => scoped.$transaction([scoped.ticket.updateMany({ where: { subject: 'Login' }, data: { body: 'x' } })]),
      ],
    ];
    for (const [expected, run] of refusals) expect([expected, await code(run)]).toEqual([expected, expected]);
    expect(db.statements.length).toBe(before);
    // the same customer id given again is no change
    await scoped.customer.update({ where: { id: ids[0] as string }, data: { id: ids[0] as string, name: 'Same' } });
  });
});
