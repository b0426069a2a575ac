/**
 * Consent checks and ledger writes: a cached check (ns per check), an
 * uncached check against PostgreSQL (when DATABASE_URL is set) and PGlite, and
 * ledger appends per second. One tinybench run; absolute numbers depend on the
 * machine, the ratios between rows are what to compare.
 *
 * Then the cache under notification load: 100,000 cached states while 1,000
 * notifications a second arrive for other subjects (issue 16, part 6), with
 * the event-loop lag (p99, `monitorEventLoopDelay`) and the heap growth after
 * a forced GC. Targets: lag p99 under 10 ms, heap flat. The window is 20 s by
 * default; `PURPOSEFUL_BENCH_CONSENT_SECONDS=600 npm run bench -- consent` runs
 * the 10-minute one. The in-process transport isolates the cache's own cost;
 * with DATABASE_URL the same load also goes through a server's LISTEN. A
 * baseline row (same cache, no notifications) shows what the machine and the
 * garbage collector cost on their own.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Bench, type FnReturnedObject } from 'tinybench';
import { purposes } from '../../examples/support-desk/declarations.js';
import { type ConsentLedger, memoryConsentLedger } from '../../src/index.js';
import {
  CONSENT_CHANNEL,
  type ConsentListenSource,
  cachedConsentLedger,
  fromPg,
  fromPglite,
  migrate,
  postgresConsentLedger,
  type SqlClient,
} from '../../src/postgres/index.js';
import { memoryBus } from '../helpers/consent-bus.js';
import { fmtOps, printTable } from './table.js';

const BATCH = 256;
const hash = '0'.repeat(64);
const grant = (subject: string) => ({
  subject,
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash },
  method: 'checkbox' as const,
  collectionPoint: 'bench',
});

export async function runConsentBench(): Promise<void> {
  const targets: Array<{
    name: string;
    client: SqlClient;
    listen: Parameters<typeof cachedConsentLedger>[1]['listen'];
    close: () => Promise<void>;
  }> = [];
  const lite = await PGlite.create();
  targets.push({ name: 'PGlite', client: fromPglite(lite), listen: { pglite: lite }, close: () => lite.close() });
  if (process.env.DATABASE_URL) {
    const schema = `bench_${Date.now().toString(36)}`;
    const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8, options: `-c search_path=${schema}` });
    targets.push({
      name: 'PostgreSQL',
      client: fromPg(pool),
      listen: { pool: pool as never },
      close: async () => {
        await pool.end();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    });
  }
  console.log(
    `\n## consent: checks and appends (${targets.map((t) => t.name).join(', ')}${process.env.DATABASE_URL ? '' : '; set DATABASE_URL for the server rows'})`,
  );
  const bench = new Bench({ name: 'consent', time: 1000, warmup: true, warmupTime: 200, throws: true });
  const closers: Array<() => Promise<void>> = [];
  let cachedAdded = false;
  for (const t of targets) {
    await migrate(t.client);
    const ledger = postgresConsentLedger(t.client, purposes);
    for (let i = 0; i < 100; i++) await ledger.grant(grant(`s-${i}`));
    if (!cachedAdded) {
      const cached = await cachedConsentLedger(ledger, { client: t.client, listen: t.listen, heartbeatMs: 200 });
      closers.push(() => cached.close());
      await new Promise((r) => setTimeout(r, 300));
      await cached.status('s-1', ['support.survey']);
      if (!cached.enabled) console.log('warning: the cache is not enabled (no heartbeat)');
      bench.add('cached check (status of one purpose)', async (): Promise<FnReturnedObject> => {
        const t0 = bench.now();
        for (let i = 0; i < BATCH; i++) await cached.status('s-1', ['support.survey']);
        const elapsed = bench.now() - t0;
        return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
      });
      cachedAdded = true;
    }
    let n = 0;
    bench.add(`uncached check, ${t.name}`, async () => {
      await ledger.status(`s-${n++ % 100}`, ['support.survey']);
    });
    let m = 0;
    bench.add(`ledger append (grant), ${t.name}`, async () => {
      await ledger.grant(grant(`a-${m++ % 50}`));
    });
    closers.push(t.close);
  }
  await bench.run();
  const body = bench.tasks.map((task) => {
    const r = task.result as { latency?: { mean?: number; p50?: number } } | undefined;
    const mean = r?.latency?.mean ?? Number.NaN;
    return [
      task.name,
      fmtOps(1000 / mean),
      `${(mean * 1e6).toFixed(0)} ns`,
      `${((r?.latency?.p50 ?? Number.NaN) * 1000).toFixed(1)} µs`,
    ];
  });
  printTable('consent', ['operation', 'ops/s', 'mean', 'p50'], body);
  for (const close of closers) await close();
  await runNotificationLoad();
}

const ENTRIES = 100_000;
const RATE = 1000; // notifications per second, for subjects nobody cached
const LAG_TARGET_MS = 10;
const HEAP_TARGET_MB = 5;

/** A heap figure after a full collection (the flag is set at run time: `npm run bench` passes no node flags). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

interface LoadResult {
  readonly transport: string;
  readonly entries: number;
  readonly sent: number;
  readonly seconds: number;
  readonly cpuPerNotificationUs: number;
  readonly lagP50: number;
  readonly lagP99: number;
  readonly lagMax: number;
  readonly heapGrowthMb: number;
  readonly heapSeries: readonly number[];
  readonly hits: number;
}

/**
 * Fills the cache with ENTRIES states, then sends RATE notifications a second
 * for subjects that are not cached, for `seconds`, in batches every 10 ms (as
 * a socket delivers them). The inner ledger is the memory one, so filling is
 * quick and every miss afterwards is counted.
 */
