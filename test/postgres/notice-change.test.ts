import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposes } from '../../examples/support-desk/declarations.js';
import { definePurposes, type PurposeDeclaration, subjectsToInform } from '../../src/index.js';
import { cachedConsentLedger, migrate, postgresConsentLedger } from '../../src/postgres/index.js';
import { onServer, surveyGrant, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

/** The support desk's registry with a non-material change of the survey's notice. */
function nextNotice() {
  const declarations = Object.fromEntries(purposes.ids.map((id) => [id, purposes.get(id)?.declaration as PurposeDeclaration]));
  declarations['support.survey'] = {
    ...(declarations['support.survey'] as PurposeDeclaration),
    notice: { version: '2027-01-01', url: 'https://example.com/privacy#survey', material: false },
  };
  return definePurposes(declarations, { controller: purposes.controller });
}

describe(`a notice change on PostgreSQL (${onServer ? 'server at DATABASE_URL' : 'embedded PGlite'})`, () => {
  it('LGPD Art. 8 §6: the PostgreSQL ledger lists, at the time of the change, the subjects whose consent in force was given for the earlier notice', async () => {
    const ledger = postgresConsentLedger(db.client, purposes);
    await ledger.grant(surveyGrant('pg-2'));
    await ledger.grant(surveyGrant('pg-1'));
    await ledger.grant(surveyGrant('pg-3'));
    await ledger.withdraw('pg-3', 'support.survey');
    await ledger.grant({ ...surveyGrant('pg-4'), expiresAt: '2026-12-01T00:00:00Z' });
    const list = await subjectsToInform(ledger, nextNotice(), 'support.survey', new Date('2027-01-01T00:00:00Z'));
    expect(list).toMatchObject({ action: 'inform', current: '2027-01-01', article: 'LGPD Art. 8 §6, Art. 9 §2' });
    expect(list.subjects.map((s) => [s.subject, s.grantedFor])).toEqual([
      ['pg-1', '2026-11-01'],
      ['pg-2', '2026-11-01'],
    ]);
  });

  it('LGPD Art. 8 §6: a cached ledger lists them from the database, not from its cache', async () => {
    const ledger = postgresConsentLedger(db.client, purposes);
    const cached = await cachedConsentLedger(ledger, { client: db.client, listen: db.listenFirst });
    try {
      const list = await subjectsToInform(cached, nextNotice(), 'support.survey', new Date('2027-01-01T00:00:00Z'));
      expect(list.subjects.map((s) => s.subject)).toEqual(['pg-1', 'pg-2']);
    } finally {
      await cached.close();
    }
  });
});
