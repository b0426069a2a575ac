import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposefulPlugin, purposefulRoute } from '../../adapters/fastify.js';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { Customer, NewTicket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { isPurposefulError, notFound } from '../../src/index.js';
import { JWT_SECRET, MARKER } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const actor = () => ({ id: 'agent-7', roles: ['support'] });
const readCustomer = { purpose: 'support.ticket', output: Customer, actor } as const;
const plain = { ...sampleCustomer, name: MARKER };

const app = Fastify();
// declared before the plugin in the same context: the plugin cannot instrument it, so it is refused
app.get('/early', { config: { purposeful: readCustomer } }, async () => plain);

describe('Fastify adapter', () => {
  beforeAll(async () => {
    await desk.ready;
    await app.register(purposefulPlugin, { engine: desk.pf });
    app.get('/string', { config: { purposeful: readCustomer } }, async (_req, reply) => reply.send(JSON.stringify(plain)));
    app.get('/buffer', { config: { purposeful: readCustomer } }, async () => Buffer.from(JSON.stringify(plain)));
    app.get('/stream', { config: { purposeful: readCustomer } }, async (_req, reply) =>
      reply.type('application/json').send(Readable.from([JSON.stringify(plain)])),
    );
    app.get('/raw', { config: { purposeful: readCustomer } }, async (_req, reply) => {
      reply.hijack();
      reply.raw.end(JSON.stringify(plain));
    });
    app.get('/rawend', { config: { purposeful: readCustomer } }, async (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'application/json' });
      reply.raw.end(JSON.stringify(plain));
      return reply;
    });
    app.get('/rawpipe', { config: { purposeful: readCustomer } }, async (_req, reply) => {
      Readable.from([JSON.stringify(plain)]).pipe(reply.raw);
      return reply;
    });
    app.get('/unguarded', async (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.end('sent by hand');
      return reply;
    });
    app.get('/headers', { config: { purposeful: readCustomer } }, async (_req, reply) => {
      reply.header('x-who', MARKER);
      return reply.send(MARKER);
    });
    app.get('/throws404', { config: { purposeful: readCustomer } }, async () => {
      throw Object.assign(new Error(`no ${MARKER}`), { statusCode: 404 });
    });
    app.get('/throws500', { config: { purposeful: readCustomer } }, async () => {
      throw new Error(`boom ${MARKER}`);
    });
    app.get('/nothing', { config: { purposeful: readCustomer } }, async () => undefined);
    app.get('/returns', { config: { purposeful: readCustomer } }, async () => desk.customers.get(sampleCustomer.id));
    app.get('/list', { config: { purposeful: readCustomer } }, async () => [...desk.customers.values()]);
    app.get(
      '/throws',
      { config: { purposeful: readCustomer }, errorHandler: (_e, _r, reply) => reply.code(599).send({ own: true }) },
      async () => {
        throw new Error(`boom ${MARKER}`);
      },
    );
    app.post('/context', { config: { purposeful: { purpose: 'support.ticket', input: NewTicket, actor } } }, async (request) => ({
      body: request.body,
      actor: request.purposeful?.actor.id,
    }));
    app.post('/plain', async (request) => ({ seen: request.body }));
    app.post(
      '/typed/:customerId',
      purposefulRoute(
        { purpose: 'support.ticket', input: NewTicket, actor, status: 201 },
        { bodyLimit: 256, config: { tag: 'kept' } },
      ),
      async (request) => ({
        message: request.body.message,
        customerId: request.params.customerId,
        tag: (request.routeOptions.config as { tag?: string }).tag,
      }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(['string', 'buffer', 'stream'])(
    'refuses a %s sent on a route with an output declaration (nothing leaks)',
    async (how) => {
      const res = await app.inject({ method: 'GET', url: `/${how}` });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'PF_OUTPUT_BYPASS' });
      expect(res.body).not.toContain(MARKER);
      expect(res.headers['content-type']).toBe('application/problem+json');
    },
  );

  it.each(['rawend', 'rawpipe'])('guards reply.raw, which skips every hook (/%s)', async (path) => {
    const res = await app.inject({ method: 'GET', url: `/${path}` });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'PF_OUTPUT_BYPASS' });
    expect(res.body).not.toContain(MARKER);
  });

  it('leaves the raw response of a route without purposeful alone, once guarded ones have run', async () => {
    await app.inject({ method: 'GET', url: '/rawend' });
    const res = await app.inject({ method: 'GET', url: '/unguarded' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('sent by hand');
  });

  it('drops the headers the handler set from a problem answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/headers' });
    expect(res.statusCode).toBe(500);
    expect(JSON.stringify(res.headers)).not.toContain(MARKER);
    expect(res.body).not.toContain(MARKER);
  });

  it('never sends a handler error’s message: a 4xx as a bare problem, the rest to the error handler without it', async () => {
    const notFound = await app.inject({ method: 'GET', url: '/throws404' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404 });
    const failed = await app.inject({ method: 'GET', url: '/throws500' });
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain(MARKER);
  });

  it('answers HEAD on a purposeful GET route like GET, without a body', async () => {
    expect((await app.inject({ method: 'HEAD', url: '/nothing' })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/nothing' })).statusCode).toBe(204);
    const head = await app.inject({ method: 'HEAD', url: '/returns' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect((await app.inject({ method: 'HEAD', url: '/string' })).statusCode).toBe(500);
  });

  it('refuses reply.hijack() on a route with an output declaration', async () => {
    const res = await app.inject({ method: 'GET', url: '/raw' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'PF_OUTPUT_BYPASS' });
    expect(res.body).not.toContain(MARKER);
  });

  it('projects returned rows, one or many, with the private headers', async () => {
    const one = await app.inject({ method: 'GET', url: '/returns' });
    expect(one.json().cpf).toBe('***.***.**7-25');
    expect(one.headers['cache-control']).toBe('no-store');
    const many = await app.inject({ method: 'GET', url: '/list' });
    expect(many.json()).toHaveLength(2);
  });

  it('refuses a route declared before the plugin rather than serve it unprotected', async () => {
    const res = await app.inject({ method: 'GET', url: '/early' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'PF_OPTIONS_INVALID' });
    expect(res.body).not.toContain(MARKER);
  });

  it('leaves other errors to the route’s or the instance’s error handler', async () => {
    const res = await app.inject({ method: 'GET', url: '/throws' });
    expect(res.statusCode).toBe(599);
    expect(res.json()).toEqual({ own: true });
  });

  it('gives the handler the validated input in request.body and the context in request.purposeful', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/context',
      payload: { customerId: sampleCustomer.id, subject: 's', message: 'm' },
    });
    expect(res.json()).toEqual({ body: { customerId: sampleCustomer.id, subject: 's', message: 'm' }, actor: 'agent-7' });
  });

  it('purposefulRoute declares the route like config.purposeful, keeping the other options', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: `/typed/${sampleCustomer.id}`,
      payload: { customerId: sampleCustomer.id, subject: 's', message: 'm' },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ message: 'm', customerId: sampleCustomer.id, tag: 'kept' });
    // the pipeline runs: an undeclared field is refused
    const undeclared = await app.inject({
      method: 'POST',
      url: `/typed/${sampleCustomer.id}`,
      payload: { customerId: sampleCustomer.id, subject: 's', message: 'm', cpf: MARKER },
    });
    expect(undeclared.statusCode).toBe(400);
    expect(undeclared.body).not.toContain(MARKER);
    // and the route's own bodyLimit applies
    const big = await app.inject({
      method: 'POST',
      url: `/typed/${sampleCustomer.id}`,
      payload: { customerId: sampleCustomer.id, subject: 's', message: 'm'.repeat(300) },
    });
    expect(big.statusCode).toBe(413);
  });

  it('a client cannot use the internal media type to skip the checks', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/context',
      headers: { 'content-type': 'application/x-purposeful-read' },
      payload: '{"customerId":"x","__proto__":{}}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'PF_MEDIA_TYPE_UNSUPPORTED' });
    const plainRoute = await app.inject({
      method: 'POST',
      url: '/plain',
      headers: { 'content-type': 'application/x-purposeful-read' },
      payload: '{"a":1}',
    });
    expect(plainRoute.statusCode).toBe(415); // not a way to send a body nobody reads either
  });

  it('leaves routes without config.purposeful alone', async () => {
    const res = await app.inject({ method: 'POST', url: '/plain', payload: { a: 1, a2: [1] } });
    expect(res.json()).toEqual({ seen: { a: 1, a2: [1] } });
  });

  it('fails at startup for a route whose declaration is wrong', async () => {
    const bad = Fastify();
    await bad.register(purposefulPlugin, { engine: desk.pf });
    let code: string | undefined;
    try {
      bad.get('/x', { config: { purposeful: { purpose: 'nope', output: Customer, actor } } }, async () => ({}));
      await bad.ready();
    } catch (err) {
      code = isPurposefulError(err) ? err.code : String(err);
    }
    expect(code).toBe('PF_PURPOSE_UNKNOWN');
    await bad.close();
  });

  it('refuses to register without an engine', async () => {
    const bad = Fastify();
    await expect(bad.register(purposefulPlugin, {} as never).ready()).rejects.toMatchObject({ code: 'PF_OPTIONS_INVALID' });
  });
});

