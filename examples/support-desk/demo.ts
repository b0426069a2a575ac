/**
 * `npm run demo`: a short scripted scenario on the support-desk declarations.
 * First the desk over HTTP (Express, Fastify and fetch on 127.0.0.1: who was
 * allowed to see what, and why), then the data map, consent, encryption and
 * the data subject's rights on the engine, over the desk's Drizzle tables
 * (embedded PGlite, or the PostgreSQL server at DATABASE_URL). `npm run demo
 * -- --serve` keeps the HTTP servers running and prints curl commands instead.
 */
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import {
  incidentDeadlines,
  incidentEntry,
  incidentReport,
  memoryIncidentRegister,
  scopeIncident,
} from '../../src/incident/index.js';
import {
  anomalyWatch,
  checkpointSigner,
  createAccessLog,
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryAccessLogSink,
  memoryCheckpointSink,
  memoryConsentLedger,
  memoryErasureJournal,
  memoryKeyStore,
  type PurposeDeclaration,
  rightsDesk,
  subjectsToInform,
  toJSONSchema,
  validateDeclarations,
} from '../../src/index.js';
import { Customer, Invoice, purposes, Ticket } from './declarations.js';
import { httpDemo } from './http-demo.js';
import { sampleCustomer } from './sample.js';
import {
  customers,
  customersTable,
  deskData,
  deskRightsSources,
  invoices,
  invoicesTable,
  openDeskDatabase,
  storedView,
  tickets,
} from './store.js';

const demoStart = new Date();
await httpDemo(process.argv.includes('--serve'));

const line = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

line('Data map (for the record of processing, LGPD Art. 37 / GDPR Art. 30)');
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
// the access log: every decision, chained; checkpoints signed with a key the writer would not hold in production
const anchor = await generateKeyPair('EdDSA', { extractable: true });
const anchorKeys = { keys: [{ ...(await exportJWK(anchor.publicKey)), kid: 'anchor', alg: 'EdDSA' }] };
const alerts: string[] = [];
const audit = createAccessLog({
  sink: memoryAccessLogSink(),
  subjectKey: new TextEncoder().encode('demo-only access-log subject key, 32+ bytes'),
  instance: 'demo',
  checkpoints: {
    sink: memoryCheckpointSink(),
    sign: checkpointSigner({ key: await exportJWK(anchor.privateKey), alg: 'EdDSA', kid: 'anchor' }),
    every: 10,
  },
  watch: anomalyWatch({
    thresholds: { windowMs: 10 * 60_000, subjects: 5, denials: 10 },
    block: true,
    onAlert: (a) =>
      alerts.push(`${a.actor}: ${a.count} ${a.kind} in ${a.windowMs / 60_000} min (limit ${a.threshold}); blocked: ${a.blocked}`),
  }),
});
// the desk's tables (Drizzle, on embedded PGlite or at DATABASE_URL): the rights desk's sources run over them
const database = await openDeskDatabase({ url: process.env.DATABASE_URL });
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Ticket, Invoice],
  rights: rightsDesk({
    // a code sent to the contact on file; the demo's customer types it back. Otherwise: say what is missing (GDPR Art. 12(6))
    verify: ({ subjectId, verification }) =>
      (verification as { code?: string })?.code === `123456:${subjectId}` || {
        verified: false,
        missing: ['the 6-digit code sent to the e-mail address on file'],
      },
    // no hand-written source: each binding of a schema to its table is one (find, update, remove, anonymize)
    sources: deskRightsSources(database),
    // the agent who answered a ticket is another person: left out of the customer's access answer (GDPR Art. 15(4))
    aboutOthers: { ticket: { 'assignee.agentId': 'withhold', 'assignee.agentName': 'withhold' } },
    recipients: {
      // every correction, elimination, anonymization, blocking and revocation reaches it (LGPD Art. 18 §6; GDPR Art. 19)
      'NF-e issuing service': (n) =>
        console.log(
          n.kind === 'correction'
            ? `  → NF-e issuing service told: ${Object.keys(n.changes).join(', ')} changed`
            : `  → NF-e issuing service told of the ${n.kind} of ${n.fields.map((f) => f.field).join(', ')}`,
        ),
      'Survey platform': (n) =>
        console.log(
          n.kind === 'correction'
            ? `  → Survey platform told: ${Object.keys(n.changes).join(', ')} changed`
            : `  → Survey platform told of the ${n.kind} of ${n.fields.map((f) => `${f.schema}.${f.field}`).join(', ')}`,
        ),
    },
  }),
  pseudonymKey: new TextEncoder().encode('demo-only pseudonymization key, 32+ bytes long'),
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  erasureJournal: memoryErasureJournal(),
  encryption: { receipts: { key: await exportJWK(receiptKey), alg: 'EdDSA', issuer: 'https://support.example.com' } },
  consent,
  audit,
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
// at the time of the change, not at each subject's next visit: who to inform (LGPD Art. 8 §6, 9 §2)
const toInform = await subjectsToInform(consent, next, 'support.survey');
console.log(
  `at the time of the change: ${toInform.subjects.length} subject(s) to inform, action ${toInform.action} (${toInform.article})`,
);
try {
  await createPurposeful({
    purposes: next,
    schemas: [NextCustomer],
    consent,
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
  }).outbound(NextCustomer, customer, surveyCtx);
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

line(
  `Encryption in Drizzle tables (${database.driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL at DATABASE_URL'}): the stored row, then what support.ticket reads`,
);
const agent = { id: 'agent-7', roles: ['support'] };
const billingCtx = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
// the client the application reads and writes through: it never calls seal or open
const data = deskData(database, pf);
const support = data.forPurpose({ purpose: 'support.ticket', actor: agent });
// the account form: the accessibility needs are asked under their own purpose and consent, not here
const { accessibility: _asked, ...account } = customer;
await support.insert(customers, account);
// a raw select: what the table, a backup or a replica holds (envelopes; the values in clear are not printed here)
const [stored] = await database.db.select().from(customersTable).where(eq(customersTable.id, customer.id));
console.log('stored:', storedView(Customer, stored ?? {}));
const byCpf = data.eq(customersTable.cpf, '529 982 247 25'); // through bidx_cpf, normalized as the index declares
console.log('support.ticket reads (found by CPF):', await support.findFirst(customers, { where: byCpf }));
try {
  await database.db.insert(customersTable).values({ id: crypto.randomUUID(), channel: 'chat', cpf: customer.cpf });
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`a raw insert of a plaintext CPF around the client: ${err.code}, before the statement reaches the database`);
}
await data.forPurpose(billingCtx).insert(invoices, {
  number: 'NF-2026-0001',
  customerId: customer.id,
  taxId: customer.cpf,
  amountCents: 12990,
  issuedAt: '2026-11-28T10:00:00Z',
});
await support.insert(tickets, {
  id: '7d0f3c1a-2b4e-4c5d-8e6f-9a0b1c2d3e4f',
  customerId: customer.id,
  status: 'closed',
  subject: 'Boleto pago em dobro',
  messages: [{ at: '2026-11-20T14:02:00Z', from: 'customer', text: `Paguei duas vezes; meu CPF é ${customer.cpf}` }],
  assignee: { agentId: 'agent-7', agentName: 'Bruna Lima' },
});

