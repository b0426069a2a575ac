/**
 * fideslang data-use roots and data-subject categories, used by the data map.
 *
 * @module
 */

/**
 * The 12 fideslang data-use roots; a purpose may name one (`dataUse: 'essential.service'`).
 *
 * @example
 * ```ts
 * const dataUse = 'marketing.email';
 * (DATA_USE_ROOTS as readonly string[]).includes(dataUse.split('.')[0] ?? ''); // true: no PF_DECL_DATA_USE_UNKNOWN
 * ```
 * @category Legal taxonomy
 */
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

/**
 * The fideslang data-subject categories; a schema's `subject.kind` is one of them (or a custom one, with a
 * warning).
 *
 * @example
 * ```ts
 * (DATA_SUBJECTS as readonly string[]).includes('patient'); // true
 * (DATA_SUBJECTS as readonly string[]).includes('tenant');  // false: defineSchema warns PF_DECL_SUBJECT_KIND_UNKNOWN
 * ```
 * @category Legal taxonomy
 */
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

/**
 * A fideslang data-subject category.
 *
 * @example
 * ```ts
 * const kind: DataSubject = 'employee';
 * const Employee = defineSchema('employee', z.object({ id: z.uuid() }), { purposes, subject: { kind, id: 'id' } });
 * ```
 * @category Legal taxonomy
 */
export type DataSubject = (typeof DATA_SUBJECTS)[number];
