/**
 * What a handler's `null` answers, the same on every adapter, over real HTTP
 * (Express and Fastify listening on 127.0.0.1, the fetch and Next.js handlers
 * behind a Node server): on a route with an `output`, `null` is "nothing
 * found" and answers 404 PF_NOT_FOUND, as `throw notFound()` does; on a
 * command (no `output`) it answers 204, as `undefined` does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposeful } from '../../adapters/express.js';
import { purposefulPlugin } from '../../adapters/fastify.js';
import { toFetchHandler } from '../../adapters/fetch.js';
import { withPurpose } from '../../adapters/next.js';
import { createPurposeful, defineSchema, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const Ticket = defineSchema(
  'ticket',
  z.object({
    id: pd.none(z.string()),
    subject: pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'] }),
  }),
  { purposes },
);
const pf = createPurposeful({ purposes, schemas: [Ticket] });
const actor = () => ({ id: 'agent-7' });
const lookup = { purpose: 'support.ticket', output: Ticket, actor } as const;
const command = { purpose: 'support.ticket', input: Ticket, actor } as const;
const body = JSON.stringify({ id: 't1', subject: 'Boleto duplicado' });

/** A list holding null, as `Promise.all(ids.map(findUnique))` gives; the types forbid it, a handler can still do it. */
const withNull = () => [{ id: 't1', subject: 'Boleto duplicado' }, null] as unknown as Record<string, unknown>[];

const servers: Array<{ close: () => unknown }> = [];
const bases: Record<string, string> = {};
const at = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const listen = (s: Server) => new Promise<Server>((ok) => s.listen(0, '127.0.0.1', () => ok(s)));

/** A Node server in front of a fetch handler, by path. */
function fetchServer(routes: Record<string, (req: Request) => Promise<Response>>): Server {
  return createServer(async (req, res) => {
    const handler = routes[req.url ?? ''];
    if (!handler) return void res.writeHead(500).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const init: RequestInit = { method: req.method, headers: req.headers as Record<string, string> };
    if (chunks.length > 0) init.body = Buffer.concat(chunks);
    const answer = await handler(new Request(`http://local${req.url}`, init));
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
}

beforeAll(async () => {
  const app = express();
  app.get(
    '/lookup',
    purposeful(pf, lookup, () => null),
  );
  app.get(
    '/list',
    purposeful(pf, lookup, () => withNull()),
  );
  app.post(
    '/command',
    purposeful(pf, command, () => null),
  );
  const e = await listen(createServer(app));
  servers.push(e);
  bases.express = at(e);

  const f = Fastify();
  await f.register(purposefulPlugin, { engine: pf });
  f.get('/lookup', { config: { purposeful: lookup } }, async () => null);
  f.get('/list', { config: { purposeful: lookup } }, async () => withNull());
  f.post('/command', { config: { purposeful: command } }, async () => null);
  f.get('/lookup-sync', { config: { purposeful: lookup } }, () => null);
  f.post('/command-sync', { config: { purposeful: command } }, () => null);
  await f.listen({ port: 0, host: '127.0.0.1' });
  servers.push(f);
  bases.fastify = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;

  const w = await listen(
    fetchServer({
      '/lookup': toFetchHandler(pf, lookup, () => null),
      '/list': toFetchHandler(pf, lookup, () => withNull()),
      '/command': toFetchHandler(pf, command, () => null),
    }),
  );
  servers.push(w);
  bases.fetch = at(w);

  const n = await listen(
    fetchServer({
      '/lookup': withPurpose(pf, lookup, () => null) as (req: Request) => Promise<Response>,
      '/list': withPurpose(pf, lookup, () => withNull()) as (req: Request) => Promise<Response>,
      '/command': withPurpose(pf, command, () => null) as (req: Request) => Promise<Response>,
    }),
  );
  servers.push(n);
  bases.next = at(n);
});

afterAll(async () => {
  for (const s of servers) await s.close();
});

describe.each(['express', 'fastify', 'fetch', 'next'])('a handler returning null (%s)', (adapter) => {
  it('on a route with an output: 404 PF_NOT_FOUND, as throw notFound()', async () => {
    const res = await fetch(`${bases[adapter]}/lookup`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('PF_NOT_FOUND');
  });

  it("a null inside a list is the handler's fault: 500 PF_OUTPUT_INVALID naming its index, not a 4xx", async () => {
    const res = await fetch(`${bases[adapter]}/list`);
    expect(res.status).toBe(500);
    const problem = (await res.json()) as { code: string; paths?: string[] };
    expect(problem.code).toBe('PF_OUTPUT_INVALID');
    expect(JSON.stringify(problem)).not.toContain('Boleto');
  });

  it('on a command (no output): 204 with no body, as undefined', async () => {
    const res = await fetch(`${bases[adapter]}/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });
});

describe('a synchronous Fastify handler returning null', () => {
  it('answers as an async one does: 404 with an output, 204 without', async () => {
    expect((await fetch(`${bases.fastify}/lookup-sync`)).status).toBe(404);
    const res = await fetch(`${bases.fastify}/command-sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(204);
  });
});
