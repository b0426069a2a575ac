/**
 * Minors are a property of the subject, not of a data category (LGPD Art. 14,
 * ECA; GDPR Art. 8).
 *
 * @module
 */
import type { Jurisdiction } from './bases.js';

/**
 * What a schema's subject may be: never a minor, possibly one, or always one.
 *
 * @example
 * ```ts
 * const policy: MinorsPolicy = 'possible'; // e.g. students of an online school
 * needsGuardianConsent('lgpd', 10, policy);        // true
 * needsGuardianConsent('lgpd', 10, 'never');       // false: the engine rejects minors instead (PF_MINOR_NOT_DECLARED)
 * ```
 * @category Legal taxonomy
 */
export type MinorsPolicy = 'never' | 'possible' | 'always';

/**
 * Under Brazilian law (ECA): a child is under 12, an adolescent 12–17.
 *
 * @example
 * ```ts
 * const group: AgeGroup = ageGroup(14); // 'adolescent'
 * if (group === 'child') console.log('LGPD Art. 14 §1: a parent or guardian must consent');
 * ```
 * @category Legal taxonomy
 */
export type AgeGroup = 'child' | 'adolescent' | 'adult' | 'unknown';

/**
 * The age at which a subject consents alone to information-society services under GDPR Art. 8 (16 unless a
 * member state lowers it, to 13 at least).
 *
 * @example
 * ```ts
 * GDPR_DEFAULT_DIGITAL_CONSENT_AGE; // 16
 * const consentAge = memberStateConsentAge ?? GDPR_DEFAULT_DIGITAL_CONSENT_AGE; // 13–16 by member-state law
 * needsGuardianConsent('gdpr', 14, 'possible', { gdprDigitalConsentAge: consentAge });
 * ```
 * @category Legal taxonomy
 */
export const GDPR_DEFAULT_DIGITAL_CONSENT_AGE = 16;

/**
 * The subject's age group (ECA: child under 12, adolescent 12–17).
 *
 * @example
 * ```ts
 * ageGroup(9);         // 'child'
 * ageGroup(15);        // 'adolescent'
 * ageGroup(undefined); // 'unknown'
 * ```
 * @category Legal taxonomy
 */
export function ageGroup(age: number | undefined): AgeGroup {
  if (age === undefined || !Number.isFinite(age) || age < 0) return 'unknown';
  if (age < 12) return 'child';
  if (age < 18) return 'adolescent';
  return 'adult';
}

/**
 * Whether consent for this subject must come from a parent or guardian, per
 * law: LGPD Art. 14 §1 for children (under 12), for any consent purpose; GDPR
 * Art. 8 under the digital consent age (16 by default, 13–16 by member-state
 * law), only for an information-society service offered directly to a child
 * (`offeredDirectlyToChild`, default `true`: the question asked is about such a
 * service; pass the purpose's `offeredDirectlyToChildren`). An unknown age
 * counts as a minor when the policy says minors are possible.
 *
 * @example
 * ```ts
 * needsGuardianConsent('lgpd', 10, 'possible'); // true
 * needsGuardianConsent('gdpr', 15, 'possible'); // true (under 16, a service offered directly to children)
 * needsGuardianConsent('gdpr', 15, 'possible', { gdprDigitalConsentAge: 13 }); // false
 * needsGuardianConsent('gdpr', 15, 'possible', { offeredDirectlyToChild: false }); // false: Art. 8 does not apply
 * ```
 * @category Legal taxonomy
 */
export function needsGuardianConsent(
  jurisdiction: Jurisdiction,
  age: number | undefined,
  policy: MinorsPolicy,
  options: { gdprDigitalConsentAge?: number; offeredDirectlyToChild?: boolean } = {},
): boolean {
  const threshold = options.gdprDigitalConsentAge ?? GDPR_DEFAULT_DIGITAL_CONSENT_AGE;
  if (!Number.isInteger(threshold) || threshold < 13 || threshold > 16) {
    throw new RangeError('gdprDigitalConsentAge must be an integer from 13 to 16 (GDPR Art. 8(1))');
  }
  if (policy === 'never') return false;
  // GDPR Art. 8(1) applies "in relation to the offer of information society services directly to a child"
  if (jurisdiction === 'gdpr' && options.offeredDirectlyToChild === false) return false;
  const group = ageGroup(age);
  if (group === 'unknown') return true;
  if (jurisdiction === 'lgpd') return group === 'child';
  return (age as number) < threshold;
}
