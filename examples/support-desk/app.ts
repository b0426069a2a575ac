/**
 * The support desk as one framework-neutral application: the engine, an
 * in-memory store with one customer record sealed, consent on record, token
 * issuing for the demo, and the routes — each a declaration plus a handler
 * that returns plain data. express.ts, fastify.ts and the Next.js app under
 * next/ serve exactly these routes.
 */
import { SignJWT } from 'jose';
import {
  type Actor,
  actorFromJwt,
  createPurposeful,
  generateKeyring,
  type HandlerContext,
  memoryConsentLedger,
  memoryKeyStore,
  notFound,
  type PurposefulSchema,
  type RouteDeclaration,
  type RouteRequest,
} from '../../src/index.js';
import { Customer, Invoice, NewTicket, purposes, SurveyAnswer, Ticket } from './declarations.js';
import { sampleCustomer } from './sample.js';

export const ISSUER = 'https://id.support.example';
export const AUDIENCE = 'support-desk';

/** A second customer, who agreed to the satisfaction survey. */
export const secondCustomer = {
  id: '6c3f7a52-1d2e-4b8f-9c0a-5e6d7f8a9b0c',
  channel: 'email',
  name: 'Maria Souza',
  cpf: '111.444.777-35',
  email: 'maria.souza@example.com',
} as const;

export const TICKET_1 = '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
export const TICKET_2 = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e';

/** One route of the desk: method, path (`:param` style), declaration, handler. */
export interface DeskRoute {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly route: RouteDeclaration<string, PurposefulSchema | undefined, undefined, PurposefulSchema | undefined, unknown>;
  readonly handler: (ctx: HandlerContext) => unknown;
}

/**
 * Builds the desk. `jwtSecret` (at least 32 bytes) verifies the tokens; the
 * demo and the tests mint tokens with {@link SupportDesk.token}.
 */
