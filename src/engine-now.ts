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
import type { PurposeContext } from './engine-context.js';
import type { PurposefulSchema } from './schema/define.js';
import type { Now } from './util/now.js';

export interface EngineNow {
  inbound(schema: PurposefulSchema, data: unknown, ctx: PurposeContext): Now<unknown>;
  open(schema: PurposefulSchema, row: unknown, ctx: PurposeContext): Now<unknown>;
  authorize(schema: PurposefulSchema, ctx: PurposeContext): Now<void>;
}

/** Engines made by `createPurposeful`, with their synchronous-when-possible calls. */
export const ENGINE_NOW = new WeakMap<object, EngineNow>();
