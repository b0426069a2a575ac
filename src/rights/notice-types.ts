/**
 * What a change made at a subject's request tells the recipients the data was
 * shared with (LGPD Art. 18 §6; GDPR Art. 19): the notices, the hooks that take
 * them, the recipients that cannot be informed, and what the answer says of it.
 *
 * @module
 */

/**
 * What a recipient is told of a correction: which fields of which record
 * changed, with their new values (the recipient holds the old ones).
 *
 * @example
 * ```ts
 * const notify = async (n: CorrectionNotice) => partner.post('/corrections', n);
 * ```
 * @category Rights and retention
 */
export interface CorrectionNotice {
  readonly kind: 'correction';
  readonly subjectId: string;
  readonly schema: string;
  readonly record?: string;
  readonly recipient: string;
  readonly changes: Readonly<Record<string, unknown>>;
  /** The request it comes from. */
  readonly request?: string;
  readonly article?: string;
}

/**
 * What a recipient is told of an elimination, an anonymization, a blocking,
 * the lifting of a blocking, or a revocation of consent, so that it repeats
 * the same (LGPD Art. 18 §6; GDPR Art. 19): which fields of which records,
 * never their values.
 *
 * - `elimination`: the fields were deleted (LGPD Art. 16, 18 IV, VI; GDPR Art. 17(1)).
 * - `anonymization`: deleted, only an anonymous generalized form kept (LGPD Art. 12, 18 IV).
 * - `blocking` / `unblocking`: processing suspended, the data kept (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18), and
 *   the suspension lifted (GDPR Art. 18(3)).
 * - `revocation`: consent to `purpose` was withdrawn: processing for it stops (LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)).
 *
 * @example
 * ```ts
 * const notice: ChangeNotice = {
 *   kind: 'elimination', request: 'rq_…', subjectId, recipient: 'Helpdesk SaaS', article: 'LGPD Art. 18 §6; GDPR Art. 19',
 *   fields: [{ schema: 'customer', record: subjectId, field: 'email' }],
 * };
 * ```
 * @category Rights and retention
 */
export interface ChangeNotice {
  readonly kind: 'elimination' | 'anonymization' | 'blocking' | 'unblocking' | 'revocation';
  readonly request: string;
  readonly subjectId: string;
  readonly recipient: string;
  readonly article: string;
  /** The fields concerned that the recipient's purposes use (none for a revocation that removed nothing). */
  readonly fields: readonly { readonly schema: string; readonly record?: string; readonly field: string }[];
  /** For a revocation: the purpose whose consent was withdrawn. */
  readonly purpose?: string;
}

/**
 * Any notice a recipient's hook receives: switch on `kind`.
 *
 * @example
 * ```ts
 * const hook: RecipientHook = async (n: RecipientNotice) => {
 *   if (n.kind === 'correction') await partner.correct(n.subjectId, n.changes);
 *   else await partner.apply(n.kind, n.subjectId, n.fields);
 * };
 * ```
 * @category Rights and retention
 */
export type RecipientNotice = CorrectionNotice | ChangeNotice;

/**
 * A recipient's hook (LGPD Art. 18 §6; GDPR Art. 19). A hook that throws does
 * not undo what was done: the answer lists it under `failed`, with its notice.
 *
 * @example
 * ```ts
 * const recipients: Record<string, RecipientHook> = { 'NF-e issuing service': (n) => nfe.notify(n) };
 * ```
 * @category Rights and retention
 */
export type RecipientHook = (notice: RecipientNotice) => void | Promise<void>;

/**
 * A recipient that cannot be informed, and why: informing it proves
 * impossible or involves disproportionate effort (LGPD Art. 18 §6; GDPR
 * Art. 19). The reason is recorded in the access log and told in the answer:
 * write no personal data in it (one that holds an identifier is refused).
 *
 * @example
 * ```ts
 * const legacy: UnreachableRecipient = { unreachable: 'the vendor closed in 2025 and its data was destroyed under contract' };
 * ```
 * @category Rights and retention
 */
export interface UnreachableRecipient {
  readonly unreachable: string;
}

/**
 * Who was told of a change and who could not be (LGPD Art. 18 §6; GDPR Art. 19).
 *
 * @example
 * ```ts
 * const { notified, notInformed, failed } = await pf.rights.erase(request.id);
 * if (failed.length) queue.retry(failed.map((f) => f.notice));
 * ```
 * @category Rights and retention
 */
export interface PassedOn {
  /** Recipients whose hook was called and returned. */
  readonly notified: readonly string[];
  /** Recipients not informed, each with the stated reason. */
  readonly notInformed: readonly { readonly recipient: string; readonly reason: string }[];
  /** Hooks that threw: what was done stands; tell them again with these notices. */
  readonly failed: readonly { readonly recipient: string; readonly notice: RecipientNotice }[];
}

/**
 * Options of a request that changes data (erasure, revocation, elimination of
 * consent data, blocking, correction).
 *
 * @example
 * ```ts
 * await pf.rights.erase(request.id, { unreachable: { 'Old CRM': 'decommissioned in 2024; its data was destroyed' } });
 * ```
 * @category Rights and retention
 */
export interface ChangeOptions {
  /**
   * Recipients that cannot be informed for this request, each with the reason
   * (LGPD Art. 18 §6: "comprovadamente impossível ou implique esforço
   * desproporcional"; GDPR Art. 19). Overrides their hook for this request.
   */
  readonly unreachable?: Readonly<Record<string, string>>;
}
