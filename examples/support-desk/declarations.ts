/**
 * The support-desk declarations: customers, tickets with free-text messages,
 * agents and billing. Shared by the demo, the tests and the benchmarks.
 */
import { z } from 'zod';
import { accessLogPurpose, accessLogSchema, definePurposes, defineSchema, pd } from '../../src/index.js';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      roles: ['support', 'supervisor', 'customer'],
      dataUse: 'essential.service',
    },
    'support.accessibility': {
      description: 'Adapt how we serve a customer who tells us about a disability',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      sensitiveBasis: { lgpd: 'consent', gdpr: 'explicit_consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#accessibility', material: true },
      retention: 'P2Y',
      roles: ['support'],
      mfa: 'sensitive',
    },
    'support.survey': {
      description: 'Ask for satisfaction feedback after a ticket closes',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#survey', material: true },
      retention: 'P6M',
      recipients: [{ name: 'Survey platform', role: 'processor', country: 'BR' }],
      // told in consent-info answers (LGPD Art. 18 VIII): a purpose that declares nothing says nothing
      ifRefused: 'We do not ask you about your satisfaction; support and billing work as before.',
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: { duration: 'P5Y', from: 'invoice.issued' },
      obligation: 'CTN Art. 195 sole paragraph: tax records kept until the tax claims they support prescribe',
      roles: ['billing'],
      recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }],
    },
    'analytics.churn': {
      description: 'Measure which customers stop using the service, by pseudonymous id',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      retention: 'P1Y',
      dataUse: 'analytics.reporting',
    },
    // the access log is personal data about customers and staff: declared like any processing, on the basis
    // the controller chose: legitimate interest in security (LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f))
    'security.access_log': accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      roles: ['dpo'],
    }),
  },
  {
    controller: {
      name: 'Exemplo Suporte Ltda',
      contact: 'privacidade@example.com.br',
      dpo: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
    },
  },
);

