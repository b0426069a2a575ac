/**
 * The data layer: 1,000 inserts then 1,000 reads by blind index of a record
 * with three encrypted fields (email, phone, note) and one blind index (email),
 * through Drizzle on PGlite (always) and on PostgreSQL at DATABASE_URL (a
 * fresh schema, dropped after). Every contestant writes one record per
 * statement (the per-request case) and reads one row per query, then has its
 * three fields decrypted; each read is checked to give back the value sought.
 *
 * - bare Drizzle, plaintext columns, a B-tree index on email: the floor.
 * - @47ng/cloak 1.2 by hand around bare Drizzle: `encryptStringSync` of the
 *   three fields (AES-256-GCM, one key, no associated data), the blind index
 *   an HMAC-SHA256 (node:crypto) of the trimmed lowercase email in an indexed
 *   column; reads `where bidx = hmac(value)`, then `decryptStringSync` ×3.
 * - purposeful/drizzle: `forPurpose(ctx).insert(binding, record)` and
 *   `findFirst(binding, { where: data.eq(table.email, value) })`: inbound
 *   checks (undeclared fields, zod validation, consent), `pf.seal`, the
 *   column checks, one INSERT; `pf.authorize`, the query through
 *   `pf.indexFor`, `pf.openMany`.
 * - bare `pf.seal` / `pf.open` + the bare Drizzle query: the same job by hand
 *   with the engine (`pf.seal` then `db.insert`; `pf.indexFor` +
 *   `where bidx IN (…)` then `pf.open`). The reference of "within 20 %".
 * - purposeful/drizzle with a memory access log: the same calls, plus the
 *   access events (flushed inside the timed phase).
 *
 * The purposeful rows use the engine with a memory key store and a data key
 * per subject (the record's customer): the first insert of a customer creates
 * and stores it, reads fetch it (cached). Two runs: every record its own
 * customer (a key per insert: the worst case), then ten records per customer.
 * cloak uses one key for every record. Sealed columns check each bound value
 * is an envelope.
 *
 * Timing: a warm-up pass per contestant, then ROUNDS rounds; in each, every
 * contestant (in a rotating order) inserts N new records then reads them by
 * email in another order. Reported: the median round, ops/s per phase.
 * Missed targets are printed, never an exit status.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import {
  decryptStringSync as cloakDecrypt,
  encryptStringSync as cloakEncrypt,
  generateKey as cloakGenerateKey,
  parseKey as cloakParseKey,
} from '@47ng/cloak';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { eq, inArray } from 'drizzle-orm';
import { drizzle as overPg } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle as overPglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { z } from 'zod';
import { type AnyPgDatabase, bindTable, purposefulDrizzle, sealed } from '../../adapters/drizzle.js';
import { bindModel, purposefulPrisma } from '../../adapters/prisma.js';
import {
  accessLogPurpose,
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  memoryAccessLogSink,
  memoryKeyStore,
  pd,
} from '../../src/index.js';
import type { PrismaClient as GeneratedPrismaClient } from '../prisma/generated/client.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

/** Records inserted, then read, per contestant and round. */
const N = 1_000;
/** Timed rounds (the median is reported) and the warm-up size. */
const ROUNDS = 3;
const WARMUP = 200;

// ───────────────────────────── declarations ─────────────────────────────

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      dataUse: 'essential.service',
    },
    'security.access_log': accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
    }),
  },
  { controller: { name: 'Bench Ltda', contact: 'privacidade@example.com.br' } },
);

/** A customer contact: three encrypted fields, the email indexed. */
const Contact = defineSchema(
  'bench.contact',
  z.object({
    id: pd.none(z.string()),
    customerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
    email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true, index: 'email' }),
    phone: pd(z.string(), { category: 'user.contact.phone_number', purposes: ['support.ticket'], encrypt: true }),
    note: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId' }, recordId: 'id' },
);
type ContactRecord = { id: string; customerId: string; name: string; email: string; phone: string; note: string };
const CTX = { purpose: 'support.ticket', actor: { id: 'bench-agent' } } as const;

// ───────────────────────────── tables ─────────────────────────────

const plainTable = (name: string) =>
  pgTable(name, {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone').notNull(),
    note: text('note').notNull(),
  });
const cloakTable = (name: string) =>
  pgTable(name, {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    bidx_email: text('bidx_email').notNull(),
    phone: text('phone').notNull(),
    note: text('note').notNull(),
  });
