import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposeful } from '../../adapters/express.js';
import { createSupportDesk, TICKET_1 } from '../../examples/support-desk/app.js';
import { Customer, NewTicket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { isPurposefulError } from '../../src/index.js';
import { JWT_SECRET, MARKER, tokens } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const actor = () => ({ id: 'agent-7', roles: ['support'] });
const readCustomer = { purpose: 'support.ticket', output: Customer, actor } as const;
const plain = { ...sampleCustomer, name: MARKER };

const app = express();
const errors: unknown[] = [];
// a compression-style middleware: sending methods of the response's own, calling the ones it saved
app.use('/wrapped', (_req, res, next) => {
  const r = res as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['write', 'end', 'writeHead']) {
    const saved = r[m] as (...a: unknown[]) => unknown;
    r[m] = function (this: unknown, ...a: unknown[]) {
      return saved.apply(this, a);
    };
  }
  next();
});
app.get(
  '/wrapped/json',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.json(plain)),
);
app.get(
  '/wrapped/ok',
  purposeful(desk.pf, readCustomer, () => desk.customers.get(sampleCustomer.id)),
);
app.get(
  '/bypass/headers',
  purposeful(desk.pf, readCustomer, (_ctx, res) => {
    res.setHeader('x-who', MARKER);
    res.cookie('c', MARKER);
    res.redirect(`/x?cpf=${MARKER}`);
    return undefined;
  }),
);
app.get(
  '/bypass/json',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.json(plain)),
);
app.get(
  '/bypass/send',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.send(JSON.stringify(plain))),
);
app.get(
  '/bypass/end',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.end(MARKER)),
);
app.get(
  '/bypass/write',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.write(MARKER)),
);
app.get(
  '/bypass/writeHead',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void res.writeHead(200)),
);
app.get(
  '/bypass/pipe',
  purposeful(desk.pf, readCustomer, (_ctx, res) => void Readable.from([MARKER, MARKER]).pipe(res)),
);
app.get(
  '/bypass/later',
  purposeful(desk.pf, readCustomer, (_ctx, res) => {
    setTimeout(() => res.json(plain), 5);
    return new Promise((r) => setTimeout(() => r(undefined), 20));
  }),
);
app.get(
  '/bypass/and-return',
  purposeful(desk.pf, readCustomer, (_ctx, res) => {
    res.json(plain);
    return desk.customers.get(sampleCustomer.id);
  }),
);
app.get(
  '/returns',
  purposeful(desk.pf, readCustomer, () => desk.customers.get(sampleCustomer.id)),
);
app.get(
  '/list',
  purposeful(desk.pf, readCustomer, () => [...desk.customers.values()]),
);
app.get(
  '/no-output',
  purposeful(desk.pf, { purpose: 'support.ticket', query: NewTicket, actor }, (_ctx, res) => void res.json({ ok: true })),
);
app.get(
  '/throws',
  purposeful(desk.pf, readCustomer, () => {
    throw new Error(`boom ${MARKER}`);
  }),
);
app.get(
  '/not-found',
  purposeful(desk.pf, readCustomer, () => {
    throw Object.assign(new Error(`no customer ${MARKER}`), { status: 404 });
  }),
);
app.post(
  '/parsed',
  express.json(),
  purposeful(desk.pf, { purpose: 'support.ticket', input: NewTicket, actor }, (ctx) => ({ body: ctx.body, seen: ctx.req.body })),
);
app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  errors.push(err);
  res.status(599).json({ handled: true });
});

