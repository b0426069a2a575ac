/**
 * The engine's options, read and checked once into a frozen configuration.
 * Every option error is found here, in a fixed order (the shape of the
 * options, the registry and its schemas, the laws in force, each value, then
 * what the declarations need and the options do not give); the parts of the
 * engine read the configuration and check nothing of it again.
 *
 * @module
 * @internal
 */
import { type AccessLog, isAccessLog } from '../audit/log.js';
import type { ConsentOptions } from '../consent/check.js';
import type { ConsentLedger } from '../consent/ledger.js';
import { isKeyring } from '../crypto/keyring.js';
import type { Vault } from '../crypto/vault.js';
import { PurposefulError } from '../errors.js';
import { assertPseudonymKey } from '../minimize/pseudonymize.js';
import { checkLimits } from '../minimize/run.js';
import { type BlockingStore, blockingStoreFor } from '../rights/blocking.js';
import { deskBuilder } from '../rights/desk.js';
import { type ObjectionStore, objectionStoreFor } from '../rights/opposition.js';
import type { Rights } from '../rights/rights.js';
import type { RightsInternals } from '../rights/types.js';
import { isPurposefulSchema, type PurposefulSchema, type Unannotated } from '../schema/define.js';
import { declarationErrorMessage } from '../schema/first-problem.js';
import { isPurposes, type Purposes } from '../schema/purposes.js';
import { problem } from '../schema/rules.js';
import { JURISDICTIONS, type Jurisdiction } from '../taxonomy/bases.js';
import { refuseUnknownOptions } from '../util/closest.js';
import type { PurposefulOptions, RedactionReport } from './options.js';
import { compileFreeText, type FreeTextFields } from './redaction.js';

/** The engine's options, checked and resolved: what every part of the engine reads. */
export interface EngineConfig<P extends string = string> {
  readonly purposes: Purposes<P>;
  /** The registered schemas by id. */
  readonly schemas: ReadonlyMap<string, PurposefulSchema>;
  /** The laws in force (frozen). */
  readonly inForce: readonly Jurisdiction[];
  readonly limits: { readonly maxDepth: number; readonly maxNodes: number };
  /** Inbound: strip undeclared fields instead of refusing them. */
  readonly strip: boolean;
  readonly pseudonymKey: Uint8Array | undefined;
  /** The engine's default for schemas that do not say what their unannotated fields do. */
  readonly unannotated: Unannotated;
  /** The vault, with a keyring. */
  readonly vault: Vault | undefined;
  /** What a consent check needs: the ledger, its timeout, the notice hook, the GDPR age. */
  readonly consent: ConsentOptions;
  readonly audit: AccessLog | undefined;
  /** How `pf.rights` is built, with a rights desk. */
  readonly buildRights: ((internals: RightsInternals) => Rights) | undefined;
  /** The stores of objections and blockings, with a rights desk. */
  readonly objections: ObjectionStore | undefined;
  readonly blockings: BlockingStore | undefined;
  /** The free-text fields of each schema and how each is redacted. */
  readonly freeText: FreeTextFields;
  readonly onRedaction: ((report: RedactionReport) => void) | undefined;
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

/**
 * Reads and checks the options of `createPurposeful()`: the first problem
 * throws (`PF_OPTIONS_INVALID`, `PF_DECLARATION_INVALID`, `PF_KEYRING_MISSING`,
 * `PF_CONSENT_LEDGER_MISSING`, or the vault's and the rights desk's own).
 */
export function engineConfig<P extends string>(options: PurposefulOptions<P>): EngineConfig<P> {
  if (typeof options !== 'object' || options === null) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createPurposeful() expects an options object');
  }
  refuseUnknownEngineOptions(options, ENGINE_OPTIONS, 'createPurposeful()');
  if (options.encryption !== undefined) refuseUnknownEngineOptions(options.encryption, ENCRYPTION_OPTIONS, 'encryption');
  const { purposes } = options;
  const schemas = registeredSchemas(purposes, options.schemas);
  const inForce = lawsInForce(purposes, schemas, options.jurisdictions ?? purposes.jurisdictions);
  checkValues(options);
  const limits = checkLimits(options.limits);
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
  const consent = consentOptions(options);
  if (options.audit !== undefined) checkAccessLog(options.audit, purposes);
  // what the declarations need and the options do not give: after every option is checked, before any request
  if (options.keys === undefined) refuseEncryptedWithoutKeyring(schemas);
  if (options.consent === undefined) refuseConsentWithoutLedger(purposes, schemas, inForce);
  const buildRights = deskBuilder(options.rights);
  // an objection in force stops its purpose for its subject before consent is asked (LGPD Art. 18 §2; GDPR Art. 21);
  // a blocking is a record per subject, consulted wherever a value goes in or out (LGPD Art. 5 XIII, 18 IV; GDPR
  // Art. 18): a write that drops the row's column, or a row made after the blocking, never lifts it
  const objections = objectionStoreFor(options.rights?.options);
  const blockings = blockingStoreFor(options.rights?.options);
  return Object.freeze({
    purposes,
    schemas,
    inForce,
    limits,
    strip: options.undeclared === 'strip',
    pseudonymKey: options.pseudonymKey,
    unannotated: options.unannotated ?? 'deny',
    vault,
    consent,
    audit: options.audit,
    buildRights,
    objections,
    blockings,
    freeText: compileFreeText(schemas.values(), options.pseudonymKey),
    onRedaction: options.onRedaction,
  });
}

