/**
 * The support desk over its Drizzle store (examples/support-desk/store.ts):
 * the shared HTTP table through the fetch handler, answers byte-identical to
 * the in-memory store's, no plaintext of an encrypted field in the tables, and
 * the demo's rights flow (access, correction, erasure) over the tables through
 * `drizzleRightsSource`. On embedded PGlite, and on PostgreSQL at DATABASE_URL.
 */
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupportDesk, secondCustomer, TICKET_1, TICKET_2 } from '../examples/support-desk/app.js';
import { Customer, Invoice, purposes, Ticket } from '../examples/support-desk/declarations.js';
import { fetchApp, serveFetch } from '../examples/support-desk/fetch.js';
import { sampleCustomer } from '../examples/support-desk/sample.js';
import {
  customers,
  customersTable,
  type DeskDatabase,
  deskData,
  deskRightsSources,
  drizzleStore,
  invoices,
  openDeskDatabase,
  storedView,
  tickets,
} from '../examples/support-desk/store.js';
import {
  createPurposeful,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryErasureJournal,
  memoryKeyStore,
  rightsDesk,
} from '../src/index.js';
import { CASES, JWT_SECRET, runCase, type Tokens, tokens } from './adapters/cases.js';

const C1 = sampleCustomer.id;
const C2 = secondCustomer.id;
const drivers: Array<[string, string | undefined]> = process.env.DATABASE_URL
  ? [
      ['pglite', undefined],
      ['node-postgres', process.env.DATABASE_URL],
    ]
  : [['pglite', undefined]];

/** The values of a record, as strings, that must never appear in a stored row or its printed view. */
const plainValues = (record: Record<string, unknown>, keys: readonly string[]) => keys.map((k) => String(record[k]));

