/**
 * Compound blind indexes in a Prisma `where`: an equality on every field of a compound index in one AND group goes
 * through that index's column; an equality on only some of them, on an encrypted field without an index of its own,
 * is PF_QUERY_ENCRYPTED before any SQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import { settledCode } from '../helpers/fixtures.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { Customer, Member, support, Ticket, testEngine } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma] skipped: ${unavailable}`);

const pf = testEngine([Member]);

const code = settledCode;

describe.skipIf(unavailable !== undefined)('purposeful/prisma compound blind indexes in where (PostgreSQL)', () => {
  let db: PrismaTestDb;
  let data: ReturnType<typeof purposefulPrisma<PrismaTestDb['prisma'], 'support.ticket' | 'billing.invoice'>>;
  const ana = { id: randomUUID(), name: 'Ana', birth: '1990-01-02', document: 'D-1', city: 'Recife' };
  const bia = { id: randomUUID(), name: 'Bia', birth: '1990-01-02', document: 'D-2', city: 'Recife' };
  const ana2 = { id: randomUUID(), name: 'Ana', birth: '1985-05-06', document: 'D-3', city: 'Natal' };
  beforeAll(async () => {
    db = await prismaTestDb();
    data = purposefulPrisma(db.prisma, pf, {
      bindings: [bindModel(Customer, 'Customer'), bindModel(Ticket, 'Ticket'), bindModel(Member, 'Member')],
    });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.raw.query('DELETE FROM member');
    await data.forPurpose(support).member.createMany({ data: [ana, bia, ana2] });
  });

  it('stores envelopes and each compound index; equality on every field of one goes through its column', async () => {
    const { rows } = await db.raw.query('SELECT * FROM member ORDER BY name, birth');
    for (const row of rows) {
      expect(row.birth).toMatch(/^pf1\./);
      expect(row.document).toMatch(/^pf1\./);
      expect(row.bidx_name_birth).toEqual(expect.any(String));
      expect(row.bidx_document_birth).toEqual(expect.any(String));
    }
    expect(JSON.stringify(rows)).not.toContain('1990-01-02');
    const scoped = data.forPurpose(support);
    const ids = async (where: Record<string, unknown>) =>
      (await scoped.member.findMany({ where: where as never, orderBy: { name: 'asc' } })).map((r) => r.id);
    expect(await ids({ name: 'Ana', birth: '1990-01-02' })).toEqual([ana.id]);
    expect(await ids({ name: 'Ana', birth: { equals: '1985-05-06' } })).toEqual([ana2.id]);
    expect(await ids({ name: 'Ana', birth: '2000-01-01' })).toEqual([]);
    expect(await ids({ AND: [{ name: 'Bia' }, { birth: '1990-01-02' }] })).toEqual([bia.id]);
    expect(await ids({ AND: [{ name: 'Bia' }], birth: '1990-01-02' })).toEqual([bia.id]);
    expect(await ids({ document: 'D-3', birth: '1985-05-06' })).toEqual([ana2.id]);
    expect(await ids({ name: 'Ana', document: 'D-1', birth: '1990-01-02', city: 'Recife' })).toEqual([ana.id]);
    expect(
      await ids({
        OR: [
          { name: 'Bia', birth: '1990-01-02' },
          { document: 'D-3', birth: '1985-05-06' },
        ],
      }),
    ).toEqual([ana2.id, bia.id]);
    expect(await ids({ NOT: { name: 'Ana', birth: '1990-01-02' } })).toEqual([ana2.id, bia.id]);
    expect(await scoped.member.count({ where: { name: 'Ana', birth: '1990-01-02' } })).toBe(1);
    // the where as sent: the compound index's column, no birth value
    const sent = data.where('Member', { name: 'Ana', birth: '1990-01-02' });
    expect(JSON.stringify(sent)).not.toContain('1990-01-02');
    expect(sent).toEqual({ name: 'Ana', AND: [{ bidx_name_birth: expect.anything() }] });
    // the row opened for the purpose
    const [found] = await scoped.member.findMany({ where: { document: 'D-1', birth: '1990-01-02' } });
    expect(found).toMatchObject({ name: 'Ana', birth: '1990-01-02', document: 'D-1' });
  });

  it('an equality on only some fields of a compound index, or another operator, is PF_QUERY_ENCRYPTED before any SQL', async () => {
    const scoped = data.forPurpose(support);
    const before = db.statements.length;
    const refusals: (() => unknown)[] = [
      () => scoped.member.findMany({ where: { birth: '1990-01-02' } }),
      () => scoped.member.findMany({ where: { document: 'D-1' } }),
      () => scoped.member.findMany({ where: { name: 'Ana', birth: { in: ['1990-01-02'] } } }),
      () => scoped.member.findMany({ where: { name: 'Ana', birth: { not: '1990-01-02' } } }),
      () => scoped.member.findMany({ where: { OR: [{ name: 'Ana' }, { birth: '1990-01-02' }] } }),
      () => scoped.member.findMany({ where: { name: 'Ana', NOT: { birth: '1990-01-02' } } }),
      () => scoped.member.count({ where: { city: 'Recife', birth: '1990-01-02' } }),
      () => scoped.member.deleteMany({ where: { document: 'D-1', name: 'Ana' } }),
    ];
    for (const run of refusals) expect(await code(run)).toBe('PF_QUERY_ENCRYPTED');
    expect(db.statements.length).toBe(before);
  });

  it('writes keep the compound indexes: update gives every field of one, updateMany re-seals per row', async () => {
    const scoped = data.forPurpose(support);
    // changing birth alone would leave both compound indexes stale
    expect(await code(() => scoped.member.update({ where: { id: ana.id }, data: { birth: '1991-01-01' } }))).toBe(
      'PF_INPUT_INVALID',
    );
    await scoped.member.update({ where: { id: ana.id }, data: { name: 'Ana', document: 'D-1', birth: '1991-01-01' } });
    expect(await scoped.member.count({ where: { name: 'Ana', birth: '1991-01-01' } })).toBe(1);
    expect(await scoped.member.count({ where: { document: 'D-1', birth: '1991-01-01' } })).toBe(1);
    expect(await scoped.member.count({ where: { name: 'Ana', birth: '1990-01-02' } })).toBe(0);
    // updateMany through a compound where, sealing each row under its own id
    expect(
      await scoped.member.updateMany({
        where: { name: 'Bia', birth: '1990-01-02' },
        data: { name: 'Bia', document: 'D-9', birth: '1970-07-07' },
      }),
    ).toEqual({ count: 1 });
    expect((await scoped.member.findMany({ where: { document: 'D-9', birth: '1970-07-07' } })).map((r) => r.id)).toEqual([
      bia.id,
    ]);
    expect(await scoped.member.deleteMany({ where: { name: 'Ana', birth: '1985-05-06' } })).toEqual({ count: 1 });
    expect((await db.raw.query('SELECT id FROM member ORDER BY name')).rows.map((r) => r.id)).toEqual([ana.id, bia.id]);
  });
});
