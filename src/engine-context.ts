/**
 * Who acts and for what: the context every engine call and the HTTP pipeline
 * carry.
 *
 * @module
 */
import type { Jurisdiction } from './taxonomy/bases.js';

/**
 * Who is asking.
 *
 * @example
 * ```ts
 * const actor: Actor = { id: 'agent-7', roles: ['support', 'supervisor'], mfa: true };
 * const view = await pf.outbound(Customer, record, { purpose: 'support.ticket', actor });
 * ```
 * @category Engine
 */
export interface Actor {
  /** A stable id of the person or service acting (an agent id, a service name). */
  readonly id: string;
  /** Roles, matched against a purpose's `roles` and role-dependent access levels. */
  readonly roles?: readonly string[];
  /** Whether the actor authenticated with a second factor. */
  readonly mfa?: boolean;
}

/**
 * The context of one request.
 *
 * @example
 * ```ts
 * const ctx: PurposeContext<'support.ticket'> = {
 *   purpose: 'support.ticket',
 *   actor: { id: 'agent-7', roles: ['support'] },
 *   subjectId: customerId, // must match the record's subject id field, or PF_SUBJECT_MISMATCH
 * };
 * const view = await pf.outbound(Customer, record, ctx);
 * ```
 * @category Engine
 */
export interface PurposeContext<P extends string = string> {
  /** The declared purpose the data is processed for. */
  readonly purpose: P;
  /** Who is asking. */
  readonly actor: Actor;
  /** The subject, when the record does not carry it (the record's `subject.id` field wins; a mismatch is an error). */
  readonly subjectId?: string;
  /** The subject's age, when known: minors bring LGPD Art. 14 / GDPR Art. 8. */
  readonly subjectAge?: number;
  /** Narrow the jurisdictions in force for this subject (a subset of the engine's). */
  readonly jurisdictions?: readonly Jurisdiction[];
  /** The request's id, carried into the access log. */
  readonly requestId?: string;
}
