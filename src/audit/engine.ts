/**
 * How the engine records its decisions: every call is run inside `around`,
 * which refuses a blocked actor first, then records the call's outcome
 * (allow, or deny with the error's code) once it is known. Recording only
 * queues the event; if the log cannot take it, an allowed call fails with
 * `PF_AUDIT_UNAVAILABLE` instead of returning data that was not logged.
 *
 * @module
 * @internal
 */

import { isPurposefulError, PurposefulError } from '../errors.js';
import { planFor } from '../minimize/cache.js';
import { resolveLevel } from '../minimize/plan.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { isPromise, type Now } from '../util/now.js';
import type { AccessAction, AccessRecord } from './event.js';
import type { AccessLog } from './log.js';

interface Touched {
  readonly fields: readonly string[];
  readonly categories: readonly string[];
  readonly sensitive: boolean;
}

const NOTHING: Touched = Object.freeze({ fields: Object.freeze([]), categories: Object.freeze([]), sensitive: false });
const NO_ROLES: readonly string[] = Object.freeze([]);

/** The context as the log needs it, read defensively: `resolve` has not checked it yet. */
interface LooseContext {
  readonly purpose?: unknown;
  readonly actor?: { readonly id?: unknown; readonly roles?: unknown; readonly mfa?: unknown };
  readonly subjectId?: unknown;
  readonly requestId?: unknown;
}

export interface Auditor {
  /**
   * Runs one engine call and records its decision. `subject` reads the
   * subject from the record when the context does not name it.
   */
  around<T>(
    action: AccessAction,
    direction: 'inbound' | 'outbound',
    schema: PurposefulSchema,
    ctx: LooseContext,
    subject: () => string | undefined,
    run: () => Now<T>,
    logAllow?: boolean,
  ): Now<T>;
  /** Records a decision made outside a schema call (shredding). */
  record(record: AccessRecord): void;
}

/**
 * The consent event in force for an allowed call, where the ledger can tell at
 * once (in memory, or a fresh PostgreSQL cache entry); `undefined` otherwise.
 */
export type ReceiptOf = (subjectId: string, purpose: string) => string | undefined;

/** What an event says of a schema call beyond its decision: the fields it touched, and the purpose's bases in force. */
interface EventFacts {
  touched(schema: PurposefulSchema, purpose: string, direction: 'inbound' | 'outbound', roles: readonly string[]): Touched;
  basisOf(schema: PurposefulSchema, purpose: string): Readonly<Record<string, string>>;
}

/** The facts of events, worked out once per plan and per purpose. */
function eventFacts(inForce: readonly Jurisdiction[]): EventFacts {
  const touchedByPlan = new WeakMap<object, Touched>();
  const bases = new Map<string, Readonly<Record<string, string>>>();
  return {
    touched(schema, purpose, direction, roles) {
      if (schema.purposes.get(purpose) === undefined) return NOTHING;
      const plan = planFor(schema, purpose, direction, roles);
      let t = touchedByPlan.get(plan);
      if (!t) {
        const fields = schema.fields.filter((f) => resolveLevel(f.access.get(purpose), roles) !== 'none');
        t = Object.freeze({
          fields: Object.freeze(fields.map((f) => f.path)),
          categories: Object.freeze([...new Set(fields.map((f) => f.category))].sort()),
          sensitive: fields.some((f) => f.sensitive),
        });
        touchedByPlan.set(plan, t);
      }
      return t;
    },
    basisOf(schema, purpose) {
      let b = bases.get(purpose);
      if (!b) {
        const declared = schema.purposes.get(purpose)?.declaration.legalBasis ?? {};
        const out: Record<string, string> = {};
        for (const j of inForce) if (declared[j] !== undefined) out[j] = declared[j] as string;
        b = Object.freeze(out);
        bases.set(purpose, b);
      }
      return b;
    },
  };
}

export function auditor(log: AccessLog, inForce: readonly Jurisdiction[], receiptOf?: ReceiptOf): Auditor {
  const { touched, basisOf } = eventFacts(inForce);

  return {
    record: (r) => log.record(r),
    around<T>(
      action: AccessAction,
      direction: 'inbound' | 'outbound',
      schema: PurposefulSchema,
      ctx: LooseContext,
      subject: () => string | undefined,
      run: () => Now<T>,
      logAllow = true,
    ): Now<T> {
      const c = (typeof ctx === 'object' && ctx !== null ? ctx : {}) as LooseContext;
      const a = typeof c.actor === 'object' && c.actor !== null ? c.actor : {};
      const actorId = typeof a.id === 'string' && a.id !== '' ? a.id : '(none)';
      const roles = Array.isArray(a.roles) && a.roles.every((r) => typeof r === 'string') ? (a.roles as string[]) : NO_ROLES;
      const purpose = typeof c.purpose === 'string' ? c.purpose : undefined;
      const write = (decision: 'allow' | 'deny', reason?: string) => {
        let subjectId = typeof c.subjectId === 'string' ? c.subjectId : undefined;
        if (subjectId === undefined) {
          try {
            subjectId = subject();
          } catch {
            subjectId = undefined;
          }
        }
        const t = purpose !== undefined ? touched(schema, purpose, direction, roles) : NOTHING;
        const rests = purpose !== undefined && (schema.purposes.get(purpose)?.ledgerConsentUnder.length ?? 0) > 0;
        const receipt =
          decision === 'allow' && rests && subjectId !== undefined ? receiptOf?.(subjectId, purpose as string) : undefined;
        log.record({
          time: new Date().toISOString(),
          action,
          decision,
          ...(reason !== undefined ? { reason } : {}),
          actor: { id: actorId, roles, mfa: a.mfa === true },
          ...(subjectId !== undefined ? { subjectId } : {}),
          schema: schema.id,
          fields: t.fields,
          categories: t.categories,
          sensitive: t.sensitive,
          ...(purpose !== undefined ? { purpose, legalBasis: basisOf(schema, purpose) } : {}),
          ...(receipt !== undefined ? { consentReceipt: receipt } : {}),
          ...(typeof c.requestId === 'string' ? { requestId: c.requestId } : {}),
        });
      };
      const deny = (err: unknown): never => {
        try {
          write('deny', isPurposefulError(err) ? err.code : 'error');
        } catch {
          // the refusal stands whether or not it could be logged
        }
        throw err;
      };
      if (log.watch?.isBlocked(actorId)) {
        deny(
          new PurposefulError(
            'PF_ACTOR_BLOCKED',
            'this actor is blocked by the anomaly watch until someone reviews and clears it',
            {
              article: 'LGPD Art. 46, 49; GDPR Art. 32',
            },
          ),
        );
      }
      let out: Now<T>;
      try {
        out = run();
      } catch (err) {
        return deny(err);
      }
      if (isPromise(out)) {
        return out.then((v) => {
          if (logAllow) write('allow');
          return v;
        }, deny);
      }
      if (logAllow) write('allow');
      return out;
    },
  };
}
