/** The PostgreSQL consent ledger keeps and checks the same evidence as the in-memory one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import { createPurposeful, definePurposes, defineSchema, pd } from '../../src/index.js';
import { migrate, postgresConsentLedger } from '../../src/postgres/index.js';
import { testKeys } from '../helpers/fixtures.js';
import { onServer, surveyGrant, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const guardian = { reference: 'parent-1', verification: 'document-check' };

describe(`PostgreSQL consent evidence (${onServer ? 'server at DATABASE_URL' : 'embedded PGlite'})`, () => {
  it("LGPD Art. 14 §1: a guardian's grant that is not highlighted is refused; a highlighted one is stored and lets a child's data through", async () => {
    const ledger = postgresConsentLedger(db.client, purposes);
    await expect(ledger.grant({ ...surveyGrant('kid-1'), guardian })).rejects.toMatchObject({
      code: 'PF_CONSENT_INVALID',
      article: 'LGPD Art. 14 §1',
    });
    expect(await ledger.history('kid-1')).toEqual([]);
    const Kid = defineSchema(
      'kid',
      z.object({ id: z.string(), email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.survey'] }) }),
      { purposes, subject: { kind: 'customer', id: 'id', minors: 'possible' } },
    );
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Kid], consent: ledger });
    const ctx = { purpose: 'support.survey', actor: { id: 'survey-bot' }, subjectAge: 10 } as const;
    await expect(pf.outbound(Kid, { id: 'kid-1', email: 'k@example.com' }, ctx)).rejects.toMatchObject({
      code: 'PF_CONSENT_REQUIRED',
    });
    await ledger.grant({ ...surveyGrant('kid-1'), highlighted: true, guardian });
    const state = (await ledger.status('kid-1', ['support.survey'])).get('support.survey');
    expect(state?.event).toMatchObject({ highlighted: true, guardian });
    await expect(pf.outbound(Kid, { id: 'kid-1', email: 'k@example.com' }, ctx)).resolves.toBeDefined();
  });

  it('LGPD Art. 8 §1: a written grant without its highlighted clause is refused', async () => {
    const ledger = postgresConsentLedger(db.client, purposes);
    await expect(ledger.grant({ ...surveyGrant('w-1'), method: 'signed_document' })).rejects.toMatchObject({
      code: 'PF_CONSENT_INVALID',
      article: 'LGPD Art. 8 §1',
    });
    await expect(ledger.grant({ ...surveyGrant('w-1'), method: 'signed_document', highlighted: true })).resolves.toMatchObject({
      method: 'signed_document',
      highlighted: true,
    });
  });

  it('LGPD Art. 7 §5: the controllers a grant covers sharing with are stored, and a grant without them is refused', async () => {
    const shared = definePurposes(
      {
        'partners.offers': {
          description: 'Pass the customer e-mail to the insurance partner for its offers',
          legalBasis: { lgpd: 'consent' },
          notice: { version: '2026-11-01' },
          retention: 'P1Y',
          recipients: [{ name: 'Seguros Parceira S.A.', role: 'controller', country: 'BR' }],
        },
      },
      { controller: purposes.controller },
    );
    const ledger = postgresConsentLedger(db.client, shared);
    const grant = { ...surveyGrant('s-7'), purpose: 'partners.offers' };
    await expect(ledger.grant(grant)).rejects.toMatchObject({ code: 'PF_CONSENT_INVALID', article: 'LGPD Art. 7 §5' });
    await ledger.grant({ ...grant, sharedWith: ['Seguros Parceira S.A.'] });
    const [event] = await ledger.history('s-7', 'partners.offers');
    expect(event).toMatchObject({ sharedWith: ['Seguros Parceira S.A.'] });
  });
});
