/**
 * The consent ledger on PostgreSQL: one row per event, ordered per (subject,
 * purpose) by a sequence that concurrent writers serialize through a
 * transaction-scoped advisory lock, so no event is lost or reordered.
 *
 * @module
 */
import {
  type ConsentEvent,
  type ConsentGrant,
  type ConsentLedger,
  type ConsentState,
  checkGrant,
  checkNotReplayed,
  isPurposes,
  PurposefulError,
  type Purposes,
  stateOf,
  type WithdrawalDetails,
} from 'purposeful';
import type { Query, SqlClient } from './client.js';

interface Row {
  subject: string;
  purpose: string;
  sequence: number;
  id: string;
  type: ConsentEvent['type'];
  at: string | Date;
  body: Record<string, unknown>;
}

function toEvent(r: Row): ConsentEvent {
  return Object.freeze({
    ...(r.body as object),
    id: r.id,
    sequence: Number(r.sequence),
    subject: r.subject,
    purpose: r.purpose,
    type: r.type,
    at: new Date(r.at).toISOString(),
  }) as ConsentEvent;
}

function eventId(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return `ce_${btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}

/**
 * Appends one event under the (subject, purpose) lock. Its time is the one the
 * caller gave (when consent was given, e.g. a receipt's) or else the database's
 * `clock_timestamp()` read inside the lock, so times taken here follow the
 * sequence: the previous holder committed before the lock was released.
 */
async function append(
  q: Query,
  subject: string,
  purpose: string,
  type: ConsentEvent['type'],
  at: string | undefined,
  body: Record<string, unknown>,
  before?: (q: Query) => Promise<void>,
): Promise<ConsentEvent> {
  await q('SET TRANSACTION ISOLATION LEVEL READ COMMITTED'); // the lock must be taken before the snapshot that reads the sequence
  await q('SELECT pg_advisory_xact_lock(hashtext($1))', [JSON.stringify(['purposeful.consent', subject, purpose])]);
  if (before) await before(q);
  const { rows } = await q<Row>(
    `INSERT INTO purposeful_consent_events (subject, purpose, sequence, id, type, at, body)
     SELECT $1, $2, COALESCE(MAX(sequence), 0) + 1, $3, $4, COALESCE($5::timestamptz, clock_timestamp()), $6
       FROM purposeful_consent_events WHERE subject = $1 AND purpose = $2
     RETURNING subject, purpose, sequence, id, type, at, body`,
    [subject, purpose, eventId(), type, at, JSON.stringify(body)],
  );
  // delivered on commit, to every instance listening (see cache.ts)
  await q('SELECT pg_notify($1, $2)', ['purposeful_consent', JSON.stringify({ subject, purpose })]);
  return toEvent(rows[0] as Row);
}

/**
 * A consent ledger on PostgreSQL (a `pg` Pool or PGlite through `fromPg` /
 * `fromPglite`). Run `migrate(client)` first.
 *
 * @example
 * ```ts
 * const db = fromPg(pool);
 * await migrate(db);
 * const pf = createPurposeful({ purposes, schemas, consent: postgresConsentLedger(db, purposes) });
 * ```
 * @category Consent
 */
export function postgresConsentLedger(client: SqlClient, purposes: Purposes): ConsentLedger {
  if (!isPurposes(purposes)) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'postgresConsentLedger(client, purposes): purposes must come from definePurposes()',
    );
  }
  const ledger: ConsentLedger = {
    grant: (grant) => recordGrant(client, purposes, grant),
    withdraw: (subject, purpose, details: WithdrawalDetails = {}) => withdraw(client, purposes, subject, purpose, details),
    status: (subject, list, now = new Date()) => status(client, subject, list, now),
    grantsInForce: (purpose, now = new Date()) => grantsInForce(client, purpose, now),
    history: (subject, purpose) => history(client, subject, purpose),
    async recordFromReceipt(receipt) {
      if (!receipt || typeof receipt !== 'object' || !receipt.grant) {
        throw new PurposefulError('PF_CONSENT_INVALID', 'recordFromReceipt() takes what verifyReceipt() returns');
      }
      const receiptId = String((receipt.grant.evidence as { receiptId?: unknown } | undefined)?.receiptId ?? '');
      return recordGrant(client, purposes, receipt.grant, receiptId || undefined);
    },
  };
  return ledger;
}

/** Inside the lock: the grant is not older than the latest withdrawal, nor a receipt recorded before. */
const notReplayed = (grant: ConsentGrant, receiptId?: string) => async (q: Query) => {
  const { rows } = await q<Row>(
    `SELECT subject, purpose, sequence, id, type, at, body FROM purposeful_consent_events
        WHERE subject = $1 AND purpose = $2 ORDER BY sequence DESC LIMIT 1`,
    [grant.subject, grant.purpose],
  );
  let seen = false;
  if (receiptId) {
    const r = await q(
      `SELECT 1 FROM purposeful_consent_events WHERE subject = $1 AND purpose = $2 AND body->'evidence'->>'receiptId' = $3 LIMIT 1`,
      [grant.subject, grant.purpose, receiptId],
    );
    seen = r.rows.length > 0;
  }
  checkNotReplayed(grant, rows[0] ? toEvent(rows[0]) : undefined, receiptId, seen);
};

/** Checks a grant and appends it, unless it replays an older one or a receipt already recorded. */
async function recordGrant(
  client: SqlClient,
  purposes: Purposes,
  grant: ConsentGrant,
  receiptId?: string,
): Promise<ConsentEvent> {
  checkGrant(purposes, grant);
  const body: Record<string, unknown> = {
    notice: { version: grant.notice.version, hash: grant.notice.hash },
    method: grant.method,
    collectionPoint: grant.collectionPoint,
    ...(grant.evidence ? { evidence: grant.evidence } : {}),
    ...(grant.highlighted !== undefined ? { highlighted: grant.highlighted } : {}),
    ...(grant.guardian ? { guardian: { reference: grant.guardian.reference, verification: grant.guardian.verification } } : {}),
    ...(grant.sharedWith ? { sharedWith: [...grant.sharedWith] } : {}),
    ...(grant.expiresAt ? { expiresAt: new Date(grant.expiresAt).toISOString() } : {}),
  };
  const at = grant.at === undefined ? undefined : new Date(grant.at).toISOString();
  return client.transaction((q) => append(q, grant.subject, grant.purpose, 'granted', at, body, notReplayed(grant, receiptId)));
}

/** Appends a withdrawal, for a declared purpose that rests on consent. */
async function withdraw(
  client: SqlClient,
  purposes: Purposes,
  subject: string,
  purpose: string,
  details: WithdrawalDetails,
): Promise<ConsentEvent> {
  const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
  if (!p) throw new PurposefulError('PF_PURPOSE_UNKNOWN', 'consent can only be withdrawn for a declared purpose');
  if (p.ledgerConsentUnder.length === 0) {
    throw new PurposefulError('PF_CONSENT_INVALID', `purpose "${p.id}" does not rest on consent: there is nothing to withdraw`, {
      purpose: p.id,
    });
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256 || !isWellFormedText(subject)) {
    throw new PurposefulError('PF_CONSENT_INVALID', 'the subject must be a non-empty id (at most 256 characters)', {
      purpose: p.id,
    });
  }
  const at = details.at;
  if (at !== undefined && (typeof at !== 'string' || Number.isNaN(Date.parse(at))))
    throw new PurposefulError('PF_CONSENT_INVALID', 'at must be an ISO-8601 time', { purpose: p.id });
  const body: Record<string, unknown> = {
    ...(details.method ? { method: details.method } : {}),
    ...(details.collectionPoint ? { collectionPoint: details.collectionPoint } : {}),
    ...(details.evidence ? { evidence: details.evidence } : {}),
  };
  const iso = at === undefined ? undefined : new Date(at).toISOString();
  return client.transaction((q) => append(q, subject, purpose, 'withdrawn', iso, body));
}

/** The state of each purpose for a subject, from its latest event. */
async function status(
  client: SqlClient,
  subject: string,
  list: readonly string[],
  now: Date,
): Promise<Map<string, ConsentState>> {
  const { rows } = await client.query<Row>(
    `SELECT DISTINCT ON (purpose) subject, purpose, sequence, id, type, at, body
           FROM purposeful_consent_events WHERE subject = $1 AND purpose = ANY($2::text[])
          ORDER BY purpose, sequence DESC`,
    [subject, [...list]],
  );
  const latest = new Map(rows.map((r) => [r.purpose, toEvent(r)]));
  const out = new Map<string, ConsentState>();
  for (const purpose of list) {
    const e = latest.get(purpose);
    out.set(purpose, stateOf(subject, purpose, e ? [e] : [], now));
  }
  return out;
}

/** The grants in force for a purpose, by subject. */
async function grantsInForce(client: SqlClient, purpose: string, now: Date): Promise<ConsentEvent[]> {
  // the latest event of every subject for the purpose; a grant past its end date reads as expired
  const { rows } = await client.query<Row>(
    `SELECT DISTINCT ON (subject) subject, purpose, sequence, id, type, at, body
           FROM purposeful_consent_events WHERE purpose = $1
          ORDER BY subject, sequence DESC`,
    [purpose],
  );
  const out: ConsentEvent[] = [];
  for (const r of rows) {
    const state = stateOf(r.subject, purpose, [toEvent(r)], now);
    if (state.status === 'granted' && state.event) out.push(state.event);
  }
  return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/** A subject's events, for one purpose or all. */
async function history(client: SqlClient, subject: string, purpose: string | undefined): Promise<ConsentEvent[]> {
  const { rows } =
    purpose === undefined
      ? await client.query<Row>(
          // oldest first, each purpose in sequence order: an event dated before its predecessor sorts at the predecessor's time
          `SELECT subject, purpose, sequence, id, type, at, body FROM purposeful_consent_events WHERE subject = $1
                ORDER BY max(at) OVER (PARTITION BY purpose ORDER BY sequence), purpose, sequence`,
          [subject],
        )
      : await client.query<Row>(
          'SELECT subject, purpose, sequence, id, type, at, body FROM purposeful_consent_events WHERE subject = $1 AND purpose = $2 ORDER BY sequence',
          [subject, purpose],
        );
  return rows.map(toEvent);
}

function isWellFormedText(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
