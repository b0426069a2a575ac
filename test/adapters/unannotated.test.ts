/**
 * Over HTTP (Fastify, injected requests): a field declared neither with pd() nor with pd.none() is refused in a
 * request body (400, PF_UNDECLARED_FIELD naming its path, never its value) and left out of an answer; with
 * `unannotated: 'allow'` it flows as before.
 */
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposefulPlugin } from '../../adapters/fastify.js';
import { createPurposeful, defineSchema, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const shape = () =>
  z.object({
    id: pd.none(z.string()),
    subject: pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'] }),
    priority: z.number(),
  });
const Ticket = defineSchema('ticket', shape(), { purposes });
const Legacy = defineSchema('legacy-ticket', shape(), { purposes, unannotated: 'allow' });
const Aged = defineSchema(
  'aged-ticket',
  z.object({
    id: pd.none(z.string()),
    age: z.union([pd(z.number(), { category: 'user.demographic.age_range', purposes: ['support.ticket'] }), z.string()]),
  }),
  { purposes },
);
const pf = createPurposeful({ purposes, schemas: [Ticket, Legacy, Aged] });
const actor = () => ({ id: 'agent-7' });
const stored = { id: 't1', subject: 'Boleto duplicado', priority: 2 };

const app = Fastify();
afterAll(() => app.close());

describe('unannotated fields over HTTP (Fastify)', () => {
  it('a request body holding one is refused with 400 PF_UNDECLARED_FIELD, naming the path and not the value', async () => {
    await app.register(purposefulPlugin, { engine: pf });
    app.post('/tickets', { config: { purposeful: { purpose: 'support.ticket', input: Ticket, actor } } }, async () => ({}));
    app.post('/legacy', { config: { purposeful: { purpose: 'support.ticket', input: Legacy, actor } } }, async (req) => req.body);
    app.get('/tickets/t1', { config: { purposeful: { purpose: 'support.ticket', output: Ticket, actor } } }, async () => stored);
    app.get('/legacy/t1', { config: { purposeful: { purpose: 'support.ticket', output: Legacy, actor } } }, async () => stored);
    app.get('/aged/t1', { config: { purposeful: { purpose: 'support.ticket', output: Aged, actor } } }, async () => ({
      id: 't1',
      age: 'Ana Souza, CPF 529.982.247-25',
    }));
    await app.ready();

    const res = await app.inject({
      method: 'POST',
      url: '/tickets',
      payload: { id: 't1', subject: 'Boleto duplicado', priority: 987654 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json() as { code: string; paths: string[] };
    expect(problem.code).toBe('PF_UNDECLARED_FIELD');
    expect(problem.paths).toEqual(['priority']);
    expect(res.body).not.toContain('987654');
  });

  it('an answer leaves it out', async () => {
    const res = await app.inject({ method: 'GET', url: '/tickets/t1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 't1', subject: 'Boleto duplicado' });
  });

  it('an answer never holds a value that only an unannotated union option accepts', async () => {
    const res = await app.inject({ method: 'GET', url: '/aged/t1' });
    expect(res.statusCode).toBe(500);
    expect((res.json() as { code: string }).code).toBe('PF_OUTPUT_INVALID');
    expect(res.body).not.toContain('Ana');
    expect(res.body).not.toContain('529');
  });

  it("with unannotated: 'allow' it flows in and out as before", async () => {
    const posted = await app.inject({ method: 'POST', url: '/legacy', payload: stored });
    expect(posted.statusCode).toBe(200);
    expect(posted.json()).toEqual(stored);
    expect((await app.inject({ method: 'GET', url: '/legacy/t1' })).json()).toEqual(stored);
  });
});
