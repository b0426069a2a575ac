/**
 * The rights desk's types: the sources and stores an application gives it,
 * the requests it keeps and the answers it gives.
 *
 * @module
 */
import type { AccessLog } from '../audit/log.js';
import type { ConsentLedger } from '../consent/ledger.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import type { Purposes } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import type { AnonymousRecord } from './anonymize.js';
import type { ConsentInfoEntry, SharingEntry, SubjectExport } from './answer-types.js';
import type { BlockingStore } from './blocking.js';
import type { LgpdDays, RightsKind } from './deadlines.js';
import type { BlockingAnswer, ErasedField, ErasureAnswer } from './erasure-types.js';
import type { IdentityRequest, VerificationResult } from './identity.js';
import type { ChangeOptions, PassedOn, RecipientHook, UnreachableRecipient } from './notice-types.js';
import type { Objection, ObjectionStore } from './opposition.js';
import type { ReviewAnswer, ReviewTicket } from './review.js';
import type { AboutOthers } from './statement.js';

export type { ConsentInfoEntry, ExportItem, SharingEntry, SubjectExport } from './answer-types.js';
export type { BlockingAnswer, ErasedField, ErasureAnswer, KeptFor } from './erasure-types.js';
export type {
  ChangeNotice,
  ChangeOptions,
  CorrectionNotice,
  PassedOn,
  RecipientHook,
  RecipientNotice,
  UnreachableRecipient,
} from './notice-types.js';

/**
 * How the application finds and changes one subject's records of a schema.
 * Rows are returned as stored (sealed); the library opens what an answer needs.
 *
 * @example
 * ```ts
 * const customers: RightsSource = {
 *   find: (subjectId) => db.query('SELECT * FROM customers WHERE id = $1', [subjectId]).then((r) => r.rows),
 *   update: (subjectId, row) => db.query('UPDATE customers SET email = $2 WHERE id = $1', [subjectId, row.email]),
 *   origin: 'given by you when you opened your account',
 * };
 * ```
 * @category Rights and retention
 */
export interface RightsSource {
  find(subjectId: string): Promise<readonly Record<string, unknown>[]>;
  /** Stores a changed row: corrected (sealed again, with its blind indexes), or with erased values taken out. */
  update?(subjectId: string, row: Record<string, unknown>): Promise<void>;
  /**
   * Deletes a row an erasure leaves nothing personal in (nothing retained).
   * Without it such a row is updated instead: its values in clear removed, its
   * encrypted ones unreadable.
   */
  remove?(subjectId: string, row: Record<string, unknown>): Promise<void>;
  /**
   * Keeps the anonymous copy of the fields that leave a row and declare
   * `anonymize`, and applies the change to the row (`remove` it, or `update`
   * it to `row`), in one transaction where the store has them. Required when
   * such fields leave; without them it is never called.
   */
  anonymize?(
    subjectId: string,
    anonymous: AnonymousRecord,
    row: Record<string, unknown>,
    change: 'remove' | 'update',
  ): Promise<void>;
  /** Where the data came from, told to the subject (GDPR Art. 15(1)(g)). */
  readonly origin?: string;
}

/**
 * What the application's verification hook is given. Return `true` only when
 * the identity is proven (a second factor, a signed-in session, a code sent to
 * the contact on file).
 *
 * @example
 * ```ts
 * const verify = async ({ subjectId, verification }: VerificationRequest) =>
 *   otp.check(subjectId, (verification as { code?: string })?.code ?? '');
 * ```
 * @category Rights and retention
 */
export interface VerificationRequest {
  readonly subjectId: string;
  readonly kind: RightsKind;
  readonly verification: unknown;
}

/**
 * Options of the rights desk, given to `createPurposeful({ rights })`.
 *
 * @example
 * ```ts
 * const rights: RightsOptions = {
 *   verify: async ({ subjectId, verification }) => sessions.isSignedInAs(verification, subjectId),
 *   sources: { customer: customers, ticket: tickets },
 *   lgpdDays: { correction: 10 },
 *   recipients: { 'NF-e issuing service': async (notice) => nfe.notify(notice), 'Old CRM': { unreachable: 'decommissioned in 2024' } },
 * };
 * ```
 * @category Rights and retention
 */
