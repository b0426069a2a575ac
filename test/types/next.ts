/** Next.js: `withPurpose` gives the handler the route's purpose and input types. */
import { type NextRouteFunction, withPurpose } from 'purposeful/next';
import { agent, invoice, lenient, NewTicket, openLegacy, openMigrating, openTicket, pf, readTicket } from './declarations.js';

export const POST: NextRouteFunction = withPurpose(pf, openTicket, ({ body, purpose, params, req }) => {
  const p: 'support.ticket' = purpose;
  const message: string = body.message;
  const id: string | undefined = params.id;
  const r: Request = req;
  // @ts-expect-error the ticket purpose does not receive the amount
  body.amount;
  return { p, message, id, r };
});

export const PUT = withPurpose(pf, invoice, ({ body, purpose }) => {
  const p: 'billing.invoice' = purpose;
  const amount: number = body.amount;
  // @ts-expect-error wrong type for a body field
  const wrong: string = body.amount;
  return { id: 't-1', p, amount, wrong };
});

export const GET = withPurpose(pf, readTicket, ({ query }) => {
  const email: string = query.email;
  return { email };
});

// Next calls a route handler with a promise of its params
void GET(new Request('http://localhost/tickets'), { params: Promise.resolve({ id: 't-1' }) });

// @ts-expect-error a purpose the engine does not declare
withPurpose(pf, { purpose: 'suport.ticket', input: NewTicket, actor: agent }, () => undefined);

// unannotated fields: the body leaves them out unless the schema allows them
export const legacyRoute = withPurpose(lenient, openLegacy, ({ body }) => {
  const message: string = body.message;
  // @ts-expect-error an unannotated field never reaches the handler
  body.ref;
  return { message };
});
export const migratingRoute = withPurpose(lenient, openMigrating, ({ body }) => {
  const ref: string = body.ref;
  return { ref };
});
