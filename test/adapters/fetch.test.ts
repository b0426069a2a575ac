import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFetchHandler } from '../../adapters/fetch.js';
import { withPurpose } from '../../adapters/next.js';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { Customer, NewTicket, purposes, SurveyAnswer } from '../../examples/support-desk/declarations.js';
import { fetchApp } from '../../examples/support-desk/fetch.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import { createPurposeful, defineSchema, isPurposefulError, PurposefulError, pd } from '../../src/index.js';
import { fuzzPipeline, JWT_SECRET, MARKER } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const actor = () => ({ id: 'agent-7', roles: ['support'] });
const readCustomer = { purpose: 'support.ticket', output: Customer, actor } as const;
beforeAll(() => desk.ready);

describe('withPurpose (Next.js) and toFetchHandler', () => {
  it('awaits context.params and hands them to subject, actor and handler', async () => {
    const GET = withPurpose(desk.pf, { ...readCustomer, subject: (req) => req.params.id }, ({ params, subjectId }) => {
      expect(subjectId).toBe(params.id);
      return desk.customers.get(params.id ?? '');
    });
    const res = await GET(new Request('http://x/customers/1'), { params: Promise.resolve({ id: sampleCustomer.id }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cpf: string }).cpf).toBe('***.***.**7-25');
    // catch-all segments arrive as arrays
    const ALL = withPurpose(desk.pf, readCustomer, ({ params }) => ({ id: params.slug, channel: 'chat' }));
    expect(await (await ALL(new Request('http://x/'), { params: { slug: ['a', 'b'] } })).json()).toEqual({
      id: 'a/b',
      channel: 'chat',
    });
  });

  it('refuses a Response of the handler’s own on a route with an output declaration', async () => {
    const GET = withPurpose(desk.pf, readCustomer, () => Response.json({ ...sampleCustomer, name: MARKER }));
    const res = await GET(new Request('http://x/'));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ code: 'PF_OUTPUT_BYPASS' });
    expect(text).not.toContain(MARKER);
  });

  it('passes a Response through on a route without an output declaration', async () => {
    const POST = toFetchHandler(
      desk.pf,
      { purpose: 'support.ticket', input: NewTicket, actor },
      () => new Response('ok', { status: 202 }),
    );
    const res = await POST(
      new Request('http://x/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: sampleCustomer.id, subject: 's', message: 'm' }),
      }),
    );
    expect(res.status).toBe(202);
  });

  it('rethrows errors that are not refusals (the runtime answers 500 and logs them)', async () => {
    const GET = toFetchHandler(desk.pf, readCustomer, () => {
      throw new TypeError('a bug');
    });
    await expect(GET(new Request('http://x/'))).rejects.toThrow('a bug');
  });

  it('answers a thrown 4xx as a bare problem', async () => {
    const GET = toFetchHandler(desk.pf, readCustomer, () => {
      throw Object.assign(new Error(MARKER), { statusCode: 409 });
    });
    const res = await GET(new Request('http://x/'));
    expect(res.status).toBe(409);
    expect(await res.text()).not.toContain(MARKER);
  });

  it('validates the route when it is wrapped', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isPurposefulError(err) ? err.code : (err as Error).name;
      }
      return 'accepted';
    };
    expect(code(() => withPurpose(desk.pf, { purpose: 'support.ticket', actor }, () => undefined))).toBe('PF_OPTIONS_INVALID');
    expect(code(() => toFetchHandler(desk.pf, readCustomer, 'nope' as never))).toBe('TypeError');
    expect(code(() => toFetchHandler(desk.pf, readCustomer, () => undefined, { bodyLimit: 0 }))).toBe('PF_OPTIONS_INVALID');
    expect(code(() => toFetchHandler(desk.pf, readCustomer, () => undefined, { maxDepth: 5000 }))).toBe('PF_OPTIONS_INVALID');
  });

  it('honours a smaller body limit and depth', async () => {
    const POST = toFetchHandler(desk.pf, { purpose: 'support.ticket', input: NewTicket, actor }, ({ body }) => body, {
      bodyLimit: 64,
      maxDepth: 2,
    });
    const send = (body: string) =>
      POST(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect((await send(JSON.stringify({ message: 'x'.repeat(100) }))).status).toBe(413);
    expect(((await (await send('{"a":{"b":{}}}')).json()) as { reason: string }).reason).toBe('depth');
  });
});

