/**
 * A desk whose purposes share data with recipients and keep some of it on
 * erasure grounds: a legal obligation (billing) and proceedings (legal
 * defence). Shared by the tests of recipients, erasure grounds and blocking.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';
import {
  accessLogPurpose,
  type BlockingStore,
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  memoryAccessLogSink,
  memoryConsentLedger,
  memoryKeyStore,
  pd,
  type RecipientHook,
  type RecipientNotice,
  type RightsOptions,
  type RightsSource,
  rightsDesk,
  type SubjectKeyStore,
} from '../../src/index.js';
import { controller } from '../helpers/fixtures.js';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      recipients: [{ name: 'Helpdesk SaaS', role: 'processor', country: 'BR' }],
    },
    'support.survey': {
      description: 'Ask for satisfaction feedback after a ticket closes',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#survey' },
      retention: 'P6M',
      recipients: [{ name: 'Survey Tool', role: 'processor', country: 'BR' }],
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      obligation: 'CTN Art. 195 sole paragraph: tax records kept until the tax claims they support prescribe',
      retention: 'P5Y',
      recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }],
    },
    'legal.defence': {
      description: 'Defend the company in consumer lawsuits about a ticket',
      legalBasis: { lgpd: 'exercise_of_rights', gdpr: 'legitimate_interests' },
      retention: 'P3Y',
      keptOnErasure: ['legal_claims'],
      claim: 'consumer claims about the service (CDC Art. 27: five years)',
    },
    'security.access_log': accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      roles: ['dpo'],
    }),
  },
  { controller },
);

export const Client = defineSchema(
  'client',
  z.object({
    id: pd(z.uuid(), {
      category: 'user.unique_id',
      purposes: ['support.ticket', 'billing.invoice', 'legal.defence', 'support.survey'],
    }),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] }),
    cpf: pd(z.string(), {
      category: 'user.government_id',
      purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
      encrypt: true,
      mask: 'cpf',
    }),
    email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket', 'support.survey'], encrypt: true }),
    complaint: pd(z.string().optional(), {
      category: 'user.content.private',
      purposes: ['support.ticket', 'legal.defence'],
      encrypt: true,
    }),
    score: pd(z.number().int().optional(), { category: 'user.behavior', purposes: ['support.survey'] }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

export const subjectId = '3f1c2b7a-0000-4000-8000-00000000c0de';
export const verification = 'signed-in';
export const client = {
  id: subjectId,
  name: 'Joana Prado',
  cpf: '529.982.247-25',
  email: 'joana.prado@example.com',
  complaint: 'charged twice for the March plan',
  score: 2,
};

export const ctx = {
  support: { purpose: 'support.ticket', actor: { id: 'agent-7' } },
  survey: { purpose: 'support.survey', actor: { id: 'agent-7' } },
  billing: { purpose: 'billing.invoice', actor: { id: 'billing-1' } },
  defence: { purpose: 'legal.defence', actor: { id: 'counsel-1' } },
} as const;

/** A rows table as a rights source, updated and removed by record id. */
export function table(): { rows: Map<string, Record<string, unknown>>; source: RightsSource } {
  const rows = new Map<string, Record<string, unknown>>();
  return {
    rows,
    source: {
      find: async (s) => [...rows.values()].filter((r) => r.id === s),
      update: async (_s, row) => {
        rows.set(String(row.id), row);
      },
      remove: async (_s, row) => {
        rows.delete(String(row.id));
      },
    },
  };
}

/** The desk: `hooks` false gives no hook at all; recipients may be overridden. */
export async function restrictedDesk(
  options: { recipients?: RightsOptions['recipients']; keyStore?: SubjectKeyStore; blockings?: BlockingStore } = {},
) {
  const notices: RecipientNotice[] = [];
  const record: RecipientHook = (n) => {
    notices.push(n);
  };
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(3) });
  const consent = memoryConsentLedger(purposes);
  const clients = table();
  const keyStore = options.keyStore ?? memoryKeyStore();
  const keys = generateKeyring();
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const receipts = { key: await exportJWK(privateKey), alg: 'EdDSA' };
  const rights: RightsOptions = {
    verify: ({ verification: v }) => v === verification,
    sources: { client: clients.source },
    recipients: options.recipients ?? { 'Helpdesk SaaS': record, 'Survey Tool': record, 'NF-e issuing service': record },
    ...(options.blockings ? { blockings: options.blockings } : {}),
  };
  const pf = createPurposeful({
    purposes,
    schemas: [Client],
    keys,
    keyStore,
    consent,
    audit,
    encryption: { receipts },
    rights: rightsDesk(rights),
  });
  await consent.grant({
    subject: subjectId,
    purpose: 'support.survey',
    notice: { version: '2026-11-01', hash: '7'.repeat(64) },
    method: 'checkbox',
    collectionPoint: 'app',
  });
  const sealed = await pf.seal(Client, client, ctx.support);
  clients.rows.set(subjectId, sealed);
  /** Another engine on the same key store: another process of the same application. */
  const other = () => createPurposeful({ purposes, schemas: [Client], keys, keyStore, consent, encryption: { receipts } });
  return { pf, other, notices, record, audit, consent, clients, keyStore, sealed };
}
