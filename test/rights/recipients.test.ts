/**
 * Erasure, anonymization, blocking and revocation reach the recipients the
 * data was shared with (LGPD Art. 18 §6; GDPR Art. 19), through the same
 * hooks as corrections; a recipient of an affected purpose with no hook
 * refuses the request before anything changes, unless the controller states
 * why informing it is impossible or disproportionate.
 */
import { describe, expect, it } from 'vitest';
import {
  createPurposeful,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  rightsDesk,
  type SubjectKeyStore,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';
import { Client, client, ctx, purposes, restrictedDesk, subjectId, verification } from './restricted-desk.js';

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: 'no error', message: '' };
}

describe('LGPD Art. 18 §6; GDPR Art. 19: changes reach the recipients', () => {
  it('LGPD Art. 18 §6; GDPR Art. 19: an erasure is passed on, as an elimination, to every recipient of a purpose whose data left, naming fields and never values', async () => {
    const { pf, notices } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    expect(answer.notified).toEqual(['Helpdesk SaaS', 'Survey Tool']);
    expect(answer.notInformed).toEqual([]);
    expect(answer.failed).toEqual([]);
    // email and score left; name, cpf and id stay for billing, complaint for the defence, and open for no other
    // purpose: the recipients of support and the survey lose them too and are told; the NF-e service, whose purpose
    // keeps what it received, is not
    const where = { schema: 'client', record: subjectId };
    expect(notices).toEqual([
      {
        kind: 'elimination',
        request: r.id,
        subjectId,
        recipient: 'Helpdesk SaaS',
        article: 'LGPD Art. 18 §6; GDPR Art. 19',
        fields: ['id', 'name', 'cpf', 'complaint', 'email'].map((field) => ({ ...where, field })),
      },
      {
        kind: 'elimination',
        request: r.id,
        subjectId,
        recipient: 'Survey Tool',
        article: 'LGPD Art. 18 §6; GDPR Art. 19',
        fields: ['id', 'email', 'score'].map((field) => ({ ...where, field })),
      },
    ]);
    expect(JSON.stringify(notices)).not.toMatch(/joana|529\.982|March/);
  });

  it('LGPD Art. 18 §6; GDPR Art. 19: reproduction: an erasure that finds no row still refuses, before shredding, a recipient of encrypted data with no hook', async () => {
    const { pf, clients, sealed } = await restrictedDesk({ recipients: {} });
    clients.rows.clear();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await expect(pf.rights.erase(r.id)).rejects.toThrow(expect.objectContaining({ code: 'PF_RECIPIENT_HOOK_MISSING' }));
    // nothing was shredded
    await expect(pf.open(Client, sealed, ctx.support)).resolves.toMatchObject({ email: client.email });
  });

  it('LGPD Art. 18 §6; GDPR Art. 19: an erasure that finds no row tells the recipients, at the field level, what the shredding made unreadable', async () => {
    const { pf, clients, notices } = await restrictedDesk();
    clients.rows.clear();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    expect(answer.notified).toEqual(['Helpdesk SaaS', 'Survey Tool']);
    expect(
      notices.map((n) => [n.recipient, 'fields' in n ? n.fields.map((f) => `${f.schema}.${f.field}:${f.record ?? '-'}`) : []]),
    ).toEqual([
      ['Helpdesk SaaS', ['client.cpf:-', 'client.email:-', 'client.complaint:-']],
      ['Survey Tool', ['client.email:-']],
    ]);
  });

  it('LGPD Art. 18 §6; GDPR Art. 19: reproduction: an erasure whose key store fails after the rows changed is finished by the retry, with every notice', async () => {
    const inner = memoryKeyStore();
    let fail = false;
    const keyStore: SubjectKeyStore = {
      ...inner,
      keys: (s) => inner.keys(s),
      create: (s, k) => inner.create(s, k),
      update: async (s, k) => {
        if (fail) {
          fail = false;
          throw new Error('store down at joana.prado@example.com');
        }
        return inner.update(s, k);
      },
    } as SubjectKeyStore;
    const { pf, notices, clients } = await restrictedDesk({ keyStore });
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    fail = true;
    const err = await pf.rights.erase(r.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PF_STORE_UNAVAILABLE' });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toMatch(/joana/);
    expect(clients.rows.get(subjectId)?.score).toBeUndefined(); // already removed by the first attempt
    expect(notices).toEqual([]);
    const answer = await pf.rights.erase(r.id);
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual(expect.arrayContaining([['score', 'deleted']]));
    const survey = notices.find((n) => n.recipient === 'Survey Tool');
    expect(survey && 'fields' in survey ? survey.fields.map((f) => f.field) : []).toEqual(['id', 'email', 'score']);
    expect((await pf.rights.get(r.id))?.pendingErasure).toBeUndefined();
  });

  it('LGPD Art. 18 §6: an erasure is refused before anything is shredded or removed when a recipient of an affected purpose has no hook', async () => {
    const { pf, record, clients, keyStore, sealed } = await restrictedDesk({
      recipients: { 'Helpdesk SaaS': () => {}, 'NF-e issuing service': () => {} },
    });
    void record;
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const refused = await codeOf(pf.rights.erase(r.id));
    expect(refused.code).toBe('PF_RECIPIENT_HOOK_MISSING');
    expect(refused.message).toMatch(/Survey Tool/);
    expect(refused.message).toMatch(/LGPD Art\. 18 §6; GDPR Art\. 19/);
    // nothing happened: the row is as it was, no key is erased, the email still opens
    expect(clients.rows.get(subjectId)).toBe(sealed);
    expect((await keyStore.keys(subjectId)).some((k) => k.erasedAt || k.retainUntil)).toBe(false);
    await expect(pf.open(Client, sealed, ctx.support)).resolves.toMatchObject({ email: client.email });
  });

  it('LGPD Art. 18 §6; GDPR Art. 19: a recipient that cannot be informed is named with the stated reason, in the answer and in the request’s access-log event', async () => {
    const { pf, audit, notices } = await restrictedDesk({
      recipients: {
        'Helpdesk SaaS': (n) => {
          notices.push(n);
        },
        'Survey Tool': { unreachable: 'the survey vendor ended its service in 2025 and deleted every answer' },
      },
    });
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id, {
      unreachable: { 'Helpdesk SaaS': 'decommissioned in 2024; its data was destroyed under contract' },
    });
    expect(answer.notified).toEqual([]);
    expect(answer.notInformed).toEqual([
      { recipient: 'Helpdesk SaaS', reason: 'decommissioned in 2024; its data was destroyed under contract' },
      { recipient: 'Survey Tool', reason: 'the survey vendor ended its service in 2025 and deleted every answer' },
    ]);
    expect(notices).toEqual([]); // the request's reason overrides the hook
    const event = (await audit.forSubject(subjectId)).find(
      (e) =>
        e.action === 'rights' && e.requestId === r.id && e.decision === 'allow' && e.actor.id === 'subject:erasure' && e.reason,
    );
    expect(event?.reason).toContain('not informed (LGPD Art. 18 §6; GDPR Art. 19)');
    expect(event?.reason).toContain('Survey Tool: the survey vendor ended its service in 2025');
    expect(event?.reason).toContain('Helpdesk SaaS: decommissioned in 2024');
    expect(JSON.stringify(event)).not.toContain(subjectId);
  });

  it('LGPD Art. 18 §6: a reason that is empty, too long or holds personal data is refused, and so is a recipient no purpose declares', async () => {
    for (const reason of ['', '   ', 'x'.repeat(501), 'write to joana.prado@example.com instead']) {
      expect(() =>
        createPurposeful({
          consent: memoryConsentLedger(purposes),
          ...testKeys(),
          purposes,
          schemas: [Client],
          rights: rightsDesk({ verify: () => true, sources: {}, recipients: { 'Survey Tool': { unreachable: reason } } }),
        }),
      ).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    }
    expect(() =>
      createPurposeful({
        consent: memoryConsentLedger(purposes),
        ...testKeys(),
        purposes,
        schemas: [Client],
        rights: rightsDesk({ verify: () => true, sources: {}, recipients: { 'Survey Tool': 'nope' as never } }),
      }),
    ).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    const { pf } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const withCpf = await codeOf(
      pf.rights.erase(r.id, { unreachable: { 'Survey Tool': 'their contact is CPF 529.982.247-25' } }),
    );
    expect(withCpf.code).toBe('PF_INPUT_INVALID');
    expect(withCpf.message).toMatch(/cpf/);
    expect(withCpf.message).not.toContain('529.982');
    const unknown = await codeOf(pf.rights.erase(r.id, { unreachable: { 'joana.prado@example.com': 'gone' } }));
    expect(unknown.code).toBe('PF_INPUT_INVALID');
    expect(unknown.message).not.toContain('joana');
  });

  it('GDPR Art. 19: a hook that throws does not undo the erasure; the answer lists it with its notice, and the log says so', async () => {
    const { pf, audit } = await restrictedDesk({
      recipients: {
        'Helpdesk SaaS': () => {
          throw new Error('HTTP 503 from helpdesk for joana.prado@example.com');
        },
        'Survey Tool': () => {},
      },
    });
    const r = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    expect(answer.receipt).toMatch(/^ey/);
    expect(answer.notified).toEqual(['Survey Tool']);
    expect(answer.failed.map((f) => [f.recipient, f.notice.kind])).toEqual([['Helpdesk SaaS', 'elimination']]);
    const logged = (await audit.forSubject(subjectId)).filter((e) => e.requestId === r.id).map((e) => e.reason ?? '');
    expect(logged.join(' ')).toContain('hook failed: Helpdesk SaaS');
    expect(logged.join(' ')).not.toContain('joana');
  });

  it('LGPD Art. 8 §5, 18 IX, §6; GDPR Art. 7(3): a revocation tells the purpose’s recipients it was revoked, and the recipients of what it removed of the elimination', async () => {
    const { pf, notices, clients } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification });
    const answer = await pf.rights.revoke(r.id, 'support.survey');
    // score only served the survey: it goes; email also serves the ticket (a contract): it stays
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['score', 'deleted']]);
    expect(clients.rows.get(subjectId)?.score).toBeUndefined();
    expect(answer.notified).toEqual(['Survey Tool']);
    expect(notices.map((n) => [n.recipient, n.kind, n.kind === 'correction' ? undefined : n.fields.map((f) => f.field)])).toEqual(
      [
        ['Survey Tool', 'revocation', []],
        ['Survey Tool', 'elimination', ['score']],
      ],
    );
    expect(notices[0]).toMatchObject({ purpose: 'support.survey', request: r.id });
  });

  it('LGPD Art. 18 §6: a revocation whose purpose’s recipient has no hook is refused before the consent is withdrawn', async () => {
    const { pf, consent, clients, sealed } = await restrictedDesk({ recipients: { 'Helpdesk SaaS': () => {} } });
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification });
    expect((await codeOf(pf.rights.revoke(r.id, 'support.survey'))).code).toBe('PF_RECIPIENT_HOOK_MISSING');
    expect((await consent.status(subjectId, ['support.survey'])).get('support.survey')?.status).toBe('granted');
    expect(clients.rows.get(subjectId)).toBe(sealed);
  });

  it('LGPD Art. 18 III, §6: a correction takes the same exit, and its notice says what kind it is', async () => {
    const { pf, notices } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'correction', verification });
    const result = await pf.rights.correct(
      r.id,
      { schema: 'client', patch: { name: 'Joana Prado Lima' } },
      { unreachable: { 'NF-e issuing service': 'the invoices already issued cannot be amended, only cancelled by law' } },
    );
    expect(result.changed).toEqual(['name']);
    expect(result.notified).toEqual(['Helpdesk SaaS']);
    expect(result.notInformed.map((x) => x.recipient)).toEqual(['NF-e issuing service']);
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'correction', recipient: 'Helpdesk SaaS', changes: { name: 'Joana Prado Lima' } }),
    ]);
  });

  it('LGPD Art. 18 §6: with no recipient on any purpose whose data leaves, nothing needs a hook', async () => {
    const { pf } = await restrictedDesk({ recipients: {}, keyStore: memoryKeyStore() });
    const r = await pf.rights.request({ subjectId, kind: 'consent-data-erasure', verification });
    // score serves only the survey, whose recipient has no hook: refused
    expect((await codeOf(pf.rights.eraseConsentData(r.id))).code).toBe('PF_RECIPIENT_HOOK_MISSING');
    const ok = await pf.rights.eraseConsentData(r.id, {
      unreachable: { 'Survey Tool': 'the survey tool keeps no copy of the answers' },
    });
    expect(ok.fields.map((f) => f.field)).toEqual(['score']);
  });
});
