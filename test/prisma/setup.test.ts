import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('Prisma 7 set-up (prisma-client generator, @prisma/adapter-pg)', () => {
  let db: PrismaTestDb;
  beforeAll(async () => {
    db = await prismaTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('writes a customer with a nested ticket and reads both back through include', async () => {
    const created = await db.prisma.customer.create({
      data: {
        name: 'Ana',
        email: 'ana@example.com',
        bidx_email: 'bidx-ana',
        pf_restriction: { restricted: ['marketing'] },
        tickets: { create: [{ subject: 'Login', body: 'I cannot log in' }] },
      },
    });
    const read = await db.prisma.customer.findUnique({ where: { id: created.id }, include: { tickets: true } });
    expect(read).toMatchObject({ name: 'Ana', email: 'ana@example.com', pf_restriction: { restricted: ['marketing'] } });
    expect(read?.tickets).toEqual([
      expect.objectContaining({ customerId: created.id, subject: 'Login', body: 'I cannot log in' }),
    ]);
    // the rows are in the test's own schema, not in public
    const { rows } = await db.raw.query(`SELECT email FROM ${db.schema}.customer`);
    expect(rows).toEqual([{ email: 'ana@example.com' }]);
  });

  it('a query extension sees one call per top-level operation, nested writes and included rows inside it', async () => {
    const calls: { model: string | undefined; operation: string; args: unknown; result: unknown }[] = [];
    const seen = db.prisma.$extends({
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }) {
            const result = await query(args);
            calls.push({ model, operation, args, result });
            return result;
          },
        },
      },
    });
    await seen.customer.create({
      data: { name: 'Bia', email: 'bia@example.com', tickets: { create: [{ subject: 'Bill', body: 'Charged twice' }] } },
      include: { tickets: true },
    });
    await seen.$transaction(async (tx) => tx.ticket.count({ where: { customer: { is: { email: 'bia@example.com' } } } }));
    expect(calls.map((c) => `${c.model}.${c.operation}`)).toEqual(['Customer.create', 'Ticket.count']);
    expect(calls[0]?.args).toMatchObject({ data: { tickets: { create: [{ body: 'Charged twice' }] } } });
    expect(calls[0]?.result).toMatchObject({ email: 'bia@example.com', tickets: [{ body: 'Charged twice' }] });
    expect(calls[1]?.result).toBe(1);
  });
});
