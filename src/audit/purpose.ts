/**
 * The access log is personal data about subjects and staff: it is kept for a
 * purpose of its own, with a legal basis the controller chooses and a
 * retention, and it appears in the data map like any other processing.
 *
 * @module
 */
import { z } from 'zod';
import { PurposefulError } from '../errors.js';
import { pd } from '../schema/annotation.js';
import { defineSchema } from '../schema/define.js';
import type { PurposeDeclaration, Purposes, Retention } from '../schema/purposes.js';
import type { RegisteredPurpose } from '../schema/register.js';
import { problem } from '../schema/rules.js';
import type { LegalBasisMap } from '../taxonomy/bases.js';

/**
 * The default id of the access log's purpose.
 *
 * @example
 * ```ts
 * const legalBasis = { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' } as const;
 * const purposes = definePurposes({ ...mine, [ACCESS_LOG_PURPOSE]: accessLogPurpose({ retention: 'P5Y', legalBasis }) });
 * ```
 * @category Access log
 */
export const ACCESS_LOG_PURPOSE = 'security.access_log';

/** The articles an access log serves: security and demonstrable accountability. */
const SECURITY_ARTICLES = 'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32';
/** The basis most controllers have for it, suggested when none is chosen. */
const SUGGESTED_BASIS = "legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' }";

/**
 * The declaration of the access log's purpose, to put in `definePurposes`.
 * The log serves security and demonstrable accountability (LGPD Art. 6 X,
 * 46, 49; GDPR Art. 5(2), 24, 32). Neither its retention nor its legal basis
 * has a default: both are the controller's choice. Most controllers rest it on
 * legitimate interest in security (LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)),
 * with the transparency Art. 10 §2 asks; a controller that a rule of its
 * sector obliges to log accesses declares `legal_obligation` and names the
 * rule in `obligation`. The record of processing (LGPD Art. 37; GDPR Art. 30)
 * is no duty to log each access. Without a basis it throws
 * `PF_DECLARATION_INVALID` (`PF_DECL_LEGAL_BASIS_MISSING`).
 *
 * @example
 * ```ts
 * export const purposes = definePurposes({
 *   'support.ticket': { … },
 *   'security.access_log': accessLogPurpose({
 *     retention: 'P5Y',
 *     legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' }, // LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)
 *     roles: ['dpo', 'security'],
 *   }),
 * });
 * ```
 * @category Access log
 */
export function accessLogPurpose(options: {
  readonly retention: Retention;
  /** Your choice: legitimate interest (LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)) for most controllers. */
  readonly legalBasis: LegalBasisMap;
  readonly roles?: readonly string[];
  /** With a `legal_obligation` basis: the rule that obliges you to log accesses. */
  readonly obligation?: string;
}): PurposeDeclaration {
  const basis = options?.legalBasis;
  if (typeof basis !== 'object' || basis === null || Object.values(basis).every((b) => b === undefined)) {
    const message = `the access log's purpose has no default legal basis: choose one, e.g. ${SUGGESTED_BASIS} (LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)); it serves security (${SECURITY_ARTICLES})`;
    throw new PurposefulError('PF_DECLARATION_INVALID', `accessLogPurpose(): ${message}`, {
      article: 'LGPD Art. 7; GDPR Art. 6(1)',
      problems: [problem('PF_DECL_LEGAL_BASIS_MISSING', message, { purpose: ACCESS_LOG_PURPOSE })],
    });
  }
  return {
    description: 'Record who accessed which personal data, when and for which purpose, to detect misuse and answer for it',
    legalBasis: basis,
    retention: options.retention,
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.obligation !== undefined ? { obligation: options.obligation } : {}),
    dataUse: 'essential.service.security',
    mfa: 'always',
  };
}

/**
 * The schema of an access event, so the log appears in the data map (export
 * it from a module your `purposeful.config.ts` lists). Staff are its subjects;
 * customers appear only as keyed references.
 *
 * @example
 * ```ts
 * export const AccessEvents = accessLogSchema(purposes); // purposeful map now lists security.access_log
 * ```
 * @category Access log
 */
export function accessLogSchema(purposes: Purposes, purpose: string = ACCESS_LOG_PURPOSE) {
  const only = [purpose] as readonly RegisteredPurpose[]; // the application's registry holds it, when one is registered
  return defineSchema(
    'purposeful.access_event',
    z.object({
      v: pd.none(z.literal(1)),
      chain: pd.none(z.string()),
      seq: pd.none(z.number().int()),
      time: pd(z.string(), { category: 'system.operations', purposes: only }),
      action: pd.none(z.string()),
      decision: pd.none(z.enum(['allow', 'deny'])),
      reason: pd.none(z.string().optional()),
      actor: z.object({
        id: pd(z.string(), { category: 'user.unique_id', purposes: only, description: 'the staff member or service that acted' }),
        roles: pd(z.array(z.string()), { category: 'user.authorization', purposes: only }),
        mfa: pd(z.boolean(), { category: 'user.authorization', purposes: only }),
      }),
      subject: pd(z.string().optional(), {
        category: 'user.unique_id.pseudonymous',
        purposes: only,
        description: 'keyed reference (HMAC) of the customer whose data was accessed',
      }),
      schema: pd.none(z.string().optional()),
      fields: pd.none(z.array(z.string())),
      categories: pd.none(z.array(z.string())),
      sensitive: pd.none(z.boolean()),
      purpose: pd.none(z.string().optional()),
      legalBasis: pd.none(z.record(z.string(), z.string()).optional()),
      consentReceipt: pd.none(z.string().optional()),
      requestId: pd.none(z.string().optional()),
      records: pd.none(z.number().int().optional()),
      prev: pd.none(z.string()),
      hash: pd.none(z.string()),
    }),
    { purposes, subject: { kind: 'employee', id: 'actor.id', minors: 'never' } },
  );
}
