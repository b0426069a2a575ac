/**
 * fideslang data-use roots and data-subject categories, used by the data map.
 *
 * @module
 */

/** The 12 fideslang data-use roots; a purpose may name one (`dataUse: 'essential.service'`). */
export const DATA_USE_ROOTS = [
  'analytics',
  'collect',
  'employment',
  'essential',
  'finance',
  'functional',
  'marketing',
  'operations',
  'personalize',
  'sales',
  'third_party_sharing',
  'train_ai_system',
] as const;

/** The fideslang data-subject categories; a schema's `subject.kind` is one of them (or a custom one, with a warning). */
export const DATA_SUBJECTS = [
  'anonymous_user',
  'citizen_voter',
  'commuter',
  'consultant',
  'customer',
  'employee',
  'job_applicant',
  'next_of_kin',
  'passenger',
  'patient',
  'prospect',
  'shareholder',
  'supplier_vendor',
  'trainee',
  'visitor',
] as const;

/** A fideslang data-subject category. */
export type DataSubject = (typeof DATA_SUBJECTS)[number];
