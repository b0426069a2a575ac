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
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.removeHeader('content-length');
      res.removeHeader('etag');
      res.statusCode = answer.status;
      for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
      // the guard stays in place: a late write (a pipe still running) is dropped, not sent
      if (original) original.end(answer.body);
      else res.end(answer.body);
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
      req.body = ctx.body; // the handler and later middleware see the declared input only (or none)
      const data = await (handler as (c: typeof ctx, r: Response) => unknown)(ctx, res);
      if (original?.bypassed) return;
      // without an output declaration a handler may answer by itself
      if (!guarded && (res.headersSent || res.writableEnded)) return;
      send(await compiled.leave(ctx, data));
    };
    run().catch((err: unknown) => {
      const answer = compiled.problem(err);
      if (answer !== undefined) return send(answer);
      if (original?.bypassed) return;
      original?.release(); // the application's error handler answers as it likes
      next(err);
    });
  };

  /**
   * Shadows the sending methods on this response: a call from the handler
   * answers 500 PF_OUTPUT_BYPASS instead (or, once an answer went out, does
   * nothing). The pipeline sends through `end`, the method as it was.
   */
  function guard(res: Response): {
    restore(): void;
    release(): void;
    end(body: string | undefined): void;
    bypassed: boolean;
    guarding: boolean;
  } {
    const target = res as unknown as Record<string, unknown>;
    const saved = new Map<Sending, unknown>();
    for (const m of SENDING) if (Object.hasOwn(target, m)) saved.set(m, target[m]);
    const state = {
      bypassed: false,
      guarding: true,
      release(): void {
        state.guarding = false;
        state.restore();
      },
      restore(): void {
        for (const m of SENDING) {
          if (saved.has(m)) target[m] = saved.get(m);
          else delete target[m];
        }
      },
      /** Sends through the real methods (Node's `end` calls `writeHead` on the instance), then drops anything later. */
      end(body: string | undefined): void {
        state.restore();
        res.end(body);
        for (const n of SENDING) target[n] = noop;
      },
    };
    const noop = (): Response => res;
    // stream.pipe(res) announces itself at once: refuse then, not at its first chunk
    res.once('pipe', () => {
      if (state.guarding) (target.write as () => void)();
    });
    for (const m of SENDING) {
      target[m] = function bypass(): Response {
        if (state.bypassed) return res;
        state.bypassed = true;
        for (const n of SENDING) target[n] = noop; // a pipe keeps writing after this point
        if (!res.headersSent && !res.writableEnded) {
          const answer = compiled.problem(outputBypass(`res.${m === 'write' || m === 'end' ? 'send/json/end/pipe' : m}`));
          if (answer) {
            res.removeHeader('content-length');
            res.removeHeader('etag');
            res.statusCode = answer.status;
            for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
            state.end(answer.body);
          }
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
