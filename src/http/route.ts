import { CONSENT_MEMO, type ConsentMemo } from '../consent/check.js';
import { type EngineNow, engineNow } from '../engine/now.js';
import type { Actor, PurposeContext, Purposeful } from '../engine.js';
import { isPurposefulError, PurposefulError } from '../errors.js';
import { isPurposefulSchema, type PurposefulSchema } from '../schema/define.js';
import type { Inbound, Outbound } from '../schema/types.js';
import { echoablePurpose, unknownPurposeMessage } from '../util/closest.js';
import { isPromise, type Now } from '../util/now.js';
import { type BodySource, checkJsonMediaType, decodeUtf8, parseJson, readBody } from './body.js';
import { notFound } from './not-found.js';
import { checkParsed } from './parsed.js';
import { type HttpAnswer, PRIVATE_HEADERS, PROBLEM_TYPE_BASE, toProblem } from './problem.js';

/**
 * Reads request headers by lower-case name: a `Headers` object, or a wrapper
 * over Node's header object.
 *
 * @example
 * ```ts
 * const headers: HeaderReader = request.headers; // a Web Headers object fits as it is
 * headers.get('authorization');
 * ```
 * @category HTTP
 */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

/**
 * What the route's `actor` and `subject` functions see of a request, whatever
 * the framework: method, headers, route parameters, and the framework's own
 * request object as `raw`.
 *
 * @example
 * ```ts
 * const subject = (req: RouteRequest) => req.params.customerId;
 * const actor = (req: RouteRequest): Actor => ({ id: req.headers.get('x-service') ?? 'unknown', roles: ['billing'] });
 * ```
 * @category HTTP
 */
export interface RouteRequest<Raw = unknown> {
  readonly method: string;
  readonly headers: HeaderReader;
  /** Route parameters (`/tickets/:id` → `{ id }`). */
  readonly params: Readonly<Record<string, string>>;
  /** The framework's request: Express `req`, Fastify `request`, a Web `Request`. */
  readonly raw: Raw;
}

/**
 * A route's declaration: which purpose it serves, what personal data comes in
 * (body, query) and goes out, who is asking and about whom. Every adapter takes
 * the same declaration.
 *
 * @example
 * ```ts
 * const readTicket: RouteDeclaration<'support.ticket', undefined, undefined, typeof Ticket> = {
 *   purpose: 'support.ticket',
 *   output: Ticket,
 *   actor: actorFromJwt({ key: publicKey, issuer: 'https://id.example.com', audience: 'support-api' }),
 *   subject: (req) => req.params.customerId,
 * };
 * ```
 * @category HTTP
 */
export interface RouteDeclaration<
  P extends string = string,
  I extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  Raw = unknown,
> {
  /** The declared purpose every request on this route is processed for. */
  readonly purpose: P;
  /** The JSON body: undeclared fields rejected, validated, consent checked. */
  readonly input?: I;
  /** The query string, read as an object of strings (use `z.coerce` for numbers), handled like the body. */
  readonly query?: Q;
  /** What the handler returns: projected and masked for the purpose (an array: each element). Nothing else can be sent. */
  readonly output?: O;
  /** Who is asking: e.g. {@link actorFromJwt}. Throw a `PF_UNAUTHENTICATED` error to refuse. */
  readonly actor?: (req: RouteRequest<Raw>) => Actor | Promise<Actor>;
  /** Whose data the request is about, when the URL or session says so (checked against the record's subject). */
  readonly subject?: (req: RouteRequest<Raw>) => string | undefined | Promise<string | undefined>;
  /** The success status (default 200, or 204 when the handler returns nothing). */
  readonly status?: number;
}

/**
 * What an adapter checks a route's purpose against: a purpose written out
 * (`purpose: 'support.ticket'`, from a declaration `as const` or inline) must
 * be one the engine declares, so a misspelt one is a compile error; a
 * declaration typed with `purpose: string` is left to the check at startup
 * (`PF_PURPOSE_UNKNOWN`).
 *
 * @example
 * ```ts
 * // the adapters take `route: RouteDeclaration<R, I, Q, O> & DeclaredPurpose<R, P>` for an engine `Purposeful<P>`
 * type Ok = DeclaredPurpose<'support.ticket', 'support.ticket' | 'billing.invoice'>; // { readonly purpose: string }
 * type Typo = DeclaredPurpose<'suport.ticket', 'support.ticket' | 'billing.invoice'>;
 * // { readonly purpose: 'support.ticket' | 'billing.invoice' | UndeclaredPurpose }: the route's 'suport.ticket' fits none
 * ```
 * @category HTTP
 */
