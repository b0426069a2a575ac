/**
 * Access events: with an access log, every engine call records its decision
 * (`authorize` only its refusals: `open` records the read), and a blocked
 * actor is refused before any data is touched (see `../audit/engine.ts`).
 * Without one, the calls run as they are.
 *
 * @module
 * @internal
 */
import { auditor } from '../audit/engine.js';
import { SYNC_STATUS } from '../consent/ledger.js';
import type { ShredResult } from '../crypto/vault.js';
import type { Actor, PurposeContext } from '../engine-context.js';
import { isPurposefulError, PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Now } from '../util/now.js';
import type { EngineConfig } from './config.js';
import { subjectOf } from './resolve.js';

/** A call on one schema value (an input, a record, a row). */
export type SchemaCall<T> = (schema: PurposefulSchema, value: unknown, ctx: PurposeContext) => Now<T>;
type AuthorizeCall = (schema: PurposefulSchema, ctx: PurposeContext) => Now<void>;

/** How the engine's calls are recorded. */
export interface AccessEvents {
  /** The call, recording each decision under `action`. */
  audited<T>(
    action: 'inbound' | 'open' | 'outbound' | 'seal',
    direction: 'inbound' | 'outbound',
    run: SchemaCall<T>,
  ): SchemaCall<T>;
  /** `authorize`, recording its refusals. */
  authorize(run: AuthorizeCall): AuthorizeCall;
  /**
   * A crypto-shredding, refused before anything happens to a blocked actor or when the log cannot record (an
   * erasure cannot be undone), then recorded.
   */
  shred(actor: Actor, subjectId: string, run: () => Promise<ShredResult>): Promise<ShredResult>;
}

const NO_ROLES: readonly string[] = Object.freeze([]);
const UNLOGGED: AccessEvents = Object.freeze({
  audited: <T>(_action: string, _direction: string, run: SchemaCall<T>) => run,
  authorize: (run: AuthorizeCall) => run,
  shred: (_actor: Actor, _subjectId: string, run: () => Promise<ShredResult>) => run(),
});

export function accessEvents(config: EngineConfig): AccessEvents {
  const log = config.audit;
  if (!log) return UNLOGGED;
  const ledger = config.consent.ledger;
  // the consent event in force for an allowed call, where the ledger can tell at once
  const aud = auditor(log, config.inForce, (subject, purpose) => {
    const sync = ledger ? SYNC_STATUS.get(ledger) : undefined;
    if (!ledger || !sync || sync.status !== ledger.status) return undefined;
    try {
      const state = sync.now(subject, purpose);
      return state?.status === 'granted' ? state.event?.id : undefined;
    } catch {
      return undefined;
    }
  });
  return Object.freeze({
    audited:
      <T>(
        action: 'inbound' | 'open' | 'outbound' | 'seal',
        direction: 'inbound' | 'outbound',
        run: SchemaCall<T>,
      ): SchemaCall<T> =>
      (schema, value, ctx) =>
        aud.around(
          action,
          direction,
          schema,
          ctx,
          () => subjectOf(schema, value),
          () => run(schema, value, ctx),
        ),
    authorize:
      (run: AuthorizeCall): AuthorizeCall =>
      (schema, ctx) =>
        aud.around(
          'authorize',
          'outbound',
          schema,
          ctx,
          () => undefined,
          () => run(schema, ctx),
          false,
        ),
    async shred(actor: Actor, subjectId: string, run: () => Promise<ShredResult>): Promise<ShredResult> {
      const logged = (decision: 'allow' | 'deny', reason?: string) =>
        aud.record({
          time: new Date().toISOString(),
          action: 'shred',
          decision,
          ...(reason !== undefined ? { reason } : {}),
          actor: { id: actor.id, roles: actor.roles ?? NO_ROLES, mfa: actor.mfa === true },
          ...(typeof subjectId === 'string' ? { subjectId } : {}),
          fields: [],
          categories: [],
          sensitive: false,
        });
      let result: ShredResult;
      try {
        if (log.watch?.isBlocked(actor.id)) {
          throw new PurposefulError(
            'PF_ACTOR_BLOCKED',
            'this actor is blocked by the anomaly watch until someone reviews and clears it',
          );
        }
        log.assertWritable();
        result = await run();
      } catch (err) {
        try {
          logged('deny', isPurposefulError(err) ? err.code : 'error');
        } catch {
          // the failure stands whether or not it could be logged
        }
        throw err;
      }
      try {
        logged('allow');
      } catch {
        // the erasure is done and cannot be taken back: its receipt goes out; the log's failure shows at the next call
      }
      return result;
    },
  });
}