line('The customer asks for their data (LGPD Art. 18 II, 19; GDPR Art. 15)');
try {
  await pf.rights.request({ subjectId: customer.id, kind: 'access', verification: { code: '000000' } });
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`an impostor with a wrong code: ${err.code} (HTTP ${err.status}), asked for: ${err.missing.join('; ')}`);
}
const verification = { code: `123456:${customer.id}` };
const accessRequest = await pf.rights.request({ subjectId: customer.id, kind: 'access', verification });
console.log(
  `request ${accessRequest.kind}: due ${accessRequest.due} (LGPD ${accessRequest.lgpdDue}, GDPR ${accessRequest.gdprDue})`,
);
const exported = await pf.rights.access(accessRequest.id);
for (const [category, items] of Object.entries(exported.data)) {
  console.log(
    `  ${category.padEnd(52)} ${items.map((i) => `${i.schema}.${i.field} (${i.purposes.map((p) => p.purpose).join(', ')})`).join('; ')}`,
  );
}
console.log(
  `  consent history: ${exported.consent.length} event(s); consultations: ${exported.consultations.length} (no staff names)`,
);
console.log(
  `  rights: ${exported.rights.map((r) => r.right).join(', ')}; complain to: ${exported.complaint.map((c) => c.authority.split(',')[0]).join(' / ')}`,
);
console.log(`  about another person, left out: ${exported.screened.map((s) => `${s.schema}.${s.field}`).join(', ')}`);
await pf.rights.complete(accessRequest.id);

line('…corrects their e-mail (LGPD Art. 18 III; GDPR Art. 16)');
const fix = await pf.rights.request({ subjectId: customer.id, kind: 'correction', verification });
console.log(
  await pf.rights.correct(fix.id, {
    schema: 'customer',
    patch: { email: 'joao.silva@novo.example.com.br', name: 'João da Silva Santos' },
  }),
);
const byId = eq(customersTable.id, customer.id);
console.log('support.ticket now reads:', (await support.findFirst(customers, { where: byId }))?.email);

