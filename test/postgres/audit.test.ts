import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scopeIncident } from '../../src/incident/index.js';
import {
  type AccessRecord,
  accessLogPurpose,
  checkpointSigner,
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  memoryAccessLogSink,
  memoryConsentLedger,
  pd,
  verifyAccessLog,
} from '../../src/index.js';
import {
  MIGRATIONS,
  migrate,
  postgresAccessLogSink,
  postgresCheckpointSink,
  postgresIncidentRegister,
  type Query,
  type SqlClient,
} from '../../src/postgres/index.js';
import { describeStoreTampering } from '../audit/tampering.js';
import { testKeys } from '../helpers/fixtures.js';
import { onServer, type TestDb, testDb } from './db.js';

let db: TestDb;
/** A database of its own for the whole-store tampering, where every chain is announced. */
let store: TestDb | undefined;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
  store = await testDb();
  await migrate(store.client);
}, 120_000);
afterAll(async () => {
  await db?.close();
  await store?.close();
});

const subjectKey = new Uint8Array(32).fill(9);
const purposes = definePurposes({
  'support.ticket': {
    description: 'Answer the customer about their support request',
    legalBasis: { lgpd: 'contract' },
    retention: 'P2Y',
  },
  'security.access_log': accessLogPurpose({ retention: 'P5Y', legalBasis: { lgpd: 'legitimate_interest' } }),
});
const Customer = defineSchema(
  'customer',
  z.object({ id: pd.none(z.string()), name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }),
  { purposes, subject: { kind: 'customer', id: 'id' } },
);
const rec = (i: number, actor = 'agent-7'): AccessRecord => ({
  time: new Date(Date.UTC(2026, 10, 29, 10, 0, 0, i)).toISOString(),
  action: 'open',
  decision: i % 50 === 0 ? 'deny' : 'allow',
  ...(i % 50 === 0 ? { reason: 'PF_CONSENT_REQUIRED' } : {}),
  actor: { id: actor, roles: ['support'], mfa: false },
  subjectId: `cust-${i % 97}`,
  schema: 'customer',
  fields: ['email'],
  categories: i % 10 === 0 ? ['user.health_and_medical'] : ['user.contact.email'],
  sensitive: i % 10 === 0,
  purpose: 'support.ticket',
  legalBasis: { lgpd: 'contract' },
});

