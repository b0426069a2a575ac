/**
 * `purposeful/express`: Express 4 and 5 route handlers over the one pipeline.
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type CompiledRoute,
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

  const handle = handler as (ctx: HandlerContext, res: Response) => unknown;

  const run = async (req: Request, res: Response, guard: Guard | undefined): Promise<void> => {
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
    const data = await handle(ctx, res);
    if (guard?.bypassed) return;
    // without an output declaration a handler may answer by itself
    if (!guard && (res.headersSent || res.writableEnded)) return;
    answer(res, guard, await compiled.leave(ctx, data));
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const guard = guarded ? guardResponse(res, compiled) : undefined;
    run(req, res, guard).catch((err: unknown) => {
      const problem = compiled.problem(err);
      if (problem !== undefined) return answer(res, guard, problem);
      if (guard?.bypassed) return;
      if (guard) release(res, guard); // the application's error handler answers as it likes
      next(err);
    });
  };
}

/** Methods through which anything reaches the socket; shadowed on routes with an output declaration. */
const SENDING = ['write', 'end', 'writeHead', 'flushHeaders'] as const;
type Sending = (typeof SENDING)[number];
type Method = (this: Response, ...args: unknown[]) => unknown;

/** The per-response state of a guarded route. */
interface Guard {
  readonly compiled: CompiledRoute<Request>;
  /** The methods as they were (own or inherited), put back by assignment: `delete` would cost every later call. */
  readonly saved: Record<Sending, Method>;
  bypassed: boolean;
  guarding: boolean;
}

const kGuard = Symbol('purposeful.guard');
/** The response seen as its sending slots. */
type Guarded = Record<Sending, Method> & { [kGuard]?: Guard };
const slots = (res: Response): Guarded => res as unknown as Guarded;

/** One shared shadow per method: refuses (500 PF_OUTPUT_BYPASS) or, once an answer went out, drops the call. */
const SHADOWS = Object.fromEntries(
  SENDING.map((m) => [
    m,
    function shadow(this: Response): Response {
      const g = slots(this)[kGuard];
      if (g && !g.bypassed) bypass(this, g, `res.${m === 'write' || m === 'end' ? 'send/json/end/pipe' : m}`);
      return this;
    },
  ]),
) as Record<Sending, Method>;

const dropped: Method = function dropped(this: Response): Response {
  return this;
};

/** `stream.pipe(res)` announces itself at once: refuse then, not at its first chunk. */
function onPipe(this: Response): void {
  const g = slots(this)[kGuard];
  if (g?.guarding && !g.bypassed) bypass(this, g, 'res.pipe');
}

function guardResponse(res: Response, compiled: CompiledRoute<Request>): Guard {
  const target = slots(res);
  const saved = { write: target.write, end: target.end, writeHead: target.writeHead, flushHeaders: target.flushHeaders };
  const g: Guard = { compiled, saved, bypassed: false, guarding: true };
  target[kGuard] = g;
  target.write = SHADOWS.write;
  target.end = SHADOWS.end;
  target.writeHead = SHADOWS.writeHead;
  target.flushHeaders = SHADOWS.flushHeaders;
  res.on('pipe', onPipe);
  return g;
}

function shadowAll(target: Guarded, fn: Method): void {
  target.write = fn;
  target.end = fn;
  target.writeHead = fn;
  target.flushHeaders = fn;
}

function release(res: Response, g: Guard): void {
  g.guarding = false;
  const target = slots(res);
  target.write = g.saved.write;
  target.end = g.saved.end;
  target.writeHead = g.saved.writeHead;
  target.flushHeaders = g.saved.flushHeaders;
}

function bypass(res: Response, g: Guard, how: string): void {
  g.bypassed = true;
  if (!res.headersSent && !res.writableEnded) {
    const problem = g.compiled.problem(outputBypass(how));
    if (problem) send(res, g, problem);
  }
  shadowAll(slots(res), dropped); // a pipe keeps writing after this point
}

/** Sends an answer: through the real methods (Node's `end` calls `writeHead` on the instance), then drops anything later. */
function send(res: Response, g: Guard | undefined, a: HttpAnswer): void {
  res.removeHeader('content-length');
  res.removeHeader('etag');
  res.statusCode = a.status;
  for (const k in a.headers) res.setHeader(k, a.headers[k] as string);
  if (!g) {
    res.end(a.body);
    return;
  }
  release(res, g);
  res.end(a.body);
  shadowAll(slots(res), dropped);
}

/** The pipeline's answer, unless the bypass was answered already. */
function answer(res: Response, g: Guard | undefined, a: HttpAnswer): void {
  if (g?.bypassed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, g, a);
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
