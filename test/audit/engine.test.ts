import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
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
  generateKeyring,
  isPurposefulError,
  memoryAccessLogSink,
  memoryConsentLedger,
  memoryKeyStore,
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
    'security.access_log': accessLogPurpose({
      retention: 'P5Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      roles: ['dpo'],
    }),
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

  it('LGPD Art. 37; GDPR Art. 30: the access log appears in the data map with its purpose, the basis the controller chose and retention', () => {
    const map = dataMap({ purposes, schemas: [Customer, accessLogSchema(purposes)] });
    const purpose = map.purposes.find((p) => p.id === 'security.access_log');
    expect(purpose).toMatchObject({
      legalBasis: { gdpr: 'legitimate_interests', lgpd: 'legitimate_interest' },
      retention: { duration: 'P5Y' },
      subjectCategories: ['employee'],
      roles: ['dpo'],
      mfa: 'always',
    });
    expect(purpose?.dataCategories).toContain('user.unique_id.pseudonymous');
  });
});

describe('the access log under hostile and failing conditions', () => {
  it('refuses a string no sink can store (NUL, a lone surrogate) at once, and keeps logging the rest', async () => {
    const sink = memoryAccessLogSink();
    const { audit, pf } = setup(sink);
    await pf.outbound(Customer, record, ctx);
    for (const requestId of ['r-\uD800', 'req\u0000x']) {
      const err = await pf.outbound(Customer, record, { ...ctx, requestId }).catch((e) => e);
      expect(isPurposefulError(err) && err.code).toBe('PF_INPUT_INVALID');
    }
    await pf.outbound(Customer, record, ctx);
    await audit.flush();
    expect(sink.events.map((e) => e.seq)).toEqual([1, 2]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('logs what the actor was at the time of the call, whatever the caller changes later', async () => {
    const sink = memoryAccessLogSink();
    const { audit, pf } = setup(sink);
    const roles = ['support'];
    await pf.outbound(Customer, record, { ...ctx, actor: { id: 'agent-7', roles } });
    roles[0] = 'supervisor';
    await audit.flush();
    roles.push('admin');
    expect(sink.events[0]?.actor.roles).toEqual(['support']);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('an alert hook that throws does not fail the call, and the block still holds', async () => {
    const watch = anomalyWatch({
      thresholds: { windowMs: 60_000, subjects: 1 },
      block: true,
      onAlert: () => {
        throw new Error('pager down');
      },
    });
    const { pf } = setup(memoryAccessLogSink(), watch);
    await pf.outbound(Customer, { ...record, id: 'a' }, ctx);
    await expect(pf.outbound(Customer, { ...record, id: 'b' }, ctx)).resolves.toBeDefined();
    expect(watch.isBlocked('agent-7')).toBe(true);
  });

  it('a role with a higher limit seen after a lower one still has its limit watched', () => {
    const alerts: unknown[] = [];
    const watch = anomalyWatch({
      thresholds: { windowMs: 60_000, subjects: 3 },
      roles: { supervisor: { windowMs: 60_000, subjects: 5 }, auditor: { windowMs: 60_000 } },
      onAlert: (a) => alerts.push(a),
    });
    const rec = (roles: string[], subjectId: string) => ({
      time: new Date().toISOString(),
      action: 'open' as const,
      decision: 'allow' as const,
      actor: { id: 'lead', roles, mfa: true },
      subjectId,
      fields: [],
      categories: [],
      sensitive: false,
    });
    watch.observe(rec(['auditor'], 's0'));
    watch.observe(rec(['support'], 's1'));
    for (let i = 2; i < 1000; i++) watch.observe(rec(['supervisor'], `s${i}`));
    expect(alerts).toHaveLength(1);
  });
});

describe('shredding with an access log', () => {
  it('is refused before anything is erased when the actor is blocked or the log cannot record', async () => {
    const keyPurposes = definePurposes({
      'support.ticket': {
        description: 'Answer the customer about their support request',
        legalBasis: { lgpd: 'contract' },
        retention: 'P2Y',
      },
      'security.access_log': accessLogPurpose({ retention: 'P5Y', legalBasis: { lgpd: 'legal_obligation' } }),
    });
    const Secret = defineSchema(
      'secret',
      z.object({
        id: pd.none(z.string()),
        note: pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'], encrypt: true }),
      }),
      { purposes: keyPurposes, subject: { kind: 'customer', id: 'id' }, recordId: 'id' },
    );
    let down = false;
    const inner = memoryAccessLogSink();
    const watch = anomalyWatch({ thresholds: { windowMs: 60_000, denials: 1 }, block: true });
    const audit = createAccessLog({
      sink: {
        append: async (e) => {
          if (down) throw new Error('disk full');
          await inner.append(e);
        },
        read: (q) => inner.read(q),
      },
      subjectKey,
      watch,
    });
    const keyStore = memoryKeyStore();
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const pf = createPurposeful({
      purposes: keyPurposes,
      schemas: [Secret],
      audit,
      keys: generateKeyring(),
      keyStore,
      encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
    });
    const c = { purpose: 'support.ticket', actor: { id: 'dpo-1' } } as const;
    const row = await pf.seal(Secret, { id: 'c1', note: 'x' }, c);
    // the watch blocks dpo-2 after two refusals
    for (let i = 0; i < 2; i++)
      await pf.outbound(Secret, row, { ...c, actor: { id: 'dpo-2' }, purpose: 'nope' as never }).catch(() => {});
    await expect(pf.shred('c1', { actor: { id: 'dpo-2' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_ACTOR_BLOCKED' }),
    );
    await expect(pf.open(Secret, row, c)).resolves.toMatchObject({ note: 'x' });
    down = true;
    await pf.outbound(Secret, row, c).catch(() => {});
    await audit.flush().catch(() => {});
    await expect(pf.shred('c1', { actor: { id: 'dpo-1' } })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }),
    );
    down = false;
    await audit.flush();
    await expect(pf.open(Secret, row, c)).resolves.toMatchObject({ note: 'x' }); // nothing was erased
    await pf.shred('c1', { actor: { id: 'dpo-1' } });
    await audit.flush();
    expect(inner.events.filter((e) => e.action === 'shred').map((e) => [e.decision, e.reason, e.actor.id])).toEqual([
      ['deny', 'PF_ACTOR_BLOCKED', 'dpo-2'],
      ['allow', undefined, 'dpo-1'],
    ]);
  });
});
