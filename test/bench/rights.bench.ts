/**
 * Data-subject requests and retention: export (access) and erasure time for
 * one subject with 10,000 records, and sweep throughput in records per second.
 * Each row puts the operation beside the bare work it includes: opening the
 * same rows for one purpose with `openMany` (what any answer must decrypt),
 * and a plain loop over the same rows that only compares dates.
 */
import { exportJWK, generateKeyPair } from 'jose';
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
  redactText,
  rightsDesk,
} from '../../src/index.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

const RECORDS = 10_000;
const subjectId = '0b4f0d3e-8a3c-4a39-9a53-2f1c3f8f5d10';

const ticket = (i: number) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  customerId: subjectId,
  status: 'closed',
  subject: `Boleto ${i}`,
  messages: [{ at: '2026-01-01T00:00:00Z', from: 'customer', text: `mensagem ${i}` }],
  assignee: { agentId: 'agent-7', agentName: 'Ana' },
  satisfaction: 4,
  created: '2020-01-01T00:00:00Z',
});

export async function runRightsBench(): Promise<void> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const rows = new Map<string, Record<string, unknown>>();
  const anonymous: AnonymousRecord[] = [];
  const audit = createAccessLog({ sink: memoryAccessLogSink(), subjectKey: new Uint8Array(32).fill(1), maxQueue: 1_000_000 });
  const pf = createPurposeful({
    purposes,
    schemas: [Customer, Ticket, Invoice],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    // the declarations have consent purposes: an engine without a ledger is refused (PF_CONSENT_LEDGER_MISSING)
    consent: memoryConsentLedger(purposes),
    audit,
    encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
    rights: rightsDesk({
      verify: () => true,
      sources: {
        ticket: {
          find: async () => [...rows.values()],
          update: async (_id, row) => void rows.set(String(row.id), row),
          remove: async (_id, row) => void rows.delete(String(row.id)),
          // the ticket text is kept anonymized: the copy and the change together, as a transaction would
          anonymize: async (_id, copy, row, change) => {
            anonymous.push(copy);
            if (change === 'remove') rows.delete(String(row.id));
            else rows.set(String(row.id), row);
          },
        },
      },
      // the subject's keys serve every schema: the recipients of what leaves are told (LGPD Art. 18 §6)
      recipients: { 'Survey platform': () => {}, 'NF-e issuing service': () => {} },
    }),
  });
  const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
  const sealed = await pf.sealMany(
    Ticket,
    Array.from({ length: RECORDS }, (_, i) => ticket(i)),
    ctx,
  );
  const fill = () => {
    rows.clear();
    for (const r of sealed) rows.set(String(r.id), { ...r });
  };
  fill();
  console.log(`\n## rights: one subject with ${RECORDS.toLocaleString('en-US')} records (ticket schema, encrypted free text)`);

  let t0 = performance.now();
  await pf.openMany(Ticket, [...rows.values()], ctx);
  const openAll = performance.now() - t0;
  const request = await pf.rights.request({ subjectId, kind: 'access', verification: {} });
  t0 = performance.now();
  const doc = await pf.rights.access(request.id);
  const exportMs = performance.now() - t0;
  const items = Object.values(doc.data).reduce((n, l) => n + l.length, 0);
  const erasure = await pf.rights.request({ subjectId, kind: 'erasure', verification: {} });
  t0 = performance.now();
  const erased = await pf.rights.erase(erasure.id);
  const eraseMs = performance.now() - t0;
  await audit.flush();
  printTable(
    'rights: export and erasure of one subject',
    ['operation', 'time', 'per record', 'vs openMany of the same rows'],
    [
      [
        'openMany (support.ticket), the bare decryption',
        `${openAll.toFixed(0)} ms`,
        `${((openAll * 1000) / RECORDS).toFixed(1)} µs`,
        '1.00×',
      ],
      [
        `access export (${items.toLocaleString('en-US')} values)`,
        `${exportMs.toFixed(0)} ms`,
        `${((exportMs * 1000) / RECORDS).toFixed(1)} µs`,
        fmtRatio(exportMs / openAll),
      ],
      [
        `erasure (${erased.fields.length.toLocaleString('en-US')} field outcomes, ${anonymous.length.toLocaleString('en-US')} anonymous copies)`,
        `${eraseMs.toFixed(0)} ms`,
        `${((eraseMs * 1000) / RECORDS).toFixed(1)} µs`,
        fmtRatio(eraseMs / openAll),
      ],
    ],
  );

  // sweeps: every ticket past its retention, in pages of 500, against a loop that only compares dates; the
  // tickets are stored sealed, and each one's text is opened and kept anonymized as it goes
  const SWEPT = 50_000;
  // another subject's tickets: the one above was erased, and an erased subject takes no new data (issue 16, part 2)
  const sweepRows = Array.from({ length: SWEPT }, (_, i) => ({
    ...ticket(i),
    customerId: '1c9f7e2a-0000-4000-8000-000000000002',
  }));
  const sealedSweep = await pf.sealMany(Ticket, sweepRows, ctx);
  const data = new Map<string, Record<string, unknown>>(
    sealedSweep.map((r, i) => [String(r.id), { ...r, created: sweepRows[i]?.created }]),
  );
  const copies: AnonymousRecord[] = [];
  const ids = [...data.keys()].sort();
  const source: RetentionSource = {
    schema: Ticket,
    page: async (cursor, limit) => {
      const from = cursor === undefined ? 0 : ids.indexOf(cursor) + 1;
      const page = ids.slice(from, from + limit).filter((id) => data.has(id));
      return {
        rows: page.map((id) => data.get(id) as Record<string, unknown>),
        ...(from + limit < ids.length ? { next: ids[Math.min(from + limit, ids.length) - 1] } : {}),
      };
    },
    startOf: (row, event) => (event === 'collection' ? new Date(String(row.created)) : undefined),
    update: async (row) => void data.set(String(row.id), row),
    remove: async (row) => void data.delete(String(row.id)),
    anonymize: async (copy, row, change) => {
      copies.push(copy);
      if (change === 'remove') data.delete(String(row.id));
      else data.set(String(row.id), row);
    },
  };
  const now = new Date('2026-11-29T00:00:00Z');
  t0 = performance.now();
  const result = await pf.retention.sweep(source, { now, pageSize: 500 });
  const sweepMs = performance.now() - t0;
  const bare = new Map(sweepRows.map((r) => [r.id, { ...r }]));
  t0 = performance.now();
  for (const [id, r] of bare) if (new Date(r.created).getTime() + 2 * 365.25 * 86_400_000 <= now.getTime()) bare.delete(id);
  const bareMs = performance.now() - t0;
  // the bare work of anonymizing: open the same sealed rows and redact their text, with nothing else around it
  t0 = performance.now();
  for (let i = 0; i < sealedSweep.length; i += 500) {
    for (const t of await pf.openMany(Ticket, sealedSweep.slice(i, i + 500), ctx)) {
      redactText(t.subject, { threshold: 'low' });
      for (const m of t.messages) redactText(m.text, { threshold: 'low' });
    }
  }
  const openRedactMs = performance.now() - t0;
  printTable(
    'rights: retention sweep (50,000 expired sealed tickets, pages of 500, text kept anonymized)',
    ['step', 'records/s', 'vs a date loop', 'vs openMany + redactText'],
    [
      [
        `pf.retention.sweep (${result.removed.toLocaleString('en-US')} removed, ${result.anonymized.toLocaleString('en-US')} anonymized, logged)`,
        fmtOps((SWEPT / sweepMs) * 1000),
        fmtRatio(bareMs / sweepMs),
        fmtRatio(openRedactMs / sweepMs),
      ],
      ['openMany + redactText of the same records', fmtOps((SWEPT / openRedactMs) * 1000), '', '1.00×'],
      ['a loop comparing dates and deleting', fmtOps((SWEPT / bareMs) * 1000), '1.00×', ''],
    ],
  );
}
