/**
 * Data categories: fideslang-compatible dotted keys, the sensitive set of
 * LGPD Art. 5 II / GDPR Art. 9(1), and GDPR Art. 10 criminal data.
 *
 * @module
 */

import { didYouMean } from '../util/closest.js';

/**
 * The built-in category keys (the fideslang `user` and `system` trees, plus the
 * keys the sensitive list needs that fideslang lacks, under `user.demographic`).
 *
 * @example
 * ```ts
 * BUILTIN_CATEGORIES.includes('user.contact.email'); // true
 * BUILTIN_CATEGORIES.filter((k) => k.startsWith('user.government_id.')); // ['user.government_id.birth_certificate', …]
 * ```
 * @category Legal taxonomy
 */
export const BUILTIN_CATEGORIES = [
  'system',
  'system.authentication',
  'system.operations',
  'user',
  'user.account',
  'user.account.settings',
  'user.account.username',
  'user.authorization',
  'user.authorization.biometric',
  'user.authorization.credentials',
  'user.authorization.password',
  'user.behavior',
  'user.behavior.browsing_history',
  'user.behavior.media_consumption',
  'user.behavior.purchase_history',
  'user.behavior.search_history',
  'user.biometric',
  'user.biometric.fingerprint',
  'user.biometric.health',
  'user.biometric.retinal',
  'user.biometric.voice',
  'user.childrens',
  'user.contact',
  'user.contact.address',
  'user.contact.address.city',
  'user.contact.address.country',
  'user.contact.address.postal_code',
  'user.contact.address.state',
  'user.contact.address.street',
  'user.contact.email',
  'user.contact.fax_number',
  'user.contact.organization',
  'user.contact.phone_number',
  'user.contact.url',
  'user.content',
  'user.content.private',
  'user.content.public',
  'user.content.self_image',
  'user.criminal_history',
  'user.demographic',
  'user.demographic.age_range',
  'user.demographic.date_of_birth',
  'user.demographic.gender',
  'user.demographic.language',
  'user.demographic.marital_status',
  'user.demographic.organization_membership',
  'user.demographic.political_opinion',
  'user.demographic.profile',
  'user.demographic.race_ethnicity',
  'user.demographic.religious_belief',
  'user.demographic.sex_life',
  'user.demographic.sexual_orientation',
  'user.demographic.union_membership',
  'user.device',
  'user.device.cookie',
  'user.device.cookie_id',
  'user.device.device_id',
  'user.device.ip_address',
  'user.financial',
  'user.financial.bank_account',
  'user.financial.credit_card',
  'user.government_id',
  'user.government_id.birth_certificate',
  'user.government_id.drivers_license_number',
  'user.government_id.immigration',
  'user.government_id.national_identification_number',
  'user.government_id.passport_number',
  'user.health_and_medical',
  'user.health_and_medical.genetic',
  'user.health_and_medical.insurance_beneficiary_id',
  'user.health_and_medical.record_id',
  'user.job_title',
  'user.location',
  'user.location.imprecise',
  'user.location.precise',
  'user.name',
  'user.name.first',
  'user.name.last',
  'user.payment',
  'user.privacy_preferences',
  'user.sensor',
  'user.social',
  'user.telemetry',
  'user.unique_id',
  'user.unique_id.pseudonymous',
  'user.user_sensor',
  'user.workplace',
] as const;

/**
 * A built-in category key. Custom keys are plain strings registered with `definePurposes(…, { categories })`.
 *
 * @example
 * ```ts
 * const category: BuiltinCategory = 'user.contact.phone_number';
 * const phone = pd(z.string(), { category, purposes: { 'support.ticket': 'masked' }, mask: 'phone' });
 * ```
 * @category Legal taxonomy
 */
export type BuiltinCategory = (typeof BUILTIN_CATEGORIES)[number];

/**
 * Category subtrees that are sensitive personal data (LGPD Art. 5 II, Art. 11;
 * GDPR Art. 9(1)), with the kind of sensitive data each one is.
 *
 * @example
 * ```ts
 * SENSITIVE_ROOTS['user.health_and_medical']; // 'health'
 * Object.keys(SENSITIVE_ROOTS).some((root) => categoryCovers(root, 'user.biometric.voice')); // true
 * ```
 * @category Legal taxonomy
 */
export const SENSITIVE_ROOTS: Readonly<Record<string, string>> = Object.freeze({
  'user.demographic.race_ethnicity': 'racial or ethnic origin',
  'user.demographic.religious_belief': 'religious conviction',
  'user.demographic.political_opinion': 'political opinion',
  'user.demographic.union_membership': 'union membership',
  'user.demographic.organization_membership': 'membership of a religious, philosophical or political organization',
  'user.demographic.sex_life': 'sex life',
  'user.demographic.sexual_orientation': 'sex life (sexual orientation)',
  'user.health_and_medical': 'health',
  'user.biometric': 'biometric data',
  'user.authorization.biometric': 'biometric data',
});

/**
 * Category subtrees of criminal convictions and offences (GDPR Art. 10).
 *
 * @example
 * ```ts
 * CRIMINAL_ROOTS; // ['user.criminal_history']
 * CRIMINAL_ROOTS.some((root) => categoryCovers(root, 'user.criminal_history')); // true: GDPR Art. 10 applies
 * ```
 * @category Legal taxonomy
 */
