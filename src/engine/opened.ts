/**
 * The records an engine's `open` returned, remembered (weakly) with the
 * context they were opened for and what they held, so that a route whose
 * handler returns a record already opened for the route's own request (read
 * through a purpose-scoped ORM client with the handler's context, say) passes
 * it on as it is instead of opening it again, which would fail: an opened value
 * is not an envelope.
 *
 * Only objects `open` made are known: JSON a client sent, a row read by hand
 * or a copy (`{ ...row }`) is not, and is opened as any stored row. A known
 * record is passed on only when it was opened for the same output schema, the
 * same purpose, the very actor object of the request (so a record kept from an
 * earlier request is not), the same subject, jurisdictions and subject age, and
 * when it still holds exactly what `open` returned (as JSON, what the client
 * would receive): a key added, removed or changed since, at any depth, and it
 * is opened again.
 *
 * @module
 * @internal
 */
import type { PurposeContext } from '../engine-context.js';
import type { PurposefulSchema } from '../schema/define.js';

/** What a record was opened for (copied: a context changed afterwards changes nothing), and what it held then. */
interface Stamp {
  readonly schema: PurposefulSchema;
  readonly purpose: string;
  readonly actor: PurposeContext['actor'];
  /** The actor's roles and second factor then: an actor object changed since is another actor. */
  readonly roles: readonly string[];
  readonly mfa: boolean;
  readonly subjectId: string | undefined;
  readonly subjectAge: number | undefined;
  readonly jurisdictions: readonly string[] | undefined;
  readonly json: string;
}

/** The records one engine opened. */
export interface OpenedRecords {
  /** Remembers `record` as opened from `schema` for `ctx`. */
  stamp(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): void;
  /**
   * Whether `record` was opened from `schema` for a context that `ctx` matches (see the module) and still holds what
   * it held then.
   */
  passes(schema: PurposefulSchema, record: unknown, ctx: PurposeContext): boolean;
}

/** The record as the client would receive it, or `undefined` when it has no JSON form. */
function asJson(record: object): string | undefined {
  try {
    return JSON.stringify(record);
  } catch {
    return undefined; // a BigInt, a cycle: never passed on
  }
}

export function openedRecords(): OpenedRecords {
  const stamps = new WeakMap<object, Stamp>();
  return {
    stamp(schema, record, ctx) {
      if (typeof record !== 'object' || record === null) return;
      const json = asJson(record);
      if (json === undefined) return;
      const { purpose, actor, subjectId, subjectAge, jurisdictions } = ctx;
      stamps.set(record, {
        schema,
        purpose,
        actor,
        roles: [...(actor.roles ?? [])],
        mfa: actor.mfa === true,
        subjectId,
        subjectAge,
        jurisdictions: jurisdictions === undefined ? undefined : [...jurisdictions],
        json,
      });
    },
    passes(schema, record, ctx) {
      if (typeof record !== 'object' || record === null) return false;
      const s = stamps.get(record);
      if (s === undefined || s.schema !== schema) return false;
      return (
        s.purpose === ctx.purpose &&
        s.actor === ctx.actor &&
        sameList(s.roles, ctx.actor.roles ?? []) &&
        s.mfa === (ctx.actor.mfa === true) &&
        (ctx.subjectId === undefined || s.subjectId === ctx.subjectId) &&
        s.subjectAge === ctx.subjectAge &&
        sameList(s.jurisdictions, ctx.jurisdictions) &&
        asJson(record) === s.json
      );
    },
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((x, i) => x === b[i]);
}
