/**
 * `npm run demo`: a short scripted scenario on the support-desk declarations.
 * First the desk over HTTP (Express, Fastify and fetch on 127.0.0.1: who was
 * allowed to see what, and why), then the data map, consent, encryption and
 * shredding on the engine itself. `npm run demo -- --serve` keeps the HTTP
 * servers running and prints curl commands instead.
 */
import { exportJWK, generateKeyPair } from 'jose';
import {
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryErasureJournal,
  memoryKeyStore,
  type PurposeDeclaration,
  toJSONSchema,
  validateDeclarations,
} from '../../src/index.js';
import { Customer, Invoice, purposes, Ticket } from './declarations.js';
import { httpDemo } from './http-demo.js';
import { sampleCustomer } from './sample.js';

await httpDemo(process.argv.includes('--serve'));

const line = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

line('Data map (record of processing, LGPD Art. 37 / GDPR Art. 30)');
for (const id of purposes.ids) {
  const p = purposes.get(id);
  if (!p) continue;
  const d = p.declaration;
  console.log(`\n${id} — ${d.description}`);
  console.log(
    `  basis: LGPD ${d.legalBasis.lgpd ?? '-'}, GDPR ${d.legalBasis.gdpr ?? '-'}${d.sensitiveBasis ? `; sensitive: LGPD ${d.sensitiveBasis.lgpd}, GDPR ${d.sensitiveBasis.gdpr}` : ''}`,
  );
  console.log(
    `  retention: ${p.retention.iso}${p.retention.from ? ` from ${p.retention.from}` : ''}${p.consentUnder.length ? `; consent under ${p.consentUnder.join(', ')}` : ''}`,
  );
  for (const schema of [Customer, Ticket, Invoice]) {
    for (const f of schema.fields) {
      const a = f.access.get(id);
      if (!a) continue;
      const level = a.roles
        ? `${a.level} (${Object.entries(a.roles)
            .map(([r, l]) => `${r}: ${l}`)
            .join(', ')})`
        : a.level;
      const flags = [
        f.sensitive ? `SENSITIVE: ${f.sensitiveKind}` : '',
        f.encrypt ? 'encrypted' : '',
        f.freeText ? 'free text' : '',
      ]
        .filter(Boolean)
        .join(', ');
      console.log(`    ${`${schema.id}.${f.path}`.padEnd(30)} ${f.category.padEnd(52)} ${level}${flags ? `  [${flags}]` : ''}`);
    }
  }
}

const report = validateDeclarations({ purposes, schemas: [Customer, Ticket, Invoice] });
console.log(`\nvalidator: ${report.errors} error(s), ${report.warnings} warning(s)`);
for (const p of report.problems)
  console.log(`  ${p.severity} ${p.code} ${p.schema ?? ''} ${p.path ?? p.purpose ?? ''}: ${p.message}`);

const { privateKey: receiptKey } = await generateKeyPair('EdDSA', { extractable: true });
const consent = memoryConsentLedger(purposes);
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Ticket, Invoice],
  pseudonymKey: new TextEncoder().encode('demo-only pseudonymization key, 32+ bytes long'),
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  erasureJournal: memoryErasureJournal(),
  encryption: { receipts: { key: await exportJWK(receiptKey), alg: 'EdDSA', issuer: 'https://support.example.com' } },
  consent,
});

const customer = sampleCustomer;

line("Consent (LGPD Art. 7 I, 8): the survey purpose rests on the customer's consent");
const surveyCtx = { purpose: 'support.survey', actor: { id: 'survey-bot', roles: [] } } as const;
const tryView = async (label: string) => {
  try {
    await pf.outbound(Customer, customer, surveyCtx);
    console.log(`${label}: allowed`);
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    console.log(`${label}: ${err.code} (HTTP ${err.status})`);
  }
};
const noticeHash = Array.from(
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('Survey notice, 2026-11-01'))),
)
  .map((b) => b.toString(16).padStart(2, '0'))
  .join('');
