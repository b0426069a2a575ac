/**
 * The one error class of purposeful, and the stable codes it carries.
 *
 * Messages name field paths, purposes and articles, never a personal value:
 * an error may be logged or sent to a client as it is.
 *
 * @module
 */

/**
 * HTTP status for every error code. The code is the contract; the status is
 * what the HTTP adapters answer with.
 *
 * @example
 * ```ts
 * ERROR_STATUS.PF_UNDECLARED_FIELD; // 400
 * ERROR_STATUS.PF_ROLE_NOT_ALLOWED; // 403
 * ERROR_STATUS.PF_LIMIT_EXCEEDED;   // 413
 * ```
 * @category Errors
 */
export const ERROR_STATUS = {
  /** A declaration (purpose, schema, field) breaks a rule; `problems` lists every one. */
  PF_DECLARATION_INVALID: 500,
  /** Options given to a function are invalid (checked once, when the thing is created). */
  PF_OPTIONS_INVALID: 500,
  /** `createPurposeful`: a schema declares `encrypt: true` fields and no keyring (`keys`) is given. */
  PF_KEYRING_MISSING: 500,
  /** `createPurposeful`: a purpose rests on consent under a law in force and no consent ledger (`consent`) is given. */
  PF_CONSENT_LEDGER_MISSING: 500,
  /** An optional peer dependency a function needs is not installed (`date-holidays` for the incident deadlines). */
  PF_DEPENDENCY_MISSING: 500,
  /** The request context is malformed (no actor, a purpose that is not a string, unknown jurisdictions, …). */
  PF_CONTEXT_INVALID: 500,
  /** The schema was not registered with this engine. */
  PF_SCHEMA_UNKNOWN: 500,
  /** The request names a purpose nobody declared (LGPD Art. 6 I: finalidade). */
  PF_PURPOSE_UNKNOWN: 403,
  /** The actor has none of the roles the purpose allows. */
  PF_ROLE_NOT_ALLOWED: 403,
  /** The purpose requires a second factor (always, or for clear sensitive fields) and the actor has none. */
  PF_MFA_REQUIRED: 403,
  /** The input carries fields that are not declared for the purpose (LGPD Art. 6 III: necessidade). */
  PF_UNDECLARED_FIELD: 400,
  /** The input does not satisfy the schema; `issues` lists paths and zod issue codes. */
  PF_VALIDATION_FAILED: 400,
  /** The data does not have the shape the schema declares (not an object, a cycle, …). */
  PF_INPUT_INVALID: 400,
  /** The data is nested deeper or holds more values than the configured limits allow. */
  PF_LIMIT_EXCEEDED: 413,
  /** The record's subject differs from the subject of the request context. */
  PF_SUBJECT_MISMATCH: 403,
  /** The subject is, or may be, a minor, and the schema declares `minors: 'never'` (LGPD Art. 14, GDPR Art. 8). */
  PF_MINOR_NOT_DECLARED: 403,
  /** The process is unsafe to process personal data in (e.g. `Object.prototype` is polluted). */
  PF_ENVIRONMENT_UNSAFE: 500,
  /** A key needed to pseudonymize or decrypt a field is not configured, or a ciphertext names a key id the keyring does not have. */
  PF_KEY_NOT_FOUND: 500,
  /** A ciphertext is not a well-formed envelope (wrong prefix, algorithm, length, non-canonical base64url, …). */
  PF_CIPHERTEXT_MALFORMED: 400,
  /** A ciphertext failed authentication: tampered with, truncated, or moved to another field, record or subject. */
  PF_DECRYPTION_FAILED: 400,
  /** A field declared `encrypt: true` holds a plaintext value where ciphertext is expected. */
  PF_NOT_ENCRYPTED: 500,
  /**
   * `outbound` was given a stored row: a field declared `encrypt: true` the purpose sees holds a sealed value. A
   * programming error (stored rows go out through `open`), so 500 like `PF_NOT_ENCRYPTED`; never a mask of ciphertext.
   */
  PF_SEALED_VALUE: 500,
  /** The purpose rests on consent and the subject's consent does not allow this request (none, withdrawn, expired, not highlighted, no guardian, sharing not consented to). */
  PF_CONSENT_REQUIRED: 403,
  /** The consent ledger is not configured, errored or timed out: consent cannot be verified, so the request is refused. */
  PF_CONSENT_UNAVAILABLE: 503,
  /** A consent grant or withdrawal is malformed, or its purpose does not rest on consent (LGPD Art. 8). */
  PF_CONSENT_INVALID: 400,
  /**
   * The consent was given for a notice that has since changed materially, or a grant names a notice that is not the
   * current one. Asking again is purposeful's policy (and the GDPR's rule for a new purpose, Art. 6(4)); the LGPD
   * requires informing the subject, beforehand for a change of purpose, who may revoke (Art. 8 §6, 9 §2).
   */
  PF_CONSENT_STALE_NOTICE: 403,
  /** The subject's data keys were shredded: the value is erased, not tampered with. */
  PF_SUBJECT_ERASED: 410,
  /** Encryption needs the record's subject (and it is neither in the record nor in the context). */
  PF_SUBJECT_MISSING: 400,
  /** HTTP: the request carries no valid credentials (missing, malformed, expired or wrongly signed token); `reason` says which. */
  PF_UNAUTHENTICATED: 401,
  /** HTTP: the body cannot be accepted (not JSON, not UTF-8, a duplicate or prototype key, empty, unreadable); `reason` says which. */
  PF_BODY_INVALID: 400,
  /** HTTP: the body is not `application/json` (or `application/*+json`) in UTF-8. */
  PF_MEDIA_TYPE_UNSUPPORTED: 415,
  /** HTTP: a handler on a route with an output declaration tried to send data around the projection (`res.send`, a `Response`, a stream…). */
  PF_OUTPUT_BYPASS: 500,
  /** Outbound data does not have the structure or the kind the schema declares at a path (an object, array or class instance where a string is declared, …): refused, never stringified; `paths` names where. */
  PF_OUTPUT_INVALID: 500,
  /** The access log cannot record (its sink failed, or its queue is full): personal data is not processed unlogged (security and accountability: LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32). */
  PF_AUDIT_UNAVAILABLE: 503,
  /** The anomaly watch blocked this actor's access to personal data until someone clears it. */
  PF_ACTOR_BLOCKED: 403,
  /** A record that must still be kept cannot be removed (e.g. an incident within its five years). */
  PF_RETENTION_ACTIVE: 409,
  /**
   * A data-subject request whose requester's identity the verification hook did not confirm. The request is kept,
   * waiting (`request`), and `missing` says what the requester must still supply (GDPR Art. 12(6); LGPD Art. 18 §3,
   * §4 II).
   */
  PF_IDENTITY_UNVERIFIED: 403,
  /**
   * A correction request that is not a correction: it would change whose record it is (the subject id) or
   * which record it is (the record id). LGPD Art. 18 III corrects incomplete, inexact or outdated data;
   * GDPR Art. 16 inaccurate data. A change of owner is the application's own operation, not a subject's request.
   */
  PF_CORRECTION_INVALID: 422,
  /** A store of records refused or could not take a change (the driver's error holds values, so it is not passed on). */
  PF_STORE_UNAVAILABLE: 503,
  /**
   * The subject objected to this purpose (LGPD Art. 18 §2; GDPR Art. 21): it is stopped for them until the
   * controller dismisses the objection, stating its grounds (never, for direct marketing: GDPR Art. 21(3)).
   */
  PF_OBJECTED: 403,
  /**
   * The subject's data is restricted for this purpose: after an erasure a retained field opens only for the
   * purposes whose erasure ground keeps it, until that ground's end (LGPD Art. 16; GDPR Art. 17(3)); a blocked
   * field opens for none but those the law allows (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18(2)).
   */
  PF_SUBJECT_RESTRICTED: 403,
  /**
   * A correction, erasure, anonymization, blocking or revocation must be passed on to a recipient that has no hook in
   * `rights.recipients` and no stated reason why informing it is impossible or disproportionate (LGPD Art. 18 §6;
   * GDPR Art. 19). Refused before anything is changed.
   */
  PF_RECIPIENT_HOOK_MISSING: 500,
  /**
   * An incident communication made after its deadline gives no reasons for the delay (LGPD Art. 48 §1 V;
   * Res. CD/ANPD 15/2024 Art. 6 §2 V, 9 IV): the report is not produced until `delayReasons` says why.
   */
  PF_INCIDENT_DELAY_UNEXPLAINED: 422,
  /** A route's handler found nothing to answer with: `throw notFound()` (404, the same on every adapter). */
  PF_NOT_FOUND: 404,
  /**
   * A query compares, filters or orders by an encrypted field that has no blind index of its own to go through
   * (`purposeful/drizzle`'s `eq` / `inArray`): refused when the query is built, never an empty result.
   */
  PF_QUERY_ENCRYPTED: 500,
  /**
   * A schema cannot be bound to a table (`purposeful/drizzle`'s `bindTable`): an encrypted field without a sealed
   * column, a blind index without its `bidx_<name>` column, a subject or record id without a column; or a table used
   * that no binding names. The message names each field path.
   */
  PF_BINDING_INVALID: 500,
} as const;

