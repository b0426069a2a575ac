import { type ErrorCode, isPurposefulError, type PurposefulError } from '../errors.js';

/**
 * An RFC 9457 problem document as purposeful sends it. Nothing in it comes
 * from the request's payload: it names codes, purposes and field paths only.
 *
 * @example
 * ```ts
 * const p: ProblemDocument = {
 *   type: 'urn:purposeful:problem:PF_UNDECLARED_FIELD',
 *   title: 'Field not declared for this purpose',
 *   status: 400,
 *   code: 'PF_UNDECLARED_FIELD',
 *   detail: 'input for purpose "support.ticket" carries undeclared fields: accessibility',
 *   paths: ['accessibility'],
 * };
 * ```
 * @category HTTP
 */
export interface ProblemDocument {
  /** A URI per code: `<problemTypeBase><code>`. */
  readonly type: string;
  /** A short summary of the code, the same for every occurrence. */
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  /** The stable `PF_…` code. */
  readonly code: ErrorCode;
  /** What happened, naming paths and purposes, never values. Left out of 5xx answers (server trouble is not the client's business). */
  readonly detail?: string;
  /** The field paths involved. */
  readonly paths?: readonly string[];
  /** The purpose involved. */
  readonly purpose?: string;
  /** A stable reason within the code (`none`, `withdrawn`, `duplicate_key`, `expired`, …). */
  readonly reason?: string;
  /** The article of law the check enforces. */
  readonly article?: string;
  /** For `PF_VALIDATION_FAILED`: each issue as path and zod code. */
  readonly issues?: ReadonlyArray<{ readonly path: string; readonly code: string }>;
  /** For `PF_IDENTITY_UNVERIFIED`: what the requester must still supply (GDPR Art. 12(6)). */
  readonly missing?: readonly string[];
  /** For `PF_IDENTITY_UNVERIFIED`: the request kept waiting for it. */
  readonly request?: string;
}

/**
 * A ready HTTP answer: status, headers and the serialized body.
 *
 * @example
 * ```ts
 * const answer: HttpAnswer = toProblem(err);
 * return new Response(answer.body, { status: answer.status, headers: answer.headers });
 * ```
 * @category HTTP
 */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized body; `undefined` for 204. */
  readonly body: string | undefined;
}

/**
 * The default prefix of problem `type` URIs.
 *
 * @example
 * ```ts
 * if (problem.type === `${PROBLEM_TYPE_BASE}PF_CONSENT_REQUIRED`) askForConsent(problem.purpose);
 * ```
 * @category HTTP
 */
export const PROBLEM_TYPE_BASE = 'urn:purposeful:problem:';

