/**
 * Issue 16, part 5, over real HTTP on each adapter: a handler returns a record
 * with junk of any shape at any position (fast-check); the answer holds only
 * what the route's purpose may see, in the declared structure and kinds, or is
 * a 500 PF_OUTPUT_INVALID problem with no value in it. Express 5, Express 4,
 * Fastify, the fetch handler behind a Node server, and the Next.js route
 * function (`withPurpose`) behind the same Node server (the built Next app is
 * exercised by next.test.ts; building it again here would cost minutes).
 */
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposeful } from '../../adapters/express.js';
import { purposefulPlugin } from '../../adapters/fastify.js';
import { toFetchHandler } from '../../adapters/fetch.js';
import { withPurpose } from '../../adapters/next.js';
import { serveFetch } from '../../examples/support-desk/fetch.js';
import { createPurposeful, defineSchema } from '../../src/index.js';
import {
  assertLetsOut,
  inject,
  injectionsArb,
  junkPurposes,
  type Levels,
  MARKER,
  mustRefuse,
  type Spec,
  toZod,
  validArb,
} from '../minimize/junk.js';

const PURPOSE = 'p.one';
const lv = (one: Levels['p.one'], two: Levels['p.two'] = 'clear'): Levels => ({ 'p.one': one, 'p.two': two, 'p.three': 'clear' });
const leaf = (kind: Extract<Spec, { t: 'leaf' }>['kind'], ann: Extract<Spec, { t: 'leaf' }>['ann'], optional = false): Spec => ({
  t: 'leaf',
  kind,
  ann,
  optional,
});

/** One schema with a field of every sort: levels, pd.none(), kinds, nested objects, arrays, records, structure inside a leaf. */
const SHAPE: Record<string, Spec> = {
  name: leaf('string', lv('clear')),
  taxId: leaf('string', lv('masked')),
  email: leaf('string', lv('pseudonymized')),
  health: leaf('string', lv('none')),
  channel: leaf('enum', 'none'),
  score: leaf('number', 'plain'),
  active: leaf('boolean', 'plain', true),
  born: leaf('date', lv('clear'), true),
  avatar: leaf('bytes', 'plain', true),
  address: {
    t: 'object',
    ann: 'plain',
    optional: true,
    fields: { city: leaf('string', lv('clear')), street: leaf('string', lv('none')), state: leaf('enum', 'none') },
  },
  orders: {
    t: 'array',
    optional: false,
    element: {
      t: 'object',
      ann: 'plain',
      optional: false,
      fields: { id: leaf('string', 'none'), total: leaf('number', 'plain') },
    },
  },
  tags: { t: 'record', optional: true, value: leaf('string', 'plain') },
  meta: { t: 'object', ann: 'none', optional: true, fields: { source: leaf('string', 'plain'), hops: leaf('number', 'plain') } },
  home: { t: 'object', ann: lv('clear'), optional: true, fields: { zip: leaf('string', 'plain') } },
  work: { t: 'object', ann: lv('masked'), optional: true, fields: { zip: leaf('string', 'plain') } },
};

const Junk = defineSchema('junk-http', z.object(Object.fromEntries(Object.entries(SHAPE).map(([k, v]) => [k, toZod(v)]))), {
  purposes: junkPurposes,
  // the oracle (junk.ts) models unannotated ('plain') places as flowing: the migration mode
  unannotated: 'allow',
});
const pf = createPurposeful({ purposes: junkPurposes, schemas: [Junk], pseudonymKey: new Uint8Array(32).fill(11) });
const route = { purpose: PURPOSE, output: Junk, actor: () => ({ id: 'job-1' }) } as const;
const asObject: Spec = { t: 'object', fields: SHAPE, ann: 'plain', optional: false };

/** What the handler returns on the next request (requests run one at a time). */
let current: Record<string, unknown> = {};
const handler = () => current;

type Started = { base: string; close(): Promise<void> };
const listen = async (server: ReturnType<Express['listen']>): Promise<Started> => {
  await new Promise((r) => server.once('listening', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
};

const servers: Record<string, () => Promise<Started>> = {
  'express 5': async () => {
    const app = express();
    app.get('/junk', purposeful(pf, route, handler));
    return listen(app.listen(0, '127.0.0.1'));
  },
  'express 4': async () => {
    const app = (express4 as unknown as () => Express)();
    app.get('/junk', purposeful(pf, route, handler));
    return listen(app.listen(0, '127.0.0.1'));
  },
  fastify: async () => {
    const app = Fastify();
    await app.register(purposefulPlugin, { engine: pf });
    app.get('/junk', { config: { purposeful: route } }, async () => handler());
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  },
  fetch: async () => {
    const GET = toFetchHandler(pf, route, handler);
    return listen(serveFetch((req) => GET(req)).listen(0, '127.0.0.1'));
  },
  next: async () => {
    const GET = withPurpose(pf, route, handler);
    return listen(serveFetch((req) => GET(req, { params: Promise.resolve({}) })).listen(0, '127.0.0.1'));
  },
};

const caseArb = fc.record({
  record: fc.record(Object.fromEntries(Object.entries(SHAPE).map(([k, v]) => [k, validArb(v)]))),
  injections: injectionsArb(true),
});

for (const [name, start] of Object.entries(servers)) {
  describe(`${name} over real HTTP: a returned record with junk at any position`, () => {
    let server: Started;
    beforeAll(async () => {
      server = await start();
    });
    afterAll(() => server.close());

    it('answers only what the purpose may see, in the declared kinds, or 500 PF_OUTPUT_INVALID (fast-check)', async () => {
      current = { name: 'Ana', taxId: '52998224725', email: 'a@example.com', health: 'x', channel: 'x', score: 1, orders: [] };
      const ok = await fetch(`${server.base}/junk`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ name: 'Ana', channel: 'x', score: 1, orders: [] });

      await fc.assert(
        fc.asyncProperty(caseArb, async ({ record, injections }) => {
          current = inject(record as Record<string, unknown>, injections);
          const refuse = mustRefuse(asObject, current, PURPOSE);
          const res = await fetch(`${server.base}/junk`);
          const text = await res.text();
          if (res.status === 500) {
            expect(text, 'junk went out').not.toContain(MARKER);
            expect(JSON.parse(text)).toMatchObject({ code: 'PF_OUTPUT_INVALID', status: 500 });
            expect(refuse, 'refused, though no junk sits where the purpose looks').toBe(true);
            return;
          }
          expect(res.status, text.slice(0, 200)).toBe(200);
          expect(refuse, 'junk of another structure or kind sits where the purpose looks, and was not refused').toBe(false);
          // junk marker: in no string but under `tags` (a record of strings lets out any key with a string)
          assertLetsOut(asObject, JSON.parse(text), PURPOSE, '', 'json');
          const { tags: _tags, ...rest } = JSON.parse(text) as Record<string, unknown>;
          expect(JSON.stringify(rest), 'junk went out').not.toContain(MARKER);
        }),
        { numRuns: 40 },
      );
    });
  });
}
