/**
 * `purposeful/fastify`: a Fastify plugin that runs declared routes through the
 * pipeline.
 *
 * @module purposeful/fastify
 */
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  preParsingHookHandler,
  preSerializationHookHandler,
  preValidationHookHandler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteOptions,
  RouteShorthandOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import {
  type CompiledRoute,
  compileRoute,
  type HandlerContext,
  type HandlerResult,
  type HttpAnswer,
  type Inbound,
  outputBypass,
  type PipelineOptions,
  PRIVATE_HEADERS,
  type Purposeful,
  PurposefulError,
  type PurposefulSchema,
  type RegisteredPurpose,
  type RouteDeclaration,
  toProblem,
} from 'purposeful';
import { bypassAnswer, type Guard, guardResponse, nodeHeaders, OPEN } from './node-internals.js';

/**
 * Options of {@link purposefulPlugin}: the engine, and the pipeline options
 * shared by every route (`bodyLimit` defaults to the route's or Fastify's).
 *
 * @example
 * ```ts
 * await app.register(purposefulPlugin, { engine: pf, maxDepth: 16 });
 * ```
 * @category HTTP
 */
export interface PurposefulPluginOptions extends PipelineOptions {
  /** The engine: `createPurposeful(...)`. */
  readonly engine: Purposeful;
}

/**
 * A route declaration as Fastify routes carry it in `config.purposeful`.
 *
 * @example
 * ```ts
 * const readTicket: FastifyRouteDeclaration = { purpose: 'support.ticket', output: Ticket, actor: agent };
 * app.get('/tickets/:id', { config: { purposeful: readTicket } }, async (request) => tickets.find(request.params));
 * ```
 * @category HTTP
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema combination may be declared on a route
export type FastifyRouteDeclaration = RouteDeclaration<string, any, any, any, FastifyRequest>;

/**
 * The Fastify route generic (`Body`, `Querystring`, `Params`, `Reply`) of a
 * purposeful route, from its declaration: `request.body` is what the route's
 * `input` lets its purpose receive, `request.query` likewise with `query`, and
 * the handler returns records to project (or, without an `output`, anything).
 * {@link purposefulRoute} infers it; it can also be given to a route method
 * the way Fastify's generics are, with the route parameters as the second
 * argument.
 *
 * @example
 * ```ts
 * const openTicket = { purpose: 'support.ticket', input: NewTicket, actor: agent } as const;
 * app.post<PurposefulRouteGeneric<typeof openTicket, { customerId: string }>>(
 *   '/customers/:customerId/tickets', { config: { purposeful: openTicket } },
 *   async (request) => tickets.create(request.params.customerId, request.body.message), // body.message: string
 * );
 * ```
 * @category HTTP
 */
export interface PurposefulRouteGeneric<
  D extends FastifyRouteDeclaration,
  Params extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
> extends RouteGenericInterface {
  Body: D extends { readonly input?: infer S }
    ? [Extract<S, PurposefulSchema>] extends [never]
      ? undefined
      : Inbound<Extract<S, PurposefulSchema>, D['purpose']>
    : undefined;
  Querystring: D extends { readonly query?: infer S }
    ? [Extract<S, PurposefulSchema>] extends [never]
      ? unknown
      : Inbound<Extract<S, PurposefulSchema>, D['purpose']>
    : unknown;
  Params: Params;
  Reply: D extends { readonly output?: infer S }
    ? [Extract<S, PurposefulSchema>] extends [never]
      ? unknown
      : HandlerResult<Extract<S, PurposefulSchema>>
    : unknown;
}

/**
 * The route options {@link purposefulRoute} returns: `config.purposeful` set,
 * and the route generic that types `request` and the handler's answer.
 *
 * @example
 * ```ts
 * const options: PurposefulRouteOptions<typeof readTicket> = purposefulRoute(readTicket, { bodyLimit: 16_384 });
 * app.get('/tickets', options, async (request) => tickets.search(request.query.email));
 * ```
 * @category HTTP
 */
