import { randomUUID } from 'node:crypto';
import { eq as rawEq } from 'drizzle-orm';
import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindTable, encryptTable, purposefulDrizzle, rotateTable, sealed } from '../../adapters/drizzle.js';
import { purposes } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  type Keyring,
  memoryConsentLedger,
  memoryKeyStore,
  parseEnvelope,
  pd,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { type DrizzleTestDb, drivers } from './db.js';

/** A member: subject and record id `id`, an indexed encrypted e-mail, an encrypted note, an encrypted phone nested in json. */
const Member = defineSchema(
  'mig_member',
  z.object({
    id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
    email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true, index: 'email' }),
    note: pd(z.string().optional(), { category: 'user.contact.address', purposes: ['support.ticket'], encrypt: true }),
    contact: z
      .object({
        phone: pd(z.string(), { category: 'user.contact.phone_number', purposes: ['support.ticket'], encrypt: true }),
        label: pd.none(z.string()),
      })
      .optional(),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

/** A branch: no subject, so its values sit under keys derived from the keyring itself. */
const Branch = defineSchema(
  'mig_branch',
  z.object({
    id: pd.none(z.uuid()),
    taxId: pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true, index: 'tax' }),
  }),
  { purposes, recordId: 'id' },
);

const membersTable = pgTable('mig_members', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  email: sealed('email'),
  bidx_email: text('bidx_email'),
  note: sealed('note'),
  contact: jsonb('contact'),
});
const branchesTable = pgTable('mig_branches', {
  id: uuid('id').primaryKey(),
  taxId: sealed('tax_id'),
  bidx_tax: text('bidx_tax'),
});
const DDL = [
  'CREATE TABLE mig_members (id uuid PRIMARY KEY, name text NOT NULL, email text, bidx_email text, note text, contact jsonb)',
  'CREATE TABLE mig_branches (id uuid PRIMARY KEY, tax_id text, bidx_tax text)',
];

const members = bindTable(Member, membersTable);
const branches = bindTable(Branch, branchesTable);

const keyStore = memoryKeyStore();
const k1 = generateKeyring();
const engine = (keys: Keyring, store = keyStore) =>
  createPurposeful({
    purposes,
    schemas: [Member, Branch],
    keys,
    keyStore: store,
    consent: memoryConsentLedger(purposes),
    encryption: { receipts: { key: new Uint8Array(32).fill(7), alg: 'HS256' } },
  });
const pf = engine(k1);
const migration = { purpose: 'support.ticket', actor: { id: 'migration', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'migration', roles: ['billing'] } } as const;

const code = settledCode;

interface PlainMember {
  id: string;
  name: string;
  email: string;
  note?: string;
  contact?: { phone: string; label: string };
}

const member = (over: Partial<PlainMember> = {}): PlainMember => ({
  id: randomUUID(),
  name: 'Ana Souza',
  email: `ana.${Math.random().toString(36).slice(2, 8)}@example.com`,
  note: "Rua d'Ouro 12",
  contact: { phone: '+55 11 98765-4321', label: 'home' },
  ...over,
});

const lit = (v: unknown): string => (v === undefined || v === null ? 'NULL' : `'${String(v).replaceAll("'", "''")}'`);

