/**
 * Consent checks and ledger writes: a cached check (ns per check), an
 * uncached check against PostgreSQL (when DATABASE_URL is set) and PGlite, and
 * ledger appends per second. One tinybench run; absolute numbers depend on the
 * machine, the ratios between rows are what to compare.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Bench, type FnReturnedObject } from 'tinybench';
import { purposes } from '../../examples/support-desk/declarations.js';
import {
  cachedConsentLedger,
  fromPg,
  fromPglite,
  migrate,
  postgresConsentLedger,
  type SqlClient,
} from '../../src/postgres/index.js';
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
}