export type PurposefulRouteOptions<
  D extends FastifyRouteDeclaration,
  Params extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
> = RouteShorthandOptions<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  PurposefulRouteGeneric<D, Params>,
  { readonly purposeful?: D; readonly [key: string]: unknown }
>;

/**
 * Typed route options for a purposeful route: `config: { purposeful: declaration }`,
 * merged into `options` if given. Passed to a route method, it types the
 * handler from the declaration, as a type provider does from a route schema:
 * `request.body` and `request.query` are what the purpose may receive (the
 * validated, minimized input the plugin puts there), `request.params` is an
 * object of strings, and on a route with an `output` the handler (and
 * `reply.send`) must answer with records, which the plugin projects. With
 * `purposes` registered (see `Register`), a purpose nobody declared is a
 * compile error. At runtime it only builds the options object.
 *
 * @example
 * ```ts
 * import { purposefulPlugin, purposefulRoute } from 'purposeful/fastify';
 *
 * const openTicket = { purpose: 'support.ticket', input: NewTicket, actor: agent, status: 201 } as const;
 * await app.register(purposefulPlugin, { engine: pf });
 * app.post('/tickets', purposefulRoute(openTicket), async (request) => {
 *   const message: string = request.body.message; // typed: Inbound<typeof NewTicket, 'support.ticket'>
 *   return tickets.create(message);
 * });
 * ```
 * @category HTTP
 */
export function purposefulRoute<
  const D extends RouteDeclaration<
    RegisteredPurpose,
    PurposefulSchema | undefined,
    PurposefulSchema | undefined,
    PurposefulSchema | undefined,
    FastifyRequest
  >,
  Params extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
>(declaration: D, options?: PurposefulRouteOptions<D, Params>): PurposefulRouteOptions<D, Params> {
  return { ...options, config: { ...options?.config, purposeful: declaration } } as PurposefulRouteOptions<D, Params>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt this route into purposeful: its purpose, input, output, actor and subject. */
    purposeful?: FastifyRouteDeclaration;
  }
  interface FastifyRequest {
    /** On a purposeful route: who is asking, about whom, and the validated input (also in `request.body` / `request.query`). */
    purposeful: HandlerContext<string, never, never, FastifyRequest> | null;
  }
}

const kState = Symbol('purposeful.state');
const kInstrumented = Symbol('purposeful.instrumented');

/** Per-request state of an instrumented route. */
interface State {
  ctx: HandlerContext<string, never, never, FastifyRequest> | undefined;
  /** The payload went through the projection (or is a problem answer). */
  cleared: boolean;
  /** The request's content type, while Fastify's parser is told the body was read. */
  contentType?: string | undefined;
  /** The guard on `reply.raw` of a route with an output declaration. */
  guard?: Guard;
  /** The reply's header names before the handler ran. */
  headers?: readonly string[];
  /** A way of sending the handler tried that the reply refuses (`reply.serializer()`): answered in onSend. */
  refused?: string;
  /** The handler called `reply.send()` (tracked for synchronous handlers only). */
  sent?: boolean;
}

type WithState = FastifyRequest & { [kState]?: State };

/**
 * The media type a purposeful route's request carries between `preParsing`
 * (which read and checked the body) and `preValidation` (which restores the
 * real one): its parser hands Fastify nothing to parse twice.
 */
const READ_ALREADY = 'application/x-purposeful-read';

