/**
 * The records an engine's `open` returned, remembered (weakly) with the
 * context they were opened for, so that a route whose handler returns a
 * record already opened for the route's own purpose, actor and subject (read
 * through a purpose-scoped ORM client, say) passes it on as it is instead of
 * opening it again, which would fail: an opened value is not an envelope.
 *
 * Only objects `open` made are known: JSON a client sent, a row read by hand
 * or a copy (`{ ...row }`) is not, and is opened as any stored row. A known
 * record that gained or lost a key since it was opened is not passed on.
 *
 * @module
 * @internal
 */
import type { Actor, PurposeContext } from '../engine-context.js';
import type { PurposefulSchema } from '../schema/define.js';

/** What a record was opened for, and how many keys it had then. */
interface Stamp {
  readonly schema: PurposefulSchema;
  readonly purpose: string;
  readonly actor: Actor;
  readonly subjectId: string | undefined;
  readonly keys: number;
}

/** Whether two actors get the same access: the same id, roles (as a set) and second factor. */
function sameActor(a: Actor, b: Actor): boolean {
  if (a === b) return true;
  if (a.id !== b.id || (a.mfa === true) !== (b.mfa === true)) return false;
  const ra = a.roles ?? [];
  const rb = b.roles ?? [];
  if (ra.length !== rb.length) return false;
  for (const role of ra) if (!rb.includes(role)) return false;
  return true;
}

/** The records one engine opened. */
export interface OpenedRecords {
  /** Remembers `record` as opened from `schema` for `ctx`. */
  stamp(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): void;
  /**
   * Whether `record` was opened from `schema` for the same purpose and actor as `ctx` (and its subject, when `ctx`
   * names one), and has the keys it had then.
   */
  passes(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): boolean;
}

export function openedRecords(): OpenedRecords {
  const stamps = new WeakMap<object, Stamp>();
  return {
    stamp(schema, record, ctx) {
      if (typeof record !== 'object' || record === null) return;
      const { purpose, actor, subjectId } = ctx;
      stamps.set(record, { schema, purpose, actor, subjectId, keys: Object.keys(record).length });
    },
    passes(schema, record, ctx) {
      if (typeof record !== 'object' || record === null) return false;
      const s = stamps.get(record);
      return (
        s !== undefined &&
        s.schema === schema &&
        s.purpose === ctx.purpose &&
        (ctx.subjectId === undefined || s.subjectId === ctx.subjectId) &&
        sameActor(s.actor, ctx.actor) &&
        Object.keys(record).length === s.keys
      );
    },
  };
}
