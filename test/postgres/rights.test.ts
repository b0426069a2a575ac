import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  createAccessLog,
  createPurposeful,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  type RecipientNotice,
  rightsDesk,
} from '../../src/index.js';
import {
  createRecordsTable,
  migrate,
  postgresAccessLogSink,
  postgresConsentLedger,
  postgresKeyStore,
  postgresRetentionSource,
  postgresRightsSource,
  putRecord,
} from '../../src/postgres/index.js';
import { onServer, surveyGrant, type TestDb, testDb } from './db.js';

let db: TestDb;
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
  await createRecordsTable(db.client, 'customers');
  await createRecordsTable(db.client, 'invoices');
  await createRecordsTable(db.client, 'tickets');
  await createRecordsTable(db.client, 'clients');
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe(`data-subject requests end to end (${onServer ? 'server' : 'PGlite'})`, () => {
  it('a verified subject exports, corrects and erases; an unverified one is refused; the evidence stays', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const audit = createAccessLog({
      sink: postgresAccessLogSink(db.client),
      subjectKey: new Uint8Array(32).fill(4),
      instance: 'rights',
    });
    const consent = postgresConsentLedger(db.client, purposes);
    const keyStore = postgresKeyStore(db.client);
    const pf = createPurposeful({
      purposes,
      schemas: [Customer, Ticket, Invoice],
      keys: generateKeyring(),
      keyStore,
      consent,
      audit,
      encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
      rights: rightsDesk({
        verify: ({ verification }) => verification === 'signed-in',
        sources: {
          customer: postgresRightsSource(db.client, 'customers', Customer, 'given by you at sign-up'),
          invoice: postgresRightsSource(db.client, 'invoices', Invoice),
          ticket: postgresRightsSource(db.client, 'tickets', Ticket),
        },
        recipients: { 'NF-e issuing service': () => {}, 'Survey platform': () => {} },
      }),
    });
    const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
    const subjectId = sampleCustomer.id;
    await putRecord(db.client, 'customers', Customer, await pf.seal(Customer, sampleCustomer, agent));
    const invoice = {
      number: 'NF-9',
      customerId: subjectId,
      taxId: sampleCustomer.cpf,
      amountCents: 990,
      issuedAt: '2026-11-01T00:00:00Z',
    };
    await putRecord(db.client, 'invoices', Invoice, await pf.seal(Invoice, invoice, billing));
    await consent.grant(surveyGrant(subjectId));
    const ticketId = '00000000-0000-4000-8000-0000000000aa';
    const ticket = {
      id: ticketId,
      customerId: subjectId,
      status: 'closed',
      subject: 'Cobrança duplicada',
      messages: [{ at: '2026-11-02T10:00:00Z', from: 'customer', text: `Meu e-mail é ${sampleCustomer.email}` }],
      assignee: { agentId: 'agent-7', agentName: 'Bruna Lima' },
    };
    await putRecord(db.client, 'tickets', Ticket, await pf.seal(Ticket, ticket, agent));

    const refused = await pf.rights.request({ subjectId, kind: 'access', verification: 'guessing' }).catch((e) => e);
    expect(isPurposefulError(refused) && refused.code).toBe('PF_IDENTITY_UNVERIFIED');

    const access = await pf.rights.request({ subjectId, kind: 'access', verification: 'signed-in' });
    const doc = await pf.rights.access(access.id);
    expect(doc.data['user.contact.email']?.[0]?.value).toBe(sampleCustomer.email);
    expect(doc.consent.map((e) => e.purpose)).toEqual(['support.survey']);

    const fix = await pf.rights.request({ subjectId, kind: 'correction', verification: 'signed-in' });
    await pf.rights.correct(fix.id, { schema: 'customer', patch: { email: 'joao@novo.example.com' } });
    const [stored] = await postgresRightsSource(db.client, 'customers', Customer).find(subjectId);
    expect(await pf.open(Customer, stored, agent)).toMatchObject({ email: 'joao@novo.example.com' });

    const erasure = await pf.rights.request({ subjectId, kind: 'erasure', verification: 'signed-in' });
    const erased = await pf.rights.erase(erasure.id);
    expect(erased.receipt).toBeDefined();
    const [after] = await postgresRightsSource(db.client, 'customers', Customer).find(subjectId);
    await expect(pf.open(Customer, after, agent)).rejects.toThrow(expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }));
    const [kept] = await postgresRightsSource(db.client, 'invoices', Invoice).find(subjectId);
    await expect(pf.open(Invoice, kept, billing)).resolves.toMatchObject({ taxId: sampleCustomer.cpf });
    // the ticket kept nothing personal: its row is gone, and only its text stays, anonymized, with no link to anyone
    expect(erased.fields.filter((f) => f.schema === 'ticket').map((f) => [f.field, f.outcome])).toEqual([
      ['customerId', 'deleted'],
      ['subject', 'anonymized'],
      ['messages[].at', 'deleted'],
      ['messages[].text', 'anonymized'],
      ['assignee.agentId', 'deleted'],
      ['assignee.agentName', 'deleted'],
    ]);
    expect((await db.client.query('SELECT record FROM tickets WHERE record = $1', [ticketId])).rows).toEqual([]);
    const { rows: copies } = await db.client.query<{ schema: string; fields: string[]; data: unknown }>(
      'SELECT schema, fields, data FROM tickets_anonymous',
    );
    expect(copies).toEqual([
      {
        schema: 'ticket',
        fields: ['subject', 'messages[].text'],
        data: {
          status: 'closed',
          subject: 'Cobrança duplicada',
          messages: [{ from: 'customer', text: 'Meu e-mail é [EMAIL]' }],
        },
      },
    ]);
    expect(JSON.stringify(copies)).not.toMatch(new RegExp(`${subjectId}|${ticketId}|Bruna|agent-7|@`));
    // retained fields open until their retention ends; then purgeRetained erases them too
    expect(await pf.purgeRetained(new Date('2040-01-01T00:00:00Z'))).toBeGreaterThan(0);
    await expect(pf.open(Invoice, kept, billing)).rejects.toThrow(expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }));
    expect((await audit.verify()).ok).toBe(true);
    expect((await consent.history(subjectId)).length).toBeGreaterThan(0);
    await keyStore.close?.();
  });

  it('LGPD Art. 16, 18 IV, §6; GDPR Art. 17(3), 18, 19: on PostgreSQL, what an erasure keeps opens only for its ground, a blocking holds until lifted, and both reach the recipients', async () => {
    const { Client, client, ctx, purposes: p12, subjectId: id } = await import('../rights/restricted-desk.js');
    const notices: RecipientNotice[] = [];
    const hook = (n: RecipientNotice) => {
      notices.push(n);
    };
    const keyStore = postgresKeyStore(db.client);
    const consent = postgresConsentLedger(db.client, p12);
    const pf = createPurposeful({
      purposes: p12,
      schemas: [Client],
      keys: generateKeyring(),
      keyStore,
      consent,
      encryption: { receipts: { key: new Uint8Array(32).fill(6), alg: 'HS256' } },
      rights: rightsDesk({
        verify: () => true,
        sources: { client: postgresRightsSource(db.client, 'clients', Client) },
        recipients: {
          'Helpdesk SaaS': hook,
          'Survey Tool': hook,
          'NF-e issuing service': { unreachable: 'invoices already issued cannot be amended' },
        },
      }),
    });
    const read = async () => (await postgresRightsSource(db.client, 'clients', Client).find(id))[0] as Record<string, unknown>;
    await putRecord(db.client, 'clients', Client, await pf.seal(Client, client, ctx.support));
    // blocking: the column goes through jsonb and back, and holds until lifted
    const block = await pf.rights.request({ subjectId: id, kind: 'blocking', verification: 'x' });
    await pf.rights.block(block.id, { fields: [{ schema: 'client', field: 'complaint' }] });
    await expect(pf.open(Client, await read(), ctx.support)).rejects.toMatchObject({ code: 'PF_SUBJECT_RESTRICTED' });
    await pf.rights.unblock(block.id);
    await expect(pf.open(Client, await read(), ctx.support)).resolves.toMatchObject({ complaint: client.complaint });
    // erasure: the name and cpf stay for billing only, the complaint for the defence only
    const erase = await pf.rights.request({ subjectId: id, kind: 'erasure', verification: 'x' });
    const answer = await pf.rights.erase(erase.id);
    expect(answer.notified).toEqual(['Helpdesk SaaS', 'Survey Tool']);
    const row = await read();
    const { email: _gone, ...kept } = row;
    await expect(pf.open(Client, kept, ctx.support)).rejects.toMatchObject({ code: 'PF_SUBJECT_RESTRICTED' });
    await expect(pf.open(Client, kept, ctx.billing)).resolves.toMatchObject({ name: client.name, cpf: client.cpf });
    const { name: _n, cpf: _c, ...defence } = kept;
    await expect(pf.open(Client, defence, ctx.defence)).resolves.toMatchObject({ complaint: client.complaint });
    expect(notices.map((n) => [n.recipient, n.kind])).toEqual([
      ['Helpdesk SaaS', 'blocking'],
      ['Helpdesk SaaS', 'unblocking'],
      ['Helpdesk SaaS', 'elimination'],
      ['Survey Tool', 'elimination'],
    ]);
  });

  it('sweeps a convention table by retention, counted from created_at', async () => {
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Customer, Ticket, Invoice],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
    });
    const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    const t = (id: string) => ({
      id,
      customerId: sampleCustomer.id,
      status: 'closed',
      // a word of the ticket vocabulary: a text with none is not kept at all
      subject: 'boleto',
      messages: [],
      assignee: null,
    });
    for (const id of ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']) {
      await putRecord(db.client, 'tickets', Ticket, await pf.seal(Ticket, t(id), agent));
    }
    await db.client.query(
      "UPDATE tickets SET created_at = '2020-01-01T00:00:00Z' WHERE record = '00000000-0000-4000-8000-000000000001'",
    );
    const source = postgresRetentionSource(db.client, 'tickets', Ticket);
    const dry = await pf.retention.sweep(source, { dryRun: true });
    expect(dry.actions).toEqual([
      {
        record: '00000000-0000-4000-8000-000000000001',
        action: 'remove',
        fields: ['customerId', 'subject'],
        anonymized: ['subject'],
      },
    ]);
    const before = await anonymousCount();
    // a failure inside the store's transaction keeps neither the copy nor the change; the sweep stops, fail-closed
    await db.client.query(
      `CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`,
    );
    await db.client.query('CREATE TRIGGER refuse BEFORE DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_delete()');
    // the driver's error quotes the statement's values: what reaches the caller is value-free
    const failed = await pf.retention.sweep(source, { pageSize: 1 }).catch((e) => e);
    expect(isPurposefulError(failed) && [failed.code, failed.message]).toEqual([
      'PF_STORE_UNAVAILABLE',
      'the tickets table did not take the change (SQLSTATE P0001): nothing of it was stored',
    ]);
    expect(await anonymousCount()).toBe(before);
    await db.client.query('DROP TRIGGER refuse ON tickets');
    const done = await pf.retention.sweep(source, { pageSize: 1 });
    expect(done).toMatchObject({ scanned: 2, removed: 1, anonymized: 1 });
    const { rows } = await db.client.query<{ record: string }>('SELECT record FROM tickets');
    expect(rows.map((r) => r.record)).toEqual(['00000000-0000-4000-8000-000000000002']);
    expect(await anonymousCount()).toBe(before + 1);
    // a rerun finds nothing to do and keeps no copy twice
    expect(await pf.retention.sweep(source)).toMatchObject({ removed: 0, anonymized: 0 });
    expect(await anonymousCount()).toBe(before + 1);
    // a row changed after the sweep read it (a correction, another sweep) is left as it now is, with no copy
    const id = '00000000-0000-4000-8000-000000000003';
    await putRecord(db.client, 'tickets', Ticket, await pf.seal(Ticket, t(id), agent));
    await db.client.query("UPDATE tickets SET created_at = '2020-01-01T00:00:00Z' WHERE record = $1", [id]);
    const racing = postgresRetentionSource(db.client, 'tickets', Ticket);
    const original = racing.anonymize as NonNullable<typeof racing.anonymize>;
    racing.anonymize = async (copy, row, change) => {
      await db.client.query(`UPDATE tickets SET data = jsonb_set(data, '{status}', '"open"') WHERE record = $1`, [id]);
      return original(copy, row, change);
    };
    await pf.retention.sweep(racing);
    expect(await anonymousCount()).toBe(before + 1);
    const { rows: still } = await db.client.query<{ status: string }>(
      "SELECT data->>'status' AS status FROM tickets WHERE record = $1",
      [id],
    );
    expect(still).toEqual([{ status: 'open' }]);
  });

  it('store helpers: a copy is kept only with its row change, only on the subject’s own row, and survives a NUL', async () => {
    const rights = postgresRightsSource(db.client, 'tickets', Ticket);
    const row = {
      id: '00000000-0000-4000-8000-0000000000bb',
      customerId: '00000000-0000-4000-8000-0000000000cc',
      status: 'open',
      subject: 'x',
      messages: [],
      assignee: null,
    };
    await putRecord(db.client, 'tickets', Ticket, row);
    const copy = { schema: 'ticket', fields: ['subject'], data: { subject: 'nul\u0000 here, and \\u0000 as text' } };
    const before = await anonymousCount();
    // another subject's row is not changed, and no copy is kept
    await expect(rights.anonymize?.('someone-else', copy, row, 'remove')).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID' }),
    );
    expect(await anonymousCount()).toBe(before);
    await rights.anonymize?.(row.customerId, copy, row, 'remove');
    const { rows } = await db.client.query<{ data: { subject: string } }>(
      "SELECT data FROM tickets_anonymous WHERE data->>'subject' LIKE 'nul%'",
    );
    expect(rows[0]?.data.subject).toBe('nul\ufffd here, and \\u0000 as text');
    await expect(rights.remove?.(row.customerId, row)).rejects.toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
    await expect(createRecordsTable(db.client, `t${'x'.repeat(60)}`)).rejects.toThrow(/too long/);
  });
});

async function anonymousCount(): Promise<number> {
  const { rows } = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets_anonymous');
  return rows[0]?.n ?? 0;
}
