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
import { INDEX_COLUMN_PREFIX } from '../crypto/records.js';
import { detectPII } from '../detect/detect.js';
import { PurposefulError } from '../errors.js';
import { projectZod } from '../minimize/zod-project.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import { ERASURE_GROUNDS, groundArticle } from '../schema/grounds.js';
import { describeTransferMechanism, type ResolvedPurpose, TRANSFER_MECHANISM_ARTICLES } from '../schema/purposes.js';
import { restrictionOf, withErasure } from '../schema/restriction.js';
import { displayPath, type FieldInfo } from '../schema/walk.js';
import { isWellFormed } from '../util/bytes.js';
import { byKey, csvCell } from '../util/text.js';
import { type AnonymousRecord, anonymizedReason, copyOfDeparting } from './anonymize.js';
import { type Answers, answerSettings, createAnswers, unverified } from './answers.js';
import type { RightsKind } from './deadlines.js';
import { nullIndexes, removeAt, valuesAt } from './paths.js';
import { keepersOf, keptUntil, setRestriction } from './restriction.js';
import type {
  ChangeNotice,
  ChangeOptions,
  CorrectionNotice,
  ErasedField,
  ExportItem,
  KeptFor,
  PassedOn,
  RecipientHook,
  RecipientNotice,
  Rights,
  RightsInternals,
  RightsOptions,
  RightsRequest,
  RightsRequestStore,
  RightsSource,
  SubjectExport,
} from './types.js';

export type {
  BlockingAnswer,
  ChangeNotice,
  ChangeOptions,
  ConsentInfoEntry,
  CorrectionNotice,
  ErasedField,
  ErasureAnswer,
  ExportItem,
  KeptFor,
  PassedOn,
  RecipientHook,
  RecipientNotice,
  Rights,
  RightsInternals,
  RightsOptions,
  RightsRequest,
  RightsRequestStore,
  RightsSource,
  SharingEntry,
  SubjectExport,
  UnreachableRecipient,
  VerificationRequest,
} from './types.js';

