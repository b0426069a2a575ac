/**
 * The support desk as a Next.js App Router app (examples/support-desk/next):
 * built with `next build --webpack`, served by `next start` on 127.0.0.1, and
 * put through the shared table of HTTP cases over real HTTP — plus the one
 * route on the Edge runtime and a check that all route modules share one desk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { CASES, type HttpCase, JWT_SECRET, MARKER, runCase, send, type Tokens, tokens } from './cases.js';

const APP = fileURLToPath(new URL('../../examples/support-desk/next', import.meta.url));
const NEXT = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));
/** Held while this file builds and serves the app: a second run in the same tree waits instead of rebuilding under it. */
const LOCK = `${APP}/.test-lock`;
const BUILD_MS = 300_000;
const START_MS = 60_000;

/** The environment of the Next processes: the desk's secret, no telemetry (there is no network), no vitest NODE_ENV. */
function nextEnv(): Record<string, string | undefined> {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV')),
    NEXT_TELEMETRY_DISABLED: '1',
    SUPPORT_DESK_JWT_SECRET: Buffer.from(JWT_SECRET).toString('base64'),
  };
}

/**
 * Stands in front of `next` as the leader of its process group: when the test
 * process goes away, however it ends, its end of stdin closes and the whole
 * group (next and the workers of next build) is killed with it.
 */
const GUARD = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
const end = () => process.kill(-process.pid, 'SIGKILL');
process.stdin.on('end', end).on('error', end).resume();
child.on('exit', (code) => process.exit(code ?? 1));
`;

/** The `next` processes of this file still running: afterAll ends them (a build that outlived its hook's timeout too). */
const running = new Set<ChildProcess>();

/** Runs `next <args>` in its own process group, collecting its output. */
function next(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['-e', GUARD, NEXT, ...args], { env: nextEnv(), detached: true, stdio: 'pipe' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

/** Ends a process group started by {@link next}, at once. */
function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function build(): Promise<number> {
  const started = Date.now();
  const { child, output } = next(['build', '--webpack', APP]);
  const code = await exited(child);
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output().slice(-4000)}`);
  return Date.now() - started;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock directory, waiting for another live holder; a dead holder's lock is taken over. */
async function lock(deadline: number): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(`${LOCK}/pid`, String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(`${LOCK}/pid`, 'utf8'));
    } catch {
      // being written or removed: look again
    }
    if (holder > 0 && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${LOCK} is held by process ${holder}`);
    else await new Promise((r) => setTimeout(r, 500));
  }
}

function unlock(): void {
  try {
    if (Number(readFileSync(`${LOCK}/pid`, 'utf8')) === process.pid) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // not ours, or gone
  }
}

const C1 = sampleCustomer.id;
const newTicket = { customerId: C1, subject: 'Login', message: 'I cannot log in since yesterday' };

/** The route on the Edge runtime: the same pipeline, no output declaration (the validated body comes back). */
const EDGE_CASES: readonly HttpCase[] = [
  {
    name: 'edge: a valid ticket comes back validated, only the declared fields',
    request: (t) => ({ method: 'POST', path: '/edge/tickets', token: t.customer1, body: newTicket }),
    status: 200,
    check: (b) => expect(b).toEqual(newTicket),
  },
  {
    name: 'edge: an undeclared field is refused',
    request: (t) => ({ method: 'POST', path: '/edge/tickets', token: t.customer1, body: { ...newTicket, cpf: MARKER } }),
    status: 400,
    code: 'PF_UNDECLARED_FIELD',
    check: (b) => expect(b.paths).toEqual(['cpf']),
  },
  {
    name: 'edge: a token signed with another key is refused',
    request: (t) => ({ method: 'POST', path: '/edge/tickets', token: t.forged, body: newTicket }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
    reason: 'invalid_signature',
  },
];

describe('next (built app, next start) over real HTTP: the shared table', () => {
  let base = '';
  let t: Tokens;

  beforeAll(async () => {
    await lock(Date.now() + BUILD_MS / 2);
    try {
      const buildMs = await build();
      const started = Date.now();
      const port = await freePort();
      const start = next(['start', APP, '-H', '127.0.0.1', '-p', String(port)]);
      const server = start.child;
      base = `http://127.0.0.1:${port}`;
      for (;;) {
        if (server.exitCode !== null || server.signalCode !== null) throw new Error(`next start exited:\n${start.output()}`);
        if (Date.now() - started > START_MS) throw new Error(`next start did not answer in ${START_MS} ms:\n${start.output()}`);
        const res = await fetch(`${base}/customers/${C1}`).catch(() => undefined);
        if (res) {
          await res.arrayBuffer();
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      console.info(`next: build ${buildMs} ms, start until the first answer ${Date.now() - started} ms`);
      t = await tokens();
    } catch (err) {
      for (const child of running) killGroup(child);
      unlock();
      throw err;
    }
  }, BUILD_MS + START_MS);

  afterAll(async () => {
    const all = [...running];
    for (const child of all) killGroup(child);
    await Promise.all(all.map(exited));
    unlock();
  });

  for (const c of CASES) it(c.name, () => runCase(base, c, t));

  describe('the Edge runtime', () => {
    it('the route is built as an edge function', () => {
      const manifest = JSON.parse(readFileSync(`${APP}/.next/server/middleware-manifest.json`, 'utf8')) as {
        functions: Record<string, unknown>;
      };
      expect(Object.keys(manifest.functions)).toEqual(['/edge/tickets/route']);
    });
    for (const c of EDGE_CASES) it(c.name, () => runCase(base, c, t));
  });

  it('all route modules share one desk: a ticket opened on /tickets is read on /tickets/[id]', async () => {
    const opened = await send(base, { method: 'POST', path: '/tickets', token: t.customer1, body: newTicket });
    expect(opened.status).toBe(201);
    const { id } = (await opened.json()) as { id: string };
    const read = await send(base, { method: 'GET', path: `/tickets/${id}`, token: t.customer1 });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, customerId: C1, subject: 'Login', status: 'open' });
  });
});
