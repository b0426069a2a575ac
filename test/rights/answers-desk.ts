/** A small rights desk for the tests of the answers to the data subject: declarations, stores and an engine. */
import { z } from 'zod';
import {
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  memoryAccessLogSink,
  memoryConsentLedger,
  pd,
  type RightsOptions,
  rightsDesk,
} from '../../src/index.js';

export const controller = {
  name: 'Exemplo Suporte Ltda',
  contact: 'privacidade@example.com.br',
  dpo: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
};

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
    },
    'support.survey': {
      description: 'Ask for satisfaction feedback after a ticket closes',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#survey' },
      retention: 'P6M',
      ifRefused: 'We do not ask you about your satisfaction; support and billing work as before.',
    },
    'support.newsletter': {
      description: 'Send the monthly product newsletter by e-mail',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#newsletter' },
      retention: 'P1Y',
    },
    'analytics.churn': {
      description: 'Measure which customers stop using the service, by pseudonymous id',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      retention: 'P1Y',
      dataUse: 'analytics.reporting',
    },
    'marketing.upgrades': {
      description: 'Offer plan upgrades to existing customers by e-mail',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      retention: 'P1Y',
      dataUse: 'marketing.communications.email',
    },
    'credit.limit': {
      description: "Set the credit limit of a customer's postpaid plan from their payment history",
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      automatedDecision: {
        decision: 'the credit limit of your postpaid plan',
        logic: 'a score from the number of late payments in the last 12 months and the plan you hold',
        consequences: 'a lower score gives a lower limit; below a threshold the plan is prepaid only',
      },
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      obligation: 'CTN Art. 195 sole paragraph: tax records kept until the tax claims they support prescribe',
      retention: 'P5Y',
      recipients: [{ name: 'Invoice archive', role: 'processor', country: 'US' }],
      transfer: { countries: ['US'], mechanism: 'standard_contractual_clauses' },
    },
    'security.access_log': {
      description: 'Record who consulted whose personal data, to detect and answer misuse',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      retention: 'P5Y',
    },
  },
  { controller },
);

export const Customer = defineSchema(
  'customer',
  z.object({
    id: pd.none(z.string()),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] }),
    email: pd(z.email(), {
      category: 'user.contact.email',
      purposes: ['support.ticket', 'support.survey', 'support.newsletter', 'marketing.upgrades'],
    }),
    latePayments: pd(z.number().int().optional(), {
      category: 'user.financial',
      purposes: ['credit.limit', 'analytics.churn', 'billing.invoice'],
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

export const Ticket = defineSchema(
  'ticket',
  z.object({
    id: pd.none(z.string()),
    customerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    text: pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'] }),
    // the agent who answered: another person's data in the subject's ticket (GDPR Art. 15(4))
    agentName: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' }, recordId: 'id' },
);

/** A record with no subject field: requests for it name their subject in the context, or none. */
export const Visit = defineSchema(
  'visit',
  z.object({
    page: pd(z.string(), { category: 'user.behavior', purposes: ['analytics.churn'] }),
  }),
  { purposes },
);

export const subjectId = 'cust-1';
export const otherId = 'cust-2';
export const code = { code: `otp-for-${subjectId}` };

export const customer = { id: subjectId, name: 'Ana Souza', email: 'ana@example.com', latePayments: 2 };
export const ticket = {
  id: 'T-1',
  customerId: subjectId,
  text: 'Please call me back, Bruna said she would',
  agentName: 'Bruna Lima',
};

/** The options every desk shares; `extra` adds or replaces some. */
export function deskOptions(extra: Partial<RightsOptions> = {}): RightsOptions {
  const customers = new Map<string, Record<string, unknown>>([
    [subjectId, { ...customer }],
    [otherId, { ...customer, id: otherId, email: 'bia@example.com' }],
  ]);
  return {
    verify: ({ subjectId: id, verification }) => (verification as { code?: string })?.code === `otp-for-${id}`,
    sources: {
      customer: {
        find: async (id) => (customers.has(id) ? [customers.get(id) as Record<string, unknown>] : []),
        update: async (id, row) => {
          customers.set(id, row);
        },
        origin: 'given by you when you opened your account',
      },
      ticket: { find: async (id) => (id === subjectId ? [{ ...ticket }] : []) },
    },
    reviewer: () => undefined,
    ...extra,
  };
}

/** An engine with a consent ledger and an access log, and the rights desk over the stores above. */
export function desk(extra: Partial<RightsOptions> = {}, engine: { jurisdictions?: readonly ('lgpd' | 'gdpr')[] } = {}) {
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(3) });
  const consent = memoryConsentLedger(purposes);
  const pf = createPurposeful({
    purposes,
    schemas: [Customer, Ticket, Visit],
    consent,
    audit,
    ...(engine.jurisdictions ? { jurisdictions: engine.jurisdictions } : {}),
    rights: rightsDesk(deskOptions(extra)),
  });
  return { pf, audit, consent };
}