/** What a schema's unannotated fields do: its own option, else the engine's. */
export function unannotatedOf(config: EngineConfig, schema: PurposefulSchema): Unannotated {
  return schema.unannotated ?? config.unannotated;
}

/** `PF_OPTIONS_INVALID` for an options value that is not an object, or naming its first unknown key. */
function refuseUnknownEngineOptions(value: unknown, known: object, where: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `${where} options must be an object`);
  }
  refuseUnknownOptions(value, known, where, (key) =>
    Object.hasOwn(ENCRYPTION_OPTIONS, key) && where !== 'encryption' ? ` (did you mean encryption.${key}?)` : undefined,
  );
}

/** The schemas by id: each from `defineSchema()`, on this registry, with an id of its own. */
function registeredSchemas(purposes: unknown, list: unknown): Map<string, PurposefulSchema> {
  if (!isPurposes(purposes)) throw new PurposefulError('PF_OPTIONS_INVALID', 'options.purposes must come from definePurposes()');
  if (!Array.isArray(list)) throw new PurposefulError('PF_OPTIONS_INVALID', 'options.schemas must be a list of schemas');
  const schemas = new Map<string, PurposefulSchema>();
  for (const s of list) {
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
  return schemas;
}

/** The laws in force (frozen): known ones, under each of which every purpose, and every use of a sensitive field, has a basis. */
function lawsInForce(
  purposes: Purposes<string>,
  schemas: ReadonlyMap<string, PurposefulSchema>,
  jurisdictions: unknown,
): readonly Jurisdiction[] {
  if (
    !Array.isArray(jurisdictions) ||
    jurisdictions.length === 0 ||
    !jurisdictions.every((j) => (JURISDICTIONS as readonly string[]).includes(j))
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `jurisdictions must be a non-empty list of ${JURISDICTIONS.join(', ')}`);
  }
  const inForce = jurisdictions as readonly Jurisdiction[];
  const problems = [];
  for (const id of purposes.ids) {
    const p = purposes.get(id);
    for (const j of inForce) {
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
        for (const j of inForce) {
          if (p && p.declaration.sensitiveBasis?.[j] === undefined) {
            problems.push(
              problem(
                'PF_DECL_SENSITIVE_BASIS_MISSING',
                `purpose "${pid}" uses sensitive field ${f.path} and has no ${j.toUpperCase()} sensitive-data basis`,
                { schema: s.id, path: f.path, purpose: pid },
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
  return Object.freeze([...inForce]);
}

/** The values checked before the keyring: pseudonym key, `undeclared`, `unannotated`. */
function checkValues(options: PurposefulOptions<string>): void {
  if (options.pseudonymKey !== undefined) assertPseudonymKey(options.pseudonymKey);
  if (options.undeclared !== undefined && options.undeclared !== 'reject' && options.undeclared !== 'strip') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "undeclared must be 'reject' or 'strip'");
  }
  if (options.unannotated !== undefined && options.unannotated !== 'deny' && options.unannotated !== 'allow') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "unannotated must be 'deny' (the default) or 'allow'");
  }
}

/** The consent settings: timeout, ledger, GDPR age of digital consent. */
function consentOptions(options: PurposefulOptions<string>): ConsentOptions {
  const consentTimeoutMs = options.consentTimeoutMs ?? 2000;
  if (!Number.isInteger(consentTimeoutMs) || consentTimeoutMs < 1) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'consentTimeoutMs must be a positive integer');
  }
  const ledger: ConsentLedger | undefined = options.consent;
  if (ledger !== undefined && (typeof ledger !== 'object' || typeof ledger?.status !== 'function')) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'consent must be a consent ledger (memoryConsentLedger(purposes) or the PostgreSQL one)',
    );
  }
  const age = options.gdprDigitalConsentAge;
  if (age !== undefined && (!Number.isInteger(age) || age < 13 || age > 16)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'gdprDigitalConsentAge must be an integer from 13 to 16 (GDPR Art. 8(1))');
  }
  return { ledger, timeoutMs: consentTimeoutMs, onNoticeChange: options.onNoticeChange, gdprDigitalConsentAge: age };
}

/** The access log: one from `createAccessLog()`, kept for a purpose the registry declares. */
function checkAccessLog(audit: unknown, purposes: Purposes<string>): void {
  if (!isAccessLog(audit)) throw new PurposefulError('PF_OPTIONS_INVALID', 'audit must be an access log (createAccessLog())');
  if (purposes.get(audit.purpose) === undefined) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `the access log is kept for purpose "${audit.purpose}", which the registry does not declare: declare it with its legal basis and retention (accessLogPurpose())`,
      { purpose: audit.purpose, article: 'LGPD Art. 37; GDPR Art. 30' },
    );
  }
}

/** Without a keyring, a schema with encrypted fields fails here, not at the first request that seals or opens a record. */
function refuseEncryptedWithoutKeyring(schemas: ReadonlyMap<string, PurposefulSchema>): void {
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

/**
 * Without a ledger, a purpose on consent that a schema of this engine declares fields for fails here, not with
 * `PF_CONSENT_UNAVAILABLE` at the first request (a request for it with no field of its own gets nothing, and is
 * still refused then).
 */
function refuseConsentWithoutLedger(
  purposes: Purposes<string>,
  schemas: ReadonlyMap<string, PurposefulSchema>,
  inForce: readonly Jurisdiction[],
): void {
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