/**
 * Every error code purposeful raises. Compare errors by this code, never by `instanceof`.
 *
 * @example
 * ```ts
 * const messages: Partial<Record<ErrorCode, string>> = {
 *   PF_UNDECLARED_FIELD: 'Remove the fields this form does not collect.',
 *   PF_ROLE_NOT_ALLOWED: 'Your role may not act for this purpose.',
 * };
 * if (isPurposefulError(err)) reply.status(err.status).send({ code: err.code, message: messages[err.code] ?? err.message });
 * ```
 * @category Errors
 */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * One problem found in a declaration. Returned by {@link validateDeclarations}
 * and carried by a `PF_DECLARATION_INVALID` error.
 *
 * @example
 * ```ts
 * function logProblems(problems: readonly DeclarationProblem[]): void {
 *   for (const p of problems) console.warn(`${p.severity} ${p.code} at ${p.path ?? p.purpose ?? p.schema}: ${p.message}`);
 * }
 * logProblems(Customer.problems); // the warnings defineSchema kept
 * // errors arrive thrown: isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID' → logProblems(err.problems)
 * ```
 * @category Errors
 */
export interface DeclarationProblem {
  /** Stable code of the rule, e.g. `PF_DECL_SENSITIVE_UNENCRYPTED`. */
  readonly code: string;
  /** `error` problems make `defineSchema` / `definePurposes` throw; `warning` ones are advice. */
  readonly severity: 'error' | 'warning';
  /** Whether the law requires it (`law`, with `article`) or it is purposeful's own policy (`policy`). */
  readonly requiredBy: 'law' | 'policy';
  /** What is wrong and how to fix it. Never contains a personal value. */
  readonly message: string;
  /** The article enforced, e.g. `LGPD Art. 11; GDPR Art. 9(2)`. */
  readonly article?: string;
  /** The schema id the problem is in. */
  readonly schema?: string;
  /** The field path, e.g. `contacts[].email`. */
  readonly path?: string;
  /** The purpose involved. */
  readonly purpose?: string;
  /** Where the field or purpose was declared (`file:line:column`), when the runtime exposes stack traces. */
  readonly declaredAt?: string;
}

