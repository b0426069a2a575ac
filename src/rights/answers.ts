/**
 * The parts of the rights desk that answer the data subject: the request and
 * its verification (GDPR Art. 12(6); LGPD Art. 18 §3–4), deadlines in the
 * controller's zone and for small agents (LGPD Art. 19; Res. CD/ANPD 2/2022;
 * GDPR Art. 12(3)), opposition (LGPD Art. 18 §2; GDPR Art. 21), review of
 * automated decisions (LGPD Art. 20; GDPR Art. 22(3)), and what an access
 * answer adds and screens out (GDPR Art. 15(1)(e)–(h), 15(2), 15(4)).
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import { assertLgpdDays, RIGHTS_KINDS, type RightsDeadline, type RightsKind, rightsDeadline } from './deadlines.js';
import { IDENTITY_ARTICLE, readVerification } from './identity.js';
import { type Objection, type ObjectionStore, objectionStoreFor, opposability } from './opposition.js';
import { REVIEW_ARTICLE, type ReviewAnswer, type ReviewTicket } from './review.js';
import {
  type AboutOthers,
  assertAboutOthers,
  automatedDecisions,
  complaintRights,
  SCREEN_ARTICLE,
  type ScreenedField,
  subjectRights,
  transfers,
} from './statement.js';
import type { RightsInternals, RightsOptions, RightsRequest, RightsRequestStore, SubjectExport } from './types.js';
import { zoneFormat } from './zone.js';

/** The options of the answers, checked once. @internal */
export interface AnswerSettings {
  readonly timeZone: string;
  readonly smallAgent: boolean;
  readonly objections: ObjectionStore;
  readonly aboutOthers: AboutOthers | undefined;
  readonly reviewer: ((ticket: ReviewTicket) => void | Promise<void>) | undefined;
  readonly supervisoryAuthority: { readonly name: string; readonly url?: string } | undefined;
}

/** Checks the options the answers use, once, when the desk is built. @internal */
export function answerSettings(options: RightsOptions, internals: RightsInternals): AnswerSettings {
  const timeZone = options.timeZone ?? 'UTC';
  zoneFormat(timeZone);
  if (options.smallAgent !== undefined && typeof options.smallAgent !== 'boolean') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.smallAgent is true or false (Res. CD/ANPD 2/2022 Art. 2–3)');
  }
  const smallAgent = options.smallAgent === true;
  assertLgpdDays(options.lgpdDays, smallAgent);
  assertAboutOthers(options.aboutOthers, internals.schemas);
  if (options.reviewer !== undefined && typeof options.reviewer !== 'function') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.reviewer must be a function that hands a review to a person');
  }
  const automated = internals.purposes.ids.filter((id) => internals.purposes.get(id)?.declaration.automatedDecision);
  if (automated.length > 0 && typeof options.reviewer !== 'function') {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `rights.reviewer is needed: ${automated.join(', ')} declare automated decisions, and a subject may ask a person to review them (GDPR Art. 22(3); LGPD Art. 20)`,
      { article: 'LGPD Art. 20; GDPR Art. 22(3)' },
    );
  }
  const sa = options.supervisoryAuthority as { name?: unknown; url?: unknown } | undefined;
  if (
    sa !== undefined &&
    (typeof sa !== 'object' ||
      sa === null ||
      typeof sa.name !== 'string' ||
      sa.name.trim() === '' ||
      (sa.url !== undefined && typeof sa.url !== 'string'))
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.supervisoryAuthority is { name, url? } (GDPR Art. 15(1)(f), 77)');
  }
  return {
    timeZone,
    smallAgent,
    objections: internals.objections ?? (objectionStoreFor(options) as ObjectionStore),
    aboutOthers: options.aboutOthers,
    reviewer: options.reviewer,
    supervisoryAuthority: options.supervisoryAuthority,
  };
}

/** What the answers borrow from the desk. @internal */
export interface DeskParts {
  readonly internals: RightsInternals;
  readonly options: RightsOptions;
  readonly settings: AnswerSettings;
  readonly store: RightsRequestStore;
  readonly log: (
    kind: RightsKind,
    subjectId: string,
    decision: 'allow' | 'deny',
    reason?: string,
    fields?: readonly FieldInfo[],
  ) => void;
  readonly open: (id: string, kinds?: readonly RightsKind[]) => Promise<RightsRequest>;
}

