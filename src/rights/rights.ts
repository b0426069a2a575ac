/**
 * Data-subject requests (LGPD Art. 18–19; GDPR Art. 12, 15–21): every request
 * starts with an identity verification the application supplies; a request
 * that passes is tracked with its deadline under each law in force; answers
 * are produced from the application's own stores (the sources it registers)
 * and are themselves logged.
 *
 * @module
 */
import * as core from 'zod/v4/core';
import type { AccessLog } from '../audit/log.js';
import type { ConsentEvent } from '../consent/events.js';
import type { ConsentLedger } from '../consent/ledger.js';
import { INDEX_COLUMN_PREFIX } from '../crypto/records.js';
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Purposes } from '../schema/purposes.js';
import { displayPath, type FieldInfo } from '../schema/walk.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { byKey, csvCell } from '../util/text.js';
import { type AnonymousRecord, anonymizedReason, copyOfDeparting } from './anonymize.js';
import { type LgpdDays, RIGHTS_KINDS, type RightsKind, rightsDeadline } from './deadlines.js';
import { nullIndexes, removeAt, valuesAt } from './paths.js';

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
 *   recipients: { 'NF-e issuing service': async (notice) => nfe.correct(notice) },
 * };
 * ```
 */
export interface RightsOptions {
  readonly verify: (request: VerificationRequest) => boolean | Promise<boolean>;
  /** Per schema id: how to find and change a subject's records. */
  readonly sources: Readonly<Record<string, RightsSource>>;
  /** Days for the LGPD rights the law leaves to regulation (default 15). */
  readonly lgpdDays?: LgpdDays;
  /** Per recipient named on a purpose: told of a correction (LGPD Art. 18 §6; GDPR Art. 19). */
  readonly recipients?: Readonly<Record<string, (notice: CorrectionNotice) => void | Promise<void>>>;
  /** Where requests are kept (default: in memory). */
  readonly store?: RightsRequestStore;
}

/**
 * A tracked request.
 *
 * @example
 * ```ts
 * const r: RightsRequest = await pf.rights.request({ subjectId, kind: 'access', verification: { code } });
 * r.due; // the earlier of LGPD's 15 days and GDPR's month
 * ```
 */
export interface RightsRequest {
  readonly id: string;
  readonly kind: RightsKind;
  readonly subjectId: string;
  readonly status: 'open' | 'completed';
  readonly receivedAt: string;
  readonly due: string;
  readonly lgpdDue?: string;
  readonly gdprDue?: string;
  /** GDPR Art. 12(3): the extension and its reason, told to the subject. */
  readonly extension?: { readonly reason: string; readonly at: string };
  readonly completedAt?: string;
}

/**
 * Where requests are kept.
 *
 * @example
 * ```ts
 * const store: RightsRequestStore = memoryRightsStore();
 * ```
 */
export interface RightsRequestStore {
  put(request: RightsRequest): Promise<void>;
  get(id: string): Promise<RightsRequest | undefined>;
  list(): Promise<RightsRequest[]>;
}

/**
 * A request store in memory.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, rights: { verify, sources, store: memoryRightsStore() } });
 * ```
 */
export function memoryRightsStore(): RightsRequestStore {
  const m = new Map<string, RightsRequest>();
  return {
    put: async (r) => {
      m.set(r.id, Object.freeze({ ...r }));
    },
    get: async (id) => m.get(id),
    list: async () => [...m.values()].sort((a, b) => byKey(a.receivedAt, b.receivedAt)),
  };
}

/**
 * One item of the subject's data in an access or portability answer.
 *
 * @example
 * ```ts
 * const item: ExportItem = {
 *   schema: 'customer', field: 'email', value: 'ana@example.com', origin: 'given by you',
 *   purposes: [{ purpose: 'support.ticket', description: 'Answer…', legalBasis: { lgpd: 'contract' }, retention: 'P2Y', recipients: [] }],
 * };
 * ```
 */
export interface ExportItem {
  readonly schema: string;
  readonly record?: string;
  readonly field: string;
  readonly value: unknown;
  readonly origin: string;
  readonly purposes: readonly {
    readonly purpose: string;
    readonly description: string;
    readonly legalBasis: Readonly<Record<string, string>>;
    readonly retention: string;
    readonly recipients: readonly string[];
  }[];
}

/**
 * The answer to an access or portability request (LGPD Art. 18 II, V, 19;
 * GDPR Art. 15, 20): the subject's data grouped by category, the consent
 * history, and the dates and purposes of consultations (without staff).
 *
 * @example
 * ```ts
 * const doc: SubjectExport = await pf.rights.access(request.id);
 * Object.keys(doc.data); // ['user.contact.email', 'user.name', …]
 * ```
 */
