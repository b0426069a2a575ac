/**
 * Validation of a minimized input with the purpose's projection of the zod
 * schema: synchronously while the schema allows (half the cost of the async
 * parse), asynchronously from the first asynchronous refinement or transform
 * on. Its issues are refused by path and code, never by value.
 *
 * @module
 * @internal
 */
import * as core from 'zod/v4/core';
import type { PurposeContext } from '../engine-context.js';
import { PurposefulError, type ValidationIssue } from '../errors.js';
import { inboundZodFor } from '../minimize/cache.js';
import type { PurposefulSchema } from '../schema/define.js';
import { displayPath } from '../schema/walk.js';
import type { Now } from '../util/now.js';
import { type EngineConfig, unannotatedOf } from './config.js';
import type { Resolved } from './resolve.js';

/** What `inbound` does once zod has answered (made once per engine, so a call allocates no closure for it). */
export type Validated = (
  schema: PurposefulSchema,
  r: Resolved,
  ctx: PurposeContext,
  result: core.util.SafeParseResult<unknown>,
) => Now<unknown>;

/** Compiled input schemas found to have async refinements or transforms. */
const NEEDS_ASYNC = new WeakSet<object>();

/** Parses the minimized input, then hands zod's answer to `then`. */
export function validateInbound(
  config: EngineConfig,
  schema: PurposefulSchema,
  r: Resolved,
  ctx: PurposeContext,
  minimized: unknown,
  then: Validated,
  partial = false,
): Now<unknown> {
  const zod = inboundZodFor(schema, r.purpose, r.roles, unannotatedOf(config, schema), partial);
  if (NEEDS_ASYNC.has(zod)) return parseAsync(zod, schema, r, ctx, minimized, then);
  let result: core.util.SafeParseResult<unknown>;
  try {
    result = core.safeParse(zod, minimized); // half the cost of the async parse
  } catch (err) {
    if (!(err instanceof core.$ZodAsyncError)) return tooDeep(err);
    NEEDS_ASYNC.add(zod); // async refinements: from now on straight to the async parse
    return parseAsync(zod, schema, r, ctx, minimized, then);
  }
  return then(schema, r, ctx, result);
}

function parseAsync(
  zod: core.$ZodType,
  schema: PurposefulSchema,
  r: Resolved,
  ctx: PurposeContext,
  minimized: unknown,
  then: Validated,
): Promise<unknown> {
  return core.safeParseAsync(zod, minimized).then((result) => then(schema, r, ctx, result), tooDeep);
}

function tooDeep(err: unknown): never {
  if (err instanceof RangeError) throw new PurposefulError('PF_LIMIT_EXCEEDED', 'the input is nested too deeply to validate');
  throw err;
}

/** The parsed data, or `PF_VALIDATION_FAILED` naming every path at fault and each issue's code. */
export function validData(schema: PurposefulSchema, r: Resolved, result: core.util.SafeParseResult<unknown>): unknown {
  if (result.success) return result.data;
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const issue of result.error.issues) {
    const path = displayPath(schema.shape, issue.path);
    issues.push({ path, code: issue.code });
    seen.add(path || '(root)');
  }
  throw new PurposefulError('PF_VALIDATION_FAILED', `input for purpose "${r.purpose}" is invalid at: ${[...seen].join(', ')}`, {
    schema: schema.id,
    purpose: r.purpose,
    paths: [...seen],
    issues,
  });
}
