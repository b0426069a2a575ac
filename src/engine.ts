/**
 * `createPurposeful()`: the engine that enforces the declarations on every
 * request — inbound (reject undeclared fields, validate), outbound and open
 * (project, mask, pseudonymize) — with the checks that fail closed.
 *
 * @module
 */
import * as core from 'zod/v4/core';
import { auditor } from './audit/engine.js';
import { type AccessLog, isAccessLog } from './audit/log.js';
import {
  CONSENT_MEMO,
  type ConsentMemo,
  type ConsentOptions,
  checkConsent,
  memoHas,
  type NoticeChange,
} from './consent/check.js';
import { type ConsentLedger, SYNC_STATUS } from './consent/ledger.js';
import { isKeyring, type Keyring } from './crypto/keyring.js';
import type { ErasureEntry, ErasureJournal, SubjectKeyStore } from './crypto/keystore.js';
import type { EncryptionOptions, Progress, RotateOptions, ShredResult, Vault } from './crypto/vault.js';
import { type RedactOptions, redactWithCounts } from './detect/redact.js';
import type { PiiType } from './detect/types.js';
import type { Actor, PurposeContext } from './engine-context.js';
import { ENGINE_NOW, type EngineNow } from './engine-now.js';
import { isPurposefulError, PurposefulError, type ValidationIssue } from './errors.js';
import { assertPurpose, inboundZodFor, planFor } from './minimize/cache.js';
import type { Limits } from './minimize/plan.js';
import { assertPseudonymKey, derivePseudonymKey } from './minimize/pseudonymize.js';
import { checkLimits, runMinimize } from './minimize/run.js';
import type { OpenFields } from './rights/anonymize.js';
import { type Blocking, blockingGate, blockingStoreFor } from './rights/blocking.js';
import { deskBuilder, type RightsDesk, rightsOff } from './rights/desk.js';
import { objectionGate, objectionStoreFor } from './rights/opposition.js';
import { mapAt } from './rights/paths.js';
import { assertNotBlocked, assertOpens, blocksFor, mergeBlocks, setRestriction } from './rights/restriction.js';
import { createRetention, type RetentionSweeps } from './rights/retention.js';
import type { Rights } from './rights/rights.js';
import type { FreeTextRedaction } from './schema/annotation.js';
import { isPurposefulSchema, type PurposefulSchema, type Unannotated } from './schema/define.js';
import { declarationErrorMessage } from './schema/first-problem.js';
import { isPurposes, type Purposes } from './schema/purposes.js';
import { carriesRestriction, type RowBlock, restrictionOf } from './schema/restriction.js';
import { problem } from './schema/rules.js';
import type { Inbound, Outbound } from './schema/types.js';
import { displayPath, type FieldInfo, type PathStep, parsePath } from './schema/walk.js';
import { JURISDICTIONS, type Jurisdiction } from './taxonomy/bases.js';
import { refuseUnknownOptions } from './util/closest.js';
import type { Now } from './util/now.js';
import { assertCleanPrototype } from './util/prototype.js';

export type { Actor, PurposeContext } from './engine-context.js';

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

/** What the engine resolved about one request, shared by the steps of a call. */
interface Resolved {
  readonly purpose: string;
  readonly roles: readonly string[];
  readonly subjectId: string | undefined;
  readonly jurisdictions: readonly Jurisdiction[];
}

/**
 * The engine. All methods are async (consent, keys and the access log are I/O
 * where they are configured); masks and detectors stay synchronous helpers.
 *
 * @example
 * ```ts
 * type AppPurpose = (typeof purposes.ids)[number];
 * async function ticketView(pf: Purposeful<AppPurpose>, row: unknown, actor: Actor) {
 *   return pf.outbound(Customer, row, { purpose: 'support.ticket', actor }); // typed Outbound<typeof Customer, 'support.ticket'>
 * }
 * pf.schema('customer') === Customer; // true
 * pf.jurisdictions;                   // ['lgpd', 'gdpr']
 * ```
 * @category Engine
 */