/**
 * The Fastify plugin. Wrapped with fastify-plugin, so it applies to the
 * context it is registered in; register it (with `await`) before the routes.
 * For each route with `config.purposeful`:
 * - `preParsing` resolves the actor and subject, checks authorization, and
 *   reads the raw body itself (byte cap, UTF-8, duplicate and prototype keys,
 *   depth) before Fastify's parser sees a byte;
 * - `preValidation` puts the minimized, validated input in `request.body` /
 *   `request.query` (and the whole context in `request.purposeful`);
 * - `preSerialization` projects and masks what the handler returns;
 * - `onSend` refuses (500 `PF_OUTPUT_BYPASS`) a string, Buffer or stream sent on
 *   a route with an output declaration, since those skip serialization hooks,
 *   and a `reply.serializer(fn)` the handler set (it is not applied);
 * - `reply.raw` of such a route (and only of such a route: no prototype is
 *   patched in place) refuses every way of sending while the handler runs,
 *   `reply.hijack()`, early hints and Node's prototype methods called on it included;
 * - refusals become `application/problem+json`; other errors go to the route's
 *   or the instance's error handler as usual.
 * A route that declares `config.purposeful` but was registered where the
 * plugin does not reach (before it, in the same context) is refused at its
 * first request rather than served unprotected.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { purposefulPlugin } from 'purposeful/fastify';
 *
 * const app = Fastify();
 * await app.register(purposefulPlugin, { engine: pf });
 * app.get('/tickets/:id', { config: { purposeful: { purpose: 'support.ticket', output: Ticket, actor: agent } } },
 *   async (request) => tickets.find((request.params as { id: string }).id));
 * ```
 * @category HTTP
 */
export const purposefulPlugin: FastifyPluginCallback<PurposefulPluginOptions> = fp(
  (fastify: FastifyInstance, options: PurposefulPluginOptions, done: (err?: Error) => void) => {
    const { engine, ...pipeline } = options ?? ({} as PurposefulPluginOptions);
    if (typeof engine !== 'object' || engine === null || typeof engine.inbound !== 'function') {
      return done(new PurposefulError('PF_OPTIONS_INVALID', 'purposefulPlugin needs { engine: createPurposeful(...) }'));
    }
    fastify.decorateRequest('purposeful', null);
    // what the route hooks read themselves: nothing left for Fastify to parse (preValidation installs the input)
    fastify.addContentTypeParser(READ_ALREADY, (request, _payload, parsed) => {
      const state = (request as WithState)[kState];
      if (state?.contentType === undefined) {
        // a client sending the private media type itself: not ours to accept
        return parsed(new PurposefulError('PF_MEDIA_TYPE_UNSUPPORTED', 'the body must be application/json in UTF-8'), undefined);
      }
      request.raw.headers['content-type'] = state.contentType; // the real one, from here on
      state.contentType = undefined;
      parsed(null, undefined);
    });

    fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
      const declaration = routeOptions.config?.purposeful;
      if (declaration === undefined) return;
      const compiled = compileRoute<FastifyRequest>(engine, declaration, {
        bodyLimit: routeOptions.bodyLimit ?? fastify.initialConfig.bodyLimit,
        ...pipeline,
      });
      // marks this route (not the declaration, which several routes may share) as instrumented
      routeOptions.config = { ...routeOptions.config, [kInstrumented]: true } as typeof routeOptions.config;
      instrument(routeOptions, compiled);
    });

    // Routes declared before the plugin in this context get no onRoute call,
    // but do get the context's hooks: refuse them rather than serve them raw.
    const gate: onRequestHookHandler = (request, reply, next) => {
      const config = routeConfig(request);
      if (config.purposeful === undefined || config[kInstrumented] === true) return next();
      const answer = toProblem(
        new PurposefulError(
          'PF_OPTIONS_INVALID',
          'this route declares config.purposeful but was registered before purposefulPlugin: register the plugin first',
        ),
        pipeline.problemType,
      );
      sendAnswer(reply, answer);
    };
    fastify.addHook('onRequest', gate);
    done();
  },
  { fastify: '5.x', name: 'purposeful' },
);

function sendAnswer(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  reply.code(answer.status);
  reply.removeHeader('content-length');
  for (const [k, v] of Object.entries(answer.headers)) reply.header(k, v);
  // a Buffer keeps the content type as set (Fastify would add a charset to a string)
  return reply.send(answer.body === undefined ? undefined : Buffer.from(answer.body));
}

