/** Express: the handler context carries the route's purpose and its input types. */
import type { Request, Response } from 'express';
import { purposeful } from 'purposeful/express';
import { agent, invoice, lenient, NewTicket, openLegacy, openMigrating, openTicket, pf, readTicket } from './declarations.js';

purposeful(pf, openTicket, ({ body, purpose, query, params, req, actor, subjectId }, res) => {
  const p: 'support.ticket' = purpose;
  const message: string = body.message;
  // @ts-expect-error the ticket purpose does not receive the amount
  body.amount;
  const none: undefined = query;
  const id: string | undefined = params.id;
  const r: Request = req;
  const w: Response = res;
  const who: string = actor.id;
  const about: string | undefined = subjectId;
  return { p, message, none, id, r, w, who, about };
});

purposeful(pf, invoice, ({ body, purpose }) => {
  const p: 'billing.invoice' = purpose;
  const amount: number = body.amount;
  // @ts-expect-error wrong type for a body field
  const wrong: string = body.amount;
  // @ts-expect-error the invoice purpose does not receive the message
  body.message;
  return { id: 't-1', p, amount, wrong };
});

purposeful(pf, readTicket, ({ query }) => {
  const email: string = query.email;
  const page: number = query.page;
  return [{ id: 't-1', email, page }];
});

// on a route with an output declaration the handler returns records to project, not a string
// @ts-expect-error a string is not a record
purposeful(pf, readTicket, () => 'a string');
// nothing found: null (404 PF_NOT_FOUND)
purposeful(pf, readTicket, async () => null);

// inline declarations narrow as well
purposeful(pf, { purpose: 'billing.invoice', input: NewTicket, actor: agent }, ({ body }) => {
  const amount: number = body.amount;
  return { amount };
});

// @ts-expect-error a purpose the engine does not declare
purposeful(pf, { purpose: 'suport.ticket', input: NewTicket, actor: agent }, () => undefined);

// unannotated fields: the body leaves them out (inbound rejects them) unless the schema allows them
purposeful(lenient, openLegacy, ({ body }) => {
  const message: string = body.message;
  // @ts-expect-error an unannotated field never reaches the handler
  body.ref;
  return { message };
});
purposeful(lenient, openMigrating, ({ body }) => {
  const ref: string = body.ref;
  const source: string = body.meta.source;
  return { ref, source };
});
