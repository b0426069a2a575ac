/**
 * The declarations of the Prisma integration tests: a customer (email and cpf
 * encrypted, each with its blind index; an address whose street is encrypted
 * inside a Json field) and the tickets a customer opens (the body encrypted,
 * without an index).
 */
import { z } from 'zod';
import {
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  memoryKeyStore,
  type PurposefulSchema,
  pd,
} from '../../src/index.js';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      roles: ['support'],
      dataUse: 'essential.service',
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
      obligation: 'Tax records kept until the tax claims they support prescribe',
      roles: ['billing'],
    },
  },
  { controller: { name: 'Exemplo Ltda', contact: 'privacidade@example.com' } },
);

export const Customer = defineSchema(
  'customer',
  z.object({
    id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket', 'billing.invoice'] }),
    name: pd(z.string().min(1), {
      category: 'user.name',
      purposes: { 'support.ticket': 'clear', 'billing.invoice': 'masked' },
      mask: 'name',
    }),
    email: pd(z.email(), {
      category: 'user.contact.email',
      purposes: ['support.ticket'],
      encrypt: true,
      index: 'email',
    }),
    cpf: pd(z.string().optional(), {
      category: 'user.government_id.national_identification_number',
      purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
      encrypt: true,
      index: 'cpf',
      mask: 'cpf',
    }),
    address: z
      .object({
        city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket', 'billing.invoice'] }),
        street: pd(z.string().optional(), {
          category: 'user.contact.address.street',
          purposes: { 'billing.invoice': 'clear', 'support.ticket': 'masked' },
          mask: { keepLast: 3 },
          encrypt: true,
        }),
      })
      .optional(),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

export const Ticket = defineSchema(
  'ticket',
  z.object({
    id: pd.none(z.uuid()),
    customerId: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket', 'billing.invoice'] }),
    subject: pd.none(z.string().min(1)),
    body: pd(z.string().min(1), {
      category: 'user.content',
      purposes: ['support.ticket'],
      encrypt: true,
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId' }, recordId: 'id' },
);

/** A club member: compound blind indexes over the plain name and the encrypted birth date, and over two encrypted fields. */
export const Member = defineSchema(
  'member',
  z.object({
    id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket', 'billing.invoice'] }),
    name: pd(z.string().min(1), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] }),
    birth: pd(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), {
      category: 'user.demographic.date_of_birth',
      purposes: ['support.ticket'],
      encrypt: true,
    }),
    document: pd(z.string().optional(), {
      category: 'user.government_id.national_identification_number',
      purposes: ['support.ticket'],
      encrypt: true,
    }),
    city: pd(z.string().optional(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
  }),
  {
    purposes,
    subject: { kind: 'customer', id: 'id', minors: 'never' },
    recordId: 'id',
    indexes: { name_birth: ['name', 'birth'], document_birth: ['document', 'birth'] },
  },
);

/** An engine over the test declarations (and `more` schemas): a fresh keyring, a memory key store, signed receipts. */
export function testEngine(more: readonly PurposefulSchema[] = []) {
  return createPurposeful({
    purposes,
    schemas: [Customer, Ticket, ...more],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' } },
  });
}

/** A support agent, and a billing clerk: the contexts the tests read and write for. */
export const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
export const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