export const CRIMINAL_ROOTS: readonly string[] = Object.freeze(['user.criminal_history']);

const KEY_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/**
 * True when `parent` covers `child` in the hierarchy: `user.contact` covers
 * `user.contact.email` and itself, not `user.contactless`.
 *
 * @example
 * ```ts
 * categoryCovers('user.contact', 'user.contact.address.city'); // true
 * categoryCovers('user.contact', 'user.name');                 // false
 * ```
 * @category Legal taxonomy
 */
export function categoryCovers(parent: string, child: string): boolean {
  return child === parent || (child.length > parent.length && child.startsWith(parent) && child[parent.length] === '.');
}

/**
 * What a category is, as far as the law is concerned.
 *
 * @example
 * ```ts
 * const info: CategoryInfo | undefined = purposes.taxonomy.get('user.health_and_medical.genetic');
 * // { key: 'user.health_and_medical.genetic', sensitive: true, sensitiveKind: 'health', criminal: false, custom: false }
 * ```
 * @category Legal taxonomy
 */
export interface CategoryInfo {
  /** The dotted key. */
  readonly key: string;
  /** Sensitive personal data (LGPD Art. 5 II; GDPR Art. 9(1)). */
  readonly sensitive: boolean;
  /** The kind of sensitive data, e.g. `health`, when sensitive. */
  readonly sensitiveKind: string | undefined;
  /** Criminal convictions and offences (GDPR Art. 10). */
  readonly criminal: boolean;
  /** Built in (fideslang-compatible) or added by the user. */
  readonly custom: boolean;
}

/**
 * A custom category added under an existing root.
 *
 * @example
 * ```ts
 * const categories: Record<string, CustomCategory> = {
 *   'user.contact.whatsapp': { description: 'WhatsApp number' },
 *   'user.demographic.disability': { description: 'Disability the customer tells us about', sensitive: true },
 * };
 * createTaxonomy(categories).get('user.demographic.disability')?.sensitive; // true
 * // in an application: definePurposes(declarations, { categories })
 * ```
 * @category Legal taxonomy
 */
export interface CustomCategory {
  /** What the category holds. */
  readonly description?: string;
  /** Mark it sensitive even when its parent is not. A child of a sensitive key is always sensitive. */
  readonly sensitive?: boolean;
}

/**
 * The set of known categories: the built-in ones plus any custom keys. Created
 * once; lookups are cached.
 *
 * @example
 * ```ts
 * const t = createTaxonomy({ 'user.contact.telegram': { description: 'Telegram handle' } });
 * t.get('user.contact.telegram')?.sensitive;      // false
 * t.get('user.health_and_medical.genetic')?.sensitive; // true
 * t.get('user.contcat.email');                   // undefined: unknown
 * ```
 * @category Legal taxonomy
 */
export class Taxonomy {
  readonly #known = new Map<string, CategoryInfo>();
  readonly #customSensitive: string[] = [];

  /** @throws Error with a message naming the bad key, when a custom key is malformed or not under an existing key. */
  constructor(custom: Readonly<Record<string, CustomCategory>> = {}) {
    const keys = new Set<string>(BUILTIN_CATEGORIES);
    const added = Object.keys(custom).sort((a, b) => a.length - b.length);
    for (const key of added) {
      if (!KEY_RE.test(key)) throw new Error(`custom category "${key}" is not a dotted lowercase key`);
      const parent = key.slice(0, key.lastIndexOf('.'));
      if (!key.includes('.') || !keys.has(parent)) {
        throw new Error(
          `custom category "${key}" must sit under an existing category (its parent "${parent}" is unknown${didYouMean(parent, keys)})`,
        );
      }
      keys.add(key);
      if (custom[key]?.sensitive) this.#customSensitive.push(key);
    }
    for (const key of keys) this.#known.set(key, this.#describe(key, !BUILTIN_CATEGORIES.includes(key as BuiltinCategory)));
  }

  #describe(key: string, custom: boolean): CategoryInfo {
    let sensitiveKind: string | undefined;
    for (const root in SENSITIVE_ROOTS) if (categoryCovers(root, key)) sensitiveKind = SENSITIVE_ROOTS[root];
    if (!sensitiveKind && this.#customSensitive.some((root) => categoryCovers(root, key))) sensitiveKind = 'declared sensitive';
    return Object.freeze({
      key,
      sensitive: sensitiveKind !== undefined,
      sensitiveKind,
      criminal: CRIMINAL_ROOTS.some((root) => categoryCovers(root, key)),
      custom,
    });
  }

  /** The category's facts, or `undefined` when the key is unknown. */
  get(key: string): CategoryInfo | undefined {
    return this.#known.get(key);
  }

  /** Every known key, sorted. */
  keys(): string[] {
    return [...this.#known.keys()].sort();
  }
}

/**
 * Creates a {@link Taxonomy} with optional custom keys.
 *
 * @example
 * ```ts
 * const taxonomy = createTaxonomy({ 'user.contact.whatsapp': { description: 'WhatsApp number' } });
 * ```
 * @category Legal taxonomy
 */
export function createTaxonomy(custom?: Readonly<Record<string, CustomCategory>>): Taxonomy {
  return new Taxonomy(custom);
}
