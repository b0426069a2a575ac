import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindModel, encryptModel, purposefulPrisma, rotateModel } from '../../adapters/prisma.js';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  type Keyring,
  memoryKeyStore,
  parseEnvelope,
  pd,
} from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { type PrismaTestDb, prismaTestDb, prismaUnavailable } from './db.js';
import { purposes } from './declarations.js';

const unavailable = await prismaUnavailable();
if (unavailable) console.warn(`[test/prisma/migrate] skipped: ${unavailable}`);

/** A member: subject and record id `id`, an indexed encrypted e-mail, an encrypted note, an encrypted phone nested in Json. */
const Member = defineSchema(
  'pmig_member',
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
    handle: pd.none(z.string()),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

/** A branch: no subject, so its values sit under keys derived from the keyring itself. Its table and columns need quoting. */
const Branch = defineSchema(
  'pmig_branch',
  z.object({
    id: pd.none(z.uuid()),
    taxId: pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true, index: 'tax' }),
    code: pd.none(z.number().int()),
  }),
  { purposes, recordId: 'id' },
);

const members = bindModel(Member, 'MigMember');
const branches = bindModel(Branch, 'MigBranch');

const keyStore = memoryKeyStore();
const k1 = generateKeyring();
const engine = (keys: Keyring, store = keyStore) =>
  createPurposeful({
    purposes,
    schemas: [Member, Branch],
    keys,
    keyStore: store,
    encryption: { receipts: { key: new Uint8Array(32).fill(7), alg: 'HS256' } },
  });
const pf = engine(k1);
const migration = { purpose: 'support.ticket', actor: { id: 'migration', roles: ['support'] } } as const;
const billing = { purpose: 'billing.invoice', actor: { id: 'migration', roles: ['billing'] } } as const;

const thrown = async (run: () => unknown): Promise<unknown> => {
  try {
    await run();
  } catch (err) {
    return err;
  }
  return undefined;
};
const code = settledCode;

interface PlainMember {
  id: string;
  name: string;
  email: string;
  note?: string;
  contact?: { phone: string; label: string };
  handle: string;
}

const member = (over: Partial<PlainMember> = {}): PlainMember => ({
  id: randomUUID(),
  name: 'Ana Souza',
  email: `ana.${Math.random().toString(36).slice(2, 8)}@example.com`,
  note: "Rua d'Ouro 12",
  contact: { phone: '+55 11 98765-4321', label: 'home' },
  handle: `h-${randomUUID()}`,
  ...over,
});

