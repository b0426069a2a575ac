import { describe, expect, it } from 'vitest';
import { isPurposefulError, memoryObjectionStore, type ObjectionStore } from '../../src/index.js';
import { Customer, code, customer, desk, otherId, subjectId, Visit } from './answers-desk.js';

const analyst = { id: 'analyst-1' };
const churn = { purpose: 'analytics.churn', actor: analyst } as const;

describe('opposition (LGPD Art. 18 §2; GDPR Art. 21)', () => {
  it('GDPR Art. 21(1): an objection to a legitimate-interest purpose stops it for the subject at once, and only for them', async () => {
    const { pf, audit } = desk();
    await expect(pf.outbound(Customer, customer, churn)).resolves.toMatchObject({ latePayments: 2 });
    const r = await pf.rights.request({
      subjectId,
      kind: 'opposition',
      verification: code,
      receivedAt: new Date('2026-11-02T12:00:00Z'),
    });
    expect([r.kind, r.lgpdDue, r.gdprDue]).toEqual(['opposition', '2026-11-17T23:59:59.999Z', '2026-12-02T23:59:59.999Z']);
    const objection = await pf.rights.oppose(r.id, 'analytics.churn', { grounds: 'I do not want my use measured' });
    expect(objection).toMatchObject({
      request: r.id,
      subjectId,
      purpose: 'analytics.churn',
      status: 'in_force',
      absolute: false,
      grounds: 'I do not want my use measured',
    });
    // every way in is refused for this subject and purpose
    const refused = expect.objectContaining({ code: 'PF_OBJECTED', purpose: 'analytics.churn' });
    await expect(pf.outbound(Customer, customer, churn)).rejects.toThrow(refused);
    await expect(pf.authorize(Customer, { ...churn, subjectId })).rejects.toThrow(refused);
    await expect(pf.inbound(Customer, { id: subjectId, latePayments: 3 }, churn)).rejects.toThrow(refused);
    const err = await pf.outbound(Customer, customer, churn).catch((e) => e);
    expect(err.article).toBe('LGPD Art. 18 §2; GDPR Art. 21');
    expect(err.status).toBe(403);
    expect(JSON.stringify(err)).not.toContain(subjectId);
    // another subject, and the subject's other purposes, go on
    await expect(pf.outbound(Customer, { ...customer, id: otherId }, churn)).resolves.toBeDefined();
    await expect(pf.outbound(Customer, customer, { purpose: 'support.ticket', actor: analyst })).resolves.toBeDefined();
    // a record that names no subject cannot be told apart from the objector's: refused while an objection is in force
    await expect(pf.outbound(Visit, { page: '/pricing' }, churn)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_SUBJECT_MISSING' }),
    );
    await expect(pf.outbound(Visit, { page: '/pricing' }, { ...churn, subjectId: otherId })).resolves.toBeDefined();
    // the opposition is logged, without values
    const logged = (await audit.forSubject(subjectId)).filter((e) => e.actor.id === 'subject:opposition');
    expect(logged.map((e) => e.decision)).toEqual(['allow', 'allow']);
    expect(await pf.rights.objections(subjectId)).toEqual([objection]);
  });

  it('GDPR Art. 21(1): the controller may dismiss it with compelling legitimate grounds, told to the subject; processing resumes', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    await pf.rights.oppose(r.id, 'analytics.churn');
    await expect(pf.rights.dismissOpposition(r.id, '  ')).rejects.toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
    const at = new Date('2026-11-05T12:00:00Z');
    const dismissed = await pf.rights.dismissOpposition(r.id, 'needed to detect fraud on the account', at);
    expect(dismissed).toMatchObject({
      status: 'dismissed',
      dismissal: { grounds: 'needed to detect fraud on the account', at: at.toISOString() },
    });
    await expect(pf.outbound(Customer, customer, churn)).resolves.toBeDefined();
    await expect(pf.rights.dismissOpposition(r.id, 'again')).rejects.toThrow(/already dismissed/);
  });

  it('GDPR Art. 21(2)-(3): an objection to direct marketing is absolute: it cannot be dismissed', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    const o = await pf.rights.oppose(r.id, 'marketing.upgrades');
    expect(o.absolute).toBe(true);
    expect(o.article).toBe('LGPD Art. 18 §2; GDPR Art. 21(2), 21(3)');
    const err = await pf.rights.dismissOpposition(r.id, 'we like selling').catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.article]).toEqual(['PF_INPUT_INVALID', 'GDPR Art. 21(3)']);
    await expect(pf.outbound(Customer, customer, { purpose: 'marketing.upgrades', actor: analyst })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OBJECTED' }),
    );
  });

  it('LGPD Art. 18 IX; GDPR Art. 7(3): a purpose that rests on consent is not opposed but revoked', async () => {
    const { pf } = desk();
    const r = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    await expect(pf.rights.oppose(r.id, 'support.survey')).rejects.toThrow(/rests on consent: withdraw it with a revocation/);
  });

  it('GDPR Art. 21(1) covers Art. 6(1)(e) and (f) only; LGPD Art. 18 §2 covers every basis other than consent', async () => {
    const gdprOnly = desk({}, { jurisdictions: ['gdpr'] }).pf;
    const g = await gdprOnly.rights.request({ subjectId, kind: 'opposition', verification: code });
    const err = await gdprOnly.rights.oppose(g.id, 'billing.invoice').catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.article]).toEqual(['PF_INPUT_INVALID', 'GDPR Art. 21(1)']);
    // under the LGPD the subject may oppose it, alleging non-compliance: stopped until the controller decides
    const { pf } = desk();
    const l = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    const o = await pf.rights.oppose(l.id, 'billing.invoice', { grounds: 'you keep more than the tax law asks' });
    expect([o.status, o.article]).toEqual(['in_force', 'LGPD Art. 18 §2']);
    await expect(pf.outbound(Customer, customer, { purpose: 'billing.invoice', actor: analyst })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OBJECTED' }),
    );
    await pf.rights.dismissOpposition(l.id, 'the invoice data is what CTN Art. 195 requires, and no more');
    await expect(pf.outbound(Customer, customer, { purpose: 'billing.invoice', actor: analyst })).resolves.toBeDefined();
  });

  it('LGPD Art. 18 §2: an opposition needs a verified opposition request and a declared purpose, once per request', async () => {
    const { pf } = desk();
    const access = await pf.rights.request({ subjectId, kind: 'access', verification: code });
    await expect(pf.rights.oppose(access.id, 'analytics.churn')).rejects.toThrow(/is a access request/);
    const r = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    await expect(pf.rights.oppose(r.id, 'nobody.declared')).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID' }),
    );
    await pf.rights.oppose(r.id, 'analytics.churn');
    await expect(pf.rights.oppose(r.id, 'marketing.upgrades')).rejects.toThrow(/already records an objection/);
    const pending = await pf.rights.request({ subjectId, kind: 'opposition', verification: {} }).catch((e) => e);
    await expect(pf.rights.oppose(pending.request, 'analytics.churn')).rejects.toThrow(
      expect.objectContaining({ code: 'PF_IDENTITY_UNVERIFIED' }),
    );
  });

  it('LGPD Art. 18 §2: objections live in a store of yours; one that cannot answer refuses the processing (fail closed)', async () => {
    const memory = memoryObjectionStore();
    let down = false;
    const store: ObjectionStore = {
      put: (o) => memory.put(o),
      get: (id) => memory.get(id),
      list: (id) => memory.list(id),
      stops: async (purpose, subject) => {
        if (down) throw new Error('connection refused');
        return memory.stops(purpose, subject);
      },
    };
    const { pf } = desk({ objections: store });
    await expect(pf.outbound(Customer, customer, churn)).resolves.toBeDefined();
    down = true;
    await expect(pf.outbound(Customer, customer, churn)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_STORE_UNAVAILABLE' }),
    );
    expect(() => desk({ objections: {} as never })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
  });
});