export type DeclaredPurpose<R extends string, P extends string> = {
  readonly purpose: string extends R ? string : [R] extends [P] ? string : NoInfer<P> | UndeclaredPurpose;
};

/**
 * The marker in the compile error of a route whose purpose the engine does
 * not declare: `Type '"suport.ticket"' is not assignable to type
 * '"suport.ticket" & UndeclaredPurpose'`. No value has this type.
 *
 * @example
 * ```ts
 * // @ts-expect-error 'suport.ticket' is not a purpose of pf
 * purposeful(pf, { purpose: 'suport.ticket', input: NewTicket, actor }, handler);
 * ```
 * @category HTTP
 */
export interface UndeclaredPurpose {
  readonly 'the engine declares no such purpose': never;
}

/**
 * Options of the pipeline, shared by every adapter.
 *
 * @example
 * ```ts
 * app.post('/tickets', purposeful(pf, openTicket, handler, { bodyLimit: 64 * 1024, maxDepth: 16 }));
 * ```
 * @category HTTP
 */
export interface PipelineOptions {
  /** Largest body accepted, in bytes (default 1 MiB). Enforced while streaming. */
  readonly bodyLimit?: number;
  /** Deepest nesting accepted in a body (default 64). Checked before the JSON is built. */
  readonly maxDepth?: number;
  /** Prefix of problem `type` URIs (default `urn:purposeful:problem:`). */
  readonly problemType?: string;
  /**
   * Called on the server with every 5xx problem answer (`PF_OUTPUT_BYPASS`, `PF_OUTPUT_INVALID`, …): the error,
   * its cause, and the route. The client gets only the code and title. Default: in development
   * (`NODE_ENV === 'development'`) one `console.error` line with the code, the message and the route, never a
   * body or a value; elsewhere nothing. `false` silences the default.
   */
  readonly onServerError?: ((report: ServerErrorReport) => void) | false;
}

/**
 * What {@link PipelineOptions.onServerError} receives for a 5xx problem answer. It names no personal value: the
 * error's message names paths and purposes only; `error.cause` (a sink's or a driver's error, say) is the
 * application's own and may hold anything, so log it with care.
 *
 * @example
 * ```ts
 * app.post('/tickets', purposeful(pf, openTicket, handler, {
 *   onServerError: ({ error, route }) => logger.error({ code: error.code, purpose: route.purpose, err: error.cause }, error.message),
 * }));
 * ```
 * @category HTTP
 */
export interface ServerErrorReport {
  /** The error answered with a 5xx status (its `cause`, when it has one, is the underlying failure). */
  readonly error: PurposefulError;
  /** The HTTP status answered. */
  readonly status: number;
  /** The route: its purpose and the ids of the schemas it declares. */
  readonly route: {
    readonly purpose: string;
    readonly input?: string;
    readonly query?: string;
    readonly output?: string;
  };
}

/**
 * What a handler receives: the validated, minimized input and who is asking.
 *
 * @example
 * ```ts
 * const handler = async ({ body, actor, params }: HandlerContext<'support.ticket', typeof NewTicket>) =>
 *   tickets.create({ ...body, openedBy: actor.id, customerId: params.customerId });
 * ```
 * @category HTTP
 */
export interface HandlerContext<
  P extends string = string,
  I extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  Raw = unknown,
> {
  readonly purpose: P;
  readonly actor: Actor;
  readonly subjectId: string | undefined;
  /** The body, only the fields declared for the purpose, validated. */
  readonly body: I extends PurposefulSchema ? Inbound<I, P> : undefined;
  /** The query, handled like the body. */
  readonly query: Q extends PurposefulSchema ? Inbound<Q, P> : undefined;
  readonly params: Readonly<Record<string, string>>;
  /** The framework's request. */
  readonly req: Raw;
}

