/**
 * The access log: events appended per second to memory, a JSONL file and
 * PostgreSQL (PGlite, and the server when DATABASE_URL is set), events
 * verified per second, and the anomaly watch's cost per event. Each row sets
 * purposeful beside the bare work a log without tamper evidence would do on
 * the same sink (the same events as JSON, no subject key, no hash chain, the
 * same batches and the same fsync), interleaved over rounds, median taken:
 * the ratio is what a tamper-evident log costs.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import canonicalizeModule from 'canonicalize';
import pg from 'pg';
import {
  type AccessEvent,
  type AccessLogSink,
  type AccessRecord,
  anomalyWatch,
  createAccessLog,
  memoryAccessLogSink,
  verifyAccessLog,
} from '../../src/index.js';
import { jsonlAccessLogSink } from '../../src/node/index.js';
import { fromPg, fromPglite, migrate, postgresAccessLogSink, type SqlClient } from '../../src/postgres/index.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

const ROUNDS = 5;
const BATCH = 500;
const subjectKey = new Uint8Array(32).fill(4);

const record = (i: number): AccessRecord => ({
  time: new Date(Date.UTC(2026, 10, 29, 10, 0, 0, i % 1000)).toISOString(),
  action: 'open',
  decision: 'allow',
  actor: { id: `agent-${i % 40}`, roles: ['support'], mfa: false },
  subjectId: `0b4f0d3e-8a3c-4a39-9a53-${String(i % 5000).padStart(12, '0')}`,
  schema: 'customer',
  fields: ['name', 'cpf', 'email', 'phone'],
  categories: ['user.contact.email', 'user.contact.phone_number', 'user.government_id', 'user.name'],
  sensitive: i % 10 === 0,
  purpose: 'support.ticket',
  legalBasis: { lgpd: 'contract', gdpr: 'contract' },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Events per second through purposeful's log (record, then flush) into a fresh sink. */
async function ours(n: number, sink: () => AccessLogSink): Promise<number> {
  const log = createAccessLog({ sink: sink(), subjectKey, batchSize: BATCH, maxQueue: n + 1 });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) log.record(record(i));
  await log.flush();
  return n / ((performance.now() - t0) / 1000);
}

/** Events per second of the bare work: the same events as JSON, in the same batches, into the same kind of store. */
async function bare(n: number, write: (lines: string[], events: AccessRecord[]) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let at = 0; at < n; at += BATCH) {
    const events: AccessRecord[] = [];
    for (let i = at; i < Math.min(n, at + BATCH); i++) events.push(record(i));
    await write(
      events.map((e) => JSON.stringify(e)),
      events,
    );
  }
  return n / ((performance.now() - t0) / 1000);
}

