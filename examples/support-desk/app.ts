/**
 * The support desk as one framework-neutral application: the engine, a store
 * (in-memory Maps of sealed rows by default; PostgreSQL tables through
 * `purposeful/drizzle` with `drizzleStore` from store.ts) seeded with two
 * customers and their tickets, consent on record, token issuing for the demo,
 * and the routes — each a declaration plus a handler that returns plain data.
 * express.ts, fastify.ts and the Next.js app under next/ serve exactly these
 * routes.
 */
import { SignJWT } from 'jose';
import {
  type Actor,
  actorFromJwt,
  type ConsentLedger,
  createPurposeful,
  generateKeyring,
  type HandlerContext,
  memoryConsentLedger,
  memoryKeyStore,
  notFound,
  type PurposeContext,
  type Purposeful,
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

/** An engine over the desk's purposes: the one {@link createSupportDesk} makes, or the demo's. */
export type DeskEngine = Purposeful<DeskPurpose>;

/** The engine of the desk: the declarations, a keyring, the consent ledger. */
function deskEngine(consent: ConsentLedger): DeskEngine {
  return createPurposeful({
    purposes,
    schemas: [Customer, Ticket, Invoice, NewTicket, SurveyAnswer],
    pseudonymKey: new TextEncoder().encode('support-desk example pseudonym key, 32+ bytes'),
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    consent,
  });
}

/** A purpose the desk declares. */
export type DeskPurpose = (typeof purposes.ids)[number];

/** The purpose context of a request, for the store: purpose, actor and the subject the request is about. */
export type DeskContext = PurposeContext<DeskPurpose>;

/** A handler's context, as the store takes it. */
const contextOf = ({ purpose, actor, subjectId }: HandlerContext): DeskContext => ({
  purpose: purpose as DeskPurpose,
  actor,
  ...(subjectId === undefined ? {} : { subjectId }),
});

/**
 * Where the desk keeps its customers and tickets. The handlers only call
 * these; {@link memoryStore} keeps sealed rows in Maps, `drizzleStore`
 * (store.ts) keeps them in PostgreSQL tables through `purposeful/drizzle`.
 * Records are returned as stored (sealed): each route's `output` opens and
 * projects them for the request's purpose, so every store answers alike.
 */
export interface DeskStore {
  /** Stores the desk's first customers and tickets (plaintext records). */
  seed(
    records: { customers: readonly Record<string, unknown>[]; tickets: readonly Record<string, unknown>[] },
    actor: Actor,
  ): Promise<void>;
  /** Checks and stores a new ticket; returns it as stored. */
  openTicket(ctx: DeskContext, ticket: Record<string, unknown>): Promise<unknown>;
  /** A ticket by id as stored, or `undefined`. */
  ticket(ctx: DeskContext, id: string): Promise<unknown>;
  /** A customer by id as stored, or `undefined`. */
  customer(ctx: DeskContext, id: string): Promise<unknown>;
  /** The customer a ticket is about (its `customerId`), or `undefined` when there is no such ticket. */
  ticketOwner(id: string): Promise<string | undefined>;
  /** Records a satisfaction score on a ticket; `false` when there is no such ticket. */
  answerSurvey(ctx: DeskContext, id: string, satisfaction: number): Promise<boolean>;
}

/** The in-memory store: sealed rows in Maps, as a database would hold them. */
export interface MemoryStore extends DeskStore {
  readonly customers: Map<string, Record<string, unknown>>;
  readonly tickets: Map<string, Record<string, unknown>>;
}

/** Sealed rows in Maps: the handlers seal what they write and return rows as stored, for the routes to open. */
export function memoryStore(pf: DeskEngine): MemoryStore {
  const customers = new Map<string, Record<string, unknown>>(); // sealed rows, as a database would hold them
  const tickets = new Map<string, Record<string, unknown>>();
  return {
    customers,
    tickets,
    async seed(records, actor) {
      const ctx = { purpose: 'support.ticket', actor } as const;
      for (const c of records.customers) customers.set(c.id as string, await pf.seal(Customer, c, ctx));
      for (const t of records.tickets) tickets.set(t.id as string, await pf.seal(Ticket, t, ctx));
    },
    async openTicket(ctx, ticket) {
      const row = await pf.seal(Ticket, ticket, { purpose: ctx.purpose, actor: ctx.actor });
      tickets.set(ticket.id as string, row);
      return row; // as stored: the pipeline opens and projects it for the purpose
    },
    ticket: async (_ctx, id) => tickets.get(id),
    customer: async (_ctx, id) => customers.get(id),
    ticketOwner: async (id) => tickets.get(id)?.customerId as string | undefined,
    async answerSurvey(_ctx, id, satisfaction) {
      const t = tickets.get(id);
      if (!t) return false;
      t.satisfaction = satisfaction; // not encrypted: a score, not free text
      return true;
    },
  };
}

/** What {@link createSupportDesk} takes. */
export interface SupportDeskOptions<S extends DeskStore = DeskStore> {
  /** Verifies the tokens (at least 32 bytes). */
  readonly jwtSecret: Uint8Array;
  /** Makes the store, given the desk's engine: {@link memoryStore} by default, `drizzleStore(database)` from store.ts. */
  readonly store?: (pf: DeskEngine) => S;
}

/**
 * Builds the desk. `jwtSecret` (at least 32 bytes) verifies the tokens; the
 * demo and the tests mint tokens with {@link SupportDesk.token}. The store is
 * in memory unless `store` says otherwise.
 */
export function createSupportDesk(options: { jwtSecret: Uint8Array; store?: undefined }): MemoryDesk;
export function createSupportDesk<S extends DeskStore>(options: SupportDeskOptions<S>): SupportDeskOf<S>;
export function createSupportDesk(options: SupportDeskOptions): SupportDeskOf<DeskStore> {
  const consent = memoryConsentLedger(purposes);
  const pf = deskEngine(consent);
  const store = (options.store ?? memoryStore)(pf);

  const seedActor: Actor = { id: 'seed', roles: ['support'] };
  const ready = (async () => {
    const at = '2026-11-20T10:00:00Z';
    await store.seed(
      {
        customers: [sampleCustomer, secondCustomer],
        tickets: [
          {
            id: TICKET_1,
            customerId: sampleCustomer.id,
            status: 'open',
            subject: 'Cannot log in',
            messages: [{ at, from: 'customer', text: 'My login stopped working yesterday.' }],
            assignee: { agentId: 'agent-7', agentName: 'Ana Lima' },
          },
          {
            id: TICKET_2,
            customerId: secondCustomer.id,
            status: 'closed',
            subject: 'Invoice copy',
            messages: [{ at, from: 'customer', text: 'Please send me a copy of my invoice.' }],
            assignee: null,
          },
        ],
      },
      seedActor,
    );
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
    const owner = await store.ticketOwner(req.params.id ?? '');
    if (owner === undefined || (who.roles?.includes('customer') && who.id !== owner)) throw notFound();
    return owner;
  };
  /** A record, or 404 `PF_NOT_FOUND` naming nothing. */
  const found = async (record: Promise<unknown>) => (await record) ?? Promise.reject(notFound());

  const routes: DeskRoute[] = [
    {
      name: 'open a ticket',
      method: 'POST',
      path: '/tickets',
      route: { purpose: 'support.ticket', input: NewTicket, output: Ticket, actor, subject: self, status: 201 },
      handler: async (ctx) => {
        const b = ctx.body as { customerId: string; subject: string; message: string };
        return store.openTicket(contextOf(ctx), {
          id: crypto.randomUUID(),
          customerId: b.customerId,
          status: 'open',
          subject: b.subject,
          messages: [{ at: new Date().toISOString(), from: 'customer', text: b.message }],
          assignee: null,
        });
      },
    },
    {
      name: 'read a ticket',
      method: 'GET',
      path: '/tickets/:id',
      route: { purpose: 'support.ticket', output: Ticket, actor, subject: self },
      handler: (ctx) => found(store.ticket(contextOf(ctx), ctx.params.id ?? '')),
    },
    {
      name: 'read a customer (support)',
      method: 'GET',
      path: '/customers/:id',
      route: { purpose: 'support.ticket', output: Customer, actor, subject: (req) => req.params.id },
      handler: (ctx) => found(store.customer(contextOf(ctx), ctx.params.id ?? '')),
    },
    {
      name: 'read accessibility needs',
      method: 'GET',
      path: '/customers/:id/accessibility',
      route: { purpose: 'support.accessibility', output: Customer, actor, subject: (req) => req.params.id },
      handler: (ctx) => found(store.customer(contextOf(ctx), ctx.params.id ?? '')),
    },
    {
      name: 'read billing data',
      method: 'GET',
      path: '/customers/:id/billing',
      route: { purpose: 'billing.invoice', output: Customer, actor, subject: (req) => req.params.id },
      handler: (ctx) => found(store.customer(contextOf(ctx), ctx.params.id ?? '')),
    },
    {
      name: 'answer the survey',
      method: 'POST',
      path: '/tickets/:id/survey',
      route: { purpose: 'support.survey', input: SurveyAnswer, actor, subject: ticketOwner },
      handler: async (ctx) => {
        const { satisfaction } = ctx.body as { satisfaction: number };
        if (!(await store.answerSurvey(contextOf(ctx), ctx.params.id ?? '', satisfaction))) throw notFound();
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

  const desk = { pf, consent, ready, routes, token, store };
  // the in-memory store's Maps, where the tests reach the sealed rows
  if (!('customers' in store)) return desk;
  const { customers, tickets } = store as MemoryStore;
  return Object.assign(desk, { customers, tickets });
}

/** The desk as {@link createSupportDesk} builds it, over a store `S`. */
export interface SupportDeskOf<S extends DeskStore> {
  readonly pf: DeskEngine;
  readonly consent: ConsentLedger;
  /** Settles once the seed is stored and the consents are on record. */
  readonly ready: Promise<void>;
  readonly routes: DeskRoute[];
  /** Mints a token as the identity provider would (for the demo and the tests). */
  token(sub: string, roles: readonly string[], opts?: { mfa?: boolean; expiresIn?: string }): Promise<string>;
  readonly store: S;
}

/** The desk over any store. */
export type SupportDesk = SupportDeskOf<DeskStore>;

/** The desk over the in-memory store, with its Maps of sealed rows. */
export interface MemoryDesk extends SupportDeskOf<MemoryStore> {
  readonly customers: Map<string, Record<string, unknown>>;
  readonly tickets: Map<string, Record<string, unknown>>;
}