/**
 * A request store in memory.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, rights: rightsDesk({ verify, sources, store: memoryRightsStore() }) });
 * ```
 * @category Rights and retention
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

/** A field an erasure passes on: in a row (`record`) or, for a schema no source found, at the field level. */
interface ErasureItem {
  readonly schema: string;
  readonly record?: string;
  readonly field: FieldInfo;
  readonly kind: 'elimination' | 'anonymization';
  /** For a retained field: the purposes whose ground keeps it (their recipients keep it too). */
  readonly kept?: ReadonlySet<string>;
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
/** The articles of the consent a purpose's transfer abroad rests on, under each law it does (LGPD Art. 33 VIII; GDPR Art. 49(1)(a)). */
function transferConsentArticle(p: ResolvedPurpose): string {
  return p.transferConsentUnder.map((j) => TRANSFER_MECHANISM_ARTICLES[j].specific_consent).join('; ');
}

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

/** Whether a merge patch writes at a raw path (or replaces a value holding it). */
function writesAt(patch: unknown, path: readonly PropertyKey[]): boolean {
  let at = patch;
  for (const seg of path) {
    if (!isPlain(at)) return true; // an array or a value set whole: what lies under it comes from the patch
    if (typeof seg !== 'string' || !Object.hasOwn(at, seg)) return false;
    at = at[seg];
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

/**
 * The zod schema a correction's declaration check uses: the one `pf.inbound` builds for a purpose (`projectZod`),
 * with every personal field received, since a subject corrects any of their fields. Under `deny`, a place that
 * neither `pd()` nor `pd.none()` declares is left out of it, so a patch that writes there is refused.
 */
const declaredZods = {
  deny: new WeakMap<PurposefulSchema, core.$ZodType>(),
  allow: new WeakMap<PurposefulSchema, core.$ZodType>(),
};
function declaredZod(schema: PurposefulSchema, mode: Unannotated): core.$ZodType {
  const cache = mode === 'allow' ? declaredZods.allow : declaredZods.deny;
  let z = cache.get(schema);
  if (!z) {
    z = projectZod(schema, () => true, mode === 'allow');
    cache.set(schema, z);
  }
  return z;
}

/** `safeParse`, or `safeParseAsync` for a schema with async refinements or transforms. */
async function parseAny(schema: core.$ZodType, value: unknown): Promise<core.util.SafeParseResult<unknown>> {
  try {
    return core.safeParse(schema, value);
  } catch (err) {
    if (!(err instanceof core.$ZodAsyncError)) throw err;
    return core.safeParseAsync(schema, value);
  }
}

/** Builds the rights desk over the engine's internals. @internal */
export function createRights(internals: RightsInternals, options: RightsOptions): Rights {
  if (typeof options.verify !== 'function') throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.verify must be a function');
  for (const [id, source] of Object.entries(options.sources ?? {})) {
    if (!internals.schemas.has(id))
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources names schema "${id}", which the engine does not handle`, {
        schema: id,
      });
    if (typeof source?.find !== 'function')
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${id} needs find(subjectId)`);
  }
  // time zone, small agent, days, screening, reviewer, objections: checked once (LGPD Art. 19, 20; GDPR Art. 12, 15, 21, 22)
  const settings = answerSettings(options, internals);
  const store = options.store ?? memoryRightsStore();
  const { purposes, audit } = internals;
  const sources = Object.entries(options.sources ?? {});

  const log = (
    kind: RightsKind,
    subjectId: string,
    decision: 'allow' | 'deny',
    reason?: string,
    fields: readonly FieldInfo[] = [],
    requestId?: string,
  ) => {
    audit?.record({
      time: new Date().toISOString(),
      action: 'rights',
      decision,
      ...(reason ? { reason } : {}),
      ...(requestId ? { requestId } : {}),
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
    // nothing is answered for a requester whose identity is not proven (GDPR Art. 12(6); LGPD Art. 18 §3)
    if (kinds && r.status === 'unverified') throw unverified(r);
    return r;
  };

  /**
   * A request of any kind whose requester's identity is proven: an `unverified` one is neither closed nor extended
   * (GDPR Art. 12(6); LGPD Art. 18 §3, §4 II), it waits for `verify`.
   */
  const openVerified = async (id: string): Promise<RightsRequest> => {
    const r = await open(id);
    if (r.status === 'unverified') throw unverified(r);
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

  /** Runs a store write; a failure that is not already typed becomes `PF_STORE_UNAVAILABLE`, its message (values?) dropped. */
  const stored = async <T>(write: () => T | Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (err instanceof PurposefulError) throw err;
      throw new PurposefulError(
        'PF_STORE_UNAVAILABLE',
        'a store did not take the change: the request is not finished; carry it out again to finish it',
      );
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

  // passing changes on to the recipients the data was shared with (LGPD Art. 18 §6; GDPR Art. 19)
  const PASS_ON = 'LGPD Art. 18 §6; GDPR Art. 19';
  const recipientsByPurpose = new Map(
    purposes.ids.map((pid) => [pid, (purposes.get(pid)?.declaration.recipients ?? []).map((x) => x.name)] as const),
  );
  const declaredRecipients = new Set([...recipientsByPurpose.values()].flat());
  /** A stated reason for not informing a recipient: non-empty, bounded, and free of identifiers (it is logged). */
  const statedReason = (reason: unknown, where: string, code: 'PF_OPTIONS_INVALID' | 'PF_INPUT_INVALID'): string => {
    if (
      typeof reason !== 'string' ||
      reason.trim() === '' ||
      reason.length > 500 ||
      !isWellFormed(reason) ||
      reason.includes('\u0000')
    ) {
      throw new PurposefulError(
        code,
        `${where} must state why informing the recipient is impossible or involves disproportionate effort, in 1–500 characters (${PASS_ON})`,
        { article: PASS_ON },
      );
    }
    const found = [...new Set(detectPII(reason).map((x) => x.type))];
    if (found.length > 0) {
      throw new PurposefulError(
        code,
        `${where} holds what looks like personal data (${found.join(', ')}): the reason is logged and told to the subject, state it without any`,
        { article: PASS_ON },
      );
    }
    return reason.trim();
  };
  const hooks = new Map<string, RecipientHook>();
  const unreachable = new Map<string, string>();
  for (const [name, v] of Object.entries(options.recipients ?? {})) {
    if (typeof v === 'function') hooks.set(name, v);
    else if (typeof v === 'object' && v !== null && Object.hasOwn(v, 'unreachable')) {
      unreachable.set(name, statedReason(v.unreachable, `rights.recipients["${name}"].unreachable`, 'PF_OPTIONS_INVALID'));
    } else {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `rights.recipients["${name}"] must be a hook (notice) => void, or { unreachable: reason } (${PASS_ON})`,
      );
    }
  }
  /** The recipients not to inform for one request, with the reasons: the configured ones and the request's own. */
  const exitsOf = (o: ChangeOptions | undefined): ReadonlyMap<string, string> => {
    if (o === undefined) return unreachable;
    if (typeof o !== 'object' || o === null)
      throw new PurposefulError('PF_INPUT_INVALID', 'the request options must be an object');
    const u = o.unreachable;
    if (u === undefined) return unreachable;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      throw new PurposefulError('PF_INPUT_INVALID', 'unreachable maps recipient names to the reason each cannot be informed', {
        article: PASS_ON,
      });
    }
    const out = new Map(unreachable);
    for (const [name, reason] of Object.entries(u)) {
      // the name is not echoed: it came with the request, not from the declarations
      if (!declaredRecipients.has(name)) {
        throw new PurposefulError('PF_INPUT_INVALID', 'unreachable names a recipient no purpose declares', { article: PASS_ON });
      }
      out.set(name, statedReason(reason, `unreachable["${name}"]`, 'PF_INPUT_INVALID'));
    }
    return out;
  };
  /** Per recipient, the fields among `fields` that its purposes use. */
  const recipientsOf = (fields: Iterable<FieldInfo>): Map<string, Set<FieldInfo>> => {
    const m = new Map<string, Set<FieldInfo>>();
    for (const f of fields) {
      for (const pid of f.access.keys()) {
        for (const name of recipientsByPurpose.get(pid) ?? []) {
          let set = m.get(name);
          if (!set) {
            set = new Set();
            m.set(name, set);
          }
          set.add(f);
        }
      }
    }
    return m;
  };
  /**
   * Who will be told and who cannot be, worked out before anything changes: a recipient with neither a hook nor a
   * stated reason refuses the request (`PF_RECIPIENT_HOOK_MISSING`).
   */
  const passOnPlan = (names: Iterable<string>, exits: ReadonlyMap<string, string>, what: string) => {
    const told: string[] = [];
    const notInformed: { recipient: string; reason: string }[] = [];
    for (const name of [...new Set(names)].sort()) {
      const reason = exits.get(name);
      if (reason !== undefined) notInformed.push({ recipient: name, reason });
      else if (hooks.has(name)) told.push(name);
      else {
        throw new PurposefulError(
          'PF_RECIPIENT_HOOK_MISSING',
          `recipient "${name}" received data this ${what} changes: give rights.recipients a hook for it, or state why informing it is impossible or involves disproportionate effort ({ unreachable: reason }) (${PASS_ON})`,
          { article: PASS_ON },
        );
      }
    }
    return { told, notInformed };
  };
  /**
   * Whether a change of a field reaches a recipient: one of its purposes uses the field; for a field an erasure
   * ground keeps (`kept`: the purposes that keep it), only when none of the recipient's purposes using it keeps it.
   */
  const reaches = (recipient: string, it: { readonly field: FieldInfo; readonly kept?: ReadonlySet<string> }): boolean => {
    let uses = false;
    for (const pid of it.field.access.keys()) {
      if (!recipientsByPurpose.get(pid)?.includes(recipient)) continue;
      if (it.kept?.has(pid)) return false;
      uses = true;
    }
    return uses;
  };
  /** The notices of one kind, one per told recipient that used any of `items`' fields. */
  const changeNotices = (
    r: RightsRequest,
    kind: ChangeNotice['kind'],
    items: readonly {
      readonly schema: string;
      readonly record?: string;
      readonly field: FieldInfo;
      readonly kept?: ReadonlySet<string>;
    }[],
    told: readonly string[],
  ): ChangeNotice[] => {
    const out: ChangeNotice[] = [];
    for (const recipient of told) {
      const fields = items
        .filter((it) => reaches(recipient, it))
        .map((it) => ({ schema: it.schema, ...(it.record !== undefined ? { record: it.record } : {}), field: it.field.path }));
      if (fields.length > 0) out.push({ kind, request: r.id, subjectId: r.subjectId, recipient, article: PASS_ON, fields });
    }
    return out;
  };
  /** What leaves a subject's rows, passed on: the eliminated fields, then those kept as an anonymous copy. */
  const departureNotices = (
    r: RightsRequest,
    left: { readonly deleted: Parameters<typeof changeNotices>[2]; readonly anonymized: Parameters<typeof changeNotices>[2] },
    told: readonly string[],
  ): ChangeNotice[] => [
    ...changeNotices(r, 'elimination', left.deleted, told),
    ...changeNotices(r, 'anonymization', left.anonymized, told),
  ];
  /** Calls the hooks; one that throws is reported with its notice, and what was done stands. */
  const passOn = async (
    notices: readonly RecipientNotice[],
    plan: { readonly told: readonly string[]; readonly notInformed: PassedOn['notInformed'] },
  ): Promise<PassedOn> => {
    const notified = new Set<string>();
    const failed: { recipient: string; notice: RecipientNotice }[] = [];
    for (const notice of notices) {
      const hook = hooks.get(notice.recipient);
      if (!hook || !plan.told.includes(notice.recipient)) continue;
      try {
        await hook(notice);
        notified.add(notice.recipient);
      } catch {
        // the hook's error may quote values: it is not passed on, the notice is
        failed.push({ recipient: notice.recipient, notice });
      }
    }
    const failing = new Set(failed.map((x) => x.recipient));
    return { notified: [...notified].filter((n) => !failing.has(n)), notInformed: plan.notInformed, failed };
  };
  /** What the request's access-log event records of the passing on: who was told, who was not and why (no values). */
  const passedOnNote = (a: PassedOn): string | undefined => {
    const parts: string[] = [];
    if (a.notified.length) parts.push(`notified (${PASS_ON}): ${a.notified.join(', ')}`);
    if (a.notInformed.length) {
      parts.push(`not informed (${PASS_ON}): ${a.notInformed.map((x) => `${x.recipient}: ${x.reason}`).join('; ')}`);
    }
    if (a.failed.length) parts.push(`hook failed: ${[...new Set(a.failed.map((x) => x.recipient))].join(', ')}`);
    return parts.length ? parts.join(' | ') : undefined;
  };

  /** The subject's rows holding fields that `inScope` names: each field with a value leaves (consent data, Art. 18 VI, IX). */
  const consentOnly = async (subjectId: string, inScope: (f: FieldInfo) => boolean): Promise<Departure[]> => {
    const plans: Departure[] = [];
    for (const [sid, source] of sources) {
      const schema = internals.schemas.get(sid) as PurposefulSchema;
      const scope = schema.fields.filter(inScope);
      if (!scope.length) continue;
      for (const stored of await source.find(subjectId)) {
        const row = { ...stored };
        const leaving = scope.filter((f) => valuesAt(row, f.path).length > 0);
        if (leaving.length) plans.push({ schema, source, row, leaving, retained: [], whole: false });
      }
    }
    return plans;
  };

  /** Takes the leaving values out of the rows (anonymized where declared), nulls their blind indexes, stores the rows. */
  const departConsentData = async (subjectId: string, plans: Departure[], reasonOf: (f: FieldInfo) => string) => {
    const fields: ErasedField[] = [];
    const deleted: { schema: string; record?: string; field: FieldInfo }[] = [];
    const anonymized: { schema: string; record?: string; field: FieldInfo }[] = [];
    for (const p of plans) {
      p.copy = await copyOfDeparting(internals.openAll, p.schema, p.row, subjectId, p.leaving, false);
      const record = p.schema.recordId !== undefined ? String(p.row[p.schema.recordId]) : undefined;
      for (const f of p.leaving) {
        p.changed = removeAt(p.row, f.path) || p.changed;
        const copied = p.copy?.fields.includes(f.path) === true;
        (copied ? anonymized : deleted).push({ schema: p.schema.id, ...(record !== undefined ? { record } : {}), field: f });
        fields.push({
          schema: p.schema.id,
          ...(record !== undefined ? { record } : {}),
          field: f.path,
          outcome: copied ? 'anonymized' : 'deleted',
          reason: copied ? anonymizedReason(f) : reasonOf(f),
        });
      }
      nullIndexes(p.schema, p.row, (ix) => ix.fields.some((f) => p.leaving.includes(f)));
      await depart(p, subjectId);
    }
    return { fields, deleted, anonymized };
  };

  /** What an erasure answers for a retained field: each purpose that keeps it, its ground and article, and until when. */
  const keptAnswer = (schema: PurposefulSchema, f: FieldInfo, since: string) => {
    const keptFor: KeptFor[] = [];
    const said: string[] = [];
    for (const pid of keepersOf(schema).get(f) ?? []) {
      const p = purposes.get(pid);
      if (!p) continue;
      const until = keptUntil(schema, pid, since)?.toISOString() ?? since;
      for (const ground of p.erasureGrounds) {
        const article = groundArticle(ground, internals.jurisdictions);
        keptFor.push({ purpose: pid, ground, article, until });
        const note =
          ground === 'legal_obligation' ? p.declaration.obligation : ground === 'legal_claims' ? p.declaration.claim : undefined;
        said.push(
          `${article}: ${ERASURE_GROUNDS[ground].label} (${note ? `${note}: ` : ''}${pid}, ${p.retention.iso}, until ${until.slice(0, 10)} at the latest)`,
        );
      }
    }
    const until = [since, ...keptFor.map((k) => k.until)].sort().at(-1) as string;
    return {
      outcome: 'retained' as const,
      reason: `${said.join('; ')}; it opens for no other purpose`,
      keptFor,
      until,
    };
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

  const answers: Answers = createAnswers({ internals, options, settings, store, log, open });

  const exportOf = async (r: RightsRequest): Promise<SubjectExport> => {
    const groups = await gather(r.subjectId);
    const data: Record<string, ExportItem[]> = {};
    // the fields the answer holds, each once however many values it has
    const touched = new Set<FieldInfo>();
    // other people's data in the subject's records is left out or redacted (GDPR Art. 15(4), 20(4))
    const screening = answers.screening();
    for (const { schema, origin, rows } of groups) {
      for (const row of rows) {
        const record = schema.recordId !== undefined ? row[schema.recordId] : undefined;
        for (const f of schema.fields) {
          for (const found of valuesAt(row, f.path)) {
            const shown = screening.value(schema, record !== undefined ? String(record) : undefined, f, found);
            if (shown === undefined) continue;
            touched.add(f);
            const item: ExportItem = {
              schema: schema.id,
              ...(record !== undefined ? { record: String(record) } : {}),
              field: f.path,
              value: shown.value,
              origin,
              purposes: purposeInfo(f),
              ...(shown.redacted ? { redacted: true as const } : {}),
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
      // the subject's rights, the authority, automated decisions, transfers (GDPR Art. 15(1)(e)–(h), 15(2))
      ...answers.statement(
        [...new Set([...touched].flatMap((f) => [...f.access.keys()]))]
          .sort()
          .map((pid) => purposes.get(pid))
          .filter((p): p is NonNullable<typeof p> => p !== undefined),
      ),
      screened: screening.screened(),
    };
    // producing the answer is itself a processing of the data: logged, without values
    log(r.kind, r.subjectId, 'allow', undefined, [...touched]);
    return doc;
  };

  return {
    request: (input) => answers.request(input),
    verify: (id, verification, now) => answers.verify(id, verification, now),
    oppose: (id, purpose, input) => answers.oppose(id, purpose, input),
    dismissOpposition: (id, grounds, now) => answers.dismissOpposition(id, grounds, now),
    objections: (subjectId) => answers.objections(subjectId),
    review: (id, input) => answers.review(id, input),
    async extend(id, reason, now = new Date()) {
      const r = await openVerified(id);
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
      const d = answers.deadline(r.kind, new Date(r.receivedAt), true);
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
      const r = await openVerified(id);
      const next: RightsRequest = { ...r, status: 'completed', completedAt: now.toISOString() };
      await store.put(next);
      return next;
    },
    get: (id) => store.get(id),
    list: () => store.list(),
    async confirmation(id) {
      const r = await open(id, ['confirmation', 'access']);
      const groups = await gather(r.subjectId);
      // another person's data in the subject's records is not the subject's (GDPR Art. 15(4))
      const fields = groups.flatMap(({ schema, rows }) =>
        schema.fields.filter((f) => !answers.withheld(schema, f) && rows.some((row) => valuesAt(row, f.path).length > 0)),
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
            ...(d.transfer
              ? { transfer: { countries: [...d.transfer.countries], mechanism: describeTransferMechanism(d.transfer.mechanism) } }
              : {}),
          };
        });
    },
    async consentInfo(id) {
      const r = await open(id, ['consent-info', 'revocation']);
      // every consent the ledger holds: the consent bases and the consent a transfer abroad rests on (LGPD Art. 33 VIII)
      const consentBased = purposes.ids.filter((pid) => (purposes.get(pid)?.ledgerConsentUnder.length ?? 0) > 0);
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
          // what refusing changes is the purpose's to declare: nothing is claimed when it declares nothing (LGPD Art. 18 VIII, 9 §3)
          ...(p.declaration.ifRefused !== undefined ? { ifRefused: p.declaration.ifRefused } : {}),
          ...(p.transferConsentUnder.length > 0 && p.declaration.transfer
            ? {
                transfer: {
                  countries: [...p.declaration.transfer.countries],
                  article: transferConsentArticle(p),
                  only: p.consentUnder.length === 0,
                },
              }
            : {}),
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
    async erase(id, changeOptions) {
      const r = await open(id, ['erasure']);
      const exits = exitsOf(changeOptions);
      const plans: Departure[] = [];
      for (const [sid, source] of sources) {
        const schema = internals.schemas.get(sid) as PurposefulSchema;
        const keepers = keepersOf(schema);
        for (const stored of await source.find(r.subjectId)) {
          const row = { ...stored };
          restrictionOf(row, schema.id); // a restriction that cannot be read fails here, before anything changes
          const present = schema.fields.filter((f) => valuesAt(row, f.path).length > 0);
          // what an erasure ground keeps stays (LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e))
          const retained = present.filter((f) => (keepers.get(f)?.size ?? 0) > 0);
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
      // what leaves is passed on to the recipients of the purposes that used it (LGPD Art. 18 §6; GDPR Art. 19): each
      // needs its hook or a stated reason, and every store that changes must be able to, checked before anything
      // irreversible happens
      // an erasure that a failing store interrupted: what it had already planned and changed is finished with it
      const pending = r.pendingErasure;
      const fieldOf = (schema: string, path: string) => internals.schemas.get(schema)?.fields.find((f) => f.path === path);
      const pendingItems: ErasureItem[] = (pending?.items ?? []).flatMap((it) => {
        const field = fieldOf(it.schema, it.field);
        return field ? [{ ...it, field, ...(it.kept ? { kept: new Set(it.kept) } : {}) } as ErasureItem] : [];
      });
      // the shredding makes every erasable encrypted field of every schema the engine encrypts unreadable, and
      // restricts every retained one, found in a row or not: a schema whose rows no source found is passed on at the
      // schema and field level (LGPD Art. 18 §6; GDPR Art. 19)
      const encrypts = [...internals.schemas.values()].some((s) => s.fields.some((f) => f.encrypt));
      const found = new Set(plans.map((p) => p.schema));
      const unfound: ErasureItem[] = encrypts
        ? [...internals.schemas.values()]
            .filter((s) => !found.has(s))
            .flatMap((s) =>
              s.fields
                .filter((f) => f.encrypt)
                .map((f): ErasureItem => {
                  const kept = keepersOf(s).get(f);
                  return { schema: s.id, field: f, kind: 'elimination', ...(kept?.size ? { kept } : {}) };
                }),
            )
        : [];
      // what leaves a purpose is passed on to that purpose's recipients: the fields that go, and the retained ones
      // to every recipient none of whose purposes keeps them (LGPD Art. 18 §6; GDPR Art. 19); each needs its hook or
      // a stated reason, and every store that changes must be able to, checked before anything irreversible happens
      // whom a field reaches does not depend on its record: each field is planned once, however many rows hold it
      const planned = new Map<FieldInfo, ErasureItem>();
      for (const it of [...pendingItems, ...unfound]) if (!planned.has(it.field)) planned.set(it.field, it);
      for (const p of plans) {
        for (const field of p.leaving) {
          if (!planned.has(field)) planned.set(field, { schema: p.schema.id, field, kind: 'elimination' });
        }
        for (const field of p.retained) {
          if (planned.has(field)) continue;
          const kept = keepersOf(p.schema).get(field) as ReadonlySet<string>;
          planned.set(field, { schema: p.schema.id, field, kind: 'elimination', kept });
        }
      }
      const plannedItems = [...planned.values()];
      const told = passOnPlan(
        [...declaredRecipients].filter((name) => plannedItems.some((it) => reaches(name, it))),
        exits,
        'erasure',
      );
      for (const p of plans) assertWritable(p, 'erasures');
      // anonymous copies are made before the shredding: the values they generalize are unreadable after it
      for (const p of plans) {
        p.copy = await copyOfDeparting(internals.openAll, p.schema, p.row, r.subjectId, p.leaving, goes(p));
      }
      // the shredding reads the blind-index values of the rows as they were
      const asStored = plans.map((p) => ({ schema: p.schema, row: { ...p.row } }));
      const at = pending?.at ?? new Date().toISOString();
      const now = new Date(at);
      const fields: ErasedField[] = [...(pending?.fields ?? [])];
      const items: ErasureItem[] = [...pendingItems];
      const key = (x: { schema: string; record?: string; field: string | FieldInfo }) =>
        `${x.schema}\u0000${x.record ?? ''}\u0000${typeof x.field === 'string' ? x.field : x.field.path}`;
      // each line once: a retry does not repeat what the interrupted attempt already said, and rows without a record
      // id share their lines; a first attempt's line for a named record is new by construction (no key is built)
      const said = new Set(fields.map(key));
      const passing = new Set(items.map(key));
      const once = <T extends { schema: string; record?: string; field: string | FieldInfo }>(
        seen: Set<string>,
        list: T[],
        x: T,
      ) => {
        if (pending === undefined && x.record !== undefined) {
          list.push(x);
          return;
        }
        const k = key(x);
        if (!seen.has(k)) list.push(x);
        seen.add(k);
      };
      const answer = (f: ErasedField) => once(said, fields, f);
      const notice = (it: ErasureItem) => once(passing, items, it);
      for (const p of plans) {
        const record = p.schema.recordId !== undefined ? String(p.row[p.schema.recordId]) : undefined;
        const where = (f: FieldInfo) => ({ schema: p.schema.id, ...(record !== undefined ? { record } : {}), field: f.path });
        // a row that stays carries the erasure: what it keeps opens only for the purposes whose ground keeps it, until
        // their retention counted from the (earliest) erasure ends
        const restriction = goes(p) ? undefined : withErasure(restrictionOf(p.row, p.schema.id), at);
        for (const f of p.retained) {
          answer({ ...where(f), ...keptAnswer(p.schema, f, restriction?.erasedAt ?? at) });
          notice({
            schema: p.schema.id,
            ...(record !== undefined ? { record } : {}),
            field: f,
            kind: 'elimination',
            kept: keepersOf(p.schema).get(f) as ReadonlySet<string>,
          });
        }
        for (const f of p.leaving) {
          const copied = p.copy?.fields.includes(f.path) === true;
          // a value kept anonymized leaves the row even when encrypted: a retried erasure never copies it twice
          if (!f.encrypt || copied) p.changed = removeAt(p.row, f.path) || p.changed;
          notice({
            schema: p.schema.id,
            ...(record !== undefined ? { record } : {}),
            field: f,
            kind: copied ? 'anonymization' : 'elimination',
          });
          answer(
            copied
              ? { ...where(f), outcome: 'anonymized', reason: anonymizedReason(f) }
              : {
                  ...where(f),
                  outcome: 'deleted',
                  reason: f.encrypt ? 'crypto-shredded: its key is erased' : 'removed from the record',
                },
          );
        }
        // blind indexes of erased fields are keyed hashes of erased data
        p.changed =
          nullIndexes(p.schema, p.row, (ix) => ix.fields.every((f) => (keepersOf(p.schema).get(f)?.size ?? 0) === 0)) ||
          p.changed;
        if (restriction) {
          setRestriction(p.row, restriction);
          p.changed = true;
        }
      }
      for (const it of unfound) notice(it);
      // the plan is kept with the request before the first store write: a retry after a failing store finishes it,
      // with the notices and answer lines of what the first attempt had already removed
      const { pendingErasure: _before, ...plain } = r;
      await stored(() =>
        store.put({
          ...plain,
          pendingErasure: {
            at,
            fields,
            items: items.map((it) => ({
              schema: it.schema,
              ...(it.record !== undefined ? { record: it.record } : {}),
              field: it.field.path,
              kind: it.kind,
              ...(it.kept ? { kept: [...it.kept] } : {}),
            })),
          },
        }),
      );
      // stored before the keys are shredded: a store that fails loses no anonymous copy, and a retry finishes
      for (const p of plans) await stored(() => depart(p, r.subjectId));
      // the keys go whether or not rows were found, and whichever schemas have sources: a subject's keys serve every
      // schema the engine encrypts, and backups hold their data too
      const shredded = encrypts
        ? await stored(() =>
            internals.shred(
              r.subjectId,
              [...new Set(asStored.map((x) => x.schema))].map((schema) => ({
                schema,
                rows: asStored.filter((x) => x.schema === schema).map((x) => x.row),
              })),
              now,
            ),
          )
        : undefined;
      await stored(() => store.put(plain));
      const left = {
        deleted: items.filter((it) => it.kind === 'elimination'),
        anonymized: items.filter((it) => it.kind === 'anonymization'),
      };
      const passed = await passOn(departureNotices(r, left, told.told), told);
      log('erasure', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
      return {
        fields,
        ...(shredded ? { receipt: shredded.receipt, backupsClearBy: shredded.backupsClearBy } : {}),
        retainedUntil: (shredded?.retained ?? []).map((x) => ({ purposes: x.purposes, until: x.until })),
        ...passed,
      };
    },
    async revoke(id, purpose, changeOptions) {
      const r = await open(id, ['revocation']);
      const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
      // the consent of the purpose, or the one its transfer abroad rests on (LGPD Art. 8 §5, 33 VIII; GDPR Art. 7(3))
      if (!p || p.ledgerConsentUnder.length === 0) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // only a declared id is named: the request's name for an undeclared one is not echoed
          p
            ? `purpose "${p.id}" does not rest on consent: there is nothing to revoke`
            : 'the purpose is not declared: there is nothing to revoke',
          p
            ? { purpose: p.id, article: 'LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)' }
            : { article: 'LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)' },
        );
      }
      if (!internals.consent) throw new PurposefulError('PF_CONSENT_UNAVAILABLE', 'revoking consent needs the consent ledger');
      const exits = exitsOf(changeOptions);
      // what only consent justified: fields every purpose of which rests on consent and is no longer granted (this
      // one once withdrawn), worked out and checked before the withdrawal, so a store that cannot change fails first
      const states = await internals.consent.status(
        r.subjectId,
        [...new Set([...purposes.ids])].filter((x) => (purposes.get(x)?.consentUnder.length ?? 0) > 0),
      );
      const granted = (pid: string) => pid !== purpose && states.get(pid)?.status === 'granted';
      const plans = await consentOnly(r.subjectId, (f) => {
        const ps = [...f.access.keys()];
        return ps.includes(purpose) && ps.every((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0 && !granted(pid));
      });
      // the purpose's recipients are told of the revocation, those of the data removed of its elimination (LGPD
      // Art. 18 §6; GDPR Art. 19 for the erasure that follows, Art. 7(3)): hooks checked before the withdrawal
      const told = passOnPlan(
        [...(recipientsByPurpose.get(purpose) ?? []), ...recipientsOf(plans.flatMap((x) => x.leaving)).keys()],
        exits,
        'revocation',
      );
      for (const x of plans) assertWritable(x, 'revocations');
      await internals.consent.withdraw(r.subjectId, purpose, { method: 'api', collectionPoint: `rights:${r.id}` });
      const gone = await departConsentData(r.subjectId, plans, () => `only consent to ${purpose} justified it`);
      const revocation: ChangeNotice[] = told.told
        .filter((name) => recipientsByPurpose.get(purpose)?.includes(name))
        .map((recipient) => ({
          kind: 'revocation',
          request: r.id,
          subjectId: r.subjectId,
          recipient,
          article: `${PASS_ON}; LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)${p.transferConsentUnder.length > 0 ? `; ${transferConsentArticle(p)}` : ''}`,
          purpose,
          fields: [],
        }));
      const passed = await passOn([...revocation, ...departureNotices(r, gone, told.told)], told);
      log('revocation', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
      return { fields: gone.fields, retainedUntil: [], ...passed };
    },
    async eraseConsentData(id, changeOptions) {
      const r = await open(id, ['consent-data-erasure']);
      const only = changeOptions?.purpose;
      if (only !== undefined && (purposes.get(only)?.consentUnder.length ?? 0) === 0) {
        const declared = typeof only === 'string' ? purposes.get(only) : undefined;
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // only a declared id is named: the request's name for an undeclared one is not echoed
          `${declared ? `purpose "${declared.id}"` : 'the purpose'} does not rest on consent: LGPD Art. 18 VI eliminates the data processed with consent`,
          { ...(declared ? { purpose: declared.id } : {}), article: 'LGPD Art. 18 VI' },
        );
      }
      const exits = exitsOf(changeOptions);
      // the data processed with consent: fields every purpose of which rests on consent (a field another basis also
      // serves is processed under it, and stays); a ground never keeps consent data (the validator refuses it)
      const plans = await consentOnly(r.subjectId, (f) => {
        const ps = [...f.access.keys()];
        return (only === undefined || ps.includes(only)) && ps.every((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0);
      });
      const told = passOnPlan(recipientsOf(plans.flatMap((x) => x.leaving)).keys(), exits, 'elimination');
      for (const x of plans) assertWritable(x, 'eliminations');
      const gone = await departConsentData(r.subjectId, plans, (f) => {
        const ps = [...f.access.keys()].join(', ');
        return `processed with consent (${ps}): eliminated at the subject's request (LGPD Art. 18 VI; GDPR Art. 17(1))`;
      });
      const passed = await passOn(departureNotices(r, gone, told.told), told);
      log('consent-data-erasure', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
      return { fields: gone.fields, retainedUntil: [], ...passed };
    },
    async block(id, blockOptions) {
      const r = await open(id, ['blocking']);
      const exits = exitsOf(blockOptions);
      const named = blockOptions?.fields;
      if (named !== undefined && !Array.isArray(named)) {
        throw new PurposefulError('PF_INPUT_INVALID', 'fields lists the { schema, field } to block');
      }
      const wanted = named?.map((x) => {
        const schema = internals.schemas.get(x?.schema);
        const f = schema?.fields.find((y) => y.path === x?.field);
        if (!schema || !f || !options.sources[schema.id]) {
          throw new PurposefulError('PF_INPUT_INVALID', 'a field to block is not a personal field of a schema with a source', {
            article: 'LGPD Art. 18 IV; GDPR Art. 18',
          });
        }
        return f;
      });
      const plans: { schema: PurposefulSchema; source: RightsSource; row: Record<string, unknown>; fields: FieldInfo[] }[] = [];
      for (const [sid, source] of sources) {
        const schema = internals.schemas.get(sid) as PurposefulSchema;
        const scope = schema.fields.filter((f) => wanted === undefined || wanted.includes(f));
        if (scope.length === 0) continue;
        for (const stored of await source.find(r.subjectId)) {
          const row = { ...stored };
          restrictionOf(row, schema.id);
          const fields = scope.filter((f) => valuesAt(row, f.path).some((v) => v !== null));
          if (fields.length) plans.push({ schema, source, row, fields });
        }
      }
      const told = passOnPlan(recipientsOf(plans.flatMap((x) => x.fields)).keys(), exits, 'blocking');
      for (const x of plans) {
        if (typeof x.source.update !== 'function') {
          throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${x.schema.id} needs update() for blockings`, {
            schema: x.schema.id,
          });
        }
      }
      const at = new Date().toISOString();
      const laws = internals.jurisdictions;
      // the subject's blocking is recorded first: the engine refuses its data from then on, whatever a later write
      // does to a row's column, and rows made after it carry it (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18)
      await stored(() =>
        internals.blockings?.put({
          request: r.id,
          subjectId: r.subjectId,
          at,
          ...(named !== undefined ? { fields: named.map((x) => ({ schema: String(x.schema), field: String(x.field) })) } : {}),
          laws: [...laws],
        }),
      );
      const items: { schema: string; record?: string; field: FieldInfo }[] = [];
      for (const x of plans) {
        const current = restrictionOf(x.row, x.schema.id);
        const entry = {
          request: r.id,
          at,
          ...(wanted !== undefined ? { fields: x.fields.map((f) => f.path) } : {}),
          laws: [...laws],
        };
        // blocked again by the same request: its entry is replaced, not doubled
        setRestriction(x.row, { ...current, blocked: [...(current?.blocked ?? []).filter((b) => b.request !== r.id), entry] });
        await (x.source.update as NonNullable<RightsSource['update']>)(r.subjectId, x.row);
        const record = x.schema.recordId !== undefined ? String(x.row[x.schema.recordId]) : undefined;
        for (const f of x.fields) items.push({ schema: x.schema.id, ...(record !== undefined ? { record } : {}), field: f });
      }
      const passed = await passOn(changeNotices(r, 'blocking', items, told.told), told);
      log(
        'blocking',
        r.subjectId,
        'allow',
        passedOnNote(passed),
        plans.flatMap((x) => x.fields),
        r.id,
      );
      return {
        fields: items.map((it) => ({
          schema: it.schema,
          ...(it.record !== undefined ? { record: it.record } : {}),
          field: it.field.path,
        })),
        ...passed,
      };
    },
    async unblock(id, changeOptions) {
      const r = await open(id, ['blocking']);
      const exits = exitsOf(changeOptions);
      const plans: { schema: PurposefulSchema; source: RightsSource; row: Record<string, unknown>; fields: FieldInfo[] }[] = [];
      for (const [sid, source] of sources) {
        const schema = internals.schemas.get(sid) as PurposefulSchema;
        for (const stored of await source.find(r.subjectId)) {
          const row = { ...stored };
          const entry = restrictionOf(row, schema.id)?.blocked?.find((b) => b.request === r.id);
          if (!entry) continue;
          const fields = schema.fields.filter(
            (f) => (entry.fields === undefined || entry.fields.includes(f.path)) && valuesAt(row, f.path).some((v) => v !== null),
          );
          plans.push({ schema, source, row, fields });
        }
      }
      const told = passOnPlan(recipientsOf(plans.flatMap((x) => x.fields)).keys(), exits, 'lifting of a blocking');
      for (const x of plans) {
        if (typeof x.source.update !== 'function') {
          throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${x.schema.id} needs update() for blockings`, {
            schema: x.schema.id,
          });
        }
      }
      // lifted in the store first: a row store that fails then still blocks by its column, and a retry finds the rows
      await stored(() => internals.blockings?.lift(r.id));
      const items: { schema: string; record?: string; field: FieldInfo }[] = [];
      for (const x of plans) {
        const current = restrictionOf(x.row, x.schema.id);
        setRestriction(x.row, { ...current, blocked: (current?.blocked ?? []).filter((b) => b.request !== r.id) });
        await (x.source.update as NonNullable<RightsSource['update']>)(r.subjectId, x.row);
        const record = x.schema.recordId !== undefined ? String(x.row[x.schema.recordId]) : undefined;
        for (const f of x.fields) items.push({ schema: x.schema.id, ...(record !== undefined ? { record } : {}), field: f });
      }
      const passed = await passOn(changeNotices(r, 'unblocking', items, told.told), told);
      log('blocking', r.subjectId, 'allow', ['lifted', passedOnNote(passed)].filter(Boolean).join(' | '), [], r.id);
      return {
        fields: items.map((it) => ({
          schema: it.schema,
          ...(it.record !== undefined ? { record: it.record } : {}),
          field: it.field.path,
        })),
        ...passed,
      };
    },
    async correct(id, change, changeOptions) {
      const r = await open(id, ['correction']);
      const exits = exitsOf(changeOptions);
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
      const refuseUndeclaredPaths = (undeclared: readonly string[]): void => {
        if (undeclared.length > 0) {
          throw new PurposefulError(
            'PF_UNDECLARED_FIELD',
            `the patch holds keys the schema does not declare, at: ${undeclared.join(', ')} (LGPD Art. 6 III; GDPR Art. 5(1)(c))`,
            { schema: schema.id, paths: undeclared, article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)' },
          );
        }
      };
      const refuseUndeclared = (parsed: unknown): void =>
        refuseUndeclaredPaths([...new Set(undeclaredIn(patch, parsed).map((p) => displayPath(schema.shape, p) || '(root)'))]);
      const invalid = (result: core.util.SafeParseResult<unknown>): PurposefulError =>
        new PurposefulError('PF_VALIDATION_FAILED', 'the corrected record does not satisfy the schema', {
          schema: schema.id,
          paths: [
            ...new Set(
              (result.error?.issues ?? []).flatMap((i) =>
                // a strict object names the keys it does not know: their paths, as for any other issue
                i.code === 'unrecognized_keys'
                  ? i.keys.map((k) => displayPath(schema.shape, [...i.path, k]) || '(root)')
                  : [displayPath(schema.shape, i.path) || '(root)'],
              ),
            ),
          ],
        });
      // the declaration check pf.inbound makes, every personal field received: under `deny` (the default), a place
      // declared with neither pd() nor pd.none() is declared for no purpose, and a patch that writes there is
      // refused like any undeclared key, at any depth (LGPD Art. 18 III corrects declared data)
      const declared = await parseAny(declaredZod(schema, internals.unannotated?.(schema) ?? 'deny'), merged);
      if (declared.success) refuseUndeclared(declared.data);
      const checked = await parseAny(schema.zod, merged);
      if (!checked.success) throw invalid(checked);
      // what is stored is zod's output: a key of the patch that it does not hold (undeclared at any depth, or a
      // prototype key) is refused, not silently dropped nor stored. It keeps what the row holds outside the patch.
      refuseUndeclared(checked.data);
      if (!declared.success) {
        // the declared schema refused what the full one takes: a strict object holding an unannotated key. Written by
        // the patch, it is an undeclared field; held by the row already, the correction is refused all the same
        const written = declared.error.issues
          .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : []))
          .filter((path) => writesAt(patch, path))
          .map((path) => displayPath(schema.shape, path) || '(root)');
        if (written.length > 0) refuseUndeclaredPaths([...new Set(written)]);
        throw invalid(declared);
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
      // passed on to every recipient of a purpose that uses a changed field (LGPD Art. 18 §6; GDPR Art. 19): each
      // needs its hook or a stated reason, checked before anything is stored
      const byRecipient = recipientsOf(changedFields);
      const told = passOnPlan(byRecipient.keys(), exits, 'correction');
      const sealed = await internals.seal(schema, after, r.subjectId);
      // a correction keeps the row's restriction (an erasure, a blocking): it corrects data, it lifts nothing
      const held = restrictionOf(pick[0], schema.id);
      if (held) {
        const now = restrictionOf(sealed, schema.id);
        setRestriction(sealed, {
          ...(held.erasedAt !== undefined ? withErasure(now, held.erasedAt) : now),
          ...(held.blocked ? { blocked: held.blocked } : {}),
        });
      }
      await source.update(r.subjectId, sealed);
      const record = schema.recordId !== undefined ? { record: String(after[schema.recordId]) } : {};
      const passed = await passOn(
        told.told.map((recipient): CorrectionNotice => {
          const changes: Record<string, unknown> = {};
          for (const f of byRecipient.get(recipient) ?? []) changes[f.path] = valuesAt(after, f.path)[0] ?? null;
          return {
            kind: 'correction',
            request: r.id,
            subjectId: r.subjectId,
            schema: schema.id,
            ...record,
            recipient,
            article: PASS_ON,
            changes,
          };
        }),
        told,
      );
      log('correction', r.subjectId, 'allow', passedOnNote(passed), changedFields, r.id);
      return { changed: changedFields.map((f) => f.path), ...passed };
    },
  };
}
