/**
 * HTTP overhead of purposeful, over real sockets on 127.0.0.1: the same JSON
 * POST route served four ways, in one process, side by side.
 *
 * - Fastify + zod (bare): Fastify's JSON parser, `z.strictObject(...).safeParse`
 *   of the 10-field body, the 20-field record projected and masked by hand.
 * - Fastify + purposeful: `purposefulPlugin`, the route opting in with
 *   `config: { purposeful }` (body read and checked by the pipeline, input
 *   minimized and validated, consent checked, output projected and masked).
 * - Express + zod (bare) and Express + purposeful (`purposeful(pf, route, handler)`,
 *   no `express.json()`: the adapter reads the body itself, its recommended setup).
 *
 * The bare variants do less than purposeful where a plain app would: no
 * `cache-control` / `nosniff` headers, and Express's ETag is switched off
 * (purposeful sends none), so the ratios lean against purposeful, not for it.
 *
 * The purpose rests on consent (LGPD and GDPR), so every purposeful request
 * checks the subject's consent (on the way in; the way out finds the check in
 * the request's memo, the record's subject being the same) against an
 * in-memory ledger where the grant was recorded beforehand: the "consent check
 * cached" case without a database.
 * (`cachedConsentLedger` needs a PostgreSQL client and LISTEN source, so it is
 * not used here.) No encryption: this is about the HTTP path.
 *
 * The load comes from autocannon in a worker thread (the servers keep the main
 * thread), which records each response time itself at sub-millisecond
 * resolution (autocannon's own histogram keeps whole milliseconds). After a
 * warmup, rounds alternate bare and purposeful (the order flips every round);
 * the table shows the median req/s and p99 of each variant and their ratios.
 * Every variant's answer is checked once before timing, and every timed run
 * must have only 2xx answers: an error path is never benchmarked.
 *
 * The target is judged on the paired ratio: the median over rounds of
 * purposeful's req/s divided by its bare twin's in the same round, measured
 * back to back. On a shared machine the speed drifts by tens of percent
 * within a minute; a ratio of two runs seconds apart cancels most of that
 * drift, where a ratio of two medians taken over the whole run does not.
 *
 * `BENCH_HTTP_SECONDS` (default 2) and `BENCH_HTTP_ROUNDS` (default 10) tune the length.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { purposeful } from '../../adapters/express.js';
import { type FastifyRouteDeclaration, purposefulPlugin } from '../../adapters/fastify.js';
import { createPurposeful, definePurposes, defineSchema, memoryConsentLedger, pd } from '../../src/index.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

const envNumber = (name: string, fallback: number): number => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const SECONDS = envNumber('BENCH_HTTP_SECONDS', 2);
const ROUNDS = Math.round(envNumber('BENCH_HTTP_ROUNDS', 10));
const WARMUP_SECONDS = 2;
const CONNECTIONS = 10;

// ── declarations ────────────────────────────────────────────────────────────

export const NOTICE = 'We use your profile details to keep your support preferences up to date.';
export const purposes = definePurposes(
  {
    'profile.update': {
      description: 'Keep the customer profile and contact preferences up to date, with consent',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#profile', material: true },
      retention: 'P1Y',
      roles: ['support'],
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
      roles: ['billing'],
    },
  },
  { controller: { name: 'Bench Ltda', contact: 'privacidade@example.com.br' } },
);

export const P = 'profile.update';
const B = 'billing.invoice';

/** The request body: 10 fields, 5 personal (the subject id among them), 5 not. */
export const ProfileUpdate = defineSchema(
  'bench.profile-update',
  z.object({
    customerId: pd(z.uuid(), { category: 'user.unique_id', purposes: [P] }),
    name: pd(z.string().min(1).max(200), { category: 'user.name', purposes: [P] }),
    email: pd(z.email(), { category: 'user.contact.email', purposes: [P] }),
    phone: pd(z.string().max(40), { category: 'user.contact.phone_number', purposes: [P] }),
    city: pd(z.string().max(100), { category: 'user.contact.address.city', purposes: [P] }),
    locale: pd.none(z.string().max(10)),
    channel: pd.none(z.enum(['chat', 'email', 'phone'])),
    marketingOptIn: pd.none(z.boolean()),
    topic: pd.none(z.string().max(100)),
    priority: pd.none(z.number().int().min(1).max(5)),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' } },
);

/**
 * The stored record: 20 fields. For `profile.update`: `id` and `city` clear,
 * `name`, `email`, `cpf`, `phone` masked, 10 non-personal fields clear, and 4
 * fields declared only for billing (`birthDate`, `street`, `postalCode`,
 * `cardLast4`) dropped.
 */
export const Profile = defineSchema(
  'bench.profile',
  z.object({
    id: pd(z.uuid(), { category: 'user.unique_id', purposes: [P, B] }),
    name: pd(z.string(), { category: 'user.name', purposes: { [P]: 'masked', [B]: 'clear' }, mask: 'name' }),
    email: pd(z.string(), { category: 'user.contact.email', purposes: { [P]: 'masked', [B]: 'clear' }, mask: 'email' }),
    cpf: pd(z.string(), {
      category: 'user.government_id.national_identification_number',
      purposes: { [P]: 'masked', [B]: 'clear' },
      mask: 'cpf',
    }),
    phone: pd(z.string(), { category: 'user.contact.phone_number', purposes: { [P]: 'masked' }, mask: 'phone' }),
    city: pd(z.string(), { category: 'user.contact.address.city', purposes: [P, B] }),
    state: pd.none(z.string()),
    country: pd.none(z.string()),
    status: pd.none(z.enum(['active', 'suspended', 'closed'])),
    createdAt: pd.none(z.string()),
    updatedAt: pd.none(z.string()),
    locale: pd.none(z.string()),
    channel: pd.none(z.enum(['chat', 'email', 'phone'])),
    marketingOptIn: pd.none(z.boolean()),
    tier: pd.none(z.enum(['free', 'pro', 'enterprise'])),
    ticketCount: pd.none(z.number().int()),
    birthDate: pd(z.string(), { category: 'user.demographic.date_of_birth', purposes: [B] }),
    street: pd(z.string(), { category: 'user.contact.address.street', purposes: [B] }),
    postalCode: pd(z.string(), { category: 'user.contact.address.postal_code', purposes: [B] }),
    cardLast4: pd(z.string(), { category: 'user.financial.credit_card', purposes: [B] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

type ProfileRecord = z.infer<typeof Profile.zod>;

export const SUBJECT = 'c0a80121-7ac0-4e1c-9f4b-1a2b3c4d5e6f';

/** What every variant's handler "loads": one constant record per subject. */
export const RECORDS = new Map<string, ProfileRecord>([
  [
    SUBJECT,
    {
      id: SUBJECT,
      name: 'João da Silva Santos',
      email: 'joao.silva@example.com.br',
      cpf: '529.982.247-25',
      phone: '+55 11 91234-5678',
      city: 'São Paulo',
      state: 'SP',
      country: 'BR',
      status: 'active',
      createdAt: '2026-01-15T12:30:00.000Z',
      updatedAt: '2026-04-02T08:15:00.000Z',
      locale: 'pt-BR',
      channel: 'email',
      marketingOptIn: false,
      tier: 'pro',
      ticketCount: 7,
      birthDate: '1985-04-12',
      street: 'Rua das Flores, 123',
      postalCode: '01310-100',
      cardLast4: '4242',
    },
  ],
]);

export const BODY = JSON.stringify({
  customerId: SUBJECT,
  name: 'João da Silva Santos',
  email: 'joao.silva@example.com.br',
  phone: '+55 11 91234-5678',
  city: 'São Paulo',
  locale: 'pt-BR',
  channel: 'email',
  marketingOptIn: false,
  topic: 'update my contact preferences',
  priority: 3,
});

// ── the bare side: zod and hand-written masks ───────────────────────────────

/** The same validators as ProfileUpdate, strict like purposeful's default (undeclared fields refused). */
export const BareInput = z.strictObject({
  customerId: z.uuid(),
  name: z.string().min(1).max(200),
  email: z.email(),
  phone: z.string().max(40),
  city: z.string().max(100),
  locale: z.string().max(10),
  channel: z.enum(['chat', 'email', 'phone']),
  marketingOptIn: z.boolean(),
  topic: z.string().max(100),
  priority: z.number().int().min(1).max(5),
});

const maskName = (s: string): string => {
  const words = s.trim().split(/\s+/);
  const first = `${words[0]?.[0] ?? ''}***`;
  return words.length === 1 ? first : `${first} ${words[words.length - 1]?.[0] ?? ''}***`;
};
const maskEmail = (s: string): string => {
  const at = s.lastIndexOf('@');
  const domain = s.slice(at + 1);
  return `${s[0]}***@${domain[0]}***.${domain.slice(domain.lastIndexOf('.') + 1).toLowerCase()}`;
};
const maskCpf = (s: string): string => {
  const d = s.replace(/\D/g, '');
  return `***.***.**${d[8]}-${d[9]}${d[10]}`;
};
const maskPhone = (s: string): string => {
  const d = s.replace(/\D/g, '');
  return '*'.repeat(d.length - 4) + d.slice(-4);
};

/** The record as `profile.update` may see it, by hand. */
export const bareView = (r: ProfileRecord) => ({
  id: r.id,
  name: maskName(r.name),
  email: maskEmail(r.email),
  cpf: maskCpf(r.cpf),
  phone: maskPhone(r.phone),
  city: r.city,
  state: r.state,
  country: r.country,
  status: r.status,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  locale: r.locale,
  channel: r.channel,
  marketingOptIn: r.marketingOptIn,
  tier: r.tier,
  ticketCount: r.ticketCount,
});

// ── the four servers ────────────────────────────────────────────────────────

interface Variant {
  readonly name: string;
  readonly framework: 'Fastify' | 'Express';
  readonly kind: 'bare' | 'purposeful';
  url: string;
  close(): Promise<void>;
}

export async function fastifyBare(): Promise<FastifyInstance> {
  const app = Fastify();
  app.post('/profile', async (request, reply) => {
    const input = BareInput.safeParse(request.body);
    if (!input.success) return reply.code(400).send({ error: 'invalid input' });
    const record = RECORDS.get(input.data.customerId);
    if (!record) return reply.code(404).send({ error: 'not found' });
    return bareView(record);
  });
  return app;
}

export async function fastifyPurposeful(engine: ReturnType<typeof makeEngine>): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(purposefulPlugin, { engine });
  const route: FastifyRouteDeclaration = {
    purpose: P,
    input: ProfileUpdate,
    output: Profile,
    actor: () => ({ id: 'bench', roles: ['support'] }),
  };
  app.post('/profile', { config: { purposeful: route } }, async (request) => {
    const body = request.body as { customerId: string };
    return RECORDS.get(body.customerId);
  });
  return app;
}

export function expressBare(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // the purposeful variant sends no ETag either
  app.post('/profile', express.json(), (req, res) => {
    const input = BareInput.safeParse(req.body);
    if (!input.success) {
      res.status(400).json({ error: 'invalid input' });
      return;
    }
    const record = RECORDS.get(input.data.customerId);
    if (!record) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.json(bareView(record));
  });
  return app;
}

export function expressPurposeful(engine: ReturnType<typeof makeEngine>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.post(
    '/profile',
    purposeful(
      engine,
      { purpose: P, input: ProfileUpdate, output: Profile, actor: () => ({ id: 'bench', roles: ['support'] }) },
      async ({ body }) => RECORDS.get(body.customerId ?? ''),
    ),
  );
  return app;
}

export function makeEngine(consent: ReturnType<typeof memoryConsentLedger>) {
  return createPurposeful({ purposes, schemas: [ProfileUpdate, Profile], consent });
}

async function listenFastify(app: FastifyInstance): Promise<{ url: string; close: () => Promise<void> }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/profile`, close: () => app.close() };
}

async function listenExpress(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/profile`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── the load generator: autocannon in a worker thread ───────────────────────

interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly responses: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** Plain CommonJS run in the worker: one autocannon run per message, response times kept as measured (float ms). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require(workerData.autocannon);
parentPort.on('message', (job) => {
  const latencies = [];
  const instance = autocannon(
    {
      url: job.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: job.body,
      connections: job.connections,
      pipelining: 1,
      duration: job.seconds,
    },
    (err, result) => {
      if (err) return parentPort.postMessage({ error: String(err && err.message || err) });
      latencies.sort((a, b) => a - b);
      const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] : NaN);
      parentPort.postMessage({
        // in a worker thread autocannon hands back its raw counters (not the aggregated result)
        rps: latencies.length / result.duration,
        p50: at(0.5),
        p99: at(0.99),
        responses: latencies.length,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      });
    },
  );
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
});
`;

export function loadGenerator(): { run(url: string, seconds: number): Promise<LoadResult>; close(): Promise<number> } {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { autocannon: createRequire(import.meta.url).resolve('autocannon') },
  });
  return {
    run(url, seconds) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        worker.once('error', onError);
        worker.once('message', (msg: LoadResult & { error?: string }) => {
          worker.off('error', onError);
          if (msg.error) reject(new Error(`autocannon: ${msg.error}`));
          else resolve(msg);
        });
        worker.postMessage({ url, body: BODY, connections: CONNECTIONS, seconds });
      });
    },
    close: () => worker.terminate(),
  };
}

// ── the suite ───────────────────────────────────────────────────────────────

/** Checks once that a variant answers the benchmark request with the expected status and body. */
async function verify(v: Variant, expected: unknown): Promise<void> {
  const res = await fetch(v.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`http bench: ${v.name} answered ${res.status} instead of 200, so it cannot be benchmarked:\n${text}`);
  }
  try {
    deepStrictEqual(JSON.parse(text), expected);
  } catch {
    throw new Error(
      `http bench: ${v.name} answered a body that differs from the expected view:\n${text}\nexpected:\n${JSON.stringify(expected)}`,
    );
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const TARGETS: Readonly<Record<Variant['framework'], number>> = { Fastify: 0.8, Express: 0.9 };

export async function runHttpBench(): Promise<void> {
  console.log(
    `\n## http: one JSON POST route (10-field body in, 20-field record out), bare + zod vs purposeful ` +
      `(autocannon, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warmup, ${ROUNDS} rounds × ${SECONDS} s per variant)`,
  );
  const consent = memoryConsentLedger(purposes);
  await consent.grant({
    subject: SUBJECT,
    purpose: P,
    notice: { version: '2026-11-01', hash: createHash('sha256').update(NOTICE).digest('hex') },
    method: 'checkbox',
    collectionPoint: 'bench/profile',
  });
  const engine = makeEngine(consent);

  const variants: Variant[] = [];
  const add = async (
    name: string,
    framework: Variant['framework'],
    kind: Variant['kind'],
    listening: Promise<{ url: string; close: () => Promise<void> }>,
  ) => {
    const { url, close } = await listening;
    variants.push({ name, framework, kind, url, close });
  };
  await add('Fastify + zod (bare)', 'Fastify', 'bare', fastifyBare().then(listenFastify));
  await add('Fastify + purposeful', 'Fastify', 'purposeful', fastifyPurposeful(engine).then(listenFastify));
  await add('Express + zod (bare)', 'Express', 'bare', listenExpress(expressBare()));
  await add('Express + purposeful', 'Express', 'purposeful', listenExpress(expressPurposeful(engine)));

  const load = loadGenerator();
  try {
    const expected = bareView(RECORDS.get(SUBJECT) as ProfileRecord);
    for (const v of variants) await verify(v, expected);

    const runOnce = async (v: Variant, seconds: number): Promise<LoadResult> => {
      const r = await load.run(v.url, seconds);
      if (r.non2xx || r.errors || r.timeouts || r.responses === 0) {
        throw new Error(
          `http bench: ${v.name} had ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts ` +
            `(${r.responses} responses): refusing to report an error path`,
        );
      }
      return r;
    };
    for (const v of variants) await runOnce(v, WARMUP_SECONDS);

    const results = new Map<Variant, LoadResult[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const framework of ['Fastify', 'Express'] as const) {
        const pair = variants.filter((v) => v.framework === framework);
        if (round % 2 === 1) pair.reverse(); // A/B, then B/A
        for (const v of pair) results.get(v)?.push(await runOnce(v, SECONDS));
      }
    }

    const stats = new Map(
      variants.map((v) => {
        const rs = results.get(v) ?? [];
        return [v, { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) }];
      }),
    );
    const body: string[][] = [];
    const missed: string[] = [];
    for (const v of variants) {
      const s = stats.get(v) as { rps: number; p50: number; p99: number };
      const bare = variants.find((b) => b.framework === v.framework && b.kind === 'bare') as Variant;
      const b = stats.get(bare) as { rps: number; p99: number };
      const row = [v.name, fmtOps(s.rps), s.p50.toFixed(2), s.p99.toFixed(2)];
      if (v.kind === 'bare') {
        body.push([...row, '1.00×', '1.00×', '1.00×', '', '']);
        continue;
      }
      const ratio = s.rps / b.rps;
      const bareRounds = results.get(bare) ?? [];
      const paired = median((results.get(v) ?? []).map((r, i) => r.rps / (bareRounds[i]?.rps ?? Number.NaN)));
      const target = TARGETS[v.framework];
      const met = paired >= target;
      if (!met) missed.push(`${v.name}: ${fmtRatio(paired)} of bare ${v.framework} throughput (target ≥ ${fmtRatio(target)})`);
      body.push([
        ...row,
        fmtRatio(ratio),
        fmtRatio(paired),
        fmtRatio(s.p99 / b.p99),
        `≥ ${fmtRatio(target)}`,
        met ? 'met' : 'MISSED',
      ]);
    }
    printTable(
      'http: medians of the rounds (ratios: purposeful / bare of the same framework; paired, the one judged: median of the per-round ratios)',
      ['variant', 'req/s', 'p50 ms', 'p99 ms', 'req/s ratio', 'paired', 'p99 ratio', 'target', 'result'],
      body,
    );

    // one row per round: each pair measured back to back, its ratio beside it
    const roundBody = Array.from({ length: ROUNDS }, (_, i) => [
      String(i + 1),
      ...variants.map((v) => {
        const r = results.get(v)?.[i];
        if (!r) return '';
        const bare = results.get(variants.find((b) => b.framework === v.framework && b.kind === 'bare') as Variant)?.[i];
        const cell = `${fmtOps(r.rps)} / ${r.p99.toFixed(2)}`;
        return v.kind === 'bare' ? cell : `${cell} (${fmtRatio(r.rps / (bare?.rps ?? Number.NaN))})`;
      }),
    ]);
    printTable(
      'http: each round, req/s / p99 ms (purposeful: its paired req/s ratio)',
      ['round', ...variants.map((v) => v.name)],
      roundBody,
    );
    for (const m of missed) console.log(`target missed: ${m}`);
  } finally {
    await load.close();
    for (const v of variants) await v.close();
  }
}
