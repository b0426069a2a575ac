/**
 * Legal bases as typed keys with their article, and the rule tables of which
 * bases may serve sensitive data in each law.
 *
 * @module
 */

/**
 * The laws purposeful knows. All jurisdictions in force apply together.
 *
 * @example
 * ```ts
 * JURISDICTIONS; // ['lgpd', 'gdpr']
 * const isJurisdiction = (s: string): s is Jurisdiction => (JURISDICTIONS as readonly string[]).includes(s);
 * ```
 * @category Legal taxonomy
 */
export const JURISDICTIONS = ['lgpd', 'gdpr'] as const;

/**
 * `lgpd` (Brazil, Lei 13.709/2018) or `gdpr` (EU, Regulation 2016/679).
 *
 * @example
 * ```ts
 * const laws: Jurisdiction[] = customerInEU ? ['lgpd', 'gdpr'] : ['lgpd'];
 * const view = await pf.outbound(Customer, record, { purpose: 'support.ticket', actor, jurisdictions: laws });
 * ```
 * @category Legal taxonomy
 */
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/**
 * LGPD Art. 7: the bases for processing personal data, with their article.
 *
 * @example
 * ```ts
 * LGPD_BASES.legitimate_interest; // 'LGPD Art. 7 IX; Art. 10'
 * LGPD_BASES.contract;            // 'LGPD Art. 7 V'
 * ```
 * @category Legal taxonomy
 */
export const LGPD_BASES = {
  consent: 'LGPD Art. 7 I',
  legal_obligation: 'LGPD Art. 7 II',
  public_policy: 'LGPD Art. 7 III',
  research: 'LGPD Art. 7 IV',
  contract: 'LGPD Art. 7 V',
  exercise_of_rights: 'LGPD Art. 7 VI',
  protection_of_life: 'LGPD Art. 7 VII',
  health_protection: 'LGPD Art. 7 VIII',
  legitimate_interest: 'LGPD Art. 7 IX; Art. 10',
  credit_protection: 'LGPD Art. 7 X',
} as const;

/**
 * A key of {@link LGPD_BASES}.
 *
 * @example
 * ```ts
 * const basis: LgpdBasis = 'legal_obligation';
 * LGPD_BASES[basis]; // 'LGPD Art. 7 II'
 * ```
 * @category Legal taxonomy
 */
export type LgpdBasis = keyof typeof LGPD_BASES;

/**
 * LGPD Art. 11: the only bases for sensitive data (they replace Art. 7).
 * Legitimate interest, credit protection and contract are not among them
 * (a contract is reached only through `exercise_of_rights`, Art. 11 II d, by explicit choice).
 *
 * @example
 * ```ts
 * LGPD_SENSITIVE_BASES.fraud_prevention;          // 'LGPD Art. 11 II g'
 * 'legitimate_interest' in LGPD_SENSITIVE_BASES;  // false: no Art. 11 basis for it
 * ```
 * @category Legal taxonomy
 */
export const LGPD_SENSITIVE_BASES = {
  consent: 'LGPD Art. 11 I',
  legal_obligation: 'LGPD Art. 11 II a',
  public_policy: 'LGPD Art. 11 II b',
  research: 'LGPD Art. 11 II c',
  exercise_of_rights: 'LGPD Art. 11 II d',
  protection_of_life: 'LGPD Art. 11 II e',
  health_protection: 'LGPD Art. 11 II f',
  fraud_prevention: 'LGPD Art. 11 II g',
} as const;

/**
 * A key of {@link LGPD_SENSITIVE_BASES}.
 *
 * @example
 * ```ts
 * // the data is needed to perform the contract: under Art. 11 that is exercise of rights
 * const basis: LgpdSensitiveBasis = 'exercise_of_rights';
 * LGPD_SENSITIVE_BASES[basis]; // 'LGPD Art. 11 II d'
 * ```
 * @category Legal taxonomy
 */
export type LgpdSensitiveBasis = keyof typeof LGPD_SENSITIVE_BASES;

/**
 * GDPR Art. 6(1): the lawful bases, with their article.
 *
 * @example
 * ```ts
 * GDPR_BASES.legitimate_interests; // 'GDPR Art. 6(1)(f)'
 * GDPR_BASES.contract;             // 'GDPR Art. 6(1)(b)'
 * ```
 * @category Legal taxonomy
 */
export const GDPR_BASES = {
  consent: 'GDPR Art. 6(1)(a)',
  contract: 'GDPR Art. 6(1)(b)',
  legal_obligation: 'GDPR Art. 6(1)(c)',
  vital_interests: 'GDPR Art. 6(1)(d)',
  public_task: 'GDPR Art. 6(1)(e)',
  legitimate_interests: 'GDPR Art. 6(1)(f)',
} as const;

/**
 * A key of {@link GDPR_BASES}.
 *
 * @example
 * ```ts
 * const basis: GdprBasis = 'legal_obligation';
 * GDPR_BASES[basis]; // 'GDPR Art. 6(1)(c)'
 * ```
 * @category Legal taxonomy
 */
export type GdprBasis = keyof typeof GDPR_BASES;

/**
 * GDPR Art. 9(2): the conditions for special categories, applied on top of an Art. 6(1) basis.
 *
 * @example
 * ```ts
 * GDPR_SPECIAL_BASES.explicit_consent; // 'GDPR Art. 9(2)(a)'
 * GDPR_SPECIAL_BASES.health_care;      // 'GDPR Art. 9(2)(h)'
 * ```
 * @category Legal taxonomy
 */
