import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createAccessLog,
  createPurposeful,
  generateKeyring,
  isPurposefulError,
  memoryAccessLogSink,
  memoryConsentLedger,
  memoryKeyStore,
  type RecipientNotice,
  rightsDeadline,
  rightsDesk,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';

describe('request deadlines', () => {
  const at = new Date('2026-01-31T10:00:00Z');
  it('LGPD Art. 19 II 15 days, GDPR Art. 12(3) one month (to the end of a shorter month), the earlier governs', () => {
    const d = rightsDeadline('access', at, { jurisdictions: ['lgpd', 'gdpr'] });
    expect(d.lgpd?.toISOString()).toBe('2026-02-15T23:59:59.999Z');
    expect(d.gdpr?.toISOString()).toBe('2026-02-28T23:59:59.999Z');
    expect(d.due).toEqual(d.lgpd);
    expect(rightsDeadline('access', new Date('2028-01-31T10:00:00Z'), { jurisdictions: ['gdpr'] }).due.toISOString()).toBe(
      '2028-02-29T23:59:59.999Z',
    );
  });

  it('GDPR Art. 12(3) extension by two months; LGPD Art. 18 §5 configurable days for the rights regulation has not timed', () => {
    expect(rightsDeadline('access', at, { jurisdictions: ['gdpr'], extended: true }).due.toISOString()).toBe(
      '2026-04-30T23:59:59.999Z',
    );
    expect(rightsDeadline('correction', at, { jurisdictions: ['lgpd'], lgpdDays: { correction: 5 } }).due.toISOString()).toBe(
      '2026-02-05T23:59:59.999Z',
    );
    expect(() => rightsDeadline('nope' as never, at, { jurisdictions: ['lgpd'] })).toThrow(/unknown request kind/);
  });
});

async function desk(options: { recipients?: boolean } = {}) {
  const rows = new Map<string, Record<string, unknown>>();
  const invoices = new Map<string, Record<string, unknown>>();
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(8) });
  const consent = memoryConsentLedger(purposes);
  const notices: RecipientNotice[] = [];
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const pf = createPurposeful({
    encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
    purposes,
    schemas: [Customer, Ticket, Invoice],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    consent,
    audit,
    rights: rightsDesk({
      verify: ({ subjectId, verification }) => (verification as { code?: string })?.code === `otp-for-${subjectId}`,
      sources: {
        customer: {
          find: async (id) => (rows.has(id) ? [rows.get(id) as Record<string, unknown>] : []),
          update: async (id, row) => {
            rows.set(id, row);
          },
          origin: 'given by you when you opened your account',
        },
        invoice: {
          find: async (id) => [...invoices.values()].filter((r) => r.customerId === id),
          update: async (_id, row) => {
            invoices.set(String(row.number), row);
          },
        },
      },
      ...(options.recipients === false
        ? {}
        : {
            recipients: {
              'NF-e issuing service': (n) => {
                notices.push(n);
              },
              'Survey platform': (n) => {
                notices.push(n);
              },
            },
          }),
    }),
  });
  const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
  rows.set(sampleCustomer.id, await pf.seal(Customer, sampleCustomer, agent));
  const inv = await pf.seal(
    Invoice,
    {
      number: 'NF-1',
      customerId: sampleCustomer.id,
      taxId: sampleCustomer.cpf,
      amountCents: 100,
      issuedAt: '2026-11-28T10:00:00Z',
    },
    { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } },
  );
  invoices.set('NF-1', inv);
  await pf.open(Customer, rows.get(sampleCustomer.id), agent);
  await consent.grant({
    subject: sampleCustomer.id,
    purpose: 'support.survey',
    notice: { version: '2026-11-01', hash: '9'.repeat(64) },
    method: 'checkbox',
    collectionPoint: 'app',
  });
  return { pf, rows, invoices, audit, notices, consent };
}

const subjectId = sampleCustomer.id;
const verification = { code: `otp-for-${subjectId}` };