export interface SubjectExport {
  readonly format: 'purposeful.subject-export/1';
  readonly subjectId: string;
  readonly generatedAt: string;
  readonly request: { readonly id: string; readonly kind: RightsKind };
  readonly controller?: { readonly name: string; readonly contact: string; readonly dpo?: string };
  readonly data: Readonly<Record<string, readonly ExportItem[]>>;
  readonly consent: readonly ConsentEvent[];
  readonly consultations: readonly { readonly time: string; readonly purpose?: string; readonly recipients: readonly string[] }[];
}

/**
 * What a recipient is told of a correction: which fields of which record
 * changed, with their new values (the recipient holds the old ones).
 *
 * @example
 * ```ts
 * const notify = async (n: CorrectionNotice) => partner.post('/corrections', n);
 * ```
 */
export interface CorrectionNotice {
  readonly subjectId: string;
  readonly schema: string;
  readonly record?: string;
  readonly recipient: string;
  readonly changes: Readonly<Record<string, unknown>>;
}

/**
 * One purpose's sharing, for a `sharing-info` request.
 *
 * @example
 * ```ts
 * const entry: SharingEntry = { purpose: 'billing.invoice', recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }] };
 * ```
 */
export interface SharingEntry {
  readonly purpose: string;
  readonly recipients: readonly { readonly name: string; readonly role: string; readonly country?: string }[];
  readonly transfer?: { readonly countries: readonly string[]; readonly mechanism: string };
}

/**
 * One consent-based purpose, for a `consent-info` request.
 *
 * @example
 * ```ts
 * const entry: ConsentInfoEntry = { purpose: 'support.survey', description: 'Ask for satisfaction feedback…',
 *   status: 'granted', ifRefused: 'Only this purpose stops; …' };
 * ```
 */
export interface ConsentInfoEntry {
  readonly purpose: string;
  readonly description: string;
  readonly notice?: { readonly version: string; readonly url?: string };
  /** The subject's current state: granted, withdrawn, expired, or none. */
  readonly status: string;
  readonly ifRefused: string;
}

/**
 * What happened to one field of an erasure or a revocation.
 *
 * @example
 * ```ts
 * const f: ErasedField = { schema: 'invoice', record: 'NF-1', field: 'taxId', outcome: 'retained',
 *   reason: 'LGPD Art. 16 I: kept under a legal obligation (billing.invoice, P5Y)' };
 * ```
 */
export interface ErasedField {
  readonly schema: string;
  readonly record?: string;
  readonly field: string;
  /**
   * `deleted`; `anonymized`: deleted, and a generalized form kept in an
   * anonymous copy (the field's `anonymize`); `retained` under a legal
   * obligation, with the reason.
   */
  readonly outcome: 'deleted' | 'anonymized' | 'retained';
  readonly reason: string;
}

/**
 * The answer to an erasure request: per field what was done and why, and the
 * signed receipt of the crypto-shredding.
 *
 * @example
 * ```ts
 * const { fields, receipt } = await pf.rights.erase(request.id);
 * fields.filter((f) => f.outcome === 'retained'); // what the law makes us keep, with the reason
 * ```
 */
export interface ErasureAnswer {
  readonly fields: readonly ErasedField[];
  /** The signed erasure receipt (JWS), when encrypted data was shredded. */
  readonly receipt?: string;
  /** Keys kept for legal retention, and until when. */
  readonly retainedUntil: readonly { readonly purposes: readonly string[]; readonly until: string }[];
  /** When the erasure has reached every key-store backup. */
  readonly backupsClearBy?: string;
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
 */
export interface Rights {
  /** Verifies the identity, then opens a tracked request. Refused with `PF_IDENTITY_UNVERIFIED` (logged without values). */
  request(input: {
    readonly subjectId: string;
    readonly kind: RightsKind;
    readonly verification: unknown;
    readonly receivedAt?: Date;
  }): Promise<RightsRequest>;
  /** GDPR Art. 12(3): two more months, with the reason told to the subject, decided within the first month. */
  extend(id: string, reason: string, now?: Date): Promise<RightsRequest>;
  complete(id: string, now?: Date): Promise<RightsRequest>;
  get(id: string): Promise<RightsRequest | undefined>;
  list(): Promise<RightsRequest[]>;
  /** The simplified answer (LGPD Art. 19 I): whether data is processed, of which categories, for which purposes. */
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
   * follows from not consenting (only that purpose stops; the rest of the
   * service does not depend on it).
   */
  consentInfo(id: string): Promise<readonly ConsentInfoEntry[]>;
  /** The complete answer: the export document. */
  access(id: string): Promise<SubjectExport>;
  /** Portability: the export as JSON, or as CSV (one row per value). */
  portability(id: string, format: 'json' | 'csv'): Promise<string>;
  /**
   * Erases the subject (LGPD Art. 18 VI, 16; GDPR Art. 17): encrypted fields by
   * shredding the subject's erasable keys, fields in clear removed from the
   * rows, blind-index columns nulled; what a legal obligation keeps is
   * `retained` with its reason, and still opens until its retention ends.
   */
  erase(id: string): Promise<ErasureAnswer>;
  /**
   * Withdraws consent for a purpose (LGPD Art. 18 IX, 8 §5; GDPR Art. 7(3)):
   * processing for it stops at once (the ledger), and the values only consent
   * justified are removed from the rows.
   */
  revoke(id: string, purpose: string): Promise<ErasureAnswer>;
  /** Applies a JSON Merge Patch (RFC 7396) to one record, validates it, seals it again and tells the recipients. */
  correct(
    id: string,
    change: { readonly schema: string; readonly record?: string; readonly patch: Record<string, unknown> },
  ): Promise<{ readonly changed: readonly string[]; readonly notified: readonly string[] }>;
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
  /** Crypto-shreds the subject (the engine's `shred`, logged). */
  readonly shred: (
    subjectId: string,
    rows: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>,
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
}

/** What an erasure or a revocation does to one row. */
interface Departure {
  readonly schema: PurposefulSchema;
  readonly source: RightsSource;
  /** The row as stored, changed in place. */
  readonly row: Record<string, unknown>;
  /** The personal fields with a value that go. */
  readonly leaving: readonly FieldInfo[];
  readonly retained: readonly FieldInfo[];
  /** Nothing personal stays: the row may be removed. */
  readonly whole: boolean;
  copy?: AnonymousRecord | undefined;
  /** Something in the row as stored changed (a value in clear taken out, a blind index nulled). */
  changed?: boolean;
}

/** A plain object (what a JSON object parses to), not an array, a class instance or `null`. */
function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** RFC 7396: objects merge, `null` removes, anything else replaces. Keys are own data properties, never prototypes. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlain(patch)) return patch;
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (isPlain(target)) for (const k of Object.keys(target)) set(k, target[k]);
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete out[k];
    else set(k, mergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v));
  }
  return out;
}