async function notificationLoad(
  transport: string,
  seconds: number,
  client: SqlClient,
  listen: ConsentListenSource,
  send: (payloads: string[]) => Promise<void> | void,
  rate = RATE,
): Promise<LoadResult> {
  let misses = 0;
  const inner = memoryConsentLedger(purposes);
  const counting: ConsentLedger = {
    ...inner,
    status: (subject, list, now) => {
      misses++;
      return inner.status(subject, list, now);
    },
  };
  const cached = await cachedConsentLedger(counting, { client, listen, heartbeatMs: 200, ttlMs: 3_600_000 });
  try {
    for (let t0 = Date.now(); !cached.enabled && Date.now() - t0 < 3000; ) await new Promise((r) => setTimeout(r, 20));
    if (!cached.enabled) console.log(`warning: the cache is not enabled on ${transport} (no heartbeat)`);
    await fill(cached);
    // how many states the cache really holds: read them all again and count the reads that reach the ledger
    const missesBefore = misses;
    await fill(cached);
    const entries = ENTRIES - (misses - missesBefore);
    const heap0 = heapAfterGc();
    const heapSeries: number[] = [];
    const lag = monitorEventLoopDelay({ resolution: 1 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let sent = 0;
    let n = 0;
    lag.enable();
    await new Promise<void>((done) => {
      let nextSample = t0 + 60_000;
      const timer = setInterval(() => {
        const now = performance.now();
        if (now - t0 >= seconds * 1000) {
          clearInterval(timer);
          done();
          return;
        }
        // keep the rate: send what is due, at most 100 at a time (a saturated loop falls behind rather than piling up)
        const due = Math.min(100, Math.floor(((now - t0) / 1000) * rate) - sent);
        if (due > 0) {
          const batch: string[] = [];
          for (let i = 0; i < due; i++) batch.push(JSON.stringify({ subject: `n-${n++}`, purpose: 'support.survey' }));
          sent += due;
          void send(batch);
        }
        if (now >= nextSample) {
          nextSample += 60_000;
          heapSeries.push(process.memoryUsage().heapUsed);
        }
      }, 10);
    });
    lag.disable();
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 200)); // the last notifications arrive
    const heap1 = heapAfterGc();
    // the cached states of other subjects are still served from the cache
    // two full collections can outlast three heartbeats: wait for the cache to be on again before counting hits
    for (let w = Date.now(); !cached.enabled && Date.now() - w < 3000; ) await new Promise((r) => setTimeout(r, 20));
    const before = misses;
    for (let i = 0; i < 1000; i++) await cached.status(`s-${(i * 97) % ENTRIES}`, ['support.survey']);
    return {
      transport,
      entries,
      sent,
      seconds: elapsed,
      cpuPerNotificationUs: sent > 0 ? ((cpu.user + cpu.system) / sent) | 0 : 0,
      lagP50: lag.percentile(50) / 1e6,
      lagP99: lag.percentile(99) / 1e6,
      lagMax: lag.max / 1e6,
      heapGrowthMb: (heap1 - heap0) / 1e6,
      heapSeries,
      hits: 1000 - (misses - before),
    };
  } finally {
    await cached.close();
  }
}