describe('consent in the pipeline', () => {
  it('is checked once per request, and a withdrawal applies from the next request on', async () => {
    const statuses: number[] = [];
    let asked = 0;
    const ledger = desk.consent;
    // a wrapper (not the ledger itself): always asked asynchronously, and counted
    const counting = {
      ...ledger,
      status: (...a: Parameters<typeof ledger.status>) => {
        asked++;
        return ledger.status(...a);
      },
    };
    const pf = createPurposeful({ purposes, schemas: [SurveyAnswer], consent: counting });
    const route = {
      purpose: 'support.survey',
      output: SurveyAnswer,
      actor: () => ({ id: 'survey-bot' }),
      subject: () => sampleCustomer.id,
    } as const;
    const GET = toFetchHandler(pf, route, () => ({ satisfaction: 4 }));
    const notice = { version: '2026-11-01', hash: 'b'.repeat(64) };
    await ledger.grant({
      subject: sampleCustomer.id,
      purpose: 'support.survey',
      notice,
      method: 'checkbox',
      collectionPoint: 't',
    });
    statuses.push((await GET(new Request('http://x/'))).status);
    expect(asked).toBe(1); // authorize asked; open found the memo
    await ledger.withdraw(sampleCustomer.id, 'support.survey');
    statuses.push((await GET(new Request('http://x/'))).status);
    expect(statuses).toEqual([200, 403]);
    expect(asked).toBe(2);
  });
});

describe('an engine of another making (a wrapper)', () => {
  it('awaits its answers even when they are thenables of its own: a refusal is never skipped', async () => {
    const refusal = () => new PurposefulError('PF_ROLE_NOT_ALLOWED', 'refused by the wrapper', { purpose: 'support.ticket' });
    // a thenable that is not a native promise, rejecting the way a wrapped engine might
    // biome-ignore lint/suspicious/noThenProperty: the point of the test is a thenable that is not a Promise
    const rejecting = { then: (_ok: unknown, fail: (e: unknown) => void) => fail(refusal()) };
    const wrapped = {
      ...desk.pf,
      authorize: () => rejecting,
      open: desk.pf.open,
      inbound: desk.pf.inbound,
    } as unknown as typeof desk.pf;
    let ran = false;
    const GET = toFetchHandler(wrapped, readCustomer, () => {
      ran = true;
      return desk.customers.get(sampleCustomer.id);
    });
    const res = await GET(new Request('http://x/'));
    expect(res.status).toBe(403);
    expect(ran).toBe(false);
  });
});

describe('consent across the schemas of one request', () => {
  it('asks the ledger once when the body and the record are different schemas of one purpose and subject', async () => {
    const P = 'support.survey';
    const Answer = defineSchema(
      'test.survey-answer',
      z.object({
        customerId: pd(z.string(), { category: 'user.unique_id', purposes: [P] }),
        satisfaction: pd.none(z.number().int().min(1).max(5)),
      }),
      { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' } },
    );
    const Stored = defineSchema(
      'test.survey-stored',
      z.object({
        customerId: pd(z.string(), { category: 'user.unique_id', purposes: [P] }),
        satisfaction: pd.none(z.number().int()),
        comment: pd(z.string(), { category: 'user.content', purposes: { [P]: 'masked' }, mask: 'full' }),
      }),
      { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' } },
    );
    const ledger = desk.consent;
    let asked = 0;
    const counting = {
      ...ledger,
      status: (...a: Parameters<typeof ledger.status>) => {
        asked++;
        return ledger.status(...a);
      },
    };
    const pf = createPurposeful({ purposes, schemas: [Answer, Stored], consent: counting });
    await ledger.grant({
      subject: sampleCustomer.id,
      purpose: P,
      notice: { version: '2026-11-01', hash: 'b'.repeat(64) },
      method: 'checkbox',
      collectionPoint: 't',
    });
    const POST = toFetchHandler(pf, { purpose: P, input: Answer, output: Stored, actor }, ({ body }) => ({
      ...body,
      comment: 'gostei',
    }));
    const send = () =>
      POST(
        new Request('http://x/', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId: sampleCustomer.id, satisfaction: 5 }),
        }),
      );
    const res = await send();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customerId: sampleCustomer.id, satisfaction: 5, comment: '***' }); // 'full' hides the length too
    expect(asked).toBe(1); // inbound asked; open found the check in the request's memo
    await send();
    expect(asked).toBe(2); // the next request asks again
  });
});

describe('the pipeline under fuzzing', () => {
  const handler = fetchApp(desk);
  it('never throws out of the adapter and never answers 500 (fast-check)', () =>
    fuzzPipeline(async (url, init) => {
      const res = await handler(new Request(`http://x${url}`, init));
      await res.arrayBuffer();
      return res.status;
    }, 400));
});
