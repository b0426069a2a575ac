/**
 * `purposeful/express`: a declared route as an Express handler (Express 4 and 5).
 *
 * @module purposeful/express
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  compileRoute,
  type DeclaredPurpose,
  type HandlerContext,
  type HandlerResult,
  type HttpAnswer,
  type PipelineOptions,
  type Purposeful,
  type PurposefulSchema,
  type RouteDeclaration,
} from 'purposeful';
import { bypassAnswer, type Guard, guardResponse, nodeHeaders, OPEN, sendAnswer } from './node-internals.js';

/**
 * An Express handler body: gets the validated input (and `req` as `ctx.req`),
 * returns plain data that the adapter projects and sends.
 *
 * @example
 * ```ts
 * const handler: ExpressRouteHandler<'support.ticket', typeof NewTicket, undefined, typeof Ticket> =
 *   async ({ body, actor }) => tickets.create({ ...body, openedBy: actor.id });
 * ```
 * @category HTTP
 */
export type ExpressRouteHandler<
  P extends string,
  I extends PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined,
> = (ctx: HandlerContext<P, I, Q, Request>, res: Response) => HandlerResult<O> | Promise<HandlerResult<O>>;

/**
 * Wraps a handler as an Express request handler. The body is read from the
 * request stream with every check (byte cap, UTF-8, duplicate and prototype
 * keys, depth); if a body parser such as `express.json()` already ran, only
 * the depth and prototype-key checks remain possible (see the HTTP guide). The
 * handler's returned data is projected for the purpose; on a route with an
 * output declaration any other way of sending (`res.send`, `res.json`,
 * `res.end`, `res.writeEarlyHints`, piping, Node's prototype methods called on
 * `res`) is refused with a 500 `PF_OUTPUT_BYPASS`: the client gets that answer
 * and nothing else. Only that route's responses are guarded. Refusals are
 * answered as `application/problem+json`; other errors reach `next`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { purposeful } from 'purposeful/express';
 *
 * const app = express();
 * app.get('/tickets/:id', purposeful(pf, { purpose: 'support.ticket', output: Ticket, actor: agent },
 *   async ({ params }) => tickets.find(params.id)));
 * ```
 * @category HTTP
 */
export function purposeful<
  P extends string,
  R extends string,
  I extends PurposefulSchema | undefined = undefined,
  Q extends PurposefulSchema | undefined = undefined,
  O extends PurposefulSchema | undefined = undefined,
>(
  pf: Purposeful<P>,
  route: RouteDeclaration<R, I, Q, O, Request> & DeclaredPurpose<R, P>,
  handler: ExpressRouteHandler<R, I, Q, O>,
  options?: PipelineOptions,
): RequestHandler {
  const compiled = compileRoute<Request>(pf, route, options);
  if (typeof handler !== 'function') throw new TypeError('purposeful: the handler must be a function');
  const guarded = route.output !== undefined;

  const handle = handler as (ctx: HandlerContext, res: Response) => unknown;
  const onBypass = bypassAnswer(compiled);

  const run = async (req: Request, res: Response, guard: Guard | undefined): Promise<void> => {
    // a parser ran (body-parser marks it; Express 4's sets req.body = {} even when it skipped the type)
    const parsed = (req as { _body?: boolean })._body === true || req.readableEnded;
    const ctx = await compiled.enter({
      method: req.method,
      headers: nodeHeaders(req.headers),
      params: (req.params ?? {}) as Record<string, string>,
      raw: req,
      url: req.originalUrl ?? req.url,
      body: parsed ? { parsed: req.body } : { stream: req, length: req.headers['content-length'] },
    });
    req.body = ctx.body; // the handler and later middleware see the declared input only (or none)
    const data = await handle(ctx, res);
    if (guard?.bypassed) return;
    // without an output declaration a handler may answer by itself
    if (!guard && (res.headersSent || res.writableEnded)) return;
    answer(res, guard, await compiled.leave(ctx, data), false);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const guard = guarded ? guardResponse(res, onBypass, 'prototype') : undefined;
    run(req, res, guard).catch((err: unknown) => {
      const problem = compiled.problem(err);
      if (problem !== undefined) return answer(res, guard, problem, true);
      if (guard?.bypassed) return;
      if (guard) guard.state = OPEN; // the application's error handler answers as it likes
      next(err);
    });
  };
}

/** The pipeline's answer, unless the bypass was answered already. */
function answer(res: Response, g: Guard | undefined, a: HttpAnswer, problem: boolean): void {
  if (g?.bypassed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendAnswer(res, g, a, problem);
}