function addHook<K extends 'preParsing' | 'preValidation' | 'preSerialization' | 'onSend'>(
  routeOptions: RouteOptions,
  name: K,
  hook: unknown,
): void {
  const existing = routeOptions[name] as unknown;
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  // onSend first among the route's: a later one (Fastify's own for HEAD) may empty the payload it must judge
  (routeOptions as unknown as Record<string, unknown>)[name] = name === 'onSend' ? [hook, ...list] : [...list, hook];
}

type Config = { purposeful?: unknown; [kInstrumented]?: true };
let kContext: symbol | null | undefined;

/**
 * The route's config. `request.routeOptions` builds a new object on every
 * access (a cost every request of the application would pay for the gate), so
 * the route context Fastify keeps on the request is read directly when it is
 * there, and `routeOptions` is the fallback.
 */
function routeConfig(request: FastifyRequest): Config {
  if (kContext === undefined) {
    kContext = Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context') ?? null;
  }
  const context = kContext ? (request as unknown as Record<symbol, { config?: Config } | undefined>)[kContext] : undefined;
  return context?.config ?? (request.routeOptions.config as Config);
}

let kReplyHeaders: symbol | null | undefined;

/**
 * The reply's header names. `reply.getHeaders()` merges two objects into a
 * new one on every call; the table Fastify keeps on the reply is read directly
 * when it is there (headers set on `reply.raw` itself are rare before a handler).
 */
function headerNames(reply: FastifyReply): string[] {
  if (kReplyHeaders === undefined) {
    kReplyHeaders = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.headers') ?? null;
  }
  const table = kReplyHeaders ? (reply as unknown as Record<symbol, object | undefined>)[kReplyHeaders] : undefined;
  return table ? [...Object.keys(table), ...reply.raw.getHeaderNames()] : Object.keys(reply.getHeaders());
}

/** Before a problem answer: the headers the handler set do not go out with it. */
function dropReplyHeaders(reply: FastifyReply, state: State): void {
  const before = state.headers;
  if (before === undefined) return;
  for (const name of Object.keys(reply.getHeaders())) if (!before.includes(name)) reply.removeHeader(name);
}

/**
 * `reply.send`, as a synchronous handler's reply has it: notes that the
 * handler answered, so that returning `undefined` after it is not taken for
 * "nothing to answer".
 */
function markSend(this: FastifyReply, payload?: unknown): FastifyReply {
  const state = (this.request as WithState)[kState];
  if (state) state.sent = true;
  return (Object.getPrototypeOf(this) as FastifyReply).send.call(this, payload);
}

/** `reply.hijack()` would hand the raw response to the handler, around every hook. */
function refuseHijack(): never {
  throw outputBypass('reply.hijack()');
}

/**
 * `reply.serializer(fn)` would turn the projected payload into whatever `fn`
 * returns (a raw row it closed over). On a guarded route it sets nothing: the
 * payload is serialized as projected, and onSend answers 500
 * `PF_OUTPUT_BYPASS`. It does not throw, so a call from a timer cannot take
 * the process down.
 */
function refuseSerializer(this: FastifyReply): FastifyReply {
  const state = (this.request as WithState)[kState];
  if (state) state.refused ??= 'reply.serializer()';
  return this;
}

/** Fastify's own slot for a reply's serializer (`null`: the route's), found once on the first guarded reply. */
let serializerSlot: symbol | null | undefined;

/**
 * Whether something before the route's hooks (an application-level
 * `onRequest`, `preParsing` or `preValidation` hook) already called
 * `reply.serializer(fn)`: on a guarded route that is refused like the
 * handler's own call. The slot is Fastify's; where a later Fastify keeps it
 * elsewhere, the reply's serializer is reset instead (the projected payload
 * is what gets serialized either way).
 */
