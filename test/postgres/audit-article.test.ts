import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessRecord, createAccessLog, isPurposefulError } from '../../src/index.js';
import { migrate, postgresAccessLogSink } from '../../src/postgres/index.js';
import { onServer, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const record: AccessRecord = {
  time: '2026-11-29T10:00:00.000Z',
  action: 'open',
  decision: 'allow',
  actor: { id: 'agent-7', roles: ['support'], mfa: false },
  subjectId: 'cust-1',
  schema: 'customer',
  fields: ['email'],
  categories: ['user.contact.email'],
  sensitive: false,
  purpose: 'support.ticket',
  legalBasis: { lgpd: 'contract' },
};

describe(`PF_AUDIT_UNAVAILABLE on PostgreSQL (${onServer ? 'server' : 'PGlite'})`, () => {
  it('LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32: other events at taken sequence numbers are refused citing security and accountability', async () => {
    const sink = postgresAccessLogSink(db.client);
    const log = createAccessLog({ sink, subjectKey: new Uint8Array(32).fill(4), instance: 'article' });
    log.record(record);
    await log.flush();
    const [event] = await sink.read({ chain: log.chain });
    if (!event) throw new Error('no event');
    const err = await sink.append([{ ...event, purpose: 'other.purpose' }]).catch((e: unknown) => e);
    expect(isPurposefulError(err) && [err.code, err.article]).toEqual([
      'PF_AUDIT_UNAVAILABLE',
      'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32',
    ]);
  });
});
