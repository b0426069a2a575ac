/**
 * `purposeful/express`: Express 4 and 5 route handlers over the one pipeline.
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  compileRoute,
  type HandlerContext,
  type HandlerResult,
  type HeaderReader,
  type HttpAnswer,
  outputBypass,
  type PipelineOptions,
  type Purposeful,
  type PurposefulSchema,
  type RouteDeclaration,
} from 'purposeful';

/**
 * An Express handler body: gets the validated input (and `req` as `ctx.req`),
 * returns plain data that the adapter projects and sends.
 *
 * @example
 * ```ts
 * const handler: ExpressRouteHandler<'support.ticket', typeof NewTicket, undefined, typeof Ticket> =
 *   async ({ body, actor }) => tickets.create({ ...body, openedBy: actor.id });
 * ```
 */
export type ExpressRouteHandler<
  P extends string,
  I extends PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined,
> = (ctx: HandlerContext<P, I, Q, Request>, res: Response) => HandlerResult<O> | Promise<HandlerResult<O>>;

/** Methods through which anything reaches the socket; guarded on routes with an output declaration. */
const SENDING = ['write', 'end', 'writeHead', 'flushHeaders'] as const;
type Sending = (typeof SENDING)[number];

/**
 * Wraps a handler as an Express request handler. The body is read from the
 * request stream with every check (byte cap, UTF-8, duplicate and prototype
 * keys, depth); if a body parser such as `express.json()` already ran, only
 * the depth and prototype-key checks remain possible (see the README). The
 * handler's returned data is projected for the purpose; on a route with an
 * output declaration any other way of sending (`res.send`, `res.json`,
 * `res.end`, piping) is refused with a 500 `PF_OUTPUT_BYPASS`. Refusals are
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
 */
export function purposeful<
  P extends string,
  I extends PurposefulSchema | undefined = undefined,
  Q extends PurposefulSchema | undefined = undefined,
  O extends PurposefulSchema | undefined = undefined,
>(
  pf: Purposeful<P>,
  route: RouteDeclaration<P, I, Q, O, Request>,
  handler: ExpressRouteHandler<P, I, Q, O>,
  options?: PipelineOptions,
): RequestHandler {
  const compiled = compileRoute<Request>(
    pf as Purposeful,
    route as RouteDeclaration<
      string,
      PurposefulSchema | undefined,
      PurposefulSchema | undefined,
      PurposefulSchema | undefined,
      Request
    >,
    options,
  );
  if (typeof handler !== 'function') throw new TypeError('purposeful: the handler must be a function');
  const guarded = route.output !== undefined;

  return (req: Request, res: Response, next: NextFunction): void => {
    const original = guarded ? guard(res) : undefined;
    const send = (answer: HttpAnswer): void => {
      if (original?.bypassed) return; // the bypass was answered already
      original?.restore();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.removeHeader('content-length');
      res.removeHeader('etag');
      res.statusCode = answer.status;
      for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
      res.end(answer.body);
    };
    const run = async (): Promise<void> => {
      const url = req.originalUrl ?? req.url;
      const q = url.indexOf('?');
      const parsed = req.body !== undefined || req.readableEnded;
      const ctx = await compiled.enter({
        method: req.method,
        headers: nodeHeaders(req.headers),
        params: (req.params ?? {}) as Record<string, string>,
        raw: req,
        search: q < 0 ? '' : url.slice(q + 1),
        body: parsed ? { parsed: req.body } : { stream: req, length: req.headers['content-length'] },
      });
      if (route.input) req.body = ctx.body; // later middleware sees only the declared fields
      const data = await (handler as (c: typeof ctx, r: Response) => unknown)(ctx, res);
      if (original?.bypassed) return;
      send(await compiled.leave(ctx, data));
    };
    run().catch((err: unknown) => {
      const answer = compiled.problem(err);
      if (answer !== undefined) return send(answer);
      if (original?.bypassed) return;
      original?.restore();
      next(err);
    });
  };

  /** Shadows the sending methods on this response: a call answers 500 PF_OUTPUT_BYPASS instead. */
  function guard(res: Response): { restore(): void; bypassed: boolean } {
    const saved = {} as Record<Sending, unknown>;
    const state = {
      bypassed: false,
      restore(): void {
        for (const m of SENDING) delete (res as unknown as Record<string, unknown>)[m];
        for (const m of SENDING)
          if (Object.hasOwn(saved, m) && saved[m] !== undefined) (res as never as Record<string, unknown>)[m] = saved[m];
      },
    };
    for (const m of SENDING) {
      saved[m] = Object.hasOwn(res, m) ? (res as unknown as Record<string, unknown>)[m] : undefined;
      (res as unknown as Record<string, unknown>)[m] = function bypass(this: Response): Response {
        if (!state.bypassed) {
          const answer = compiled.problem(outputBypass(`res.${m === 'write' || m === 'end' ? 'send/json/end/pipe' : m}`));
          state.restore();
          state.bypassed = true;
          if (answer && !res.headersSent) {
            res.removeHeader('content-length');
            res.removeHeader('etag');
            res.statusCode = answer.status;
            for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
            res.end(answer.body);
          }
          // shadow again with no-ops: a pipe keeps writing after this point
          for (const n of SENDING) (res as unknown as Record<string, unknown>)[n] = () => res;
        }
        return res;
      };
    }
    return state;
  }
}

/** Node's header object read by lower-case name. */
function nodeHeaders(headers: Request['headers']): HeaderReader {
  return {
    get(name: string) {
      const v = headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  };
}
