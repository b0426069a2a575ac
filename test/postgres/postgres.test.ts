import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { createPurposeful, generateKeyring } from '../../src/index.js';
import {
  MIGRATIONS,
  migrate,
  postgresConsentLedger,
  postgresErasureJournal,
  postgresKeyStore,
} from '../../src/postgres/index.js';
import { testKeys } from '../helpers/fixtures.js';
import { onServer, surveyGrant, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const grant = surveyGrant;

describe(`PostgreSQL persistence (${onServer ? 'server at DATABASE_URL' : 'embedded PGlite'})`, () => {
  it('migrations are versioned and idempotent', async () => {
    expect(await migrate(db.client)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db.client)).toEqual([]);
    expect(await Promise.all([migrate(db.client), migrate(db.second)])).toEqual([[], []]);
  });

  it('the consent ledger keeps events in order and answers several purposes at once', async () => {
    const ledger = postgresConsentLedger(db.client, purposes);
    await ledger.grant({ ...grant('s-1'), evidence: { formId: 'f-1' }, expiresAt: '2030-01-01T00:00:00Z' });
    await ledger.withdraw('s-1', 'support.survey', { method: 'email' });
    await ledger.grant({
      ...grant('s-1'),
      purpose: 'support.accessibility',
      highlighted: true,
      guardian: { reference: 'g', verification: 'doc' },
    });
    const states = await ledger.status('s-1', ['support.survey', 'support.accessibility', 'analytics.churn']);
    expect([...states.values()].map((s) => s.status)).toEqual(['withdrawn', 'granted', 'none']);
    expect(states.get('support.accessibility')?.event).toMatchObject({
      highlighted: true,
      guardian: { reference: 'g', verification: 'doc' },
    });
    const history = await ledger.history('s-1', 'support.survey');
    expect(history.map((e) => [e.sequence, e.type])).toEqual([
      [1, 'granted'],
      [2, 'withdrawn'],
    ]);
    expect(history[0]).toMatchObject({
      evidence: { formId: 'f-1' },
      notice: grant('s-1').notice,
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    await expect(ledger.grant({ ...grant('s-1'), purpose: 'support.ticket' })).rejects.toMatchObject({
      code: 'PF_CONSENT_INVALID',
    });
  });

  it('1,000 concurrent grants and withdrawals from two pools: nothing lost, nothing reordered', async () => {
    const a = postgresConsentLedger(db.client, purposes);
    const b = postgresConsentLedger(db.second, purposes);
    const ops = Array.from({ length: 1000 }, (_, i) => i);
    await Promise.all(
      ops.map((i) => {
        const ledger = i % 2 ? a : b;
        return i % 3 === 0
          ? ledger.withdraw('hot', 'support.survey', { evidence: { i } })
          : ledger.grant({ ...grant('hot'), evidence: { i } });
      }),
    );
    const history = await a.history('hot', 'support.survey');
    expect(history).toHaveLength(1000);
    expect(history.map((e) => e.sequence)).toEqual(ops.map((i) => i + 1));
    // the time of each event is taken inside the lock: it never runs backwards against the order (issue 16, part 8)
    const backwards = history.filter((e, i) => i > 0 && Date.parse(e.at) < Date.parse(history[i - 1]?.at as string));
    expect(backwards).toEqual([]);
    expect(new Set(history.map((e) => (e.evidence as { i: number }).i)).size).toBe(1000);
    const last = history[history.length - 1];
    expect((await b.status('hot', ['support.survey'])).get('support.survey')?.status).toBe(last?.type);
  }, 120_000);

  it('the engine enforces consent from the PostgreSQL ledger, and a withdrawal on one instance holds on another', async () => {
    const ctx = { purpose: 'support.survey', actor: { id: 'bot' } } as const;
    const one = createPurposeful({
      ...testKeys(),
      purposes,
      schemas: [Customer],
      consent: postgresConsentLedger(db.client, purposes),
    });
    const two = createPurposeful({
      ...testKeys(),
      purposes,
      schemas: [Customer],
      consent: postgresConsentLedger(db.second, purposes),
    });
    await expect(one.outbound(Customer, sampleCustomer, ctx)).rejects.toMatchObject({ code: 'PF_CONSENT_REQUIRED' });
    await postgresConsentLedger(db.client, purposes).grant(grant(sampleCustomer.id));
    await expect(two.outbound(Customer, sampleCustomer, ctx)).resolves.toMatchObject({ email: sampleCustomer.email });
    await postgresConsentLedger(db.client, purposes).withdraw(sampleCustomer.id, 'support.survey');
    await expect(two.outbound(Customer, sampleCustomer, ctx)).rejects.toMatchObject({ code: 'PF_CONSENT_REQUIRED' });
  });

  it('the key store backs sealing, shredding (at once on every instance) and the journal', async () => {
    const keys = generateKeyring();
    const keyStore = postgresKeyStore(db.client);
    const journal = postgresErasureJournal(db.client);
    const consent = postgresConsentLedger(db.client, purposes);
    const options = {
      purposes,
      schemas: [Customer],
      keys,
      keyStore,
      erasureJournal: journal,
      consent,
      encryption: { receipts: { key: new Uint8Array(32), alg: 'HS256' }, keyCacheTtlMs: 0 },
    };
    const ctx = { purpose: 'support.ticket', actor: { id: 'a', roles: ['support'] } } as const;
    const pf = createPurposeful(options);
    const other = createPurposeful({ ...testKeys(), ...options, keyStore: postgresKeyStore(db.second) });
    const rows = await Promise.all(Array.from({ length: 20 }, () => pf.seal(Customer, sampleCustomer, ctx)));
    expect(new Set(rows.map((r) => (r.email as string).split('.')[2])).size).toBe(1); // one live key despite concurrent creation
    expect(await other.open(Customer, rows[0], ctx)).toMatchObject({ email: sampleCustomer.email });
    const result = await pf.shred(sampleCustomer.id);
    expect(result.erased).toHaveLength(1);
    await expect(other.open(Customer, rows[0], ctx)).rejects.toMatchObject({ code: 'PF_SUBJECT_ERASED' });
    const [erased] = (await keyStore.keys(sampleCustomer.id)).filter((k) => k.erasedAt);
    if (!erased) throw new Error('no tombstone');
    await keyStore.update(sampleCustomer.id, { ...erased, erasedAt: undefined, wrapped: 'pfk1.revived' } as never);
    expect((await keyStore.keys(sampleCustomer.id)).find((k) => k.id === erased.id)).toMatchObject({
      wrapped: '',
      erasedAt: erased.erasedAt,
    });
    const entries = [];
    for await (const e of journal.entries()) entries.push(e);
    expect(entries).toEqual([{ subject: sampleCustomer.id, keyIds: result.erased, at: expect.any(String) }]);
  });
});

describe('shredding reaches every instance at once through LISTEN/NOTIFY', () => {
  it('an instance that cached the key refuses to open within a second of another instance shredding', async () => {
    await migrate(db.client);
    const storeOne = postgresKeyStore(db.client, { listen: db.listenFirst });
    const storeTwo = postgresKeyStore(db.second, { listen: db.listenSecond });
    try {
      const base = {
        purposes,
        schemas: [Customer],
        keys: generateKeyring(),
        consent: postgresConsentLedger(db.client, purposes),
        encryption: { receipts: { key: new Uint8Array(32), alg: 'HS256' } }, // default keyCacheTtlMs: 30 s
      };
      const one = createPurposeful({ ...testKeys(), ...base, keyStore: storeOne });
      const two = createPurposeful({ ...testKeys(), ...base, keyStore: storeTwo });
      const ctx = { purpose: 'support.ticket', actor: { id: 'a', roles: ['support'] } } as const;
      const subject = { ...sampleCustomer, id: '5d7e8f90-0000-4000-8000-00000000aaaa' };
      const row = await one.seal(Customer, subject, ctx);
      expect(await two.open(Customer, row, ctx)).toMatchObject({ email: subject.email }); // two now caches the key
      await one.shred(subject.id);
      const t0 = Date.now();
      let code = '';
      while (Date.now() - t0 < 1000) {
        code = await two.open(Customer, row, ctx).then(
          () => 'open',
          (e: { code: string }) => e.code,
        );
        if (code !== 'open') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(code).toBe('PF_SUBJECT_ERASED');
    } finally {
      await storeOne.close();
      await storeTwo.close();
    }
  });
});

describe('consent event times follow the order (issue 16, part 8)', () => {
  it("an event's time is taken from the database inside the subject's lock, not before it", async () => {
    await migrate(db.client);
    const ledger = postgresConsentLedger(db.second, purposes);
    for (const act of ['withdraw', 'grant'] as const) {
      const subject = `locked-${act}`;
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((r) => (locked = r));
      // another writer holds the subject's lock for a while (PGlite: its one connection is busy meanwhile)
      const holder = db.client.transaction(async (q) => {
        await q('SELECT pg_advisory_xact_lock(hashtext($1))', [
          JSON.stringify(['purposeful.consent', subject, 'support.survey']),
        ]);
        locked();
        await new Promise((r) => setTimeout(r, 300));
        const { rows } = await q<{ t: string | Date }>('SELECT clock_timestamp() AS t');
        return new Date(rows[0]?.t as string).toISOString();
      });
      await isLocked;
      const writing = act === 'withdraw' ? ledger.withdraw(subject, 'support.survey') : ledger.grant(grant(subject));
      const released = await holder;
      const event = await writing;
      expect(Date.parse(event.at)).toBeGreaterThanOrEqual(Date.parse(released));
    }
  });

  it("a subject's whole history is in sequence order per purpose, so its latest act is the one in force", async () => {
    await migrate(db.client);
    const ledger = postgresConsentLedger(db.client, purposes);
    await ledger.grant({ ...grant('dated'), at: '2026-12-01T10:00:00.000Z' });
    await ledger.withdraw('dated', 'support.survey', { at: '2026-12-01T09:00:00.000Z' }); // dated before the grant it follows
    const all = await ledger.history('dated');
    expect(all.map((e) => [e.sequence, e.type])).toEqual([
      [1, 'granted'],
      [2, 'withdrawn'],
    ]);
    expect((await ledger.status('dated', ['support.survey'])).get('support.survey')?.status).toBe(all.at(-1)?.type);
  });

  it(`concurrent writers on ${onServer ? 'two pools' : 'one PGlite (it has a single connection)'}: history and status agree, and times follow the order`, async () => {
    await migrate(db.client);
    const pools = [postgresConsentLedger(db.client, purposes), postgresConsentLedger(db.second, purposes)];
    const used = ['support.survey', 'support.accessibility'] as const;
    const op = fc.record({ pool: fc.integer({ min: 0, max: 1 }), purpose: fc.constantFrom(...used), grant: fc.boolean() });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 40 }), async (ops) => {
        const subject = `prop-${run++}`;
        await Promise.all(
          ops.map((o, i) => {
            const ledger = pools[o.pool] as (typeof pools)[number];
            return o.grant
              ? ledger.grant({
                  ...grant(subject),
                  purpose: o.purpose,
                  evidence: { i },
                  ...(o.purpose === 'support.accessibility' ? { highlighted: true } : {}),
                })
              : ledger.withdraw(subject, o.purpose, { evidence: { i } });
          }),
        );
        const all = await pools[1]?.history(subject);
        const states = await pools[0]?.status(subject, [...used]);
        expect(all).toHaveLength(ops.length);
        for (const p of used) {
          const mine = (all ?? []).filter((e) => e.purpose === p);
          expect(mine.map((e) => e.sequence)).toEqual(mine.map((_, i) => i + 1));
          expect(mine).toEqual(await pools[0]?.history(subject, p));
          expect(states?.get(p)?.status).toBe(mine.at(-1)?.type ?? 'none');
          for (let i = 1; i < mine.length; i++)
            expect(Date.parse((mine[i] as { at: string }).at)).toBeGreaterThanOrEqual(
              Date.parse((mine[i - 1] as { at: string }).at),
            );
        }
      }),
      { numRuns: onServer ? 25 : 10 },
    );
  }, 180_000);
});

describe('options are checked when the ledger is created (issue 16, part 9)', () => {
  it('postgresConsentLedger without a purposes registry is PF_OPTIONS_INVALID at once', () => {
    for (const bad of [undefined, null, {}, { get: () => undefined }]) {
      expect(() => postgresConsentLedger(db.client, bad as never)).toThrow(
        expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
      );
    }
  });
});