export interface RightsOptions {
  /**
   * Proves the requester's identity: `true` (or `{ verified: true }`) only when
   * proven; otherwise `false`, or `{ verified: false, missing, reason }` saying
   * what the requester must still supply (GDPR Art. 12(6); LGPD Art. 18 §4 II).
   */
  readonly verify: (request: VerificationRequest) => VerificationResult | Promise<VerificationResult>;
  /** Per schema id: how to find and change a subject's records. */
  readonly sources: Readonly<Record<string, RightsSource>>;
  /** Days for the LGPD rights the law leaves to regulation (default 15). */
  readonly lgpdDays?: LgpdDays;
  /**
   * Per recipient named on a purpose: its hook, told of every correction,
   * elimination, anonymization, blocking and revocation of data it received
   * (LGPD Art. 18 §6; GDPR Art. 19); or `{ unreachable: reason }` when
   * informing it is impossible or involves disproportionate effort, with the
   * reason stated (recorded in each request's access-log event, told in the
   * answer). A recipient of an affected purpose with neither refuses the
   * request before anything changes (`PF_RECIPIENT_HOOK_MISSING`).
   */
  readonly recipients?: Readonly<Record<string, RecipientHook | UnreachableRecipient>>;
  /** Where requests are kept (default: in memory). */
  readonly store?: RightsRequestStore;
  /**
   * The controller's IANA time zone (default `UTC`): a deadline in days or
   * months ends at the end of its last day there (GDPR Art. 12(3); Regulation
   * 1182/71 Art. 3; LGPD Art. 19 II counts from the date of the request).
   */
  readonly timeZone?: string;
  /**
   * The controller is a small processing agent (Res. CD/ANPD 2/2022 Art. 2,
   * and none of Art. 3's exclusions, such as high-risk processing, applies):
   * 15 days for the simplified answer (Art. 15), double for the complete
   * declaration (Art. 14 III) and for the other LGPD rights (Art. 14 I).
   */
  readonly smallAgent?: boolean;
  /** Fields of the subject's records that hold other people's data, screened out of access answers (GDPR Art. 15(4), 20(4)). */
  readonly aboutOthers?: AboutOthers;
  /** Hands the review of an automated decision to a person (GDPR Art. 22(3); LGPD Art. 20): required when a purpose declares `automatedDecision`. */
  readonly reviewer?: (ticket: ReviewTicket) => void | Promise<void>;
  /** Where objections are kept (LGPD Art. 18 §2; GDPR Art. 21); default: in memory, one process. */
  readonly objections?: ObjectionStore;
  /**
   * Where blockings are kept (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18); default: in memory, one process. The engine
   * consults it on every `seal`, `open` and `outbound` naming a subject: share it between instances.
   */
  readonly blockings?: BlockingStore;
  /** Your lead supervisory authority, named in access answers beside the subject's own choice (GDPR Art. 15(1)(f), 77). */
  readonly supervisoryAuthority?: { readonly name: string; readonly url?: string };
}

/**
 * A tracked request.
 *
 * @example
 * ```ts
 * const r: RightsRequest = await pf.rights.request({ subjectId, kind: 'access', verification: { code } });
 * r.due; // the earlier of LGPD's 15 days and GDPR's month
 * ```
 * @category Rights and retention
 */
export interface RightsRequest {
  readonly id: string;
  readonly kind: RightsKind;
  readonly subjectId: string;
  /** `unverified`: kept while the requester proves their identity; nothing is answered until then. */
  readonly status: 'unverified' | 'open' | 'completed';
  readonly receivedAt: string;
  readonly due: string;
  readonly lgpdDue?: string;
  readonly gdprDue?: string;
  /** GDPR Art. 12(3): the extension and its reason, told to the subject. */
  readonly extension?: { readonly reason: string; readonly at: string };
  readonly completedAt?: string;
  /** When the identity was proven; the deadlines still count from `receivedAt` (LGPD Art. 19 II; GDPR Art. 12(3)). */
  readonly verifiedAt?: string;
  /** While `unverified`: what the requester was asked to supply, and why (GDPR Art. 12(6); LGPD Art. 18 §4 II). */
  readonly identity?: IdentityRequest;
  /** For a `review` request: the purpose whose automated decision a person reviews, and when it was handed over. */
  readonly review?: { readonly purpose: string; readonly requestedAt: string };
  /**
   * An erasure a failing store interrupted: its time, its answer lines and the fields it passes on (paths, never
   * values). Carrying the request out again finishes it, and tells the recipients what the first attempt removed.
   */
  readonly pendingErasure?: {
    readonly at: string;
    readonly fields: readonly ErasedField[];
    readonly items: readonly {
      readonly schema: string;
      readonly record?: string;
      readonly field: string;
      readonly kind: 'elimination' | 'anonymization';
      readonly kept?: readonly string[];
    }[];
  };
}

/**
 * Where requests are kept.
 *
 * @example
 * ```ts
 * const store: RightsRequestStore = memoryRightsStore();
 * ```
 * @category Rights and retention
 */
