/**
 * The output guard of the Node adapters against a handler that reaches past
 * the response's own methods (issue 16, part 7), and two smaller defects of
 * every adapter (part 9): a query string with invalid percent-encoding, and a
 * handler returning a string, Blob or stream on a guarded route.
 *
 * Everything goes over real HTTP on 127.0.0.1. The bypasses are read with a
 * raw socket (`Connection: close`, every byte until the server closes), so a
 * 103 before the answer or bytes after it are seen, not hidden by a client
 * that stops at Content-Length.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import express, { type Express, type Response as ExpressResponse } from 'express';
import express4 from 'express4';
import Fastify, { type FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposeful } from '../../adapters/express.js';
import { purposefulPlugin } from '../../adapters/fastify.js';
import { toFetchHandler } from '../../adapters/fetch.js';
import { withPurpose } from '../../adapters/next.js';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { Customer, NewTicket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { JWT_SECRET, MARKER } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const actor = () => ({ id: 'agent-7', roles: ['support'] });
const readCustomer = { purpose: 'support.ticket', output: Customer, actor } as const;
const readQuery = { purpose: 'support.ticket', query: NewTicket, actor } as const;
/** A row with its name in clear, as a handler that forgot the projection would hold it. */
const plain = { ...sampleCustomer, name: MARKER };
const ZZ = 'ZZMARK';
const row = () => desk.customers.get(sampleCustomer.id);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a handler on a Node adapter does with the raw response, one way per path. */
const BYPASSES: Record<string, (res: ServerResponse) => unknown> = {
  // the reported crash: the method of the prototype, not the response's own
  'end-call': (res) => {
    http.ServerResponse.prototype.end.call(res, ZZ, 'utf8');
    return row();
  },
  'end-call-empty': (res) => {
    Reflect.apply(http.ServerResponse.prototype.writeHead, res, [200, { 'x-leak': MARKER }]);
    Reflect.apply(http.ServerResponse.prototype.end, res, []);
    return row();
  },
  'writehead-then-end-call': (res) => {
    Reflect.apply(http.ServerResponse.prototype.writeHead, res, [200, { 'content-type': 'application/json', 'x-leak': MARKER }]);
    Reflect.apply(http.OutgoingMessage.prototype.end, res, [JSON.stringify(plain)]);
    return undefined;
  },
  'write-call': (res) => {
    Reflect.apply(http.OutgoingMessage.prototype.write, res, [ZZ]);
    return row();
  },
  'flush-call': (res) => {
    res.setHeader('x-leak', MARKER);
    Reflect.apply(http.OutgoingMessage.prototype.flushHeaders, res, []);
    return row();
  },
  'early-hints': (res) => {
    res.writeEarlyHints({ 'x-leak': MARKER, link: '</a.css>; rel=preload' });
    return row();
  },
  'early-hints-call': (res) => {
    Reflect.apply(http.ServerResponse.prototype.writeEarlyHints, res, [{ 'x-leak': MARKER, link: '</b.css>; rel=preload' }]);
    return row();
  },
  'end-call-later': async (res) => {
    setTimeout(() => Reflect.apply(http.ServerResponse.prototype.end, res, [ZZ]), 5);
    await wait(30);
    return undefined;
  },
  'end-call-after-return': (res) => {
    setTimeout(() => Reflect.apply(http.ServerResponse.prototype.end, res, [ZZ]), 0);
    return row();
  },
};

/** The own members of Node's response prototypes, by name. */
function nodePrototypes(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, proto] of [
    ['ServerResponse', http.ServerResponse.prototype],
    ['OutgoingMessage', http.OutgoingMessage.prototype],
  ] as const) {
    for (const key of Object.getOwnPropertyNames(proto))
      out[`${name}.${key}`] = Object.getOwnPropertyDescriptor(proto, key)?.value;
  }
  return out;
}
/** Taken before any server of this file runs. */
const PRISTINE = nodePrototypes();

/** Sends that come after the pipeline answered (the handler returned at once): dropped, the answer stands. */
const LATE = new Set(['end-call-after-return']);

interface Started {
  readonly base: string;
  readonly port: number;
  close(): Promise<void>;
}

