/**
 * Benchmark fixtures: a customer record with exactly 20 leaf fields, nested
 * (top-level scalars, an `address` object, a `contact` object and an `orders`
 * array of 3 objects), 10 of them personal fields declared with `pd()`.
 *
 * Two purposes are benchmarked on the same schema and record:
 *
 * - `support.ticket` (the "masked" scenario): 2 personal fields clear (`name`,
 *   `address.city`), 2 masked (`cpf` with mask `cpf`, `email` with mask
 *   `email`), 6 hidden (`birthDate`, `address.street`, `address.number`,
 *   `address.postalCode`, `contact.phone`, `orders[].cardLast4`).
 * - `support.triage` (the "projection only" scenario): no masked field at all:
 *   `name`, `email`, `address.city` clear, the other 7 hidden. The peers that
 *   only remove keys do exactly the same job here.
 *
 * Leaves (20): id, status, createdAt, name*, cpf*, email*, birthDate*,
 * address.{street*, number*, city*, state, postalCode*},
 * contact.{phone*, preferredChannel, marketingOptIn, locale},
 * orders[].{id, placedAt, total, cardLast4*}   (* = personal, 10 of 20)
 */
import { z } from 'zod';
import { compileMask, definePurposes, defineSchema, pd } from '../../src/index.js';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      dataUse: 'essential.service',
    },
    'support.triage': {
      description: 'Route an incoming request to the right queue',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P6M',
      dataUse: 'essential.service',
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
    },
  },
  { controller: { name: 'Bench Ltda', contact: 'privacidade@example.com.br' } },
);

export type BenchPurpose = 'support.ticket' | 'support.triage';

export const CustomerRecord = defineSchema(
  'bench.customer',
  z.object({
    id: pd.none(z.string()),
    status: pd.none(z.enum(['active', 'suspended', 'closed'])),
    createdAt: pd.none(z.string()),
    name: pd(z.string(), {
      category: 'user.name',
      purposes: ['support.ticket', 'support.triage', 'billing.invoice'],
      mask: 'name',
    }),
    cpf: pd(z.string(), {
      category: 'user.government_id.national_identification_number',
      purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
      mask: 'cpf',
    }),
    email: pd(z.string(), {
      category: 'user.contact.email',
      purposes: { 'support.ticket': 'masked', 'support.triage': 'clear', 'billing.invoice': 'clear' },
      mask: 'email',
    }),
    birthDate: pd(z.string(), { category: 'user.demographic.date_of_birth', purposes: ['billing.invoice'] }),
    address: z.object({
      street: pd(z.string(), { category: 'user.contact.address.street', purposes: ['billing.invoice'] }),
      number: pd(z.string(), { category: 'user.contact.address.street', purposes: ['billing.invoice'] }),
      city: pd(z.string(), {
        category: 'user.contact.address.city',
        purposes: ['support.ticket', 'support.triage', 'billing.invoice'],
      }),
      state: pd.none(z.string()),
      postalCode: pd(z.string(), { category: 'user.contact.address.postal_code', purposes: ['billing.invoice'] }),
    }),
    contact: z.object({
      phone: pd(z.string(), { category: 'user.contact.phone_number', purposes: ['billing.invoice'] }),
      preferredChannel: pd.none(z.enum(['email', 'phone', 'chat'])),
      marketingOptIn: pd.none(z.boolean()),
      locale: pd.none(z.string()),
    }),
    orders: z.array(
      z.object({
        id: pd.none(z.string()),
        placedAt: pd.none(z.string()),
        total: pd.none(z.number()),
        cardLast4: pd(z.string(), { category: 'user.financial.credit_card', purposes: ['billing.invoice'] }),
      }),
    ),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' } },
);

export interface Order {
  id: string;
  placedAt: string;
  total: number;
  cardLast4: string;
}

export interface Customer {
  id: string;
  status: 'active' | 'suspended' | 'closed';
  createdAt: string;
  name: string;
  cpf: string;
  email: string;
  birthDate: string;
  address: { street: string; number: string; city: string; state: string; postalCode: string };
  contact: { phone: string; preferredChannel: 'email' | 'phone' | 'chat'; marketingOptIn: boolean; locale: string };
  orders: Order[];
}

/** A fresh record (the peers that mutate get their own copy when they need one). */
export function makeRecord(): Customer {
  return {
    id: 'c0a80121-7ac0-4e1c-9f4b-1a2b3c4d5e6f',
    status: 'active',
    createdAt: '2026-01-15T12:30:00.000Z',
    name: 'João da Silva Santos',
    cpf: '529.982.247-25',
    email: 'joao.silva@example.com.br',
    birthDate: '1985-04-12',
    address: {
      street: 'Rua das Flores',
      number: '123',
      city: 'São Paulo',
      state: 'SP',
      postalCode: '01310-100',
    },
    contact: {
      phone: '+55 11 91234-5678',
      preferredChannel: 'email',
      marketingOptIn: false,
      locale: 'pt-BR',
    },
    orders: [
      { id: 'ord-1001', placedAt: '2026-02-01T10:00:00.000Z', total: 129.9, cardLast4: '1111' },
      { id: 'ord-1002', placedAt: '2026-03-05T16:20:00.000Z', total: 59.5, cardLast4: '4242' },
      { id: 'ord-1003', placedAt: '2026-04-11T09:45:00.000Z', total: 310, cardLast4: '1111' },
    ],
  };
}

/** Paths (fast-redact / @pinojs/redact syntax) each purpose may not see. */
export const HIDDEN_PATHS: Readonly<Record<BenchPurpose, readonly string[]>> = {
  'support.ticket': [
    'birthDate',
    'address.street',
    'address.number',
    'address.postalCode',
    'contact.phone',
    'orders[*].cardLast4',
  ],
  'support.triage': [
    'cpf',
    'birthDate',
    'address.street',
    'address.number',
    'address.postalCode',
    'contact.phone',
    'orders[*].cardLast4',
  ],
};

/** The masks of the masked fields, compiled by purposeful's own `compileMask` (what its plans run). */
export const maskCpf = compileMask('cpf');
export const maskEmail = compileMask('email');

/** Paths each purpose sees masked, with their mask. */
export const MASKED_PATHS: Readonly<Record<BenchPurpose, Readonly<Record<string, (v: unknown) => string>>>> = {
  'support.ticket': { cpf: maskCpf, email: maskEmail },
  'support.triage': {},
};