describe(`the access log on PostgreSQL (${onServer ? 'server' : 'PGlite'})`, () => {
  it('two engines writing 10,000 events concurrently leave chains that verify with no gap', async () => {
    const sink = postgresAccessLogSink(db.client);
    const a = createAccessLog({ sink, subjectKey, instance: 'web-1', batchSize: 250 });
    const b = createAccessLog({ sink: postgresAccessLogSink(db.second), subjectKey, instance: 'web-2', batchSize: 250 });
    // two engines (two instances of the app), each with its own log and pool, serving requests at once
    const engines = [a, b].map((audit) =>
      createPurposeful({ consent: memoryConsentLedger(purposes), ...testKeys(), purposes, schemas: [Customer], audit }),
    );
    const serve = async (k: number, actor: string) => {
      const pf = engines[k] as (typeof engines)[number];
      const log = k === 0 ? a : b;
      for (let i = 0; i < 5000; i++) {
        if (i % 50 === 0) {
          await pf.outbound(
            Customer,
            { id: `cust-${i % 97}`, name: 'x' },
            { purpose: 'support.ticket', actor: { id: actor, roles: ['support'] } },
          );
        } else log.record(rec(i, actor));
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0)); // let the batches go out while serving
      }
      await log.flush();
    };
    await Promise.all([serve(0, 'agent-a'), serve(1, 'agent-b')]);
    const events = await sink.read();
    expect(events).toHaveLength(10_000);
    const report = await verifyAccessLog(events);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.events, c.lastSeq])).toEqual([
      [5000, 5000],
      [5000, 5000],
    ]);
    // queries run in SQL
    expect(await a.query({ actor: 'agent-b', decision: 'deny' })).toHaveLength(0);
    expect(await a.query({ actor: 'agent-b', purpose: 'support.ticket', decision: 'allow' })).toHaveLength(5000);
    expect((await a.query({ actor: 'agent-a' })).filter((e) => e.action === 'outbound')).toHaveLength(100);
    expect(await a.query({ category: 'user.health_and_medical', actor: 'agent-a' })).toHaveLength(400);
    expect(await a.query({ category: 'user', actor: 'agent-a' })).toHaveLength(5000);
    const mine = await a.forSubject('cust-5');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.subject === a.subjectRef('cust-5'))).toBe(true);
    const window = await a.query({ actor: 'agent-a', from: rec(11).time, to: rec(19).time });
    expect(window.map((e) => e.seq)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20]);
  }, 120_000);

  it('catches rows edited or deleted in SQL', async () => {
    const sink = postgresAccessLogSink(db.client);
    const log = createAccessLog({ sink, subjectKey, instance: 'tamper' });
    for (let i = 0; i < 10; i++) log.record(rec(i));
    await log.flush();
    await db.client.query(
      `UPDATE purposeful_access_events SET event = jsonb_set(event, '{purpose}', '"marketing.email"') WHERE chain = $1 AND seq = 4`,
      [log.chain],
    );
    expect((await verifyAccessLog(await sink.read({ chain: log.chain }))).broken).toMatchObject({
      seq: 4,
      reason: 'hash_mismatch',
    });
    await db.client.query('DELETE FROM purposeful_access_events WHERE chain = $1 AND seq = 4', [log.chain]);
    expect((await verifyAccessLog(await sink.read({ chain: log.chain }))).broken).toMatchObject({
      seq: 5,
      reason: 'sequence_gap',
    });
  });

  it('catches rows swapped and a row added with a made-up hash', async () => {
    const sink = postgresAccessLogSink(db.client);
    const log = createAccessLog({ sink, subjectKey, instance: 'swap' });
    for (let i = 0; i < 10; i++) log.record(rec(i));
    await log.flush();
    await db.client.query(
      `UPDATE purposeful_access_events t SET event = o.event FROM purposeful_access_events o
       WHERE t.chain = $1 AND o.chain = $1 AND ((t.seq = 6 AND o.seq = 7) OR (t.seq = 7 AND o.seq = 6))`,
      [log.chain],
    );
    expect((await verifyAccessLog(await sink.read({ chain: log.chain }))).ok).toBe(false);
    const other = createAccessLog({ sink, subjectKey, instance: 'added' });
    for (let i = 0; i < 3; i++) other.record(rec(i));
    await other.flush();
    const [last] = (await sink.read({ chain: other.chain })).slice(-1);
    if (!last) throw new Error('no event');
    await sink.append([{ ...last, seq: 4, prev: last.hash, hash: 'f'.repeat(64) }]);
    expect((await verifyAccessLog(await sink.read({ chain: other.chain }))).broken).toMatchObject({
      seq: 4,
      reason: 'hash_mismatch',
    });
  });

  it('keeps signed checkpoints in their own table; cutting the newest rows is caught', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'a', alg: 'EdDSA' }] };
    const sink = postgresAccessLogSink(db.client);
    const checkpoints = postgresCheckpointSink(db.second);
    const log = createAccessLog({
      sink,
      subjectKey,
      instance: 'anchored',
      checkpoints: {
        sink: checkpoints,
        sign: checkpointSigner({ key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'a' }),
        every: 5,
      },
    });
    for (let i = 0; i < 12; i++) log.record(rec(i));
    await log.close();
    const cps = (await checkpoints.read()).filter((c) => c.chain === log.chain);
    expect(cps.at(-1)?.seq).toBe(12);
    expect(await verifyAccessLog(await sink.read({ chain: log.chain }), { checkpoints: cps, keys })).toMatchObject({
      ok: true,
      unanchored: 0,
    });
    await db.client.query('DELETE FROM purposeful_access_events WHERE chain = $1 AND seq > 10', [log.chain]);
    expect((await verifyAccessLog(await sink.read({ chain: log.chain }), { checkpoints: cps, keys })).broken?.reason).toBe(
      'truncated',
    );
  });

  it('accepts a batch written twice (an answer lost), refuses other events at taken numbers', async () => {
    const sink = postgresAccessLogSink(db.client);
    const log = createAccessLog({ sink, subjectKey, instance: 'retry' });
    log.record(rec(1));
    await log.flush();
    const [event] = await sink.read({ chain: log.chain });
    if (!event) throw new Error('no event');
    await expect(sink.append([event])).resolves.toBeUndefined();
    await expect(sink.append([{ ...event, purpose: 'other.purpose' }])).rejects.toThrow(/already holds other events/);
  });
});