function serializerWasSet(reply: FastifyReply): boolean {
  if (serializerSlot === undefined) {
    serializerSlot = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.serializer') ?? null;
  }
  const set = serializerSlot !== null && (reply as unknown as Record<symbol, unknown>)[serializerSlot] != null;
  reply.serializer(null as never);
  return set;
}

/** Adds the route-level hooks and the error handler of one purposeful route. */
function instrument(routeOptions: RouteOptions, compiled: CompiledRoute<FastifyRequest>): void {
  const guarded = compiled.route.output !== undefined;
  keepSyncHandlersAnswering(routeOptions);
  addHook(routeOptions, 'preParsing', preParsingHook(compiled));
  addHook(routeOptions, 'preValidation', preValidationHook(compiled));
  addHook(routeOptions, 'onSend', onSendHook(compiled));
  if (guarded) addHook(routeOptions, 'preSerialization', preSerializationHook(compiled));
  routeOptions.errorHandler = errorHandlerOf(routeOptions, compiled);
}

/** Opens the request: reads and checks its body, params and query, and keeps the context for the later hooks. */
function preParsingHook(compiled: CompiledRoute<FastifyRequest>): preParsingHookHandler {
  const route = compiled.route;
  return (request, _reply, payload, done) => {
    const req = request as WithState;
    const state: State = { ctx: undefined, cleared: false };
    req[kState] = state;
    compiled
      .enter({
        method: request.method,
        headers: nodeHeaders(request.headers),
        params: (request.params ?? {}) as Record<string, string>,
        raw: request,
        url: request.url,
        body: { stream: payload, length: request.headers['content-length'] },
      })
      .then((ctx) => {
        state.ctx = ctx as State['ctx'];
        request.purposeful = state.ctx ?? null;
        if (route.input) {
          // the body is read and checked: Fastify's content-type step is told so, and preValidation puts the header back
          state.contentType = request.headers['content-type'];
          request.raw.headers['content-type'] = READ_ALREADY;
        }
        done(null, payload);
      }, done);
  };
}

/** Hands the handler the checked body and query, sets the route's status and headers, and guards a guarded reply. */
function preValidationHook(compiled: CompiledRoute<FastifyRequest>): preValidationHookHandler {
  const route = compiled.route;
  const guarded = route.output !== undefined;
  /** A send through reply.raw while the handler runs: answered there, with the guard open for it. */
  const onRawBypass = bypassAnswer(compiled);
  return (request, reply, next) => {
    const state = (request as WithState)[kState];
    const ctx = state?.ctx;
    request.body = ctx?.body;
    if (route.query) request.query = ctx?.query;
    if (route.status !== undefined) reply.code(route.status);
    reply.headers(PRIVATE_HEADERS);
    if (state) state.headers = headerNames(reply); // what the handler adds is its own
    if (guarded && state) {
      if (serializerWasSet(reply)) state.refused ??= 'reply.serializer()';
      (reply as unknown as { hijack: () => never }).hijack = refuseHijack;
      (reply as unknown as { serializer: typeof refuseSerializer }).serializer = refuseSerializer;
      // reply.raw skips every hook: it is guarded like an Express response until onSend lets the answer through
      state.guard = guardResponse(reply.raw, onRawBypass, 'response', state.headers);
    }
    next();
  };
}

/** Projects what the handler returned through the route's output (a guarded route only). */
function preSerializationHook(compiled: CompiledRoute<FastifyRequest>): preSerializationHookHandler<unknown> {
  return (request, _reply, payload, done) => {
    const state = (request as WithState)[kState];
    const ctx = state?.ctx;
    if (state === undefined || state.cleared || ctx === undefined) return done(null, payload);
    let projected: unknown;
    try {
      projected = compiled.projectNow(ctx, payload);
    } catch (err) {
      return done(err as Error);
    }
    state.cleared = true;
    // a promise only when something had to be awaited (an encrypted field, a ledger round trip)
    if (projected instanceof Promise) projected.then((view) => done(null, view), done);
    else done(null, projected);
  };
}

