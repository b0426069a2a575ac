import { randomUUID } from 'node:crypto';
import { and, eq as rawEq } from 'drizzle-orm';
import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { bindTable, type OpenedRow, purposefulDrizzle, sealed, type UpdateSet } from '../../adapters/drizzle.js';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  type Inbound,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  pd,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { customers, type DrizzleTestDb, drivers } from './db.js';

/** A schema whose subject (ownerId) is not its record id (id), with a compound blind index. */
const Note = defineSchema(
  'dz_note',
  z.object({
    id: pd.none(z.uuid()),
    ownerId: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    code: pd(z.string(), {
      category: 'user.government_id.national_identification_number',
      purposes: ['support.ticket'],
      encrypt: true,
    }),
    city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'], encrypt: true }),
    body: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
    contact: z
      .object({
        email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }),
        city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
      })
      .optional(),
  }),
  { purposes, subject: { kind: 'customer', id: 'ownerId' }, recordId: 'id', indexes: { code_city: ['code', 'city'] } },
);
const notes = pgTable('dz_notes', {
  id: uuid('id').primaryKey(),
  ownerId: uuid('owner_id').notNull(),
  code: sealed('code').notNull(),
  city: sealed('city').notNull(),
  body: sealed('body').notNull(),
  bidx_code_city: text('bidx_code_city'),
  contact: jsonb('contact'),
});
const NOTES_DDL = `CREATE TABLE dz_notes (id uuid PRIMARY KEY, owner_id uuid NOT NULL, code text NOT NULL, city text NOT NULL,
  body text NOT NULL, bidx_code_city text, contact jsonb)`;

const consent = memoryConsentLedger(purposes);
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Note],
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  consent,
  encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' } },
});
const agent = { id: 'agent-7', roles: ['support'] };
const ticket = { purpose: 'support.ticket', actor: agent } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
const supervisor = { purpose: 'support.ticket', actor: { id: 'sup-1', roles: ['supervisor'] } } as const;

const code = settledCode;

type NewCustomer = Inbound<typeof Customer, 'support.ticket'>;
const customer = (over: Partial<NewCustomer> = {}): NewCustomer => ({
  id: randomUUID(),
  channel: 'chat',
  name: 'Ana Souza',
  cpf: '529.982.247-25',
  email: 'ana@example.com',
  phone: '+55 11 98765-4321',
  address: { city: 'São Paulo', postalCode: '01310-100' },
  ...over,
});

/** What a write then a read must equal: `pf.open(pf.seal(record))` for the reading purpose. */
async function expected(record: unknown, read: typeof ticket | typeof billing | typeof supervisor) {
  const checked = await pf.inbound(Customer, record, ticket);
  return pf.open(Customer, await pf.seal(Customer, checked, ticket), read);
}

