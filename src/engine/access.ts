/**
 * The access decision after the context is resolved: a second factor before
 * sensitive fields show in clear, the subject's objections and consent, and
 * the subject's blockings. Each step answers at once when nothing has to be
 * awaited, and with a promise only when a store or the ledger must be asked.
 *
 * @module
 * @internal
 */
import { CONSENT_MEMO, type ConsentMemo, checkConsent, memoHas } from '../consent/check.js';
import type { PurposeContext } from '../engine-context.js';
import { PurposefulError } from '../errors.js';
import { planFor } from '../minimize/cache.js';
import { type Blocking, blockingGate } from '../rights/blocking.js';
import { objectionGate } from '../rights/opposition.js';
import { assertNotBlocked, blocksFor } from '../rights/restriction.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { RowBlock } from '../schema/restriction.js';
import { type EngineConfig, unannotatedOf } from './config.js';
import type { Resolved } from './resolve.js';

export type Direction = 'inbound' | 'outbound';

/** The access decision of one engine. */
export interface Access {
  /** `PF_MFA_REQUIRED` when the purpose shows sensitive fields in clear only after a second factor the actor lacks. */
  requireMfaForSensitive(schema: PurposefulSchema, r: Resolved, ctx: PurposeContext): void;
  /** Objections in force, then consent, for purposes on consent; `undefined` when nothing had to be awaited. */
  consent(schema: PurposefulSchema, r: Resolved, ctx: PurposeContext, direction: Direction): void | Promise<void>;
  /** Refuses the purpose for the subject (or, without one, for records that never name one) while an objection is in force. */
  objected(schemaId: string, purpose: string, subjectId: string | undefined): void | Promise<void>;
  /** The blockings in force for the subject that cover the schema; `undefined` (no work) when none. */
  heldFor(schema: PurposefulSchema, subjectId: string | undefined): RowBlock[] | undefined | Promise<RowBlock[] | undefined>;
  /**
   * Refuses the purpose when the subject has a blocking of a field it would see. Nothing is allocated for a
   * subject without one, when the store answers synchronously.
   */
  refuseBlocked(schema: PurposefulSchema, r: Resolved): void | Promise<void>;
}

type ConsentStep = Access['consent'];

export function accessDecision(config: EngineConfig): Access {
  const objections = config.objections && objectionGate(config.objections);
  const blockingsOf = config.blockings && blockingGate(config.blockings);

  const heldFor: Access['heldFor'] = (schema, subjectId) => {
    if (blockingsOf === undefined || subjectId === undefined) return undefined;
    const b = blockingsOf(subjectId);
    if (!(b instanceof Promise)) return b.length ? blocksFor(schema, b) : undefined;
    return b.then((x: readonly Blocking[]) => (x.length ? blocksFor(schema, x) : undefined));
  };

  const consentStep: ConsentStep = (schema, r, ctx, direction) => checkConsentOnce(config, schema, r, ctx, direction);
  // an objection in force stops its purpose for its subject before consent is asked (LGPD Art. 18 §2; GDPR Art. 21)
  const consent: ConsentStep =
    objections === undefined
      ? consentStep
      : (schema, r, ctx, direction) => {
          const pending = objections(schema.id, r.purpose, r.subjectId);
          return pending ? pending.then(() => consentStep(schema, r, ctx, direction)) : consentStep(schema, r, ctx, direction);
        };

  return Object.freeze({
    requireMfaForSensitive(schema: PurposefulSchema, r: Resolved, ctx: PurposeContext): void {
      if (schema.purposes.get(r.purpose)?.declaration.mfa !== 'sensitive' || ctx.actor.mfa === true) return;
      const clear = planFor(schema, r.purpose, 'outbound', r.roles, unannotatedOf(config, schema)).clearSensitive;
      if (clear.length) {
        throw new PurposefulError(
          'PF_MFA_REQUIRED',
          `purpose "${r.purpose}" shows sensitive fields in clear only after a second factor`,
          {
            purpose: r.purpose,
            schema: schema.id,
            paths: clear,
          },
        );
      }
    },
    consent,
    objected: (schemaId: string, purpose: string, subjectId: string | undefined) => objections?.(schemaId, purpose, subjectId),
    heldFor,
    refuseBlocked(schema: PurposefulSchema, r: Resolved): void | Promise<void> {
      const held = heldFor(schema, r.subjectId);
      if (held === undefined) return;
      const refuse = (h: readonly RowBlock[] | undefined) => {
        if (h) {
          const levels = planFor(schema, r.purpose, 'outbound', r.roles, unannotatedOf(config, schema)).levels;
          assertNotBlocked(schema, r.purpose, levels, r.jurisdictions, h);
        }
      };
      return held instanceof Promise ? held.then(refuse) : refuse(held);
    },
  });
}

/**
 * The consent check of a resolved request: nothing for purposes that do not rest on consent; a promise only when
 * the ledger has to be asked. Within one HTTP request (the pipeline's context carries a memo) a check that passed
 * is not repeated.
 */
function checkConsentOnce(
  config: EngineConfig,
  schema: PurposefulSchema,
  r: Resolved,
  ctx: PurposeContext,
  direction: Direction,
): void | Promise<void> {
  const purpose = schema.purposes.get(r.purpose);
  if (!purpose || purpose.ledgerConsentUnder.length === 0) return;
  const { showsSensitive } = planFor(schema, r.purpose, direction, r.roles, unannotatedOf(config, schema));
  const memo = (ctx as { [CONSENT_MEMO]?: ConsentMemo })[CONSENT_MEMO];
  // everything the decision depends on: subject, purpose, sensitivity, age, the schema's minors policy (not the
  // schema itself: the body's and the record's schemas of one request share a check), laws
  const check = memo && {
    subject: r.subjectId,
    purpose: r.purpose,
    sensitive: showsSensitive,
    age: ctx.subjectAge,
    minors: schema.subject?.minors ?? 'never',
    jurisdictions: r.jurisdictions,
  };
  if (check && memoHas(memo, check)) return;
  const pending = checkConsent(config.consent, schema, purpose, r.jurisdictions, r.subjectId, ctx.subjectAge, showsSensitive);
  if (!check) return pending;
  if (pending === undefined) {
    memo.push(check);
    return;
  }
  return pending.then(() => {
    memo.push(check);
  });
}