/**
 * What a handler may return on a route: with an output declaration, plain
 * records (or an array of them) that the pipeline projects, or `null` when
 * nothing was found (404 `PF_NOT_FOUND`); without one, any JSON value
 * (`undefined` or `null`: 204).
 *
 * @example
 * ```ts
 * const result: HandlerResult<typeof Ticket> = await tickets.find(id); // a stored row, projected on the way out
 * ```
 * @category HTTP
 */
export type HandlerResult<O extends PurposefulSchema | undefined> = O extends PurposefulSchema
  ? Record<string, unknown> | readonly Record<string, unknown>[] | null | undefined
  : unknown;

/**
 * The projected output type of a route: what a client receives.
 *
 * @example
 * ```ts
 * type TicketView = RouteOutput<typeof Ticket, 'support.ticket'>; // Outbound<typeof Ticket, 'support.ticket'> or a list of them
 * ```
 * @category HTTP
 */
export type RouteOutput<O extends PurposefulSchema | undefined, P extends string> = O extends PurposefulSchema
  ? Outbound<O, P> | Outbound<O, P>[]
  : unknown;

/**
 * How an adapter hands a request to the pipeline.
 *
 * @example
 * ```ts
 * const incoming: IncomingRequest<Request> = {
 *   method: request.method, headers: request.headers, params: {}, raw: request,
 *   url: request.url,
 *   body: { stream: request.body, length: request.headers.get('content-length') },
 * };
 * ```
 * @category HTTP
 */
export interface IncomingRequest<Raw = unknown> extends RouteRequest<Raw> {
  /** The request URL, absolute or from the path on: its query string is read only on routes that declare `query`. */
  readonly url: string;
  /** The raw body (read here, with every check), or a body a framework parser already built (fewer checks: see the docs). */
  readonly body: { readonly stream: BodySource | null; readonly length?: string | null } | { readonly parsed: unknown };
}

/**
 * A route compiled once for an engine: options checked, then per request
 * `enter` (who, about whom, input) and `leave` (projection, serialization).
 * Adapters are thin translations onto it.
 *
 * @example
 * ```ts
 * // a custom adapter, the way the built-in ones are written
 * const compiled = compileRoute(pf, route);
 * const ctx = await compiled.enter(incoming);     // throws PurposefulError on refusal
 * const answer = await compiled.leave(ctx, await handler(ctx));
 * ```
 * @category HTTP
 */
