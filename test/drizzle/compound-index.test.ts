/**
 * Compound blind indexes through the Drizzle client's `eq([columns], [values])`: the fields of a compound index given
 * together go through its `bidx_<name>` column; an encrypted column without an index of its own, given without the
 * rest of a compound index, is PF_QUERY_ENCRYPTED as the query is built.
 */
import { randomUUID } from 'node:crypto';
import { and, or } from 'drizzle-orm';
import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bindTable, purposefulDrizzle, sealed } from '../../adapters/drizzle.js';
import { createPurposeful, generateKeyring, memoryKeyStore } from '../../src/index.js';
import { settledCode } from '../helpers/fixtures.js';
import { Member, purposes } from '../prisma/declarations.js';
import { type DrizzleTestDb, drivers } from './db.js';

const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  birth: sealed('birth').notNull(),
  document: sealed('document'),
  city: text('city'),
  bidx_name_birth: text('bidx_name_birth'),
  bidx_document_birth: text('bidx_document_birth'),
  pf_restriction: jsonb('pf_restriction'),
});
const MEMBERS_DDL = `CREATE TABLE members (id uuid PRIMARY KEY, name text NOT NULL, birth text NOT NULL, document text, city text,
  bidx_name_birth text, bidx_document_birth text, pf_restriction jsonb)`;

const pf = createPurposeful({ purposes, schemas: [Member], keys: generateKeyring(), keyStore: memoryKeyStore() });
const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

const code = settledCode;

for (const [driver, open] of drivers) {
  describe(`compound blind indexes in eq, on ${driver}`, () => {
    let t: DrizzleTestDb;
    let data: ReturnType<typeof purposefulDrizzle<string>>;
    const ana = { id: randomUUID(), name: 'Ana', birth: '1990-01-02', document: 'D-1', city: 'Recife' };
    const bia = { id: randomUUID(), name: 'Bia', birth: '1990-01-02', document: 'D-2', city: 'Recife' };
    const ana2 = { id: randomUUID(), name: 'Ana', birth: '1985-05-06', document: 'D-3', city: 'Natal' };
    beforeAll(async () => {
      t = await open();
      await t.exec(MEMBERS_DDL);
      data = purposefulDrizzle(t.db, pf, { bindings: [bindTable(Member, members)] });
    }, 60_000);
    afterAll(() => t?.close());
    beforeEach(async () => {
      await t.exec('DELETE FROM members');
      await data.forPurpose(support).insert(members, [ana, bia, ana2]);
    });

    it('equality on every field of a compound index goes through its column; the stored values are envelopes', async () => {
      const stored = await t.exec('SELECT * FROM members');
      for (const row of stored) {
        expect(row.birth).toMatch(/^pf1\./);
        expect(row.bidx_name_birth).toEqual(expect.any(String));
        expect(row.bidx_document_birth).toEqual(expect.any(String));
      }
      expect(JSON.stringify(stored)).not.toContain('1990-01-02');
      const scoped = data.forPurpose(support);
      const ids = async (where: ReturnType<typeof data.eq> | undefined) =>
        (await scoped.findMany(members, { where })).map((r) => r.id).sort();
      expect(await ids(data.eq([members.name, members.birth], ['Ana', '1990-01-02']))).toEqual([ana.id]);
      expect(await ids(data.eq([members.birth, members.name], ['1985-05-06', 'Ana']))).toEqual([ana2.id]);
      expect(await ids(data.eq([members.name, members.birth], ['Ana', '2000-01-01']))).toEqual([]);
      expect(await ids(data.eq([members.document, members.birth], ['D-2', '1990-01-02']))).toEqual([bia.id]);
      expect(await ids(data.eq([members.name, members.birth, members.city], ['Ana', '1990-01-02', 'Recife']))).toEqual([ana.id]);
      expect(
        await ids(
          or(
            data.eq([members.name, members.birth], ['Bia', '1990-01-02']),
            data.eq([members.document, members.birth], ['D-3', '1985-05-06']),
          ),
        ),
      ).toEqual([ana2.id, bia.id].sort());
      const [row] = await scoped.findMany(members, { where: data.eq([members.name, members.birth], ['Ana', '1990-01-02']) });
      expect(row).toMatchObject({ name: 'Ana', birth: '1990-01-02', document: 'D-1' });
      // the SQL names the index column, never the value
      const before = t.statements.length;
      await scoped.findMany(members, { where: data.eq([members.name, members.birth], ['Ana', '1990-01-02']) });
      const sent = t.statements.slice(before).join('\n');
      expect(sent).toContain('bidx_name_birth');
      expect(sent).not.toContain('1990-01-02');
    });

    it('only some fields of a compound index, or the fields in separate eq calls, is PF_QUERY_ENCRYPTED before any SQL', async () => {
      const before = t.statements.length;
      const refusals: (() => unknown)[] = [
        () => data.eq(members.birth, '1990-01-02'),
        () => data.eq([members.birth], ['1990-01-02']),
        () => data.eq([members.city, members.birth], ['Recife', '1990-01-02']),
        () => and(data.eq(members.name, 'Ana'), data.eq(members.birth, '1990-01-02')),
        () => data.inArray(members.document, ['D-1']),
      ];
      for (const run of refusals) expect(await code(run)).toBe('PF_QUERY_ENCRYPTED');
      expect(await code(() => data.eq([members.name, members.birth], ['Ana']))).toBe('PF_INPUT_INVALID');
      // a column given twice: one of its values would be dropped and the query match too many rows
      expect(await code(() => data.eq([members.name, members.birth, members.birth], ['Ana', '1990-01-02', '1985-05-06']))).toBe(
        'PF_INPUT_INVALID',
      );
      expect(t.statements.length).toBe(before);
    });
  });
}