describe('opposition on every way in (LGPD Art. 18 §2; GDPR Art. 21)', () => {
  it('LGPD Art. 18 §2; GDPR Art. 21: an objection stops seal and sealMany for the subject: no new data is stored for the purpose', async () => {
    const { Client, client, ctx, restrictedDesk, subjectId: clientId, verification } = await import('./restricted-desk.js');
    const { pf } = await restrictedDesk();
    await expect(pf.seal(Client, client, ctx.support)).resolves.toBeDefined();
    const r = await pf.rights.request({ subjectId: clientId, kind: 'opposition', verification });
    await pf.rights.oppose(r.id, 'support.ticket');
    const refused = expect.objectContaining({
      code: 'PF_OBJECTED',
      purpose: 'support.ticket',
      article: 'LGPD Art. 18 §2; GDPR Art. 21',
    });
    await expect(pf.seal(Client, client, ctx.support)).rejects.toThrow(refused);
    await expect(pf.sealMany(Client, [client], ctx.support)).rejects.toThrow(refused);
    // the subject's other purposes, and other subjects, are still sealed
    await expect(pf.seal(Client, client, ctx.billing)).resolves.toBeDefined();
    const other = { ...client, id: '3f1c2b7a-0000-4000-8000-0000000000ff' };
    await expect(pf.seal(Client, other, ctx.support)).resolves.toBeDefined();
  });

  it('LGPD Art. 18 §2; GDPR Art. 21: authorize without a subject is refused while an objection is in force, unless its records name their subject', async () => {
    const { pf } = desk();
    await expect(pf.authorize(Visit, churn)).resolves.toBeUndefined();
    const r = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    await pf.rights.oppose(r.id, 'analytics.churn');
    // a visit names no subject: no request for it can be told apart from the objector's, so it stops before any read
    const err = await pf.authorize(Visit, churn).catch((e) => e);
    expect(isPurposefulError(err) && [err.code, err.purpose, err.article]).toEqual([
      'PF_SUBJECT_MISSING',
      'analytics.churn',
      'LGPD Art. 18 §2; GDPR Art. 21',
    ]);
    expect(JSON.stringify(err)).not.toContain(subjectId);
    // naming the subject decides: another subject goes on, the objector is refused
    await expect(pf.authorize(Visit, { ...churn, subjectId: otherId })).resolves.toBeUndefined();
    await expect(pf.authorize(Visit, { ...churn, subjectId })).rejects.toThrow(expect.objectContaining({ code: 'PF_OBJECTED' }));
    await expect(pf.authorize(Customer, { ...churn, subjectId })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OBJECTED' }),
    );
    // a customer record names its subject: the check waits for the record, so other customers are still served
    await expect(pf.authorize(Customer, churn)).resolves.toBeUndefined();
    await expect(pf.open(Customer, customer, churn)).rejects.toThrow(expect.objectContaining({ code: 'PF_OBJECTED' }));
    await expect(pf.open(Customer, { ...customer, id: otherId }, churn)).resolves.toBeDefined();
    // other purposes are not touched
    await expect(pf.authorize(Visit, { purpose: 'support.ticket', actor: analyst })).resolves.toBeUndefined();
    // once dismissed, nothing stops it
    await pf.rights.dismissOpposition(r.id, 'needed to detect fraud on the account');
    await expect(pf.authorize(Visit, churn)).resolves.toBeUndefined();
  });

  it('LGPD Art. 18 §2: the memory store counts the objections in force per purpose, through replacements and dismissals', async () => {
    const store = memoryObjectionStore();
    const objection = (request: string, subject: string, status: 'in_force' | 'dismissed' = 'in_force') => ({
      request,
      subjectId: subject,
      purpose: 'analytics.churn',
      at: '2026-11-02T12:00:00.000Z',
      status,
      absolute: false,
      article: 'LGPD Art. 18 §2',
    });
    expect(store.stops('analytics.churn', undefined)).toBe(false);
    await store.put(objection('rq-1', 'a'));
    await store.put(objection('rq-1', 'a')); // the same objection again replaces it: still one
    await store.put(objection('rq-2', 'b'));
    expect([
      store.stops('analytics.churn', undefined),
      store.stops('analytics.churn', 'a'),
      store.stops('other', undefined),
    ]).toEqual([true, true, false]);
    await store.put(objection('rq-1', 'a', 'dismissed'));
    expect([store.stops('analytics.churn', undefined), store.stops('analytics.churn', 'a')]).toEqual([true, false]);
    await store.put(objection('rq-2', 'b', 'dismissed'));
    await store.put(objection('rq-2', 'b', 'dismissed'));
    expect(store.stops('analytics.churn', undefined)).toBe(false);
    await store.put(objection('rq-3', 'a'));
    expect(store.stops('analytics.churn', undefined)).toBe(true);
  });

  it('LGPD Art. 18 §2, 20; GDPR Art. 21, 22: a purpose the request names but nobody declared is not echoed in the refusal', async () => {
    const { pf } = desk();
    const o = await pf.rights.request({ subjectId, kind: 'opposition', verification: code });
    const v = await pf.rights.request({ subjectId, kind: 'review', verification: code });
    const name = 'nobody.declared<script>';
    for (const attempt of [
      () => pf.rights.oppose(o.id, name),
      () => pf.rights.review(v.id, { purpose: name, reference: 'decision-1', statement: 'please review' }),
    ]) {
      const err = await attempt().catch((e) => e);
      expect(isPurposefulError(err) && err.code).toBe('PF_INPUT_INVALID');
      expect(JSON.stringify(err)).not.toContain('nobody.declared');
      expect(err.message).not.toContain('nobody.declared');
    }
  });
});