export interface CompiledRoute<Raw = unknown> {
  readonly route: RouteDeclaration<
    string,
    PurposefulSchema | undefined,
    PurposefulSchema | undefined,
    PurposefulSchema | undefined,
    Raw
  >;
  /** Resolves the actor and subject, checks authorization, reads and checks the input. */
  enter(
    req: IncomingRequest<Raw>,
  ): Promise<HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Raw>>;
  /** Projects the handler's result for the purpose (an array: each element); `undefined` stays `undefined`. */
  project(
    ctx: HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Raw>,
    data: unknown,
  ): Promise<unknown>;
  /**
   * `project`, answering at once when nothing has to be awaited (no encrypted
   * field to open, consent already checked in this request or cached), with a
   * promise otherwise: an adapter on a hot path spares a promise per request.
   */
  projectNow(
    ctx: HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Raw>,
    data: unknown,
  ): unknown;
  /** Projects the handler's result for the purpose and serializes it. */
  leave(
    ctx: HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Raw>,
    data: unknown,
  ): Promise<HttpAnswer>;
  /**
   * The problem answer for a purposeful error, or for an error with a 4xx
   * `status` / `statusCode` (the `http-errors` convention: `throw createError(404)`),
   * whose message is not sent. Other errors: `undefined`, for the framework's error handling.
   */
  problem(err: unknown): HttpAnswer | undefined;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json; charset=utf-8', ...PRIVATE_HEADERS });
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** Whether a user function's answer is to be awaited (the test `await` itself makes). */
const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

const invalid = (message: string): never => {
  throw new PurposefulError('PF_OPTIONS_INVALID', message);
};

/**
 * Compiles a route declaration against an engine, once: the purpose must be
 * declared, the schemas registered with this engine, the functions functions.
 *
 * @example
 * ```ts
 * const compiled = compileRoute(pf, { purpose: 'support.ticket', output: Ticket, actor }, { bodyLimit: 65_536 });
 * compiled.route.purpose; // 'support.ticket'
 * ```
 * @category HTTP
 */
export function compileRoute<
  Raw = unknown,
  P extends string = string,
  I extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  Q extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  O extends PurposefulSchema | undefined = PurposefulSchema | undefined,
  R extends string = P,
>(
  engine: Purposeful<P>,
  declaration: RouteDeclaration<R, I, Q, O, Raw> & DeclaredPurpose<R, P>,
  options: PipelineOptions = {},
): CompiledRoute<Raw> {
  // the typed declaration of an adapter's caller, seen here as any route of any engine
  const pf = engine as unknown as Purposeful;
  const route = declaration as unknown as AnyRoute<Raw>;
  checkDeclaration(pf, route);
  const settings = pipelineSettings(options);
  const { purpose, input, query, output, subject, status } = route;
  const resolveActor = route.actor as (req: RouteRequest<Raw>) => Actor | Promise<Actor>;
  const reportServerError = serverErrorReporter(settings.onServerError, route);
  const readInput = bodyReader<Raw>(settings.bodyLimit, settings.maxDepth);
  const now = engineCallsOf(pf);
  const projectNow = outputProjector<Raw>(now, purpose, output);
  const typeBase = settings.typeBase;

  const compiled: CompiledRoute<Raw> = {
    route,
    async enter(req) {
      // each step is awaited only when it answered with a promise: a request whose steps are synchronous waits for its body alone
      let who = resolveActor(req);
      if (isThenable(who)) who = await who;
      let subjectId = subject ? subject(req) : undefined;
      if (isThenable(subjectId)) subjectId = await subjectId;
      // one memo per request: the consent checks of authorize, inbound and open run once for a subject
      const memo: ConsentMemo = [];
      const ctx = { purpose, actor: who, subjectId, [CONSENT_MEMO]: memo };
      // who may ask is settled before a byte of the body is read
      if (output) {
        const allowed = now.authorize(output, ctx);
        if (isPromise(allowed)) await allowed;
      }
      let body: unknown;
      if (input) {
        let raw = readInput(req);
        if (isPromise(raw)) raw = await raw;
        body = now.inbound(input, raw, ctx);
        if (isPromise(body)) body = await body;
      }
      let q: unknown;
      if (query) {
        q = now.inbound(query, queryObject(req.url), ctx);
        if (isPromise(q)) q = await q;
      }
      return new RequestContext(purpose, who, subjectId, body, q, req.params ?? NO_PARAMS, req.raw, memo) as never;
    },
    projectNow,
    async project(ctx, data) {
      return projectNow(ctx, data);
    },
    async leave(ctx, data) {
      let out = projectNow(ctx, data);
      if (isPromise(out)) out = await out;
      // nothing to answer (`undefined`, or `null` from a command): 204
      if (out === undefined || out === null) return { status: status ?? 204, headers: PRIVATE_HEADERS, body: undefined };
      return { status: status ?? 200, headers: JSON_HEADERS, body: JSON.stringify(out) };
    },
    problem(err) {
      if (isPurposefulError(err)) {
        const answer = toProblem(err, typeBase);
        if (answer.status >= 500) reportServerError(err, answer.status);
        return answer;
      }
      return clientError(err);
    },
  };
  return Object.freeze(compiled);
}

/** A route declaration as the pipeline sees it: of any purpose and schemas. */
type AnyRoute<Raw> = RouteDeclaration<
  string,
  PurposefulSchema | undefined,
  PurposefulSchema | undefined,
  PurposefulSchema | undefined,
  Raw
>;

/** The context a handler receives, as the pipeline sees it. */
type AnyHandlerContext<Raw> = HandlerContext<string, PurposefulSchema | undefined, PurposefulSchema | undefined, Raw>;

/**
 * The first phase of compiling a route: the engine is one, the purpose declared, the schemas registered with
 * this engine, the functions functions, the status a 2xx.
 */
function checkDeclaration<Raw>(pf: Purposeful, route: AnyRoute<Raw>): void {
  if (typeof pf !== 'object' || pf === null || typeof pf.inbound !== 'function') {
    invalid('the engine (createPurposeful(...)) must be the first argument');
  }
  if (typeof route !== 'object' || route === null)
    invalid('the route declaration must be an object { purpose, input?, output?, actor }');
  const { purpose, input, query, output, actor, subject, status } = route;
  if (typeof purpose !== 'string' || !pf.purposes.get(purpose)) {
    throw new PurposefulError('PF_PURPOSE_UNKNOWN', unknownPurposeMessage(purpose, pf.purposes.ids, 'this engine'), {
      purpose: echoablePurpose(purpose, pf.purposes.ids)?.echo,
    });
  }
  for (const [name, schema] of [
    ['input', input],
    ['query', query],
    ['output', output],
  ] as const) {
    if (schema === undefined) continue;
    if (!isPurposefulSchema(schema) || pf.schema(schema.id) !== schema) {
      throw new PurposefulError(
        'PF_SCHEMA_UNKNOWN',
        isPurposefulSchema(schema)
          ? `the route's ${name} schema "${schema.id}" is not registered with this engine: add it to createPurposeful({ schemas: [...] })`
          : `the route's ${name} is not a schema from defineSchema()`,
        { schema: isPurposefulSchema(schema) ? schema.id : undefined },
      );
    }
  }
  if (!input && !query && !output)
    invalid('a route declares at least one of input, query or output: what personal data it handles');
  if (typeof actor !== 'function') {
    invalid(
      'the route needs an actor(req) function (e.g. actorFromJwt(...)): every access must be attributable (LGPD Art. 6 X, 46; GDPR Art. 5(2), 32)',
    );
  }
  if (subject !== undefined && typeof subject !== 'function') invalid('route.subject must be a function (req) => subject id');
  if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 299)) {
    invalid('route.status must be a 2xx status');
  }
}