/** The refusal of a request whose identity is not proven: a reasoned answer asking for what is missing. @internal */
export function unverified(r: RightsRequest): PurposefulError {
  return new PurposefulError(
    'PF_IDENTITY_UNVERIFIED',
    "the requester's identity could not be verified: the request is kept and waits for what `missing` lists (GDPR Art. 12(6); LGPD Art. 18 §4 II)",
    { article: IDENTITY_ARTICLE, missing: r.identity?.missing ?? [], request: r.id },
  );
}

/** How far ahead of this clock a receipt time may be (another machine's clock): 5 minutes. */
const RECEIPT_SKEW_MS = 5 * 60_000;

/**
 * When a request was received: now by default; a given time must be a valid date not in the future (beyond a
 * small clock skew), since every deadline counts from it (LGPD Art. 19; GDPR Art. 12(3)).
 */
function receiptTime(receivedAt: unknown): Date {
  if (receivedAt === undefined) return new Date();
  const article = 'LGPD Art. 19; GDPR Art. 12(3)';
  if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime())) {
    throw new PurposefulError('PF_INPUT_INVALID', `receivedAt must be a valid Date (${article})`, { article });
  }
  if (receivedAt.getTime() > Date.now() + RECEIPT_SKEW_MS) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `receivedAt is in the future: the deadlines count from the receipt of the request, which cannot be later than now (${article})`,
      { article },
    );
  }
  return receivedAt;
}

/** An optional text from the subject: a string of at most `max` characters, or nothing. */
function optionalText(v: unknown, what: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) {
    throw new PurposefulError('PF_INPUT_INVALID', `${what} is a text of at most ${max} characters`);
  }
  return v.trim() === '' ? undefined : v;
}