/** Keys that name a prototype rather than data: refused in a patch at any depth. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a merge patch sets, replaces or removes the value at a dotted path (or an object on the way to it). */
function patchTouches(patch: Record<string, unknown>, path: string): boolean {
  let at: unknown = patch;
  for (const seg of path.split('.')) {
    if (!isPlain(at) || !Object.hasOwn(at, seg)) return false;
    at = at[seg];
    if (!isPlain(at)) return true; // set, removed (null), or the object holding it replaced
  }
  return true;
}

/**
 * The raw paths of the keys in a patch that the parsed record does not hold:
 * keys zod does not declare (and strips), and prototype keys, at any depth.
 */
function undeclaredIn(patch: unknown, parsed: unknown, at: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (Array.isArray(patch)) {
    patch.forEach((v, i) => {
      undeclaredIn(v, Array.isArray(parsed) ? parsed[i] : undefined, [...at, i], out);
    });
    return out;
  }
  if (!isPlain(patch)) return out;
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) continue; // a removal: the parsed record holds nothing there, by design
    // a prototype key is refused at any depth, even under a field declared z.any() or a record that would keep it
    if (PROTOTYPE_KEYS.has(k) || !isPlain(parsed) || !Object.hasOwn(parsed, k)) out.push([...at, k]);
    else undeclaredIn(v, parsed[k], [...at, k], out);
  }
  return out;
}