function expressServer(make: () => Express): () => Promise<Started> {
  return async () => {
    const app = make();
    for (const [name, bypass] of Object.entries(BYPASSES)) {
      app.get(
        `/bypass/${name}`,
        purposeful(desk.pf, readCustomer, (_ctx, res: ExpressResponse) => bypass(res) as never),
      );
    }
    app.get(
      '/ok',
      purposeful(desk.pf, readCustomer, () => row()),
    );
    app.get(
      '/returns/string',
      purposeful(desk.pf, readCustomer, () => JSON.stringify(plain) as never),
    );
    app.get(
      '/returns/bytes',
      purposeful(desk.pf, readCustomer, () => Buffer.from(JSON.stringify(plain)) as never),
    );
    app.get(
      '/q',
      purposeful(desk.pf, readQuery, ({ query }) => ({ query })),
    );
    app.get('/unguarded-hints', (_req, res) => {
      res.writeEarlyHints({ link: '</a.css>; rel=preload' });
      res.end('sent by hand');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    return { base: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
  };
}

async function fastifyServer(): Promise<Started> {
  const app = Fastify();
  await app.register(purposefulPlugin, { engine: desk.pf });
  for (const [name, bypass] of Object.entries(BYPASSES)) {
    app.get(`/bypass/${name}`, { config: { purposeful: readCustomer } }, async (_req, reply) => {
      const out = await bypass(reply.raw);
      return out === undefined ? reply : out;
    });
  }
  app.get('/bypass/serializer', { config: { purposeful: readCustomer } }, async (_req, reply: FastifyReply) => {
    reply.serializer(() => JSON.stringify(plain));
    return row();
  });
  app.get('/bypass/serializer-send', { config: { purposeful: readCustomer } }, async (_req, reply: FastifyReply) => {
    return reply.serializer(() => JSON.stringify(plain)).send(row());
  });
  app.get('/ok', { config: { purposeful: readCustomer } }, async () => row());
  app.get('/q', { config: { purposeful: readQuery } }, async (request) => ({ query: request.query }));
  app.get('/unguarded-hints', async (_req, reply) => {
    reply.raw.writeEarlyHints({ link: '</a.css>; rel=preload' });
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.end('sent by hand');
    return reply;
  });
  app.get('/unguarded-serializer', async (_req, reply) => {
    reply.serializer(() => '"serialized by hand"');
    return { any: 'thing' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** A fetch handler (or a Next route handler) behind a Node server: one route per path. */
function fetchServer(routes: Record<string, (request: Request) => Promise<Response>>): () => Promise<Started> {
  return async () => {
    const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
      const url = `http://127.0.0.1${req.url}`;
      const handle = routes[new URL(url).pathname];
      if (!handle) return void res.writeHead(404).end();
      try {
        const response = await handle(new Request(url, { method: req.method, headers: req.headers as HeadersInit }));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch {
        res.writeHead(599).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    return { base: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
  };
}

/** Every byte the server sends for one request, read until it closes the connection. */
function rawGet(port: number, path: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => done(false), 3000);
    socket.on('data', (b) => chunks.push(b));
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

/** The one answer in a raw exchange: its status lines (a 103 would be one more), and the body as JSON. */
function oneAnswer(text: string): { statuses: number[]; body: Record<string, unknown> } {
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  const head = text.lastIndexOf('\r\n\r\n');
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text.slice(head + 4)) as Record<string, unknown>;
  } catch {
    body = { unparsed: text.slice(head + 4) };
  }
  return { statuses, body };
}

const NODE_SERVERS: Record<string, () => Promise<Started>> = {
  'express 5': expressServer(() => express()),
  'express 4': expressServer(() => (express4 as unknown as () => Express)()),
  fastify: fastifyServer,
};

/** Errors that escaped to the process while a server ran: the crash of the report was one. */
const escaped: unknown[] = [];
const onEscaped = (err: unknown) => escaped.push(err);
beforeAll(async () => {
  await desk.ready;
  process.on('uncaughtException', onEscaped);
});
afterAll(() => {
  process.off('uncaughtException', onEscaped);
});

for (const [name, start] of Object.entries(NODE_SERVERS)) {
  describe(`${name}: the output guard against a handler that reaches past the response's methods`, () => {
    let server: Started;
    beforeAll(async () => {
      server = await start();
    });
    afterAll(() => server.close());

    const paths = [...Object.keys(BYPASSES), ...(name === 'fastify' ? ['serializer', 'serializer-send'] : [])];
    it.each(paths)(
      '/bypass/%s: the pipeline’s answer alone reaches the client (500 PF_OUTPUT_BYPASS), and the server lives on',
      async (path) => {
        escaped.length = 0;
        const { text, closed } = await rawGet(server.port, `/bypass/${path}`);
        expect(closed, `the server did not finish its answer:\n${text}`).toBe(true);
        expect(text).not.toContain(ZZ);
        expect(text).not.toContain(MARKER);
        expect(text).not.toContain(sampleCustomer.cpf);
        const { statuses, body } = oneAnswer(text);
        if (LATE.has(path)) {
          // the pipeline answered first, projected; the late send is dropped
          expect(statuses, text).toEqual([200]);
          expect(body).toMatchObject({ cpf: '***.***.**7-25' });
        } else {
          expect(statuses, text).toEqual([500]); // one answer: no 103 before it, nothing after it
          expect(body).toMatchObject({ code: 'PF_OUTPUT_BYPASS', status: 500 });
        }
        await wait(20); // a late send from a timer runs now
        // the process survives: the same server answers the next request, projected
        const next = await fetch(`${server.base}/ok`);
        expect(next.status).toBe(200);
        expect(((await next.json()) as { cpf: string }).cpf).toBe('***.***.**7-25');
        expect(escaped.map(String)).toEqual([]);
      },
    );

    if (name !== 'fastify') {
      it.each(['string', 'bytes'])('answers a handler returning a %s with 500 PF_OUTPUT_BYPASS', async (k) => {
        const res = await fetch(`${server.base}/returns/${k}`);
        const text = await res.text();
        expect(res.status, text).toBe(500);
        expect(JSON.parse(text)).toMatchObject({ code: 'PF_OUTPUT_BYPASS' });
        expect(text).not.toContain(MARKER);
      });
    }

    it('leaves early hints alone on a route without purposeful', async () => {
      const { text, closed } = await rawGet(server.port, '/unguarded-hints');
      expect(closed).toBe(true);
      expect(oneAnswer(text).statuses).toEqual([103, 200]);
      expect(text).toContain('sent by hand');
    });

    it('refuses a query string with invalid percent-encoding (400 PF_INPUT_INVALID)', async () => {
      await expectQueryRefusals(server.base);
    });
  });
}

describe('fastify: the guard is scoped to the routes that need it', () => {
  let server: Started;
  beforeAll(async () => {
    server = await fastifyServer();
  });
  afterAll(() => server.close());

  it('leaves http.ServerResponse.prototype (and OutgoingMessage.prototype) as Node made them, after guarded routes ran', async () => {
    for (const path of ['/bypass/end-call', '/ok', '/bypass/early-hints', '/bypass/write-call']) {
      await (await fetch(server.base + path)).text();
    }
    expect(nodePrototypes()).toEqual(PRISTINE);
  });

  it('leaves reply.serializer alone on a route without purposeful', async () => {
    const res = await fetch(`${server.base}/unguarded-serializer`);
    expect(await res.text()).toBe('"serialized by hand"');
  });
});

/** The query refusals every adapter shares. */
async function expectQueryRefusals(base: string): Promise<void> {
  const valid = `customerId=${sampleCustomer.id}&subject=s`;
  const ok = await fetch(`${base}/q?${valid}&message=ol%C3%A1`);
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { query: { message: string } }).query.message).toBe('olá');
  for (const bad of ['%FF', '%C3%28', '%ED%A0%80', 'a%', 'a%2', '%zz']) {
    const res = await fetch(`${base}/q?${valid}&message=${bad}`);
    const text = await res.text();
    expect(res.status, `message=${bad}: ${text}`).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ code: 'PF_INPUT_INVALID', reason: 'encoding' });
    expect(text).not.toContain('\uFFFD');
  }
  // in a key too
  const key = await fetch(`${base}/q?${valid}&message=m&%FF=1`);
  expect(((await key.json()) as { code: string }).code).toBe('PF_INPUT_INVALID');
}

/** Handlers of the Web adapters that return what a projection cannot take. */
const NOT_RECORDS: Record<string, () => unknown> = {
  string: () => JSON.stringify(plain),
  blob: () => new Blob([JSON.stringify(plain)], { type: 'application/json' }),
  stream: () =>
    new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify(plain)));
        c.close();
      },
    }),
  'node-stream': () => Readable.from([JSON.stringify(plain)]),
  bytes: () => new TextEncoder().encode(JSON.stringify(plain)),
  'array-buffer': () => new TextEncoder().encode(JSON.stringify(plain)).buffer,
  'string-list': () => [JSON.stringify(plain)],
};