const sealedTable = (name: string) =>
  pgTable(name, {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    name: text('name').notNull(),
    email: sealed('email').notNull(),
    bidx_email: text('bidx_email').notNull(),
    phone: sealed('phone').notNull(),
    note: sealed('note').notNull(),
  });

const ddl = (name: string, lookup: 'email' | 'bidx_email') =>
  `CREATE TABLE ${name} (id text PRIMARY KEY, customer_id text NOT NULL, name text NOT NULL, email text NOT NULL, ${
    lookup === 'bidx_email' ? 'bidx_email text NOT NULL, ' : ''
  }phone text NOT NULL, note text NOT NULL); CREATE INDEX ${name}_lookup ON ${name} (${lookup})`;

// ───────────────────────────── contestants ─────────────────────────────

interface Contestant {
  readonly name: string;
  insert(record: ContactRecord): Promise<void>;
  /** The record found by email, its three encrypted fields decrypted. */
  read(email: string): Promise<{ email: unknown; phone: unknown; note: unknown } | undefined>;
  /** Work owed to the phase (the access log's flush). */
  settle?(): Promise<void>;
}

const BARE = 'bare Drizzle, plaintext (floor)';
const CLOAK = '@47ng/cloak by hand + bare Drizzle';
const PFD = 'purposeful/drizzle';
const REF = 'pf.seal/pf.open + bare Drizzle (ref)';
const PFD_LOG = 'purposeful/drizzle + memory access log';
const PRISMA_BARE = 'bare Prisma, plaintext';
const PFP = 'purposeful/prisma';
const PRISMA_REF = 'pf.seal/pf.open + bare Prisma (ref)';

function bare(db: AnyPgDatabase): Contestant {
  const t = plainTable('bench_bare');
  return {
    name: BARE,
    insert: async (r) => void (await db.insert(t).values(r)),
    read: async (email) => (await db.select().from(t).where(eq(t.email, email)).limit(1))[0],
  };
}

async function cloak(db: AnyPgDatabase): Promise<Contestant> {
  const t = cloakTable('bench_cloak');
  const key = await cloakParseKey(cloakGenerateKey());
  const indexKey = randomBytes(32);
  const bidx = (email: string) => createHmac('sha256', indexKey).update(email.trim().toLowerCase()).digest('base64url');
  return {
    name: CLOAK,
    async insert(r) {
      const row = {
        id: r.id,
        customerId: r.customerId,
        name: r.name,
        email: cloakEncrypt(r.email, key),
        bidx_email: bidx(r.email),
        phone: cloakEncrypt(r.phone, key),
        note: cloakEncrypt(r.note, key),
      };
      await db.insert(t).values(row);
    },
    async read(email) {
      const row = (
        await db
          .select()
          .from(t)
          .where(eq(t.bidx_email, bidx(email)))
          .limit(1)
      )[0];
      if (row === undefined) return undefined;
      return { email: cloakDecrypt(row.email, key), phone: cloakDecrypt(row.phone, key), note: cloakDecrypt(row.note, key) };
    },
  };
}

function engine(withLog: boolean) {
  const audit = withLog
    ? createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(1), maxQueue: 1_000_000 })
    : undefined;
  const pf = createPurposeful({
    purposes,
    schemas: [Contact],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    ...(audit ? { audit } : {}),
  });
  return { pf, audit };
}

function viaDrizzle(db: AnyPgDatabase, withLog: boolean): Contestant {
  const t = sealedTable(withLog ? 'bench_pfd_log' : 'bench_pfd');
  const { pf, audit } = engine(withLog);
  const binding = bindTable(Contact, t);
  const data = purposefulDrizzle(db, pf, { bindings: [binding] });
  const scoped = data.forPurpose(CTX);
  return {
    name: withLog ? PFD_LOG : PFD,
    insert: async (r) => void (await scoped.insert(binding, r)),
    read: (email) => scoped.findFirst(binding, { where: data.eq(t.email, email) }),
    ...(audit ? { settle: () => audit.flush() } : {}),
  };
}

function reference(db: AnyPgDatabase): Contestant {
  const t = sealedTable('bench_ref');
  const { pf } = engine(false);
  return {
    name: REF,
    async insert(r) {
      await db.insert(t).values((await pf.seal(Contact, r, CTX)) as typeof t.$inferInsert);
    },
    async read(email) {
      const rows = await db
        .select()
        .from(t)
        .where(inArray(t.bidx_email, pf.indexFor(Contact, 'email', email)))
        .limit(1);
      return rows[0] === undefined ? undefined : pf.open(Contact, rows[0], CTX);
    },
  };
}

// ───────────────────────────── Prisma (PostgreSQL only) ─────────────────────────────

