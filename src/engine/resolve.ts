/**
 * The first step of every call: the schema is this engine's, and the
 * request's context is checked and resolved (purpose, actor, roles, a second
 * factor where the purpose always asks one, minors, jurisdictions, subject).
 *
 * @module
 * @internal
 */
import type { PurposeContext } from '../engine-context.js';
import { PurposefulError } from '../errors.js';
import { assertPurpose } from '../minimize/cache.js';
import { isPurposefulSchema, type PurposefulSchema } from '../schema/define.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { assertCleanPrototype } from '../util/prototype.js';
import type { EngineConfig } from './config.js';

/** What the engine resolved about one request, shared by the steps of a call. */
export interface Resolved {
  readonly purpose: string;
  readonly roles: readonly string[];
  readonly subjectId: string | undefined;
  readonly jurisdictions: readonly Jurisdiction[];
}

const NO_ROLES: readonly string[] = Object.freeze([]);

function fail(message: string): never {
  throw new PurposefulError('PF_CONTEXT_INVALID', message);
}

/** `PF_SCHEMA_UNKNOWN` unless the schema is one this engine was given. */
export function checkSchema(config: EngineConfig, schema: PurposefulSchema): void {
  if (!isPurposefulSchema(schema) || config.schemas.get(schema.id) !== schema) {
    throw new PurposefulError(
      'PF_SCHEMA_UNKNOWN',
      isPurposefulSchema(schema)
        ? `schema "${schema.id}" is not registered with this engine: add it to createPurposeful({ schemas: [...] })`
        : 'the value given as a schema is not one: pass a schema from defineSchema() and add it to createPurposeful({ schemas: [...] })',
      { schema: isPurposefulSchema(schema) ? schema.id : undefined },
    );
  }
}

const SUBJECT_PATHS = new WeakMap<PurposefulSchema, readonly string[]>();

/** The subject id a record carries at its schema's `subject.id` path, if any. */
export function subjectOf(schema: PurposefulSchema, record: unknown): string | undefined {
  const path = schema.subject?.id;
  if (!path || typeof record !== 'object' || record === null) return undefined;
  let segments = SUBJECT_PATHS.get(schema);
  if (segments === undefined) {
    segments = path.split('.');
    SUBJECT_PATHS.set(schema, segments);
  }
  let v: unknown = record;
  for (const seg of segments) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

/** Context checks every method runs first: purpose, actor, roles, minors, jurisdictions, subject. */
export function resolve(config: EngineConfig, schema: PurposefulSchema, ctx: PurposeContext, record: unknown): Resolved {
  assertCleanPrototype();
  checkSchema(config, schema);
  if (typeof ctx !== 'object' || ctx === null) fail('the request context must be an object { purpose, actor }');
  assertPurpose(schema, ctx.purpose);
  const actor = ctx.actor;
  if (typeof actor !== 'object' || actor === null || typeof actor.id !== 'string' || actor.id.length === 0) {
    fail(
      'the request context needs an actor with an id: every access must be attributable (LGPD Art. 6 X, 46; GDPR Art. 5(2), 32)',
    );
  }
  const roles = actor.roles ?? NO_ROLES;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) fail('actor.roles must be a list of strings');
  const purpose = schema.purposes.get(ctx.purpose);
  const allowed = purpose?.declaration.roles;
  if (allowed && !roles.some((r) => allowed.includes(r))) {
    throw new PurposefulError('PF_ROLE_NOT_ALLOWED', `the actor has none of the roles purpose "${ctx.purpose}" allows`, {
      purpose: ctx.purpose,
      schema: schema.id,
      article: 'LGPD Art. 46; GDPR Art. 32',
    });
  }
  if (purpose?.declaration.mfa === 'always' && actor.mfa !== true) {
    throw new PurposefulError('PF_MFA_REQUIRED', `purpose "${ctx.purpose}" requires a second factor`, {
      purpose: ctx.purpose,
      schema: schema.id,
    });
  }
  const jurisdictions = jurisdictionsOf(config.inForce, ctx);
  if (ctx.subjectAge !== undefined) checkAge(schema, ctx);
  if (ctx.subjectId !== undefined && typeof ctx.subjectId !== 'string') fail('ctx.subjectId must be a string');
  const fromRecord = subjectOf(schema, record);
  if (fromRecord !== undefined && ctx.subjectId !== undefined && fromRecord !== ctx.subjectId) {
    throw new PurposefulError(
      'PF_SUBJECT_MISMATCH',
      `the record's subject (${schema.subject?.id}) differs from the request's subject`,
      {
        schema: schema.id,
        purpose: ctx.purpose,
        paths: schema.subject?.id ? [schema.subject.id] : [],
      },
    );
  }
  return { purpose: ctx.purpose, roles, subjectId: fromRecord ?? ctx.subjectId, jurisdictions };
}

/** The laws in force for this request: the engine's, or the subset the context names. */
function jurisdictionsOf(inForce: readonly Jurisdiction[], ctx: PurposeContext): readonly Jurisdiction[] {
  if (ctx.jurisdictions === undefined) return inForce;
  if (
    !Array.isArray(ctx.jurisdictions) ||
    ctx.jurisdictions.length === 0 ||
    !ctx.jurisdictions.every((j) => inForce.includes(j))
  ) {
    fail(`ctx.jurisdictions must be a non-empty subset of ${inForce.join(', ')}`);
  }
  return ctx.jurisdictions;
}

/** A subject's age: a number, and a minor only where the schema declares minors (LGPD Art. 14; GDPR Art. 8). */
function checkAge(schema: PurposefulSchema, ctx: PurposeContext): void {
  const age = ctx.subjectAge as number;
  if (typeof age !== 'number' || !Number.isFinite(age) || age < 0) {
    fail('ctx.subjectAge must be a non-negative number');
  }
  if (age < 18 && (schema.subject?.minors ?? 'never') === 'never') {
    throw new PurposefulError(
      'PF_MINOR_NOT_DECLARED',
      `the subject is a minor and schema "${schema.id}" declares subject.minors: 'never'`,
      {
        schema: schema.id,
        purpose: ctx.purpose,
        article: 'LGPD Art. 14; GDPR Art. 8',
      },
    );
  }
}