/**
 * One validation issue of an input: where, and zod's issue code. Never the value or zod's message.
 *
 * @example
 * ```ts
 * try {
 *   await pf.inbound(Customer, { id: customerId, channel: 'chat', email: 'not-an-email' }, { purpose: 'support.survey', actor });
 * } catch (err) {
 *   if (isPurposefulError(err)) err.issues; // [{ path: 'email', code: 'invalid_format' }]: the value is never echoed
 * }
 * ```
 * @category Errors
 */
export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
}

/**
 * Extra, value-free details an error may carry.
 *
 * @example
 * ```ts
 * // a keyring adapter failing the way purposeful does
 * const details: PurposefulErrorDetails = { schema: 'customer', purpose: 'billing.invoice', paths: ['cpf'] };
 * throw new PurposefulError('PF_KEY_NOT_FOUND', 'no data key is configured for customer.cpf', details);
 * ```
 * @category Errors
 */
export interface PurposefulErrorDetails {
  paths?: readonly string[];
  article?: string;
  purpose?: string;
  schema?: string;
  problems?: readonly DeclarationProblem[];
  issues?: readonly ValidationIssue[];
  /** A stable, value-free reason within the code (e.g. why consent does not allow a request). */
  reason?: string;
  /** For `PF_IDENTITY_UNVERIFIED`: what the requester must still supply, described, never a value. */
  missing?: readonly string[];
  /** For `PF_IDENTITY_UNVERIFIED`: the id of the request kept waiting for it. */
  request?: string;
  cause?: unknown;
}

