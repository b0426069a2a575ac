/**
 * What the scoped client lets out of a Prisma error: Prisma's messages quote
 * the query's arguments (a validation error prints them whole) and the
 * database's detail, so a failure leaves as a value-free PF_STORE_UNAVAILABLE
 * with Prisma's code and the SQLSTATE only, and a record that an `OrThrow`
 * read, an update or a delete did not find as PF_NOT_FOUND.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import { isPurposefulError } from '../../src/index.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { Customer, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine();
const MARKER = 'Zuleica Marker Quintanilha';

/** The PurposefulError `run` fails with (anything else fails the test). */
async function failure(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe.skipIf(unavailable !== undefined)('purposeful/prisma errors carry no values (PostgreSQL)', () => {
  let db: PrismaTestDb;
  let scoped: ReturnType<ReturnType<typeof purposefulPrisma<PrismaTestDb['prisma'], 'support.ticket'>>['forPurpose']>;
  beforeAll(async () => {
    db = await prismaTestDb();
    scoped = purposefulPrisma(db.prisma, pf, {
      bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket')],
    }).forPurpose(support);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a query Prisma refuses (its message prints the arguments) is PF_STORE_UNAVAILABLE without them', async () => {
    // the same query through the base client: Prisma's own message quotes the name
    const raw = await db.prisma.customer.findFirst({ where: { name: MARKER, id: 42 as never } }).catch((e: Error) => e);
    expect(String((raw as Error).message)).toContain(MARKER);
    const err = await failure(() => scoped.customer.findFirst({ where: { name: MARKER, id: 42 as never } }));
    expect(err.code).toBe('PF_STORE_UNAVAILABLE');
    expect(err.message).toContain('Prisma validation');
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(MARKER);
    expect(err.cause).toBeUndefined();
  });

  it('a constraint the database refuses is PF_STORE_UNAVAILABLE with Prisma’s code, the row not named', async () => {
    const id = randomUUID();
    await scoped.customer.create({ data: { id, name: MARKER, email: 'ana@example.com' } });
    const err = await failure(() => scoped.customer.create({ data: { id, name: MARKER, email: 'ana@example.com' } }));
    expect(err.code).toBe('PF_STORE_UNAVAILABLE');
    expect(err.message).toContain('Prisma P2002');
    expect(err.reason).toBe('P2002'); // the code to branch on (a 409, a retry), never a value
    expect(err.message).not.toContain(MARKER);
    expect(err.message).not.toContain(id);
  });

  it('a record an OrThrow read, an update or a delete does not find is PF_NOT_FOUND', async () => {
    const missing = randomUUID();
    expect((await failure(() => scoped.customer.findUniqueOrThrow({ where: { id: missing } }))).code).toBe('PF_NOT_FOUND');
    expect((await failure(() => scoped.customer.delete({ where: { id: missing } }))).code).toBe('PF_NOT_FOUND');
    const update = await failure(() => scoped.customer.update({ where: { id: missing }, data: { name: MARKER } }));
    expect(update.code).toBe('PF_NOT_FOUND');
    expect(update.message).not.toContain(missing);
  });
});