export interface RightsRequestStore {
  put(request: RightsRequest): Promise<void>;
  get(id: string): Promise<RightsRequest | undefined>;
  list(): Promise<RightsRequest[]>;
}

/**
 * The rights desk: `pf.rights`.
 *
 * @example
 * ```ts
 * const request = await pf.rights.request({ subjectId, kind: 'access', verification: { session } });
 * const answer = await pf.rights.access(request.id);
 * await pf.rights.complete(request.id);
 * ```
 * @category Rights and retention
 */
export interface Rights {
  /**
   * Records a request received at `receivedAt` (default now; a time in the
   * future, beyond 5 minutes of clock skew, is `PF_INPUT_INVALID`: every
   * deadline counts from it, LGPD Art. 19; GDPR Art. 12(3)) and verifies the
   * identity. Proven: an `open` request, its deadlines counted from receipt.
   * Not proven: the request is kept `unverified`, and the refusal
   * (`PF_IDENTITY_UNVERIFIED`, logged without values) is a reasoned answer:
   * `err.missing` says what the requester must still supply, `err.request`
   * names the request to continue with `verify` (GDPR Art. 12(6); LGPD
   * Art. 18 §3, §4 II).
   */
  request(input: {
    readonly subjectId: string;
    readonly kind: RightsKind;
    readonly verification: unknown;
    readonly receivedAt?: Date;
  }): Promise<RightsRequest>;
  /**
   * Continues an `unverified` request with what the requester supplied: proven,
   * it opens (its deadlines unchanged, still counted from receipt); not, it is
   * refused again with what is still missing.
   */
  verify(id: string, verification: unknown, now?: Date): Promise<RightsRequest>;
  /**
   * Records the subject's objection to a purpose of an `opposition` request
   * (LGPD Art. 18 §2; GDPR Art. 21): from then on the engine refuses that
   * purpose for them (`PF_OBJECTED`). A purpose that rests on consent is
   * revoked instead; under the GDPR alone only Art. 6(1)(e)/(f) purposes and
   * direct marketing can be objected to.
   */
  oppose(id: string, purpose: string, input?: { readonly grounds?: string }): Promise<Objection>;
  /**
   * Dismisses an objection, stating the controller's grounds, told to the
   * subject (GDPR Art. 21(1): compelling legitimate grounds, or legal claims;
   * LGPD Art. 18 §4 II): processing resumes. Never for direct marketing
   * (GDPR Art. 21(3)).
   */
  dismissOpposition(id: string, grounds: string, now?: Date): Promise<Objection>;
  /** A subject's objections, in force or dismissed. */
  objections(subjectId: string): Promise<readonly Objection[]>;
  /**
   * A `review` request: hands the review of the purpose's automated decision,
   * with the subject's point of view, to the `reviewer` hook, and answers with
   * the decision's criteria and consequences (LGPD Art. 20, 20 §1; GDPR
   * Art. 22(3)).
   */
  review(
    id: string,
    input: { readonly purpose: string; readonly reference?: string; readonly statement?: string },
  ): Promise<ReviewAnswer>;
  /**
   * GDPR Art. 12(3): two more months, with the reason told to the subject, decided within the first month. An
   * `unverified` request is refused (`PF_IDENTITY_UNVERIFIED`, GDPR Art. 12(6); LGPD Art. 18 §4 II).
   */
  extend(id: string, reason: string, now?: Date): Promise<RightsRequest>;
  /** Closes a request; an `unverified` one is refused (`PF_IDENTITY_UNVERIFIED`, GDPR Art. 12(6); LGPD Art. 18 §4 II). */
  complete(id: string, now?: Date): Promise<RightsRequest>;
  get(id: string): Promise<RightsRequest | undefined>;
  list(): Promise<RightsRequest[]>;
  /**
   * The simplified answer (LGPD Art. 19 I), given at once: whether data about
   * the subject is processed, of which categories, for which purposes (fields
   * screened out as another person's data do not count).
   */
  confirmation(
    id: string,
  ): Promise<{ readonly processes: boolean; readonly categories: readonly string[]; readonly purposes: readonly string[] }>;
  /**
   * The entities the subject's data is shared with (LGPD Art. 18 VII; GDPR
   * Art. 15(1)(c)): per purpose that holds their data, its recipients and
   * international transfers.
   */
  sharingInfo(id: string): Promise<readonly SharingEntry[]>;
  /**
   * The consent-based purposes (LGPD Art. 18 VIII; GDPR Art. 7(3), 13(2)(c)):
   * what each is for, the notice, the subject's current state, and what
   * follows from not consenting as the purpose declares it (`ifRefused`;
   * nothing is said when it declares nothing).
   */
  consentInfo(id: string): Promise<readonly ConsentInfoEntry[]>;
  /** The complete answer: the export document. */
  access(id: string): Promise<SubjectExport>;
  /** Portability: the export as JSON, or as CSV (one row per value). */
  portability(id: string, format: 'json' | 'csv'): Promise<string>;
  /**
   * Erases the subject (LGPD Art. 15 III, 16, 18 IV and VI; GDPR Art. 17):
   * encrypted fields by shredding the subject's erasable keys, fields in clear
   * removed from the rows, blind-index columns nulled. What an erasure ground
   * keeps (`keptOnErasure`) is `retained`, with each keeping purpose, its
   * ground and its end date, and from then on opens only for those purposes
   * (`PF_SUBJECT_RESTRICTED` for any other). Passed on to the recipients of
   * the purposes whose data left (Art. 18 §6; GDPR Art. 19).
   */
  erase(id: string, options?: ChangeOptions): Promise<ErasureAnswer>;
  /**
   * Withdraws consent for a purpose (LGPD Art. 18 IX, 8 §5; GDPR Art. 7(3)):
   * processing for it stops at once (the ledger), and the values only consent
   * justified (every purpose of theirs rests on consent no longer granted) are
   * removed from the rows. Its recipients are told of the revocation, and the
   * recipients of the data removed of its elimination.
   */
  revoke(id: string, purpose: string, options?: ChangeOptions): Promise<ErasureAnswer>;
  /**
   * Eliminates the data processed with the subject's consent (LGPD Art. 18 VI;
   * GDPR Art. 17(1)(b)): the values of every field all of whose purposes rest
   * on consent (of `purpose`'s fields, when given) are removed from the rows,
   * except what an erasure ground keeps (Art. 16). The consent itself is left
   * as it is: withdrawing it is a revocation (Art. 18 IX). Passed on to the
   * recipients (Art. 18 §6; GDPR Art. 19).
   */
  eraseConsentData(id: string, options?: ChangeOptions & { readonly purpose?: string }): Promise<ErasureAnswer>;
  /**
   * Blocks the subject's data (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18): every
   * personal field of the rows the sources find (or the `fields` named) is
   * marked blocked in its row, and opens for no purpose until `unblock`; under
   * the GDPR alone, purposes kept for legal claims still may (Art. 18(2)).
   * Passed on to the recipients (Art. 18 §6; GDPR Art. 19).
   */
  block(
    id: string,
    options?: ChangeOptions & {
      readonly fields?: readonly { readonly schema: string; readonly field: string }[];
    },
  ): Promise<BlockingAnswer>;
  /**
   * Lifts the blocking of a `blocking` request (GDPR Art. 18(3): tell the
   * subject before you do), and tells the recipients.
   */
  unblock(id: string, options?: ChangeOptions): Promise<BlockingAnswer>;
  /** Applies a JSON Merge Patch (RFC 7396) to one record, validates it, seals it again and tells the recipients. */
  correct(
    id: string,
    change: { readonly schema: string; readonly record?: string; readonly patch: Record<string, unknown> },
    options?: ChangeOptions,
  ): Promise<PassedOn & { readonly changed: readonly string[] }>;
}

