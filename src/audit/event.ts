/**
 * Access events: one per decision of the engine, chained by hash. An event
 * names the actor, the subject by a keyed reference (never the id or any
 * personal value), the schema, the field paths and categories touched, the
 * purpose and its legal basis, and the decision with its reason.
 *
 * @module
 */

import canonicalizeModule from 'canonicalize';
import { sha256Hex } from '../util/sha256.js';

/**
 * RFC 8785 (JCS) canonical JSON. `canonicalize` 2.x is CommonJS (`module.exports`
 * is the function; Node and bundlers hand it over as the default import) while
 * its typings declare an ES default export: both shapes are accepted.
 */
type Canonicalize = (value: unknown) => string | undefined;
const canonicalize: Canonicalize =
  typeof canonicalizeModule === 'function'
    ? (canonicalizeModule as Canonicalize)
    : (canonicalizeModule as unknown as { default: Canonicalize }).default;

/**
 * What the engine was asked to do.
 *
 * @example
 * ```ts
 * const reads: AccessAction[] = ['open', 'outbound'];
 * const reading = (e: AccessEvent) => reads.includes(e.action);
 * ```
 * @category Access log
 */
export type AccessAction = 'inbound' | 'outbound' | 'open' | 'seal' | 'authorize' | 'shred' | 'rights' | 'retention';

/**
 * One decision as the engine hands it to the access log, before it is chained:
 * the subject still as its id, which the log turns into a keyed reference.
 *
 * @example
 * ```ts
 * log.record({
 *   time: new Date().toISOString(), action: 'open', decision: 'allow',
 *   actor: { id: 'agent-7', roles: ['support'], mfa: false }, subjectId: customerId,
 *   schema: 'customer', fields: ['cpf', 'email'], categories: ['user.contact.email', 'user.government_id'],
 *   sensitive: false, purpose: 'support.ticket', legalBasis: { lgpd: 'contract', gdpr: 'contract' },
 * });
 * ```
 * @category Access log
 */
export interface AccessRecord {
  /**
   * ISO 8601 time of the decision, with a zone. The log stores it in UTC with
   * milliseconds (`toISOString()`'s form), so that every sink orders and
   * filters times alike; a time without a zone is refused (`PF_INPUT_INVALID`).
   */
  readonly time: string;
  readonly action: AccessAction;
  readonly decision: 'allow' | 'deny';
  /** The `PF_…` code of a denial. */
  readonly reason?: string;
  readonly actor: { readonly id: string; readonly roles: readonly string[]; readonly mfa: boolean };
  /** The subject's id: the log keeps only its keyed reference. */
  readonly subjectId?: string;
  readonly schema?: string;
  /** The field paths the decision touched (the fields the purpose may see or send). */
  readonly fields: readonly string[];
  /** Their categories, sorted, without repeats. */
  readonly categories: readonly string[];
  /** Whether any of them is sensitive data. */
  readonly sensitive: boolean;
  readonly purpose?: string;
  /** The purpose's legal basis per law in force. */
  readonly legalBasis?: Readonly<Record<string, string>>;
  /** The consent event that allowed it, where consent applies. */
  readonly consentReceipt?: string;
  /** The request id, when the caller gives one. */
  readonly requestId?: string;
  /** How many records one call touched (`openMany`, `sealMany`). */
  readonly records?: number;
}

/**
 * An access event as stored: the record with the subject as a keyed
 * reference, its place in its writer's chain, and the chain links.
 * `hash` = hex SHA-256 of the ASCII `prev` followed by the RFC 8785
 * canonical JSON of every other property.
 *
 * @example
 * ```ts
 * const [first] = await sink.read();
 * first?.seq;  // 1
 * first?.prev; // '0000…0000' (64 zeros): the start of a chain
 * first?.subject; // 'sr_…': an HMAC of the subject id, never the id
 * ```
 * @category Access log
 */
export interface AccessEvent extends Omit<AccessRecord, 'subjectId'> {
  /** Format version. */
  readonly v: 1;
  /** The writer: one chain per log instance and epoch. */
  readonly chain: string;
  /** Position in the chain, from 1, without gaps. */
  readonly seq: number;
  /** The keyed reference of the subject (`sr_` + base64url HMAC-SHA-256). */
  readonly subject?: string;
  /** The hash of the previous event of the chain (64 zeros for the first). */
  readonly prev: string;
  readonly hash: string;
}

/**
 * The `prev` of the first event of every chain.
 *
 * @example
 * ```ts
 * const starts = events.filter((e) => e.prev === GENESIS_HASH); // one per chain
 * ```
 * @category Access log
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash an event must carry: hex SHA-256 over the ASCII previous hash
 * followed by the RFC 8785 canonical JSON of the event without `hash`
 * and `prev`.
 *
 * @example
 * ```ts
 * const ok = accessEventHash(event) === event.hash;
 * ```
 * @category Access log
 */
export function accessEventHash(event: Omit<AccessEvent, 'hash'> & { hash?: string }): string {
  const { hash: _hash, prev, ...body } = event;
  return chainHash(prev, body);
}

/** The hash of an event body (everything but `prev` and `hash`) after `prev`. @internal */
export function chainHash(prev: string, body: object): string {
  const json = canonicalize(body);
  if (json === undefined) throw new TypeError('an access event must be JSON');
  return sha256Hex(prev + json);
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` with each field in range (a day up to 31 in any month): one regular expression, since it runs per record. */
const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const isCanonicalTime = (s: string): boolean => CANONICAL_TIME.test(s);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 time in the one form the log stores and compares: UTC with
 * milliseconds and `Z`, what `Date.prototype.toISOString()` gives, so that
 * text order is time order on every sink (and in a PostgreSQL index over the
 * hashed event). A date, or a date-time with a zone, is converted; anything
 * else (no zone, out of range, not a time) is `undefined`.
 * @internal
 */
export function canonicalTime(s: string): string | undefined {
  if (isCanonicalTime(s)) return s;
  if (!ISO_TIME.test(s)) return undefined;
  const t = Date.parse(s.length === 10 ? `${s}T00:00:00.000Z` : s);
  if (Number.isNaN(t)) return undefined;
  const out = new Date(t).toISOString();
  return isCanonicalTime(out) ? out : undefined;
}