describe(`the access log's answers on PostgreSQL agree with its verified chain (${onServer ? 'server' : 'PGlite'})`, () => {
  /** 20 events of one chain, 5 of them by agent-13; the answers a DPO, a subject's report and incident scoping read. */
  async function written(instance: string) {
    const sink = postgresAccessLogSink(db.client);
    const log = createAccessLog({ sink, subjectKey, instance });
    for (let i = 1; i <= 20; i++) log.record(rec(i, i % 4 === 1 ? 'agent-13' : 'agent-0'));
    await log.flush();
    const answers = async () => ({
      actor: (await log.query({ actor: 'agent-13', chain: log.chain })).map((e) => e.seq),
      window: (await log.query({ chain: log.chain, from: rec(1).time, to: rec(9).time })).map((e) => e.seq),
      subject: (await log.forSubject('cust-5')).filter((e) => e.chain === log.chain).map((e) => e.seq),
      chain: (await log.query({ chain: log.chain })).map((e) => e.seq),
      incident: (await scopeIncident({ from: rec(1).time, to: rec(20).time, actors: ['agent-13'] }, { log })).subjects.count,
    });
    const verified = async () => (await verifyAccessLog(await sink.read({ chain: log.chain }))).ok;
    return { log, answers, verified, before: await answers() };
  }

  it('a row rewritten in SQL as in the review (actor and time) changes no answer, or breaks the chain', async () => {
    const { log, answers, verified, before } = await written('review');
    expect(before.actor).toEqual([1, 5, 9, 13, 17]);
    expect(before.subject).toEqual([5]);
    expect(before.incident).toBeGreaterThanOrEqual(5);
    // the reproduction: on a table with copies of the event's fields, this hid agent-13's reads while verify said ok
    const tamper = await db.client
      .query(
        `UPDATE purposeful_access_events SET actor = 'agent-0', time = '2020-01-01' WHERE actor = 'agent-13' AND chain = $1`,
        [log.chain],
      )
      .then(
        () => 'done',
        (err: Error) => err.message,
      );
    if ((await verified()) === true) expect(await answers()).toEqual(before);
    // the columns are gone: nothing outside the hashed event is left to rewrite
    expect(tamper).toMatch(/column .* does not exist/);
  });

  it('no column a row holds, rewritten, changes an answer while the chain still verifies', async () => {
    const { rows: columns } = await db.client.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = 'purposeful_access_events' AND table_schema = current_schema() ORDER BY column_name`,
    );
    const set: Record<string, string> = {
      text: "'agent-0'",
      bigint: '1000 + seq',
      'timestamp with time zone': "'2020-01-01'",
      ARRAY: "'{}'",
      // the event itself: its hash no longer matches
      jsonb: `jsonb_set(event, '{actor,id}', '"agent-0"')`,
    };
    const report: Record<string, string> = {};
    for (const { column_name: column, data_type: type } of columns) {
      const { log, answers, verified, before } = await written(`col-${column}`);
      const value = set[type];
      expect(value, `a tampering for ${column} (${type})`).toBeDefined();
      // rows of agent-13, as the hashed event names them (the test's rows, not another test's)
      await db.client.query(
        `UPDATE purposeful_access_events SET ${column} = ${value}
         WHERE event ->> 'chain' = $1 AND event -> 'actor' ->> 'id' = 'agent-13'`,
        [log.chain],
      );
      const ok = await verified();
      const same = JSON.stringify(await answers()) === JSON.stringify(before);
      report[column] = ok ? (same ? 'verifies, same answers' : 'VERIFIES, ANSWERS CHANGED') : 'chain broken';
    }
    expect(Object.values(report)).not.toContain('VERIFIES, ANSWERS CHANGED');
    expect(report.event).toBe('chain broken');
  });

  it('upgrading a log written with the columns keeps its events, answers from them, and verifies', async () => {
    const old = await testDb();
    try {
      // the tables as versions 1–3 left them, with rows as the sink before version 4 wrote them
      await old.client.transaction(async (q) => {
        await q(
          'CREATE TABLE purposeful_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
          for (const statement of m.statements) await q(statement);
          await q('INSERT INTO purposeful_migrations (version) VALUES ($1)', [m.version]);
        }
      });
      const memory = memoryAccessLogSink();
      const log = createAccessLog({ sink: memory, subjectKey, instance: 'v3' });
      for (let i = 1; i <= 8; i++) log.record(rec(i, i % 4 === 1 ? 'agent-13' : 'agent-0'));
      await log.flush();
      for (const e of memory.events) {
        await old.client.query(
          `INSERT INTO purposeful_access_events (chain, seq, time, subject, actor, purpose, decision, categories, event)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [e.chain, e.seq, e.time, e.subject, e.actor.id, e.purpose, e.decision, [...e.categories], JSON.stringify(e)],
        );
      }
      expect(await migrate(old.client)).toEqual(MIGRATIONS.filter((m) => m.version > 3).map((m) => m.version));
      const sink = postgresAccessLogSink(old.client);
      expect((await sink.read({ actor: 'agent-13' })).map((e) => e.seq)).toEqual([1, 5]);
      expect((await sink.read({ subject: log.subjectRef('cust-2'), from: rec(2).time })).map((e) => e.seq)).toEqual([2]);
      expect(await verifyAccessLog(await sink.read())).toMatchObject({ ok: true, events: 8 });
    } finally {
      await old.close();
    }
  }, 120_000);

  it('queries stay indexed: actor, subject and time filters use the indexes over the hashed event', async () => {
    const seen: [string, readonly unknown[]][] = [];
    const query = ((sql: string, params?: readonly unknown[]) => {
      seen.push([sql, params ?? []]);
      return db.client.query(sql, params);
    }) as Query;
    const spy: SqlClient = { query, transaction: (fn) => db.client.transaction(fn) };
    const sink = postgresAccessLogSink(spy);
    const cases: [Parameters<typeof sink.read>[0], string][] = [
      [{ actor: 'agent-13', from: rec(1).time }, 'purposeful_access_events_actor'],
      [{ subject: 'sr_x', to: rec(9).time }, 'purposeful_access_events_subject'],
      [{ from: rec(1).time, to: rec(9).time }, 'purposeful_access_events_time'],
      [{ chain: 'web-1.x' }, 'purposeful_access_events_chain'],
    ];
    for (const [q, index] of cases) {
      await sink.read(q);
      const [sql, params] = seen.at(-1) as [string, readonly unknown[]];
      const plan = await db.client.transaction(async (tx) => {
        await tx('SET LOCAL enable_seqscan = off');
        const { rows } = await tx<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan, JSON.stringify(q)).toContain(index);
    }
  });
});

