/**
 * Projection: minimizing a value for the purpose of a resolved request.
 * Inbound, fields not declared for the purpose are refused (or stripped);
 * outbound, the record is projected, masked and pseudonymized by the
 * purpose's compiled plan.
 *
 * @module
 * @internal
 */
import { planFor } from '../minimize/cache.js';
import { runMinimize } from '../minimize/run.js';
import type { PurposefulSchema } from '../schema/define.js';
import { type EngineConfig, unannotatedOf } from './config.js';
import type { Resolved } from './resolve.js';

/** The compiled outbound plan of the request's purpose and roles. */
export function outboundPlan(config: EngineConfig, schema: PurposefulSchema, r: Resolved): ReturnType<typeof planFor> {
  return planFor(schema, r.purpose, 'outbound', r.roles, unannotatedOf(config, schema));
}

/** Input minimized for the purpose: undeclared fields refused (`PF_UNDECLARED_FIELD`), or stripped. */
export function minimizeInbound(config: EngineConfig, schema: PurposefulSchema, r: Resolved, data: unknown): unknown {
  return runMinimize(
    schema,
    r.purpose,
    data,
    'inbound',
    r.roles,
    config.strip,
    config.limits,
    undefined,
    false,
    unannotatedOf(config, schema),
  );
}

/**
 * A record projected, masked and pseudonymized for the purpose. `refuseSealed`: a sealed value in a visible
 * encrypted field is refused (`PF_SEALED_VALUE`: stored rows go out through `open`, which opens them first).
 */
export function projectOutbound(
  config: EngineConfig,
  schema: PurposefulSchema,
  record: unknown,
  r: Resolved,
  refuseSealed: boolean,
): unknown {
  return runMinimize(
    schema,
    r.purpose,
    record,
    'outbound',
    r.roles,
    false,
    config.limits,
    config.pseudonymKey,
    refuseSealed,
    unannotatedOf(config, schema),
  );
}