describe('data-subject requests', () => {
  it('GDPR Art. 12(6), LGPD Art. 18 §3: refuse an unverified requester, keep the request waiting, and log the refusal without values', async () => {
    const { pf, audit } = await desk();
    for (const v of [{ code: 'guess' }, undefined]) {
      const err = await pf.rights.request({ subjectId, kind: 'access', verification: v }).catch((e) => e);
      expect(isPurposefulError(err) && [err.code, err.status]).toEqual(['PF_IDENTITY_UNVERIFIED', 403]);
    }
    const denied = (await audit.forSubject(subjectId)).filter((e) => e.action === 'rights');
    expect(denied.map((e) => [e.decision, e.reason])).toEqual([
      ['deny', 'PF_IDENTITY_UNVERIFIED'],
      ['deny', 'PF_IDENTITY_UNVERIFIED'],
    ]);
    expect(JSON.stringify(denied)).not.toContain(subjectId);
    // kept waiting for the identity, and nothing is answered on them
    expect((await pf.rights.list()).map((r) => r.status)).toEqual(['unverified', 'unverified']);
  });

  it('LGPD Art. 19 II, GDPR Art. 12(3): track a verified request with its deadlines; extend under GDPR within the first month only', async () => {
    const { pf } = await desk();
    const r = await pf.rights.request({ subjectId, kind: 'access', verification, receivedAt: new Date('2026-11-29T12:00:00Z') });
    expect(r).toMatchObject({
      status: 'open',
      lgpdDue: '2026-12-14T23:59:59.999Z',
      gdprDue: '2026-12-29T23:59:59.999Z',
      due: '2026-12-14T23:59:59.999Z',
    });
    await expect(pf.rights.extend(r.id, 'many records', new Date('2027-01-05T00:00:00Z'))).rejects.toThrow(/first month/);
    const ext = await pf.rights.extend(r.id, 'records in several archives', new Date('2026-12-20T00:00:00Z'));
    expect(ext.gdprDue).toBe('2027-02-28T23:59:59.999Z');
    expect(ext.due).toBe('2026-12-14T23:59:59.999Z'); // LGPD still governs
    expect((await pf.rights.complete(r.id)).status).toBe('completed');
  });

  it('LGPD Art. 19 II, GDPR Art. 15: answer access with every value decrypted, grouped by category, with purposes, bases, retention, recipients, consent and consultations', async () => {
    const { pf, audit } = await desk();
    const r = await pf.rights.request({ subjectId, kind: 'access', verification });
    expect(await pf.rights.confirmation(r.id)).toMatchObject({
      processes: true,
      purposes: expect.arrayContaining(['billing.invoice']),
    });
    const doc = await pf.rights.access(r.id);
    expect(doc.format).toBe('purposeful.subject-export/1');
    const cpf = doc.data['user.government_id.national_identification_number'];
    expect(cpf?.map((i) => [i.schema, i.field, i.value])).toEqual([
      ['customer', 'cpf', sampleCustomer.cpf],
      ['invoice', 'taxId', sampleCustomer.cpf],
    ]);
    const invoicePurpose = cpf?.[1]?.purposes[0];
    expect(invoicePurpose).toMatchObject({
      purpose: 'billing.invoice',
      legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
      retention: 'P5Y',
      recipients: ['NF-e issuing service'],
    });
    expect(doc.data['user.health_and_medical']?.[0]?.value).toBe('low vision');
    expect(doc.data['user.contact.email']?.[0]?.origin).toBe('given by you when you opened your account');
    expect(doc.consent.map((e) => e.purpose)).toEqual(['support.survey']);
    expect(doc.consultations.length).toBeGreaterThan(0);
    expect(JSON.stringify(doc.consultations)).not.toContain('agent-7');
    // producing the answer is logged
    const logged = (await audit.forSubject(subjectId)).filter((e) => e.action === 'rights' && e.decision === 'allow');
    expect(logged.at(-1)?.categories).toContain('user.health_and_medical');
  });

  it('LGPD Art. 18 VII, VIII: tell whom the data is shared with, and what each consent is for, claiming no consequence the purpose does not declare', async () => {
    const { pf } = await desk();
    const sharing = await pf.rights.sharingInfo((await pf.rights.request({ subjectId, kind: 'sharing-info', verification })).id);
    expect(sharing).toEqual([
      { purpose: 'billing.invoice', recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }] },
      { purpose: 'support.survey', recipients: [{ name: 'Survey platform', role: 'processor', country: 'BR' }] },
    ]);
    const info = await pf.rights.consentInfo((await pf.rights.request({ subjectId, kind: 'consent-info', verification })).id);
    expect(info.map((i) => [i.purpose, i.status])).toEqual([
      ['support.accessibility', 'none'],
      ['support.survey', 'granted'],
    ]);
    expect(info[1]?.ifRefused).toBe('We do not ask you about your satisfaction; support and billing work as before.');
    expect(info[0] && 'ifRefused' in info[0]).toBe(false); // support.accessibility declares none: nothing is said
    expect(info[1]?.notice).toEqual({ version: '2026-11-01', url: 'https://example.com/privacy#survey' });
  });

  it('LGPD Art. 18 V, GDPR Art. 20: give portability as JSON and as CSV', async () => {
    const { pf } = await desk();
    const r = await pf.rights.request({ subjectId, kind: 'portability', verification });
    const json = JSON.parse(await pf.rights.portability(r.id, 'json'));
    expect(json.subjectId).toBe(subjectId);
    const csv = (await pf.rights.portability(r.id, 'csv')).trimEnd().split('\r\n');
    expect(csv[0]).toBe('category,schema,record,field,value,purposes,origin');
    expect(csv).toContain(
      `user.contact.email,customer,${subjectId},email,${sampleCustomer.email},support.ticket support.survey analytics.churn,given by you when you opened your account`,
    );
  });

  it('LGPD Art. 18 III, §6; GDPR Art. 16, 19: correct with a JSON Merge Patch: validated, sealed again, passed on to the recipients of the changed fields', async () => {
    const { pf, rows, notices } = await desk();
    const r = await pf.rights.request({ subjectId, kind: 'correction', verification });
    const stored = rows.get(subjectId) as Record<string, unknown>;
    await expect(pf.rights.correct(r.id, { schema: 'customer', patch: { email: 'not an e-mail' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_VALIDATION_FAILED' }),
    );
    await expect(pf.rights.correct(r.id, { schema: 'customer', patch: { id: 'other' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_CORRECTION_INVALID' }), // whose record it is: not a correction (LGPD Art. 18 III)
    );
    await expect(pf.rights.correct(r.id, { schema: 'customer', patch: { channel: 'email' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_UNDECLARED_FIELD' }),
    );
    expect(rows.get(subjectId)).toBe(stored); // nothing stored
    const result = await pf.rights.correct(r.id, {
      schema: 'customer',
      patch: { email: 'joao.novo@example.com', name: 'João Silva' },
    });
    expect([...result.changed].sort()).toEqual(['email', 'name']);
    const row = rows.get(subjectId) as Record<string, unknown>;
    expect(String(row.email)).not.toContain('joao.novo');
    const view = await pf.open(Customer, row, { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } });
    expect(view).toMatchObject({ email: 'joao.novo@example.com', name: 'João Silva' });
    // the name feeds billing.invoice, whose recipient is the NF-e service; the e-mail feeds support.survey's platform
    expect(result.notified).toEqual(['NF-e issuing service', 'Survey platform']);
    expect(notices).toEqual([
      {
        kind: 'correction',
        request: r.id,
        article: 'LGPD Art. 18 §6; GDPR Art. 19',
        subjectId,
        schema: 'customer',
        record: subjectId,
        recipient: 'NF-e issuing service',
        changes: { name: 'João Silva' },
      },
      {
        kind: 'correction',
        request: r.id,
        article: 'LGPD Art. 18 §6; GDPR Art. 19',
        subjectId,
        schema: 'customer',
        record: subjectId,
        recipient: 'Survey platform',
        changes: { email: 'joao.novo@example.com' },
      },
    ]);
  });

  it('LGPD Art. 18 §6; GDPR Art. 19: refuse a correction whose recipients have no hook, before storing anything', async () => {
    const { pf, rows } = await desk({ recipients: false });
    const r = await pf.rights.request({ subjectId, kind: 'correction', verification });
    const stored = rows.get(subjectId);
    await expect(pf.rights.correct(r.id, { schema: 'customer', patch: { name: 'Outro Nome' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RECIPIENT_HOOK_MISSING', message: expect.stringMatching(/NF-e issuing service/) }),
    );
    expect(rows.get(subjectId)).toBe(stored);
  });

  it('are off until configured', async () => {
    const pf = createPurposeful({ consent: memoryConsentLedger(purposes), ...testKeys(), purposes, schemas: [Customer] });
    expect(() => pf.rights.list()).toThrow(/rights: rightsDesk\(\{ verify, sources \}\)/);
    // the options themselves, without the desk, are refused with the way to the desk
    expect(() =>
      createPurposeful({
        consent: memoryConsentLedger(purposes),
        ...testKeys(),
        purposes,
        schemas: [Customer],
        rights: { verify: () => true, sources: {} } as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringMatching(/rightsDesk\(/) }));
    expect(() =>
      createPurposeful({
        consent: memoryConsentLedger(purposes),
        ...testKeys(),
        purposes,
        schemas: [Customer],
        rights: rightsDesk({ verify: () => true, sources: { nope: { find: async () => [] } } }),
      }),
    ).toThrow(/schema "nope"/);
  });

  it('LGPD Art. 16 I, 18 VI; GDPR Art. 17(3)(b): erase: what is erasable is shredded or removed, what the law keeps is retained with its ground and end date and still opens for the purpose that keeps it', async () => {
    const { pf, rows, invoices, audit, consent } = await desk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    const outcome = Object.fromEntries(answer.fields.map((f) => [`${f.schema}.${f.field}`, f.outcome]));
    expect(outcome).toMatchObject({
      'customer.email': 'deleted',
      'customer.accessibility': 'deleted',
      'customer.phone': 'deleted',
      'customer.cpf': 'retained',
      'customer.name': 'retained',
      'invoice.taxId': 'retained',
    });
    const taxId = answer.fields.find((f) => f.field === 'taxId');
    expect(taxId?.reason).toMatch(
      /^LGPD Art. 16 I; GDPR Art. 17\(3\)\(b\): kept under a legal obligation \(CTN Art. 195 sole paragraph: .*: billing.invoice, P5Y, until \d{4}-\d{2}-\d{2} at the latest\); it opens for no other purpose$/,
    );
    expect(taxId?.keptFor).toEqual([
      {
        purpose: 'billing.invoice',
        ground: 'legal_obligation',
        article: 'LGPD Art. 16 I; GDPR Art. 17(3)(b)',
        until: taxId?.until,
      },
    ]);
    expect(answer.receipt).toMatch(/^ey/);
    expect(answer.retainedUntil[0]?.purposes).toContain('billing.invoice');
    const row = rows.get(subjectId) as Record<string, unknown>;
    expect(row.phone).toBeUndefined(); // a field in clear is removed from the row
    // nothing erasable decrypts; what the law keeps still does
    const support = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    await expect(pf.open(Customer, row, support)).rejects.toThrow(expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }));
    const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
    await expect(pf.open(Invoice, invoices.get('NF-1'), billing)).resolves.toMatchObject({ taxId: sampleCustomer.cpf });
    // the access log still verifies, and the consent history is kept as evidence
    expect((await audit.verify()).ok).toBe(true);
    expect((await consent.history(subjectId)).length).toBeGreaterThan(0);
    const shred = (await audit.forSubject(subjectId)).find((e) => e.action === 'shred');
    expect(shred?.decision).toBe('allow');
  });

  it('revoke: consent-based processing stops at once, and what only that consent justified is removed', async () => {
    const { pf, rows, consent } = await desk();
    await consent.grant({
      subject: subjectId,
      purpose: 'support.accessibility',
      notice: { version: '2026-11-01', hash: '9'.repeat(64) },
      method: 'form',
      collectionPoint: 'app',
      highlighted: true,
    });
    const ctx = { purpose: 'support.accessibility', actor: { id: 'agent-7', roles: ['support'], mfa: true } } as const;
    await expect(pf.open(Customer, rows.get(subjectId), ctx)).resolves.toMatchObject({ accessibility: 'low vision' });
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification });
    const answer = await pf.rights.revoke(r.id, 'support.accessibility');
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['accessibility', 'deleted']]);
    expect((rows.get(subjectId) as Record<string, unknown>).accessibility).toBeUndefined();
    await expect(pf.open(Customer, rows.get(subjectId), ctx)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_CONSENT_REQUIRED' }),
    );
    await expect(pf.rights.revoke(r.id, 'support.ticket')).rejects.toThrow(/does not rest on consent/);
  });
});
