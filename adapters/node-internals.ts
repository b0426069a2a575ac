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
  /** The response emitted `finish` once: a second one (a refused end running on after the refusal's answer) is not passed on. */
  finished: boolean;
  /** Answers a refused send (500 PF_OUTPUT_BYPASS), through the response while it is open. */
  readonly onBypass: (res: ServerResponse, how: string, g: Guard) => void;
  /** The header names set before the handler ran: the others are the handler's. */
  readonly headers: readonly string[];
  /** What the response's own doors and `emit` were before the guard took their place (a guard on the response itself). */
  readonly real: Readonly<Record<'storeHeader' | 'writeRaw' | 'emit', Method>> | undefined;
}

const kGuard = Symbol('purposeful.guard');
type Guarded = ServerResponse & { [kGuard]?: Guard };
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;
/** The members of Node's `OutgoingMessage` the guard takes the place of, on a guarded response only. */
type Doors = { _storeHeader: Method; _writeRaw: Method; emit: Method };

const DOOR_HOW = 'a sending method of the response';

function refuse(res: Guarded, g: Guard, how: string): void {
  g.bypassed = true;
  if (!res.headersSent && !res.writableEnded) g.onBypass(res, how, g); // sends through sendOpen
  g.state = CLOSED;
}

/**
 * Forgets what a refused send left on the response before it reached a door:
 * its status, the head it was storing, its length, bytes queued for a socket
 * not yet assigned. None of it has left: the door refused it.
 */
function forgetHead(res: Guarded): void {
  const r = res as unknown as Record<string, unknown>;
  r._header = null;
  r._headerSent = false;
  r._contentLength = null;
  r.chunkedEncoding = false;
  r._trailer = '';
  r.statusMessage = undefined;
  r._hasBody = res.req?.method !== 'HEAD';
  const queued = r.outputData as unknown[] | undefined;
  if (queued !== undefined && queued.length > 0) {
    r.outputData = [];
    (r._onPendingData as ((n: number) => void) | undefined)?.call(res, -(r.outputSize as number));
    r.outputSize = 0;
  }
}

/**
 * A door refuses while the handler runs: a send that reached it came round
 * the pipeline (`res.json`, `res.end`, `res.writeHead`, `res.writeEarlyHints`,
 * a pipe's first chunk, a middleware's wrapper, or a method of Node's
 * prototypes called on the response). The refusal's answer goes out in its
 * place; everything after it is dropped, callbacks with it, so a refused
 * `end` that runs on does not finish the response a second time.
 */
function atDoor(res: Guarded, g: Guard): false {
  if (g.state === GUARDED) {
    forgetHead(res);
    refuse(res, g, DOOR_HOW);
  }
  return false;
}

/**
 * What `emit` does on a guarded response before passing an event on: `true`
 * drops the event.
 * - `pipe`: `stream.pipe(res)` announces itself at once; refused then, not at its first chunk.
 * - `finish`: a refused end running on after the refusal's own answer would
 *   finish the response a second time (Node asserts on it and the process dies).
 * - `error` after the answer: an end or write that came late, which Node
 *   reports with an event nobody listens to on a response (the process would
 *   die of it); its bytes were not sent.
 */
function dropsEvent(res: Guarded, g: Guard, type: unknown, arg: unknown): boolean {
  if (type === 'pipe') {
    if (g.state === GUARDED) refuse(res, g, 'res.pipe');
  } else if (type === 'finish') {
    if (g.finished) return true;
    g.finished = true;
  } else if (type === 'error') {
    return g.state !== GUARDED && isLateWrite(arg);
  }
  return false;
}

/**
 * Node's `OutgoingMessage.prototype._storeHeader`, as a response guarded on
 * itself has it: every status line and header block passes here
 * (`writeHead`, and the implicit head of the first `write` / `end` / `flushHeaders`).
 */
function storeHeader(this: Guarded, firstLine: unknown, headers: unknown): unknown {
  const g = this[kGuard] as Guard;
  if (g.state === OPEN) return g.real?.storeHeader.call(this, firstLine, headers);
  return atDoor(this, g);
}

/** `_writeRaw`, as a response guarded on itself has it: every byte for the socket passes here (early hints included). */
function writeRaw(this: Guarded, data: unknown, encoding: unknown, callback: unknown, size: unknown): unknown {
  const g = this[kGuard] as Guard;
  if (g.state === OPEN) return g.real?.writeRaw.call(this, data, encoding, callback, size);
  return atDoor(this, g);
}

/** `emit`, as a response guarded on itself has it. */
function emit(this: Guarded, type: unknown, ...args: unknown[]): unknown {
  const g = this[kGuard] as Guard;
  if (dropsEvent(this, g, type, args[0])) return false;
  return g.real?.emit.call(this, type, ...args);
}

/** Prototypes of an application's own (an Express app's `app.response`) whose doors look for a guard. */
const PATCHED = new WeakSet<object>();

/**
 * Gives an application's own response prototype (an Express app's
 * `app.response`, made by `express()` for that app alone) doors that look for
 * a guard on the response, once, in place. Responses of that app without a
 * guard go straight to the member they would have called; a member the
 * prototype holds is kept, an inherited one is looked up at each call, so a
 * later patch of Node's (an APM agent's) still runs.
 */