export interface Purposeful<P extends string = string> {
  /** The purposes registry. */
  readonly purposes: Purposes<P>;
  /** The laws in force. */
  readonly jurisdictions: readonly Jurisdiction[];
  /** A registered schema by id. */
  schema(id: string): PurposefulSchema | undefined;
  /**
   * Data coming in for a purpose: rejects every field not declared for it
   * (`PF_UNDECLARED_FIELD`, all paths at once), then validates with the
   * purpose's projection of the zod schema (`PF_VALIDATION_FAILED`).
   */
  inbound<S extends PurposefulSchema, Q extends P>(schema: S, data: unknown, ctx: PurposeContext<Q>): Promise<Inbound<S, Q>>;
  /** A plaintext record going out to a purpose: projected, masked, pseudonymized. */
  outbound<S extends PurposefulSchema, Q extends P>(schema: S, record: unknown, ctx: PurposeContext<Q>): Promise<Outbound<S, Q>>;
  /**
   * A stored row going out to a purpose: the same as `outbound`, after
   * decrypting the encrypted fields the purpose may see. Without a keyring, a
   * row whose visible fields are declared encrypted fails with `PF_KEY_NOT_FOUND`.
   */
  open<S extends PurposefulSchema, Q extends P>(schema: S, row: unknown, ctx: PurposeContext<Q>): Promise<Outbound<S, Q>>;
  /**
   * The checks `outbound` and `open` run that do not need the record, run
   * before any data is fetched: purpose, actor, roles, second factor for clear
   * sensitive fields, minors, and, when `ctx.subjectId` is given, consent,
   * objections and the subject's blockings (`PF_SUBJECT_RESTRICTED` when one
   * covers a field the purpose would see; LGPD Art. 18 IV; GDPR Art. 18).
   * Without it, these are checked on the record, when it goes out. The HTTP adapters
   * call it before a handler runs, so a refused request costs no database read.
   */
  authorize<S extends PurposefulSchema, Q extends P>(schema: S, ctx: PurposeContext<Q>): Promise<void>;
  /**
   * A record going to storage: every field declared `encrypt: true` sealed and
   * bound to its schema, field, subject and record; a `bidx_<name>` column per
   * blind index. Needs a keyring.
   */
  seal<S extends PurposefulSchema, Q extends P>(
    schema: S,
    record: unknown,
    ctx: PurposeContext<Q>,
  ): Promise<Record<string, unknown>>;
  /** `seal` for many records. */
  sealMany<S extends PurposefulSchema, Q extends P>(
    schema: S,
    records: readonly unknown[],
    ctx: PurposeContext<Q>,
  ): Promise<Record<string, unknown>[]>;
  /** `open` for many rows. */
  openMany<S extends PurposefulSchema, Q extends P>(
    schema: S,
    rows: readonly unknown[],
    ctx: PurposeContext<Q>,
  ): Promise<Outbound<S, Q>[]>;
  /** The blind-index values to search a column for (one per keyring key during a rotation). */
  indexFor(schema: PurposefulSchema, index: string, value: unknown): string[];
  /**
   * Crypto-shreds a subject: erasable data keys deleted, retained ones (fields an erasure ground keeps) kept until
   * their retention ends, their values then opening only for the purposes that keep them; a signed receipt.
   */
  shred(
    subjectId: string,
    options?: {
      rows?: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>;
      now?: Date;
      /** Who erases, for the access log (default `system`). */
      actor?: Actor;
    },
  ): Promise<ShredResult>;
  /** Re-encrypts the values of stored rows that are not under the current key or algorithm (verified, idempotent, resumable). */
  rotate(
    schema: PurposefulSchema,
    rows: readonly unknown[],
    options?: RotateOptions,
  ): Promise<{ rows: unknown[]; changed: number }>;
  /** After a keyring rotation: rewraps every data key under the new primary keyring key (no data is touched). */
  rewrapDataKeys(onProgress?: (p: Progress) => void | Promise<void>): Promise<number>;
  /** Erases the retained data keys whose legal retention has ended. */
  purgeRetained(now?: Date): Promise<number>;
  /** Data-subject requests (configured with `rights`): verified, tracked with their deadlines, answered from your sources. */
  readonly rights: Rights;
  /** Retention sweeps: what outlived every purpose is removed, field by field or record by record. */
  readonly retention: RetentionSweeps;
  /** After restoring a key-store backup: erases again every key the erasure journal says was erased. */
  replayErasures(entries?: Iterable<ErasureEntry> | AsyncIterable<ErasureEntry>): Promise<number>;
}

const NO_ROLES: readonly string[] = Object.freeze([]);

function fail(message: string): never {
  throw new PurposefulError('PF_CONTEXT_INVALID', message);
}

const SUBJECT_PATHS = new WeakMap<PurposefulSchema, readonly string[]>();
/** Compiled input schemas found to have async refinements or transforms. */
const NEEDS_ASYNC = new WeakSet<object>();

function subjectOf(schema: PurposefulSchema, record: unknown): string | undefined {
  const path = schema.subject?.id;
  if (!path || typeof record !== 'object' || record === null) return undefined;
  let segments = SUBJECT_PATHS.get(schema);
  if (segments === undefined) {
    segments = path.split('.');
    SUBJECT_PATHS.set(schema, segments);
  }
  let v: unknown = record;
  for (const seg of segments) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

/** Every top-level option, so that a misspelt or misplaced one (`receipts` beside `encryption`) is refused, not ignored. */
const ENGINE_OPTIONS: { readonly [K in keyof Required<PurposefulOptions<string>>]: true } = {
  purposes: true,
  schemas: true,
  jurisdictions: true,
  pseudonymKey: true,
  limits: true,
  undeclared: true,
  unannotated: true,
  keys: true,
  keyStore: true,
  erasureJournal: true,
  consent: true,
  consentTimeoutMs: true,
  onNoticeChange: true,
  onRedaction: true,
  gdprDigitalConsentAge: true,
  encryption: true,
  audit: true,
  rights: true,
};
const ENCRYPTION_OPTIONS: {
  readonly [K in keyof Required<NonNullable<PurposefulOptions<string>['encryption']>>]: true;
} = {
  algorithm: true,
  implementation: true,
  keyCacheSize: true,
  keyCacheTtlMs: true,
  indexBits: true,
  receipts: true,
  backupMaxAge: true,
};

/** `PF_OPTIONS_INVALID` for an options value that is not an object, or naming its first unknown key. */
function refuseUnknownEngineOptions(value: unknown, known: object, where: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `${where} options must be an object`);
  }
  refuseUnknownOptions(value, known, where, (key) =>
    Object.hasOwn(ENCRYPTION_OPTIONS, key) && where !== 'encryption' ? ` (did you mean encryption.${key}?)` : undefined,
  );
}

/**
 * Creates the engine. Every option is validated here, once: an unknown option
 * is refused (`PF_OPTIONS_INVALID` naming it), the schemas must
 * share the purposes registry, and every purpose needs a basis under every
 * jurisdiction in force. What the declarations need is checked here too, not
 * at the first request: encrypted fields need `keys` (`PF_KEYRING_MISSING`),
 * fields for a purpose on consent need a `consent` ledger
 * (`PF_CONSENT_LEDGER_MISSING`).
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas: [Customer, Ticket] });
 * const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
 *
 * const input = await pf.inbound(Customer, body, ctx);     // undeclared fields rejected, validated
 * const view = await pf.outbound(Customer, record, ctx);   // projected and masked for the purpose
 * ```
 * @category Engine
 */