/** Caches ENTRIES states, yielding to timers now and then so that heartbeats keep the cache on. */
async function fill(cached: ConsentLedger): Promise<void> {
  for (let i = 0; i < ENTRIES; i++) {
    await cached.status(`s-${i}`, ['support.survey']);
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
}

/** The cost of one notification at ENTRIES cached states, delivered synchronously (no transport). */
async function oneNotificationCost(): Promise<number> {
  const bus = memoryBus();
  const cached = await cachedConsentLedger(memoryConsentLedger(purposes), {
    client: bus.client,
    listen: bus.listen,
    heartbeatMs: 200,
    ttlMs: 3_600_000,
  });
  try {
    for (let t0 = Date.now(); !cached.enabled && Date.now() - t0 < 3000; ) await new Promise((r) => setTimeout(r, 20));
    await fill(cached);
    const N = 200;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) bus.deliver(JSON.stringify({ subject: `x-${i}`, purpose: 'support.survey' }));
    return (performance.now() - t0) / N;
  } finally {
    await cached.close();
  }
}

/** The heap left behind by notifications for 200,000 distinct subjects that nobody cached. */
async function notifiedSubjectsHeap(): Promise<number> {
  const bus = memoryBus();
  const cached = await cachedConsentLedger(memoryConsentLedger(purposes), {
    client: bus.client,
    listen: bus.listen,
    heartbeatMs: 200,
  });
  try {
    for (let t0 = Date.now(); !cached.enabled && Date.now() - t0 < 3000; ) await new Promise((r) => setTimeout(r, 20));
    const heap0 = heapAfterGc();
    for (let i = 0; i < 200_000; i++)
      bus.deliver(JSON.stringify({ subject: globalThis.crypto.randomUUID(), purpose: 'support.survey' }));
    return (heapAfterGc() - heap0) / 1e6;
  } finally {
    await cached.close();
  }
}

async function runNotificationLoad(): Promise<void> {
  const seconds = Number(process.env.PURPOSEFUL_BENCH_CONSENT_SECONDS ?? 20);
  console.log(
    `\n## consent cache under notifications: ${ENTRIES.toLocaleString('en-US')} cached states, ${RATE.toLocaleString('en-US')} notifications/s for other subjects, ${seconds} s (PURPOSEFUL_BENCH_CONSENT_SECONDS=600 for 10 minutes)`,
  );
  const perNotification = await oneNotificationCost();
  console.log(`one notification at ${ENTRIES.toLocaleString('en-US')} cached states: ${(perNotification * 1000).toFixed(1)} µs`);
  console.log(`heap left by notifications for 200,000 distinct subjects: ${(await notifiedSubjectsHeap()).toFixed(1)} MB`);
  const results: LoadResult[] = [];
  const bus = memoryBus();
  // the same process with the same cache and no notifications: what the machine and the collector cost on their own
  results.push(await notificationLoad('baseline, no notifications', seconds, bus.client, bus.listen, () => undefined, 0));
  results.push(
    await notificationLoad('in-process', seconds, bus.client, bus.listen, (batch) => {
      for (const p of batch) bus.deliver(p);
    }),
  );
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    const sender = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    try {
      results.push(
        await notificationLoad('PostgreSQL LISTEN', seconds, fromPg(pool), { pool: pool as never }, async (batch) => {
          await sender.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CONSENT_CHANNEL, batch]);
        }),
      );
    } finally {
      await pool.end();
      await sender.end();
    }
  }
  const missed: string[] = [];
  const body = results.map((r) => {
    if (r.sent > 0 && !(r.lagP99 < LAG_TARGET_MS))
      missed.push(`${r.transport}: event-loop lag p99 ${r.lagP99.toFixed(1)} ms (target < ${LAG_TARGET_MS} ms)`);
    if (!(r.heapGrowthMb < HEAP_TARGET_MB))
      missed.push(`${r.transport}: heap grew ${r.heapGrowthMb.toFixed(1)} MB (target flat, < ${HEAP_TARGET_MB} MB)`);
    return [
      r.transport,
      fmtOps(r.entries),
      `${fmtOps(r.sent / r.seconds)}/s`,
      r.sent > 0 ? `${r.cpuPerNotificationUs} µs` : '—',
      `${r.lagP50.toFixed(1)} ms`,
      `${r.lagP99.toFixed(1)} ms`,
      `${r.lagMax.toFixed(0)} ms`,
      `${r.heapGrowthMb >= 0 ? '+' : ''}${r.heapGrowthMb.toFixed(1)} MB`,
      `${r.hits}/1000`,
    ];
  });
  printTable(
    'consent cache under notifications',
    ['transport', 'cached', 'notifications', 'CPU each', 'lag p50', 'lag p99', 'lag max', 'heap growth', 'hits after'],
    body,
  );
  for (const r of results) {
    if (r.heapSeries.length > 0)
      console.log(
        `${r.transport}: heap each minute (not collected) ${r.heapSeries.map((h) => `${(h / 1e6).toFixed(0)} MB`).join(', ')}`,
      );
  }
  for (const m of missed) console.log(`target missed: ${m}`);
}
