import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { expressApp } from '../../examples/support-desk/express.js';
import { fastifyApp } from '../../examples/support-desk/fastify.js';
import { fetchApp, serveFetch } from '../../examples/support-desk/fetch.js';
import { CASES, fuzzPipeline, JWT_SECRET, runCase, type Tokens, tokens } from './cases.js';

type Started = { base: string; close(): Promise<void> };

const servers: Record<string, () => Promise<Started>> = {
  express: async () => {
    const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
    const server = expressApp(desk).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
  },
  'express 4': async () => {
    const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
    const app = expressApp(desk, express4 as unknown as () => Express);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
  },
  fastify: async () => {
    const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
    const app = await fastifyApp(desk);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  },
  fetch: async () => {
    const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
    const server = serveFetch(fetchApp(desk)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
  },
};

for (const [name, start] of Object.entries(servers)) {
  describe(`${name} over real HTTP: the shared table`, () => {
    let server: Started;
    let t: Tokens;
    beforeAll(async () => {
      server = await start();
      t = await tokens();
    });
    afterAll(() => server.close());
    for (const c of CASES) it(c.name, () => runCase(server.base, c, t));
    it('never answers 5xx to random bodies, headers and tokens (fast-check, over HTTP)', () =>
      fuzzPipeline(async (url, init) => {
        const res = await fetch(server.base + url, init);
        await res.arrayBuffer();
        return res.status;
      }, 150));
  });
}