const WEB_SERVERS: Record<string, () => Promise<Started>> = {
  fetch: fetchServer({
    ...Object.fromEntries(
      Object.entries(NOT_RECORDS).map(([k, make]) => [`/returns/${k}`, toFetchHandler(desk.pf, readCustomer, make as never)]),
    ),
    '/ok': toFetchHandler(desk.pf, readCustomer, () => row()),
    '/q': toFetchHandler(desk.pf, readQuery, ({ query }) => ({ query })),
  }),
  'next (route handlers)': fetchServer({
    ...Object.fromEntries(
      Object.entries(NOT_RECORDS).map(([k, make]) => [`/returns/${k}`, withPurpose(desk.pf, readCustomer, make as never)]),
    ),
    '/ok': withPurpose(desk.pf, readCustomer, () => row()),
    '/q': withPurpose(desk.pf, readQuery, ({ query }) => ({ query })),
  }),
};

for (const [name, start] of Object.entries(WEB_SERVERS)) {
  describe(`${name} over real HTTP`, () => {
    let server: Started;
    beforeAll(async () => {
      server = await start();
    });
    afterAll(() => server.close());

    it.each(Object.keys(NOT_RECORDS))(
      'answers a handler returning a %s on a guarded route with 500 PF_OUTPUT_BYPASS (a server bug, not a bad request)',
      async (k) => {
        const res = await fetch(`${server.base}/returns/${k}`);
        const text = await res.text();
        expect(res.status, text).toBe(500);
        expect(JSON.parse(text)).toMatchObject({ code: 'PF_OUTPUT_BYPASS', status: 500 });
        expect(text).not.toContain(MARKER);
        const ok = await fetch(`${server.base}/ok`);
        expect(ok.status).toBe(200);
      },
    );

    it('refuses a query string with invalid percent-encoding (400 PF_INPUT_INVALID)', async () => {
      await expectQueryRefusals(server.base);
    });
  });
}

