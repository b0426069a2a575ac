/**
 * Verifying the requester (LGPD Art. 18 §3; GDPR Art. 12(6)). A hook that
 * cannot confirm the identity says what is missing; the request is kept,
 * waiting for it, and the requester gets a reasoned answer that asks for it
 * (GDPR Art. 12(6); LGPD Art. 18 §4 II) instead of a bare refusal.
 *
 * @module
 */
import { detectPII } from '../detect/detect.js';

/**
 * What the verification hook returns: `true`, or `{ verified: true }`, when
 * the identity is proven; otherwise `false`, or `{ verified: false, missing,
 * reason }` naming what the requester still has to supply and why the request
 * cannot go on. `missing` and `reason` are told to the requester and kept with
 * the request: describe what is needed (`'the code sent to the e-mail address
 * on file'`), never a personal value. A text that holds an identifier the
 * detectors find, or is not one (empty, over 500 characters), is replaced by
 * a generic one.
 *
 * @example
 * ```ts
 * const verify = async ({ subjectId, verification }: VerificationRequest): Promise<VerificationResult> =>
 *   (await otp.check(subjectId, (verification as { code?: string })?.code ?? ''))
 *     ? { verified: true }
 *     : { verified: false, missing: ['the 6-digit code sent to the e-mail address on file'], reason: 'the code does not match' };
 * ```
 * @category Rights and retention
 */
export type VerificationResult =
  | boolean
  | { readonly verified: true }
  | { readonly verified: false; readonly missing?: readonly string[]; readonly reason?: string };

/**
 * The request for information kept with a request whose identity is not yet
 * proven (GDPR Art. 12(6)): what is missing, why, and when it was asked.
 *
 * @example
 * ```ts
 * const asked: IdentityRequest = {
 *   missing: ['the 6-digit code sent to the e-mail address on file'],
 *   reason: 'the code given does not match the one we sent',
 *   article: 'GDPR Art. 12(6); LGPD Art. 18 §3, §4 II',
 *   askedAt: '2026-11-02T12:00:00.000Z',
 * };
 * ```
 * @category Rights and retention
 */
export interface IdentityRequest {
  readonly missing: readonly string[];
  readonly reason: string;
  readonly article: string;
  readonly askedAt: string;
}

/** The article an identity refusal cites. @internal */
export const IDENTITY_ARTICLE = 'GDPR Art. 12(6); LGPD Art. 18 §3, §4 II';

const DEFAULT_MISSING = 'proof that you are the data subject or their legal representative';
const DEFAULT_REASON =
  "the requester's identity could not be verified with what was supplied, so the request cannot be answered yet";

/**
 * A text the hook gave, kept only when it is a reasonable one and holds no
 * identifier the detectors find: it is stored, and sent to whoever asked.
 */
function text(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && v.length <= 500 && detectPII(v).length === 0;
}

/**
 * Reads the hook's answer, failing closed: only `true` or `{ verified: true }`
 * (and nothing malformed beside it) verifies. @internal
 */
export function readVerification(answer: unknown): { verified: true } | { verified: false; missing: string[]; reason: string } {
  if (answer === true) return { verified: true };
  if (typeof answer === 'object' && answer !== null && !Array.isArray(answer)) {
    const a = answer as { verified?: unknown; missing?: unknown; reason?: unknown };
    const missingOk = a.missing === undefined || (Array.isArray(a.missing) && a.missing.every((m) => text(m)));
    if (a.verified === true && missingOk && (a.missing === undefined || (a.missing as unknown[]).length === 0)) {
      return { verified: true };
    }
    if (a.verified === false) {
      const missing =
        missingOk && Array.isArray(a.missing) && a.missing.length > 0 ? [...(a.missing as string[])] : [DEFAULT_MISSING];
      return { verified: false, missing, reason: text(a.reason) ? a.reason : DEFAULT_REASON };
    }
  }
  return { verified: false, missing: [DEFAULT_MISSING], reason: DEFAULT_REASON };
}