describe('Fastify over real HTTP: synchronous handlers answer like async ones', () => {
  const sync = Fastify();
  let base = '';
  beforeAll(async () => {
    await desk.ready;
    await sync.register(purposefulPlugin, { engine: desk.pf });
    const command = { purpose: 'support.ticket', input: NewTicket, actor } as const;
    sync.post('/command', { config: { purposeful: command } }, () => undefined);
    sync.get('/nothing', { config: { purposeful: readCustomer } }, () => undefined);
    sync.get('/returns', { config: { purposeful: readCustomer } }, () => desk.customers.get(sampleCustomer.id));
    sync.get('/sends', { config: { purposeful: readCustomer } }, (_req, reply) => {
      reply.send(desk.customers.get(sampleCustomer.id));
    });
    // Fastify's way of saying "I answer later": return the reply
    sync.get('/later', { config: { purposeful: readCustomer } }, (_req, reply) => {
      setImmediate(() => reply.send(desk.customers.get(sampleCustomer.id)));
      return reply;
    });
    sync.get('/missing', { config: { purposeful: readCustomer } }, () => {
      throw notFound();
    });
    await sync.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(sync.server.address() as AddressInfo).port}`;
  });
  afterAll(() => sync.close());

  // a handler that never answers fails here instead of hanging the run
  const get = (path: string, init: RequestInit = {}) => fetch(base + path, { ...init, signal: AbortSignal.timeout(8000) });

  it('a synchronous handler that returns undefined answers 204, on a command and on a read', async () => {
    const command = await get('/command', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: sampleCustomer.id, subject: 's', message: 'm' }),
    });
    expect(command.status).toBe(204);
    expect(await command.text()).toBe('');
    expect(command.headers.get('cache-control')).toBe('no-store');
    const read = await get('/nothing');
    expect(read.status).toBe(204);
  });

  it('a synchronous handler that returns a record, or sends it, is projected', async () => {
    for (const path of ['/returns', '/sends']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { cpf: string }).cpf).toBe('***.***.**7-25');
    }
  });

  it('a synchronous handler that returns the reply answers when it sends, projected', async () => {
    const res = await get('/later');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cpf: string }).cpf).toBe('***.***.**7-25');
  });

  it('throw notFound() answers 404 PF_NOT_FOUND', async () => {
    const res = await get('/missing');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'PF_NOT_FOUND', status: 404, title: 'Not found' });
  });
});