describe.skipIf(unavailable !== undefined)('encryptModel and rotateModel on PostgreSQL (@prisma/adapter-pg)', () => {
  let db: PrismaTestDb;
  beforeAll(async () => {
    db = await prismaTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.raw.query('DELETE FROM mig_member');
    await db.raw.query('DELETE FROM "mig branch"');
  });

  /** Inserts rows as a plaintext table held them, around the sealed columns (plain pg, parameters). */
  const insertPlain = async (rows: readonly PlainMember[], over: { email?: string; bidx_email?: string } = {}) => {
    for (const r of rows) {
      await db.raw.query(
        'INSERT INTO mig_member (id, name, email, bidx_email, note, contact, handle_name) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [
          r.id,
          r.name,
          over.email ?? r.email,
          over.bidx_email ?? null,
          r.note ?? null,
          r.contact === undefined ? null : JSON.stringify(r.contact),
          r.handle,
        ],
      );
    }
  };
  const raw = async () =>
    (await db.raw.query('SELECT id, name, email, bidx_email, note, contact, handle_name FROM mig_member ORDER BY id'))
      .rows as Record<string, unknown>[];
  const sortedIds = (rows: readonly PlainMember[]) => rows.map((r) => r.id).sort();
  /** What a read through the scoped client must give: the record sealed then opened for the purpose. */
  const expected = async (record: PlainMember) => pf.open(Member, await pf.seal(Member, record, migration), migration);
  const scoped = (engine = pf) => purposefulPrisma(db.prisma, engine, { bindings: [members, branches] });

  it('seals every plaintext value (nested in Json too) and fills the blind index: the raw table holds no plaintext, reads and where work', async () => {
    const rows = [member(), member({ note: undefined }), member({ contact: undefined })];
    await insertPlain(rows);
    const summary = await encryptModel(db.prisma, pf, members, { ctx: migration });
    expect(summary).toEqual({ done: 3, sealed: 3, skipped: 0, cursor: sortedIds(rows)[2], complete: true, dryRun: false });
    const stored = await raw();
    for (const r of rows) {
      const row = stored.find((s) => s.id === r.id) as Record<string, unknown>;
      expect(row.email).toMatch(/^pf1\./);
      expect(row.bidx_email).toMatch(new RegExp(`^${k1.primary}\\.`));
      expect(row.note).toEqual(r.note === undefined ? null : expect.stringMatching(/^pf1\./));
      const text = JSON.stringify(row);
      for (const secret of [r.email, r.note, r.contact?.phone]) if (secret) expect(text).not.toContain(secret);
      expect(row.contact).toEqual(r.contact === undefined ? null : { phone: expect.stringMatching(/^pf1\./), label: 'home' });
    }
    const support = scoped().forPurpose(migration);
    for (const r of rows) {
      const found = await support.migMember.findMany({ where: { email: r.email } });
      expect(found).toEqual([await expected(r)]);
    }
  });

  it('walks through a client extended by purposefulPrisma as through the base client (its raw SQL is not rewritten)', async () => {
    const rows = [member(), member()];
    await insertPlain(rows);
    const extended = scoped().forPurpose(migration);
    expect(await encryptModel(extended, pf, members, { ctx: migration })).toMatchObject({ done: 2, sealed: 2, complete: true });
    for (const r of rows) expect(await extended.migMember.findFirst({ where: { email: r.email } })).toEqual(await expected(r));
    expect(await encryptModel(extended, pf, members, { ctx: migration })).toMatchObject({ sealed: 0, skipped: 2 });
  });

  it('a dry run changes nothing, seals nothing, locks nothing, and reports what would change', async () => {
    await insertPlain([member(), member(), member()]);
    const sealedRow = await pf.seal(Member, member(), migration);
    await db.prisma.migMember.create({ data: sealedRow as never });
    const before = await raw();
    const from = db.statements.length;
    const summary = await encryptModel(db.prisma, pf, members, { ctx: migration, dryRun: true, batchSize: 2 });
    expect(summary).toMatchObject({ done: 4, sealed: 3, skipped: 1, complete: true, dryRun: true });
    expect(await raw()).toEqual(before);
    const ran = db.statements.slice(from);
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.every((s) => s.startsWith('SELECT'))).toBe(true);
    expect(ran.some((s) => s.includes('FOR UPDATE'))).toBe(false);
  });

  it('reads each batch FOR UPDATE inside a transaction, with quoted names and parameters only', async () => {
    const rows = [member(), member()];
    await insertPlain(rows);
    const from = db.statements.length;
    await encryptModel(db.prisma, pf, members, { ctx: migration, batchSize: 1 });
    const ran = db.statements.slice(from);
    const reads = ran.filter((s) => s.startsWith('SELECT'));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((s) => s.endsWith('FOR UPDATE'))).toBe(true);
    expect(reads.every((s) => s.includes(`"${db.schema}"."mig_member"`) && s.includes('"handle_name" AS "handle"'))).toBe(true);
    for (const r of rows) for (const value of [r.id, r.email, r.note]) expect(ran.join('\n')).not.toContain(value);
  });

  it('reports progress after each batch, in order, with the key of the last row as cursor; resumes from a cursor', async () => {
    const rows = Array.from({ length: 5 }, () => member());
    await insertPlain(rows);
    const ids = sortedIds(rows);
    const seen: unknown[] = [];
    const summary = await encryptModel(db.prisma, pf, members, {
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
    const tail = await encryptModel(db.prisma, pf, members, { ctx: migration, cursor: ids[2] });
    expect(tail).toMatchObject({ done: 2, sealed: 0, skipped: 2, cursor: ids[4] });
  });

  it('resumes from a cursor after a crash and finishes the rest without sealing anything twice', async () => {
    const rows = Array.from({ length: 5 }, () => member());
    await insertPlain(rows);
    const ids = sortedIds(rows);
    const cursors: unknown[] = [];
    const crash = encryptModel(db.prisma, pf, members, {
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
    expect(afterCrash.filter((r) => String(r.email).startsWith('pf1.')).map((r) => r.id)).toEqual(ids.slice(0, 4));
    const resumed = await encryptModel(db.prisma, pf, members, { ctx: migration, batchSize: 2, cursor: cursors[0] });
    expect(resumed).toEqual({ done: 3, sealed: 1, skipped: 2, cursor: ids[4], complete: true, dryRun: false });
    const final = await raw();
    expect(final.slice(0, 4)).toEqual(afterCrash.slice(0, 4));
    const support = scoped().forPurpose(migration);
    for (const r of rows) expect(await support.migMember.findFirst({ where: { id: r.id } })).toEqual(await expected(r));
  });

  it('a second run seals nothing and changes nothing; a row holding both is sealed only where plaintext', async () => {
    await insertPlain([member(), member()]);
    const mixed = member();
    const sealedMixed = await pf.seal(Member, mixed, migration);
    await insertPlain([mixed], { email: sealedMixed.email as string, bidx_email: sealedMixed.bidx_email as string });
    const first = await encryptModel(db.prisma, pf, members, { ctx: migration });
    expect(first).toMatchObject({ done: 3, sealed: 3, skipped: 0 });
    const once = await raw();
    const mixedRow = once.find((r) => r.id === mixed.id) as Record<string, unknown>;
    expect(mixedRow.email).toBe(sealedMixed.email); // the envelope as it was: never sealed again
    expect(mixedRow.bidx_email).toBe(sealedMixed.bidx_email);
    expect(mixedRow.note).toMatch(/^pf1\./);
    expect((mixedRow.contact as { phone: string }).phone).toMatch(/^pf1\./);
    const second = await encryptModel(db.prisma, pf, members, { ctx: migration });
    expect(second).toEqual({ ...first, sealed: 0, skipped: 3 });
    expect(await raw()).toEqual(once);
    const found = await scoped()
      .forPurpose(migration)
      .migMember.findMany({ where: { email: mixed.email } });
    expect(found).toEqual([await expected(mixed)]);
  });

  it('an envelope nested in Json is kept while the rest of the row is sealed', async () => {
    const r = member();
    const sealedPhone = (await pf.seal(Member, r, migration)).contact as { phone: string };
    await db.raw.query('INSERT INTO mig_member (id, name, email, note, contact, handle_name) VALUES ($1, $2, $3, $4, $5, $6)', [
      r.id,
      r.name,
      r.email,
      r.note,
      JSON.stringify({ ...r.contact, phone: sealedPhone.phone }),
      r.handle,
    ]);
    expect(await encryptModel(db.prisma, pf, members, { ctx: migration })).toMatchObject({ sealed: 1 });
    const [row] = (await raw()) as [Record<string, unknown>];
    expect((row.contact as { phone: string }).phone).toBe(sealedPhone.phone);
    expect(row.email).toMatch(/^pf1\./);
    expect(
      await scoped()
        .forPurpose(migration)
        .migMember.findFirst({ where: { id: r.id } }),
    ).toEqual(await expected(r));
  });

  it('a value that starts like an envelope but does not parse stops the walk, naming the field, never the value; its batch rolls back', async () => {
    const rows = [member(), member(), member()];
    await insertPlain(rows.slice(0, 2));
    await insertPlain(rows.slice(2), { email: 'pf1.ana.souza@example.com' });
    const before = await raw();
    const err = await thrown(() => encryptModel(db.prisma, pf, members, { ctx: migration }));
    expect(isPurposefulError(err) && err.code).toBe('PF_CIPHERTEXT_MALFORMED');
    const message = (err as Error).message;
    expect(message).toContain('field "email" of model MigMember');
    expect(message).not.toContain('ana.souza');
    expect(message).not.toContain(rows[2]?.id); // the id is the subject reference: personal data, never named
    expect(await raw()).toEqual(before);
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, dryRun: true }))).toBe(
      'PF_CIPHERTEXT_MALFORMED',
    );
    // walked by a key that is not personal data, the row is named by it
    const byHandle = await thrown(() => encryptModel(db.prisma, pf, members, { ctx: migration, key: 'handle' }));
    expect((byHandle as Error).message).toContain(`row handle = "${rows[2]?.handle}"`);
    expect(await raw()).toEqual(before);
  });

  it('a database error is a value-free PF_STORE_UNAVAILABLE with the SQLSTATE, its batch rolled back', async () => {
    const long = `Rua ${'muito longa '.repeat(70)}`; // fits the CHECK in clear, not once sealed
    const rows = [member(), member({ note: long })];
    await insertPlain(rows);
    const before = await raw();
    const err = await thrown(() => encryptModel(db.prisma, pf, members, { ctx: migration }));
    expect(isPurposefulError(err) && err.code).toBe('PF_STORE_UNAVAILABLE');
    const message = (err as Error).message;
    expect(message).toContain('SQLSTATE 23514');
    for (const r of rows) for (const value of [r.id, r.email, 'muito longa', 'pf1.']) expect(message).not.toContain(value);
    expect(JSON.stringify(err)).not.toContain('muito longa');
    expect(await raw()).toEqual(before);
  });

  it('for any plaintext rows, a migration then a read through the scoped client equals the record opened for the purpose', async () => {
    const text = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => !s.startsWith('pf1.') && !s.includes('\u0000'));
    const row = fc.record(
      { name: text, email: text, note: text, contact: fc.record({ phone: text, label: text }) },
      { requiredKeys: ['name', 'email'] },
    );
    const support = scoped().forPurpose(migration);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (list, batchSize) => {
        await db.raw.query('DELETE FROM mig_member');
        const rows: PlainMember[] = list.map((r) => ({ id: randomUUID(), handle: randomUUID(), ...r }));
        await insertPlain(rows);
        const summary = await encryptModel(db.prisma, pf, members, { ctx: migration, batchSize });
        expect(summary.sealed).toBe(rows.length);
        const stored = await raw();
        for (const r of rows) {
          expect(await support.migMember.findFirst({ where: { id: r.id } })).toEqual(await expected(r));
          const s = stored.find((x) => x.id === r.id) as Record<string, unknown>;
          expect(s.email).toMatch(/^pf1\./);
          expect(s.note).toEqual(r.note === undefined ? null : expect.stringMatching(/^pf1\./));
          expect(s.contact).toEqual(r.contact === undefined ? null : { ...r.contact, phone: expect.stringMatching(/^pf1\./) });
        }
      }),
      { numRuns: 10 },
    );
  }, 120_000);

  it('fails closed: a binding that does not fit, no ctx, a ctx with a subject, a key that is not unique, bad options', async () => {
    const misfit = bindModel(Member, 'Note');
    expect(await code(() => encryptModel(db.prisma, pf, misfit, { ctx: migration }))).toBe('PF_BINDING_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, bindModel(Member, 'Nope'), { ctx: migration }))).toBe(
      'PF_BINDING_INVALID',
    );
    expect(await code(() => encryptModel(db.prisma, pf, undefined as never, { ctx: migration }))).toBe('PF_BINDING_INVALID');
    expect(await code(() => encryptModel({} as never, pf, members, { ctx: migration }))).toBe('PF_BINDING_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, {} as never))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: { ...migration, subjectId: randomUUID() } }))).toBe(
      'PF_OPTIONS_INVALID',
    );
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, key: 'name' }))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, key: 'email' }))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, key: 'nope' }))).toBe('PF_BINDING_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, batchSize: 0 }))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => encryptModel(db.prisma, pf, members, { ctx: migration, timeout: -1 }))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => rotateModel(db.prisma, pf, members))).toBe('PF_OPTIONS_INVALID');
    expect(await code(() => rotateModel(db.prisma, pf, branches, { ctx: migration }))).toBe('PF_OPTIONS_INVALID');
  });

  it('limit and signal stop between batches; the summary says the walk is not complete', async () => {
    const rows = Array.from({ length: 5 }, () => member());
    await insertPlain(rows);
    const ids = sortedIds(rows);
    const limited = await encryptModel(db.prisma, pf, members, { ctx: migration, batchSize: 2, limit: 3 });
    expect(limited).toMatchObject({ done: 3, sealed: 3, cursor: ids[2], complete: false });
    const controller = new AbortController();
    controller.abort();
    const aborted = await encryptModel(db.prisma, pf, members, {
      ctx: migration,
      cursor: limited.cursor,
      signal: controller.signal,
    });
    expect(aborted).toMatchObject({ done: 0, cursor: ids[2], complete: false });
    const rest = await encryptModel(db.prisma, pf, members, { ctx: migration, cursor: limited.cursor });
    expect(rest).toMatchObject({ done: 2, sealed: 2, complete: true });
  });

  it('rotation without a subject: every envelope and blind index goes under the new key (quoted names, a one-field @@unique key); reads work once the old key is retired', async () => {
    const taxIds = ['11.222.333/0001-81', '45.723.174/0001-10', '60.701.190/0001-04'];
    const ids = taxIds.map(() => randomUUID());
    for (const [i, id] of ids.entries()) {
      await db.raw.query('INSERT INTO "mig branch" (id, "tax id", code) VALUES ($1, $2, $3)', [id, taxIds[i], 30 - i]);
    }
    const encrypted = await encryptModel(db.prisma, pf, branches, { ctx: billing, key: 'code', batchSize: 2 });
    expect(encrypted).toMatchObject({ done: 3, sealed: 3, cursor: 30, complete: true });
    const k2 = k1.rotate();
    const pf2 = engine(k2);
    const table = async () => (await db.raw.query('SELECT * FROM "mig branch" ORDER BY id')).rows as Record<string, unknown>[];
    const snapshot = await table();
    const dry = await rotateModel(db.prisma, pf2, branches, { ctx: billing, dryRun: true });
    expect(dry).toMatchObject({ done: 3, changed: 3, indexed: 3, erased: 0, restricted: 0, dryRun: true });
    expect(await table()).toEqual(snapshot);
    const progress: unknown[] = [];
    const summary = await rotateModel(db.prisma, pf2, branches, {
      ctx: billing,
      batchSize: 2,
      onProgress: (p) => void progress.push(p),
    });
    expect(summary).toMatchObject({ done: 3, changed: 3, indexed: 3, erased: 0, restricted: 0, complete: true });
    expect(progress).toHaveLength(2);
    for (const row of await table()) {
      expect(parseEnvelope(row['tax id'], 'taxId').kid).toBe(k2.primary);
      expect(row['bidx tax']).toMatch(new RegExp(`^${k2.primary}\\.`));
    }
    expect(await rotateModel(db.prisma, pf2, branches, { ctx: billing })).toMatchObject({ changed: 0, indexed: 0 });
    const read = scoped(engine(k2.retire(k1.primary))).forPurpose(billing);
    for (const [i, taxId] of taxIds.entries()) {
      expect(await read.migBranch.findMany({ where: { taxId } })).toEqual([{ id: ids[i], taxId, code: 30 - i }]);
    }
  });

  it('rotation with subjects: blind indexes go under the new key; a shredded subject is left as it is and counted; reads work once the old key is retired', async () => {
    const rows = [member(), member(), member()];
    await insertPlain(rows);
    const kA = generateKeyring();
    const store = memoryKeyStore();
    const pfA = engine(kA, store);
    await encryptModel(db.prisma, pfA, members, { ctx: migration });
    const envelopes = (await raw()).map((r) => r.email);
    const kB = kA.rotate();
    const pfB = engine(kB, store);
    await pfB.rewrapDataKeys();
    const [gone, ...kept] = rows as [PlainMember, ...PlainMember[]];
    await pfB.shred(gone.id);
    const summary = await rotateModel(db.prisma, pfB, members, { ctx: migration });
    expect(summary).toMatchObject({ done: 3, changed: 0, indexed: 2, erased: 1, restricted: 0, complete: true });
    const after = await raw();
    expect(after.map((r) => r.email)).toEqual(envelopes);
    for (const row of after) expect(row.bidx_email).toMatch(new RegExp(`^${row.id === gone.id ? kA.primary : kB.primary}\\.`));
    const read = scoped(engine(kB.retire(kA.primary), store)).forPurpose(migration);
    for (const r of kept) expect((await read.migMember.findMany({ where: { email: r.email } })).map((f) => f.id)).toEqual([r.id]);
    expect(await read.migMember.findMany({ where: { email: gone.email } })).toEqual([]);
    expect(await code(() => read.migMember.findFirst({ where: { id: gone.id } }))).toBe('PF_SUBJECT_ERASED');
  });

  it('rotation refuses a model that still holds plaintext (PF_NOT_ENCRYPTED), writing nothing', async () => {
    await insertPlain([member()]);
    const before = await raw();
    expect(await code(() => rotateModel(db.prisma, pf, members, { ctx: migration }))).toBe('PF_NOT_ENCRYPTED');
    expect(await raw()).toEqual(before);
  });
});