/** Lets a projected answer out, makes "nothing" a 204, and turns whatever bypassed the projection into a problem. */
function onSendHook(compiled: CompiledRoute<FastifyRequest>): onSendHookHandler<unknown> {
  const guarded = compiled.route.output !== undefined;
  return (request, reply, payload, next) => {
    const state = (request as WithState)[kState];
    const guard = state?.guard;
    // a bypass through reply.raw was answered already: nothing more goes out
    if (guard?.bypassed) return next(null, undefined);
    if (guard) guard.state = OPEN; // Fastify writes the answer after this hook
    if (state === undefined) return next(null, payload);
    const refused = state.refused;
    if (refused === undefined) {
      if (state.cleared) return next(null, payload);
      // Fastify serializes a handler's `null` to 'null' without a preSerialization hook: on a route without an
      // output that is a command's "nothing to answer" (204), as on every adapter; with an output it is a 404 below
      const none = payload === 'null' && !guarded;
      if (payload === undefined || payload === null || payload === '' || none) {
        // the handler returned nothing: nothing to project, and the status says so
        if (reply.statusCode === 200) reply.code(204);
        if (none) reply.removeHeader('content-type');
        return next(null, none ? undefined : payload);
      }
      if (!guarded) return next(null, payload);
    }
    (payload as { destroy?: () => void } | null)?.destroy?.();
    const answer = compiled.problem(outputBypass(refused ?? 'a string, Buffer or stream (reply.send)')) as HttpAnswer;
    state.refused = undefined;
    state.cleared = true;
    dropReplyHeaders(reply, state);
    reply.code(answer.status);
    reply.removeHeader('content-length');
    for (const [k, v] of Object.entries(answer.headers)) reply.header(k, v);
    next(null, Buffer.from(answer.body ?? ''));
  };
}

/**
 * Fastify waits for a synchronous handler that returns `undefined` to call reply.send() later, while an
 * async one's `undefined` is sent at once: on a purposeful route both mean "nothing to answer" (204). A
 * synchronous handler that answers later returns the reply, as Fastify asks of async handlers.
 */
function keepSyncHandlersAnswering(routeOptions: RouteOptions): void {
  const handler = routeOptions.handler;
  const sync = handler.constructor?.name !== 'AsyncFunction';
  if (sync) {
    routeOptions.handler = function purposefulHandler(this: FastifyInstance, request, reply) {
      const state = (request as WithState)[kState];
      if (state) (reply as unknown as { send: typeof markSend }).send = markSend;
      const result = handler.call(this, request, reply);
      if (result !== undefined || reply.sent || state === undefined || state.sent) return result;
      return reply.send();
    };
  }
}

/** Refusals and a handler's 4xx errors become problems; other errors go to the route's own handler, or get a generic message. */
function errorHandlerOf(
  routeOptions: RouteOptions,
  compiled: CompiledRoute<FastifyRequest>,
): NonNullable<RouteOptions['errorHandler']> {
  const userErrorHandler = routeOptions.errorHandler;
  return function purposefulErrorHandler(this: FastifyInstance, error, request, reply) {
    const state = (request as WithState)[kState];
    if (state) state.cleared = true; // error answers are not data: they pass
    // refusals, and a handler's 4xx error (its message unsent), are problems like on every adapter
    const problem = compiled.problem(error);
    if (problem !== undefined) {
      if (state) dropReplyHeaders(reply, state);
      return sendAnswer(reply, problem);
    }
    if (userErrorHandler) return userErrorHandler.call(this, error, request, reply);
    // Fastify's default handler would send the message, which may quote data: it gets a generic one, the error as cause
    throw Object.assign(new Error('the route handler failed', { cause: error }), { statusCode: 500 });
  };
}
