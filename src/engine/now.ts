/**
 * The engine's calls as the HTTP pipeline makes them: the same checks as
 * `inbound`, `open` and `authorize`, answering at once when nothing has to be
 * awaited (no ledger round trip, no encrypted field to open, no asynchronous
 * refinement) and with a promise only when something has. The public methods
 * are these, made async; the pipeline reaches them through {@link engineNow}
 * so a request whose every step is synchronous pays no promise per step.
 *
 * An engine made by `createPurposeful` carries them as an own, non-enumerable,
 * symbol-keyed member: not part of the public `Purposeful` type, invisible to
 * spreads and `Object.keys`, and not carried over by a copy or a wrapper
 * (which the pipeline then calls through its public methods).
 *
 * @module
 * @internal
 */
import type { PurposeContext } from '../engine-context.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Now } from '../util/now.js';

/** The synchronous-when-possible calls of one engine. */
export interface EngineNow {
  inbound(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown>;
  open(schema: PurposefulSchema, row: unknown, ctx: PurposeContext): Now<unknown>;
  authorize(schema: PurposefulSchema, ctx: PurposeContext): Now<void>;
  /**
   * Whether `record` is one the public `open` returned for `schema` and the same purpose, actor (and subject, when
   * `ctx` names one): a handler's answer already opened, passed on as it is.
   */
  opened(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): boolean;
}

const NOW: unique symbol = Symbol('purposeful.engineNow');

/** Gives an engine (before it is frozen) its synchronous-when-possible calls. */
export function attachNow(engine: object, now: EngineNow): void {
  Object.defineProperty(engine, NOW, { value: now, enumerable: false, writable: false, configurable: false });
}

/** The synchronous-when-possible calls of an engine made by `createPurposeful`; `undefined` for any other object. */
export function engineNow(engine: object): EngineNow | undefined {
  return Object.hasOwn(engine, NOW) ? (engine as { [NOW]: EngineNow })[NOW] : undefined;
}
