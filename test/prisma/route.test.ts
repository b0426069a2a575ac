/**
 * A route answering with what the Prisma scoped client read for the handler's
 * own context: passed on as opened, not opened a second time; the same row
 * with a relation the route does not declare is refused, never sent unprojected.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFetchHandler } from '../../adapters/fetch.js';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { Customer, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine();

describe.skipIf(unavailable !== undefined)('a route over the Prisma scoped client (PostgreSQL)', () => {
  let db: PrismaTestDb;
  let data: ReturnType<typeof purposefulPrisma<PrismaTestDb['prisma'], 'support.ticket' | 'billing.invoice'>>;
  const id = randomUUID();
  beforeAll(async () => {
    db = await prismaTestDb();
    data = purposefulPrisma(db.prisma, pf, { bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket')] });
    await data.forPurpose(support).customer.create({
      data: {
        id,
        name: 'Ana Souza',
        email: 'ana@example.com',
        cpf: '529.982.247-25',
        tickets: { create: [{ subject: 's', body: 'b' }] },
      },
    });
  });
  afterAll(async () => {
    await db?.close();
  });
  const route = { purpose: 'support.ticket', output: Customer, actor: () => ({ id: 'agent-7', roles: ['support'] }) } as const;

  it('answers with the row the scoped client opened for the handler’s context, masked as declared', async () => {
    const GET = toFetchHandler(pf, route, (ctx) => data.forPurpose(ctx).customer.findUnique({ where: { id } }));
    const res = await GET(new Request('http://x/customers/1'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id, name: 'Ana Souza', email: 'ana@example.com', cpf: '***.***.**7-25' });
    expect(JSON.stringify(body)).not.toContain('pf1.');
  });

  it('a row carrying a relation the output does not declare is not passed on: refused, nothing of it sent', async () => {
    const GET = toFetchHandler(pf, route, (ctx) =>
      data.forPurpose(ctx).customer.findUnique({ where: { id }, include: { tickets: true } }),
    );
    const res = await GET(new Request('http://x/customers/1'));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain('529.982.247-25');
    expect(text).not.toContain('ana@example.com');
  });
});
