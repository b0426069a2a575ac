/**
 * The copy of an access record that the log queues: every string checked to be
 * storable by any sink, lists frozen, the time made canonical. Checked when
 * recorded, so that a value no sink can store never poisons a batch.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import { isWellFormed } from '../util/bytes.js';
import { type AccessRecord, canonicalTime } from './event.js';

/** A string every sink can store: well-formed UTF-16 (no lone surrogate, which canonical JSON refuses) and no NUL (which PostgreSQL refuses). */
function storable(s: unknown, what: string): string {
  if (typeof s !== 'string') throw new PurposefulError('PF_INPUT_INVALID', `an access record's ${what} must be a string`);
  if (s.includes('\u0000') || !isWellFormed(s)) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `an access record's ${what} holds a character no log can store (NUL or a lone surrogate)`,
    );
  }
  return s;
}

const strings = (xs: unknown, what: string): readonly string[] => {
  if (!Array.isArray(xs)) throw new PurposefulError('PF_INPUT_INVALID', `an access record's ${what} must be a list of strings`);
  for (const x of xs) storable(x, what);
  // a frozen list (the engine's, compiled once per plan) cannot change; any other is copied
  return Object.isFrozen(xs) ? xs : Object.freeze([...xs]);
};

/** The record as it will be stored, copied and checked. */
export function snapshotOf(r: AccessRecord): AccessRecord {
  if (typeof r !== 'object' || r === null || typeof r.actor !== 'object' || r.actor === null) {
    throw new PurposefulError('PF_INPUT_INVALID', 'an access record needs an actor');
  }
  const time = canonicalTime(storable(r.time, 'time'));
  if (time === undefined) {
    throw new PurposefulError('PF_INPUT_INVALID', "an access record's time must be an ISO 8601 date-time with a zone");
  }
  const out: Record<string, unknown> = {
    time,
    action: storable(r.action, 'action'),
    decision: storable(r.decision, 'decision'),
    actor: Object.freeze({
      id: storable(r.actor.id, 'actor id'),
      roles: strings(r.actor.roles, 'roles'),
      mfa: r.actor.mfa === true,
    }),
    fields: strings(r.fields, 'fields'),
    categories: strings(r.categories, 'categories'),
    sensitive: r.sensitive === true,
  };
  if (r.reason !== undefined) out.reason = storable(r.reason, 'reason');
  if (r.subjectId !== undefined) out.subjectId = storable(r.subjectId, 'subject');
  if (r.schema !== undefined) out.schema = storable(r.schema, 'schema');
  if (r.purpose !== undefined) out.purpose = storable(r.purpose, 'purpose');
  if (r.legalBasis !== undefined) {
    const basis: Record<string, string> = {};
    for (const [law, b] of Object.entries(r.legalBasis)) basis[storable(law, 'law')] = storable(b, 'legal basis');
    out.legalBasis = Object.freeze(basis);
  }
  if (r.consentReceipt !== undefined) out.consentReceipt = storable(r.consentReceipt, 'consent receipt');
  if (r.requestId !== undefined) out.requestId = storable(r.requestId, 'request id');
  if (r.records !== undefined) out.records = r.records;
  return out as unknown as AccessRecord;
}