for (const [driver, open] of drivers) {
  describe(`encryptTable and rotateTable on ${driver}`, () => {
    let t: DrizzleTestDb;
    beforeAll(async () => {
      t = await open();
      for (const ddl of DDL) await t.exec(ddl);
    }, 60_000);
    afterAll(() => t?.close());
    beforeEach(async () => {
      await t.exec('DELETE FROM mig_members');
      await t.exec('DELETE FROM mig_branches');
    });

    /** Inserts rows as a plaintext table held them, around the sealed columns (raw SQL). */
    const insertPlain = async (rows: readonly PlainMember[], over: Record<string, string | null> = {}) => {
      for (const r of rows) {
        const contact = r.contact === undefined ? 'NULL' : `${lit(JSON.stringify(r.contact))}::jsonb`;
        const email = Object.hasOwn(over, 'email') ? lit(over.email) : lit(r.email);
        await t.exec(
          `INSERT INTO mig_members (id, name, email, bidx_email, note, contact) VALUES (${lit(r.id)}, ${lit(r.name)}, ${email}, ${lit(over.bidx_email)}, ${lit(r.note)}, ${contact})`,
        );
      }
    };
    const raw = () => t.exec('SELECT id, name, email, bidx_email, note, contact FROM mig_members ORDER BY id');
    const sortedIds = (rows: readonly PlainMember[]) => rows.map((r) => r.id).sort();
    /** What a read through the scoped client must give: the record sealed then opened for the purpose. */
    const expected = async (record: PlainMember) => pf.open(Member, await pf.seal(Member, record, migration), migration);

    it('seals every plaintext value (nested in json too) and fills the blind index: the raw table holds no plaintext, reads and eq work', async () => {
      const rows = [member(), member({ note: undefined }), member({ contact: undefined })];
      await insertPlain(rows);
      const summary = await encryptTable(t.db, pf, members, { ctx: migration });
      expect(summary).toEqual({ done: 3, sealed: 3, skipped: 0, cursor: sortedIds(rows)[2], complete: true, dryRun: false });
      const stored = await raw();
      for (const r of rows) {
        const row = stored.find((s) => s.id === r.id) as Record<string, unknown>;
        expect(row.email).toMatch(/^pf1\./);
        expect(row.bidx_email).toMatch(new RegExp(`^${k1.primary}\\.`));
        expect(row.note === null ? undefined : row.note).toEqual(
          r.note === undefined ? undefined : expect.stringMatching(/^pf1\./),
        );
        const text = JSON.stringify(row);
        for (const secret of [r.email, r.note, r.contact?.phone]) if (secret) expect(text).not.toContain(secret);
        if (r.contact) expect(row.contact).toEqual({ phone: expect.stringMatching(/^pf1\./), label: 'home' });
      }
      const data = purposefulDrizzle(t.db, pf, { bindings: [members] });
      for (const r of rows) {
        const found = await data.forPurpose(migration).findMany(members, { where: data.eq(membersTable.email, r.email) });
        expect(found).toEqual([await expected(r)]);
      }
    });

    it('a dry run changes nothing, seals nothing, and reports what would change', async () => {
      const rows = [member(), member(), member()];
      await insertPlain(rows);
      const sealedRow = await pf.seal(Member, member(), migration);
      await t.db.insert(membersTable).values(sealedRow as typeof membersTable.$inferInsert);
      const before = await raw();
      const from = t.statements.length;
      const summary = await encryptTable(t.db, pf, members, { ctx: migration, dryRun: true, batchSize: 2 });
      expect(summary).toMatchObject({ done: 4, sealed: 3, skipped: 1, complete: true, dryRun: true });
      expect(await raw()).toEqual(before);
      const ran = t.statements.slice(from);
      expect(ran.length).toBeGreaterThan(0);
      expect(ran.every((s) => s.startsWith('select'))).toBe(true);
      expect(ran.some((s) => s.includes('for update'))).toBe(false);
    });

    it('reports progress after each batch, in order, with the key of the last row as cursor', async () => {
      const rows = Array.from({ length: 5 }, () => member());
      await insertPlain(rows);
      const ids = sortedIds(rows);
      const seen: unknown[] = [];
      const summary = await encryptTable(t.db, pf, members, {
        ctx: migration,
        batchSize: 2,
        onProgress: async (p) => {
          await Promise.resolve();
          seen.push(p);
        },
      });
      expect(seen).toEqual([
        { done: 2, sealed: 2, skipped: 0, cursor: ids[1] },
        { done: 4, sealed: 4, skipped: 0, cursor: ids[3] },
        { done: 5, sealed: 5, skipped: 0, cursor: ids[4] },
      ]);
      expect(summary).toEqual({ done: 5, sealed: 5, skipped: 0, cursor: ids[4], complete: true, dryRun: false });
      // from a cursor: only the rows after it are visited
      const tail = await encryptTable(t.db, pf, members, { ctx: migration, cursor: ids[2] });
      expect(tail).toMatchObject({ done: 2, sealed: 0, skipped: 2, cursor: ids[4] });
    });

    it('resumes from a cursor after a crash and finishes the rest without sealing anything twice', async () => {
      const rows = Array.from({ length: 5 }, () => member());
      await insertPlain(rows);
      const ids = sortedIds(rows);
      const cursors: unknown[] = [];
      const crash = encryptTable(t.db, pf, members, {
        ctx: migration,
        batchSize: 2,
        onProgress: (p) => {
          if (p.done === 4) throw new Error('the process died');
          cursors.push(p.cursor);
        },
      });
      await expect(crash).rejects.toThrow('the process died');
      expect(cursors).toEqual([ids[1]]);
      const afterCrash = await raw();
      // the second batch committed before the crash: its rows are sealed; the fifth is still plaintext
      expect(afterCrash.filter((r) => String(r.email).startsWith('pf1.')).map((r) => r.id)).toEqual(ids.slice(0, 4));
      const resumed = await encryptTable(t.db, pf, members, { ctx: migration, batchSize: 2, cursor: cursors[0] });
      expect(resumed).toEqual({ done: 3, sealed: 1, skipped: 2, cursor: ids[4], complete: true, dryRun: false });
      const final = await raw();
      expect(final.slice(0, 4)).toEqual(afterCrash.slice(0, 4)); // the rows sealed before the crash are untouched
      const data = purposefulDrizzle(t.db, pf, { bindings: [members] });
      for (const r of rows) {
        expect(await data.forPurpose(migration).findFirst(members, { where: rawEq(membersTable.id, r.id) })).toEqual(
          await expected(r),
        );
      }
    });

    it('a second run seals nothing and changes nothing; a row holding both is sealed only where plaintext', async () => {
      const plain = [member(), member()];
      await insertPlain(plain);
      // a row half migrated by hand: its e-mail sealed (and indexed), its note and phone still plaintext
      const mixed = member();
      const sealedMixed = await pf.seal(Member, mixed, migration);
      await insertPlain([mixed], { email: sealedMixed.email as string, bidx_email: sealedMixed.bidx_email as string });
      const first = await encryptTable(t.db, pf, members, { ctx: migration });
      expect(first).toMatchObject({ done: 3, sealed: 3, skipped: 0 });
      const once = await raw();
      const mixedRow = once.find((r) => r.id === mixed.id) as Record<string, unknown>;
      expect(mixedRow.email).toBe(sealedMixed.email); // the envelope as it was: never sealed again
      expect(mixedRow.bidx_email).toBe(sealedMixed.bidx_email);
      expect(mixedRow.note).toMatch(/^pf1\./);
      expect((mixedRow.contact as { phone: string }).phone).toMatch(/^pf1\./);
      const second = await encryptTable(t.db, pf, members, { ctx: migration });
      expect(second).toEqual({ ...first, sealed: 0, skipped: 3 });
      expect(await raw()).toEqual(once);
      const data = purposefulDrizzle(t.db, pf, { bindings: [members] });
      const found = await data.forPurpose(migration).findMany(members, { where: data.eq(membersTable.email, mixed.email) });
      expect(found).toEqual([await expected(mixed)]);
    });

    it('a value that starts like an envelope but does not parse stops the walk, naming the column, never the value; its batch rolls back', async () => {
      const rows = [member(), member(), member()];
      await insertPlain(rows.slice(0, 2));
      await insertPlain(rows.slice(2), { email: 'pf1.ana.souza@example.com' });
      const before = await raw();
      let thrown: unknown;
      try {
        await encryptTable(t.db, pf, members, { ctx: migration });
      } catch (err) {
        thrown = err;
      }
      expect(isPurposefulError(thrown) && thrown.code).toBe('PF_CIPHERTEXT_MALFORMED');
      const message = (thrown as Error).message;
      expect(message).toContain('column "email"');
      expect(message).not.toContain('ana.souza');
      expect(message).not.toContain(rows[2]?.id); // the id is the subject reference: personal data, never named
      expect(await raw()).toEqual(before);
      // a dry run finds it too
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: migration, dryRun: true }))).toBe('PF_CIPHERTEXT_MALFORMED');
    });

    it('names the row by its key when the key is not personal data', async () => {
      const id = randomUUID();
      await t.exec(`INSERT INTO mig_branches (id, tax_id) VALUES ('${id}', 'pf1.broken')`);
      let message = '';
      try {
        await encryptTable(t.db, pf, branches, { ctx: billing });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`id = "${id}"`);
      expect(message).toContain('column "taxId"');
    });

    it('for any plaintext rows, a migration then a read through the scoped client equals the record opened for the purpose', async () => {
      const text = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => !s.startsWith('pf1.') && !s.includes('\u0000'));
      const row = fc.record(
        {
          name: text,
          email: text,
          note: text,
          contact: fc.record({ phone: text, label: text }),
        },
        { requiredKeys: ['name', 'email'] },
      );
      const data = purposefulDrizzle(t.db, pf, { bindings: [members] });
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 3 }),
          async (list, batchSize) => {
            await t.exec('DELETE FROM mig_members');
            const rows: PlainMember[] = list.map((r) => ({ id: randomUUID(), ...r }));
            await insertPlain(rows);
            const summary = await encryptTable(t.db, pf, members, { ctx: migration, batchSize });
            expect(summary.sealed).toBe(rows.length);
            const stored = await raw();
            for (const r of rows) {
              const got = await data.forPurpose(migration).findFirst(members, { where: rawEq(membersTable.id, r.id) });
              expect(got).toEqual(await expected(r));
              // every value of an encrypted field is an envelope in the raw table
              const row = stored.find((s) => s.id === r.id) as Record<string, unknown>;
              expect(row.email).toMatch(/^pf1\./);
              expect(row.note).toEqual(r.note === undefined ? null : expect.stringMatching(/^pf1\./));
              expect(row.contact).toEqual(
                r.contact === undefined ? null : { ...r.contact, phone: expect.stringMatching(/^pf1\./) },
              );
            }
          },
        ),
        { numRuns: 12 },
      );
    }, 120_000);

    it('fails closed: a binding that does not fit, no ctx, a ctx with a subject, a key column that is not unique', async () => {
      const noIndex = pgTable('mig_members', { id: uuid('id').primaryKey(), name: text('name'), email: sealed('email') });
      const misfit = { schema: Member, table: noIndex };
      expect(await code(() => encryptTable(t.db, pf, misfit, { ctx: migration }))).toBe('PF_BINDING_INVALID');
      expect(await code(() => encryptTable(t.db, pf, undefined as never, { ctx: migration }))).toBe('PF_BINDING_INVALID');
      expect(await code(() => encryptTable(t.db, pf, members, {} as never))).toBe('PF_OPTIONS_INVALID');
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: { ...migration, subjectId: randomUUID() } }))).toBe(
        'PF_OPTIONS_INVALID',
      );
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: migration, key: membersTable.name }))).toBe(
        'PF_OPTIONS_INVALID',
      );
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: migration, key: branchesTable.id }))).toBe(
        'PF_BINDING_INVALID',
      );
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: migration, batchSize: 0 }))).toBe('PF_OPTIONS_INVALID');
      expect(await code(() => encryptTable(t.db, pf, members, { ctx: migration, batchSize: Number.POSITIVE_INFINITY }))).toBe(
        'PF_OPTIONS_INVALID',
      );
      // rotation writes blind indexes from opened values: it needs a purpose that sees them in clear
      expect(await code(() => rotateTable(t.db, pf, members))).toBe('PF_OPTIONS_INVALID');
      expect(await code(() => rotateTable(t.db, pf, branches, { ctx: migration }))).toBe('PF_OPTIONS_INVALID');
    });

    it('limit and signal stop between batches; the summary says the walk is not complete', async () => {
      const rows = Array.from({ length: 5 }, () => member());
      await insertPlain(rows);
      const ids = sortedIds(rows);
      const limited = await encryptTable(t.db, pf, members, { ctx: migration, batchSize: 2, limit: 3 });
      expect(limited).toMatchObject({ done: 3, sealed: 3, cursor: ids[2], complete: false });
      const controller = new AbortController();
      controller.abort();
      const aborted = await encryptTable(t.db, pf, members, {
        ctx: migration,
        cursor: limited.cursor,
        signal: controller.signal,
      });
      expect(aborted).toMatchObject({ done: 0, cursor: ids[2], complete: false });
      const rest = await encryptTable(t.db, pf, members, { ctx: migration, cursor: limited.cursor });
      expect(rest).toMatchObject({ done: 2, sealed: 2, complete: true });
    });

    it('rotation without a subject: every envelope and blind index goes under the new key; reads work, and still do once the old key is retired', async () => {
      const taxIds = ['11.222.333/0001-81', '45.723.174/0001-10', '60.701.190/0001-04'];
      const ids = taxIds.map(() => randomUUID());
      for (const [i, id] of ids.entries()) await t.exec(`INSERT INTO mig_branches (id, tax_id) VALUES ('${id}', '${taxIds[i]}')`);
      await encryptTable(t.db, pf, branches, { ctx: billing });
      const k2 = k1.rotate();
      const pf2 = engine(k2);
      const snapshot = await t.exec('SELECT * FROM mig_branches ORDER BY id');
      const dry = await rotateTable(t.db, pf2, branches, { ctx: billing, dryRun: true });
      expect(dry).toMatchObject({ done: 3, changed: 3, indexed: 3, erased: 0, restricted: 0, dryRun: true });
      expect(await t.exec('SELECT * FROM mig_branches ORDER BY id')).toEqual(snapshot);
      const progress: unknown[] = [];
      const summary = await rotateTable(t.db, pf2, branches, {
        ctx: billing,
        batchSize: 2,
        onProgress: (p) => void progress.push(p),
      });
      expect(summary).toMatchObject({ done: 3, changed: 3, indexed: 3, erased: 0, restricted: 0, complete: true });
      expect(progress).toHaveLength(2);
      for (const row of await t.exec('SELECT tax_id, bidx_tax FROM mig_branches')) {
        expect(parseEnvelope(row.tax_id, 'taxId').kid).toBe(k2.primary);
        expect(row.bidx_tax).toMatch(new RegExp(`^${k2.primary}\\.`));
      }
      // running again changes nothing
      expect(await rotateTable(t.db, pf2, branches, { ctx: billing })).toMatchObject({ changed: 0, indexed: 0 });
      const pf3 = engine(k2.retire(k1.primary));
      const data = purposefulDrizzle(t.db, pf3, { bindings: [branches] });
      for (const [i, taxId] of taxIds.entries()) {
        const found = await data.forPurpose(billing).findMany(branches, { where: data.eq(branchesTable.taxId, taxId) });
        expect(found).toEqual([{ id: ids[i], taxId }]);
      }
    });

    it('rotation with subjects: blind indexes go under the new key; a shredded subject is left as it is and counted; reads work once the old key is retired', async () => {
      const rows = [member(), member(), member()];
      await insertPlain(rows);
      const kA = generateKeyring();
      const store = memoryKeyStore(); // its own: every data key in it is wrapped under kA
      const pfA = engine(kA, store);
      await encryptTable(t.db, pfA, members, { ctx: migration });
      const envelopes = (await raw()).map((r) => r.email);
      const kB = kA.rotate();
      const pfB = engine(kB, store);
      await pfB.rewrapDataKeys();
      const [gone, ...kept] = rows as [PlainMember, ...PlainMember[]];
      await pfB.shred(gone.id);
      const summary = await rotateTable(t.db, pfB, members, { ctx: migration });
      expect(summary).toMatchObject({ done: 3, changed: 0, indexed: 2, erased: 1, restricted: 0, complete: true });
      const after = await raw();
      // data keys are the subjects' own, rewrapped: the values stay as they were
      expect(after.map((r) => r.email)).toEqual(envelopes);
      for (const row of after) {
        expect(row.bidx_email).toMatch(new RegExp(`^${row.id === gone.id ? kA.primary : kB.primary}\\.`));
      }
      const pfC = engine(kB.retire(kA.primary), store);
      const data = purposefulDrizzle(t.db, pfC, { bindings: [members] });
      for (const r of kept) {
        const found = await data.forPurpose(migration).findMany(members, { where: data.eq(membersTable.email, r.email) });
        expect(found.map((f) => f.id)).toEqual([r.id]);
      }
      // the erased subject's index matches nothing under the remaining key, and its row does not open
      expect(await data.forPurpose(migration).findMany(members, { where: data.eq(membersTable.email, gone.email) })).toEqual([]);
      expect(await code(() => data.forPurpose(migration).findFirst(members, { where: rawEq(membersTable.id, gone.id) }))).toBe(
        'PF_SUBJECT_ERASED',
      );
    });

    it('rotation refuses a table that still holds plaintext (PF_NOT_ENCRYPTED), writing nothing', async () => {
      await insertPlain([member()]);
      const before = await raw();
      expect(await code(() => rotateTable(t.db, pf, members, { ctx: migration }))).toBe('PF_NOT_ENCRYPTED');
      expect(await raw()).toEqual(before);
    });
  });
}
