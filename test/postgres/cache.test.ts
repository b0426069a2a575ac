import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { purposes } from '../../examples/support-desk/declarations.js';
import { type ConsentLedger, memoryConsentLedger } from '../../src/index.js';
import { cachedConsentLedger, migrate, postgresConsentLedger } from '../../src/postgres/index.js';
import { memoryBus } from '../helpers/consent-bus.js';
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

/** A memory ledger that counts the reads that reach it (the cache's misses). */
function countingLedger(): { ledger: ConsentLedger; reads: Map<string, number> } {
  const inner = memoryConsentLedger(purposes);
  const reads = new Map<string, number>();
  const ledger: ConsentLedger = {
    ...inner,
    status: (subject, list, now) => {
      reads.set(subject, (reads.get(subject) ?? 0) + 1);
      return inner.status(subject, list, now);
    },
  };
  return { ledger, reads };
}

async function enabled(cached: { enabled: boolean }): Promise<void> {
  await within(2000, async () => cached.enabled);
}

/**
 * The work one notification does, counted rather than timed: calls that parse
 * or walk the whole cache (JSON.parse of keys, iteration over a Map) and
 * deletions. Counted only while the notification is delivered (synchronously).
 */
function countWork(deliver: () => void): number {
  let n = 0;
  const spies = [
    vi.spyOn(JSON, 'parse'),
    vi.spyOn(Map.prototype, 'keys'),
    vi.spyOn(Map.prototype, 'entries'),
    vi.spyOn(Map.prototype, 'values'),
    vi.spyOn(Map.prototype, 'forEach'),
    vi.spyOn(Map.prototype, Symbol.iterator as never),
    vi.spyOn(Map.prototype, 'delete'),
  ];
  try {
    deliver();
    for (const s of spies) n += s.mock.calls.length;
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return n;
}

describe('consent cache: invalidation costs the same whatever the cache holds (issue 16, part 6)', () => {
  async function filled(entries: number) {
    const bus = memoryBus();
    const { ledger, reads } = countingLedger();
    const cached = await cachedConsentLedger(ledger, { client: bus.client, listen: bus.listen, heartbeatMs: 1000 });
    await enabled(cached);
    for (let i = 0; i < entries; i++) {
      await cached.status(`other-${i}`, ['support.survey']);
      if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let heartbeats through
    }
    await cached.status('alice', ['support.survey', 'support.accessibility']);
    return { bus, cached, reads };
  }

  it("a notification for a subject touches only that subject's entries, not the other subjects'", async () => {
    const small = await filled(10);
    const large = await filled(5000);
    try {
      const note = JSON.stringify({ subject: 'nobody-cached', purpose: 'support.survey' });
      const workSmall = countWork(() => small.bus.deliver(note));
      const workLarge = countWork(() => large.bus.deliver(note));
      expect(workLarge).toBe(workSmall); // not proportional to the 5,000 other entries
      expect(workLarge).toBeLessThanOrEqual(4);
      // a notification for alice drops alice's entries (both purposes when none is named) and nobody else's
      const forAlice = countWork(() => large.bus.deliver(JSON.stringify({ subject: 'alice' })));
      expect(forAlice).toBeLessThanOrEqual(6);
      const before = large.reads.get('alice');
      await large.cached.status('alice', ['support.survey']);
      expect(large.reads.get('alice')).toBe((before ?? 0) + 1); // read again from the ledger
      for (const i of [0, 1234, 4999]) {
        await large.cached.status(`other-${i}`, ['support.survey']);
        expect(large.reads.get(`other-${i}`)).toBe(1); // still served from the cache
      }
    } finally {
      await small.cached.close();
      await large.cached.close();
    }
  });

  it('a notification for one purpose keeps the subject’s other purposes cached', async () => {
    const { bus, cached, reads } = await filled(0);
    try {
      bus.deliver(JSON.stringify({ subject: 'alice', purpose: 'support.survey' }));
      await cached.status('alice', ['support.accessibility']);
      expect(reads.get('alice')).toBe(1);
      await cached.status('alice', ['support.survey']);
      expect(reads.get('alice')).toBe(2);
    } finally {
      await cached.close();
    }
  });
});

describe('consent cache: every map stays within its bound (issue 16, part 6)', () => {
  it('cached states never exceed maxEntries, and nothing is kept per notified subject', async () => {
    const bus = memoryBus();
    const { ledger } = countingLedger();
    const cached = await cachedConsentLedger(ledger, {
      client: bus.client,
      listen: bus.listen,
      heartbeatMs: 1000,
      maxEntries: 500,
    });
    try {
      await enabled(cached);
      for (let i = 0; i < 3000; i++) {
        if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let heartbeats through
        await cached.status(`s-${i}`, ['support.survey', 'support.accessibility']);
        bus.deliver(JSON.stringify({ subject: `n-${i}`, purpose: 'support.survey' })); // subjects nobody cached
        bus.deliver(JSON.stringify({ subject: `s-${i - 1}` }));
        expect(cached.stats.entries).toBeLessThanOrEqual(500);
      }
      expect(cached.stats.subjects).toBeLessThanOrEqual(500);
      expect(cached.stats.reading).toBe(0); // nothing left behind by 6,000 notified subjects
      // reads in flight are tracked while they run, and forgotten when they end
      const pending = Array.from({ length: 50 }, (_, i) => cached.status(`r-${i}`, ['support.survey']));
      expect(cached.stats.reading).toBeLessThanOrEqual(50);
      await Promise.all(pending);
      expect(cached.stats.reading).toBe(0);
    } finally {
      await cached.close();
    }
  });

  it('a notification that arrives while a read is in flight keeps that read out of the cache', async () => {
    const bus = memoryBus();
    const inner = memoryConsentLedger(purposes);
    let release: () => void = () => undefined;
    let reads = 0;
    const slow: ConsentLedger = {
      ...inner,
      status: async (subject, list, now) => {
        reads++;
        const states = await inner.status(subject, list, now);
        if (reads === 1) await new Promise<void>((r) => (release = r));
        return states;
      },
    };
    const cached = await cachedConsentLedger(slow, { client: bus.client, listen: bus.listen, heartbeatMs: 1000 });
    try {
      await enabled(cached);
      const first = cached.status('bob', ['support.survey']);
      await new Promise((r) => setTimeout(r, 10));
      bus.deliver(JSON.stringify({ subject: 'bob', purpose: 'support.survey' }));
      release();
      await first;
      await cached.status('bob', ['support.survey']);
      expect(reads).toBe(2); // the first answer was served, not kept
      await cached.status('bob', ['support.survey']);
      expect(reads).toBe(2);
    } finally {
      await cached.close();
    }
  });

  it('refuses a bound that is not a positive integer', async () => {
    const bus = memoryBus();
    for (const maxEntries of [0, -1, 1.5, Number.NaN, '10' as never]) {
      await expect(
        cachedConsentLedger(memoryConsentLedger(purposes), { client: bus.client, listen: bus.listen, maxEntries }),
      ).rejects.toMatchObject({ code: 'PF_OPTIONS_INVALID' });
    }
  });
});
