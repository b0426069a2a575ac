/**
 * A 5xx problem answer reaches the server: `onServerError` receives the error,
 * its cause and the route; in development the default logs one value-free
 * line; the client gets the code and title only.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { purposeful } from '../../adapters/express.js';
import { purposefulPlugin } from '../../adapters/fastify.js';
import { toFetchHandler } from '../../adapters/fetch.js';
import { withPurpose } from '../../adapters/next.js';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { compileRoute, createPurposeful, defineSchema, PurposefulError, pd, type ServerErrorReport } from '../../src/index.js';
import { JWT_SECRET, MARKER } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const actor = () => ({ id: 'agent-7', roles: ['support'] });
const readCustomer = { purpose: 'support.ticket', output: Customer, actor } as const;
const plain = { ...sampleCustomer, name: MARKER };
beforeAll(() => desk.ready);

const savedEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = savedEnv;
  vi.restoreAllMocks();
});

function expectValueFree(text: string): void {
  expect(text).not.toContain(MARKER);
  expect(text).not.toContain(sampleCustomer.cpf);
  expect(text).not.toContain(sampleCustomer.email);
}

describe('onServerError: a 5xx answer is told to the server, never to the client', () => {
  it('LGPD Art. 6 X, GDPR Art. 5(2): fetch: PF_OUTPUT_BYPASS reaches the hook with the route; the client gets code and title only', async () => {
    const reports: ServerErrorReport[] = [];
    const GET = toFetchHandler(desk.pf, readCustomer, () => Response.json(plain), {
      onServerError: (r) => reports.push(r),
    });
    const res = await GET(new Request('http://x/customers/1'));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      type: 'urn:purposeful:problem:PF_OUTPUT_BYPASS',
      title: 'Output bypassed the projection',
      status: 500,
      code: 'PF_OUTPUT_BYPASS',
    });
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report?.status).toBe(500);
    expect(report?.error.code).toBe('PF_OUTPUT_BYPASS');
    expect(report?.route).toEqual({ purpose: 'support.ticket', output: Customer.id });
    expect(text).not.toContain(report?.error.message);
    expectValueFree(report?.error.message ?? '');
  });

  it('LGPD Art. 6 X: Next.js: PF_OUTPUT_INVALID reaches the hook; 4xx refusals do not', async () => {
    const reports: ServerErrorReport[] = [];
    const onServerError = (r: ServerErrorReport) => reports.push(r);
    const Note = defineSchema(
      'note',
      z.object({ id: pd.none(z.string()), name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }),
      { purposes },
    );
    const pf = createPurposeful({ purposes, schemas: [Note] });
    const route = { purpose: 'support.ticket', output: Note, actor } as const;
    const GET = withPurpose(pf, route, () => ({ id: 'n1', name: { nested: MARKER } }) as never, { onServerError });
    const res = await GET(new Request('http://x/'));
    expect(res.status).toBe(500);
    expect(reports.map((r) => r.error.code)).toEqual(['PF_OUTPUT_INVALID']);
    expectValueFree(`${reports[0]?.error.message}`);
    const refusing = withPurpose(pf, { ...route, actor: () => ({ id: 'someone', roles: ['nobody'] }) }, () => undefined, {
      onServerError,
    });
    expect((await refusing(new Request('http://x/'))).status).toBe(403);
    expect(reports).toHaveLength(1);
  });

  it('GDPR Art. 32: the cause of a 5xx error reaches the hook, and a throwing hook does not change the answer', async () => {
    const cause = new Error('sink down');
    const compiled = compileRoute(desk.pf, readCustomer, {
      onServerError: (r) => {
        expect(r.error.cause).toBe(cause);
        throw new Error('the hook fails');
      },
    });
    const answer = compiled.problem(new PurposefulError('PF_AUDIT_UNAVAILABLE', 'the access log cannot record', { cause }));
    expect(answer?.status).toBe(503);
    expect(answer?.body).not.toContain('sink down');
  });

  it('LGPD Art. 6 X: in development the default logs one line (code, message, route) with console.error; in production nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const GET = toFetchHandler(desk.pf, readCustomer, () => Response.json(plain));
    process.env.NODE_ENV = 'production';
    expect((await GET(new Request('http://x/'))).status).toBe(500);
    expect(log).not.toHaveBeenCalled();
    process.env.NODE_ENV = 'development';
    expect((await GET(new Request('http://x/'))).status).toBe(500);
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]?.[0]);
    expect(line).toContain('PF_OUTPUT_BYPASS');
    expect(line).toContain('support.ticket');
    expect(line).toContain(`output: ${Customer.id}`);
    expectValueFree(line);
    // false silences the default
    const quiet = toFetchHandler(desk.pf, readCustomer, () => Response.json(plain), { onServerError: false });
    expect((await quiet(new Request('http://x/'))).status).toBe(500);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('LGPD Art. 6 X: Express and Fastify hand their 5xx answers to the hook too', async () => {
    const reports: ServerErrorReport[] = [];
    const onServerError = (r: ServerErrorReport) => reports.push(r);
    const app = express();
    app.get(
      '/bypass',
      purposeful(desk.pf, readCustomer, (_ctx, res) => void res.json(plain), { onServerError }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/bypass`);
      expect(res.status).toBe(500);
      expectValueFree(await res.text());
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const f = Fastify();
    await f.register(purposefulPlugin, { engine: desk.pf, onServerError });
    f.get('/bypass', { config: { purposeful: readCustomer } }, async (_req, reply) => reply.send(JSON.stringify(plain)));
    await f.ready();
    try {
      const res = await f.inject({ method: 'GET', url: '/bypass' });
      expect(res.statusCode).toBe(500);
      expectValueFree(res.body);
    } finally {
      await f.close();
    }
    expect(reports.map((r) => [r.error.code, r.route.purpose])).toEqual([
      ['PF_OUTPUT_BYPASS', 'support.ticket'],
      ['PF_OUTPUT_BYPASS', 'support.ticket'],
    ]);
  });

  it('refuses an onServerError that is not a function', () => {
    expect(() => compileRoute(desk.pf, readCustomer, { onServerError: 'log' as never })).toThrow(/onServerError/);
  });
});