async function pgTargets(): Promise<{ name: string; client: SqlClient; close: () => Promise<void> }[]> {
  const out: { name: string; client: SqlClient; close: () => Promise<void> }[] = [];
  const lite = await PGlite.create();
  out.push({ name: 'PGlite', client: fromPglite(lite), close: () => lite.close() });
  if (process.env.DATABASE_URL) {
    const schema = `bench_audit_${Date.now().toString(36)}`;
    const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
    out.push({
      name: 'PostgreSQL',
      client: fromPg(pool),
      close: async () => {
        await pool.end();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    });
  }
  for (const t of out) {
    await migrate(t.client);
    await t.client.query(
      `CREATE TABLE IF NOT EXISTS bare_events (chain text, seq bigint, event jsonb, PRIMARY KEY (chain, seq))`,
    );
  }
  return out;
}

export async function runAuditBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'purposeful-bench-audit-'));
  let files = 0;
  const file = () => join(dir, `f${++files}.jsonl`);
  const targets = await pgTargets();
  console.log(
    `\n## audit: the access log (appends per second, ${BATCH} per batch; ${targets.map((t) => t.name).join(', ')}${process.env.DATABASE_URL ? '' : '; set DATABASE_URL for the server rows'})`,
  );
  type Row = { name: string; n: number; ours: () => Promise<number>; bare: () => Promise<number> };
  let bareChain = 0;
  const rows: Row[] = [
    { name: 'memory', n: 20_000, ours: () => ours(20_000, memoryAccessLogSink), bare: () => bare(20_000, async () => {}) },
    {
      name: 'JSONL file (datasync per batch)',
      n: 20_000,
      ours: () => ours(20_000, () => jsonlAccessLogSink(file())),
      bare: async () => {
        const path = file();
        return bare(20_000, async (lines) => {
          const fh = await open(path, 'a');
          await fh.write(`${lines.join('\n')}\n`);
          await fh.datasync();
          await fh.close();
        });
      },
    },
    ...targets.map(
      (t): Row => ({
        name: t.name,
        n: 5_000,
        ours: () => ours(5_000, () => postgresAccessLogSink(t.client)),
        bare: () => {
          const chain = `bare${++bareChain}`;
          let seq = 0;
          return bare(5_000, async (lines) => {
            const params: unknown[] = [];
            const values = lines.map((l) => {
              params.push(chain, ++seq, l);
              return `($${params.length - 2}, $${params.length - 1}, $${params.length})`;
            });
            await t.client.transaction((q) =>
              q(`INSERT INTO bare_events (chain, seq, event) VALUES ${values.join(', ')}`, params),
            );
          });
        },
      }),
    ),
  ];
  const table: string[][] = [];
  for (const row of rows) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(await row.ours());
      b.push(await row.bare());
    }
    table.push([row.name, fmtOps(median(a)), fmtOps(median(b)), fmtRatio(median(a) / median(b))]);
  }
  printTable('audit: events appended per second', ['sink', 'purposeful (chained)', 'bare JSON (no chain)', 'ratio'], table);

  // verification: the walk, the canonical JSON and the hash, against hashing the same bytes alone
  const sink = memoryAccessLogSink();
  const log = createAccessLog({ sink, subjectKey, maxQueue: 50_001, batchSize: 5_000 });
  for (let i = 0; i < 50_000; i++) log.record(record(i));
  await log.flush();
  const events: AccessEvent[] = sink.events;
  const ver: number[] = [];
  const hashOnly: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    const report = await verifyAccessLog(events);
    if (!report.ok) throw new Error('the bench log does not verify');
    ver.push(events.length / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (const e of events)
      createHash('sha256')
        .update(`${e.prev}${(canonicalizeModule as unknown as (v: unknown) => string)(e)}`)
        .digest('hex');
    hashOnly.push(events.length / ((performance.now() - t0) / 1000));
  }
  printTable(
    'audit: events verified per second (50,000 events)',
    ['step', 'events/s', 'ratio'],
    [
      ['verifyAccessLog', fmtOps(median(ver)), fmtRatio(median(ver) / median(hashOnly))],
      ['canonical JSON + SHA-256 alone', fmtOps(median(hashOnly)), '1.00×'],
    ],
  );

  // the anomaly watch per event, against counting the same events in a plain Map
  const watch = anomalyWatch({
    thresholds: { windowMs: 600_000, subjects: 1_000, sensitiveReads: 1_000, denials: 1_000 },
    onAlert: () => {},
  });
  const recs = Array.from({ length: 100_000 }, (_, i) => record(i));
  const w: number[] = [];
  const m: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    for (const x of recs) watch.observe(x);
    w.push(((performance.now() - t0) * 1e6) / recs.length);
    const counts = new Map<string, number>();
    t0 = performance.now();
    for (const x of recs) counts.set(x.actor.id, (counts.get(x.actor.id) ?? 0) + 1);
    m.push(((performance.now() - t0) * 1e6) / recs.length);
  }
  printTable(
    'audit: anomaly watch, ns per event (100,000 events, 40 actors, 5,000 subjects)',
    ['step', 'ns/event', 'ratio'],
    [
      ['anomalyWatch().observe', median(w).toFixed(0), fmtRatio(median(w) / median(m))],
      ['a Map counter per actor', median(m).toFixed(0), '1.00×'],
    ],
  );
  for (const t of targets) await t.close();
  rmSync(dir, { recursive: true, force: true });
}