describeStoreTampering(`PostgreSQL (${onServer ? 'server' : 'PGlite'})`, async () => {
  if (!store) throw new Error('no database');
  const { client } = store;
  await client.query('DELETE FROM purposeful_access_events');
  await client.query('DELETE FROM purposeful_access_checkpoints');
  return {
    sink: postgresAccessLogSink(client),
    checkpoints: postgresCheckpointSink(client),
    async remove(chain, fromSeq) {
      await client.query('DELETE FROM purposeful_access_events WHERE chain = $1 AND seq >= $2', [chain, fromSeq]);
    },
  };
});

describe(`the incident register on PostgreSQL (${onServer ? 'server' : 'PGlite'})`, () => {
  it('keeps every incident, notified or not, and refuses removal within five years', async () => {
    const register = postgresIncidentRegister(db.client);
    const entry = {
      id: 'INC-PG-1',
      title: 'Dump of a staging table',
      knownAt: '2026-11-29T12:00:00.000Z',
      registeredAt: '2026-11-29T12:00:00.000Z', // Res. CD/ANPD 15/2024 Art. 10: five years from the registration
      circumstances: 'A staging table was dumped through a misconfigured bucket.',
      data: { categories: [], sensitiveCategories: [] },
      subjects: 0,
      riskAssessment: 'No personal data in it.',
      notified: false,
      reason: 'no personal data in it',
    };
    await register.add(entry, { carriedOver: true });
    await expect(register.add(entry, { carriedOver: true })).rejects.toThrow(/already registered/);
    await register.update('INC-PG-1', {
      notified: true,
      notifiedAt: '2026-11-30T12:00:00.000Z',
      communication: { means: ['ANPD electronic form'], content: 'the report' },
      criteria: ['largeScale'],
    });
    expect(await register.get('INC-PG-1')).toMatchObject({ notified: true, criteria: ['largeScale'], knownAt: entry.knownAt });
    expect((await register.list()).map((e) => e.id)).toContain('INC-PG-1');
    await expect(register.remove('INC-PG-1', new Date('2030-01-01T00:00:00Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    await register.remove('INC-PG-1', new Date('2032-01-01T00:00:00Z'));
    expect(await register.get('INC-PG-1')).toBeUndefined();
  });
});
