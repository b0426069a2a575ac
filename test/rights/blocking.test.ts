/**
 * Blocking (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18): processing of the data is
 * suspended and the data kept, until the blocking is lifted; passed on to the
 * recipients (LGPD Art. 18 §6; GDPR Art. 19). And the elimination of consent
 * data (LGPD Art. 18 VI) is not a revocation (Art. 18 IX).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type BlockingStore,
  defineSchema,
  isPurposefulError,
  memoryBlockingStore,
  RESTRICTION_COLUMN,
  type RetentionSource,
  RIGHTS_KINDS,
  rightsDeadline,
} from '../../src/index.js';
import { Client, client, ctx, purposes, restrictedDesk, subjectId, verification } from './restricted-desk.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toMatch(/joana|529\.982|March/);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

describe('LGPD Art. 5 XIII, 18 IV; GDPR Art. 18: blocking', () => {
  it('LGPD Art. 18 IV; GDPR Art. 18: blocking and consent-data erasure are request kinds with their deadlines', () => {
    expect(RIGHTS_KINDS).toEqual(expect.arrayContaining(['blocking', 'consent-data-erasure']));
    const at = new Date('2026-11-02T10:00:00Z');
    expect(rightsDeadline('blocking', at, { jurisdictions: ['lgpd'], lgpdDays: { blocking: 5 } }).due.getTime()).toBeGreaterThan(
      at.getTime(),
    );
  });

  it('LGPD Art. 5 XIII, 18 IV; GDPR Art. 18(1): a blocked field opens for no purpose, its data kept, until the blocking is lifted', async () => {
    const { pf, clients, notices } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    const answer = await pf.rights.block(r.id, { fields: [{ schema: 'client', field: 'email' }] });
    expect(answer.fields).toEqual([{ schema: 'client', record: subjectId, field: 'email' }]);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(row[RESTRICTION_COLUMN]).toMatchObject({ blocked: [{ request: r.id, fields: ['email'] }] });
    expect(row.email).toBeDefined(); // kept, not erased
    expect(await codeOf(pf.open(Client, row, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    expect(await codeOf(pf.open(Client, row, ctx.survey))).toBe('PF_SUBJECT_RESTRICTED');
    // a purpose that does not see the email is not stopped
    await expect(pf.open(Client, row, ctx.billing)).resolves.toMatchObject({ name: client.name });
    // passed on: every recipient of a purpose that uses the email (LGPD Art. 18 §6; GDPR Art. 19)
    expect(answer.notified).toEqual(['Helpdesk SaaS', 'Survey Tool']);
    expect(notices.map((n) => [n.recipient, n.kind])).toEqual([
      ['Helpdesk SaaS', 'blocking'],
      ['Survey Tool', 'blocking'],
    ]);
    // GDPR Art. 18(3): lifted after telling the subject; the data opens again
    const lifted = await pf.rights.unblock(r.id);
    expect(lifted.fields).toEqual([{ schema: 'client', record: subjectId, field: 'email' }]);
    const after = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(after[RESTRICTION_COLUMN]).toBeUndefined();
    await expect(pf.open(Client, after, ctx.support)).resolves.toMatchObject({ email: client.email });
    expect(notices.slice(2).map((n) => [n.recipient, n.kind])).toEqual([
      ['Helpdesk SaaS', 'unblocking'],
      ['Survey Tool', 'unblocking'],
    ]);
  });

  it('GDPR Art. 18(2): where only the GDPR is in force, a purpose kept for legal claims still opens blocked data; LGPD Art. 5 XIII allows none', async () => {
    const { pf, clients, other } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(r.id);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(await codeOf(pf.open(Client, row, ctx.defence))).toBe('PF_SUBJECT_RESTRICTED');
    // made while the LGPD is in force: a request that declares only the GDPR does not open it (LGPD Art. 5 XIII)
    expect(await codeOf(pf.open(Client, row, { ...ctx.defence, jurisdictions: ['gdpr'] }))).toBe('PF_SUBJECT_RESTRICTED');
    // a blocking made under the GDPR alone: legal claims open it, no other purpose does (GDPR Art. 18(2))
    const column = row[RESTRICTION_COLUMN] as { blocked: { laws?: string[] }[] };
    const gdprOnly = { ...row, [RESTRICTION_COLUMN]: { blocked: column.blocked.map((b) => ({ ...b, laws: ['gdpr'] })) } };
    await expect(other().open(Client, gdprOnly, { ...ctx.defence, jurisdictions: ['gdpr'] })).resolves.toMatchObject({
      complaint: client.complaint,
    });
    expect(await codeOf(other().open(Client, gdprOnly, { ...ctx.billing, jurisdictions: ['gdpr'] }))).toBe(
      'PF_SUBJECT_RESTRICTED',
    );
  });

  it('LGPD Art. 18 §6: a blocking is refused before any row changes when a recipient of a blocked field has no hook', async () => {
    const { pf, clients, sealed } = await restrictedDesk({ recipients: { 'Helpdesk SaaS': () => {} } });
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    expect(await codeOf(pf.rights.block(r.id, { fields: [{ schema: 'client', field: 'email' }] }))).toBe(
      'PF_RECIPIENT_HOOK_MISSING',
    );
    expect(clients.rows.get(subjectId)).toBe(sealed);
    // naming a field nobody declares is refused too
    expect(await codeOf(pf.rights.block(r.id, { fields: [{ schema: 'client', field: 'nope' }] }))).toBe('PF_INPUT_INVALID');
  });

  it('LGPD Art. 18 III; GDPR Art. 18(1)(a): a correction while the data is blocked keeps the blocking', async () => {
    const { pf, clients } = await restrictedDesk();
    const b = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(b.id, { fields: [{ schema: 'client', field: 'email' }] });
    const c = await pf.rights.request({ subjectId, kind: 'correction', verification });
    await pf.rights.correct(c.id, { schema: 'client', patch: { email: 'joana@example.org' } });
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(row[RESTRICTION_COLUMN]).toMatchObject({ blocked: [{ request: b.id }] });
    expect(await codeOf(pf.open(Client, row, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    await pf.rights.unblock(b.id);
    await expect(pf.open(Client, clients.rows.get(subjectId), ctx.support)).resolves.toMatchObject({
      email: 'joana@example.org',
    });
  });

  it('LGPD Art. 5 XIII; GDPR Art. 18(2): a retention sweep keeps a blocked field past its retention until the blocking is lifted', async () => {
    const { pf, clients } = await restrictedDesk();
    const b = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(b.id, { fields: [{ schema: 'client', field: 'score' }] });
    const source: RetentionSource = {
      schema: Client,
      page: async (cursor) => ({ rows: cursor ? [] : [...clients.rows.values()], next: 'end' }),
      startOf: () => new Date('2026-01-01T00:00:00Z'),
      update: async (row) => {
        clients.rows.set(String(row.id), row);
      },
      remove: async (row) => {
        clients.rows.delete(String(row.id));
      },
    };
    // past the survey's six months, within the ticket's two years: only the score has expired, and it is blocked
    const now = new Date('2027-01-01T00:00:00Z');
    expect(await pf.retention.sweep(source, { now })).toMatchObject({ updated: 0, removed: 0 });
    expect(clients.rows.get(subjectId)?.score).toBe(client.score);
    await pf.rights.unblock(b.id);
    expect(await pf.retention.sweep(source, { now })).toMatchObject({ updated: 1 });
    expect(clients.rows.get(subjectId)?.score).toBeUndefined();
  });

  it('LGPD Art. 16, 18 IV: an erasure of a blocked subject keeps the blocking on what it retains', async () => {
    const { pf, clients } = await restrictedDesk();
    const b = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(b.id);
    const e = await pf.rights.request({ subjectId, kind: 'erasure', verification });
    await pf.rights.erase(e.id);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(row[RESTRICTION_COLUMN]).toMatchObject({ erasedAt: expect.any(String), blocked: [{ request: b.id }] });
    const kept = { id: row.id, name: row.name, cpf: row.cpf, [RESTRICTION_COLUMN]: row[RESTRICTION_COLUMN] };
    expect(await codeOf(pf.open(Client, kept, ctx.billing))).toBe('PF_SUBJECT_RESTRICTED');
  });
});

describe('LGPD Art. 5 XIII, 18 IV; GDPR Art. 18: a blocking is a record of the subject, not only a row column', () => {
  it('LGPD Art. 5 XIII, 18 IV; GDPR Art. 18: reproduction: re-sealing the record of a blocked subject does not lift the blocking', async () => {
    const { pf, clients } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(r.id);
    // the usual profile edit: seal the record again and store it over the blocked row
    const resealed = await pf.seal(Client, { ...client }, ctx.support);
    expect(resealed[RESTRICTION_COLUMN]).toMatchObject({ blocked: [{ request: r.id, laws: ['lgpd', 'gdpr'] }] });
    expect(await codeOf(pf.open(Client, resealed, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    // a row without the column, and a record in clear going out, are refused all the same
    const { [RESTRICTION_COLUMN]: _dropped, ...bare } = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(await codeOf(pf.open(Client, bare, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    expect(await codeOf(pf.outbound(Client, { id: subjectId, name: client.name }, ctx.billing))).toBe('PF_SUBJECT_RESTRICTED');
    expect(await codeOf(pf.openMany(Client, [bare], ctx.billing))).toBe('PF_SUBJECT_RESTRICTED');
    // lifted: the data opens again, and a new seal carries nothing
    await pf.rights.unblock(r.id);
    await expect(pf.open(Client, bare, ctx.support)).resolves.toMatchObject({ name: client.name });
    expect(RESTRICTION_COLUMN in (await pf.seal(Client, { ...client }, ctx.support))).toBe(false);
  });

  it('LGPD Art. 5 XIII, 18 IV: a blocking made before any row exists blocks the rows written after it, field by field', async () => {
    const { pf, clients } = await restrictedDesk();
    clients.rows.clear();
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    const answer = await pf.rights.block(r.id, { fields: [{ schema: 'client', field: 'email' }] });
    expect(answer.fields).toEqual([]);
    const sealed = await pf.seal(Client, { ...client }, ctx.support);
    expect(sealed[RESTRICTION_COLUMN]).toMatchObject({ blocked: [{ request: r.id, fields: ['email'] }] });
    expect(await codeOf(pf.open(Client, sealed, ctx.support))).toBe('PF_SUBJECT_RESTRICTED');
    await expect(pf.open(Client, sealed, ctx.billing)).resolves.toMatchObject({ name: client.name });
  });

  it('LGPD Art. 5 XIII; GDPR Art. 18: a blocking store that fails or does not answer refuses the request (fail closed)', async () => {
    const inner = memoryBlockingStore();
    let answer: 'ok' | 'throws' | 'junk' | 'async' = 'ok';
    const blockings: BlockingStore = {
      put: (b) => inner.put(b),
      lift: (q) => inner.lift(q),
      inForce: (s) => {
        if (answer === 'throws') throw new Error('blocking store down');
        if (answer === 'junk') return Promise.resolve('no' as never);
        return answer === 'async' ? Promise.resolve(inner.inForce(s)) : inner.inForce(s);
      },
    };
    const { pf, sealed } = await restrictedDesk({ blockings });
    answer = 'throws';
    expect(await codeOf(pf.open(Client, sealed, ctx.billing))).toBe('PF_STORE_UNAVAILABLE');
    expect(await codeOf(pf.seal(Client, { ...client }, ctx.support))).toBe('PF_STORE_UNAVAILABLE');
    answer = 'junk';
    expect(await codeOf(pf.open(Client, sealed, ctx.billing))).toBe('PF_STORE_UNAVAILABLE');
    expect(await codeOf(pf.outbound(Client, { id: subjectId, name: client.name }, ctx.billing))).toBe('PF_STORE_UNAVAILABLE');
    // an asynchronous store that answers is asked, and its blocking holds
    answer = 'async';
    await expect(pf.open(Client, sealed, ctx.billing)).resolves.toMatchObject({ name: client.name });
    const r = await pf.rights.request({ subjectId, kind: 'blocking', verification });
    await pf.rights.block(r.id);
    expect(await codeOf(pf.open(Client, sealed, ctx.billing))).toBe('PF_SUBJECT_RESTRICTED');
  });

  it('LGPD Art. 5 XIII; GDPR Art. 18: the restriction column is reserved, so input can neither declare nor set it', async () => {
    let problems: readonly { code: string }[] = [];
    try {
      defineSchema('reserved', z.object({ id: z.string(), [RESTRICTION_COLUMN]: z.string().optional() }), { purposes });
    } catch (err) {
      problems = isPurposefulError(err) ? err.problems : [];
    }
    expect(problems.map((x) => x.code)).toContain('PF_DECL_RESERVED_KEY');
    const { pf } = await restrictedDesk();
    expect(await codeOf(pf.inbound(Client, { ...client, [RESTRICTION_COLUMN]: {} }, ctx.support))).toBe('PF_UNDECLARED_FIELD');
  });
});

describe('LGPD Art. 18 VI and IX: eliminating consent data is not revoking consent', () => {
  it('LGPD Art. 18 VI; GDPR Art. 17(1): eliminating the data processed with consent leaves the consent on record, and what another basis serves stays', async () => {
    const { pf, clients, consent } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'consent-data-erasure', verification });
    const answer = await pf.rights.eraseConsentData(r.id);
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['score', 'deleted']]);
    expect(answer.fields[0]?.reason).toMatch(/LGPD Art\. 18 VI/);
    const row = clients.rows.get(subjectId) as Record<string, unknown>;
    expect(row.score).toBeUndefined();
    // the consent stands: the survey still runs, with the email the ticket also uses
    expect((await consent.status(subjectId, ['support.survey'])).get('support.survey')?.status).toBe('granted');
    await expect(pf.open(Client, row, ctx.survey)).resolves.toEqual({ id: subjectId, email: client.email });
    // a purpose that does not rest on consent is refused
    expect(await codeOf(pf.rights.eraseConsentData(r.id, { purpose: 'support.ticket' }))).toBe('PF_INPUT_INVALID');
  });

  it('LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3): a revocation withdraws the consent, so processing for it stops', async () => {
    const { pf, clients, consent } = await restrictedDesk();
    const r = await pf.rights.request({ subjectId, kind: 'revocation', verification });
    await pf.rights.revoke(r.id, 'support.survey');
    expect((await consent.status(subjectId, ['support.survey'])).get('support.survey')?.status).toBe('withdrawn');
    expect(await codeOf(pf.open(Client, clients.rows.get(subjectId), ctx.survey))).toBe('PF_CONSENT_REQUIRED');
    // a revocation request is not an elimination request, and the reverse
    expect(await codeOf(pf.rights.eraseConsentData(r.id))).toBe('PF_INPUT_INVALID');
  });
});
