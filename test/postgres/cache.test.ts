import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposes } from '../../examples/support-desk/declarations.js';
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

const grant = surveyGrant;
const statusOf = async (
  ledger: { status: (s: string, p: string[]) => Promise<ReadonlyMap<string, { status: string }>> },
  subject: string,
) => (await ledger.status(subject, ['support.survey'])).get('support.survey')?.status;

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${ms} ms`);
}

describe(`consent cache with LISTEN/NOTIFY (${onServer ? 'server' : 'PGlite'})`, () => {
  it('a withdrawal on one instance is enforced by another within a second', async () => {
    const one = await cachedConsentLedger(postgresConsentLedger(db.client, purposes), {
      client: db.client,
      listen: db.listenFirst,
      heartbeatMs: 100,
    });
    const two = await cachedConsentLedger(postgresConsentLedger(db.second, purposes), {
      client: db.second,
      listen: db.listenSecond,
      heartbeatMs: 100,
    });
    try {
      await within(2000, async () => one.enabled && two.enabled);
      await one.grant(grant('c-1'));
      await within(1000, async () => (await statusOf(two, 'c-1')) === 'granted');
      expect(await statusOf(two, 'c-1')).toBe('granted'); // now served from two's cache
      await one.withdraw('c-1', 'support.survey');
      const ms = await within(1000, async () => (await statusOf(two, 'c-1')) === 'withdrawn');
      expect(ms).toBeLessThan(1000);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('when heartbeats stop, the cache switches itself off and reads the ledger', async () => {
    const cached = await cachedConsentLedger(postgresConsentLedger(db.client, purposes), {
      client: db.client,
      listen: db.listenFirst,
      heartbeatMs: 50,
    });
    try {
      await within(2000, async () => cached.enabled);
      await cached.grant(grant('c-2'));
      expect(await statusOf(cached, 'c-2')).toBe('granted');
      // a write nobody is told about (as through a pooler that drops LISTEN): the cache must not hide it
      await db.client.query(
        `INSERT INTO purposeful_consent_events (subject, purpose, sequence, id, type, at, body)
         VALUES ('c-2', 'support.survey', 2, 'ce_silent', 'withdrawn', now(), '{}')`,
      );
      await cached.close(); // listening and heartbeats stop
      expect(cached.enabled).toBe(false);
      expect(await statusOf(cached, 'c-2')).toBe('withdrawn');
    } finally {
      await cached.close();
    }
  });

  it('entries expire after their time-to-live even without notifications', async () => {
    const cached = await cachedConsentLedger(postgresConsentLedger(db.client, purposes), {
      client: db.client,
      listen: db.listenFirst,
      heartbeatMs: 50,
      ttlMs: 200,
    });
    try {
      await within(2000, async () => cached.enabled);
      await cached.grant(grant('c-3'));
      expect(await statusOf(cached, 'c-3')).toBe('granted');
      await db.client.query(
        `INSERT INTO purposeful_consent_events (subject, purpose, sequence, id, type, at, body)
         VALUES ('c-3', 'support.survey', 2, 'ce_silent3', 'withdrawn', now(), '{}')`,
      );
      await within(1500, async () => (await statusOf(cached, 'c-3')) === 'withdrawn');
    } finally {
      await cached.close();
    }
  });
});

describe('the cache honours expiry', () => {
  it('a cached grant that expires reads as expired', async () => {
    const cached = await cachedConsentLedger(postgresConsentLedger(db.client, purposes), {
      client: db.client,
      listen: db.listenFirst,
      heartbeatMs: 50,
    });
    try {
      await within(2000, async () => cached.enabled);
      await cached.grant({ ...grant('c-exp'), expiresAt: new Date(Date.now() + 300).toISOString() });
      await within(1000, async () => (await statusOf(cached, 'c-exp')) === 'granted');
      await new Promise((r) => setTimeout(r, 400));
      expect(await statusOf(cached, 'c-exp')).toBe('expired');
    } finally {
      await cached.close();
    }
  });
});
