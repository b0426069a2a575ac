/** Fastify: `purposefulRoute` types `request` and the handler's answer from the route declaration. */
import Fastify, { type FastifyReply } from 'fastify';
import { type PurposefulRouteGeneric, purposefulPlugin, purposefulRoute } from 'purposeful/fastify';
import { agent, invoice, NewTicket, openLegacy, openMigrating, openTicket, pf, readTicket } from './declarations.js';

const app = Fastify();
void app.register(purposefulPlugin, { engine: pf });

app.post('/tickets', purposefulRoute(openTicket), async (request, reply) => {
  const message: string = request.body.message;
  // @ts-expect-error the ticket purpose does not receive the amount
  request.body.amount;
  // @ts-expect-error wrong type for a body field
  const wrong: number = request.body.message;
  const id: string | undefined = request.params.id;
  const r: FastifyReply = reply;
  return { message, wrong, id, r };
});

app.put('/invoices', purposefulRoute(invoice), async (request) => {
  const amount: number = request.body.amount;
  // @ts-expect-error the invoice purpose does not receive the message
  request.body.message;
  return { id: 'i-1', amount };
});

app.get('/tickets', purposefulRoute(readTicket), async (request, reply) => {
  const email: string = request.query.email;
  const page: number = request.query.page;
  // the reply takes records to project, like the handler's answer
  reply.send({ id: 't-1', email, page });
  return reply;
});

app.get('/tickets/sent', purposefulRoute(readTicket), async (_request, reply) => {
  // @ts-expect-error the reply takes records to project, not a string
  reply.send('a string');
  return reply;
});

// @ts-expect-error on a route with an output declaration, a string is not a record to project
app.get('/tickets/raw', purposefulRoute(readTicket), async () => 'a string');

// synchronous handlers and the route's other options
app.get('/tickets/:id', purposefulRoute(readTicket, { bodyLimit: 1024, config: {} }), (request) => [
  { id: request.params.id ?? 't-1', email: request.query.email },
]);

// Fastify's own way: the route generic, here with typed route parameters
app.post<PurposefulRouteGeneric<typeof openTicket, { customerId: string }>>(
  '/customers/:customerId/tickets',
  { config: { purposeful: openTicket } },
  async (request) => {
    const customerId: string = request.params.customerId;
    const message: string = request.body.message;
    return { customerId, message };
  },
);

// the declaration is checked against the registered purposes
// @ts-expect-error a purpose nobody declared
purposefulRoute({ purpose: 'suport.ticket', input: NewTicket, actor: agent });

// unannotated fields: `request.body` leaves them out unless the schema allows them
app.post('/legacy', purposefulRoute(openLegacy), async (request) => {
  const message: string = request.body.message;
  // @ts-expect-error an unannotated field never reaches the handler
  request.body.ref;
  return { message };
});
app.post('/migrating', purposefulRoute(openMigrating), async (request) => {
  const ref: string = request.body.ref;
  return { ref };
});