export function createSupportDesk(options: { jwtSecret: Uint8Array }) {
  const consent = memoryConsentLedger(purposes);
  const pf = createPurposeful({
    purposes,
    schemas: [Customer, Ticket, Invoice, NewTicket, SurveyAnswer],
    pseudonymKey: new TextEncoder().encode('support-desk example pseudonym key, 32+ bytes'),
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    consent,
  });
  const customers = new Map<string, Record<string, unknown>>(); // sealed rows, as a database would hold them
  const tickets = new Map<string, Record<string, unknown>>();

  const seedActor: Actor = { id: 'seed', roles: ['support'] };
  const ready = (async () => {
    for (const c of [sampleCustomer, secondCustomer]) {
      customers.set(c.id, await pf.seal(Customer, c, { purpose: 'support.ticket', actor: seedActor }));
    }
    const notice = { version: '2026-11-01', hash: 'a'.repeat(64) };
    await consent.grant({
      subject: sampleCustomer.id,
      purpose: 'support.accessibility',
      notice,
      method: 'checkbox',
      collectionPoint: 'app/settings/accessibility',
      highlighted: true,
    });
    await consent.grant({
      subject: secondCustomer.id,
      purpose: 'support.survey',
      notice,
      method: 'checkbox',
      collectionPoint: 'app/ticket-closed',
    });
    const at = '2026-11-20T10:00:00Z';
    const store = async (t: Record<string, unknown>) =>
      tickets.set(t.id as string, await pf.seal(Ticket, t, { purpose: 'support.ticket', actor: seedActor }));
    await store({
      id: TICKET_1,
      customerId: sampleCustomer.id,
      status: 'open',
      subject: 'Cannot log in',
      messages: [{ at, from: 'customer', text: 'My login stopped working yesterday.' }],
      assignee: { agentId: 'agent-7', agentName: 'Ana Lima' },
    });
    await store({
      id: TICKET_2,
      customerId: secondCustomer.id,
      status: 'closed',
      subject: 'Invoice copy',
      messages: [{ at, from: 'customer', text: 'Please send me a copy of my invoice.' }],
      assignee: null,
    });
  })();

  const verify = actorFromJwt({ key: options.jwtSecret, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
  /** Every request waits for the seed, then proves who it is with a bearer token. */
  const actor = async (req: RouteRequest): Promise<Actor> => {
    await ready;
    return verify(req);
  };
  /** A customer may act only about themselves; staff about anyone (the record says whom). */
  const self = async (req: RouteRequest): Promise<string | undefined> => {
    const who = await actor(req);
    return who.roles?.includes('customer') ? who.id : undefined;
  };
  /** The survey is about the ticket's customer, and only that customer may answer it. */
  const ticketOwner = async (req: RouteRequest): Promise<string | undefined> => {
    const who = await actor(req);
    const owner = tickets.get(req.params.id ?? '')?.customerId as string | undefined;
    if (owner === undefined || (who.roles?.includes('customer') && who.id !== owner)) throw notFound();
    return owner;
  };

  const routes: DeskRoute[] = [
    {
      name: 'open a ticket',
      method: 'POST',
      path: '/tickets',
      route: { purpose: 'support.ticket', input: NewTicket, output: Ticket, actor, subject: self, status: 201 },
      handler: async ({ body, purpose, actor }) => {
        const b = body as { customerId: string; subject: string; message: string };
        const ticket = {
          id: crypto.randomUUID(),
          customerId: b.customerId,
          status: 'open',
          subject: b.subject,
          messages: [{ at: new Date().toISOString(), from: 'customer', text: b.message }],
          assignee: null,
        };
        const row = await pf.seal(Ticket, ticket, { purpose: purpose as 'support.ticket', actor });
        tickets.set(ticket.id, row);
        return row; // as stored: the pipeline opens and projects it for the purpose
      },
    },
    {
      name: 'read a ticket',
      method: 'GET',
      path: '/tickets/:id',
      route: { purpose: 'support.ticket', output: Ticket, actor, subject: self },
      handler: ({ params }) => {
        const t = tickets.get(params.id ?? '');
        if (!t) throw notFound();
        return t;
      },
    },
    {
      name: 'read a customer (support)',
      method: 'GET',
      path: '/customers/:id',
      route: { purpose: 'support.ticket', output: Customer, actor, subject: (req) => req.params.id },
      handler: ({ params }) => customers.get(params.id ?? '') ?? Promise.reject(notFound()),
    },
    {
      name: 'read accessibility needs',
      method: 'GET',
      path: '/customers/:id/accessibility',
      route: { purpose: 'support.accessibility', output: Customer, actor, subject: (req) => req.params.id },
      handler: ({ params }) => customers.get(params.id ?? '') ?? Promise.reject(notFound()),
    },
    {
      name: 'read billing data',
      method: 'GET',
      path: '/customers/:id/billing',
      route: { purpose: 'billing.invoice', output: Customer, actor, subject: (req) => req.params.id },
      handler: ({ params }) => customers.get(params.id ?? '') ?? Promise.reject(notFound()),
    },
    {
      name: 'answer the survey',
      method: 'POST',
      path: '/tickets/:id/survey',
      route: { purpose: 'support.survey', input: SurveyAnswer, actor, subject: ticketOwner },
      handler: ({ params, body }) => {
        const t = tickets.get(params.id ?? '');
        if (!t) throw notFound();
        t.satisfaction = (body as { satisfaction: number }).satisfaction; // not encrypted: a score, not free text
        return undefined;
      },
    },
  ];

  /** Mints a token as the identity provider would (for the demo and the tests). */
  const token = (sub: string, roles: readonly string[], opts: { mfa?: boolean; expiresIn?: string } = {}) =>
    new SignJWT({ roles: [...roles], amr: opts.mfa ? ['pwd', 'otp'] : ['pwd'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? '15m')
      .sign(options.jwtSecret);

  return { pf, consent, ready, routes, token, tickets, customers };
}

/** The desk as {@link createSupportDesk} builds it. */
export type SupportDesk = ReturnType<typeof createSupportDesk>;