function patchPrototype(proto: object): void {
  if (PATCHED.has(proto)) return;
  PATCHED.add(proto);
  const holder = proto as Record<string, Method>;
  const parent = Object.getPrototypeOf(proto) as Record<string, Method>;
  const realOf = (m: string): (() => Method) => {
    const own = Object.hasOwn(proto, m) ? holder[m] : undefined;
    return own !== undefined ? () => own : () => parent[m] as Method;
  };
  const define = (name: string, value: unknown) =>
    Object.defineProperty(proto, name, { value, writable: true, configurable: true, enumerable: false });
  const realStore = realOf('_storeHeader');
  const realWrite = realOf('_writeRaw');
  const realEmit = realOf('emit');
  define('_storeHeader', function _storeHeader(this: Guarded, firstLine: unknown, headers: unknown): unknown {
    const g = this[kGuard];
    if (g === undefined || g.state === OPEN) return realStore().call(this, firstLine, headers);
    return atDoor(this, g);
  });
  define('_writeRaw', function _writeRaw(this: Guarded, data: unknown, encoding: unknown, callback: unknown, size: unknown) {
    const g = this[kGuard];
    if (g === undefined || g.state === OPEN) return realWrite().call(this, data, encoding, callback, size);
    return atDoor(this, g);
  });
  define('emit', function emit(this: Guarded, type: unknown, ...args: unknown[]): unknown {
    const g = this[kGuard];
    if (g !== undefined && dropsEvent(this, g, type, args[0])) return false;
    return realEmit().call(this, type, ...args);
  });
}

/** Node's complaint about a write or an end after the response ended. */
function isLateWrite(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ERR_STREAM_ALREADY_FINISHED';
}

/** The public sending methods, guarded one by one where a response has no doors (not Node's `http.ServerResponse`). */
const SENDING = ['write', 'end', 'writeHead', 'flushHeaders', 'writeEarlyHints'] as const;
const WRAPPED = new WeakMap<Method, Method>();

function guardedMethod(real: Method): Method {
  let wrapped = WRAPPED.get(real);
  if (wrapped !== undefined) return wrapped;
  wrapped = function (this: Guarded, ...args: unknown[]): unknown {
    const g = this[kGuard];
    if (g === undefined || g.state === OPEN) return real.apply(this, args);
    if (g.state === GUARDED) refuse(this, g, DOOR_HOW);
    return this;
  };
  WRAPPED.set(real, wrapped);
  WRAPPED.set(wrapped, wrapped);
  return wrapped;
}

/**
 * Where a guard lives. `response`: on the guarded response alone, for a
 * response whose prototype is Node's own, shared by every server and library
 * in the process (Fastify's `reply.raw`): nothing outside the route changes.
 * `prototype`: on the application's own response prototype, patched once (an
 * Express app's `app.response`, which only that app's responses inherit):
 * Express moves every response onto its app's prototype with
 * `Object.setPrototypeOf`, after which members of the response's own slow
 * every later access in V8 (measured: about 50 µs more CPU per request), while
 * a patched prototype costs nothing per request.
 */
export type GuardScope = 'response' | 'prototype';

/**
 * Guards a response until the pipeline answers. The guard takes the place of
 * three members Node's `OutgoingMessage` has: the two doors that every head
 * and every byte pass, whichever method sent them (`_storeHeader`,
 * `_writeRaw`: `res.json`, `res.end`, `res.writeEarlyHints`, a pipe, a
 * middleware's wrapper, `http.ServerResponse.prototype.end.call(res, …)`),
 * and `emit`; where they live is the `scope`. Moving the response onto a
 * guarded prototype instead (`Object.setPrototypeOf`) costs about 20 µs per
 * request in V8.
 *
 * Out of reach, and said so in the security guide: the socket itself (`res.socket`,
 * `res.connection`) and Node's underscore internals called through
 * `OutgoingMessage.prototype` directly.
 */
export function guardResponse(
  res: ServerResponse,
  onBypass: Guard['onBypass'],
  scope: GuardScope,
  headers: readonly string[] = res.getHeaderNames(),
): Guard {
  const r = res as Guarded & Doors;
  // the prototype scope is for an app's own response prototype (Express's `app.response`, which holds its `app`):
  // middleware mounted on a plain Node server, connect or polka would otherwise patch Node's prototype process-wide
  const proto = Object.getPrototypeOf(res) as object | null;
  if (scope === 'prototype' && proto !== null && Object.hasOwn(proto, 'app')) {
    patchPrototype(proto);
    const g: Guard = { state: GUARDED, bypassed: false, finished: false, onBypass, headers, real: undefined };
    r[kGuard] = g;
    return g;
  }
  const real = r[kGuard]?.real ?? { storeHeader: r._storeHeader, writeRaw: r._writeRaw, emit: r.emit };
  const g: Guard = { state: GUARDED, bypassed: false, finished: false, onBypass, headers, real };
  r[kGuard] = g;
  if (typeof real.storeHeader === 'function' && typeof real.writeRaw === 'function') {
    r._storeHeader = storeHeader;
    r._writeRaw = writeRaw;
  } else {
    // a response of another making (HTTP/2's): its public sending methods, one by one
    const own = r as unknown as Record<string, Method>;
    for (const m of SENDING) if (typeof own[m] === 'function') own[m] = guardedMethod(own[m] as Method);
  }
  r.emit = emit as never;
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