export function createPurposeful<P extends string>(options: PurposefulOptions<P>): Purposeful<P> {
  if (typeof options !== 'object' || options === null) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createPurposeful() expects an options object');
  }
  refuseUnknownEngineOptions(options, ENGINE_OPTIONS, 'createPurposeful()');
  if (options.encryption !== undefined) refuseUnknownEngineOptions(options.encryption, ENCRYPTION_OPTIONS, 'encryption');
  const { purposes } = options;
  if (!isPurposes(purposes)) throw new PurposefulError('PF_OPTIONS_INVALID', 'options.purposes must come from definePurposes()');
  if (!Array.isArray(options.schemas))
    throw new PurposefulError('PF_OPTIONS_INVALID', 'options.schemas must be a list of schemas');
  const schemas = new Map<string, PurposefulSchema>();
  for (const s of options.schemas) {
    if (!isPurposefulSchema(s)) throw new PurposefulError('PF_OPTIONS_INVALID', 'every schema must come from defineSchema()');
    if (s.purposes !== purposes) {
      throw new PurposefulError('PF_OPTIONS_INVALID', `schema "${s.id}" was defined with another purposes registry`, {
        schema: s.id,
      });
    }
    if (schemas.has(s.id))
      throw new PurposefulError('PF_OPTIONS_INVALID', `two schemas share the id "${s.id}"`, { schema: s.id });
    schemas.set(s.id, s);
  }
  const jurisdictions = options.jurisdictions ?? purposes.jurisdictions;
  if (
    !Array.isArray(jurisdictions) ||
    jurisdictions.length === 0 ||
    !jurisdictions.every((j) => (JURISDICTIONS as readonly string[]).includes(j))
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `jurisdictions must be a non-empty list of ${JURISDICTIONS.join(', ')}`);
  }
  const problems = [];
  for (const id of purposes.ids) {
    const p = purposes.get(id);
    for (const j of jurisdictions as readonly Jurisdiction[]) {
      if (p && p.declaration.legalBasis[j] === undefined) {
        problems.push(
          problem(
            'PF_DECL_LEGAL_BASIS_MISSING',
            `purpose "${id}" has no ${j.toUpperCase()} basis, and ${j.toUpperCase()} is in force`,
            {
              purpose: id,
            },
          ),
        );
      }
    }
  }
  for (const s of schemas.values()) {
    for (const f of s.fields) {
      if (!f.sensitive) continue;
      for (const [pid] of f.access) {
        const p = purposes.get(pid);
        for (const j of jurisdictions as readonly Jurisdiction[]) {
          if (p && p.declaration.sensitiveBasis?.[j] === undefined) {
            problems.push(
              problem(
                'PF_DECL_SENSITIVE_BASIS_MISSING',
                `purpose "${pid}" uses sensitive field ${f.path} and has no ${j.toUpperCase()} sensitive-data basis`,
                {
                  schema: s.id,
                  path: f.path,
                  purpose: pid,
                },
              ),
            );
          }
        }
      }
    }
  }
  if (problems.length) {
    throw new PurposefulError('PF_DECLARATION_INVALID', declarationErrorMessage('the jurisdictions in force', problems), {
      problems,
    });
  }
  if (options.pseudonymKey !== undefined) assertPseudonymKey(options.pseudonymKey);
  if (options.undeclared !== undefined && options.undeclared !== 'reject' && options.undeclared !== 'strip') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "undeclared must be 'reject' or 'strip'");
  }
  if (options.unannotated !== undefined && options.unannotated !== 'deny' && options.unannotated !== 'allow') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "unannotated must be 'deny' (the default) or 'allow'");
  }
  const engineUnannotated: Unannotated = options.unannotated ?? 'deny';
  /** What a schema's unannotated fields do: its own option, else the engine's. */
  const um = (schema: PurposefulSchema): Unannotated => schema.unannotated ?? engineUnannotated;
  const limits = checkLimits(options.limits);
  const strip = options.undeclared === 'strip';
  const pseudonymKey = options.pseudonymKey;
  const inForce = Object.freeze([...jurisdictions]);
  if (options.keys !== undefined && !isKeyring(options.keys)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'keys must be a keyring (generateKeyring() or keyringFromJwks())');
  }
  const vault = options.keys
    ? options.keys.vault(
        { ...options.encryption, keyStore: options.keyStore, erasureJournal: options.erasureJournal },
        purposes,
        [...schemas.values()],
      )
    : undefined;
  const consentTimeoutMs = options.consentTimeoutMs ?? 2000;
  if (!Number.isInteger(consentTimeoutMs) || consentTimeoutMs < 1) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'consentTimeoutMs must be a positive integer');
  }
  if (options.consent !== undefined && (typeof options.consent !== 'object' || typeof options.consent?.status !== 'function')) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'consent must be a consent ledger (memoryConsentLedger(purposes) or the PostgreSQL one)',
    );
  }
  const age = options.gdprDigitalConsentAge;
  if (age !== undefined && (!Number.isInteger(age) || age < 13 || age > 16)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'gdprDigitalConsentAge must be an integer from 13 to 16 (GDPR Art. 8(1))');
  }
  if (options.audit !== undefined) {
    if (!isAccessLog(options.audit))
      throw new PurposefulError('PF_OPTIONS_INVALID', 'audit must be an access log (createAccessLog())');
    if (purposes.get(options.audit.purpose) === undefined) {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `the access log is kept for purpose "${options.audit.purpose}", which the registry does not declare: declare it with its legal basis and retention (accessLogPurpose())`,
        { purpose: options.audit.purpose, article: 'LGPD Art. 37; GDPR Art. 30' },
      );
    }
  }
  // what the declarations need and the options do not give: after every option is checked, before any request
  if (options.keys === undefined) {
    // fail here, not at the first request that seals or opens a record
    for (const s of schemas.values()) {
      const paths = s.fields.filter((f) => f.encrypt).map((f) => f.path);
      if (paths.length === 0) continue;
      throw new PurposefulError(
        'PF_KEYRING_MISSING',
        `schema "${s.id}" encrypts ${paths.join(', ')}, and no keyring is configured: createPurposeful({ keys }) (generateKeyring(), or keyringFromJwks() with a JWK Set kept in a secrets manager)`,
        { schema: s.id, paths },
      );
    }
  }
  if (options.consent === undefined) {
    // fail here, not with PF_CONSENT_UNAVAILABLE at the first request: a purpose on consent that a schema of this
    // engine declares fields for (a request for it with no field of its own gets nothing, and is still refused then)
    for (const s of schemas.values()) {
      for (const f of s.fields) {
        for (const [id, access] of f.access) {
          if (access.level === 'none' && !Object.values(access.roles ?? {}).some((l) => l !== 'none')) continue;
          const under = purposes.get(id)?.ledgerConsentUnder.filter((j) => inForce.includes(j)) ?? [];
          if (under.length === 0) continue;
          throw new PurposefulError(
            'PF_CONSENT_LEDGER_MISSING',
            `purpose "${id}" rests on consent under ${under.map((j) => j.toUpperCase()).join(' and ')} and schema "${s.id}" declares ${f.path} for it, and no consent ledger is configured: createPurposeful({ consent }) (memoryConsentLedger(purposes) or the PostgreSQL one)`,
            { purpose: id, schema: s.id, paths: [f.path], article: 'LGPD Art. 8 §2; GDPR Art. 7(1)' },
          );
        }
      }
    }
  }
  const ledger = options.consent;
  const aud = options.audit
    ? auditor(options.audit, inForce, (subject, purpose) => {
        const sync = ledger ? SYNC_STATUS.get(ledger) : undefined;
        if (!ledger || !sync || sync.status !== ledger.status) return undefined;
        try {
          const state = sync.now(subject, purpose);
          return state?.status === 'granted' ? state.event?.id : undefined;
        } catch {
          return undefined;
        }
      })
    : undefined;
  const consent: ConsentOptions = {
    ledger: options.consent,
    timeoutMs: consentTimeoutMs,
    onNoticeChange: options.onNoticeChange,
    gdprDigitalConsentAge: age,
  };
  // an objection in force stops its purpose for its subject before consent is asked (LGPD Art. 18 §2; GDPR Art. 21)
  const buildRights = deskBuilder(options.rights);
  const objections = objectionStoreFor(options.rights?.options);
  const objected = objections && objectionGate(objections);
  // a blocking is a record per subject, consulted wherever a value goes in or out (LGPD Art. 5 XIII, 18 IV; GDPR
  // Art. 18): a write that drops the row's column, or a row made after the blocking, never lifts it
  const blockings = blockingStoreFor(options.rights?.options);
  const blockingsOf = blockings && blockingGate(blockings);
  /** The blockings in force for the subject that cover the schema; `undefined` (no work) when none. */
  const heldFor = (
    schema: PurposefulSchema,
    subjectId: string | undefined,
  ): RowBlock[] | undefined | Promise<RowBlock[] | undefined> => {
    if (blockingsOf === undefined || subjectId === undefined) return undefined;
    const b = blockingsOf(subjectId);
    if (!(b instanceof Promise)) return b.length ? blocksFor(schema, b) : undefined;
    return b.then((x: readonly Blocking[]) => (x.length ? blocksFor(schema, x) : undefined));
  };
  type ConsentStep = (
    schema: PurposefulSchema,
    r: Resolved,
    ctx: PurposeContext,
    direction: 'inbound' | 'outbound',
  ) => void | Promise<void>;
  const heedObjections = (step: ConsentStep): ConsentStep =>
    objected === undefined
      ? step
      : (schema, r, ctx, direction) => {
          const pending = objected(schema.id, r.purpose, r.subjectId);
          return pending ? pending.then(() => step(schema, r, ctx, direction)) : step(schema, r, ctx, direction);
        };
  /**
   * The consent check of a resolved request: nothing for purposes that do not
   * rest on consent; a promise only when the ledger has to be asked.
   */
  const consentStep = (
    schema: PurposefulSchema,
    r: Resolved,
    ctx: PurposeContext,
    direction: 'inbound' | 'outbound',
  ): void | Promise<void> => {
    const purpose = schema.purposes.get(r.purpose);
    if (!purpose || purpose.ledgerConsentUnder.length === 0) return;
    const { showsSensitive } = planFor(schema, r.purpose, direction, r.roles, um(schema));
    // within one HTTP request (the pipeline's context carries a memo) a check that passed is not repeated
    const memo = (ctx as { [CONSENT_MEMO]?: ConsentMemo })[CONSENT_MEMO];
    // everything the decision depends on: subject, purpose, sensitivity, age, the schema's minors policy (not the
    // schema itself: the body's and the record's schemas of one request share a check), laws
    const check = memo && {
      subject: r.subjectId,
      purpose: r.purpose,
      sensitive: showsSensitive,
      age: ctx.subjectAge,
      minors: schema.subject?.minors ?? 'never',
      jurisdictions: r.jurisdictions,
    };
    if (check && memoHas(memo, check)) return;
    const pending = checkConsent(consent, schema, purpose, r.jurisdictions, r.subjectId, ctx.subjectAge, showsSensitive);
    if (!check) return pending;
    if (pending === undefined) {
      memo.push(check);
      return;
    }
    return pending.then(() => {
      memo.push(check);
    });
  };
  const requireConsent = heedObjections(consentStep);

  const needVault = (what: string): Vault => {
    if (!vault) throw new PurposefulError('PF_KEY_NOT_FOUND', `${what} needs a keyring: createPurposeful({ keys })`);
    return vault;
  };

  const checkSchema = (schema: PurposefulSchema): void => {
    if (!isPurposefulSchema(schema) || schemas.get(schema.id) !== schema) {
      throw new PurposefulError(
        'PF_SCHEMA_UNKNOWN',
        isPurposefulSchema(schema)
          ? `schema "${schema.id}" is not registered with this engine: add it to createPurposeful({ schemas: [...] })`
          : 'the value given as a schema is not one: pass a schema from defineSchema() and add it to createPurposeful({ schemas: [...] })',
        { schema: isPurposefulSchema(schema) ? schema.id : undefined },
      );
    }
  };

  /** Context checks every method runs first: purpose, actor, roles, minors, jurisdictions. */
  const resolve = (schema: PurposefulSchema, ctx: PurposeContext, record: unknown): Resolved => {
    assertCleanPrototype();
    checkSchema(schema);
    if (typeof ctx !== 'object' || ctx === null) fail('the request context must be an object { purpose, actor }');
    assertPurpose(schema, ctx.purpose);
    const actor = ctx.actor;
    if (typeof actor !== 'object' || actor === null || typeof actor.id !== 'string' || actor.id.length === 0) {
      fail(
        'the request context needs an actor with an id: every access must be attributable (LGPD Art. 6 X, 46; GDPR Art. 5(2), 32)',
      );
    }
    const roles = actor.roles ?? NO_ROLES;
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) fail('actor.roles must be a list of strings');
    const purpose = schema.purposes.get(ctx.purpose);
    const allowed = purpose?.declaration.roles;
    if (allowed && !roles.some((r) => allowed.includes(r))) {
      throw new PurposefulError('PF_ROLE_NOT_ALLOWED', `the actor has none of the roles purpose "${ctx.purpose}" allows`, {
        purpose: ctx.purpose,
        schema: schema.id,
        article: 'LGPD Art. 46; GDPR Art. 32',
      });
    }
    if (purpose?.declaration.mfa === 'always' && actor.mfa !== true) {
      throw new PurposefulError('PF_MFA_REQUIRED', `purpose "${ctx.purpose}" requires a second factor`, {
        purpose: ctx.purpose,
        schema: schema.id,
      });
    }
    let jurisdictionsNow = inForce;
    if (ctx.jurisdictions !== undefined) {
      if (
        !Array.isArray(ctx.jurisdictions) ||
        ctx.jurisdictions.length === 0 ||
        !ctx.jurisdictions.every((j) => inForce.includes(j))
      ) {
        fail(`ctx.jurisdictions must be a non-empty subset of ${inForce.join(', ')}`);
      }
      jurisdictionsNow = ctx.jurisdictions;
    }
    if (ctx.subjectAge !== undefined) {
      if (typeof ctx.subjectAge !== 'number' || !Number.isFinite(ctx.subjectAge) || ctx.subjectAge < 0) {
        fail('ctx.subjectAge must be a non-negative number');
      }
      if (ctx.subjectAge < 18 && (schema.subject?.minors ?? 'never') === 'never') {
        throw new PurposefulError(
          'PF_MINOR_NOT_DECLARED',
          `the subject is a minor and schema "${schema.id}" declares subject.minors: 'never'`,
          { schema: schema.id, purpose: ctx.purpose, article: 'LGPD Art. 14; GDPR Art. 8' },
        );
      }
    }
    if (ctx.subjectId !== undefined && typeof ctx.subjectId !== 'string') fail('ctx.subjectId must be a string');
    const fromRecord = subjectOf(schema, record);
    if (fromRecord !== undefined && ctx.subjectId !== undefined && fromRecord !== ctx.subjectId) {
      throw new PurposefulError(
        'PF_SUBJECT_MISMATCH',
        `the record's subject (${schema.subject?.id}) differs from the request's subject`,
        {
          schema: schema.id,
          purpose: ctx.purpose,
          paths: schema.subject?.id ? [schema.subject.id] : [],
        },
      );
    }
    return { purpose: ctx.purpose, roles, subjectId: fromRecord ?? ctx.subjectId, jurisdictions: jurisdictionsNow };
  };

  const requireMfaForSensitive = (schema: PurposefulSchema, r: Resolved, ctx: PurposeContext): void => {
    if (schema.purposes.get(r.purpose)?.declaration.mfa !== 'sensitive' || ctx.actor.mfa === true) return;
    const clear = planFor(schema, r.purpose, 'outbound', r.roles, um(schema)).clearSensitive;
    if (clear.length) {
      throw new PurposefulError(
        'PF_MFA_REQUIRED',
        `purpose "${r.purpose}" shows sensitive fields in clear only after a second factor`,
        {
          purpose: r.purpose,
          schema: schema.id,
          paths: clear,
        },
      );
    }
  };

  /**
   * Outbound projection for a resolved request: second factor for clear sensitive fields, then the plan, which
   * refuses a sealed value in a visible encrypted field (`PF_SEALED_VALUE`: stored rows go out through `open`).
   */
  const project = (schema: PurposefulSchema, record: unknown, r: Resolved, ctx: PurposeContext): unknown => {
    requireMfaForSensitive(schema, r, ctx);
    return runMinimize(schema, r.purpose, record, 'outbound', r.roles, false, limits, pseudonymKey, true, um(schema));
  };

  /** Opens the encrypted fields the purpose may see; without a keyring, a row that has any is refused. */
  const decryptVisible = async (schema: PurposefulSchema, row: unknown, r: Resolved): Promise<unknown> => {
    const visible = planFor(schema, r.purpose, 'outbound', r.roles, um(schema)).visibleEncrypted;
    if (visible.size === 0) return row;
    if (!vault) {
      const paths = [...visible].map((f) => f.path);
      throw new PurposefulError(
        'PF_KEY_NOT_FOUND',
        `no keyring is configured, so the encrypted fields purpose "${r.purpose}" may see cannot be opened: ${paths.join(', ')}`,
        { schema: schema.id, purpose: r.purpose, paths },
      );
    }
    return vault.open(schema, row, r.subjectId, visible, r.purpose);
  };

  // free-text fields: where they are, and how each is redacted (token keys derived once per field)
  const freeTextOf = new Map<PurposefulSchema, ReadonlyArray<{ field: FieldInfo; steps: PathStep[]; options: RedactOptions }>>();
  for (const schema of schemas.values()) {
    const list = schema.fields
      .filter((f) => f.redaction !== undefined)
      .map((field) => {
        const r = field.redaction as FreeTextRedaction;
        if (r.style === 'token' && pseudonymKey === undefined) {
          throw new PurposefulError(
            'PF_OPTIONS_INVALID',
            `${schema.id}.${field.path} redacts free text with tokens: createPurposeful({ pseudonymKey }) is needed`,
          );
        }
        const key =
          r.style === 'token' ? derivePseudonymKey(pseudonymKey as Uint8Array, schema.id, field.id, 'freeText') : undefined;
        return { field, steps: parsePath(field.path), options: { ...r, key } };
      });
    if (list.length) freeTextOf.set(schema, list);
  }
  const onRedaction = options.onRedaction;
  /** Redacts, in place in zod's fresh output, the free-text fields of a validated input. */
  const redactFreeText = (schema: PurposefulSchema, purpose: string, data: unknown): void => {
    const list = freeTextOf.get(schema);
    if (!list) return;
    for (const { field, steps, options: redaction } of list) {
      const counts: Partial<Record<PiiType, number>> = {};
      mapAt(data, steps, (v) => {
        if (typeof v !== 'string') return v;
        const r = redactWithCounts(v, redaction);
        for (const [t, n] of Object.entries(r.counts)) counts[t as PiiType] = (counts[t as PiiType] ?? 0) + (n as number);
        return r.text;
      });
      if (onRedaction && Object.keys(counts).length > 0) {
        onRedaction(Object.freeze({ schema: schema.id, purpose, field: field.path, counts: Object.freeze(counts) }));
      }
    }
  };

  /** The end of `inbound` once zod has answered: issues refused, then consent. */
  const validated = (
    schema: PurposefulSchema,
    r: Resolved,
    ctx: PurposeContext,
    result: core.util.SafeParseResult<unknown>,
  ): Now<unknown> => {
    if (!result.success) {
      const seen = new Set<string>();
      const issues: ValidationIssue[] = [];
      for (const issue of result.error.issues) {
        const path = displayPath(schema.shape, issue.path);
        issues.push({ path, code: issue.code });
        seen.add(path || '(root)');
      }
      throw new PurposefulError(
        'PF_VALIDATION_FAILED',
        `input for purpose "${r.purpose}" is invalid at: ${[...seen].join(', ')}`,
        {
          schema: schema.id,
          purpose: r.purpose,
          paths: [...seen],
          issues,
        },
      );
    }
    redactFreeText(schema, r.purpose, result.data);
    // consent last: no ledger round trip for input that is refused anyway
    const checking = requireConsent(schema, r, ctx, 'inbound');
    return checking ? checking.then(() => result.data) : result.data;
  };

  const tooDeep = (err: unknown): never => {
    if (err instanceof RangeError) throw new PurposefulError('PF_LIMIT_EXCEEDED', 'the input is nested too deeply to validate');
    throw err;
  };

  /** What `open` does once the request is resolved and consent allows: decrypt what the purpose may see, then project. */
  const openResolved = (schema: PurposefulSchema, row: unknown, r: Resolved, held?: readonly RowBlock[]): Now<unknown> => {
    const plan = planFor(schema, r.purpose, 'outbound', r.roles, um(schema));
    const visible = plan.visibleEncrypted;
    const minimize = (opened: unknown) => {
      // a row an erasure or a blocking restricted opens only what the law still allows (LGPD Art. 16, 18 IV; GDPR
      // Art. 17(3), 18); after the keys spoke, so that what is erased says so first
      assertOpens(schema, row, r.purpose, plan.levels, r.jurisdictions, undefined, held);
      return runMinimize(schema, r.purpose, opened, 'outbound', r.roles, false, limits, pseudonymKey, false, um(schema));
    };
    return visible.size === 0 ? minimize(row) : decryptVisible(schema, row, r).then(minimize);
  };
  /** `openResolved` once the blocking store has answered for the subject. */
  const openHeld = (schema: PurposefulSchema, row: unknown, r: Resolved): Now<unknown> => {
    const held = heldFor(schema, r.subjectId);
    return held instanceof Promise ? held.then((h) => openResolved(schema, row, r, h)) : openResolved(schema, row, r, held);
  };

  /**
   * `authorize` with a subject: refuses the purpose when the blocking store holds a blocking of a field it would
   * see. Nothing is allocated for a subject without one, when the store answers synchronously.
   */
  const refuseBlocked = (schema: PurposefulSchema, r: Resolved): void | Promise<void> => {
    const held = heldFor(schema, r.subjectId);
    if (held === undefined) return;
    const refuse = (h: readonly RowBlock[] | undefined) => {
      if (h)
        assertNotBlocked(
          schema,
          r.purpose,
          planFor(schema, r.purpose, 'outbound', r.roles, um(schema)).levels,
          r.jurisdictions,
          h,
        );
    };
    return held instanceof Promise ? held.then(refuse) : refuse(held);
  };

  const bare: EngineNow = {
    inbound(schema, data, ctx) {
      const r = resolve(schema, ctx, data);
      const minimized = runMinimize(schema, r.purpose, data, 'inbound', r.roles, strip, limits, undefined, false, um(schema));
      const zod = inboundZodFor(schema, r.purpose, r.roles, um(schema));
      const parseAsync = () => core.safeParseAsync(zod, minimized).then((result) => validated(schema, r, ctx, result), tooDeep);
      if (NEEDS_ASYNC.has(zod)) return parseAsync();
      let result: core.util.SafeParseResult<unknown>;
      try {
        result = core.safeParse(zod, minimized); // half the cost of the async parse
      } catch (err) {
        if (!(err instanceof core.$ZodAsyncError)) return tooDeep(err);
        NEEDS_ASYNC.add(zod); // async refinements: from now on straight to the async parse
        return parseAsync();
      }
      return validated(schema, r, ctx, result);
    },

    open(schema, row, ctx) {
      const r = resolve(schema, ctx, row);
      requireMfaForSensitive(schema, r, ctx); // before anything is decrypted
      const checking = requireConsent(schema, r, ctx, 'outbound');
      return checking ? checking.then(() => openHeld(schema, row, r)) : openHeld(schema, row, r);
    },

    authorize(schema, ctx) {
      const r = resolve(schema, ctx, undefined);
      requireMfaForSensitive(schema, r, ctx);
      if (r.subjectId !== undefined) {
        // a blocked subject's purpose is refused here too, as `open` would (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18)
        const checking = requireConsent(schema, r, ctx, 'outbound');
        return checking ? checking.then(() => refuseBlocked(schema, r)) : refuseBlocked(schema, r);
      }
      // without a subject, consent and objections are checked on each record as it goes out; records that can never
      // name one are refused now while an objection to the purpose is in force (LGPD Art. 18 §2; GDPR Art. 21)
      if (schema.subject === undefined) return objected?.(schema.id, r.purpose, undefined);
    },
  };

  const outboundBare = async (schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<unknown> => {
    const r = resolve(schema, ctx, record);
    const checking = requireConsent(schema, r, ctx, 'outbound');
    if (checking) await checking;
    const holding = heldFor(schema, r.subjectId);
    const held = holding instanceof Promise ? await holding : holding;
    if (held || carriesRestriction(record)) {
      const levels = planFor(schema, r.purpose, 'outbound', r.roles, um(schema)).levels;
      assertOpens(schema, record, r.purpose, levels, r.jurisdictions, undefined, held);
    }
    return project(schema, record, r, ctx);
  };

  const sealBare = async (schema: PurposefulSchema, record: unknown, ctx: PurposeContext): Promise<Record<string, unknown>> => {
    const r = resolve(schema, ctx, record);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new PurposefulError('PF_INPUT_INVALID', `a "${schema.id}" record must be an object`, { schema: schema.id });
    }
    // an objection in force stops storing data for the purpose too (LGPD Art. 18 §2; GDPR Art. 21)
    await objected?.(schema.id, r.purpose, r.subjectId);
    const holding = heldFor(schema, r.subjectId);
    const held = holding instanceof Promise ? await holding : holding;
    restrictionOf(record, schema.id); // a restriction column given that cannot be read fails closed
    // an erased subject: only what r.purpose keeps by law
    const sealed = await needVault('seal()').seal(schema, record, r.subjectId, r.purpose);
    // a blocked subject: the row is stored (storage is what a blocking keeps), carrying the blocking (LGPD Art. 5 XIII)
    if (held) {
      const current = restrictionOf(sealed, schema.id);
      setRestriction(sealed, { ...current, blocked: mergeBlocks(current?.blocked, held) });
    }
    return sealed;
  };

  // with an access log, every call records its decision (authorize only its refusals: open records the read)
  const audited = <T>(
    action: 'inbound' | 'open' | 'outbound' | 'seal',
    direction: 'inbound' | 'outbound',
    run: (schema: PurposefulSchema, value: unknown, ctx: PurposeContext) => Now<T>,
  ): ((schema: PurposefulSchema, value: unknown, ctx: PurposeContext) => Now<T>) =>
    aud
      ? (schema, value, ctx) =>
          aud.around(
            action,
            direction,
            schema,
            ctx,
            () => subjectOf(schema, value),
            () => run(schema, value, ctx),
          )
      : run;
  const now: EngineNow = {
    inbound: audited('inbound', 'inbound', bare.inbound),
    open: audited('open', 'outbound', bare.open),
    authorize: aud
      ? (schema, ctx) =>
          aud.around(
            'authorize',
            'outbound',
            schema,
            ctx,
            () => undefined,
            () => bare.authorize(schema, ctx),
            false,
          )
      : bare.authorize,
  };
  const outbound = audited('outbound', 'outbound', outboundBare);
  const seal = audited('seal', 'inbound', sealBare) as (
    schema: PurposefulSchema,
    record: unknown,
    ctx: PurposeContext,
  ) => Promise<Record<string, unknown>>;

  // Every call runs the same steps in this order; the later parts of the
  // library add theirs at the marked places, so each stays in one spot:
  //   resolve (purpose, actor, roles, second factor, minors, subject)
  //   → [consent: the ledger check for consent-based purposes]
  //   → inbound: minimize, validate, [redact free text]
  //   → open: decrypt what the purpose may see → outbound: project, mask, pseudonymize
  //   → [access log: record who saw whose data, for which purpose]
  /** Opens encrypted fields of a stored row for the rights desk and the sweeps (they log what they do). */
  const openStored: OpenFields = async (schema, row, subjectId, fields) => {
    if (fields.size === 0) return row as Record<string, unknown>;
    return (await needVault('a data-subject request or a sweep').open(schema, row, subjectId, fields)) as Record<string, unknown>;
  };

  const engine: Purposeful<P> = {
    purposes,
    jurisdictions: inForce,
    schema: (id) => schemas.get(id),

    inbound: async (schema, data, ctx) => now.inbound(schema, data, ctx) as never,

    outbound: async (schema, record, ctx) => (await outbound(schema, record, ctx)) as never,

    open: async (schema, row, ctx) => now.open(schema, row, ctx) as never,

    authorize: async (schema, ctx) => now.authorize(schema, ctx),

    async openMany(schema, rows, ctx) {
      if (!Array.isArray(rows)) throw new PurposefulError('PF_INPUT_INVALID', 'openMany() takes an array of rows');
      const out = [];
      for (const row of rows) out.push(await engine.open(schema, row, ctx));
      return out as never;
    },

    seal: async (schema, record, ctx) => seal(schema, record, ctx),

    async sealMany(schema, records, ctx) {
      if (!Array.isArray(records)) throw new PurposefulError('PF_INPUT_INVALID', 'sealMany() takes an array of records');
      const out = [];
      for (const record of records) out.push(await engine.seal(schema, record, ctx));
      return out;
    },

    indexFor(schema, index, value) {
      assertCleanPrototype();
      checkSchema(schema);
      return needVault('indexFor()').indexFor(schema, index, value);
    },

    async shred(subjectId, shredOptions = {}) {
      assertCleanPrototype();
      for (const group of shredOptions.rows ?? []) checkSchema(group.schema);
      const shredding = () => needVault('shred()').shred(subjectId, shredOptions);
      if (!aud) return shredding();
      const actor = shredOptions.actor ?? { id: 'system' };
      const logged = (decision: 'allow' | 'deny', reason?: string) =>
        aud.record({
          time: new Date().toISOString(),
          action: 'shred',
          decision,
          ...(reason !== undefined ? { reason } : {}),
          actor: { id: actor.id, roles: actor.roles ?? NO_ROLES, mfa: actor.mfa === true },
          ...(typeof subjectId === 'string' ? { subjectId } : {}),
          fields: [],
          categories: [],
          sensitive: false,
        });
      let result: ShredResult;
      try {
        // an erasure cannot be undone: a blocked actor or a log that cannot record refuses it before anything happens
        if (options.audit?.watch?.isBlocked(actor.id)) {
          throw new PurposefulError(
            'PF_ACTOR_BLOCKED',
            'this actor is blocked by the anomaly watch until someone reviews and clears it',
          );
        }
        options.audit?.assertWritable();
        result = await shredding();
      } catch (err) {
        try {
          logged('deny', isPurposefulError(err) ? err.code : 'error');
        } catch {
          // the failure stands whether or not it could be logged
        }
        throw err;
      }
      try {
        logged('allow');
      } catch {
        // the erasure is done and cannot be taken back: its receipt goes out; the log's failure shows at the next call
      }
      return result;
    },

    async rotate(schema, rows, rotateOptions = {}) {
      assertCleanPrototype();
      checkSchema(schema);
      return needVault('rotate()').rotate(schema, rows, (row) => subjectOf(schema, row), rotateOptions);
    },

    async rewrapDataKeys(onProgress) {
      return needVault('rewrapDataKeys()').rewrapDataKeys(onProgress);
    },

    async purgeRetained(now = new Date()) {
      return needVault('purgeRetained()').purgeRetained(now);
    },

    async replayErasures(entries) {
      return needVault('replayErasures()').replayErasures(entries);
    },

    rights: buildRights
      ? buildRights({
          purposes,
          schemas,
          jurisdictions: inForce,
          openAll: (schema, row, subjectId, fields) =>
            openStored(schema, row, subjectId, fields ?? new Set(schema.fields.filter((f) => f.encrypt))),
          shred: async (subjectId, rows, now) => {
            const result = await engine.shred(subjectId, { rows, actor: { id: 'subject:erasure' }, ...(now ? { now } : {}) });
            return { receipt: result.receipt, retained: result.retained, backupsClearBy: result.backupsClearBy };
          },
          // with a vault, a correction of a schema in clear is checked too: an erased subject takes only what the law keeps
          seal: async (schema, record, subjectId) =>
            schema.fields.some((f) => f.encrypt) || vault ? needVault('a correction').seal(schema, record, subjectId) : record,
          ...(options.consent ? { consent: options.consent } : {}),
          ...(options.audit ? { audit: options.audit } : {}),
          ...(objections ? { objections } : {}),
          ...(blockings ? { blockings } : {}),
          unannotated: um,
        })
      : rightsOff(),

    retention: createRetention({
      purposes,
      schemas,
      open: openStored,
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.consent ? { consent: options.consent } : {}),
    }),
  };
  ENGINE_NOW.set(engine, now);
  return Object.freeze(engine);
}
