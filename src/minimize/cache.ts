/**
 * Plan and projected-schema caches, one per schema object. There is one copy
 * of the core at runtime (the adapters import the core entry), so the engine,
 * `minimize` and the adapters share them.
 *
 * @module
 * @internal
 */
import * as core from 'zod/v4/core';
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import { accessOf } from '../schema/walk.js';
import { unknownPurposeMessage } from '../util/closest.js';
import { compilePlan, type Direction, type Plan, resolveLevel } from './plan.js';
import { projectZod } from './zod-project.js';

interface SchemaCache {
  /** Plans for actors whose roles change nothing, by purpose: the common case, one Map lookup. */
  readonly outbound: Map<string, Plan>;
  readonly inbound: Map<string, Plan>;
  /** The same, for `unannotated: 'allow'`. */
  readonly outboundAllow: Map<string, Plan>;
  readonly inboundAllow: Map<string, Plan>;
  readonly plans: Map<string, Plan>;
  readonly zods: Map<string, core.$ZodType>;
  readonly zodsAllow: Map<string, core.$ZodType>;
  /** The same projections with every top-level field optional (partial input: an update), by the key of the whole. */
  readonly partialZods: Map<core.$ZodType, core.$ZodType>;
  readonly roleNames: Map<string, ReadonlySet<string>>;
}

const caches = new WeakMap<PurposefulSchema, SchemaCache>();

/** The cache of a schema. */
export function cacheOf(schema: PurposefulSchema): SchemaCache {
  let c = caches.get(schema);
  if (!c) {
    c = {
      outbound: new Map(),
      inbound: new Map(),
      outboundAllow: new Map(),
      inboundAllow: new Map(),
      plans: new Map(),
      zods: new Map(),
      zodsAllow: new Map(),
      partialZods: new Map(),
      roleNames: new Map(),
    };
    caches.set(schema, c);
  }
  return c;
}

/** Throws `PF_PURPOSE_UNKNOWN` unless the schema's registry declares the purpose. */
export function assertPurpose(schema: PurposefulSchema, purpose: unknown): asserts purpose is string {
  if (typeof purpose !== 'string' || !schema.purposes.get(purpose)) {
    throw new PurposefulError(
      'PF_PURPOSE_UNKNOWN',
      unknownPurposeMessage(purpose, schema.purposes.ids, `schema "${schema.id}"`),
      { schema: schema.id, article: 'LGPD Art. 6 I; GDPR Art. 5(1)(b)' },
    );
  }
}

/** The roles that change some field's level for a purpose: the rest never change a plan. */
function roleKey(schema: PurposefulSchema, c: SchemaCache, purpose: string, roles: readonly string[]): string {
  if (roles.length === 0) return '';
  let names = c.roleNames.get(purpose);
  if (!names) {
    const set = new Set<string>();
    for (const f of schema.fields) {
      const a = f.access.get(purpose);
      if (a?.roles) for (const r of Object.keys(a.roles)) set.add(r);
    }
    names = set;
    c.roleNames.set(purpose, names);
  }
  if (names.size === 0) return '';
  let key = '';
  for (const r of [...roles].sort()) if (names.has(r)) key += `${r}\u0000`;
  return key;
}

/**
 * The compiled plan for (schema, purpose, direction, roles, unannotated), compiled on first use. `unannotated` is
 * what the schema declares, else what the engine does (`deny` by default).
 */
export function planFor(
  schema: PurposefulSchema,
  purpose: string,
  direction: Direction,
  roles: readonly string[],
  unannotated: Unannotated = 'deny',
): Plan {
  const c = cacheOf(schema);
  const rk = roleKey(schema, c, purpose, roles);
  if (rk === '') {
    const byPurpose =
      unannotated === 'deny'
        ? direction === 'outbound'
          ? c.outbound
          : c.inbound
        : direction === 'outbound'
          ? c.outboundAllow
          : c.inboundAllow;
    let plan = byPurpose.get(purpose);
    if (!plan) {
      plan = compilePlan(schema, purpose, direction, roles, unannotated);
      byPurpose.set(purpose, plan);
    }
    return plan;
  }
  const key = `${direction}\u0001${purpose}\u0001${rk}\u0001${unannotated}`;
  let plan = c.plans.get(key);
  if (!plan) {
    plan = compilePlan(schema, purpose, direction, roles, unannotated);
    c.plans.set(key, plan);
  }
  return plan;
}

/**
 * The zod schema purpose input is validated with, built on first use. `partial`: every top-level field optional,
 * the record's own refinements left out (they read the whole record), for input that changes some fields only.
 */
export function inboundZodFor(
  schema: PurposefulSchema,
  purpose: string,
  roles: readonly string[],
  unannotated: Unannotated = 'deny',
  partial = false,
): core.$ZodType {
  const c = cacheOf(schema);
  const rk = roleKey(schema, c, purpose, roles);
  // the common case (roles change nothing) is keyed by the purpose alone: no key string built per call
  const key = rk === '' ? purpose : `${purpose}\u0001${rk}`;
  const zods = unannotated === 'deny' ? c.zods : c.zodsAllow;
  let z = zods.get(key);
  if (!z) {
    z = projectZod(schema, (meta) => resolveLevel(accessOf(meta).get(purpose), roles) !== 'none', unannotated === 'allow');
    zods.set(key, z);
  }
  if (!partial) return z;
  let p = c.partialZods.get(z);
  if (!p) {
    p = partialZod(schema, z);
    c.partialZods.set(z, p);
  }
  return p;
}

/** The projection with every top-level field optional; `PF_INPUT_INVALID` when the schema is not an object. */
function partialZod(schema: PurposefulSchema, whole: core.$ZodType): core.$ZodType {
  const def = whole._zod.def as core.$ZodObjectDef;
  if (def.type !== 'object') {
    throw new PurposefulError('PF_INPUT_INVALID', `schema "${schema.id}" is not an object: partial input needs one`, {
      schema: schema.id,
    });
  }
  const shape: Record<string, core.$ZodType> = {};
  for (const [key, field] of Object.entries(def.shape)) {
    shape[key] = field._zod.def.type === 'optional' ? field : new core.$ZodOptional({ type: 'optional', innerType: field });
  }
  return core.util.clone(whole, core.util.mergeDefs(def, { shape, checks: [] }));
}