export const GDPR_SPECIAL_BASES = {
  explicit_consent: 'GDPR Art. 9(2)(a)',
  employment_social_security: 'GDPR Art. 9(2)(b)',
  vital_interests: 'GDPR Art. 9(2)(c)',
  nonprofit_body: 'GDPR Art. 9(2)(d)',
  made_public: 'GDPR Art. 9(2)(e)',
  legal_claims: 'GDPR Art. 9(2)(f)',
  substantial_public_interest: 'GDPR Art. 9(2)(g)',
  health_care: 'GDPR Art. 9(2)(h)',
  public_health: 'GDPR Art. 9(2)(i)',
  research: 'GDPR Art. 9(2)(j)',
} as const;

/**
 * A key of {@link GDPR_SPECIAL_BASES}.
 *
 * @example
 * ```ts
 * const condition: GdprSpecialBasis = 'explicit_consent'; // on top of an Art. 6(1) basis
 * GDPR_SPECIAL_BASES[condition]; // 'GDPR Art. 9(2)(a)'
 * ```
 * @category Legal taxonomy
 */
export type GdprSpecialBasis = keyof typeof GDPR_SPECIAL_BASES;

/**
 * A purpose's legal basis in each law it is declared under.
 *
 * @example
 * ```ts
 * // note the keys: LGPD says legitimate_interest, GDPR legitimate_interests
 * const legalBasis: LegalBasisMap = { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' };
 * definePurposes({
 *   'analytics.churn': { description: 'Measure which customers stop using the service', legalBasis, retention: 'P1Y' },
 * });
 * ```
 * @category Legal taxonomy
 */
export interface LegalBasisMap {
  readonly lgpd?: LgpdBasis;
  readonly gdpr?: GdprBasis;
}

/**
 * A purpose's basis for sensitive data in each law: LGPD Art. 11 (replaces Art. 7), GDPR Art. 9(2) (adds to Art.
 * 6).
 *
 * @example
 * ```ts
 * const sensitiveBasis: SensitiveBasisMap = { lgpd: 'consent', gdpr: 'explicit_consent' };
 * // a purpose that reads health data declares it next to its legalBasis: { legalBasis, sensitiveBasis, … }
 * ```
 * @category Legal taxonomy
 */
export interface SensitiveBasisMap {
  readonly lgpd?: LgpdSensitiveBasis;
  readonly gdpr?: GdprSpecialBasis;
}

/**
 * Bases that may never serve sensitive data, with why, per law.
 *
 * @example
 * ```ts
 * SENSITIVE_NOT_ALLOWED.lgpd.legitimate_interest;
 * // 'legitimate interest cannot serve sensitive data (LGPD Art. 11 has no such basis)'
 * SENSITIVE_NOT_ALLOWED.gdpr.consent; // 'special categories need explicit consent: use explicit_consent (GDPR Art. 9(2)(a))'
 * ```
 * @category Legal taxonomy
 */
export const SENSITIVE_NOT_ALLOWED: Readonly<Record<Jurisdiction, Readonly<Record<string, string>>>> = Object.freeze({
  lgpd: Object.freeze({
    legitimate_interest: 'legitimate interest cannot serve sensitive data (LGPD Art. 11 has no such basis)',
    credit_protection: 'credit protection cannot serve sensitive data (LGPD Art. 11 has no such basis)',
    contract:
      'a contract is not an Art. 11 basis; use exercise_of_rights (Art. 11 II d) if the data is needed to exercise rights under the contract',
  }),
  gdpr: Object.freeze({
    legitimate_interests: 'legitimate interests are not a GDPR Art. 9(2) condition',
    contract: 'a contract is not a GDPR Art. 9(2) condition',
    consent: 'special categories need explicit consent: use explicit_consent (GDPR Art. 9(2)(a))',
    public_task: 'use substantial_public_interest (GDPR Art. 9(2)(g)) where a law provides for it',
    legal_obligation:
      'GDPR Art. 9(2) has no plain legal-obligation condition: use employment_social_security (b) or substantial_public_interest (g)',
  }),
});

/**
 * The article of a basis key in a law, or `undefined` when the key is not a basis of that law.
 *
 * @example
 * ```ts
 * basisArticle('lgpd', 'contract');               // 'LGPD Art. 7 V'
 * basisArticle('gdpr', 'explicit_consent', true); // 'GDPR Art. 9(2)(a)'
 * basisArticle('lgpd', 'contract', true);         // undefined: not an Art. 11 basis
 * ```
 * @category Legal taxonomy
 */
export function basisArticle(jurisdiction: Jurisdiction, basis: string, sensitive = false): string | undefined {
  const table: Readonly<Record<string, string>> =
    jurisdiction === 'lgpd' ? (sensitive ? LGPD_SENSITIVE_BASES : LGPD_BASES) : sensitive ? GDPR_SPECIAL_BASES : GDPR_BASES;
  return Object.hasOwn(table, basis) ? table[basis] : undefined;
}

/**
 * True when a basis key means the subject's consent (`consent` in either law,
 * `explicit_consent` under GDPR Art. 9(2)(a)).
 *
 * @example
 * ```ts
 * isConsentBasis('explicit_consent'); // true
 * isConsentBasis('contract');         // false
 * ```
 * @category Legal taxonomy
 */
export function isConsentBasis(basis: string | undefined): boolean {
  return basis === 'consent' || basis === 'explicit_consent';
}
