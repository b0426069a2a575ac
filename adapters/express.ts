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
      if (guard) guard.state = OPEN; // the application's error handler answers as it likes
      next(err);
    });
  };
}

/**
 * How a guarded response treats a sending call: `GUARDED` while the handler
 * runs (refused: 500 PF_OUTPUT_BYPASS), `OPEN` for the pipeline's own answer
 * or the application's error handler, `CLOSED` once an answer went out (a
 * late write, e.g. a pipe still running, is dropped).
 */
const GUARDED = 0;
const OPEN = 1;
const CLOSED = 2;

/** The per-response state of a route with an output declaration. */
interface Guard {
  readonly compiled: CompiledRoute<Request>;
  state: typeof GUARDED | typeof OPEN | typeof CLOSED;
  bypassed: boolean;
}

const kGuard = Symbol('purposeful.guard');
type Guarded = Response & { [kGuard]?: Guard };

/**
 * The guard is a prototype, shared by every response with the same original
 * prototype (Express gives each response `app.response`): a guarded response
 * is moved onto it, which Express itself does to every response, instead of
 * getting methods of its own, which would slow every later call on it.
 */
const GUARD_PROTOS = new WeakMap<object, object>();

function guardedProto(original: object): object {
  let proto = GUARD_PROTOS.get(original);
  if (proto !== undefined) return proto;
  const base = original as Record<string, (...args: unknown[]) => unknown>;
  const sending = (name: 'write' | 'end' | 'writeHead' | 'flushHeaders', how: string) => {
    const real = base[name] as (...args: unknown[]) => unknown;
    return function (this: Guarded, ...args: unknown[]): unknown {
      const g = this[kGuard];
      if (g === undefined || g.state === OPEN) return real.apply(this, args);
      if (g.state === GUARDED) bypass(this, g, how);
      return this;
    };
  };
  const realEmit = base.emit as (...args: unknown[]) => boolean;
  proto = Object.create(original, {
    write: { value: sending('write', 'res.send/json/end/write'), writable: true, configurable: true },
    end: { value: sending('end', 'res.send/json/end/write'), writable: true, configurable: true },
    writeHead: { value: sending('writeHead', 'res.writeHead'), writable: true, configurable: true },
    flushHeaders: { value: sending('flushHeaders', 'res.flushHeaders'), writable: true, configurable: true },
    // stream.pipe(res) announces itself with an event at once: refuse then, not at its first chunk
    emit: {
      value: function emit(this: Guarded, type: string | symbol, ...args: unknown[]): boolean {
        const g = this[kGuard];
        if (type === 'pipe' && g !== undefined && g.state === GUARDED) bypass(this, g, 'res.pipe');
        return realEmit.call(this, type, ...args);
      },
      writable: true,
      configurable: true,
    },
  }) as object;
  GUARD_PROTOS.set(original, proto);
  return proto;
}

function guardResponse(res: Response, compiled: CompiledRoute<Request>): Guard {
  const g: Guard = { compiled, state: GUARDED, bypassed: false };
  (res as Guarded)[kGuard] = g;
  Object.setPrototypeOf(res, guardedProto(Object.getPrototypeOf(res) as object));
  return g;
}

function bypass(res: Response, g: Guard, how: string): void {
  g.bypassed = true;
  if (!res.headersSent && !res.writableEnded) {
    const problem = g.compiled.problem(outputBypass(how));
    if (problem) send(res, g, problem);
  }
  g.state = CLOSED;
}

/** Sends an answer through the real methods, then closes the response to anything later. */
function send(res: Response, g: Guard | undefined, a: HttpAnswer): void {
  // a length or ETag the handler set belongs to a body that is not sent
  if (res.hasHeader('content-length')) res.removeHeader('content-length');
  if (res.hasHeader('etag')) res.removeHeader('etag');
  res.statusCode = a.status;
  for (const k in a.headers) res.setHeader(k, a.headers[k] as string);
  if (g) g.state = OPEN;
  res.end(a.body);
  if (g) g.state = CLOSED;
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
