/**
 * `purposeful/fetch`: the pipeline as a Web fetch handler,
 * `(request: Request) => Promise<Response>`, for Hono, Bun, Deno, Cloudflare
 * Workers and any runtime that speaks Web `Request` / `Response`.
 *
 * @module purposeful/fetch
 */
import {
  type CompiledRoute,
  compileRoute,
  type DeclaredPurpose,
  type HandlerContext,
  type HandlerResult,
  outputBypass,
  type PipelineOptions,
  type Purposeful,
  type PurposefulSchema,
  type RouteDeclaration,
} from 'purposeful';

/**
 * A route handler for fetch runtimes: gets the validated input, returns plain
 * data (or a `Response` on a route without an output declaration).
 *
 * @example
 * ```ts
 * const handler: FetchRouteHandler<'support.ticket', typeof NewTicket, undefined, typeof Ticket> =
 *   async ({ body, actor }) => tickets.create({ ...body, openedBy: actor.id });
 * ```
 * @category HTTP
 */
export type FetchRouteHandler<
  P extends string,
  I extends PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined,
> = (ctx: HandlerContext<P, I, Q, Request>) => HandlerResult<O> | Response | Promise<HandlerResult<O> | Response>;

/**
 * Runs one request through a compiled route: the shared body of the fetch
 * and Next.js adapters.
 *
 * @internal
 */
export async function runFetch(
  compiled: CompiledRoute<Request>,
  handler: (ctx: HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Request>) => unknown,
  request: Request,
  params: Readonly<Record<string, string>>,
): Promise<Response> {
  try {
    const ctx = await compiled.enter({
      method: request.method,
      headers: request.headers,
      params,
      raw: request,
      url: request.url,
      body: { stream: request.body, length: request.headers.get('content-length') },
    });
    const data = await handler(ctx);
    if (data instanceof Response) {
      if (compiled.route.output) throw outputBypass('a Response of its own');
      return data;
    }
    const answer = await compiled.leave(ctx, data);
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  } catch (err) {
    const answer = compiled.problem(err);
    if (answer === undefined) throw err;
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  }
}

/**
 * Wraps a handler as `(request: Request) => Promise<Response>`. The route is
 * compiled once, here; refusals become `application/problem+json` answers;
 * other errors propagate to the runtime.
 *
 * @example
 * ```ts
 * import { toFetchHandler } from 'purposeful/fetch';
 *
 * const openTicket = toFetchHandler(pf, { purpose: 'support.ticket', input: NewTicket, actor: agent, status: 201 },
 *   async ({ body, actor }) => tickets.create({ ...body, openedBy: actor.id }));
 * export default { fetch: openTicket }; // Bun, Deno, Workers
 * ```
 * @category HTTP
 */
export function toFetchHandler<
  P extends string,
  R extends string,
  I extends PurposefulSchema | undefined = undefined,
  Q extends PurposefulSchema | undefined = undefined,
  O extends PurposefulSchema | undefined = undefined,
>(
  pf: Purposeful<P>,
  route: RouteDeclaration<R, I, Q, O, Request> & DeclaredPurpose<R, P>,
  handler: FetchRouteHandler<R, I, Q, O>,
  options?: PipelineOptions,
): (request: Request, params?: Readonly<Record<string, string>>) => Promise<Response> {
  const compiled = compileRoute<Request>(pf, route, options);
  if (typeof handler !== 'function') throw new TypeError('toFetchHandler: the handler must be a function');
  return (request, params = {}) => runFetch(compiled, handler as never, request, params);
}
