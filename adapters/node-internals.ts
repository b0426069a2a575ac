/**
 * What the Node adapters share: the output guard (on a route with an output
 * declaration, nothing may reach the socket but the pipeline's answer) and the
 * header reader. Internal to `purposeful/express` and `purposeful/fastify`
 * (bundled into each).
 *
 * @module
 * @internal
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { type CompiledRoute, type HeaderReader, type HttpAnswer, outputBypass } from 'purposeful';

/** Node's header object read by lower-case name (a class: no closure per request). */
class NodeHeaderReader implements HeaderReader {
  constructor(private readonly headers: IncomingHttpHeaders) {}
  get(name: string): string | undefined {
    const v = this.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }
}

/** Node's header object read by lower-case name. */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderReader {
  return new NodeHeaderReader(headers);
}

/**
 * How a guarded response treats a sending call: `GUARDED` while the handler
 * runs (refused), `OPEN` for the pipeline's own answer or the application's
 * error handler, `CLOSED` once an answer went out (a late write, e.g. a pipe
 * still running, is dropped).
 */
export const GUARDED = 0;
export const OPEN = 1;
export const CLOSED = 2;

/** The per-response state of a guarded route. */
export interface Guard {
  state: typeof GUARDED | typeof OPEN | typeof CLOSED;
  bypassed: boolean;
  /** Answers a refused send (500 PF_OUTPUT_BYPASS), through the response while it is open. */
  readonly onBypass: (res: ServerResponse, how: string, g: Guard) => void;
  /** The header names set before the handler ran: the others are the handler's. */
  readonly headers: readonly string[];
}

const kGuard = Symbol('purposeful.guard');
type Guarded = ServerResponse & { [kGuard]?: Guard };
type Sending = 'write' | 'end' | 'writeHead' | 'flushHeaders';
const SENDING: readonly Sending[] = ['write', 'end', 'writeHead', 'flushHeaders'];
const HOW: Readonly<Record<Sending, string>> = {
  write: 'res.send/json/end/write',
  end: 'res.send/json/end/write',
  writeHead: 'res.writeHead',
  flushHeaders: 'res.flushHeaders',
};

function refuse(res: Guarded, g: Guard, how: string): void {
  g.bypassed = true;
  if (!res.headersSent && !res.writableEnded) g.onBypass(res, how, g); // sends through sendOpen
  g.state = CLOSED;
}

type Method = (...args: unknown[]) => unknown;

/** The guarded version of each method, made once: a response is given the same functions every time. */
const WRAPPED = new WeakMap<Method, Method>();

/** A sending method under the guard: `real` when open, refused while guarded, dropped when closed. */
function guarded(real: Method, how: string): Method {
  let wrapped = WRAPPED.get(real);
  if (wrapped !== undefined) return wrapped;
  wrapped = function (this: Guarded, ...args: unknown[]): unknown {
    const g = this[kGuard];
    if (g === undefined || g.state === OPEN) return real.apply(this, args);
    if (g.state === GUARDED) refuse(this, g, how);
    return this;
  };
  WRAPPED.set(real, wrapped);
  WRAPPED.set(wrapped, wrapped); // a response guarded twice keeps one layer
  return wrapped;
}

/** Prototypes whose sending methods already look for a guard. */
const PATCHED = new WeakSet<object>();

/**
 * Makes the sending methods a response inherits look for its guard: done once
 * per prototype (`http.ServerResponse.prototype` for Fastify's `reply.raw`, an
 * Express app's `app.response`), in place. A response without a guard goes
 * straight to the method it would have called; a guarded one costs one
 * property of its own, where moving it onto another prototype or giving it
 * methods of its own would slow every later call on it.
 */
function patchPrototype(proto: object): void {
  if (PATCHED.has(proto)) return;
  PATCHED.add(proto);
  const holder = proto as Record<string, Method>;
  const parent = Object.getPrototypeOf(proto) as Record<string, Method> | null;
  // a method the prototype holds is kept; an inherited one is looked up at each call, so a later patch of it still runs
  const realOf = (m: string): (() => Method) => {
    const own = Object.hasOwn(proto, m) ? holder[m] : undefined;
    return own !== undefined ? () => own : () => parent?.[m] as Method;
  };
  for (const m of SENDING) {
    const real = realOf(m);
    const how = HOW[m];
    Object.defineProperty(proto, m, {
      value: function (this: Guarded, ...args: unknown[]): unknown {
        const g = this[kGuard];
        if (g === undefined || g.state === OPEN) return real().apply(this, args);
        if (g.state === GUARDED) refuse(this, g, how);
        return this;
      },
      writable: true,
      configurable: true,
    });
  }
  const realEmit = realOf('emit');
  Object.defineProperty(proto, 'emit', {
    // stream.pipe(res) announces itself with an event at once: refuse then, not at its first chunk
    value: function emit(this: Guarded, type: string | symbol, ...args: unknown[]): boolean {
      const g = this[kGuard];
      if (type === 'pipe' && g !== undefined && g.state === GUARDED) refuse(this, g, 'res.pipe');
      return realEmit().call(this, type, ...args) as boolean;
    },
    writable: true,
    configurable: true,
  });
}

/**
 * Guards a response until the pipeline answers: its prototype's sending
 * methods look for the guard (see `patchPrototype`). Middleware that put
 * sending methods on the response itself (compression, sessions, timers)
 * shadow the prototype: those are wrapped in place.
 */
export function guardResponse(
  res: ServerResponse,
  onBypass: Guard['onBypass'],
  headers: readonly string[] = res.getHeaderNames(),
): Guard {
  const g: Guard = { state: GUARDED, bypassed: false, onBypass, headers };
  patchPrototype(Object.getPrototypeOf(res) as object);
  (res as Guarded)[kGuard] = g;
  const own = res as unknown as Record<Sending, Method>;
  for (const m of SENDING) if (Object.hasOwn(res, m)) own[m] = guarded(own[m], HOW[m]);
  return g;
}

/** Runs the pipeline's own send with the guard open, then closes it to anything later. */
export function sendOpen(g: Guard | undefined, send: () => void): void {
  if (g === undefined) {
    send();
    return;
  }
  g.state = OPEN;
  try {
    send();
  } finally {
    g.state = CLOSED;
  }
}

/** Before a problem answer: the headers the handler set (a cookie, a Location, its own) do not go out with it. */
export function dropHandlerHeaders(g: Guard | undefined, names: readonly string[], remove: (name: string) => void): void {
  if (g === undefined) return;
  for (const name of names) if (!g.headers.includes(name)) remove(name);
}

/** Sends an answer on a Node response, through its guard opened for it; a problem answer leaves the handler's headers out. */
export function sendAnswer(res: ServerResponse, g: Guard | undefined, a: HttpAnswer, problem: boolean): void {
  // a length or ETag the handler set belongs to a body that is not sent
  if (res.hasHeader('content-length')) res.removeHeader('content-length');
  if (res.hasHeader('etag')) res.removeHeader('etag');
  if (problem) dropHandlerHeaders(g, res.getHeaderNames(), (n) => res.removeHeader(n));
  res.statusCode = a.status;
  for (const k in a.headers) res.setHeader(k, a.headers[k] as string);
  sendOpen(g, () => res.end(a.body));
}

/** The guard's answer to a refused send on a route: 500 PF_OUTPUT_BYPASS, made once per route. */
export function bypassAnswer(compiled: Pick<CompiledRoute, 'problem'>): Guard['onBypass'] {
  return (res, how, g) => {
    const problem = compiled.problem(outputBypass(how));
    if (problem) sendAnswer(res, g, problem, true);
  };
}