/** The pipeline's options, checked, with their defaults. */
function pipelineSettings(options: PipelineOptions) {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) invalid('bodyLimit must be a positive integer (bytes)');
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 1000) invalid('maxDepth must be an integer from 1 to 1000');
  const typeBase = options.problemType ?? PROBLEM_TYPE_BASE;
  if (typeof typeBase !== 'string') invalid('problemType must be a string');
  const onServerError = options.onServerError;
  if (onServerError !== undefined && onServerError !== false && typeof onServerError !== 'function') {
    invalid('onServerError must be a function (report) => void, or false');
  }
  return { bodyLimit, maxDepth, typeBase, onServerError };
}

/** Tells the server about a 5xx answer; a failing hook never changes the answer. */
function serverErrorReporter<Raw>(
  onServerError: PipelineOptions['onServerError'],
  { purpose, input, query, output }: AnyRoute<Raw>,
): (error: PurposefulError, status: number) => void {
  const routeInfo: ServerErrorReport['route'] = Object.freeze({
    purpose,
    ...(input ? { input: input.id } : {}),
    ...(query ? { query: query.id } : {}),
    ...(output ? { output: output.id } : {}),
  });
  return (error, status) => {
    const hook = onServerError === undefined && isDevelopment() ? logServerError : onServerError;
    if (typeof hook !== 'function') return;
    try {
      const r = hook(Object.freeze({ error, status, route: routeInfo })) as unknown;
      if (isThenable(r)) Promise.resolve(r).catch(() => {});
    } catch {
      // the hook's own failure is not the request's
    }
  };
}

/** The body as parsed JSON: read here with every check, or checked as a framework parser built it. */
function bodyReader<Raw>(bodyLimit: number, maxDepth: number): (req: IncomingRequest<Raw>) => Now<unknown> {
  const parseBody = (bytes: Uint8Array): unknown => {
    if (bytes.byteLength === 0) throw new PurposefulError('PF_BODY_INVALID', 'the body is empty', { reason: 'empty' });
    return parseJson(decodeUtf8(bytes), maxDepth);
  };
  return (req) => {
    const body = req.body;
    checkJsonMediaType(req.headers.get('content-type'));
    if ('parsed' in body) {
      if (body.parsed === undefined) throw new PurposefulError('PF_BODY_INVALID', 'the body is empty', { reason: 'empty' });
      checkParsed(body.parsed, maxDepth);
      return body.parsed;
    }
    return readBody(body.stream, bodyLimit, body.length).then(parseBody);
  };
}

