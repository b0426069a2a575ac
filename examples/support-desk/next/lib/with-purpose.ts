/**
 * `withPurpose` from `purposeful/next` (an application imports it from
 * there), its result typed as the checks `next build` generates for each
 * route.ts expect: the adapter declares `(request, context?: NextRouteContext)`
 * — an optional context whose `params` is optional and may be a plain object —
 * which those checks refuse (TS2344 in `.next/types/app/…/route.ts`).
 */
import { withPurpose as adapterWithPurpose, type NextRouteHandler } from '../../../../adapters/next.js';
import type { PipelineOptions, Purposeful, PurposefulSchema, RouteDeclaration } from '../../../../src/index.js';

/** A route handler as Next's generated route types check it. */
export interface NextRouteHandlerFn {
  (request: Request): Promise<Response>;
  (request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }): Promise<Response>;
}

export function withPurpose<
  P extends string,
  I extends PurposefulSchema | undefined = undefined,
  Q extends PurposefulSchema | undefined = undefined,
  O extends PurposefulSchema | undefined = undefined,
>(
  pf: Purposeful<P>,
  route: RouteDeclaration<P, I, Q, O, Request>,
  handler: NextRouteHandler<P, I, Q, O>,
  options?: PipelineOptions,
): NextRouteHandlerFn {
  return adapterWithPurpose(pf, route, handler, options);
}