line('…and asks to be forgotten (LGPD Art. 18 VI, 16; GDPR Art. 17): crypto-shredding');
const erasure = await pf.rights.request({ subjectId: customer.id, kind: 'erasure', verification });
const erased = await pf.rights.erase(erasure.id);
for (const f of erased.fields) console.log(`  ${`${f.schema}.${f.field}`.padEnd(26)} ${f.outcome.padEnd(10)} ${f.reason}`);
console.log(`  recipients told (LGPD Art. 18 §6; GDPR Art. 19): ${erased.notified.join(', ') || 'none'}`);
console.log(`  receipt ${erased.receipt?.slice(0, 40)}…, retained until ${erased.retainedUntil[0]?.until}`);
const [left] = await database.raw('SELECT count(*)::int AS n FROM tickets');
const kept = await database.raw('SELECT data FROM tickets_anonymous');
console.log(`  tickets left: ${left?.n}; kept for statistics: ${JSON.stringify(kept.map((k) => k.data))}`);
try {
  await support.findFirst(customers, { where: byId });
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`support.ticket now gets ${err.code} (HTTP ${err.status})`);
}
console.log(
  'the row as stored now:',
  storedView(Customer, (await database.db.select().from(customersTable).where(byId))[0] ?? {}),
);
console.log(
  'the invoice, kept by law:',
  await data.forPurpose(billingCtx).findFirst(invoices, { where: eq(invoicesTable.number, 'NF-2026-0001') }),
);

line("The access log of this customer (the DPO's view: who, when, why)");
for (const e of await audit.forSubject(customer.id)) {
  console.log(
    `  #${String(e.seq).padStart(2)} ${e.action.padEnd(8)} ${e.decision.padEnd(5)} ${(e.purpose ?? '').padEnd(22)} ${e.actor.id.padEnd(11)} ${e.reason ?? e.fields.join(', ')}`,
  );
}
console.log('what the customer is told (CJEU C-579/21: no staff identities):');
console.log((await audit.subjectReport(customer.id, { purposes })).slice(0, 3));

line('A bulk read: agent-13 opens one customer after another');
const bulk = { id: 'agent-13', roles: ['support'] };
for (let i = 0; i < 8; i++) {
  try {
    await pf.outbound(Customer, { ...customer, id: crypto.randomUUID() }, { purpose: 'support.ticket', actor: bulk });
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    console.log(`  read ${i + 1}: ${err.code} (HTTP ${err.status})`);
  }
}
for (const a of alerts) console.log(`  ALERT ${a}`);

line('The incident it leads to (LGPD Art. 48, Res. CD/ANPD 15/2024; GDPR Art. 33)');
const knownAt = new Date();
const scope = await scopeIncident(
  {
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date().toISOString(),
    actors: ['agent-13'],
    significantEffect: true,
    // the controller's own finding, from its customer records: two of the customers read are over 60 (elderly)
    childrenAdolescentsOrElderly: true,
  },
  { log: audit, schemas: [Customer, Ticket, Invoice], rules: { largeScaleSubjects: 50_000 } },
);
console.log(
  `subjects: ${scope.subjects.count}; categories: ${scope.categories.join(', ')}; criteria met: ${scope.criteriaMet.join(', ') || 'none'}; relevant risk (Art. 5: significant effect and a criterion): ${scope.relevantRisk ? 'yes: the ANPD and the subjects are told' : 'no'}`,
);
const deadlines = incidentDeadlines({ knownAt });
// the communication goes out eight days after the incident was known: past the 3 business days of Art. 6
const communicatedAt = new Date(knownAt.getTime() + 8 * 86_400_000);
const facts = {
  id: 'INC-DEMO-1',
  title: 'Bulk read by one agent account',
  description: 'One agent account read more customers in minutes than its tickets explain; the anomaly watch blocked it.',
  knownAt,
  communicatedAt,
  controller: purposes.controller as NonNullable<typeof purposes.controller>,
  risks: 'Contact and identification data of the customers read could be used for phishing.',
  measures: ['Account blocked by the anomaly watch', 'Credentials reset; sessions revoked', 'Customers to be informed'],
  rootCause: 'A shared agent password reused on another site',
  contact: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
};
const accessLog = {
  verification: await audit.verify({ keys: anchorKeys }),
  verifiedAt: new Date(),
  purposes: purposes.ids,
  since: demoStart,
};
try {
  incidentReport({ facts, scope, deadlines, accessLog });
} catch (err) {
  if (!isPurposefulError(err)) throw err;
  console.log(`a late report without its reasons: ${err.code} (HTTP ${err.status})`);
}
const incident = incidentReport({
  facts: {
    ...facts,
    delayReasons: "The extent of the read was confirmed only when the hosting provider's logs arrived, five days later.",
  },
  scope,
  deadlines,
  accessLog,
});
console.log(
  incident.markdown
    .split('\n')
    .filter((l) => /late|deadline|Delay|delay|access log/i.test(l))
    .slice(0, 6)
    .join('\n'),
);
const register = memoryIncidentRegister();
await register.add(incidentEntry(incident, { notified: true, notifiedAt: communicatedAt, means: ['ANPD electronic form'] }));
console.log(`registered: ${(await register.list()).map((e) => e.id).join(', ')} (kept five years from registration, Art. 10)`);

await audit.close();
await database.close();
const verified = await audit.verify({ keys: anchorKeys });
console.log(
  `access log: ${verified.events} events, ${verified.ok ? 'intact' : `BROKEN at ${verified.broken?.seq}`}, ${verified.unanchored} unanchored`,
);