for (const [driver, url] of drivers) {
  describe(`support desk on the Drizzle store (${driver})`, () => {
    let database: DeskDatabase;
    let base: string;
    let close: () => Promise<void>;
    let t: Tokens;
    const desk = {
      drizzle: undefined as unknown as ReturnType<typeof createSupportDesk>,
      memory: createSupportDesk({ jwtSecret: JWT_SECRET }),
    };

    beforeAll(async () => {
      database = await openDeskDatabase({ url });
      desk.drizzle = createSupportDesk({ jwtSecret: JWT_SECRET, store: drizzleStore(database) });
      await Promise.all([desk.drizzle.ready, desk.memory.ready]);
      const server = serveFetch(fetchApp(desk.drizzle)).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise((r) => server.close(() => r()));
      t = await tokens();
    }, 60_000);
    afterAll(async () => {
      await close?.();
      await database?.close();
    });

    describe('the shared HTTP table, through the fetch handler', () => {
      for (const c of CASES) it(c.name, () => runCase(base, c, t));
    });

    it('reads answer byte for byte as over the in-memory store', async () => {
      const memory = fetchApp(desk.memory);
      const drizzle = fetchApp(desk.drizzle);
      const reads: Array<[string, keyof Tokens]> = [
        [`/customers/${C1}`, 'agent'],
        [`/customers/${C1}`, 'supervisor'],
        [`/customers/${C2}`, 'agent'],
        [`/customers/${C1}/billing`, 'billing'],
        [`/customers/${C1}/accessibility`, 'agentMfa'],
        [`/customers/${C2}/accessibility`, 'agentMfa'],
        [`/tickets/${TICKET_1}`, 'customer1'],
        [`/tickets/${TICKET_2}`, 'agent'],
        [`/tickets/${TICKET_2}`, 'customer1'],
        ['/tickets/00000000-0000-4000-8000-000000000000', 'agent'],
        ['/tickets/not-a-uuid', 'agent'],
        ['/customers/not-a-uuid', 'agent'],
      ];
      for (const [path, who] of reads) {
        const ask = (app: (r: Request) => Promise<Response>) =>
          app(new Request(`http://desk${path}`, { headers: { authorization: `Bearer ${t[who]}` } }));
        const [a, b] = await Promise.all([ask(memory), ask(drizzle)]);
        expect(b.status, path).toBe(a.status);
        expect(await b.text(), `${path} as ${who}`).toBe(await a.text());
      }
    });

    it('a ticket opened over HTTP is stored sealed: no plaintext of its free text in the table', async () => {
      const subject = 'Drizzle ticket subject';
      const message = 'A message that must be sealed in the table';
      const res = await fetch(`${base}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.customer1}`, 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: C1, subject, message }),
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; subject: string };
      expect(body.subject).toBe(subject);
      const [row] = await database.raw('SELECT * FROM tickets WHERE id = $1', [body.id]);
      expect(row?.subject).toMatch(/^pf1\./);
      expect(JSON.stringify(row)).not.toContain(message);
      expect(JSON.stringify(row)).not.toContain(subject);
      // read back over HTTP: the same ticket, opened for the purpose
      const again = await fetch(`${base}/tickets/${body.id}`, { headers: { authorization: `Bearer ${t.customer1}` } });
      expect(((await again.json()) as { subject: string }).subject).toBe(subject);
    });

    it('the survey answer lands in the ticket row (a score, not encrypted)', async () => {
      const [row] = await database.raw('SELECT satisfaction FROM tickets WHERE id = $1', [TICKET_2]);
      expect(row?.satisfaction).toBe(4); // written by the shared table's survey case
    });

    it('the customer rows hold envelopes and blind indexes for the encrypted fields, and the printed view no value in clear', async () => {
      const rows = await database.db.select().from(customersTable);
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        const plain = row.id === C1 ? sampleCustomer : secondCustomer;
        expect(row.cpf).toMatch(/^pf1\./);
        expect(row.email).toMatch(/^pf1\./);
        expect(row.bidx_cpf).toMatch(/^k-/);
        const stored = JSON.stringify(row);
        for (const value of plainValues(plain, ['cpf', 'email'])) expect(stored).not.toContain(value);
        const view = JSON.stringify(storedView(Customer, row));
        const { channel: _notPersonal, ...personal } = plain;
        for (const value of Object.values(personal).flatMap((v) => (typeof v === 'object' ? Object.values(v) : [v]))) {
          expect(view).not.toContain(String(value));
        }
      }
      expect(JSON.stringify(storedView(Customer, rows[0] ?? {}))).toContain('pf1.');
    });
  });

  describe(`the demo's rights flow over the Drizzle tables (${driver})`, () => {
    let database: DeskDatabase;
    beforeAll(async () => {
      database = await openDeskDatabase({ url });
    }, 60_000);
    afterAll(() => database?.close());

    it('access, correction and erasure through drizzleRightsSource; the other customer untouched', async () => {
      const pf = createPurposeful({
        purposes,
        schemas: [Customer, Ticket, Invoice],
        rights: rightsDesk({
          verify: ({ subjectId, verification }) => (verification as { code?: string })?.code === `ok:${subjectId}`,
          sources: deskRightsSources(database),
          recipients: { 'NF-e issuing service': () => undefined, 'Survey platform': () => undefined },
        }),
        keys: generateKeyring(),
        keyStore: memoryKeyStore(),
        erasureJournal: memoryErasureJournal(),
        encryption: { receipts: { key: new Uint8Array(32).fill(5), alg: 'HS256' } },
        consent: memoryConsentLedger(purposes),
      });
      const data = deskData(database, pf);
      const agent = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
      const billing = { purpose: 'billing.invoice', actor: { id: 'billing-1', roles: ['billing'] } } as const;
      const support = data.forPurpose(agent);
      const { accessibility: _, ...account } = sampleCustomer;
      await support.insert(customers, [account, secondCustomer]);
      await data.forPurpose(billing).insert(invoices, {
        number: 'NF-1',
        customerId: C1,
        taxId: sampleCustomer.cpf,
        amountCents: 100,
        issuedAt: '2026-11-28T10:00:00Z',
      });
      const ticket = (id: string, customerId: string) => ({
        id,
        customerId,
        status: 'closed' as const,
        subject: 'Boleto pago em dobro',
        messages: [{ at: '2026-11-20T14:02:00Z', from: 'customer' as const, text: 'Paguei duas vezes' }],
        assignee: null,
      });
      await support.insert(tickets, [ticket(TICKET_1, C1), ticket(TICKET_2, C2)]);
      const verification = { code: `ok:${C1}` };

      const access = await pf.rights.request({ subjectId: C1, kind: 'access', verification });
      const exported = await pf.rights.access(access.id);
      const fields = Object.values(exported.data).flatMap((items) => items.map((i) => `${i.schema}.${i.field}`));
      expect(fields).toEqual(expect.arrayContaining(['customer.cpf', 'invoice.taxId', 'ticket.subject']));
      await pf.rights.complete(access.id);

      const fix = await pf.rights.request({ subjectId: C1, kind: 'correction', verification });
      await pf.rights.correct(fix.id, { schema: 'customer', patch: { email: 'joao@novo.example.com' } });
      const byId = eq(customersTable.id, C1);
      expect((await support.findFirst(customers, { where: byId }))?.email).toBe('joao@novo.example.com');
      const [corrected] = await database.raw('SELECT email FROM customers WHERE id = $1', [C1]);
      expect(corrected?.email).toMatch(/^pf1\./);

      const erasure = await pf.rights.request({ subjectId: C1, kind: 'erasure', verification });
      await pf.rights.erase(erasure.id);
      const refused = await support.findFirst(customers, { where: byId }).catch((err: unknown) => err);
      expect(isPurposefulError(refused) && refused.code).toBe('PF_SUBJECT_ERASED');
      const [left] = await database.raw('SELECT count(*)::int AS n FROM tickets WHERE customer_id = $1', [C1]);
      expect(left?.n).toBe(0);
      const kept = await database.raw('SELECT data FROM tickets_anonymous');
      expect(kept).toHaveLength(1);
      expect(JSON.stringify(kept)).not.toContain(C1);
      // the invoice is kept by law and opens for billing; the other customer and their ticket are untouched
      const invoice = await data.forPurpose(billing).findFirst(invoices);
      expect(invoice?.taxId).toBe(sampleCustomer.cpf);
      const other = await support.findFirst(customers, { where: eq(customersTable.id, C2) });
      expect(other?.email).toBe(secondCustomer.email);
      expect(await support.findMany(tickets)).toHaveLength(1);
    });
  });
}
