/**
 * Receiving a request: its identity verification (GDPR Art. 12(6); LGPD Art.
 * 18 §3–4), its deadlines counted from receipt under each law in force, in
 * the controller's zone and for small agents (LGPD Art. 19; Res. CD/ANPD
 * 2/2022; GDPR Art. 12(3)), and the reasoned refusal of one whose identity is
 * not proven.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import { RIGHTS_KINDS, type RightsDeadline, type RightsKind, rightsDeadline } from './deadlines.js';
import type { DeskParts } from './desk-parts.js';
import { IDENTITY_ARTICLE, readVerification } from './identity.js';
import type { RightsRequest } from './types.js';

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

/** The request intake of the answers: deadlines, `request` and `verify`. @internal */
export function createIntake(parts: DeskParts) {
  const { options, settings, store, log, open } = parts;
  const { jurisdictions } = parts.internals;

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
  };
}