await tryView('before any consent');
await consent.grant({
  subject: customer.id,
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash: noticeHash },
  method: 'checkbox',
  collectionPoint: 'app/ticket-closed',
});
await tryView('after the customer ticks the box');
await consent.withdraw(customer.id, 'support.survey');
await tryView('right after the customer withdraws');
await consent.grant({
  subject: customer.id,
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash: noticeHash },
  method: 'checkbox',
  collectionPoint: 'app/ticket-closed',
});
// the notice changes materially: a new engine with version 2027-01-01 of the survey notice
const next = definePurposes(
  {
    ...Object.fromEntries(purposes.ids.map((id) => [id, purposes.get(id)?.declaration as PurposeDeclaration])),
    'support.survey': {
      ...(purposes.get('support.survey')?.declaration as PurposeDeclaration),
      notice: { version: '2027-01-01', url: 'https://example.com/privacy#survey', material: true },
    },
  },
  { controller: purposes.controller },
);
const NextCustomer = defineSchema('customer', Customer.zod, {
  purposes: next,
  subject: { kind: 'customer', id: 'id' },
  recordId: 'id',
});
try {
  await createPurposeful({ purposes: next, schemas: [NextCustomer], consent }).outbound(NextCustomer, customer, surveyCtx);
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`after a material change of the notice: ${err.code} (HTTP ${err.status})`);
}
await consent.grant({
  subject: customer.id,
  purpose: 'support.accessibility',
  notice: { version: '2026-11-01', hash: noticeHash },
  method: 'form',
  collectionPoint: 'app/settings/accessibility',
  highlighted: true,
});
console.log(
  'consent history:',
  (await consent.history(customer.id)).map((e) => `${e.sequence} ${e.purpose} ${e.type}`),
);

const views: Array<[(typeof purposes.ids)[number], { id: string; roles: string[]; mfa?: boolean }]> = [
  ['support.ticket', { id: 'agent-7', roles: ['support'] }],
  ['support.ticket', { id: 'lead-2', roles: ['supervisor'] }],
  ['support.survey', { id: 'survey-bot', roles: [] }],
  ['billing.invoice', { id: 'billing-1', roles: ['billing'] }],
  ['analytics.churn', { id: 'churn-job', roles: [] }],
];
for (const [purpose, actor] of views) {
  line(`What "${purpose}" sees (actor ${actor.id}, roles: ${actor.roles.join(', ') || 'none'})`);
  console.log(await pf.outbound(Customer, customer, { purpose, actor }));
}

line('Inbound: a survey form that also sends the CPF');
try {
  await pf.inbound(
    Customer,
    { id: customer.id, channel: 'email', email: customer.email, cpf: customer.cpf },
    {
      purpose: 'support.survey',
      actor: { id: 'survey-form' },
    },
  );
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`${err.code} (HTTP ${err.status}): ${err.message}`);
}

line('Fail closed: an undeclared purpose, a wrong role');
for (const [purpose, actor] of [
  ['marketing.everything', { id: 'x' }],
  ['billing.invoice', { id: 'agent-7', roles: ['support'] }],
] as const) {
  try {
    await pf.outbound(Customer, customer, { purpose: purpose as never, actor });
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    console.log(`${err.code} (HTTP ${err.status}): ${err.message}`);
  }
}

line('OpenAPI 3.1 / JSON Schema with x-personal-data (the cpf property)');
console.log(
  JSON.stringify((toJSONSchema(Customer, { target: 'openapi-3.1' }).properties as Record<string, unknown>).cpf, null, 2),
);

line('Encryption: the stored row, then what support.ticket opens of it');
const agent = { id: 'agent-7', roles: ['support'] };
const row = await pf.seal(Customer, customer, { purpose: 'support.ticket', actor: agent });
console.log(row);
console.log(await pf.open(Customer, row, { purpose: 'support.ticket', actor: agent }));
console.log('search by CPF: bidx_cpf IN', pf.indexFor(Customer, 'cpf', '529 982 247 25'));
const invoice = await pf.seal(
  Invoice,
  { number: 'NF-2026-0001', customerId: customer.id, taxId: customer.cpf, amountCents: 12990, issuedAt: '2026-11-28T10:00:00Z' },
  { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } },
);

line('The customer asks to be forgotten (LGPD Art. 18 VI): crypto-shredding');
const shredded = await pf.shred(customer.id, { rows: [{ schema: Customer, rows: [row] }] });
console.log({ ...shredded, receipt: `${shredded.receipt.slice(0, 40)}…` });
try {
  await pf.open(Customer, row, { purpose: 'support.ticket', actor: agent });
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`support.ticket now gets ${err.code} (HTTP ${err.status})`);
}
console.log(
  'the invoice, kept by law until',
  shredded.retained[0]?.until,
  await pf.open(Invoice, invoice, { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } }),
);