/** The answers of the desk. @internal */
export function createAnswers(parts: DeskParts) {
  const { internals, options, settings, store, log, open } = parts;
  const { purposes, jurisdictions } = internals;
  const objections = settings.objections;

  const deadline = (kind: RightsKind, receivedAt: Date, extended = false): RightsDeadline =>
    rightsDeadline(kind, receivedAt, {
      jurisdictions,
      timeZone: settings.timeZone,
      smallAgent: settings.smallAgent,
      extended,
      ...(options.lgpdDays ? { lgpdDays: options.lgpdDays } : {}),
    });

  /** Asks the hook; anything but a clear yes is a refusal, with what is missing. */
  const verifyWith = async (subjectId: string, kind: RightsKind, verification: unknown) => {
    let answer: unknown;
    try {
      answer = await options.verify({ subjectId, kind, verification });
    } catch {
      answer = false; // the hook's error may hold values: never kept
    }
    return readVerification(answer);
  };

  const asked = (missing: readonly string[], reason: string, at: Date) => ({
    missing: Object.freeze([...missing]),
    reason,
    article: IDENTITY_ARTICLE,
    askedAt: at.toISOString(),
  });

  // an access answer screens what the subject's records hold about others (GDPR Art. 15(4), 20(4))
  const screenOf = (schema: PurposefulSchema, f: FieldInfo) => settings.aboutOthers?.[schema.id]?.[f.path];

  return {
    deadline,

    async request(input: {
      readonly subjectId: string;
      readonly kind: RightsKind;
      readonly verification: unknown;
      readonly receivedAt?: Date;
    }): Promise<RightsRequest> {
      const subjectId = input?.subjectId;
      if (typeof subjectId !== 'string' || subjectId === '')
        throw new PurposefulError('PF_INPUT_INVALID', 'a request needs the subject id');
      if (!RIGHTS_KINDS.includes(input.kind)) {
        throw new PurposefulError('PF_INPUT_INVALID', `unknown request kind: use one of ${RIGHTS_KINDS.join(', ')}`);
      }
      // the deadlines count from receipt, whenever the identity is proven (LGPD Art. 19 II; GDPR Art. 12(3))
      const receivedAt = receiptTime(input.receivedAt);
      const d = deadline(input.kind, receivedAt);
      const base = {
        id: `rq_${crypto.randomUUID()}`,
        kind: input.kind,
        subjectId,
        receivedAt: receivedAt.toISOString(),
        due: d.due.toISOString(),
        ...(d.lgpd ? { lgpdDue: d.lgpd.toISOString() } : {}),
        ...(d.gdpr ? { gdprDue: d.gdpr.toISOString() } : {}),
      };
      const now = new Date();
      const v = await verifyWith(subjectId, input.kind, input.verification);
      if (!v.verified) {
        const pending: RightsRequest = { ...base, status: 'unverified', identity: asked(v.missing, v.reason, now) };
        await store.put(pending);
        log(input.kind, subjectId, 'deny', 'PF_IDENTITY_UNVERIFIED');
        throw unverified(pending);
      }
      const request: RightsRequest = { ...base, status: 'open', verifiedAt: now.toISOString() };
      await store.put(request);
      log(input.kind, subjectId, 'allow');
      return request;
    },

    async verify(id: string, verification: unknown, now: Date = new Date()): Promise<RightsRequest> {
      const r = await open(id);
      if (r.status !== 'unverified') throw new PurposefulError('PF_INPUT_INVALID', `request ${id} is already verified`);
      const v = await verifyWith(r.subjectId, r.kind, verification);
      if (!v.verified) {
        const again: RightsRequest = { ...r, identity: asked(v.missing, v.reason, now) };
        await store.put(again);
        log(r.kind, r.subjectId, 'deny', 'PF_IDENTITY_UNVERIFIED');
        throw unverified(again);
      }
      const { identity: _answered, ...rest } = r;
      const next: RightsRequest = { ...rest, status: 'open', verifiedAt: now.toISOString() };
      await store.put(next);
      log(r.kind, r.subjectId, 'allow');
      return next;
    },

    async oppose(id: string, purpose: string, input?: { readonly grounds?: string }): Promise<Objection> {
      const r = await open(id, ['opposition']);
      const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
      if (!p) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // the request's name for it is not echoed: only declared ids are named
          'the purpose is not declared: there is nothing to oppose',
          {
            article: 'LGPD Art. 18 §2; GDPR Art. 21',
          },
        );
      }
      if (await objections.get(r.id)) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `request ${id} already records an objection: one purpose per opposition request`,
          { purpose: p.id },
        );
      }
      const o = opposability(p, jurisdictions);
      if (!o.ok) throw new PurposefulError('PF_INPUT_INVALID', o.why, { purpose: p.id, article: o.article });
      const grounds = optionalText(input?.grounds, 'the grounds of an objection', 5000);
      const objection: Objection = {
        request: r.id,
        subjectId: r.subjectId,
        purpose: p.id,
        at: new Date().toISOString(),
        ...(grounds !== undefined ? { grounds } : {}),
        status: 'in_force',
        absolute: o.absolute,
        article: o.article,
      };
      await objections.put(objection);
      log('opposition', r.subjectId, 'allow', undefined, fieldsOf(p));
      return objection;
    },

    async dismissOpposition(id: string, grounds: string, now: Date = new Date()): Promise<Objection> {
      const r = await open(id, ['opposition']);
      const o = await objections.get(r.id);
      if (!o) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} records no objection`);
      if (o.status === 'dismissed') {
        throw new PurposefulError('PF_INPUT_INVALID', `the objection of request ${id} was already dismissed`, {
          purpose: o.purpose,
        });
      }
      if (o.absolute) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `an objection to direct marketing (${o.purpose}) cannot be dismissed: the data is no longer processed for it`,
          { purpose: o.purpose, article: 'GDPR Art. 21(3)' },
        );
      }
      if (typeof grounds !== 'string' || grounds.trim() === '' || grounds.length > 5000) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          "a dismissal states the controller's grounds, told to the subject: compelling legitimate grounds that override theirs, or legal claims (GDPR Art. 21(1)); the reasons of fact or law (LGPD Art. 18 §4 II)",
          { purpose: o.purpose, article: 'GDPR Art. 21(1); LGPD Art. 18 §4 II' },
        );
      }
      const next: Objection = { ...o, status: 'dismissed', dismissal: { grounds, at: now.toISOString() } };
      await objections.put(next);
      log('opposition', r.subjectId, 'allow', 'dismissed');
      return next;
    },

    objections: (subjectId: string) => objections.list(subjectId),

    async review(
      id: string,
      input: { readonly purpose: string; readonly reference?: string; readonly statement?: string },
    ): Promise<ReviewAnswer> {
      const r = await open(id, ['review']);
      if (r.review) {
        throw new PurposefulError('PF_INPUT_INVALID', `request ${id} already asked for the review of ${r.review.purpose}`, {
          purpose: r.review.purpose,
        });
      }
      const purpose = input?.purpose;
      const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
      const a = p?.declaration.automatedDecision;
      if (!p || !a) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // a declared id is named; the request's name for an undeclared one is not echoed
          p
            ? `purpose "${p.id}" declares no automated decision: there is none to review (LGPD Art. 20; GDPR Art. 22)`
            : 'the purpose is not declared: there is no automated decision to review (LGPD Art. 20; GDPR Art. 22)',
          { ...(p ? { purpose: p.id } : {}), article: 'LGPD Art. 20; GDPR Art. 22' },
        );
      }
      const reference = optionalText(input.reference, 'the reference to the decision', 500);
      const statement = optionalText(input.statement, "the subject's point of view", 10_000);
      const ticket: ReviewTicket = {
        request: r.id,
        subjectId: r.subjectId,
        purpose: p.id,
        ...(reference !== undefined ? { reference } : {}),
        ...(statement !== undefined ? { statement } : {}),
        due: r.due,
      };
      try {
        await (settings.reviewer as NonNullable<AnswerSettings['reviewer']>)(ticket);
      } catch {
        // the hook's error may quote the statement: never passed on
        throw new PurposefulError(
          'PF_STORE_UNAVAILABLE',
          `the reviewer hook did not take the review of ${p.id}: the request stays open, ask again`,
          { purpose: p.id, article: REVIEW_ARTICLE },
        );
      }
      await store.put({ ...r, review: { purpose: p.id, requestedAt: new Date().toISOString() } });
      log('review', r.subjectId, 'allow', undefined, fieldsOf(p));
      return {
        request: r.id,
        purpose: p.id,
        decision: a.decision,
        logic: a.logic,
        consequences: a.consequences,
        review: 'requested',
        due: r.due,
        article: REVIEW_ARTICLE,
      };
    },

    /** Whether an access answer leaves a field out entirely (another person's data). */
    withheld: (schema: PurposefulSchema, f: FieldInfo) => screenOf(schema, f) === 'withhold',

    /**
     * A screening for one answer: `value` gives what the answer may show of a
     * value (`undefined`: nothing), and `screened` what was left out or redacted.
     */
    screening() {
      const seen = new Map<string, ScreenedField>();
      const note = (schema: PurposefulSchema, record: string | undefined, f: FieldInfo, outcome: ScreenedField['outcome']) => {
        const key = JSON.stringify([schema.id, record, f.path, outcome]);
        if (!seen.has(key)) {
          seen.set(key, {
            schema: schema.id,
            ...(record !== undefined ? { record } : {}),
            field: f.path,
            outcome,
            article: SCREEN_ARTICLE,
          });
        }
      };
      return {
        value(
          schema: PurposefulSchema,
          record: string | undefined,
          f: FieldInfo,
          value: unknown,
        ): { readonly value: unknown; readonly redacted: boolean } | undefined {
          const screen = screenOf(schema, f);
          if (screen === undefined) return { value, redacted: false };
          if (screen === 'withhold') {
            note(schema, record, f, 'withheld');
            return undefined;
          }
          let shown: unknown;
          try {
            shown = screen(value);
          } catch {
            throw new PurposefulError(
              'PF_OPTIONS_INVALID',
              `rights.aboutOthers.${schema.id}.${f.path} could not screen a value: the answer is not given unscreened`,
              { schema: schema.id, paths: [f.path], article: SCREEN_ARTICLE },
            );
          }
          if (shown === undefined) {
            note(schema, record, f, 'withheld');
            return undefined;
          }
          note(schema, record, f, 'redacted');
          return { value: shown, redacted: true };
        },
        screened: (): ScreenedField[] =>
          [...seen.values()].sort((a, b) =>
            `${a.schema}\u0000${a.record ?? ''}\u0000${a.field}`.localeCompare(
              `${b.schema}\u0000${b.record ?? ''}\u0000${b.field}`,
            ),
          ),
      };
    },

    /** What an access answer tells besides the data, for the purposes the subject's data serves. */
    statement(
      used: readonly ResolvedPurpose[],
    ): Pick<SubjectExport, 'rights' | 'complaint' | 'automatedDecisions' | 'transfers'> {
      return {
        rights: subjectRights(jurisdictions, RIGHTS_KINDS),
        complaint: complaintRights(jurisdictions, settings.supervisoryAuthority),
        automatedDecisions: automatedDecisions(used),
        transfers: transfers(used, jurisdictions),
      };
    },
  };

  /** The declared fields a purpose uses, for the access-log event of a request about it (no values). */
  function fieldsOf(p: ResolvedPurpose): FieldInfo[] {
    return [...internals.schemas.values()].flatMap((s) => s.fields.filter((f) => f.access.has(p.id)));
  }
}

/** The answers of a desk. @internal */
export type Answers = ReturnType<typeof createAnswers>;