export const Customer = defineSchema(
  'customer',
  z.object({
    // the customer's id identifies the customer: personal data like the ticket's customerId
    id: pd(z.uuid(), {
      category: 'user.unique_id',
      purposes: {
        'support.ticket': 'clear',
        'support.survey': 'clear',
        'support.accessibility': 'clear',
        'billing.invoice': 'clear',
        'analytics.churn': 'pseudonymized',
      },
    }),
    channel: pd.none(z.enum(['chat', 'email'])),
    name: pd(z.string().min(1), {
      category: 'user.name',
      purposes: { 'support.ticket': 'clear', 'billing.invoice': 'clear', 'analytics.churn': 'pseudonymized' },
      mask: 'name',
    }),
    cpf: pd(z.string(), {
      category: 'user.government_id.national_identification_number',
      purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
      encrypt: true,
      index: 'cpf',
      mask: 'cpf',
    }),
    email: pd(z.email(), {
      category: 'user.contact.email',
      purposes: { 'support.ticket': 'clear', 'support.survey': 'clear', 'analytics.churn': 'pseudonymized' },
      encrypt: true,
      mask: 'email',
    }),
    phone: pd(z.string().optional(), {
      category: 'user.contact.phone_number',
      purposes: { 'support.ticket': { default: 'masked', roles: { supervisor: 'clear' } } },
      mask: 'phone',
    }),
    address: z
      .object({
        city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket', 'billing.invoice'] }),
        postalCode: pd(z.string(), {
          category: 'user.contact.address.postal_code',
          purposes: { 'billing.invoice': 'clear', 'support.ticket': 'masked' },
          mask: { keepLast: 3 },
        }),
      })
      .optional(),
    accessibility: pd(z.string().optional(), {
      category: 'user.health_and_medical',
      purposes: ['support.accessibility'],
      encrypt: true,
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

/**
 * What a ticket's text keeps for statistics once the ticket is erased or expires (LGPD Art. 12, 16 IV): the labels of the
 * identifiers found in it and these support words; every other word (a name, a street), every digit is suppressed.
 */
const ticketText = {
  redact: 'all',
  namesAndAddresses: 'keep-only-vocabulary',
  vocabulary: [
    ...['a', 'o', 'os', 'as', 'um', 'uma', 'e', 'é', 'de', 'do', 'da', 'em', 'no', 'na', 'com', 'para', 'por', 'que', 'não'],
    ...['meu', 'minha', 'foi', 'já', 'ainda', 'quero', 'preciso', 'consigo', 'recebi', 'favor', 'obrigado', 'obrigada'],
    ...['boleto', 'cobrança', 'cobrado', 'duplicada', 'pago', 'paguei', 'pagar', 'pagamento', 'dobro', 'duas', 'vezes'],
    ...['fatura', 'estorno', 'reembolso', 'cartão', 'pix', 'valor', 'segunda', 'via', 'nota', 'fiscal', 'plano', 'pedido'],
    ...['entrega', 'atraso', 'cancelar', 'cancelamento', 'senha', 'acesso', 'conta', 'erro', 'site', 'aplicativo'],
    ...['ajuda', 'problema', 'mensagem', 'mail', 'cpf'],
  ],
  residualRisk:
    'Ticket texts keep only these support words and the labels of the identifiers found in them. A customer who described a rare problem in an unusual order of these words could still be recognized by the agent who handled the ticket: copies go in bulk, in random order, to a statistics store no third party reads.',
} as const;

export const Ticket = defineSchema(
  'ticket',
  z.object({
    id: pd.none(z.uuid()),
    customerId: pd(z.uuid(), {
      category: 'user.unique_id',
      purposes: { 'support.ticket': 'clear', 'analytics.churn': 'pseudonymized' },
    }),
    status: pd.none(z.enum(['open', 'waiting', 'closed'])),
    // when a ticket is erased or expires, its text stays for statistics reduced to the support vocabulary (LGPD Art. 12)
    subject: pd(z.string().max(200), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      anonymize: ticketText,
    }),
    messages: z
      .array(
        z.object({
          // when a customer wrote is about the customer: personal, and never kept in an anonymous copy
          at: pd(z.iso.datetime(), { category: 'user.behavior', purposes: ['support.ticket'] }),
          from: pd.none(z.enum(['customer', 'agent'])),
          text: pd(z.string().max(10_000), {
            category: 'user.content.private',
            purposes: ['support.ticket'],
            freeText: true,
            anonymize: ticketText,
          }),
        }),
      )
      .max(500),
    assignee: z
      .object({
        agentId: pd(z.string(), {
          category: 'user.unique_id',
          purposes: ['support.ticket'],
          description: 'staff member handling the ticket',
        }),
        agentName: pd(z.string(), { category: 'user.name', purposes: { 'support.ticket': 'masked' }, mask: 'name' }),
      })
      .nullable(),
    satisfaction: pd(z.number().int().min(1).max(5).optional(), {
      category: 'user.behavior',
      purposes: ['support.survey', 'analytics.churn'],
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' }, recordId: 'id' },
);

export const Invoice = defineSchema(
  'invoice',
  z.object({
    number: pd.none(z.string()),
    customerId: pd(z.uuid(), { category: 'user.unique_id', purposes: ['billing.invoice'] }),
    taxId: pd(z.string(), {
      category: 'user.government_id.national_identification_number',
      purposes: ['billing.invoice'],
      encrypt: true,
      mask: 'cpf',
    }),
    amountCents: pd(z.number().int().nonnegative(), { category: 'user.financial', purposes: ['billing.invoice'] }),
    issuedAt: pd.none(z.iso.datetime()),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' }, recordId: 'number' },
);

/**
 * What a customer sends to open a ticket: who, a subject line and the first
 * message (free text). A request, never stored as such (the ticket it becomes
 * is sealed), so its free text is not declared encrypted.
 */
export const NewTicket = defineSchema(
  'new-ticket',
  z.object({
    customerId: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    subject: pd(z.string().min(1).max(200), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      encrypt: false,
    }),
    message: pd(z.string().min(1).max(10_000), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      encrypt: false,
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId', minors: 'never' } },
);

/** A satisfaction answer: only with the customer's consent to the survey (a request, not stored as such). */
export const SurveyAnswer = defineSchema(
  'survey-answer',
  z.object({
    satisfaction: pd(z.number().int().min(1).max(5), { category: 'user.behavior', purposes: ['support.survey'] }),
    comment: pd(z.string().max(2000).optional(), {
      category: 'user.content.private',
      purposes: ['support.survey'],
      freeText: true,
      encrypt: false,
    }),
  }),
  { purposes },
);

/** The access log's events, so the data map lists the log as processing of its own. */
export const AccessEvents = accessLogSchema(purposes);
