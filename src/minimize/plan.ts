/**
 * Minimization plans: compiled once per (schema, purpose, direction, roles)
 * from the schema's shape tree into closures, cached, and run per request with
 * no re-parsing of declarations. No eval, no `new Function`.
 *
 * @module
 * @internal
 */

import { PurposefulError } from '../errors.js';
import type { AccessLevel } from '../schema/annotation.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import type { FieldInfo, ShapeNode } from '../schema/walk.js';
import { assertCleanPrototype } from '../util/prototype.js';
import { type Compiled, HIDDEN, KEEP, limit, type PlanCompiler, wrongTypeFor } from './compiled.js';
import type { Exec, RunState } from './exec.js';
import { compileNode } from './plan-nodes.js';
import { ownNodes, unheldNodes } from './plan-reach.js';
import { assertPseudonymKey, derivePseudonymKey, pseudonymizer } from './pseudonymize.js';
import { ShapeMismatch } from './shape.js';

export { resolveLevel } from './level.js';

/**
 * `inbound`: data coming in for a purpose; `outbound`: data a purpose is about to see.
 *
 * @example
 * ```ts
 * const direction: Direction = 'inbound'; // a request body arriving for a purpose
 * minimize(Customer, 'support.survey', body, { direction, undeclared: 'strip' });
 * ```
 * @category Minimization
 */
export type Direction = 'inbound' | 'outbound';

/**
 * Limits that protect the walk from hostile data.
 *
 * @example
 * ```ts
 * const limits: Limits = { maxDepth: 16, maxNodes: 5_000 }; // beyond them: PF_LIMIT_EXCEEDED (413)
 * const pf = createPurposeful({ purposes, schemas: [Customer, Ticket], limits });
 * ```
 * @category Minimization
 */
export interface Limits {
  /** Deepest nesting of objects and arrays (default 64, at most 1000). */
  readonly maxDepth?: number;
  /** Most values visited in one call (default 100 000). */
  readonly maxNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_NODES = 100_000;

/** A compiled plan. */
export interface Plan {
  readonly direction: Direction;
  readonly purpose: string;
  /** Fields pseudonymized by this plan, in the order of `pseudo` in the run state. */
  readonly pseudonymized: readonly FieldInfo[];
  /** Visible personal fields with their level. */
  readonly levels: ReadonlyMap<FieldInfo, AccessLevel>;
  /** Paths of the sensitive fields this plan shows in clear (they may need a second factor). */
  readonly clearSensitive: readonly string[];
  /** The encrypted fields this plan shows (the only ones `open` decrypts). */
  readonly visibleEncrypted: ReadonlySet<FieldInfo>;
  /** Whether the plan shows any sensitive field, at any level (consent must then be highlighted). */
  readonly showsSensitive: boolean;
  /** Runs the plan. */
  run(data: unknown, st: RunState): unknown;
}

/** Compiles a plan: the compiler's state, then the root node (and with it every node the purpose reaches). */
export function compilePlan(
  schema: PurposefulSchema,
  purpose: string,
  direction: Direction,
  roles: readonly string[],
  unannotated: Unannotated,
): Plan {
  const inbound = direction === 'inbound';
  const denied = unannotated === 'deny' ? ownNodes(schema.shape) : undefined;
  const cx: PlanCompiler = {
    schema,
    purpose,
    roles,
    inbound,
    denied,
    unheld: denied ? unheldNodes(schema.shape, denied) : undefined,
    ownFields: new Set(schema.fields),
    pseudonymized: [],
    levels: new Map<FieldInfo, AccessLevel>(),
    done: new Map<ShapeNode, Compiled>(),
    active: new Map<ShapeNode, { exec?: Exec }>(),
    compile: (node) => compileNode(cx, node),
    wrongType: wrongTypeFor(inbound),
  };
  const root = cx.compile(schema.shape);
  const rootExec: Exec = root === KEEP ? (v) => v : root === HIDDEN ? () => ({}) : root;
  const { levels } = cx;
  return Object.freeze({
    direction,
    purpose,
    pseudonymized: Object.freeze(cx.pseudonymized),
    levels,
    clearSensitive: Object.freeze([...levels].filter(([f, l]) => f.sensitive && l === 'clear').map(([f]) => f.path)),
    visibleEncrypted: new Set([...levels.keys()].filter((f) => f.encrypt)),
    showsSensitive: [...levels.keys()].some((f) => f.sensitive),
    run(data: unknown, st: RunState): unknown {
      assertCleanPrototype();
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new PurposefulError('PF_INPUT_INVALID', `a "${schema.id}" record must be an object`, { schema: schema.id });
      }
      try {
        return rootExec(data, st, 0, '');
      } catch (err) {
        throw runError(err, schema, purpose, inbound);
      }
    },
  });
}

/**
 * The error a plan's run throws for what its steps threw: a value of the wrong
 * structure or kind becomes an error naming its path, a stack that ran out the
 * depth limit, anything else is thrown as it is.
 */
function runError(err: unknown, schema: PurposefulSchema, purpose: string, inbound: boolean): unknown {
  if (err instanceof ShapeMismatch) {
    const path = err.segments
      .reverse()
      .reduce((acc, s) => (s.startsWith('[') || s === '{}' ? acc + s : acc ? `${acc}.${s}` : s), '');
    if (!inbound) {
      // outbound data is the application's: a value of the wrong structure or kind is a server bug, refused, never converted
      return new PurposefulError(
        'PF_OUTPUT_INVALID',
        `${path}: the outgoing value does not have the structure or the kind the schema declares (refused, not converted)`,
        { paths: [path], schema: schema.id, purpose, article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)' },
      );
    }
    return new PurposefulError('PF_INPUT_INVALID', `${path}: the value does not have the shape the schema declares`, {
      paths: [path],
      schema: schema.id,
    });
  }
  if (err instanceof RangeError) return limit(`depth (the call stack ran out)`);
  return err;
}

const pseudoCaches = new WeakMap<Plan, WeakMap<Uint8Array, ReadonlyArray<(v: unknown) => string>>>();

/** Builds the pseudonymizers a plan needs from a root key, once per (plan, key). */
export function pseudonymizersFor(
  plan: Plan,
  schemaId: string,
  rootKey: Uint8Array | undefined,
): ReadonlyArray<(v: unknown) => string> | undefined {
  if (plan.pseudonymized.length === 0) return undefined;
  if (!rootKey) {
    throw new PurposefulError(
      'PF_KEY_NOT_FOUND',
      `purpose "${plan.purpose}" sees ${plan.pseudonymized.map((f) => f.path).join(', ')} pseudonymized, but no pseudonymization key is configured`,
      { purpose: plan.purpose, schema: schemaId, paths: plan.pseudonymized.map((f) => f.path) },
    );
  }
  let perKey = pseudoCaches.get(plan);
  if (!perKey) {
    perKey = new WeakMap();
    pseudoCaches.set(plan, perKey);
  }
  let fns = perKey.get(rootKey);
  if (!fns) {
    assertPseudonymKey(rootKey);
    fns = plan.pseudonymized.map((f) => pseudonymizer(derivePseudonymKey(rootKey, schemaId, f.id, plan.purpose)));
    perKey.set(rootKey, fns);
  }
  return fns;
}
