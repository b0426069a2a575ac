/**
 * What an erasure, a revocation or a blocking answers: each field's outcome,
 * and for a retained one, the purposes that keep it and until when.
 *
 * @module
 */
import type { ErasureGround } from '../schema/grounds.js';
import type { PassedOn } from './notice-types.js';

/**
 * What happened to one field of an erasure or a revocation.
 *
 * @example
 * ```ts
 * const f: ErasedField = { schema: 'invoice', record: 'NF-1', field: 'taxId', outcome: 'retained',
 *   reason: 'LGPD Art. 16 I: kept under a legal obligation (billing.invoice, P5Y)' };
 * ```
 * @category Rights and retention
 */
export interface ErasedField {
  readonly schema: string;
  readonly record?: string;
  readonly field: string;
  /**
   * `deleted`; `anonymized`: deleted, and a generalized form kept in an
   * anonymous copy (the field's `anonymize`, only ever a form that removes
   * what identifies the person, LGPD Art. 12; nothing merely pseudonymized
   * is kept: it would still be personal data, Art. 13 §4); `retained` on an
   * erasure ground (LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)), with the reason
   * and `keptFor`.
   */
  readonly outcome: 'deleted' | 'anonymized' | 'retained';
  readonly reason: string;
  /**
   * For a `retained` field: each purpose that keeps it, on which ground
   * (article), and until when it opens for that purpose; the field opens for no
   * other purpose (LGPD Art. 16; GDPR Art. 17(3)).
   */
  readonly keptFor?: readonly KeptFor[];
  /** For a `retained` field: when the last of its grounds ends. */
  readonly until?: string;
}

/**
 * One purpose keeping a field after an erasure: its ground, the article, and
 * the end of its retention counted from the erasure.
 *
 * @example
 * ```ts
 * const k: KeptFor = { purpose: 'billing.invoice', ground: 'legal_obligation',
 *   article: 'LGPD Art. 16 I; GDPR Art. 17(3)(b)', until: '2031-11-28T12:00:00.000Z' };
 * ```
 * @category Rights and retention
 */
export interface KeptFor {
  readonly purpose: string;
  readonly ground: ErasureGround;
  readonly article: string;
  readonly until: string;
}

/**
 * The answer to an erasure request: per field what was done and why, and the
 * signed receipt of the crypto-shredding.
 *
 * @example
 * ```ts
 * const { fields, receipt } = await pf.rights.erase(request.id);
 * fields.filter((f) => f.outcome === 'retained'); // what a ground keeps: keptFor says for which purpose, on which article, until when
 * ```
 * @category Rights and retention
 */
export interface ErasureAnswer extends PassedOn {
  readonly fields: readonly ErasedField[];
  /** The signed erasure receipt (JWS), when encrypted data was shredded. */
  readonly receipt?: string;
  /** Retained keys kept past the erasure for the purposes with erasure grounds, and until when (the longest retention). */
  readonly retainedUntil: readonly { readonly purposes: readonly string[]; readonly until: string }[];
  /** When the erasure has reached every key-store backup. */
  readonly backupsClearBy?: string;
}

/**
 * The answer to a blocking or to its lifting: the fields concerned and who was told.
 *
 * @example
 * ```ts
 * const { fields, notified } = await pf.rights.block(request.id, { fields: [{ schema: 'customer', field: 'email' }] });
 * ```
 * @category Rights and retention
 */
export interface BlockingAnswer extends PassedOn {
  readonly fields: readonly { readonly schema: string; readonly record?: string; readonly field: string }[];
}
