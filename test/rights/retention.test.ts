import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Customer, Invoice, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import {
  type AnonymousRecord,
  createAccessLog,
  createPurposeful,
  generateKeyring,
  memoryAccessLogSink,
  memoryConsentLedger,
  memoryKeyStore,
  type RetentionSource,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';

function store(
  schema: typeof Ticket | typeof Invoice,
  rows: Record<string, unknown>[],
  key: string,
  startOf: RetentionSource['startOf'],
) {
  const data = new Map(rows.map((r) => [String(r[key]), { ...r }]));
  const anonymous: AnonymousRecord[] = [];
  let failAt: string | undefined;
  const source: RetentionSource = {
    schema,
    page: async (cursor, limit) => {
      const ids = [...data.keys()].sort().filter((id) => cursor === undefined || id > cursor);
      const page = ids.slice(0, limit);
      return {
        rows: page.map((id) => ({ ...(data.get(id) as Record<string, unknown>) })),
        ...(page.length ? { next: page.at(-1) } : {}),
      };
    },
    startOf,
    update: async (row) => {
      if (String(row[key]) === failAt) throw new Error('crash');
      data.set(String(row[key]), row);
    },
    remove: async (row) => {
      if (String(row[key]) === failAt) throw new Error('crash');
      data.delete(String(row[key]));
    },
    // the copy and the change land together (one transaction) or not at all
    anonymize: async (copy, row, change) => {
      if (String(row[key]) === failAt) throw new Error('crash');
      anonymous.push(copy);
      if (change === 'remove') data.delete(String(row[key]));
      else data.set(String(row[key]), row);
    },
  };
  return { source, data, anonymous, failOn: (id: string | undefined) => (failAt = id) };
}

const ticket = (id: string, created: string) => ({
  id,
  created,
  customerId: '0b4f0d3e-8a3c-4a39-9a53-2f1c3f8f5d10',
  status: 'closed',
  subject: 'Boleto',
  messages: [{ at: created, from: 'customer', text: 'meu boleto' }],
  assignee: null,
  satisfaction: 4,
});
const fromCreated: RetentionSource['startOf'] = (row, event) =>
  event === 'collection' ? new Date(String(row.created)) : undefined;

describe('retention sweeps', () => {
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(6) });
  const pf = createPurposeful({
    consent: memoryConsentLedger(purposes),
    purposes,
    schemas: [Customer, Ticket, Invoice],
    audit,
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
  });
  // tickets are stored sealed (their free text is encrypted), with the time they were opened beside them
  const sealed = (t: ReturnType<typeof ticket>) =>
    pf
      .seal(Ticket, t, { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } })
      .then((row) => ({ ...row, created: t.created }));

  it('keeps a field for the longest retention among its purposes, then removes it; removes a record nothing of which may stay', async () => {
    const { source, data, anonymous } = store(
      Ticket,
      [await sealed(ticket('t1', '2026-01-01T00:00:00Z')), await sealed(ticket('t2', '2027-05-01T00:00:00Z'))],
      'id',
      fromCreated,
    );
    // satisfaction: support.survey P6M and analytics.churn P1Y: kept a year; the rest: support.ticket P2Y
    const dry = await pf.retention.sweep(source, { now: new Date('2027-06-01T00:00:00Z'), dryRun: true });
    expect(dry.actions).toEqual([{ record: 't1', action: 'update', fields: ['satisfaction'] }]);
    expect(data.get('t1')?.satisfaction).toBe(4); // a dry run changes nothing
    const r = await pf.retention.sweep(source, { now: new Date('2027-06-01T00:00:00Z') });
    expect(r).toMatchObject({ scanned: 2, updated: 1, removed: 0, undetermined: 0 });
    expect(data.get('t1')?.satisfaction).toBeUndefined();
    expect(data.get('t2')?.satisfaction).toBe(4);
    const later = await pf.retention.sweep(source, { now: new Date('2028-02-01T00:00:00Z') });
    expect(later).toMatchObject({ removed: 1, anonymized: 1 });
    expect([...data.keys()]).toEqual(['t2']);
    // the ticket's text stays for statistics, generalized, with nothing that leads back to the customer
    expect(anonymous).toEqual([
      {
        schema: 'ticket',
        fields: ['subject', 'messages[].text'],
        // only pd.none() values and the generalized text: the store's column (created), the ticket id and the
        // message time (personal, and not generalized) stay out
        data: { status: 'closed', subject: 'Boleto', messages: [{ from: 'customer', text: 'meu boleto' }] },
      },
    ]);
    await audit.flush();
    expect((await audit.query({ actor: 'retention-sweep' })).map((e) => e.fields)).toEqual([
      ['satisfaction'],
      ['customerId', 'subject', 'messages[].at', 'messages[].text'],
    ]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('counts from the event a purpose names (an invoice from its issue), and never guesses an unknown start', async () => {
    const invoice = (n: string, issuedAt?: string) => ({
      number: n,
      customerId: 'c',
      taxId: '529.982.247-25',
      amountCents: 1,
      issuedAt,
    });
    const { source, data } = store(
      Invoice,
      [invoice('NF-1', '2020-01-10T00:00:00Z'), invoice('NF-2', '2024-01-10T00:00:00Z'), invoice('NF-3')],
      'number',
      (row, event) => (event === 'invoice.issued' && row.issuedAt ? new Date(String(row.issuedAt)) : undefined),
    );
    const r = await pf.retention.sweep(source, { now: new Date('2026-11-29T00:00:00Z') });
    expect(r).toMatchObject({ scanned: 3, removed: 1, undetermined: 1 });
    expect([...data.keys()].sort()).toEqual(['NF-2', 'NF-3']);
  });

  it('resumes after a crash from the cursor it reported, and a second run changes nothing (idempotent)', async () => {
    const rows = await Promise.all(Array.from({ length: 9 }, (_, i) => sealed(ticket(`t${i}`, '2020-01-01T00:00:00Z'))));
    const { source, data, anonymous, failOn } = store(Ticket, rows, 'id', fromCreated);
    let saved: string | undefined;
    failOn('t5');
    await expect(
      pf.retention.sweep(source, {
        now: new Date('2026-11-29T00:00:00Z'),
        pageSize: 2,
        onProgress: (p) => {
          saved = p.cursor;
        },
      }),
    ).rejects.toThrow('crash');
    expect(saved).toBe('t3');
    failOn(undefined);
    const resumed = await pf.retention.sweep(source, { now: new Date('2026-11-29T00:00:00Z'), pageSize: 2, cursor: saved });
    expect(resumed.cursor).toBeUndefined();
    expect(data.size).toBe(0);
    expect(anonymous).toHaveLength(9); // one copy per ticket: the crashed one was not kept
    expect(await pf.retention.sweep(source, { now: new Date('2026-11-29T00:00:00Z') })).toMatchObject({
      scanned: 0,
      removed: 0,
      updated: 0,
    });
  });

  it('counts only purposes in force: a field kept only by consent goes when there is no consent', async () => {
    const consent = memoryConsentLedger(purposes);
    const withConsent = createPurposeful({ ...testKeys(), purposes, schemas: [Customer, Ticket, Invoice], consent });
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    await consent.grant({
      subject: a,
      purpose: 'support.accessibility',
      notice: { version: '2026-11-01', hash: '9'.repeat(64) },
      method: 'form',
      collectionPoint: 'app',
      highlighted: true,
    });
    const customer = (id: string) => ({
      id,
      channel: 'chat',
      name: 'Ana',
      accessibility: 'low vision',
      created: '2026-01-01T00:00:00Z',
    });
    // every retention of this store counts from the row's creation (the invoice event too)
    const { source, data } = store(Customer as never, [customer(a), customer(b)], 'id', (row) => new Date(String(row.created)));
    const r = await withConsent.retention.sweep(source, { now: new Date('2026-06-01T00:00:00Z') });
    expect(r).toMatchObject({ updated: 1, removed: 0 });
    expect(data.get(a)?.accessibility).toBe('low vision'); // consent granted: support.accessibility keeps it two years
    expect(data.get(b)?.accessibility).toBeUndefined(); // no consent: nothing keeps it
    expect(data.get(b)?.name).toBe('Ana');
  });

  it('never removes a field before the latest end of its purposes (property)', () => {
    const field = Ticket.field('satisfaction');
    if (!field) throw new Error('no field');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
        (created) => {
          const until = pf.retention.until(Ticket, field, { created: created.toISOString() }, fromCreated) as Date;
          // P1Y (analytics.churn) outlasts P6M (support.survey)
          const year = new Date(created);
          year.setUTCFullYear(year.getUTCFullYear() + 1);
          expect(until.getTime()).toBeGreaterThanOrEqual(year.getTime() - 3 * 86_400_000);
          expect(until.getTime()).toBeGreaterThan(created.getTime() + 360 * 86_400_000);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a source for a schema the engine does not handle', async () => {
    const other = createPurposeful({ ...testKeys(), consent: memoryConsentLedger(purposes), purposes, schemas: [Customer] });
    const { source } = store(Ticket, [], 'id', fromCreated);
    await expect(other.retention.sweep(source)).rejects.toThrow(expect.objectContaining({ code: 'PF_SCHEMA_UNKNOWN' }));
  });
});