const TITLES: Readonly<Record<ErrorCode, string>> = {
  PF_DECLARATION_INVALID: 'Invalid declaration',
  PF_OPTIONS_INVALID: 'Invalid options',
  PF_KEYRING_MISSING: 'Keyring not configured',
  PF_CONSENT_LEDGER_MISSING: 'Consent ledger not configured',
  PF_DEPENDENCY_MISSING: 'Optional dependency not installed',
  PF_CONTEXT_INVALID: 'Invalid request context',
  PF_SCHEMA_UNKNOWN: 'Schema not registered',
  PF_PURPOSE_UNKNOWN: 'Purpose not declared',
  PF_ROLE_NOT_ALLOWED: 'Role not allowed for this purpose',
  PF_MFA_REQUIRED: 'Second factor required',
  PF_UNDECLARED_FIELD: 'Field not declared for this purpose',
  PF_VALIDATION_FAILED: 'Invalid input',
  PF_INPUT_INVALID: 'Input of the wrong shape',
  PF_LIMIT_EXCEEDED: 'Request too large',
  PF_SUBJECT_MISMATCH: 'Subject mismatch',
  PF_MINOR_NOT_DECLARED: 'Data of minors not declared',
  PF_ENVIRONMENT_UNSAFE: 'Unsafe environment',
  PF_KEY_NOT_FOUND: 'Key not available',
  PF_CIPHERTEXT_MALFORMED: 'Malformed ciphertext',
  PF_DECRYPTION_FAILED: 'Decryption failed',
  PF_NOT_ENCRYPTED: 'Value not encrypted',
  PF_SEALED_VALUE: 'Value still sealed',
  PF_CONSENT_REQUIRED: 'Consent required',
  PF_CONSENT_UNAVAILABLE: 'Consent cannot be verified',
  PF_CONSENT_INVALID: 'Invalid consent event',
  PF_CONSENT_STALE_NOTICE: 'Consent given for an outdated notice',
  PF_SUBJECT_ERASED: 'Data erased',
  PF_SUBJECT_MISSING: 'Subject missing',
  PF_UNAUTHENTICATED: 'Authentication required',
  PF_BODY_INVALID: 'Unacceptable body',
  PF_MEDIA_TYPE_UNSUPPORTED: 'Unsupported media type',
  PF_OUTPUT_BYPASS: 'Output bypassed the projection',
  PF_OUTPUT_INVALID: 'Output not of the declared shape',
  PF_AUDIT_UNAVAILABLE: 'Access cannot be recorded',
  PF_ACTOR_BLOCKED: 'Access blocked pending review',
  PF_RETENTION_ACTIVE: 'The record must still be kept',
  PF_IDENTITY_UNVERIFIED: 'Identity not verified',
  PF_STORE_UNAVAILABLE: 'The record store is unavailable',
  PF_CORRECTION_INVALID: 'Correction not allowed',
  PF_OBJECTED: 'The subject objected to this purpose',
  PF_SUBJECT_RESTRICTED: 'Data restricted for this purpose',
  PF_RECIPIENT_HOOK_MISSING: 'A recipient cannot be informed',
  PF_INCIDENT_DELAY_UNEXPLAINED: 'Late incident communication without reasons',
  PF_NOT_FOUND: 'Not found',
  PF_QUERY_ENCRYPTED: 'Query on an encrypted field',
  PF_BINDING_INVALID: 'Schema and table do not match',
};

/**
 * Headers every answer of a purposeful route carries: never stored by a cache, never sniffed.
 *
 * @example
 * ```ts
 * for (const [name, value] of Object.entries(PRIVATE_HEADERS)) res.setHeader(name, value);
 * ```
 * @category HTTP
 */
export const PRIVATE_HEADERS = Object.freeze({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });

/**
 * Turns a purposeful error into an `application/problem+json` answer (RFC
 * 9457). 4xx answers carry the detail and the paths; 5xx ones only the code and
 * title. A 401 carries `WWW-Authenticate: Bearer` (RFC 6750); a 413 closes the
 * connection rather than read the rest of an oversized body.
 *
 * @example
 * ```ts
 * try {
 *   await pf.inbound(Ticket, body, ctx);
 * } catch (err) {
 *   if (!isPurposefulError(err)) throw err;
 *   const { status, headers, body } = toProblem(err);
 *   res.writeHead(status, headers).end(body);
 * }
 * ```
 * @category HTTP
 */
export function toProblem(err: PurposefulError, typeBase: string = PROBLEM_TYPE_BASE): HttpAnswer {
  if (!isPurposefulError(err)) throw new TypeError('toProblem() takes a PurposefulError');
  const status = err.status;
  const doc: Record<string, unknown> = {
    type: typeBase + err.code,
    title: TITLES[err.code] ?? err.code,
    status,
    code: err.code,
  };
  if (status < 500) {
    doc.detail = err.message;
    if (err.paths.length) doc.paths = err.paths;
    if (err.purpose) doc.purpose = err.purpose;
    if (err.reason) doc.reason = err.reason;
    if (err.article) doc.article = err.article;
    if (err.issues.length) doc.issues = err.issues;
    if (err.missing.length) doc.missing = err.missing;
    if (err.request) doc.request = err.request;
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', ...PRIVATE_HEADERS };
  if (status === 401) {
    headers['www-authenticate'] = err.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"';
  }
  if (status === 413) headers.connection = 'close';
  return { status, headers, body: JSON.stringify(doc) };
}