describe('express middleware outside an Express app: the guard stays on the response', () => {
  it("leaves Node's prototypes as Node made them when the middleware runs on a plain http server, and still refuses the bypass", async () => {
    const guarded = purposeful(desk.pf, readCustomer, (_ctx, res: ExpressResponse) => BYPASSES['end-call']?.(res) as never);
    const server = http.createServer((req, res) => {
      // what connect, polka or a hand-written server hand the middleware: Node's own request and response
      guarded(req as never, res as never, (err?: unknown) => {
        res.statusCode = err ? 500 : 404;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`);
      const body = await res.text();
      expect(body).not.toContain(ZZ);
      expect(nodePrototypes()).toEqual(PRISTINE);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('fastify: a serializer set before the route runs', () => {
  it('refuses a reply.serializer(fn) an application-level hook set on a guarded route (500 PF_OUTPUT_BYPASS), and leaves it to unguarded routes', async () => {
    const app = Fastify();
    await app.register(purposefulPlugin, { engine: desk.pf });
    app.addHook('onRequest', async (_request, reply) => {
      reply.serializer(() => JSON.stringify(plain));
    });
    app.get('/ok', { config: { purposeful: readCustomer } }, async () => row());
    app.get('/free', async () => ({ any: 'thing' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const guarded = await fetch(`${base}/ok`);
      const body = await guarded.text();
      expect(guarded.status).toBe(500);
      expect(JSON.parse(body).code).toBe('PF_OUTPUT_BYPASS');
      expect(body).not.toContain(MARKER);
      expect(await (await fetch(`${base}/free`)).text()).toContain(MARKER);
    } finally {
      await app.close();
    }
  });
});
