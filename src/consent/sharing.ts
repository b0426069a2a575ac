/**
 * Sharing with other controllers under consent (LGPD Art. 7 §5): one rule,
 * read by the ledger when it records a grant and by the engine when it checks
 * one, so that the two never disagree.
 *
 * @module
 */
import type { ResolvedPurpose } from '../schema/purposes.js';

/** The names of the recipients that are other controllers (`controller` or `joint_controller`). @internal */
export function otherControllers(purpose: ResolvedPurpose | undefined): string[] {
  const out: string[] = [];
  for (const r of purpose?.declaration.recipients ?? []) {
    if (r.role === 'controller' || r.role === 'joint_controller') out.push(r.name);
  }
  return out;
}

/**
 * The other controllers a grant for `purpose` must name in `sharedWith` (LGPD Art. 7 §5): those it shares with,
 * when the purpose rests on consent under the LGPD (its legal or sensitive-data basis). None otherwise: Art. 7 §5
 * concerns a controller that obtained consent as its basis, and a consent to a transfer abroad alone (Art. 33 VIII)
 * leaves the purpose on its own basis. @internal
 */
export function controllersConsentMustName(purpose: ResolvedPurpose): readonly string[] {
  return purpose.consentUnder.includes('lgpd') ? otherControllers(purpose) : [];
}
