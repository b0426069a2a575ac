/**
 * The declarations every type fixture shares: two purposes, one custom
 * category, a ticket schema and an engine. Registered with `Register`, so
 * `pd()` checks categories and purposes against them.
 */
import { type Actor, createPurposeful, definePurposes, defineSchema, pd } from 'purposeful';
import { z } from 'zod';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      roles: ['support'],
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
      roles: ['billing'],
    },
  },
  {
    controller: {
      name: 'ACME Ltda',
      contact: 'privacidade@acme.com.br',
      dpo: { name: 'Maria Souza', contact: 'dpo@acme.com.br' },
    },
    categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } },
  },
);

export const NewTicket = defineSchema(
  'new-ticket',
  z.object({
    customerId: pd.none(z.string()),
    message: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'] }),
    amount: pd(z.number(), { category: 'user.financial', purposes: ['billing.invoice'] }),
  }),
  { purposes },
);

export const Ticket = defineSchema(
  'ticket',
  z.object({
    id: pd.none(z.string()),
    message: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'] }),
    cpf: pd(z.string(), {
      category: 'user.government_id',
      purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
      mask: 'cpf',
    }),
    whatsapp: pd(z.string().optional(), { category: 'user.contact.whatsapp', purposes: ['support.ticket'] }),
    amount: pd(z.number(), { category: 'user.financial', purposes: ['billing.invoice'] }),
  }),
  { purposes },
);

export const TicketQuery = defineSchema(
  'ticket-query',
  z.object({
    page: pd.none(z.coerce.number()),
    email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
  }),
  { purposes },
);

/** A schema under migration: `ref`, `meta.source`, `audit`, `tags` are declared neither with `pd()` nor `pd.none()`. */
const legacyShape = z.object({
  ref: z.string(),
  message: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'] }),
  amount: pd(z.number(), { category: 'user.financial', purposes: ['billing.invoice'] }),
  meta: z.object({
    source: z.string(),
    note: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'] }),
  }),
  audit: z.object({ by: z.string(), at: z.date() }),
  tags: z.array(z.string()),
  channel: pd.none(z.enum(['chat', 'email'])),
});

/** Unannotated fields denied (the default): the runtime leaves them out, so do the types. */
export const LegacyTicket = defineSchema('legacy-ticket', legacyShape, { purposes });
/** Unannotated fields allowed by the schema itself: the types list them. */
export const MigratingTicket = defineSchema('migrating-ticket', legacyShape, { purposes, unannotated: 'allow' });

export const pf = createPurposeful({ purposes, schemas: [NewTicket, Ticket, TicketQuery] });

/** An engine that allows unannotated fields: the types stay on the strict side for schemas that do not say `allow`. */
export const lenient = createPurposeful({ purposes, schemas: [LegacyTicket, MigratingTicket], unannotated: 'allow' });

export const agent = (): Actor => ({ id: 'agent-7', roles: ['support'] });

export const openTicket = { purpose: 'support.ticket', input: NewTicket, actor: agent, status: 201 } as const;
export const readTicket = { purpose: 'support.ticket', query: TicketQuery, output: Ticket, actor: agent } as const;
export const invoice = { purpose: 'billing.invoice', input: NewTicket, output: Ticket, actor: agent } as const;
export const openLegacy = { purpose: 'support.ticket', input: LegacyTicket, actor: agent } as const;
export const openMigrating = { purpose: 'support.ticket', input: MigratingTicket, actor: agent } as const;

declare module 'purposeful' {
  interface Register {
    purposes: typeof purposes;
  }
}
