/**
 * The engine's calls on one value, each the sequence of its steps:
 *
 * - `inbound`: resolve → minimize (undeclared fields refused) → validate → redact free text → consent; partial
 *   (an update): the same over the fields given, none required, no default filled in;
 * - `open`: resolve → second factor → objections and consent → blockings → decrypt what the purpose may see →
 *   restrictions → project;
 * - `outbound`: resolve → objections and consent → blockings and restrictions → second factor → project;
 * - `authorize`: resolve → second factor → with a subject, objections, consent and blockings; without one,
 *   objections to the purpose for schemas without subjects;
 * - `seal`: resolve → a record → objections → blockings → seal.
 *
 * Every step answers at once when nothing has to be awaited; the access log
 * wraps each call whole (see `./events.ts`).
 *
 * @module
 * @internal
 */
import type { PurposeContext } from '../engine-context.js';
import { PurposefulError } from '../errors.js';
import { assertOpens } from '../rights/restriction.js';
import type { PurposefulSchema } from '../schema/define.js';
import { carriesRestriction, type RowBlock } from '../schema/restriction.js';
import type { Now } from '../util/now.js';
import type { Access } from './access.js';
import type { EngineConfig } from './config.js';
import type { EngineNow } from './now.js';
import { minimizeInbound, outboundPlan, projectOutbound } from './projection.js';
import { redactFreeText } from './redaction.js';
import { type Resolved, resolve } from './resolve.js';
import { type Validated, validateInbound, validData } from './validate.js';
import { openVisible, sealStored } from './vault.js';

/** The calls before the access log wraps them. */
export interface EngineCalls extends Omit<EngineNow, 'opened'> {
  /** `inbound` of the fields given only (an update): each checked and validated, none required. */
  inboundPartial(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown>;
  outbound(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<unknown>;
  seal(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<Record<string, unknown>>;
}

export function engineCalls(config: EngineConfig, access: Access): EngineCalls {
  /** The end of `inbound` once zod has answered: issues refused, free text redacted, then consent. */
  const admit: Validated = (schema, r, ctx, result) => {
    const data = validData(schema, r, result);
    redactFreeText(config.freeText, config.onRedaction, schema, r.purpose, data);
    // consent last: no ledger round trip for input that is refused anyway
    const checking = access.consent(schema, r, ctx, 'inbound');
    return checking ? checking.then(() => data) : data;
  };

  /** What `open` does once the request is resolved and consent allows: decrypt what the purpose may see, then project. */
  const openResolved = (schema: PurposefulSchema, row: unknown, r: Resolved, held?: readonly RowBlock[]): Now<unknown> => {
    const plan = outboundPlan(config, schema, r);
    const minimize = (opened: unknown) => {
      // a row an erasure or a blocking restricted opens only what the law still allows (LGPD Art. 16, 18 IV; GDPR
      // Art. 17(3), 18); after the keys spoke, so that what is erased says so first
      assertOpens(schema, row, r.purpose, plan.levels, r.jurisdictions, undefined, held);
      return projectOutbound(config, schema, opened, r, false);
    };
    const visible = plan.visibleEncrypted;
    return visible.size === 0 ? minimize(row) : openVisible(config, schema, row, r, visible).then(minimize);
  };
  /** `openResolved` once the blocking store has answered for the subject. */
  const openHeld = (schema: PurposefulSchema, row: unknown, r: Resolved): Now<unknown> => {
    const held = access.heldFor(schema, r.subjectId);
    return held instanceof Promise ? held.then((h) => openResolved(schema, row, r, h)) : openResolved(schema, row, r, held);
  };

  return Object.freeze({
    inbound(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown> {
      const r = resolve(config, schema, ctx, data);
      const minimized = minimizeInbound(config, schema, r, data);
      return validateInbound(config, schema, r, ctx, minimized, admit);
    },

    inboundPartial(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown> {
      const r = resolve(config, schema, ctx, data);
      const given = minimizeInbound(config, schema, r, data);
      const admitGiven: Validated = (s, rs, c, result) => {
        // a field left out stays out: a default the schema declares is for a new record, not for a change
        if (result.success && typeof given === 'object' && given !== null && typeof result.data === 'object') {
          const data = result.data as Record<string, unknown>;
          for (const key of Object.keys(data)) if (!Object.hasOwn(given, key)) delete data[key];
        }
        return admit(s, rs, c, result);
      };
      return validateInbound(config, schema, r, ctx, given, admitGiven, true);
    },

    open(schema: PurposefulSchema, row: unknown, ctx: PurposeContext): Now<unknown> {
      const r = resolve(config, schema, ctx, row);
      access.requireMfaForSensitive(schema, r, ctx); // before anything is decrypted
      const checking = access.consent(schema, r, ctx, 'outbound');
      return checking ? checking.then(() => openHeld(schema, row, r)) : openHeld(schema, row, r);
    },

    authorize(schema: PurposefulSchema, ctx: PurposeContext): Now<void> {
      const r = resolve(config, schema, ctx, undefined);
      access.requireMfaForSensitive(schema, r, ctx);
      if (r.subjectId !== undefined) {
        // a blocked subject's purpose is refused here too, as `open` would (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18)
        const checking = access.consent(schema, r, ctx, 'outbound');
        return checking ? checking.then(() => access.refuseBlocked(schema, r)) : access.refuseBlocked(schema, r);
      }
      // without a subject, consent and objections are checked on each record as it goes out; records that can never
      // name one are refused now while an objection to the purpose is in force (LGPD Art. 18 §2; GDPR Art. 21)
      if (schema.subject === undefined) return access.objected(schema.id, r.purpose, undefined);
    },

    async outbound(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<unknown> {
      const r = resolve(config, schema, ctx, record);
      const checking = access.consent(schema, r, ctx, 'outbound');
      if (checking) await checking;
      const holding = access.heldFor(schema, r.subjectId);
      const held = holding instanceof Promise ? await holding : holding;
      if (held || carriesRestriction(record)) {
        assertOpens(schema, record, r.purpose, outboundPlan(config, schema, r).levels, r.jurisdictions, undefined, held);
      }
      // second factor for clear sensitive fields, then the plan, which refuses a sealed value in a visible encrypted
      // field (`PF_SEALED_VALUE`: stored rows go out through `open`)
      access.requireMfaForSensitive(schema, r, ctx);
      return projectOutbound(config, schema, record, r, true);
    },

    async seal(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<Record<string, unknown>> {
      const r = resolve(config, schema, ctx, record);
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new PurposefulError('PF_INPUT_INVALID', `a "${schema.id}" record must be an object`, { schema: schema.id });
      }
      // an objection in force stops storing data for the purpose too (LGPD Art. 18 §2; GDPR Art. 21)
      await access.objected(schema.id, r.purpose, r.subjectId);
      const holding = access.heldFor(schema, r.subjectId);
      const held = holding instanceof Promise ? await holding : holding;
      return sealStored(config, schema, record, r, held);
    },
  });
}
