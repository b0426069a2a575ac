/**
 * The engine's calls as the HTTP pipeline makes them: the same checks as
 * `inbound`, `open` and `authorize`, answering at once when nothing has to be
 * awaited (no ledger round trip, no encrypted field to open, no asynchronous
 * refinement) and with a promise only when something has. The public methods
 * are these, made async; the pipeline calls them directly so a request whose
 * every step is synchronous pays no promise per step.
 *
 * @module
 * @internal
 */
import type { PurposeContext } from './engine.js';
import type { PurposefulSchema } from './schema/define.js';

/** A value now, or a promise of it when something had to be awaited. */
export type Now<T> = T | Promise<T>;

export interface EngineNow {
  inbound(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown>;
  open(schema: PurposefulSchema, row: unknown, ctx: PurposeContext): Now<unknown>;
  authorize(schema: PurposefulSchema, ctx: PurposeContext): Now<void>;
}

/** Engines made by `createPurposeful`, with their synchronous-when-possible calls. */
export const ENGINE_NOW = new WeakMap<object, EngineNow>();

/**
 * Whether an engine step answered with a promise. The steps return native
 * promises only, and a record's own `then` field must not pass for one, so
 * this is `instanceof`, not a thenable test.
 */
export function isPromise<T>(v: Now<T>): v is Promise<T> {
  return v instanceof Promise;
}
