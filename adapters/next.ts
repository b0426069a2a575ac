/**
 * `purposeful/next`: Next.js App Router route handlers. Only Web `Request` /
 * `Response` are used (no runtime import of `next`), so the same handler runs
 * on the Node.js and Edge runtimes.
 *
 * @module purposeful/next
 */
import {
  compileRoute,
  type DeclaredPurpose,
  type HandlerContext,
  type HandlerResult,
  type PipelineOptions,
  type Purposeful,
  type PurposefulSchema,
  type RouteDeclaration,
} from 'purposeful';
import { runFetch } from './fetch.js';

/**
 * The second argument Next.js passes to a route handler: `params` is a
 * promise since Next 15 (a plain object is accepted too).
 *
 * @example
 * ```ts
 * export const GET = withPurpose(pf, readTicket, ({ params }) => tickets.find(params.id));
 * // Next calls GET(request, { params: Promise.resolve({ id: 't-1' }) })
 * ```
 * @category HTTP
 */
export interface NextRouteContext {
  readonly params?: Promise<Record<string, string | string[] | undefined>> | Record<string, string | string[] | undefined>;
}

/**
 * What {@link withPurpose} returns: a route handler with the signatures
 * Next's generated route types check (`context.params` a promise), callable
 * without a context or with plain params too (tests, other routers).
 *
 * @example
 * ```ts
 * export const GET: NextRouteFunction = withPurpose(pf, readTicket, ({ params }) => tickets.find(params.id));
 * await GET(new Request('http://localhost/tickets/t-1'), { params: Promise.resolve({ id: 't-1' }) });
 * ```
 * @category HTTP
 */
export interface NextRouteFunction {
  (request: Request): Promise<Response>;
  (request: Request, context: { params: Record<string, string | string[] | undefined> }): Promise<Response>;
  (request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }): Promise<Response>;
}

/**
 * A Next.js route handler body: gets the validated input and returns plain
 * data (or, without an output declaration, a `Response`).
 *
 * @example
 * ```ts
 * const handler: NextRouteHandler<'support.ticket', undefined, undefined, typeof Ticket> = ({ params }) =>
 *   tickets.find(params.id);
 * ```
 * @category HTTP
 */
export type NextRouteHandler<
  P extends string,
  I extends PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined,
> = (ctx: HandlerContext<P, I, Q, Request>) => HandlerResult<O> | Response | Promise<HandlerResult<O> | Response>;

/**
 * Wraps a route handler for the App Router: `export const GET = withPurpose(pf, route, handler)`.
 * `context.params` keeps working (awaited, then given to `actor`, `subject`
 * and the handler as `params`). A handler that returns its own `Response` on a
 * route with an output declaration is refused with `PF_OUTPUT_BYPASS`.
 *
 * @example
 * ```ts
 * // app/api/tickets/[id]/route.ts
 * import { withPurpose } from 'purposeful/next';
 *
 * export const GET = withPurpose(pf, { purpose: 'support.ticket', output: Ticket, actor: agent },
 *   async ({ params }) => tickets.find(params.id));
 * ```
 * @category HTTP
 */
export function withPurpose<
  P extends string,
  R extends string,
  I extends PurposefulSchema | undefined = undefined,
  Q extends PurposefulSchema | undefined = undefined,
  O extends PurposefulSchema | undefined = undefined,
>(
  pf: Purposeful<P>,
  route: RouteDeclaration<R, I, Q, O, Request> & DeclaredPurpose<R, P>,
  handler: NextRouteHandler<R, I, Q, O>,
  options?: PipelineOptions,
): NextRouteFunction {
  const compiled = compileRoute<Request>(pf, route, options);
  if (typeof handler !== 'function') throw new TypeError('withPurpose: the handler must be a function');
  return async (request: Request, context?: NextRouteContext) => {
    const raw = context?.params === undefined ? {} : await context.params;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v === 'string') params[k] = v;
      else if (Array.isArray(v)) params[k] = v.join('/'); // catch-all segments
    }
    return runFetch(compiled, handler as never, request, params);
  };
}
