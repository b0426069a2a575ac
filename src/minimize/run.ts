/**
 * Running plans: shared by `minimize` and the engine.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import { planFor } from './cache.js';
import type { RunState } from './exec.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, type Direction, type Limits, pseudonymizersFor } from './plan.js';

const DEFAULT_LIMITS = Object.freeze({ maxDepth: DEFAULT_MAX_DEPTH, maxNodes: DEFAULT_MAX_NODES });

/** Checks limit options once; returns them filled with defaults. */
export function checkLimits(limits: Limits | undefined): { readonly maxDepth: number; readonly maxNodes: number } {
  if (limits?.maxDepth === undefined && limits?.maxNodes === undefined) return DEFAULT_LIMITS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxNodes = limits.maxNodes ?? DEFAULT_MAX_NODES;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 1000) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'maxDepth must be an integer from 1 to 1000');
  }
  if (!Number.isInteger(maxNodes) || maxNodes < 1) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'maxNodes must be a positive integer');
  }
  return { maxDepth, maxNodes };
}

/** Runs a plan; shared by `minimize` and the engine. */
export function runMinimize(
  schema: PurposefulSchema,
  purpose: string,
  data: unknown,
  direction: Direction,
  roles: readonly string[],
  strip: boolean,
  limits: { readonly maxDepth: number; readonly maxNodes: number },
  pseudonymKey: Uint8Array | undefined,
  refuseSealed = false,
  unannotated: Unannotated = 'deny',
): unknown {
  const plan = planFor(schema, purpose, direction, roles, unannotated);
  const st: RunState = {
    nodes: 0,
    maxNodes: limits.maxNodes,
    maxDepth: limits.maxDepth,
    strip,
    undeclared: direction === 'inbound' && !strip ? [] : undefined,
    pseudo: plan.pseudonymized.length === 0 ? undefined : pseudonymizersFor(plan, schema.id, pseudonymKey),
    refuseSealed,
  };
  const out = plan.run(data, st);
  if (st.undeclared?.length) {
    const paths = [...new Set(st.undeclared)];
    throw new PurposefulError(
      'PF_UNDECLARED_FIELD',
      `fields not declared for purpose "${purpose}": ${paths.join(', ')} (LGPD Art. 6 III: collect only what the purpose needs)`,
      { paths, purpose, schema: schema.id, article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)' },
    );
  }
  return out;
}
