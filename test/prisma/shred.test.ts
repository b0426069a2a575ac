/**
 * Erasure by shredding on rows the Prisma integration stored: once a subject's
 * data key is shredded, every read that would open one of their rows fails
 * closed (a row found through a relation included), while other subjects'
 * rows still open; the raw rows keep only envelopes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import { settledCode } from '../helpers/fixtures.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { Customer, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine();

describe.skipIf(unavailable !== undefined)('shredding on Prisma-stored rows', () => {
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

  it('a shredded subject’s rows fail closed with PF_SUBJECT_ERASED, relations included; another subject’s still open', async () => {
    const gone = randomUUID();
    const kept = randomUUID();
    for (const [id, email] of [
      [gone, 'gone@example.com'],
      [kept, 'kept@example.com'],
    ] as const) {
      await scoped.customer.create({
        data: {
          id,
          name: 'Ana Souza',
          email,
          cpf: '529.982.247-25',
          tickets: { create: [{ subject: 's', body: 'my card 4111' }] },
        },
      });
    }
    await pf.shred(gone);

    expect(await settledCode(() => scoped.customer.findUnique({ where: { id: gone } }))).toBe('PF_SUBJECT_ERASED');
    expect(await settledCode(() => scoped.customer.findFirst({ where: { email: 'gone@example.com' } }))).toBe(
      'PF_SUBJECT_ERASED',
    );
    expect(await settledCode(() => scoped.ticket.findMany({ where: { customerId: gone } }))).toBe('PF_SUBJECT_ERASED');
    // a read that loads the erased subject's rows among others fails as a whole: nothing half-opened is returned
    expect(await settledCode(() => scoped.customer.findMany({ include: { tickets: true } }))).toBe('PF_SUBJECT_ERASED');

    const still = await scoped.customer.findUnique({ where: { id: kept }, include: { tickets: true } });
    expect(still?.email).toBe('kept@example.com');
    expect(still?.tickets[0]?.body).toBe('my card 4111');

    // the stored row is unchanged: envelopes nobody can open any more, no plaintext
    const { rows } = await db.raw.query('SELECT email, cpf FROM customer WHERE id = $1', [gone]);
    expect(rows[0].email).toMatch(/^pf1\./);
    expect(JSON.stringify(rows)).not.toContain('gone@example.com');
    expect(JSON.stringify(rows)).not.toContain('529.982.247-25');
  });
});