/**
 * The engine's calls that answer at once when nothing has to be awaited; an engine of another making (a wrapper),
 * its public ones made native promises, so a thenable it returns is awaited like any answer and never skipped.
 */
function engineCallsOf(pf: Purposeful): EngineNow {
  return (
    engineNow(pf) ?? {
      inbound: (schema, data, ctx) => Promise.resolve().then(() => pf.inbound(schema, data, ctx)),
      open: (schema, row, ctx) => Promise.resolve().then(() => pf.open(schema, row, ctx)),
      authorize: (schema, ctx) => Promise.resolve().then(() => pf.authorize(schema, ctx)),
      opened: () => false,
    }
  );
}

/** Projects a handler's answer for the purpose, awaiting only what must be (an encrypted field, a ledger round trip). */
function outputProjector<Raw>(
  now: EngineNow,
  purpose: string,
  output: PurposefulSchema | undefined,
): (ctx: AnyHandlerContext<Raw>, data: unknown) => unknown {
  return (ctx, data) => {
    if (!output || data === undefined) return data;
    // a lookup that found nothing (`findUnique`, `.get()`, …) answers 404, as `throw notFound()` does
    if (data === null) throw notFound();
    const bypass = Array.isArray(data) ? listBypass(data) : notARecord(data);
    if (bypass !== undefined) throw outputBypass(`${bypass} (returned instead of a record)`);
    const memo = ctx instanceof RequestContext ? ctx.takeMemo() : undefined; // one use: the request ends here
    const pctx = { purpose, actor: ctx.actor, subjectId: ctx.subjectId, [CONSENT_MEMO]: memo };
    if (!Array.isArray(data)) return now.opened(output, data, pctx) ? data : now.open(output, data, pctx);
    return openEach(now, output, data, pctx);
  };
}

/**
 * The context a handler receives. The request's consent memo is a private
 * field: the handler cannot see it, a spread copy does not carry it, and the
 * projection takes it once, so a context kept past its request cannot carry a
 * consent check into a later one.
 */
class RequestContext<Raw> {
  #memo: ConsentMemo | undefined;
  constructor(
    readonly purpose: string,
    readonly actor: Actor,
    readonly subjectId: string | undefined,
    readonly body: unknown,
    readonly query: unknown,
    readonly params: Readonly<Record<string, string>>,
    readonly req: Raw,
    memo: ConsentMemo,
  ) {
    this.#memo = memo;
  }

  /** The memo, for the projection of this request's answer: once. */
  takeMemo(): ConsentMemo | undefined {
    const memo = this.#memo;
    this.#memo = undefined;
    return memo;
  }
}

/**
 * The first element of a list that is not a record (see `notARecord`). A
 * `null` element (a lookup in a `Promise.all` that found nothing, say) is the
 * handler's answer not having the declared shape: `PF_OUTPUT_INVALID` (500,
 * reported to the server), naming its index, never blamed on the client.
 */
function listBypass(rows: readonly unknown[]): string | undefined {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === null) {
      throw new PurposefulError('PF_OUTPUT_INVALID', `[${i}]: the handler's list holds null where a record is declared`, {
        paths: [`[${i}]`],
      });
    }
    const why = notARecord(row);
    if (why !== undefined) return `${why} in a list`;
  }
  return undefined;
}

/** Opens rows in order: synchronously while each answers at once, then one after another. */
function openEach(now: EngineNow, schema: PurposefulSchema, rows: readonly unknown[], ctx: PurposeContext): Now<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < rows.length; i++) {
    const v = now.opened(schema, rows[i], ctx) ? rows[i] : now.open(schema, rows[i], ctx);
    if (isPromise(v)) {
      return (async () => {
        out.push(await v);
        for (let j = i + 1; j < rows.length; j++) {
          out.push(now.opened(schema, rows[j], ctx) ? rows[j] : await now.open(schema, rows[j], ctx));
        }
        return out;
      })();
    }
    out.push(v);
  }
  return out;
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};

