/**
 * Filtering, ordering or `like` on an encrypted column through the scoped client: `PF_QUERY_ENCRYPTED` as the query
 * is built, never an empty result or an order by ciphertext; ordering and filtering on clear columns work.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, exists, gt, ilike, inArray, like, or, eq as rawEq } from 'drizzle-orm';
import { alias, jsonb, PgDialect, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindTable, purposefulDrizzle, sealed } from '../../adapters/drizzle.js';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { createPurposeful, generateKeyring, isPurposefulError, memoryConsentLedger, memoryKeyStore } from '../../src/index.js';
import { customers, type DrizzleTestDb, drivers } from './db.js';

const pf = createPurposeful({
  purposes,
  schemas: [Customer],
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  consent: memoryConsentLedger(purposes),
});
const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

async function refusal(run: () => unknown): Promise<{ code: string; message: string; reason?: string | undefined }> {
  try {
    await run();
  } catch (err) {
    if (isPurposefulError(err)) return { code: err.code, message: err.message, reason: err.reason };
    throw err;
  }
  throw new Error('expected a refusal');
}

for (const [driver, open] of drivers) {
  describe(`encrypted columns in conditions and orderings, on ${driver}`, () => {
    let t: DrizzleTestDb;
    let data: ReturnType<typeof purposefulDrizzle<string>>;
    beforeAll(async () => {
      t = await open();
      data = purposefulDrizzle(t.db, pf, { bindings: [bindTable(Customer, customers)] });
      await data.forPurpose(support).insert(customers, [
        { id: randomUUID(), channel: 'chat', name: 'Bruna', cpf: '529.982.247-25', email: 'bruna@example.com' },
        { id: randomUUID(), channel: 'email', name: 'Ana', cpf: '111.444.777-35', email: 'ana@example.com' },
        { id: randomUUID(), channel: 'chat', name: 'Carla', cpf: '390.533.447-05', email: 'carla@example.com' },
      ]);
    }, 60_000);
    afterAll(() => t?.close());

    it('like, ilike, a range or a raw comparison on a sealed column is PF_QUERY_ENCRYPTED before any SQL, naming the column, never the value', async () => {
      const scoped = data.forPurpose(support);
      const conditions = [
        like(customers.email, '%ana@example.com%'),
        ilike(customers.cpf, '529%'),
        gt(customers.email, 'ana@example.com'),
        or(rawEq(customers.channel, 'chat'), like(customers.email, 'ana@example.com')),
        and(data.eq(customers.cpf, '529.982.247-25'), like(customers.email, 'ana@example.com')),
      ];
      for (const where of conditions) {
        const before = t.statements.length;
        const err = await refusal(() => scoped.findMany(customers, { where }));
        expect(err.code).toBe('PF_QUERY_ENCRYPTED');
        expect(err.message).toContain('encrypted column');
        expect(err.message).not.toContain('ana@example.com');
        expect(err.message).not.toContain('529');
        expect(t.statements.length, 'no SQL ran').toBe(before);
      }
      const before = t.statements.length;
      expect((await refusal(() => scoped.delete(customers, { where: like(customers.email, '%') }))).code).toBe(
        'PF_QUERY_ENCRYPTED',
      );
      expect(
        (await refusal(() => scoped.update(customers, { set: { name: 'X' }, where: like(customers.email, '%') }))).code,
      ).toBe('PF_QUERY_ENCRYPTED');
      expect(t.statements.length, 'no SQL ran').toBe(before);
    });

    it('a sealed column inside a subquery (inArray over a select, exists) is PF_QUERY_ENCRYPTED before any SQL', async () => {
      const scoped = data.forPurpose(support);
      const inner = t.db.select({ id: customers.id }).from(customers).where(like(customers.email, '%ana%'));
      const before = t.statements.length;
      for (const where of [inArray(customers.id, inner), exists(inner)]) {
        expect((await refusal(() => scoped.findMany(customers, { where }))).code).toBe('PF_QUERY_ENCRYPTED');
      }
      expect(t.statements.length, 'no SQL ran').toBe(before);
      // a subquery over clear columns is allowed
      const chat = t.db.select({ id: customers.id }).from(customers).where(rawEq(customers.channel, 'chat'));
      expect(await scoped.findMany(customers, { where: inArray(customers.id, chat) })).toHaveLength(2);
    });

    it('a database error answers with a value-free PF_STORE_UNAVAILABLE, never the statement and its values', async () => {
      const scoped = data.forPurpose(support);
      const id = randomUUID();
      const record = {
        id,
        channel: 'chat',
        name: 'Zuleica Quintanilha',
        cpf: '529.982.247-25',
        email: 'zq@example.com',
      } as const;
      await scoped.insert(customers, record);
      for (const run of [
        () => scoped.insert(customers, record), // the same primary key again
        () => scoped.delete(customers, { where: rawEq(customers.id, 'Zuleica Quintanilha') }),
        () => scoped.findMany(customers, { where: rawEq(customers.id, 'Zuleica Quintanilha') }),
      ]) {
        const err = await refusal(run);
        expect(err.code).toBe('PF_STORE_UNAVAILABLE');
        expect(err.reason).toMatch(/^[0-9A-Z]{5}$/); // the SQLSTATE, to branch on
        expect(err.message).not.toContain('Zuleica');
        expect(err.message).not.toContain('zq@example.com');
      }
      expect(await scoped.delete(customers, { where: rawEq(customers.id, id) })).toBe(1);
    });

    it('a column of alias(table, …) is the bound column: refused in like / orderBy, compared through its own index column by eq', async () => {
      const scoped = data.forPurpose(support);
      const other = alias(customers, 'other');
      const before = t.statements.length;
      const inner = t.db.select({ id: other.id }).from(other).where(like(other.email, '%ana%'));
      for (const where of [exists(inner), inArray(customers.id, inner), like(other.cpf, '529%')]) {
        const err = await refusal(() => scoped.findMany(customers, { where }));
        expect(err.code).toBe('PF_QUERY_ENCRYPTED');
        expect(err.message).toMatch(/encrypted column "(email|cpf)"/);
      }
      expect((await refusal(() => scoped.findMany(customers, { orderBy: asc(other.email) }))).code).toBe('PF_QUERY_ENCRYPTED');
      expect(t.statements.length, 'no SQL ran').toBe(before);
      // eq / inArray on an aliased sealed column compare the alias's blind index column
      const same = t.db.select({ id: other.id }).from(other).where(data.eq(other.cpf, '111.444.777-35'));
      expect(await scoped.findMany(customers, { where: inArray(customers.id, same) })).toMatchObject([{ name: 'Ana' }]);
      expect((await refusal(() => data.eq(other.email, 'ana@example.com'))).code).toBe('PF_QUERY_ENCRYPTED');
      const pair = await t.db
        .select({ name: other.name })
        .from(other)
        .where(data.eq([other.cpf, other.channel], ['390.533.447-05', 'chat']));
      expect(pair).toEqual([{ name: 'Carla' }]);
    });

    it('an ordering by a sealed column is PF_QUERY_ENCRYPTED; by a clear column it orders', async () => {
      const scoped = data.forPurpose(support);
      for (const orderBy of [customers.cpf, asc(customers.email), [asc(customers.name), desc(customers.accessibility)]]) {
        const err = await refusal(() => scoped.findMany(customers, { orderBy }));
        expect(err.code).toBe('PF_QUERY_ENCRYPTED');
      }
      const rows = await scoped.findMany(customers, { orderBy: asc(customers.name) });
      expect(rows.map((r) => r.name)).toEqual(['Ana', 'Bruna', 'Carla']);
      const last = await scoped.findMany(customers, {
        where: rawEq(customers.channel, 'chat'),
        orderBy: [desc(customers.name)],
        limit: 1,
      });
      expect(last.map((r) => r.name)).toEqual(['Carla']);
    });

    it('the client’s eq / inArray through the blind index stay allowed, composed with clear conditions', async () => {
      const rows = await data.forPurpose(support).findMany(customers, {
        where: and(data.inArray(customers.cpf, ['529.982.247-25', '390.533.447-05']), rawEq(customers.channel, 'chat')),
        orderBy: asc(customers.name),
      });
      expect(rows.map((r) => r.name)).toEqual(['Bruna', 'Carla']);
    });
  });
}

describe('an alias of a table built from the same column definitions as a bound one', () => {
  // reusable column definitions: one builder, one config object, in two tables
  const person = { cpf: sealed('cpf').notNull(), email: sealed('email').notNull() };
  const bound = pgTable('customers', {
    id: uuid('id').primaryKey(),
    channel: text('channel').notNull(),
    name: text('name').notNull(),
    ...person,
    bidx_cpf: text('bidx_cpf').notNull(),
    phone: text('phone'),
    address: jsonb('address'),
    accessibility: sealed('accessibility'),
    pf_restriction: jsonb('pf_restriction'),
  });
  const legacy = pgTable('legacy_contacts', { id: uuid('id').primaryKey(), ...person }); // not bound
  const data = purposefulDrizzle({} as never, pf, { bindings: [bindTable(Customer, bound)] });
  const render = (condition: unknown) => new PgDialect().sqlToQuery(condition as never).sql;

  it('is its own table: an eq on it is a plain comparison, an alias of the bound table goes through the index', () => {
    // the legacy table's own sealed column: a plain eq, whose plaintext the sealed column refuses (not a bidx_cpf
    // column the legacy table does not have)
    expect(() => render(data.eq(alias(legacy, 'l2').cpf, '529.982.247-25'))).toThrow(/sealed column "cpf"/);
    expect(render(data.eq(alias(bound, 'c2').cpf, '529.982.247-25'))).toMatch(/^"c2"\."bidx_cpf" in \(/);
  });
});
