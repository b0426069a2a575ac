/**
 * The access log is personal data about subjects and staff: it is kept for a
 * purpose of its own, with a legal basis and a retention, and it appears in
 * the data map like any other processing.
 *
 * @module
 */
import { z } from 'zod';
import { pd } from '../schema/annotation.js';
import { defineSchema } from '../schema/define.js';
import type { PurposeDeclaration, Purposes, Retention } from '../schema/purposes.js';
import type { LegalBasisMap } from '../taxonomy/bases.js';

/**
 * The default id of the access log's purpose.
 *
 * @example
 * ```ts
 * const purposes = definePurposes({ ...mine, [ACCESS_LOG_PURPOSE]: accessLogPurpose({ retention: 'P5Y' }) });
 * ```
 */
export const ACCESS_LOG_PURPOSE = 'security.access_log';

/**
 * The declaration of the access log's purpose, to put in `definePurposes`.
 * The retention is yours to decide (no default): keep it at least as long as
 * incidents must be answerable. The default bases are legal obligations: the
 * record of processing and security duties (LGPD Art. 37, 46; GDPR Art. 5(2),
 * 30, 32); pass `legalBasis` to state others.
 *
 * @example
 * ```ts
 * export const purposes = definePurposes({
 *   'support.ticket': { … },
 *   'security.access_log': accessLogPurpose({ retention: 'P5Y', roles: ['dpo', 'security'] }),
 * });
 * ```
 */
export function accessLogPurpose(options: {
  readonly retention: Retention;
  readonly legalBasis?: LegalBasisMap;
  readonly roles?: readonly string[];
}): PurposeDeclaration {
  return {
    description: 'Record who accessed which personal data, when and for which purpose, to detect misuse and answer for it',
    legalBasis: options.legalBasis ?? { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
    retention: options.retention,
    ...(options.roles ? { roles: options.roles } : {}),
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
 */
export function accessLogSchema(purposes: Purposes, purpose: string = ACCESS_LOG_PURPOSE) {
  const only = [purpose];
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