/** Builds the rights desk over the engine's internals. @internal */
export function createRights(internals: RightsInternals, options: RightsOptions | undefined): Rights {
  const off = (): never => {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'data-subject requests need createPurposeful({ rights: { verify, sources } })',
    );
  };
  if (options === undefined) {
    return {
      request: off,
      extend: off,
      complete: off,
      get: off,
      list: off,
      confirmation: off,
      access: off,
      portability: off,
      correct: off,
      sharingInfo: off,
      consentInfo: off,
      erase: off,
      revoke: off,
    };
  }
  if (typeof options.verify !== 'function') throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.verify must be a function');
  for (const [id, source] of Object.entries(options.sources ?? {})) {
    if (!internals.schemas.has(id))
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources names schema "${id}", which the engine does not handle`, {
        schema: id,
      });
    if (typeof source?.find !== 'function')
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${id} needs find(subjectId)`);
  }
  const store = options.store ?? memoryRightsStore();
  const { purposes, audit } = internals;
  const sources = Object.entries(options.sources ?? {});

  const log = (
    kind: RightsKind,
    subjectId: string,
    decision: 'allow' | 'deny',
    reason?: string,
    fields: readonly FieldInfo[] = [],
  ) => {
    audit?.record({
      time: new Date().toISOString(),
      action: 'rights',
      decision,
      ...(reason ? { reason } : {}),
      actor: { id: `subject:${kind}`, roles: [], mfa: false },
      subjectId,
      fields: [...new Set(fields.map((f) => f.path))],
      categories: [...new Set(fields.map((f) => f.category))].sort(),
      sensitive: fields.some((f) => f.sensitive),
    });
  };

  const open = async (id: string, kinds?: readonly RightsKind[]): Promise<RightsRequest> => {
    const r = await store.get(id);
    if (!r) throw new PurposefulError('PF_INPUT_INVALID', `no request ${id}`);
    if (kinds && !kinds.includes(r.kind)) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} is a ${r.kind} request`);
    return r;
  };

  /** Fails, before anything irreversible, when a row that must change cannot be changed by its store. */
  const assertWritable = (p: Departure, what: string) => {
    const id = p.schema.id;
    if (p.leaving.some((f) => f.anonymize !== undefined) && typeof p.source.anonymize !== 'function') {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `rights.sources.${id} needs anonymize(): fields of "${id}" declare anonymize and must be kept as an anonymous copy`,
        { schema: id },
      );
    }
    if (typeof p.source.update !== 'function' && !(p.whole && typeof p.source.remove === 'function')) {
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${id} needs update() for ${what}`, { schema: id });
    }
  };

  /** The row itself goes: nothing personal stays in it, and its store can remove it. */
  const goes = (p: Departure) => p.whole && typeof p.source.remove === 'function';

  /** Stores a row's departure: its anonymous copy with the change, or the change alone. */
  const depart = async (p: Departure, subjectId: string) => {
    const change = goes(p) ? 'remove' : 'update';
    if (p.copy) await (p.source.anonymize as NonNullable<RightsSource['anonymize']>)(subjectId, p.copy, p.row, change);
    else if (change === 'remove') await (p.source.remove as NonNullable<RightsSource['remove']>)(subjectId, p.row);
    else if (p.changed) await (p.source.update as NonNullable<RightsSource['update']>)(subjectId, p.row);
  };

  /** The subject's rows of every registered source, opened. */
  const gather = async (subjectId: string) => {
    const out: { schema: PurposefulSchema; origin: string; rows: Record<string, unknown>[] }[] = [];
    for (const [id, source] of sources) {
      const schema = internals.schemas.get(id) as PurposefulSchema;
      const rows: Record<string, unknown>[] = [];
      for (const row of await source.find(subjectId)) rows.push(await internals.openAll(schema, row, subjectId));
      out.push({ schema, origin: source.origin ?? 'collected from you', rows });
    }
    return out;
  };

  // what an export says of a field's purposes is fixed by the declarations: built once per field, not per value
  const infoByField = new WeakMap<FieldInfo, ExportItem['purposes']>();
  const purposeInfo = (f: FieldInfo): ExportItem['purposes'] => {
    let info = infoByField.get(f);
    if (!info) {
      info = Object.freeze(
        purposeInfoOf(f).map((x) =>
          Object.freeze({ ...x, legalBasis: Object.freeze(x.legalBasis), recipients: Object.freeze(x.recipients) }),
        ),
      );
      infoByField.set(f, info);
    }
    return info;
  };
  const purposeInfoOf = (f: FieldInfo) =>
    [...f.access.keys()].map((pid) => {
      const p = purposes.get(pid);
      const basis: Record<string, string> = {};
      for (const j of internals.jurisdictions) {
        const b = p?.declaration.legalBasis[j];
        if (b) basis[j] = b;
      }
      return {
        purpose: pid,
        description: p?.declaration.description ?? '',
        legalBasis: basis,
        retention: p?.retention.iso ?? '',
        recipients: (p?.declaration.recipients ?? []).map((r) => r.name),
      };
    });

  const exportOf = async (r: RightsRequest): Promise<SubjectExport> => {
    const groups = await gather(r.subjectId);
    const data: Record<string, ExportItem[]> = {};
    const touched: FieldInfo[] = [];
    for (const { schema, origin, rows } of groups) {
      for (const row of rows) {
        const record = schema.recordId !== undefined ? row[schema.recordId] : undefined;
        for (const f of schema.fields) {
          for (const value of valuesAt(row, f.path)) {
            touched.push(f);
            const item: ExportItem = {
              schema: schema.id,
              ...(record !== undefined ? { record: String(record) } : {}),
              field: f.path,
              value,
              origin,
              purposes: purposeInfo(f),
            };
            let list = data[f.category];
            if (!list) {
              list = [];
              data[f.category] = list;
            }
            list.push(item);
          }
        }
      }
    }
    const sorted: Record<string, ExportItem[]> = {};
    for (const k of Object.keys(data).sort()) sorted[k] = data[k] as ExportItem[];
    const controller = purposes.controller;
    const doc: SubjectExport = {
      format: 'purposeful.subject-export/1',
      subjectId: r.subjectId,
      generatedAt: new Date().toISOString(),
      request: { id: r.id, kind: r.kind },
      ...(controller
        ? {
            controller: {
              name: controller.name,
              contact: controller.contact,
              ...(controller.dpo ? { dpo: controller.dpo.contact } : {}),
            },
          }
        : {}),
      data: sorted,
      consent: internals.consent ? await internals.consent.history(r.subjectId) : [],
      consultations: audit
        ? (await audit.subjectReport(r.subjectId, { purposes })).map((c) => ({
            time: c.time,
            ...(c.purpose ? { purpose: c.purpose } : {}),
            recipients: c.recipients,
          }))
        : [],
    };
    // producing the answer is itself a processing of the data: logged, without values
    log(r.kind, r.subjectId, 'allow', undefined, touched);
    return doc;
  };

  return {
    async request(input) {
      const subjectId = input?.subjectId;
      if (typeof subjectId !== 'string' || subjectId === '')
        throw new PurposefulError('PF_INPUT_INVALID', 'a request needs the subject id');
      if (!RIGHTS_KINDS.includes(input.kind)) {
        throw new PurposefulError('PF_INPUT_INVALID', `unknown request kind: use one of ${RIGHTS_KINDS.join(', ')}`);
      }
      let verified = false;
      try {
        verified = (await options.verify({ subjectId, kind: input.kind, verification: input.verification })) === true;
      } catch {
        verified = false;
      }
      if (!verified) {
        log(input.kind, subjectId, 'deny', 'PF_IDENTITY_UNVERIFIED');
        throw new PurposefulError(
          'PF_IDENTITY_UNVERIFIED',
          "the requester's identity could not be verified: the request is refused",
          {
            article: 'LGPD Art. 18 §3; GDPR Art. 12(6)',
          },
        );
      }
      const receivedAt = input.receivedAt ?? new Date();
      const d = rightsDeadline(input.kind, receivedAt, {
        jurisdictions: internals.jurisdictions,
        ...(options.lgpdDays ? { lgpdDays: options.lgpdDays } : {}),
      });
      const request: RightsRequest = {
        id: `rq_${crypto.randomUUID()}`,
        kind: input.kind,
        subjectId,
        status: 'open',
        receivedAt: receivedAt.toISOString(),
        due: d.due.toISOString(),
        ...(d.lgpd ? { lgpdDue: d.lgpd.toISOString() } : {}),
        ...(d.gdpr ? { gdprDue: d.gdpr.toISOString() } : {}),
      };
      await store.put(request);
      log(input.kind, subjectId, 'allow');
      return request;
    },
    async extend(id, reason, now = new Date()) {
      const r = await open(id);
      if (typeof reason !== 'string' || reason.trim() === '')
        throw new PurposefulError('PF_INPUT_INVALID', 'an extension needs its reason');
      if (!r.gdprDue) throw new PurposefulError('PF_INPUT_INVALID', 'only GDPR allows an extension (Art. 12(3))');
      if (r.extension) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} was already extended`);
      if (now.getTime() > Date.parse(r.gdprDue)) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          'the extension must be decided and told within the first month (GDPR Art. 12(3))',
        );
      }
      const d = rightsDeadline(r.kind, new Date(r.receivedAt), {
        jurisdictions: internals.jurisdictions,
        extended: true,
        ...(options.lgpdDays ? { lgpdDays: options.lgpdDays } : {}),
      });
      const next: RightsRequest = {
        ...r,
        due: d.due.toISOString(),
        ...(d.gdpr ? { gdprDue: d.gdpr.toISOString() } : {}),
        extension: { reason, at: now.toISOString() },
      };
      await store.put(next);
      return next;
    },
    async complete(id, now = new Date()) {
      const r = await open(id);
      const next: RightsRequest = { ...r, status: 'completed', completedAt: now.toISOString() };
      await store.put(next);
      return next;
    },
    get: (id) => store.get(id),
    list: () => store.list(),
    async confirmation(id) {
      const r = await open(id, ['confirmation', 'access']);
      const groups = await gather(r.subjectId);
      const fields = groups.flatMap(({ schema, rows }) =>
        schema.fields.filter((f) => rows.some((row) => valuesAt(row, f.path).length > 0)),
      );
      log(r.kind, r.subjectId, 'allow', undefined, fields);
      return {
        processes: fields.length > 0,
        categories: [...new Set(fields.map((f) => f.category))].sort(),
        purposes: [...new Set(fields.flatMap((f) => [...f.access.keys()]))].sort(),
      };
    },
    async sharingInfo(id) {
      const r = await open(id, ['sharing-info', 'access']);
      const groups = await gather(r.subjectId);
      const used = new Set(
        groups.flatMap(({ schema, rows }) =>
          schema.fields.filter((f) => rows.some((row) => valuesAt(row, f.path).length > 0)).flatMap((f) => [...f.access.keys()]),
        ),
      );
      log(r.kind, r.subjectId, 'allow');
      return [...used]
        .sort()
        .map((pid) => purposes.get(pid))
        .filter((p) => p !== undefined && ((p.declaration.recipients?.length ?? 0) > 0 || p.declaration.transfer !== undefined))
        .map((p) => {
          const d = (p as NonNullable<typeof p>).declaration;
          return {
            purpose: (p as NonNullable<typeof p>).id,
            recipients: (d.recipients ?? []).map((x) => ({
              name: x.name,
              role: x.role,
              ...(x.country ? { country: x.country } : {}),
            })),
            ...(d.transfer ? { transfer: { countries: [...d.transfer.countries], mechanism: d.transfer.mechanism } } : {}),
          };
        });
    },
    async consentInfo(id) {
      const r = await open(id, ['consent-info', 'revocation']);
      const consentBased = purposes.ids.filter((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0);
      const states =
        internals.consent && consentBased.length ? await internals.consent.status(r.subjectId, consentBased) : undefined;
      log(r.kind, r.subjectId, 'allow');
      return consentBased.map((pid) => {
        const p = purposes.get(pid) as NonNullable<ReturnType<typeof purposes.get>>;
        return {
          purpose: pid,
          description: p.declaration.description,
          ...(p.declaration.notice
            ? {
                notice: {
                  version: p.declaration.notice.version,
                  ...(p.declaration.notice.url ? { url: p.declaration.notice.url } : {}),
                },
              }
            : {}),
          status: states?.get(pid)?.status ?? 'none',
          ifRefused: `Only this purpose (${p.declaration.description.toLowerCase()}) is not carried out; the rest of the service does not depend on this consent, which can be withdrawn at any time (LGPD Art. 8 §5, 18 VIII; GDPR Art. 7(3)).`,
        };
      });
    },
    async access(id) {
      return exportOf(await open(id, ['access', 'portability']));
    },
    async portability(id, format) {
      const doc = await exportOf(await open(id, ['access', 'portability']));
      if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
      if (format !== 'csv') throw new PurposefulError('PF_INPUT_INVALID', "portability formats are 'json' and 'csv'");
      const rows = [['category', 'schema', 'record', 'field', 'value', 'purposes', 'origin']];
      for (const [category, items] of Object.entries(doc.data)) {
        for (const it of items) {
          const value = typeof it.value === 'string' ? it.value : JSON.stringify(it.value);
          rows.push([
            category,
            it.schema,
            it.record ?? '',
            it.field,
            value,
            it.purposes.map((p) => p.purpose).join(' '),
            it.origin,
          ]);
        }
      }
      return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
    },
    async erase(id) {
      const r = await open(id, ['erasure']);
      const kept = (f: FieldInfo) =>
        [...f.access.keys()].filter((pid) => {
          const b = purposes.get(pid)?.declaration.legalBasis;
          return b?.lgpd === 'legal_obligation' || b?.gdpr === 'legal_obligation';
        });
      const plans: Departure[] = [];
      for (const [sid, source] of sources) {
        const schema = internals.schemas.get(sid) as PurposefulSchema;
        for (const stored of await source.find(r.subjectId)) {
          const row = { ...stored };
          const present = schema.fields.filter((f) => valuesAt(row, f.path).length > 0);
          const retained = present.filter((f) => kept(f).length > 0);
          plans.push({
            schema,
            source,
            row,
            leaving: present.filter((f) => !retained.includes(f)),
            retained,
            whole: retained.length === 0,
          });
        }
      }
      // every store that changes must be able to, checked before anything irreversible happens
      for (const p of plans) assertWritable(p, 'erasures');
      // anonymous copies are made before the shredding: the values they generalize are unreadable after it
      for (const p of plans) {
        p.copy = await copyOfDeparting(internals.openAll, p.schema, p.row, r.subjectId, p.leaving, goes(p));
      }
      // the shredding reads the blind-index values of the rows as they were
      const asStored = plans.map((p) => ({ schema: p.schema, row: { ...p.row } }));
      const fields: ErasedField[] = [];
      for (const p of plans) {
        const record = p.schema.recordId !== undefined ? String(p.row[p.schema.recordId]) : undefined;
        const where = (f: FieldInfo) => ({ schema: p.schema.id, ...(record !== undefined ? { record } : {}), field: f.path });
        for (const f of p.retained) {
          const legal = kept(f).map((pid) => {
            const p = purposes.get(pid);
            const rule = p?.declaration.obligation;
            return `${rule ? `${rule}: ` : ''}${pid}, ${p?.retention.iso ?? ''}`;
          });
          fields.push({
            ...where(f),
            outcome: 'retained',
            reason: `LGPD Art. 16 I: kept under a legal obligation (${legal.join('; ')})`,
          });
        }
        for (const f of p.leaving) {
          const anonymized = p.copy?.fields.includes(f.path) === true;
          // a value kept anonymized leaves the row even when encrypted: a retried erasure never copies it twice
          if (!f.encrypt || anonymized) p.changed = removeAt(p.row, f.path) || p.changed;
          fields.push(
            anonymized
              ? { ...where(f), outcome: 'anonymized', reason: anonymizedReason(f) }
              : {
                  ...where(f),
                  outcome: 'deleted',
                  reason: f.encrypt ? 'crypto-shredded: its key is erased' : 'removed from the record',
                },
          );
        }
        // blind indexes of erased fields are keyed hashes of erased data
        p.changed = nullIndexes(p.schema, p.row, (ix) => ix.fields.every((f) => kept(f).length === 0)) || p.changed;
        // stored before the keys are shredded: a store that fails loses no anonymous copy, and a retry finishes
        await depart(p, r.subjectId);
      }
      // the keys go whether or not rows were found, and whichever schemas have sources: a subject's keys serve every
      // schema the engine encrypts, and backups hold their data too
      const encrypts = [...internals.schemas.values()].some((s) => s.fields.some((f) => f.encrypt));
      const shredded = encrypts
        ? await internals.shred(
            r.subjectId,
            [...new Set(asStored.map((x) => x.schema))].map((schema) => ({
              schema,
              rows: asStored.filter((x) => x.schema === schema).map((x) => x.row),
            })),
          )
        : undefined;
      log('erasure', r.subjectId, 'allow');
      return {
        fields,
        ...(shredded ? { receipt: shredded.receipt, backupsClearBy: shredded.backupsClearBy } : {}),
        retainedUntil: (shredded?.retained ?? []).map((x) => ({ purposes: x.purposes, until: x.until })),
      };
    },
    async revoke(id, purpose) {
      const r = await open(id, ['revocation']);
      const p = purposes.get(purpose);
      if (!p || p.consentUnder.length === 0) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `purpose "${purpose}" does not rest on consent: there is nothing to revoke`,
          { purpose },
        );
      }
      if (!internals.consent) throw new PurposefulError('PF_CONSENT_UNAVAILABLE', 'revoking consent needs the consent ledger');
      // what only consent justified: fields every purpose of which rests on consent and is no longer granted (this
      // one once withdrawn), worked out and checked before the withdrawal, so a store that cannot change fails first
      const states = await internals.consent.status(
        r.subjectId,
        [...new Set([...purposes.ids])].filter((x) => (purposes.get(x)?.consentUnder.length ?? 0) > 0),
      );
      const granted = (pid: string) => pid !== purpose && states.get(pid)?.status === 'granted';
      const plans: Departure[] = [];
      for (const [sid, source] of sources) {
        const schema = internals.schemas.get(sid) as PurposefulSchema;
        const only = schema.fields.filter((f) => {
          const ps = [...f.access.keys()];
          return ps.includes(purpose) && ps.every((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0 && !granted(pid));
        });
        if (!only.length) continue;
        for (const stored of await source.find(r.subjectId)) {
          const row = { ...stored };
          const leaving = only.filter((f) => valuesAt(row, f.path).length > 0);
          if (leaving.length) plans.push({ schema, source, row, leaving, retained: [], whole: false });
        }
      }
      for (const p of plans) assertWritable(p, 'revocations');
      await internals.consent.withdraw(r.subjectId, purpose, { method: 'api', collectionPoint: `rights:${r.id}` });
      const fields: ErasedField[] = [];
      for (const p of plans) {
        p.copy = await copyOfDeparting(internals.openAll, p.schema, p.row, r.subjectId, p.leaving, false);
        const record = p.schema.recordId !== undefined ? String(p.row[p.schema.recordId]) : undefined;
        for (const f of p.leaving) {
          p.changed = removeAt(p.row, f.path) || p.changed;
          const anonymized = p.copy?.fields.includes(f.path) === true;
          fields.push({
            schema: p.schema.id,
            ...(record !== undefined ? { record } : {}),
            field: f.path,
            outcome: anonymized ? 'anonymized' : 'deleted',
            reason: anonymized ? anonymizedReason(f) : `only consent to ${purpose} justified it`,
          });
        }
        nullIndexes(p.schema, p.row, (ix) => ix.fields.some((f) => p.leaving.includes(f)));
        await depart(p, r.subjectId);
      }
      log('revocation', r.subjectId, 'allow');
      return { fields, retainedUntil: [] };
    },
    async correct(id, change) {
      const r = await open(id, ['correction']);
      const schema = internals.schemas.get(change?.schema);
      const source = schema ? options.sources[schema.id] : undefined;
      if (!schema || !source)
        throw new PurposefulError('PF_INPUT_INVALID', `no source is registered for schema "${String(change?.schema)}"`);
      if (typeof source.update !== 'function')
        throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${schema.id} needs update() for corrections`);
      if (!isPlain(change.patch)) {
        throw new PurposefulError('PF_INPUT_INVALID', 'a correction is a JSON Merge Patch object');
      }
      const patch = change.patch;
      // a correction corrects incomplete, inexact or outdated data (LGPD Art. 18 III; GDPR Art. 16): it does not
      // change whose record it is, nor which record it is. A change of owner is the application's own operation.
      const ids = [schema.subject?.id, schema.recordId].filter((x): x is string => typeof x === 'string' && x !== '');
      const touched = [...new Set(ids.filter((path) => patchTouches(patch, path)))];
      if (touched.length > 0) {
        throw new PurposefulError(
          'PF_CORRECTION_INVALID',
          `the patch changes ${touched.join(', ')}, which says whose record or which record it is: a correction cannot change it (LGPD Art. 18 III corrects incomplete, inexact or outdated data; a change of owner is the application's operation, not a data-subject request)`,
          { schema: schema.id, paths: touched, article: 'LGPD Art. 18 III; GDPR Art. 16' },
        );
      }
      const rows = await source.find(r.subjectId);
      const pick =
        change.record !== undefined && schema.recordId !== undefined
          ? rows.filter((row) => String(row[schema.recordId as string]) === change.record)
          : rows;
      if (pick.length !== 1) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          pick.length === 0 ? 'no record of the subject matches' : 'several records match: name the record',
          { schema: schema.id },
        );
      }
      const before = await internals.openAll(schema, pick[0], r.subjectId);
      // only declared personal fields may be corrected through a request
      const allowed = new Set(schema.fields.map((f) => f.path.split(/[.[{]/)[0] as string));
      for (const k of Object.keys(patch)) {
        if (!allowed.has(k) || PROTOTYPE_KEYS.has(k))
          throw new PurposefulError(
            'PF_UNDECLARED_FIELD',
            `the patch changes ${displayPath(schema.shape, [k])}, which is not a personal field a subject can correct`,
            { schema: schema.id, paths: [displayPath(schema.shape, [k])] },
          );
      }
      const merged = mergePatch(before, patch) as Record<string, unknown>;
      // blind-index columns are not the schema's: sealing computes them again from the corrected values
      for (const k of Object.keys(merged))
        if (k.startsWith(INDEX_COLUMN_PREFIX) && !schema.shape.object?.has(k)) delete merged[k];
      let checked: core.util.SafeParseResult<unknown>;
      try {
        checked = core.safeParse(schema.zod, merged);
      } catch (err) {
        if (!(err instanceof core.$ZodAsyncError)) throw err;
        checked = await core.safeParseAsync(schema.zod, merged);
      }
      if (!checked.success) {
        throw new PurposefulError('PF_VALIDATION_FAILED', 'the corrected record does not satisfy the schema', {
          schema: schema.id,
          paths: [...new Set(checked.error.issues.map((i) => displayPath(schema.shape, i.path) || '(root)'))],
        });
      }
      // what is stored is zod's output: a key of the patch that it does not hold (undeclared at any depth, or a
      // prototype key) is refused, not silently dropped nor stored
      const undeclared = [...new Set(undeclaredIn(patch, checked.data).map((p) => displayPath(schema.shape, p) || '(root)'))];
      if (undeclared.length > 0) {
        throw new PurposefulError(
          'PF_UNDECLARED_FIELD',
          `the patch holds keys the schema does not declare, at: ${undeclared.join(', ')}`,
          { schema: schema.id, paths: undeclared },
        );
      }
      const after = checked.data as Record<string, unknown>;
      // nor may the parsing move the record to another subject or id (a transform on an id field)
      const moved = ids.filter((path) => JSON.stringify(valuesAt(before, path)) !== JSON.stringify(valuesAt(after, path)));
      if (moved.length > 0) {
        throw new PurposefulError('PF_CORRECTION_INVALID', `the corrected record would change ${moved.join(', ')}`, {
          schema: schema.id,
          paths: moved,
          article: 'LGPD Art. 18 III; GDPR Art. 16',
        });
      }
      const changedFields = schema.fields.filter(
        (f) => JSON.stringify(valuesAt(before, f.path)) !== JSON.stringify(valuesAt(after, f.path)),
      );
      // passed on to every recipient of a purpose that uses a changed field (LGPD Art. 18 §6): each needs its hook,
      // checked before anything is stored
      const recipients = [
        ...new Set(
          changedFields.flatMap((f) =>
            [...f.access.keys()].flatMap((p) => (purposes.get(p)?.declaration.recipients ?? []).map((x) => x.name)),
          ),
        ),
      ].sort();
      for (const name of recipients) {
        if (!options.recipients?.[name]) {
          throw new PurposefulError(
            'PF_OPTIONS_INVALID',
            `recipient "${name}" receives corrected data: give rights.recipients a hook for it (LGPD Art. 18 §6)`,
          );
        }
      }
      await source.update(r.subjectId, await internals.seal(schema, after, r.subjectId));
      log('correction', r.subjectId, 'allow', undefined, changedFields);
      const notified: string[] = [];
      for (const name of recipients) {
        const hook = options.recipients?.[name] as (notice: CorrectionNotice) => void | Promise<void>;
        const changes: Record<string, unknown> = {};
        for (const f of changedFields) {
          if ([...f.access.keys()].some((p) => (purposes.get(p)?.declaration.recipients ?? []).some((x) => x.name === name))) {
            changes[f.path] = valuesAt(after, f.path)[0] ?? null;
          }
        }
        await hook({
          subjectId: r.subjectId,
          schema: schema.id,
          ...(schema.recordId !== undefined ? { record: String(after[schema.recordId]) } : {}),
          recipient: name,
          changes,
        });
        notified.push(name);
      }
      return { changed: changedFields.map((f) => f.path), notified };
    },
  };
}