const BRAND = Symbol.for('purposeful.error');

/**
 * The error purposeful throws. `code` is stable; `status` is the HTTP status
 * for it; `paths` names the fields involved. No personal value ever appears
 * in the message or any property.
 *
 * @example
 * ```ts
 * import { isPurposefulError } from 'purposeful';
 *
 * try {
 *   await pf.inbound(Customer, body, { purpose: 'support.ticket', actor });
 * } catch (err) {
 *   if (isPurposefulError(err) && err.code === 'PF_UNDECLARED_FIELD') {
 *     console.log(err.status, err.paths); // 400 [ 'accessibility' ]
 *   }
 * }
 * ```
 * @category Errors
 */
export class PurposefulError extends Error {
  override readonly name = 'PurposefulError';
  /** Stable code, `PF_…`. */
  readonly code: ErrorCode;
  /** HTTP status for the code. */
  readonly status: number;
  /** Field paths involved (never values). */
  readonly paths: readonly string[];
  /** The article of law the check enforces, where one applies. */
  readonly article: string | undefined;
  /** The purpose involved, where one applies. */
  readonly purpose: string | undefined;
  /** The schema id involved, where one applies. */
  readonly schema: string | undefined;
  /** For `PF_DECLARATION_INVALID`: every problem found. */
  readonly problems: readonly DeclarationProblem[];
  /** For `PF_VALIDATION_FAILED`: every issue, as path and zod code. */
  readonly issues: readonly ValidationIssue[];
  /** A stable, value-free reason within the code, where one applies (`PF_CONSENT_REQUIRED`: none, withdrawn, expired, not_highlighted, guardian_required, sharing_not_specific). */
  readonly reason: string | undefined;
  /** For `PF_IDENTITY_UNVERIFIED`: what the requester must still supply (GDPR Art. 12(6)), described, never a value. */
  readonly missing: readonly string[];
  /** For `PF_IDENTITY_UNVERIFIED`: the request kept waiting for the identity (`pf.rights.verify(request, …)`). */
  readonly request: string | undefined;

  constructor(code: ErrorCode, message: string, details: PurposefulErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.paths = Object.freeze([...(details.paths ?? [])]);
    this.article = details.article;
    this.purpose = details.purpose;
    this.schema = details.schema;
    this.problems = Object.freeze([...(details.problems ?? [])]);
    this.issues = Object.freeze([...(details.issues ?? [])]);
    this.reason = details.reason;
    this.missing = Object.freeze([...(details.missing ?? [])]);
    this.request = details.request;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A value-free JSON form, safe to log or send. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, status: this.status, message: this.message };
    if (this.paths.length) out.paths = this.paths;
    if (this.article) out.article = this.article;
    if (this.purpose) out.purpose = this.purpose;
    if (this.schema) out.schema = this.schema;
    if (this.problems.length) out.problems = this.problems;
    if (this.issues.length) out.issues = this.issues;
    if (this.reason) out.reason = this.reason;
    if (this.missing.length) out.missing = this.missing;
    if (this.request) out.request = this.request;
    return out;
  }
}

/**
 * True when `err` is a purposeful error, whichever copy of the package (ESM or
 * CJS entry) created it. Use it instead of `instanceof`.
 *
 * @example
 * ```ts
 * if (isPurposefulError(err)) reply.status(err.status).send({ code: err.code, paths: err.paths });
 * ```
 * @category Errors
 */
export function isPurposefulError(err: unknown): err is PurposefulError {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as Record<PropertyKey, unknown>)[BRAND] === true ||
      ((err as { name?: unknown }).name === 'PurposefulError' &&
        typeof (err as { code?: unknown }).code === 'string' &&
        Object.hasOwn(ERROR_STATUS, (err as { code: string }).code)))
  );
}
