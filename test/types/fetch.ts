/** fetch runtimes: `toFetchHandler` gives the handler the route's purpose and input types. */
import { toFetchHandler } from 'purposeful/fetch';
import { agent, invoice, lenient, NewTicket, openLegacy, openMigrating, openTicket, pf, readTicket } from './declarations.js';

const handle: (request: Request, params?: Readonly<Record<string, string>>) => Promise<Response> = toFetchHandler(
  pf,
  openTicket,
  ({ body, purpose, req }) => {
    const p: 'support.ticket' = purpose;
    const message: string = body.message;
    const r: Request = req;
    // @ts-expect-error the ticket purpose does not receive the amount
    body.amount;
    return { p, message, r };
  },
);

toFetchHandler(pf, invoice, ({ body, purpose }) => {
  const p: 'billing.invoice' = purpose;
  // @ts-expect-error wrong type for a body field
  const wrong: string = body.amount;
  return { id: 't-1', p, wrong };
});

toFetchHandler(pf, readTicket, ({ query }) => {
  const email: string = query.email;
  return { email };
});

// a Response of its own is allowed by the types on a route without an output (the pipeline refuses it with one)
toFetchHandler(pf, openTicket, () => new Response(null, { status: 204 }));

// @ts-expect-error a purpose the engine does not declare
toFetchHandler(pf, { purpose: 'suport.ticket', input: NewTicket, actor: agent }, () => undefined);

export { handle };

// unannotated fields: the body leaves them out unless the schema allows them
toFetchHandler(lenient, openLegacy, ({ body }) => {
  const message: string = body.message;
  // @ts-expect-error an unannotated field never reaches the handler
  body.ref;
  return { message };
});
toFetchHandler(lenient, openMigrating, ({ body }) => {
  const ref: string = body.ref;
  return { ref };
});