/** What the engine lends the rights desk. @internal */
export interface RightsInternals {
  readonly purposes: Purposes;
  readonly schemas: ReadonlyMap<string, PurposefulSchema>;
  readonly jurisdictions: readonly Jurisdiction[];
  /** Opens the encrypted fields of a subject's row (`fields`, default every one). */
  readonly openAll: (
    schema: PurposefulSchema,
    row: unknown,
    subjectId: string | undefined,
    fields?: ReadonlySet<FieldInfo>,
  ) => Promise<Record<string, unknown>>;
  /** Crypto-shreds the subject (the engine's `shred`, logged), as of `now`. */
  readonly shred: (
    subjectId: string,
    rows: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>,
    now?: Date,
  ) => Promise<
    { receipt: string; retained: readonly { purposes: readonly string[]; until: string }[]; backupsClearBy: string } | undefined
  >;
  /** Seals a record for storage (when the schema encrypts). */
  readonly seal: (
    schema: PurposefulSchema,
    record: Record<string, unknown>,
    subjectId: string,
  ) => Promise<Record<string, unknown>>;
  readonly consent?: ConsentLedger;
  readonly audit?: AccessLog;
  /** Where objections are kept: the store the engine checks before every request. */
  readonly objections?: ObjectionStore;
  /** Where blockings are kept: the store the engine checks on every seal, open and outbound. */
  readonly blockings?: BlockingStore;
  /** What a schema's unannotated fields do (its own option, else the engine's; `deny` when absent). */
  readonly unannotated?: (schema: PurposefulSchema) => Unannotated;
}
