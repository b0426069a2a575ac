/**
 * One table of HTTP cases for the support desk, run against every adapter
 * over real HTTP on 127.0.0.1 (Express, Fastify, the fetch handler behind a
 * Node server, and a built Next.js app), so that all of them behave the same.
 */

import fc from 'fast-check';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { AUDIENCE, ISSUER, secondCustomer, TICKET_1, TICKET_2 } from '../../examples/support-desk/app.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';

export const JWT_SECRET = new TextEncoder().encode('support-desk tests: a 32+ byte HMAC secret');
/** A value that must never come back in an answer. */
export const MARKER = 'S3CR3T-529.982.247-25';

const C1 = sampleCustomer.id;
const C2 = secondCustomer.id;

async function token(sub: string, roles: string[], opts: { mfa?: boolean; exp?: number; secret?: Uint8Array } = {}) {
  const jwt = new SignJWT({ roles, amr: opts.mfa ? ['pwd', 'otp'] : ['pwd'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600);
  jwt.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 900);
  return jwt.sign(opts.secret ?? JWT_SECRET);
}

export interface Tokens {
  agent: string;
  agentMfa: string;
  supervisor: string;
  billing: string;
  customer1: string;
  customer2: string;
  expired: string;
  forged: string;
}

export async function tokens(): Promise<Tokens> {
  return {
    agent: await token('agent-7', ['support']),
    agentMfa: await token('agent-7', ['support'], { mfa: true }),
    supervisor: await token('sup-1', ['supervisor']),
    billing: await token('billing-svc', ['billing']),
    customer1: await token(C1, ['customer']),
    customer2: await token(C2, ['customer']),
    expired: await token('agent-7', ['support'], { exp: Math.floor(Date.now() / 1000) - 60 }),
    forged: await token('agent-7', ['support', 'billing'], {
      secret: new TextEncoder().encode('not the desk secret, 32+ bytes long'),
    }),
  };
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** A JSON value (sent as application/json), raw bytes, or a stream of chunks without Content-Length. */
  readonly body?: unknown;
  readonly raw?: Uint8Array | string;
  readonly chunks?: Uint8Array[];
}

export interface HttpCase {
  readonly name: string;
  readonly request: (t: Tokens) => HttpRequest;
  readonly status: number;
  readonly code?: string;
  readonly reason?: string;
  readonly check?: (json: Record<string, unknown>) => void;
}

const json = 'application/json';
const post = (path: string, tok: string, raw: Uint8Array | string, type = json): HttpRequest => ({
  method: 'POST',
  path,
  token: tok,
  headers: { 'content-type': type },
  raw,
});
const newTicket = (extra: Record<string, unknown> = {}) => ({
  customerId: C1,
  subject: 'Login',
  message: 'I cannot log in since yesterday',
  ...extra,
});

export const CASES: readonly HttpCase[] = [
  {
    name: 'allowed: an agent reads a customer, CPF masked, e-mail clear, no health data',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}`, token: t.agent }),
    status: 200,
    check: (b) => {
      expect(b.cpf).toBe('***.***.**7-25');
      expect(b.email).toBe(sampleCustomer.email);
      expect(b.phone).toBe('*********4321');
      expect(b).not.toHaveProperty('accessibility');
    },
  },
  {
    name: 'role-dependent access: a supervisor sees the phone in clear',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}`, token: t.supervisor }),
    status: 200,
    check: (b) => expect(b.phone).toBe(sampleCustomer.phone),
  },
  {
    name: 'billing reads the invoice data with the CPF in clear',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}/billing`, token: t.billing }),
    status: 200,
    check: (b) => {
      expect(b.cpf).toBe(sampleCustomer.cpf);
      expect(b).not.toHaveProperty('email');
    },
  },
  {
    name: 'not found: a GET whose handler throws notFound() answers 404 PF_NOT_FOUND, naming nothing',
    request: (t) => ({ method: 'GET', path: '/tickets/00000000-0000-4000-8000-000000000000', token: t.agent }),
    status: 404,
    code: 'PF_NOT_FOUND',
    check: (b) => {
      expect(b.title).toBe('Not found');
      expect(JSON.stringify(b)).not.toContain('00000000-0000-4000-8000-000000000000');
    },
  },
  {
    name: 'not found: an unknown customer answers 404 PF_NOT_FOUND too (handler returns a rejected notFound())',
    request: (t) => ({ method: 'GET', path: '/customers/00000000-0000-4000-8000-000000000000', token: t.agent }),
    status: 404,
    code: 'PF_NOT_FOUND',
  },
  {
    name: 'wrong role: a support agent asks for the billing purpose',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}/billing`, token: t.agent }),
    status: 403,
    code: 'PF_ROLE_NOT_ALLOWED',
  },
  {
    name: 'denied for purpose: a customer reads another customer’s ticket',
    request: (t) => ({ method: 'GET', path: `/tickets/${TICKET_2}`, token: t.customer1 }),
    status: 403,
    code: 'PF_SUBJECT_MISMATCH',
  },
  {
    name: 'a customer reads their own ticket; the agent’s name is masked',
    request: (t) => ({ method: 'GET', path: `/tickets/${TICKET_1}`, token: t.customer1 }),
    status: 200,
    check: (b) => {
      expect(b.subject).toBe('Cannot log in');
      expect((b.assignee as { agentName: string }).agentName).not.toBe('Ana Lima');
    },
  },
  {
    name: 'missing second factor: health data needs one',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}/accessibility`, token: t.agent }),
    status: 403,
    code: 'PF_MFA_REQUIRED',
  },
  {
    name: 'with a second factor and highlighted consent, the accessibility needs are shown',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}/accessibility`, token: t.agentMfa }),
    status: 200,
    check: (b) => {
      expect(b.accessibility).toBe(sampleCustomer.accessibility);
      expect(b).not.toHaveProperty('cpf');
    },
  },
  {
    name: 'denied for consent: no accessibility consent on record for the second customer',
    request: (t) => ({ method: 'GET', path: `/customers/${C2}/accessibility`, token: t.agentMfa }),
    status: 403,
    code: 'PF_CONSENT_REQUIRED',
    reason: 'none',
  },
  {
    name: 'denied for consent: the survey without the customer’s consent',
    request: (t) => post(`/tickets/${TICKET_1}/survey`, t.customer1, JSON.stringify({ satisfaction: 5 })),
    status: 403,
    code: 'PF_CONSENT_REQUIRED',
    reason: 'none',
  },
  {
    name: 'the survey with consent',
    request: (t) => post(`/tickets/${TICKET_2}/survey`, t.customer2, JSON.stringify({ satisfaction: 4 })),
    status: 204,
  },
  {
    name: 'a customer opens a ticket (201, projected)',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket())),
    status: 201,
    check: (b) => {
      expect(b.customerId).toBe(C1);
      expect(b.status).toBe('open');
    },
  },
  {
    name: 'a customer cannot open a ticket in another customer’s name',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket({ customerId: C2 }))),
    status: 403,
    code: 'PF_SUBJECT_MISMATCH',
  },
  {
    name: 'undeclared field: the ticket form does not collect a CPF',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket({ cpf: MARKER }))),
    status: 400,
    code: 'PF_UNDECLARED_FIELD',
    check: (b) => expect(b.paths).toEqual(['cpf']),
  },
  {
    name: 'invalid input: an empty subject',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket({ subject: '', message: MARKER }))),
    status: 400,
    code: 'PF_VALIDATION_FAILED',
    check: (b) => expect(b.paths).toEqual(['subject']),
  },
  {
    name: 'bad token: none',
    request: () => ({ method: 'GET', path: `/customers/${C1}` }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
    reason: 'missing',
  },
  {
    name: 'bad token: not a bearer token',
    request: () => ({ method: 'GET', path: `/customers/${C1}`, headers: { authorization: `Basic ${MARKER}` } }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
    reason: 'malformed',
  },
  {
    name: 'bad token: expired',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}`, token: t.expired }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
    reason: 'expired',
  },
  {
    name: 'bad token: signed with another key',
    request: (t) => ({ method: 'GET', path: `/customers/${C1}/billing`, token: t.forged }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
    reason: 'invalid_signature',
  },
  {
    name: 'bad token: garbage',
    request: () => ({ method: 'GET', path: `/customers/${C1}`, token: 'abc.def.ghi' }),
    status: 401,
    code: 'PF_UNAUTHENTICATED',
  },
  {
    name: 'hostile: malformed JSON',
    request: (t) => post('/tickets', t.customer1, `{"subject": "${MARKER}", `),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'json',
  },
  {
    name: 'hostile: a wrong content type',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket()), 'text/plain'),
    status: 415,
    code: 'PF_MEDIA_TYPE_UNSUPPORTED',
  },
  {
    name: 'hostile: a form instead of JSON',
    request: (t) => post('/tickets', t.customer1, `subject=${MARKER}`, 'application/x-www-form-urlencoded'),
    status: 415,
    code: 'PF_MEDIA_TYPE_UNSUPPORTED',
  },
  {
    name: 'hostile: a __proto__ key',
    request: (t) => post('/tickets', t.customer1, `{"customerId":"${C1}","__proto__":{"roles":["billing"]},"m":"${MARKER}"}`),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'forbidden_key',
  },
  {
    name: 'hostile: an escaped \\u005f_proto__ key',
    request: (t) => post('/tickets', t.customer1, '{"\\u005f_proto__":{"polluted":true}}'),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'forbidden_key',
  },
  {
    name: 'hostile: constructor.prototype',
    request: (t) => post('/tickets', t.customer1, '{"constructor":{"prototype":{"polluted":true}}}'),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'forbidden_key',
  },
  {
    name: 'hostile: nesting 10,000 levels deep',
    request: (t) => post('/tickets', t.customer1, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    status: 413,
    code: 'PF_LIMIT_EXCEEDED',
    reason: 'depth',
  },
  {
    name: 'hostile: a body over the limit (Content-Length)',
    request: (t) => post('/tickets', t.customer1, JSON.stringify(newTicket({ message: MARKER.repeat(80_000) }))),
    status: 413,
    code: 'PF_LIMIT_EXCEEDED',
    reason: 'body_size',
  },
  {
    name: 'hostile: a body over the limit, streamed without Content-Length',
    request: (t) => ({
      method: 'POST',
      path: '/tickets',
      token: t.customer1,
      headers: { 'content-type': json },
      chunks: Array.from({ length: 40 }, () => new TextEncoder().encode(`"${MARKER.repeat(2000)}",`)),
    }),
    status: 413,
    code: 'PF_LIMIT_EXCEEDED',
    reason: 'body_size',
  },
  {
    name: 'hostile: invalid UTF-8',
    request: (t) => post('/tickets', t.customer1, new Uint8Array([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'utf8',
  },
  {
    name: 'hostile: duplicate keys (the second customerId would win in JSON.parse)',
    request: (t) => post('/tickets', t.customer1, `{"customerId":"${C1}","subject":"a","message":"b","customerId":"${C2}"}`),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'duplicate_key',
  },
  {
    name: 'hostile: an empty body',
    request: (t) => post('/tickets', t.customer1, ''),
    status: 400,
    code: 'PF_BODY_INVALID',
    reason: 'empty',
  },
  {
    name: 'hostile: a JSON array where an object is declared',
    request: (t) => post('/tickets', t.customer1, `["${MARKER}"]`),
    status: 400,
  },
];

/** Sends one case's request to `base`. */
export async function send(base: string, req: HttpRequest): Promise<Response> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers };
  if (req.raw !== undefined) init.body = req.raw as BodyInit;
  else if (req.body !== undefined) {
    headers['content-type'] ??= json;
    init.body = JSON.stringify(req.body);
  } else if (req.chunks) {
    const chunks = [...req.chunks];
    init.body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    init.duplex = 'half';
  }
  try {
    return await fetch(base + req.path, init);
  } catch (err) {
    // a server may close the connection on a streamed oversized body once it has answered 413
    throw new Error(`request failed: ${(err as Error).message}`);
  }
}

/** Runs one case against `base` and checks the answer. */
export async function runCase(base: string, c: HttpCase, t: Tokens): Promise<void> {
  const res = await send(base, c.request(t));
  const text = await res.text();
  expect(res.status, `${c.name}: ${text.slice(0, 200)}`).toBe(c.status);
  expect(text).not.toContain(MARKER);
  expect(res.headers.get('cache-control')).toBe('no-store');
  if (c.status === 204) return;
  const body = JSON.parse(text) as Record<string, unknown>;
  if (c.status >= 400) {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body.status).toBe(c.status);
    if (c.code) {
      expect(body.code).toBe(c.code);
      expect(body.type).toBe(`urn:purposeful:problem:${c.code}`);
    }
    if (c.reason) expect(body.reason).toBe(c.reason);
  } else {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  }
  c.check?.(body);
}

/**
 * A fast-check fuzz of the desk's routes with random bodies, content types,
 * tokens and query strings: `send` must never throw and never see a 5xx.
 */
export async function fuzzPipeline(send: (url: string, init: RequestInit) => Promise<number>, numRuns: number): Promise<void> {
  const t = await tokens();
  const paths = [
    '/tickets',
    `/tickets/${TICKET_1}`,
    `/tickets/${TICKET_1}/survey`,
    `/customers/${C1}`,
    `/customers/${C1}/accessibility`,
  ];
  const body = fc.oneof(
    fc.json({ maxDepth: 6 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ customerId: C1, subject: 's', message: 'm', x: v })),
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom('{"__proto__":{}}', '{"a":1,"a":2}', '['.repeat(5000), '\uFEFF{}', '{"constructor":{}}', ''),
  );
  const contentType = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=latin1',
      'application/x+json',
      'multipart/form-data; boundary=x',
    ),
    fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  );
  const who = fc.constantFrom<keyof Tokens | 'none' | 'junk'>(
    'customer1',
    'customer2',
    'agent',
    'agentMfa',
    'billing',
    'expired',
    'forged',
    'none',
    'junk',
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths),
      fc.constantFrom('GET', 'POST'),
      body,
      contentType,
      who,
      fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
      async (path, method, payload, type, as, query) => {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers['content-type'] = type;
        if (as === 'junk') headers.authorization = `Bearer ${query || 'x'}`;
        else if (as !== 'none') headers.authorization = `Bearer ${t[as]}`;
        const status = await send(`${path}?${encodeURIComponent(query)}=1`, {
          method,
          headers,
          body: method === 'POST' ? (payload as BodyInit) : undefined,
        });
        expect(status).toBeLessThan(500);
      },
    ),
    { numRuns },
  );
}
