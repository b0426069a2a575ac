/**
 * A handler that returns a record the engine's `open` made for the route's own
 * purpose, actor and subject (what a purpose-scoped ORM client returns) is
 * answered with it as it is; anything else is opened by the route as a stored
 * row, so a record opened for another context, a reshaped one or a copy is
 * never passed on unprojected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toFetchHandler } from '../../adapters/fetch.js';
import { createSupportDesk } from '../../examples/support-desk/app.js';
import { Customer } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import type { Actor } from '../../src/index.js';
import { JWT_SECRET } from './cases.js';

const desk = createSupportDesk({ jwtSecret: JWT_SECRET });
const agent: Actor = { id: 'agent-7', roles: ['support'] };
const stored = () => desk.customers.get(sampleCustomer.id) as Record<string, unknown>;
const asked = async (handler: (ctx: { actor: Actor; subjectId?: string | undefined }) => unknown, subject = false) => {
  const GET = toFetchHandler(
    desk.pf,
    {
      purpose: 'support.ticket',
      output: Customer,
      actor: () => ({ id: 'agent-7', roles: ['support'] }),
      ...(subject ? { subject: () => sampleCustomer.id } : {}),
    },
    (ctx) => handler(ctx) as never,
  );
  const res = await GET(new Request('http://x/customers/1'));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
beforeAll(() => desk.ready);

describe('a route answering with a record already opened', () => {
  it('passes on a record opened for its purpose and actor, as the route would have opened it', async () => {
    const viaRoute = await asked(() => stored());
    const viaOpen = await asked(({ actor }) => desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor }));
    expect(viaRoute.status).toBe(200);
    expect(viaOpen).toEqual(viaRoute);
    expect(viaOpen.body.cpf).toBe('***.***.**7-25');
  });

  it('passes on a list of opened records, and opens the stored rows beside them', async () => {
    const ctx = { purpose: 'support.ticket', actor: agent } as const;
    const one = await asked(() => stored());
    const list = await asked(async ({ actor }) => [await desk.pf.open(Customer, stored(), { ...ctx, actor }), stored()]);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([one.body, one.body]);
  });

  it('checks the subject when the route names one', async () => {
    const same = await asked(
      ({ actor }) => desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor, subjectId: sampleCustomer.id }),
      true,
    );
    expect(same.status).toBe(200);
    // opened without the route's subject: opened again by the route, which an opened value cannot be
    const other = await asked(({ actor }) => desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor }), true);
    expect(other.status).toBe(500);
    expect(other.body.code).toBe('PF_NOT_ENCRYPTED');
  });

  it('opens again, and fails, a record opened in an earlier request (the same agent, another request’s actor)', async () => {
    const earlier = await desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor: { ...agent } });
    const later = await asked(() => earlier);
    expect(later.status).toBe(500);
    expect(later.body.code).toBe('PF_NOT_ENCRYPTED');
    const narrower = await asked(({ actor }) =>
      desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor, jurisdictions: ['lgpd'] }),
    );
    expect(narrower.body.code).toBe('PF_NOT_ENCRYPTED');
  });

  it('what a record was opened for is kept as it was: a context or an actor changed afterwards passes nothing', async () => {
    const GET = toFetchHandler(
      desk.pf,
      { purpose: 'support.ticket', output: Customer, actor: () => ({ id: 'agent-7', roles: ['support', 'billing'] }) },
      async ({ actor }) => {
        const c: { purpose: string; actor: Actor } = { purpose: 'billing.invoice', actor };
        const record = await desk.pf.open(Customer, stored(), c as never); // the cpf in clear, for billing
        c.purpose = 'support.ticket'; // the same context object reused
        return record;
      },
    );
    const res = await GET(new Request('http://x/customers/1'));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain('529.982.247-25');
    const roles = await asked(async ({ actor }) => {
      const wide = { ...actor, roles: ['support', 'billing'] };
      const record = await desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor });
      (actor as { roles?: string[] }).roles = wide.roles; // the request's actor given other roles after the open
      return record;
    });
    expect(roles.body.code).toBe('PF_NOT_ENCRYPTED');
  });

  it('opens again, and fails, a record opened for another purpose or another actor', async () => {
    const billing = await asked(() =>
      desk.pf.open(Customer, stored(), { purpose: 'billing.invoice', actor: { id: 'agent-7', roles: ['billing'] } }),
    );
    expect(billing.status).toBe(500);
    const wider = await asked(() =>
      desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support', 'admin'] } }),
    );
    expect(wider.status).toBe(500);
    expect(wider.body.code).toBe('PF_NOT_ENCRYPTED');
    const someoneElse = await asked(() =>
      desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor: { id: 'agent-8', roles: ['support'] } }),
    );
    expect(someoneElse.body.code).toBe('PF_NOT_ENCRYPTED');
  });

  it('opens again, and fails, an opened record changed since (a key added, a value replaced, at any depth), a copy of one, or its JSON', async () => {
    const open = (actor: Actor) => desk.pf.open(Customer, stored(), { purpose: 'support.ticket', actor });
    const grown = await asked(async ({ actor }) => Object.assign(await open(actor), { cpfInClear: '529.982.247-25' }));
    expect(grown.status).toBe(500);
    expect(JSON.stringify(grown.body)).not.toContain('529.982.247-25');
    // the masked cpf replaced by the value in clear: the same keys, another value
    const replaced = await asked(async ({ actor }) => Object.assign(await open(actor), { cpf: '529.982.247-25' }));
    expect(replaced.status).toBe(500);
    expect(JSON.stringify(replaced.body)).not.toContain('529.982.247-25');
    const nested = await asked(async ({ actor }) => {
      const row = (await open(actor)) as { address?: Record<string, unknown> };
      if (row.address) row.address.street = 'Rua Secreta 99';
      else Object.assign(row, { name: 'Rua Secreta 99' });
      return row;
    });
    expect(nested.status).toBe(500);
    expect(JSON.stringify(nested.body)).not.toContain('Rua Secreta');
    const copy = await asked(async ({ actor }) => ({ ...(await open(actor)) }));
    expect(copy.body.code).toBe('PF_NOT_ENCRYPTED');
    const parsed = await asked(async ({ actor }) => JSON.parse(JSON.stringify(await open(actor))));
    expect(parsed.body.code).toBe('PF_NOT_ENCRYPTED');
  });
});