/** A handler's client error (`status` 400–499) as a bare problem: its message may hold data, so only the status goes out. */
/** `NODE_ENV === 'development'`, read without importing `node:` (absent on Edge and in browsers). */
function isDevelopment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === 'development';
}

/** The development default of `onServerError`: the code, the message (paths and purposes, never values) and the route. */
function logServerError({ error, status, route }: ServerErrorReport): void {
  const schemas = (['input', 'query', 'output'] as const)
    .filter((k) => route[k] !== undefined)
    .map((k) => `${k}: ${route[k]}`)
    .join(', ');
  console.error(
    `[purposeful] ${status} ${error.code} on the route for purpose "${route.purpose}"${schemas ? ` (${schemas})` : ''}: ${error.message}`,
  );
}

function clientError(err: unknown): HttpAnswer | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  const title = STATUS_TITLES[status] ?? 'Client Error';
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...PRIVATE_HEADERS },
    body: JSON.stringify({ type: 'about:blank', title, status }),
  };
}

const FORBIDDEN_QUERY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * One name or value of a query string, decoded as a form would be (`+` is a
 * space) but strictly: a `%` not followed by two hex digits, or bytes that are
 * not UTF-8, are refused, where `URLSearchParams` would keep the `%` or put
 * U+FFFD in their place (the body is held to the same: see `decodeUtf8`).
 */
function decodeQueryPart(part: string): string {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new PurposefulError('PF_INPUT_INVALID', 'the query string holds invalid percent-encoding or bytes that are not UTF-8', {
      reason: 'encoding',
    });
  }
}

/** A query string as an object of strings; a repeated key is refused rather than guessed at. */
function queryObject(url: string): Record<string, string> {
  const q = url.indexOf('?');
  const out: Record<string, string> = Object.create(null);
  if (q < 0) return {};
  const hash = url.indexOf('#', q);
  const search = url.slice(q + 1, hash < 0 ? undefined : hash);
  // split the way URLSearchParams does (application/x-www-form-urlencoded): '&' between pairs, the first '=' in each
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(pair.slice(eq + 1));
    if (FORBIDDEN_QUERY_KEYS.has(key)) {
      throw new PurposefulError('PF_INPUT_INVALID', 'the query string holds a "__proto__", "constructor" or "prototype" key', {
        reason: 'forbidden_key',
      });
    }
    if (Object.hasOwn(out, key)) {
      throw new PurposefulError('PF_INPUT_INVALID', 'the query string repeats a parameter', { reason: 'duplicate_key' });
    }
    out[key] = value;
  }
  return { ...out };
}

/**
 * What a handler on a route with an output declaration returned that is not
 * a record to project: a string, bytes, a Blob, a stream or a `Response`
 * (or a list holding one). Those are answers of the handler's own making, a
 * bug on the server's side: 500 `PF_OUTPUT_BYPASS`, never a 4xx blaming the
 * client. `undefined` when the value is a record (or a list of them).
 */
function notARecord(data: unknown): string | undefined {
  if (typeof data !== 'object') return typeof data === 'string' ? 'a string' : `a ${typeof data}`;
  if (data === null) return undefined;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return 'bytes';
  if (typeof Blob !== 'undefined' && data instanceof Blob) return 'a Blob';
  if (typeof Response !== 'undefined' && data instanceof Response) return 'a Response of its own';
  const d = data as { getReader?: unknown; pipe?: unknown; [Symbol.asyncIterator]?: unknown };
  if (typeof d.getReader === 'function' || typeof d.pipe === 'function' || typeof d[Symbol.asyncIterator] === 'function') {
    return 'a stream';
  }
  return undefined;
}

/**
 * The error a handler-side bypass gets: on a route with an output
 * declaration, data must leave through the projection.
 *
 * @example
 * ```ts
 * // in a custom adapter
 * if (result instanceof Response && compiled.route.output) throw outputBypass('a Response of its own');
 * ```
 * @category HTTP
 */
export function outputBypass(how: string): PurposefulError {
  return new PurposefulError(
    'PF_OUTPUT_BYPASS',
    `the handler sent its answer with ${how} on a route with an output declaration: return the data instead, so it is projected for the purpose`,
  );
}
