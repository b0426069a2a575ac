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
});
