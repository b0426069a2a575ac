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
  PRIVATE_HEADERS,
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
      raw: guard ? guard.req : req,
      search: q < 0 ? '' : url.slice(q + 1),
      body: parsed ? { parsed: req.body } : { stream: req, length: req.headers['content-length'] },
    });
    req.body = ctx.body; // the handler and later middleware see the declared input only (or none)
    const data = await handle(ctx, guard ? guard.res : res);
    if (guard?.bypassed) return;
    // without an output declaration a handler may answer by itself
    if (!guard && (res.headersSent || res.writableEnded)) return;
    answer(res, guard, await compiled.leave(ctx, data));
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const guard = guarded ? guardFor(req, res, compiled) : undefined;
    run(req, res, guard).catch((err: unknown) => {
      const problem = compiled.problem(err);
      if (problem !== undefined) return answer(res, guard, problem);
      if (guard?.bypassed) return;
      if (guard) guard.done = true; // the application's error handler answers, on the real response
      next(err);
    });
  };
}

/**
 * On a route with an output declaration the handler gets a stand-in for the
 * response (and for `req`, whose `res` points to it): an object whose
 * prototype is the real response, so reading it, setting headers and status
 * work as usual, but whose sending methods refuse (500 PF_OUTPUT_BYPASS) — or,
 * once the pipeline has answered, drop the call. The real response is never
 * touched, so Node's own calls on it stay as fast as ever.
 */
interface Guard {
  readonly compiled: CompiledRoute<Request>;
  readonly real: Response;
  /** What the handler sees as `res` and `ctx.req`. */
  readonly res: Response;
  readonly req: Request;
  bypassed: boolean;
  /** The pipeline has answered (or handed the error to `next`): later calls are dropped. */
  done: boolean;
}

const kGuard = Symbol('purposeful.guard');
type Stand = Response & { [kGuard]: Guard };

/** A sending method of the stand-in. */
function shadow(how: string) {
  return function sending(this: Stand): Response {
    const g = this[kGuard];
    if (!g.bypassed && !g.done) bypass(g, how);
    return this;
  };
}

const STAND_IN: PropertyDescriptorMap = {
  write: { value: shadow('res.send/json/end/write'), writable: true, configurable: true },
  end: { value: shadow('res.send/json/end/write'), writable: true, configurable: true },
  writeHead: { value: shadow('res.writeHead'), writable: true, configurable: true },
  flushHeaders: { value: shadow('res.flushHeaders'), writable: true, configurable: true },
  // stream.pipe(res) announces itself with an event at once: refuse then, not at its first chunk
  emit: {
    value: function emit(this: Stand, type: string | symbol, ...args: unknown[]): boolean {
      const g = this[kGuard];
      if (type === 'pipe') {
        if (!g.bypassed && !g.done) bypass(g, 'res.pipe');
        return true;
      }
      return g.real.emit(type, ...args);
    },
    writable: true,
    configurable: true,
  },
  // status and headers set by the handler land on the real response
  statusCode: {
    get(this: Stand) {
      return this[kGuard].real.statusCode;
    },
    set(this: Stand, v: number) {
      this[kGuard].real.statusCode = v;
    },
    configurable: true,
  },
};

function guardFor(req: Request, res: Response, compiled: CompiledRoute<Request>): Guard {
  // the real response's header table exists before the stand-in writes to it (else it would get its own)
  for (const k in PRIVATE_HEADERS) res.setHeader(k, PRIVATE_HEADERS[k as keyof typeof PRIVATE_HEADERS]);
  const stand = Object.create(res, STAND_IN) as Stand;
  const standReq = Object.create(req, { res: { value: stand } }) as Request;
  Object.defineProperty(stand, 'req', { value: standReq });
  const g: Guard = { compiled, real: res, res: stand, req: standReq, bypassed: false, done: false };
  stand[kGuard] = g;
  return g;
}

function bypass(g: Guard, how: string): void {
  g.bypassed = true;
  const res = g.real;
  if (!res.headersSent && !res.writableEnded) {
    const problem = g.compiled.problem(outputBypass(how));
    if (problem) send(res, problem);
  }
}

/** Sends an answer on the real response. */
function send(res: Response, a: HttpAnswer): void {
  res.removeHeader('content-length');
  res.removeHeader('etag');
  res.statusCode = a.status;
  for (const k in a.headers) res.setHeader(k, a.headers[k] as string);
  res.end(a.body);
}

/** The pipeline's answer, unless the bypass was answered already. */
function answer(res: Response, g: Guard | undefined, a: HttpAnswer): void {
  if (g) {
    if (g.bypassed) return;
    g.done = true;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, a);
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