for (const [driver, open] of drivers) {
  describe(`purposeful/drizzle update and upsert on ${driver}`, () => {
    let t: DrizzleTestDb;
    let data: ReturnType<typeof purposefulDrizzle<string>>;
    const bound = bindTable(Customer, customers);
    const boundNotes = bindTable(Note, notes);
    /** The statements run since `from` that start with `verb`. */
    const ran = (from: number, verb: string) => t.statements.slice(from).filter((s) => s.startsWith(verb));
    beforeAll(async () => {
      t = await open();
      await t.exec(NOTES_DDL);
      data = purposefulDrizzle(t.db, pf, { bindings: [bound, boundNotes] });
    }, 180_000); // PGlite starts slowly on a loaded machine
    afterAll(() => t?.close());

    it('updates fields in clear and encrypted ones by blind index; reads them back opened, the raw table holding envelopes', async () => {
      const a = customer({ cpf: '935.411.347-80' });
      await data.forPurpose(ticket).insert(bound, a);
      const before = t.statements.length;
      const n = await data.forPurpose(billing).update(bound, {
        set: { name: 'Ana S. Lima', cpf: '111.444.777-35' },
        where: data.eq(customers.cpf, '93541134780'),
      });
      expect(n).toBe(1);
      expect(ran(before, 'select')).toHaveLength(1); // the matching rows, locked
      expect(ran(before, 'update')).toHaveLength(1);
      // the blind index follows the new value: found by it, no longer by the old one
      const got = await data.forPurpose(billing).findFirst(bound, { where: data.eq(customers.cpf, '111.444.777-35') });
      expect(got).toEqual(await expected({ ...a, name: 'Ana S. Lima', cpf: '111.444.777-35' }, billing));
      expect(await data.forPurpose(billing).findMany(bound, { where: data.eq(customers.cpf, '935.411.347-80') })).toEqual([]);
      await data.forPurpose(ticket).update(bound, { set: { email: 'ana.lima@example.com' }, where: rawEq(customers.id, a.id) });
      const [raw] = await t.exec(`SELECT name, cpf, email FROM customers WHERE id = '${a.id}'`);
      expect(raw?.name).toBe('Ana S. Lima');
      expect(raw?.cpf).toMatch(/^pf1\./);
      expect(raw?.email).toMatch(/^pf1\./);
      expect(JSON.stringify(raw)).not.toContain('111.444.777-35');
      expect(JSON.stringify(raw)).not.toContain('ana.lima@example.com');
      const mine = await data.forPurpose(ticket).findFirst(bound, { where: rawEq(customers.id, a.id) });
      expect(mine?.email).toBe('ana.lima@example.com');
    });

    it('seals each matching row under its own subject and record id, in one UPDATE, and returns the rows opened', async () => {
      const rows = [customer({ channel: 'email' }), customer({ channel: 'email' }), customer({ channel: 'email' })];
      await data.forPurpose(ticket).insert(bound, rows);
      const where = data.inArray(
        customers.id,
        rows.map((r) => r.id),
      );
      const before = t.statements.length;
      const back = await data.forPurpose(ticket).update(bound, {
        set: { email: 'same@example.com', channel: 'chat' },
        where,
        returning: true,
      });
      expect(ran(before, 'update')).toHaveLength(1);
      expect(back.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
      expect(back.every((r) => r.email === 'same@example.com' && r.channel === 'chat')).toBe(true);
      // every row opens under its own subject: the envelopes were bound to each row's id
      const read = await data.forPurpose(ticket).findMany(bound, { where });
      expect(read.map((r) => r.email)).toEqual(['same@example.com', 'same@example.com', 'same@example.com']);
      const raw = await t.exec(`SELECT email FROM customers WHERE id IN ('${rows.map((r) => r.id).join("','")}')`);
      expect(new Set(raw.map((r) => r.email)).size).toBe(3); // one envelope per row
      expect(
        await data.forPurpose(ticket).update(bound, { set: { name: 'Nobody' }, where: rawEq(customers.id, randomUUID()) }),
      ).toBe(0);
    });

    it('for any patch, a read after the update equals pf.open(pf.seal({ ...original, ...patch })) for the purpose', async () => {
      const word = fc.stringMatching(/^[a-z0-9]{1,12}$/);
      const patch = fc
        .record({
          channel: fc.option(fc.constantFrom('chat' as const, 'email' as const), { nil: undefined }),
          name: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
          cpf: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
          email: fc.option(
            fc.tuple(word, word).map(([x, y]) => `${x}@${y}.com`),
            { nil: undefined },
          ),
          phone: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
          address: fc.option(fc.record({ city: fc.string({ maxLength: 20 }), postalCode: fc.string({ maxLength: 9 }) }), {
            nil: undefined,
          }),
        })
        .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<NewCustomer>)
        .filter((p) => Object.keys(p).length > 0);
      await fc.assert(
        fc.asyncProperty(patch, async (p) => {
          const original = customer();
          await data.forPurpose(ticket).insert(bound, original);
          const where = rawEq(customers.id, original.id);
          expect(await data.forPurpose(ticket).update(bound, { set: p, where })).toBe(1);
          for (const read of [ticket, billing, supervisor]) {
            const got = await data.forPurpose(read).findFirst(bound, { where });
            expect(got).toEqual(await expected({ ...original, ...p }, read));
          }
          const [raw] = await t.exec(`SELECT cpf, email FROM customers WHERE id = '${original.id}'`);
          expect(raw?.cpf).toMatch(/^pf1\./);
          expect(raw?.email).toMatch(/^pf1\./);
        }),
        { numRuns: 15 },
      );
    });

    it('a field the purpose may not write is PF_UNDECLARED_FIELD, and no SQL runs', async () => {
      const before = t.statements.length;
      const where = rawEq(customers.channel, 'chat');
      // billing.invoice declares no email; support.ticket no accessibility
      expect(await code(() => data.forPurpose(billing).update(bound, { set: { email: 'x@example.com' } as never, where }))).toBe(
        'PF_UNDECLARED_FIELD',
      );
      expect(
        await code(() => data.forPurpose(ticket).update(bound, { set: { accessibility: 'low vision' } as never, where })),
      ).toBe('PF_UNDECLARED_FIELD');
      expect(await code(() => data.forPurpose(ticket).update(bound, { set: { email: 'not an email' }, where }))).toBe(
        'PF_VALIDATION_FAILED',
      );
      const noRole = { purpose: 'billing.invoice', actor: agent } as const;
      expect(await code(() => data.forPurpose(noRole).update(bound, { set: { name: 'X' }, where }))).toBe('PF_ROLE_NOT_ALLOWED');
      expect(t.statements.length).toBe(before);
    });

    it('refuses, before any SQL: no where, nothing to set, a change of the subject or the record id, part of a compound index', async () => {
      const before = t.statements.length;
      const scoped = data.forPurpose(ticket);
      const where = rawEq(customers.channel, 'chat');
      expect(await code(() => scoped.update(bound, { set: { name: 'X' } } as never))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.update(bound, { set: { name: 'X' }, where: and() } as never))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.update(bound, { set: {}, where }))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.update(bound, { set: { name: undefined }, where }))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.update(bound, { where } as never))).toBe('PF_INPUT_INVALID');
      let message = '';
      try {
        await scoped.update(bound, { set: { id: randomUUID() }, where });
      } catch (err) {
        expect(isPurposefulError(err) && err.code).toBe('PF_INPUT_INVALID');
        message = (err as Error).message;
      }
      expect(message).toContain('cannot change id');
      const noteWhere = rawEq(notes.id, randomUUID());
      expect(await code(() => scoped.update(boundNotes, { set: { ownerId: randomUUID() }, where: noteWhere }))).toBe(
        'PF_INPUT_INVALID',
      );
      try {
        await scoped.update(boundNotes, { set: { code: 'A-1' }, where: noteWhere });
        message = '';
      } catch (err) {
        expect(isPurposefulError(err) && err.code).toBe('PF_INPUT_INVALID');
        message = (err as Error).message;
      }
      expect(message).toContain('blind index "code_city"');
      expect(message).not.toContain('A-1');
      expect(t.statements.length).toBe(before);
    });

    it('a compound index is recomputed when all its fields are set; other fields leave it as it is', async () => {
      const owner = randomUUID();
      const note = { id: randomUUID(), ownerId: owner, code: 'A-1', city: 'Recife', body: 'first' };
      await data.forPurpose(ticket).insert(boundNotes, note);
      const [{ bidx_code_city: first } = {}] = await t.exec(`SELECT bidx_code_city FROM dz_notes WHERE id = '${note.id}'`);
      await data.forPurpose(ticket).update(boundNotes, { set: { body: 'second' }, where: rawEq(notes.id, note.id) });
      const [{ bidx_code_city: kept } = {}] = await t.exec(`SELECT bidx_code_city FROM dz_notes WHERE id = '${note.id}'`);
      expect(kept).toBe(first);
      await data.forPurpose(ticket).update(boundNotes, { set: { code: 'B-2', city: 'Natal' }, where: rawEq(notes.id, note.id) });
      const [{ bidx_code_city: moved } = {}] = await t.exec(`SELECT bidx_code_city FROM dz_notes WHERE id = '${note.id}'`);
      expect(pf.indexFor(Note, 'code_city', ['B-2', 'Natal'])).toContain(moved);
      const got = await data.forPurpose(ticket).findFirst(boundNotes, { where: rawEq(notes.id, note.id) });
      expect(got).toEqual({ ...note, code: 'B-2', city: 'Natal', body: 'second' });
    });

    it('an encrypted field nested in a json column is sealed per row inside the JSON', async () => {
      const a = { id: randomUUID(), ownerId: randomUUID(), code: 'E-5', city: 'Natal', body: 'a' };
      const b = { ...a, id: randomUUID(), ownerId: randomUUID() };
      await data.forPurpose(ticket).insert(boundNotes, [a, b]);
      const where = data.inArray(notes.id, [a.id, b.id]);
      const contact = { email: 'both@example.com', city: 'Natal' };
      expect(await data.forPurpose(ticket).update(boundNotes, { set: { contact }, where })).toBe(2);
      const got = await data.forPurpose(ticket).findMany(boundNotes, { where });
      expect(got.map((r) => r.contact)).toEqual([contact, contact]);
      const raw = await t.exec(`SELECT contact FROM dz_notes WHERE id IN ('${a.id}', '${b.id}')`);
      const stored = raw.map((r) => r.contact as { email: string; city: string });
      expect(stored.every((c) => c.email.startsWith('pf1.') && c.city === 'Natal')).toBe(true);
      expect(stored[0]?.email).not.toBe(stored[1]?.email);
    });

    it('an update in a transaction rolls back with it, and commits with it', async () => {
      const a = customer({ name: 'Before' });
      await data.forPurpose(ticket).insert(bound, a);
      const where = rawEq(customers.id, a.id);
      await expect(
        data.forPurpose(ticket).transaction(async (tx) => {
          expect(await tx.update(bound, { set: { name: 'During', email: 'during@example.com' }, where })).toBe(1);
          expect((await tx.findFirst(bound, { where }))?.name).toBe('During');
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const kept = await data.forPurpose(ticket).findFirst(bound, { where });
      expect(kept?.name).toBe('Before');
      expect(kept?.email).toBe('ana@example.com');
      await data.forPurpose(ticket).transaction((tx) => tx.update(bound, { set: { name: 'After' }, where }));
      expect((await data.forPurpose(ticket).findFirst(bound, { where }))?.name).toBe('After');
    });

    it('under a purpose that rests on consent, the update names its subject, and touches no other subject’s row', async () => {
      const ana = customer();
      const bia = customer({ name: 'Bia' });
      await data.forPurpose(ticket).insert(bound, [ana, bia]);
      const actor = { id: 'agent-7', roles: ['support'], mfa: true };
      const both = data.inArray(customers.id, [ana.id, bia.id]);
      const before = t.statements.length;
      const anonymous = { purpose: 'support.accessibility', actor } as const;
      expect(
        await code(() => data.forPurpose(anonymous).update(bound, { set: { accessibility: 'low vision' }, where: both })),
      ).toBe('PF_SUBJECT_MISSING');
      const forAna = { purpose: 'support.accessibility', actor, subjectId: ana.id } as const;
      expect(await code(() => data.forPurpose(forAna).update(bound, { set: { accessibility: 'low vision' }, where: both }))).toBe(
        'PF_CONSENT_REQUIRED',
      );
      expect(t.statements.length).toBe(before);
      await consent.grant({
        subject: ana.id,
        purpose: 'support.accessibility',
        notice: { version: '2026-11-01', hash: 'c'.repeat(64) },
        method: 'form',
        collectionPoint: 'app/settings/accessibility',
        highlighted: true,
      });
      // Bia's row matches too: the whole update is refused and rolled back
      expect(await code(() => data.forPurpose(forAna).update(bound, { set: { accessibility: 'low vision' }, where: both }))).toBe(
        'PF_SUBJECT_MISMATCH',
      );
      const raw = await t.exec(`SELECT accessibility FROM customers WHERE id IN ('${ana.id}', '${bia.id}')`);
      expect(raw.map((r) => r.accessibility)).toEqual([null, null]);
      const onlyAna = rawEq(customers.id, ana.id);
      expect(await data.forPurpose(forAna).update(bound, { set: { accessibility: 'low vision' }, where: onlyAna })).toBe(1);
      expect((await data.forPurpose(forAna).findFirst(bound, { where: onlyAna }))?.accessibility).toBe('low vision');
    });

    it('an erased subject’s row takes only what an erasure ground keeps, carrying the erasure; any other change is refused', async () => {
      const a = customer({ name: 'Kept', cpf: '302.119.360-09' });
      await data.forPurpose(ticket).insert(bound, a);
      await pf.shred(a.id);
      const where = rawEq(customers.id, a.id);
      // billing.invoice keeps name and CPF by a legal obligation: its change is stored, under the retained key
      const back = await data.forPurpose(billing).update(bound, { set: { name: 'Kept L.' }, where, returning: true });
      expect(back.map((r) => r.name)).toEqual(['Kept L.']);
      const [raw] = await t.exec(`SELECT name, pf_restriction FROM customers WHERE id = '${a.id}'`);
      expect(raw?.name).toBe('Kept L.');
      expect((raw?.pf_restriction as { erasedAt?: string } | null)?.erasedAt).toEqual(expect.any(String));
      // support.ticket keeps nothing of an erased customer: refused, nothing written
      expect(await code(() => data.forPurpose(ticket).update(bound, { set: { name: 'New' }, where }))).toBe('PF_SUBJECT_ERASED');
      const [after] = await t.exec(`SELECT name FROM customers WHERE id = '${a.id}'`);
      expect(after?.name).toBe('Kept L.');
    });

    it('upsert inserts a new record, then replaces the fields a record gives on conflict, in one statement each', async () => {
      const a = customer({ cpf: '714.602.380-01' });
      const scoped = data.forPurpose(ticket);
      let before = t.statements.length;
      await scoped.upsert(bound, a, { target: customers.id });
      expect(ran(before, 'insert')).toHaveLength(1);
      const where = rawEq(customers.id, a.id);
      expect(await scoped.findFirst(bound, { where })).toEqual(await expected(a, ticket));
      const b = customer({ cpf: '286.255.878-87' });
      const changed = { ...a, name: 'Ana Lima', cpf: '390.533.447-05', email: 'lima@example.com' };
      before = t.statements.length;
      const back = await scoped.upsert(bound, [changed, b], { target: customers.id, returning: true });
      expect(ran(before, 'insert')).toHaveLength(1); // both records carry the same keys: one statement
      expect(back.map((r) => r.id)).toEqual([a.id, b.id]);
      expect(back[0]).toEqual(await expected(changed, ticket));
      for (const read of [ticket, billing]) {
        expect(await data.forPurpose(read).findFirst(bound, { where })).toEqual(await expected(changed, read));
      }
      // the blind index was rewritten with the value
      const byCpf = await data.forPurpose(billing).findMany(bound, { where: data.eq(customers.cpf, '39053344705') });
      expect(byCpf.map((r) => r.id)).toEqual([a.id]);
      // a record that leaves an optional field out keeps the stored one
      const { phone: _left, ...noPhone } = { ...changed, name: 'Ana L.' };
      await scoped.upsert(bound, noPhone, { target: [customers.id] });
      const kept = await data.forPurpose(supervisor).findFirst(bound, { where });
      expect(kept?.phone).toBe(a.phone);
      expect(kept?.name).toBe('Ana L.');
    });

    it('upsert refuses, before any SQL: no target, a sealed column as target, a field the purpose may not write', async () => {
      const before = t.statements.length;
      const scoped = data.forPurpose(ticket);
      expect(await code(() => scoped.upsert(bound, customer(), {} as never))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.upsert(bound, customer(), { target: [] }))).toBe('PF_INPUT_INVALID');
      expect(await code(() => scoped.upsert(bound, customer(), { target: customers.cpf }))).toBe('PF_QUERY_ENCRYPTED');
      expect(await code(() => scoped.upsert(bound, customer(), { target: notes.id }))).toBe('PF_INPUT_INVALID');
      const record = { ...customer(), accessibility: 'low vision' } as NewCustomer;
      expect(await code(() => scoped.upsert(bound, record, { target: customers.id }))).toBe('PF_UNDECLARED_FIELD');
      expect(t.statements.length).toBe(before);
    });

    it('upsert refuses to replace a row of another subject, and writes nothing', async () => {
      const note = { id: randomUUID(), ownerId: randomUUID(), code: 'C-3', city: 'Belém', body: 'mine' };
      const other = { id: randomUUID(), ownerId: randomUUID(), code: 'D-4', city: 'Belém', body: 'new' };
      await data.forPurpose(ticket).upsert(boundNotes, note, { target: notes.id });
      const stolen = { ...note, ownerId: randomUUID(), body: 'someone else' };
      expect(await code(() => data.forPurpose(ticket).upsert(boundNotes, [other, stolen], { target: notes.id }))).toBe(
        'PF_INPUT_INVALID',
      );
      const kept = await data.forPurpose(ticket).findFirst(boundNotes, { where: rawEq(notes.id, note.id) });
      expect(kept).toEqual(note);
      expect(await data.forPurpose(ticket).findFirst(boundNotes, { where: rawEq(notes.id, other.id) })).toBeUndefined();
      // the same record again is an update
      await data.forPurpose(ticket).upsert(boundNotes, { ...note, body: 'edited' }, { target: notes.id });
      expect((await data.forPurpose(ticket).findFirst(boundNotes, { where: rawEq(notes.id, note.id) }))?.body).toBe('edited');
    });

    it('types: set is Partial<Inbound<S, Q>>, returning gives the rows opened for the purpose', () => {
      type TicketSet = UpdateSet<typeof bound, 'support.ticket'>;
      expectTypeOf<TicketSet>().toEqualTypeOf<Partial<Inbound<typeof Customer, 'support.ticket'>>>();
      expectTypeOf<UpdateSet<typeof customers, 'support.ticket'>>().toEqualTypeOf<Record<string, unknown>>();
      const scoped = data.forPurpose(ticket);
      const where = rawEq(customers.id, randomUUID());
      expectTypeOf(scoped.update<typeof bound>)
        .parameter(1)
        .toHaveProperty('set')
        .toEqualTypeOf<TicketSet>();
      if (Math.random() > 2) {
        // type-level only: never run
        expectTypeOf(scoped.update(bound, { set: { name: 'X' }, where })).resolves.toEqualTypeOf<number>();
        expectTypeOf(scoped.update(bound, { set: { name: 'X' }, where, returning: true })).resolves.toEqualTypeOf<
          OpenedRow<typeof bound, 'support.ticket'>[]
        >();
        // @ts-expect-error accessibility is not declared for support.ticket
        void scoped.update(bound, { set: { accessibility: 'x' }, where });
        // @ts-expect-error a value of the wrong type
        void scoped.update(bound, { set: { name: 1 }, where });
        expectTypeOf(scoped.upsert(bound, customer(), { target: customers.id })).resolves.toEqualTypeOf<void>();
      }
    });
  });
}
