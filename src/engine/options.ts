/**
 * The options of `createPurposeful()` and what the engine reports of its
 * free-text redaction: the public shapes the configuration is read from.
 *
 * @module
 */
import type * as core from 'zod/v4/core';
import type { AccessLog } from '../audit/log.js';
import type { NoticeChange } from '../consent/check.js';
import type { ConsentLedger } from '../consent/ledger.js';
import type { EncryptionOptions } from '../crypto/encryption.js';
import type { Keyring } from '../crypto/keyring.js';
import type { ErasureJournal, SubjectKeyStore } from '../crypto/keystore.js';
import type { PiiType } from '../detect/types.js';
import type { Limits } from '../minimize/plan.js';
import type { RightsDesk } from '../rights/desk.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import type { Purposes } from '../schema/purposes.js';
import type { Jurisdiction } from '../taxonomy/bases.js';

/**
 * Options of {@link createPurposeful}. Validated once, here.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({
 *   purposes, schemas: [Customer, Ticket, Invoice],
 *   jurisdictions: ['lgpd'], undeclared: 'reject', limits: { maxDepth: 32, maxNodes: 10_000 },
 *   pseudonymKey: Buffer.from(process.env.PSEUDONYM_KEY ?? '', 'base64'), // at least 32 random bytes
 * });
 * ```
 * @category Engine
 */
export interface PurposefulOptions<P extends string> {
  /** The purposes registry every schema refers to. */
  readonly purposes: Purposes<P>;
  /** The schemas this engine handles. */
  readonly schemas: readonly PurposefulSchema<string, core.$ZodObject, P>[];
  /** Laws in force (default: every law named in the declarations). They apply together. */
  readonly jurisdictions?: readonly Jurisdiction[];
  /** Root key for pseudonymized fields (at least 32 random bytes). */
  readonly pseudonymKey?: Uint8Array;
  /** Limits on inbound and outbound data. */
  readonly limits?: Limits;
  /** Inbound: reject (default) or strip fields not declared for the purpose. */
  readonly undeclared?: 'reject' | 'strip';
  /**
   * Fields declared neither with `pd()` nor with `pd.none()`, in schemas that do not say (a schema's own
   * `unannotated` wins). `deny` (the default): declared for no purpose, rejected inbound and left out outbound.
   * `allow`: they flow for every purpose, as a migration step while the fields get annotated.
   * The types do not follow this option: `Outbound`, `Inbound` and the adapters' handler types list unannotated
   * fields only for a schema defined with `unannotated: 'allow'` itself, and stay on the strict side otherwise.
   */
  readonly unannotated?: Unannotated;
  /** The keyring: with it the engine seals and opens encrypted fields (see the encryption options). Required when a schema declares `encrypt: true` fields (`PF_KEYRING_MISSING`). */
  readonly keys?: Keyring;
  /** Where subjects' data keys live (required with a keyring when a schema has a subject and encrypted fields). */
  readonly keyStore?: SubjectKeyStore;
  /** Where erasures are journaled, apart from the key store's backups. */
  readonly erasureJournal?: ErasureJournal;
  /** The consent ledger, checked before every request for a purpose that rests on consent. Required when a schema declares fields for such a purpose (`PF_CONSENT_LEDGER_MISSING`); without one, other requests for it get `PF_CONSENT_UNAVAILABLE`. */
  readonly consent?: ConsentLedger;
  /** How long a consent check may take before it counts as unavailable (ms, default 2000). */
  readonly consentTimeoutMs?: number;
  /** Called at a subject's next access when their grant is still valid but was given for an earlier non-material notice: inform them (LGPD Art. 8 §6). List everyone at the time of the change with `subjectsToInform`. */
  readonly onNoticeChange?: (change: NoticeChange) => void | Promise<void>;
  /**
   * Told what `inbound` redacted from a free-text field: the types found and
   * how many of each, never a value (for metrics and the access log).
   */
  readonly onRedaction?: (report: RedactionReport) => void;
  /** The GDPR Art. 8 age of digital consent in force (13–16, default 16), for purposes declared `offeredDirectlyToChildren`. */
  readonly gdprDigitalConsentAge?: number;
  /** Encryption settings: algorithm, implementation, key cache, blind-index bits, receipts, backup age. */
  readonly encryption?: Omit<EncryptionOptions, 'keys' | 'keyStore' | 'erasureJournal'>;
  /**
   * The access log (`createAccessLog`): one event per decision (`inbound`,
   * `outbound`, `open`, `seal`, `shred`, and every denial), and its anomaly
   * watch's blocks enforced before any data is touched. Its purpose must be
   * declared in the registry: the log is personal data too.
   */
  readonly audit?: AccessLog;
  /**
   * Data-subject requests: the desk `rightsDesk({ verify, sources })` makes (the identity verification hook and, per
   * schema, how to find and change a subject's records). Without one, `pf.rights` refuses every request.
   */
  readonly rights?: RightsDesk;
}

/**
 * What `inbound` removed from one free-text field: types and counts, never a value.
 *
 * @example
 * ```ts
 * createPurposeful({ purposes, schemas, onRedaction: (r) => metrics.count('pii.redacted', r.counts) });
 * // { schema: 'ticket', purpose: 'support.ticket', field: 'message', counts: { cpf: 1, phone: 1 } }
 * ```
 * @category Engine
 */
export interface RedactionReport {
  readonly schema: string;
  readonly purpose: string;
  /** The field's declared path (`messages[].text`). */
  readonly field: string;
  readonly counts: Readonly<Partial<Record<PiiType, number>>>;
}

/**
 * Options of `pf.inbound`.
 *
 * @example
 * ```ts
 * // an update: only the fields given are checked, none is required
 * const change = await pf.inbound(Customer, { email: 'new@example.com' }, ctx, { partial: true } satisfies InboundOptions);
 * ```
 * @category Engine
 */
export interface InboundOptions {
  /**
   * The data holds some fields only (an update): each is checked as a whole
   * record's would be (declared for the purpose, validated, free text
   * redacted, consent), none is required, no declared default is filled in,
   * and refinements of the whole record are not run.
   */
  readonly partial?: boolean;
}
