import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AccessLogSink,
  accessLogPurpose,
  accessLogSchema,
  anomalyWatch,
  createAccessLog,
  createPurposeful,
  dataMap,
  definePurposes,
  defineSchema,
  isPurposefulError,
  memoryAccessLogSink,
  memoryConsentLedger,
  pd,
} from '../../src/index.js';

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      roles: ['support'],
    },
    'support.survey': {
      description: 'Ask for satisfaction feedback after a ticket closes',
      legalBasis: { lgpd: 'consent', gdpr: 'consent' },
      notice: { version: '2026-11-01' },
      retention: 'P6M',
    },
    'security.access_log': accessLogPurpose({ retention: 'P5Y', roles: ['dpo'] }),
  },
  { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } } },
);

const Customer = defineSchema(
  'customer',
  z.object({
    id: pd.none(z.string()),
    name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
    email: pd(z.email(), {
      category: 'user.contact.email',
      purposes: { 'support.ticket': 'masked', 'support.survey': 'clear' },
      mask: 'email',
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id' } },
);

const subjectKey = new Uint8Array(32).fill(3);
const agent = { id: 'agent-7', roles: ['support'], mfa: false };
const ctx = { purpose: 'support.ticket', actor: agent } as const;
const record = { id: 'cust-1', name: 'Ana Souza', email: 'ana@example.com' };

function setup(sink: AccessLogSink = memoryAccessLogSink(), watch?: ReturnType<typeof anomalyWatch>) {
  const audit = createAccessLog({ sink, subjectKey, ...(watch ? { watch } : {}) });
  const pf = createPurposeful({ purposes, schemas: [Customer], audit, consent: memoryConsentLedger(purposes) });
  return { audit, pf };
}

describe('the engine records every decision', () => {
  it('inbound, outbound and open: who, whose (keyed), which fields and categories, why and on which basis', async () => {
    const sink = memoryAccessLogSink();
    const { audit, pf } = setup(sink);
    await pf.inbound(Customer, record, { ...ctx, requestId: 'req-1' });
    await pf.outbound(Customer, record, ctx);
    await pf.open(Customer, record, ctx);
    await audit.flush();
    expect(sink.events.map((e) => [e.action, e.decision])).toEqual([
      ['inbound', 'allow'],
      ['outbound', 'allow'],
      ['open', 'allow'],
    ]);
    expect(sink.events[0]).toMatchObject({
      actor: agent,
      subject: audit.subjectRef('cust-1'),
      schema: 'customer',
      fields: ['name', 'email'],
      categories: ['user.contact.email', 'user.name'],
      sensitive: false,
      purpose: 'support.ticket',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      requestId: 'req-1',
    });
    const json = JSON.stringify(sink.events);
    for (const value of ['Ana', 'ana@example.com', 'cust-1']) expect(json).not.toContain(value);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('denials with their code: a role not allowed, consent missing, invalid input; authorize logs only refusals', async () => {
    const sink = memoryAccessLogSink();
    const { audit, pf } = setup(sink);
    await expect(pf.outbound(Customer, record, { ...ctx, actor: { id: 'intruder', roles: ['sales'] } })).rejects.toThrow();
    await expect(pf.outbound(Customer, record, { purpose: 'support.survey', actor: agent })).rejects.toThrow();
    await expect(pf.inbound(Customer, { ...record, email: 'not an e-mail' }, ctx)).rejects.toThrow();
    await pf.authorize(Customer, ctx);
    await expect(pf.authorize(Customer, { ...ctx, actor: { id: 'intruder', roles: [] } })).rejects.toThrow();
    await audit.flush();
    expect(sink.events.map((e) => [e.action, e.decision, e.reason, e.actor.id])).toEqual([
      ['outbound', 'deny', 'PF_ROLE_NOT_ALLOWED', 'intruder'],
      ['outbound', 'deny', 'PF_CONSENT_REQUIRED', 'agent-7'],
      ['inbound', 'deny', 'PF_VALIDATION_FAILED', 'agent-7'],
      ['authorize', 'deny', 'PF_ROLE_NOT_ALLOWED', 'intruder'],
    ]);
    expect(JSON.stringify(sink.events)).not.toContain('not an e-mail');
  });

  it('fails closed: when the log cannot write, the next call is refused with PF_AUDIT_UNAVAILABLE', async () => {
    let down = false;
    const inner = memoryAccessLogSink();
    const { audit, pf } = setup({
      append: async (e) => {
        if (down) throw new Error('disk full');
        await inner.append(e);
      },
      read: (q) => inner.read(q),
    });
    await pf.outbound(Customer, record, ctx);
    down = true;
    await pf.outbound(Customer, record, ctx); // queued; its write fails
    await audit.flush().catch(() => {});
    const err = await pf.outbound(Customer, record, ctx).catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.status]).toEqual(['PF_AUDIT_UNAVAILABLE', 503]);
    down = false;
    await audit.flush();
    await expect(pf.outbound(Customer, record, ctx)).resolves.toBeDefined();
  });

  it('names the consent event that allowed a consent-based call', async () => {
    const sink = memoryAccessLogSink();
    const ledger = memoryConsentLedger(purposes);
    const audit = createAccessLog({ sink, subjectKey });
    const pf = createPurposeful({ purposes, schemas: [Customer], audit, consent: ledger });
    const grant = await ledger.grant({
      subject: 'cust-1',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash: '9'.repeat(64) },
      method: 'checkbox',
      collectionPoint: 'app',
    });
    await pf.outbound(Customer, record, { purpose: 'support.survey', actor: agent });
    await pf.outbound(Customer, record, ctx);
    await audit.flush();
    expect(sink.events.map((e) => e.consentReceipt)).toEqual([grant.id, undefined]);
  });

  it('a blocked actor is refused before any data is read, and the refusal is logged', async () => {
    const sink = memoryAccessLogSink();
    const alerts: unknown[] = [];
    const watch = anomalyWatch({ thresholds: { windowMs: 60_000, subjects: 2 }, block: true, onAlert: (a) => alerts.push(a) });
    const { audit, pf } = setup(sink, watch);
    for (let i = 0; i < 3; i++) await pf.outbound(Customer, { ...record, id: `cust-${i}` }, ctx);
    expect(alerts).toHaveLength(1);
    const err = await pf.authorize(Customer, ctx).catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.status]).toEqual(['PF_ACTOR_BLOCKED', 403]);
    await expect(pf.open(Customer, record, ctx)).rejects.toThrow(expect.objectContaining({ code: 'PF_ACTOR_BLOCKED' }));
    watch.clear('agent-7');
    await expect(pf.open(Customer, record, ctx)).resolves.toBeDefined();
    await audit.flush();
    expect(sink.events.filter((e) => e.reason === 'PF_ACTOR_BLOCKED')).toHaveLength(2);
  });

  it('never writes a value it was given, whatever the value (property)', async () => {
    const sink = memoryAccessLogSink();
    const { audit, pf } = setup(sink);
    // any text, behind a marker no event could hold by chance
    const value = fc.string({ maxLength: 30 }).map((v) => `Qz~${v}`);
    await fc.assert(
      fc.asyncProperty(value, value, value, async (id, name, email) => {
        sink.events.length = 0;
        await pf.outbound(Customer, { id, name, email }, ctx).catch(() => {});
        await pf.inbound(Customer, { id, name, email }, ctx).catch(() => {});
        await audit.flush();
        const json = JSON.stringify(sink.events);
        for (const v of [id, name, email]) expect(json).not.toContain(JSON.stringify(v).slice(1, -1));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an access log whose purpose the registry does not declare', () => {
    const bare = definePurposes({
      'support.ticket': {
        description: 'Answer the customer about their support request',
        legalBasis: { lgpd: 'contract' },
        retention: 'P1Y',
      },
    });
    const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey });
    expect(() => createPurposeful({ purposes: bare, schemas: [], audit })).toThrow(/security.access_log/);
    expect(() => createPurposeful({ purposes, schemas: [Customer], audit: {} as never })).toThrow(/access log/);
  });

  it('the access log appears in the data map with its purpose, basis and retention', () => {
    const map = dataMap({ purposes, schemas: [Customer, accessLogSchema(purposes)] });
    const purpose = map.purposes.find((p) => p.id === 'security.access_log');
    expect(purpose).toMatchObject({
      legalBasis: { gdpr: 'legal_obligation', lgpd: 'legal_obligation' },
      retention: { duration: 'P5Y' },
      subjectCategories: ['employee'],
      roles: ['dpo'],
      mfa: 'always',
    });
    expect(purpose?.dataCategories).toContain('user.unique_id.pseudonymous');
  });
});