let base = '';
let server: ReturnType<typeof app.listen>;
beforeAll(async () => {
  await desk.ready;
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('Express adapter', () => {
  it.each(['json', 'send', 'end', 'write', 'writeHead', 'pipe', 'later', 'and-return'])(
    'refuses res.%s on a route with an output declaration (500 PF_OUTPUT_BYPASS, nothing leaks)',
    async (how) => {
      const res = await fetch(`${base}/bypass/${how}`);
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toMatchObject({ code: 'PF_OUTPUT_BYPASS', status: 500 });
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(sampleCustomer.cpf);
    },
  );

  it('guards sending methods a middleware put on the response itself', async () => {
    const bad = await fetch(`${base}/wrapped/json`);
    const text = await bad.text();
    expect(bad.status).toBe(500);
    expect(text).not.toContain(MARKER);
    const ok = await fetch(`${base}/wrapped/ok`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { cpf: string }).cpf).toBe('***.***.**7-25');
  });

  it('drops the headers the handler set when it answers with a problem (cookie, Location, its own)', async () => {
    const res = await fetch(`${base}/bypass/headers`, { redirect: 'manual' });
    expect(res.status).toBe(500);
    for (const [, v] of res.headers) expect(v).not.toContain(MARKER);
    expect(res.headers.get('location')).toBeNull();
  });

  it('projects returned rows, one or many', async () => {
    const one = (await (await fetch(`${base}/returns`)).json()) as Record<string, unknown>;
    expect(one.cpf).toBe('***.***.**7-25');
    const many = (await (await fetch(`${base}/list`)).json()) as Record<string, unknown>[];
    expect(many).toHaveLength(2);
    expect(many.every((c) => typeof c.cpf === 'string' && c.cpf.startsWith('***'))).toBe(true);
  });

  it('lets a handler answer by itself on a route without an output declaration', async () => {
    const res = await fetch(`${base}/no-output?customerId=${sampleCustomer.id}&subject=s&message=m`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('refuses a repeated or undeclared query parameter', async () => {
    const twice = await fetch(`${base}/no-output?subject=a&subject=b`);
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { reason: string }).reason).toBe('duplicate_key');
    const extra = await fetch(`${base}/no-output?customerId=${sampleCustomer.id}&subject=s&message=m&cpf=${MARKER}`);
    expect(((await extra.json()) as { code: string }).code).toBe('PF_UNDECLARED_FIELD');
  });

  it('passes other errors to next(), with the sending methods restored', async () => {
    const res = await fetch(`${base}/throws`);
    expect(res.status).toBe(599);
    expect(await res.json()).toEqual({ handled: true });
    expect(errors.some((e) => e instanceof Error && e.message.startsWith('boom'))).toBe(true);
  });

  it('answers a 4xx error a handler throws as a bare problem, without its message', async () => {
    const res = await fetch(`${base}/not-found`);
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(JSON.parse(text)).toEqual({ type: 'about:blank', title: 'Not Found', status: 404 });
  });

  it('after express.json(): still refuses prototype keys and depth, and replaces req.body with the declared input', async () => {
    const t = await tokens();
    void t;
    const post = (body: string) =>
      fetch(`${base}/parsed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const proto = await post(`{"customerId":"${sampleCustomer.id}","__proto__":{"x":1}}`);
    expect(((await proto.json()) as { reason: string }).reason).toBe('forbidden_key');
    const deep = await post(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`);
    expect(deep.status).toBe(413);
    const ok = await post(JSON.stringify({ customerId: sampleCustomer.id, subject: 's', message: 'm' }));
    const body = (await ok.json()) as { body: unknown; seen: unknown };
    expect(body.body).toEqual({ customerId: sampleCustomer.id, subject: 's', message: 'm' });
    expect(body.seen).toEqual(body.body);
  });

  it('checks the route when it is declared, not per request', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isPurposefulError(err) ? err.code : String(err);
      }
      return 'accepted';
    };
    expect(
      code(() => purposeful(desk.pf, { purpose: 'nope' as 'support.ticket', output: Customer, actor }, () => undefined)),
    ).toBe('PF_PURPOSE_UNKNOWN');
    expect(code(() => purposeful(desk.pf, { purpose: 'support.ticket', output: Customer } as never, () => undefined))).toBe(
      'PF_OPTIONS_INVALID',
    );
    expect(code(() => purposeful(desk.pf, { purpose: 'support.ticket', actor } as never, () => undefined))).toBe(
      'PF_OPTIONS_INVALID',
    );
    expect(code(() => purposeful(desk.pf, { ...readCustomer, status: 302 }, () => undefined))).toBe('PF_OPTIONS_INVALID');
    expect(code(() => purposeful({} as never, readCustomer, () => undefined))).toBe('PF_OPTIONS_INVALID');
  });

  it('serves the ticket route of the example', async () => {
    const t = await tokens();
    const res = await fetch(`${base}/returns`, { headers: { authorization: `Bearer ${t.agent}` } });
    expect(res.status).toBe(200);
    expect(TICKET_1).toBeTypeOf('string');
  });
});

describe('Express 4 with body-parser 1.x before a purposeful route', () => {
  it('reads the body itself when the parser skipped its type (body-parser 1.x still sets req.body = {})', async () => {
    const { default: express4 } = await import('express4');
    const app4 = express4();
    (app4 as unknown as { use(h: unknown): void }).use(express4Json());
    app4.post(
      '/t',
      purposeful(desk.pf, { purpose: 'support.ticket', input: NewTicket, actor }, ({ body }) => ({ ok: true, body })),
    );
    const server4 = app4.listen(0, '127.0.0.1');
    await new Promise((r) => server4.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server4.address() as AddressInfo).port}/t`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.api+json' },
        body: JSON.stringify({ customerId: sampleCustomer.id, subject: 's', message: 'm' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { body: unknown }).body).toEqual({
        customerId: sampleCustomer.id,
        subject: 's',
        message: 'm',
      });
    } finally {
      await new Promise((r) => server4.close(r));
    }
  });
});

const require4 = createRequire(import.meta.url);
/** Express 4's own express.json() (body-parser 1.x). */
function express4Json(): unknown {
  return (require4('express4') as { json(): unknown }).json();
}