/** A Prisma client (adapter-pg, one connection) on a fresh schema of its own holding the bench_contact table. */
async function prismaOn(url: string, lookup: 'email' | 'bidx_email') {
  // generated by `npm run prisma:generate` (the test set-up and `npm run typecheck` run it too)
  const { PrismaClient } = await import('../prisma/generated/client.js');
  const schema = `bench_p_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(
    `CREATE TABLE ${schema}.bench_contact (id text PRIMARY KEY, customer_id text NOT NULL, name text NOT NULL, email text NOT NULL, bidx_email text, phone text NOT NULL, note text NOT NULL); CREATE INDEX ON ${schema}.bench_contact (${lookup})`,
  );
  const prisma: GeneratedPrismaClient = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 1 }, { schema }),
  });
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

async function prismaBare(url: string): Promise<Contestant & { close(): Promise<void> }> {
  const { prisma, close } = await prismaOn(url, 'email');
  return {
    name: PRISMA_BARE,
    insert: async (r) => void (await prisma.benchContact.create({ data: r, select: { id: true } })),
    read: async (email) => (await prisma.benchContact.findFirst({ where: { email } })) ?? undefined,
    close,
  };
}

async function prismaScoped(url: string): Promise<Contestant & { close(): Promise<void> }> {
  const { prisma, close } = await prismaOn(url, 'bidx_email');
  const { pf } = engine(false);
  const scoped = purposefulPrisma(prisma, pf, { bindings: [bindModel(Contact, 'BenchContact')] }).forPurpose(CTX);
  return {
    name: PFP,
    insert: async (r) => void (await scoped.benchContact.create({ data: r, select: { id: true } })),
    read: async (email) => (await scoped.benchContact.findFirst({ where: { email } })) ?? undefined,
    close,
  };
}

async function prismaReference(url: string): Promise<Contestant & { close(): Promise<void> }> {
  const { prisma, close } = await prismaOn(url, 'bidx_email');
  const { pf } = engine(false);
  return {
    name: PRISMA_REF,
    async insert(r) {
      const row = (await pf.seal(Contact, r, CTX)) as ContactRecord & { bidx_email: string };
      await prisma.benchContact.create({ data: row, select: { id: true } });
    },
    async read(email) {
      const row = await prisma.benchContact.findFirst({ where: { bidx_email: { in: pf.indexFor(Contact, 'email', email) } } });
      return row === null ? undefined : pf.open(Contact, row, CTX);
    },
    close,
  };
}

// ───────────────────────────── databases ─────────────────────────────

interface Database {
  readonly name: string;
  /** The server's URL: Prisma runs there only (not on PGlite). */
  readonly url?: string;
  readonly db: AnyPgDatabase;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function pglite(): Promise<Database> {
  const client = await PGlite.create();
  return {
    name: 'PGlite (embedded)',
    db: overPglite({ client }) as unknown as AnyPgDatabase,
    exec: async (sql) => void (await client.exec(sql)),
    close: () => client.close(),
  };
}

async function server(url: string): Promise<Database> {
  const schema = `bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  return {
    name: 'PostgreSQL (node-postgres, 127.0.0.1, one connection)',
    url,
    db: overPg({ client: pool }) as unknown as AnyPgDatabase,
    exec: async (sql) => void (await pool.query(sql)),
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

// ───────────────────────────── the run ─────────────────────────────

let serial = 0;
/** `n` new records; `perSubject` records in a row share a customer (a new one each time), 1: each its own. */
function records(n: number, perSubject: number): ContactRecord[] {
  let customerId = '';
  return Array.from({ length: n }, (_, k) => {
    const i = serial++;
    if (k % perSubject === 0) customerId = randomUUID();
    return {
      id: randomUUID(),
      customerId,
      name: `Cliente ${i}`,
      email: `cliente.${i}@example.com.br`,
      phone: `+55 11 9${String(10_000_000 + i).slice(-8)}`,
      note: `Prefers a call after 6 pm on weekdays; ticket ${i} about a failed payment slip.`,
    };
  });
}

/** Inserts then reads `batch`, each read checked; the ms of each phase. */
async function pass(c: Contestant, batch: ContactRecord[]): Promise<{ insert: number; read: number }> {
  const t0 = performance.now();
  for (const r of batch) await c.insert(r);
  await c.settle?.();
  const t1 = performance.now();
  // read in another order than written
  for (let k = 0; k < batch.length; k++) {
    const r = batch[(k * 7919) % batch.length] as ContactRecord;
    const got = await c.read(r.email);
    if (got?.email !== r.email || got.phone !== r.phone || got.note !== r.note) {
      throw new Error(`${c.name}: the read of ${r.email} did not give the record back`);
    }
  }
  await c.settle?.();
  return { insert: t1 - t0, read: performance.now() - t1 };
}

/**
 * How records map to subjects, each a run of its own: every record its own customer (a data key created and stored
 * per insert: the worst case, and the targets' case), then ten records per customer (a desk's tickets).
 */
const SUBJECTS: ReadonlyArray<readonly [number, string]> = [
  [1, 'one customer per record'],
  [10, 'ten records per customer'],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Result {
  insert: number;
  read: number;
}

async function runOn(database: Database, perSubject: number): Promise<Map<string, Result>> {
  const { db } = database;
  for (const [name, lookup] of [
    ['bench_bare', 'email'],
    ['bench_cloak', 'bidx_email'],
    ['bench_pfd', 'bidx_email'],
    ['bench_ref', 'bidx_email'],
    ['bench_pfd_log', 'bidx_email'],
  ] as const) {
    await database.exec(ddl(name, lookup));
  }
  const list: Contestant[] = [bare(db), await cloak(db), viaDrizzle(db, false), reference(db), viaDrizzle(db, true)];
  const closing: Array<() => Promise<void>> = [];
  if (database.url) {
    for (const make of [prismaBare, prismaScoped, prismaReference]) {
      const c = await make(database.url);
      closing.push(c.close);
      list.push(c);
    }
  }
  try {
    return await rounds(list, perSubject);
  } finally {
    for (const close of closing) await close();
  }
}

async function rounds(list: readonly Contestant[], perSubject: number): Promise<Map<string, Result>> {
  for (const c of list) await pass(c, records(WARMUP, perSubject));
  const times = new Map<string, { insert: number[]; read: number[] }>(list.map((c) => [c.name, { insert: [], read: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = list.map((_, i) => list[(i + round) % list.length] as Contestant);
    for (const c of order) {
      const { insert, read } = await pass(c, records(N, perSubject));
      const t = times.get(c.name) as { insert: number[]; read: number[] };
      t.insert.push(insert);
      t.read.push(read);
    }
  }
  return new Map([...times].map(([name, t]) => [name, { insert: median(t.insert), read: median(t.read) }]));
}

function print(database: string, results: Map<string, Result>, list: readonly string[]): string[] {
  const at = (name: string) => results.get(name) as Result;
  const ops = (ms: number) => (N * 1000) / ms;
  const body = list
    .filter((name) => results.has(name) && !name.includes('Prisma') && name !== PFP)
    .map((name) => {
      const r = at(name);
      return [
        name,
        fmtOps(ops(r.insert)),
        fmtOps(ops(r.read)),
        `${(r.insert + r.read).toFixed(0)} ms`,
        fmtRatio(at(BARE).insert / r.insert),
        fmtRatio(at(BARE).read / r.read),
        fmtRatio(at(CLOAK).insert / r.insert),
        fmtRatio(at(CLOAK).read / r.read),
        fmtRatio(at(REF).insert / r.insert),
        fmtRatio(at(REF).read / r.read),
      ];
    });
  printTable(
    `${database}: ${N.toLocaleString('en-US')} inserts then ${N.toLocaleString('en-US')} reads, median of ${ROUNDS} rounds (ratios: throughput vs the row named)`,
    [
      'contestant',
      'inserts/s',
      'reads/s',
      'total',
      'ins vs bare',
      'read vs bare',
      'ins vs cloak',
      'read vs cloak',
      'ins vs ref',
      'read vs ref',
    ],
    body,
  );
  const verdict = (okay: boolean) => (okay ? 'MET' : 'MISSED');
  const lines: string[] = [];
  if (results.has(PFP)) {
    const rows = [PRISMA_BARE, PFP, PRISMA_REF].map((name) => {
      const r = at(name);
      return [
        name,
        fmtOps(ops(r.insert)),
        fmtOps(ops(r.read)),
        `${(r.insert + r.read).toFixed(0)} ms`,
        fmtRatio(at(PRISMA_BARE).insert / r.insert),
        fmtRatio(at(PRISMA_BARE).read / r.read),
        fmtRatio(at(PRISMA_REF).insert / r.insert),
        fmtRatio(at(PRISMA_REF).read / r.read),
      ];
    });
    printTable(
      `${database}, Prisma 7 (@prisma/adapter-pg, one connection): the same job (ratios: throughput vs the row named)`,
      ['contestant', 'inserts/s', 'reads/s', 'total', 'ins vs bare Prisma', 'read vs bare Prisma', 'ins vs ref', 'read vs ref'],
      rows,
    );
    for (const phase of ['insert', 'read'] as const) {
      const vsRef = at(PRISMA_REF)[phase] / at(PFP)[phase];
      lines.push(
        `  ${database}, ${phase}s: purposeful/prisma within 20% of pf.seal/open + bare Prisma query (≥ 0.83×): ${verdict(vsRef >= 0.83)} (${vsRef.toFixed(3)}×)`,
      );
    }
  }
  for (const phase of ['insert', 'read'] as const) {
    const vsCloak = at(CLOAK)[phase] / at(PFD)[phase];
    const vsRef = at(REF)[phase] / at(PFD)[phase];
    lines.push(
      `  ${database}, ${phase}s: purposeful/drizzle ≥ 1.0× cloak by hand: ${verdict(vsCloak >= 1)} (${vsCloak.toFixed(3)}×)`,
    );
    lines.push(
      `  ${database}, ${phase}s: purposeful/drizzle within 20% of pf.seal/open + bare query (≥ 0.83×): ${verdict(vsRef >= 0.83)} (${vsRef.toFixed(3)}×)`,
    );
  }
  return lines;
}

/** Runs the data-layer benchmark on PGlite and, with DATABASE_URL, on PostgreSQL. Never throws on a missed target. */
export async function runDataBench(): Promise<void> {
  const url = process.env.DATABASE_URL;
  console.log(
    `\n## data: Drizzle and Prisma, ${N.toLocaleString('en-US')} inserts (one record per statement) then ${N.toLocaleString('en-US')} reads by blind index, three encrypted fields, one index`,
  );
  console.log(
    `on PGlite${url ? ' and PostgreSQL at DATABASE_URL (a fresh schema, dropped after)' : ' only (set DATABASE_URL for PostgreSQL too)'}; the Prisma rows on PostgreSQL only (Prisma does not run over PGlite here)`,
  );
  console.log(
    `${cpus().length} CPUs, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} (1/5/15 min): other work on the machine shows up as noise`,
  );
  const list = [BARE, CLOAK, PFD, REF, PFD_LOG, ...(url ? [PRISMA_BARE, PFP, PRISMA_REF] : [])];
  const targets: string[] = [];
  const opens: Array<() => Promise<Database>> = [pglite];
  if (url) opens.push(() => server(url));
  for (const [perSubject, how] of SUBJECTS) {
    for (const open of opens) {
      const database = await open();
      try {
        targets.push(...print(`${database.name}, ${how}`, await runOn(database, perSubject), list));
      } finally {
        await database.close();
      }
    }
  }
  console.log(
    '\nwhat each row includes (every row: one INSERT per record; one SELECT … LIMIT 1 per read, three fields decrypted)',
  );
  const includes = new Map<string, string>([
    [BARE, 'plaintext columns, where email = value (B-tree index on email)'],
    [CLOAK, 'encryptStringSync ×3 (AES-256-GCM, one key), HMAC-SHA256 index column; where bidx = hmac, decryptStringSync ×3'],
    [
      PFD,
      'inbound checks (fields, zod, consent) + pf.seal, sealed-column checks, INSERT; pf.authorize, where via pf.indexFor, pf.openMany',
    ],
    [REF, 'pf.seal, INSERT (sealed-column checks); pf.indexFor, where bidx IN (…), pf.open'],
    [PFD_LOG, 'as purposeful/drizzle, plus the access events into a memory sink, flushed in the phase'],
    [PRISMA_BARE, 'prisma.x.create (select id) with plaintext; findFirst where email = value (B-tree index on email)'],
    [
      PFP,
      'the scoped client: inbound checks + pf.seal, create (select id); pf.authorize, where via pf.indexFor, findFirst, pf.openMany',
    ],
    [PRISMA_REF, 'pf.seal, create (select id); pf.indexFor, findFirst where bidx_email in (…), pf.open'],
  ]);
  for (const name of list) console.log(`  ${name}: ${includes.get(name)}`);
  console.log(
    '  purposeful rows: memory key store, a data key per subject (created with its first record, cached for reads); cloak: one key',
  );
  console.log('\ntargets');
  for (const l of targets) console.log(l);
  const met = targets.every((l) => l.includes(': MET'));
  console.log(
    `\ndata targets: ${met ? 'ALL MET' : 'NOT ALL MET'} (informational: a noisy machine can flip close calls; not an exit status)`,
  );
}
