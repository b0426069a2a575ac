/**
 * What a purpose declaration says: the declaration, its controller, recipients,
 * notice and transfer abroad, and the erasure grounds it may name. Checked by
 * `validate-purposes.ts`, resolved by `definePurposes()`.
 *
 * @module
 */
import { JURISDICTIONS, type Jurisdiction, type LegalBasisMap, type SensitiveBasisMap } from '../taxonomy/bases.js';
import type { CustomCategory } from '../taxonomy/categories.js';

/**
 * A ground on which a purpose's data is kept when its subject asks for erasure:
 *
 * - `legal_obligation`: a legal or regulatory obligation of the controller (LGPD Art. 16 I; GDPR Art. 17(3)(b)).
 * - `public_task`: a task in the public interest or in the exercise of official authority (GDPR Art. 17(3)(b)).
 * - `public_health`: public interest in public health, under GDPR Art. 9(2)(h)/(i) (GDPR Art. 17(3)(c)).
 * - `research`: study by a research body, anonymized where possible (LGPD Art. 16 II); archiving, research or
 *   statistics under Art. 89(1) (GDPR Art. 17(3)(d)).
 * - `transfer`: transfer to a third party under the requirements of the law (LGPD Art. 16 III).
 * - `legal_claims`: the exercise of rights in judicial, administrative or arbitral proceedings (LGPD Art. 7 VI,
 *   11 II d); the establishment, exercise or defence of legal claims (GDPR Art. 17(3)(e)).
 *
 * LGPD Art. 16 IV (the controller's exclusive use) keeps data only once anonymized: that is a field's
 * `anonymize`, not a ground on which personal data survives.
 *
 * @example
 * ```ts
 * const grounds: ErasureGround[] = ['legal_obligation'];
 * // in a purpose declaration: { legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' }, keptOnErasure: grounds, … }
 * ```
 * @category Rights and retention
 */
export type ErasureGround = 'legal_obligation' | 'public_task' | 'public_health' | 'research' | 'transfer' | 'legal_claims';

/**
 * How personal data may leave the country (LGPD Art. 33; GDPR Art. 45–49).
 *
 * @example
 * ```ts
 * const mechanism: TransferMechanism = 'standard_contractual_clauses';
 * // a helpdesk SaaS hosted in the US, in a purpose declaration:
 * const transfer = { countries: ['US'], mechanism };
 * ```
 * @category Declaring
 */
export type TransferMechanism =
  | 'adequacy'
  | 'standard_contractual_clauses'
  | 'specific_contractual_clauses'
  | 'binding_corporate_rules'
  | 'certification'
  | 'specific_consent'
  | 'authority_authorization'
  | 'international_cooperation'
  | 'protection_of_life'
  | 'derogation'
  | 'public_policy';

/**
 * The transfer mechanism under each law, where they differ (the LGPD's
 * standard clauses are Res. CD/ANPD 19/2024's, the GDPR's the Commission's).
 *
 * @example
 * ```ts
 * const mechanism: TransferMechanisms = { lgpd: 'standard_contractual_clauses', gdpr: 'adequacy' };
 * const transfer = { countries: ['US'], mechanism };
 * ```
 * @category Declaring
 */
export type TransferMechanisms = { readonly [J in Jurisdiction]?: TransferMechanism };

/**
 * The transfer mechanisms, for validation.
 *
 * @example
 * ```ts
 * const mechanism = process.env.TRANSFER_MECHANISM ?? '';
 * if (!(TRANSFER_MECHANISMS as readonly string[]).includes(mechanism)) {
 *   throw new Error(`unknown transfer mechanism "${mechanism}"`);
 * }
 * ```
 * @category Declaring
 */
export const TRANSFER_MECHANISMS: readonly TransferMechanism[] = Object.freeze([
  'adequacy',
  'standard_contractual_clauses',
  'specific_contractual_clauses',
  'binding_corporate_rules',
  'certification',
  'specific_consent',
  'authority_authorization',
  'international_cooperation',
  'protection_of_life',
  'derogation',
  'public_policy',
]);

/**
 * What each transfer mechanism is under each law: LGPD Art. 33 (with Res.
 * CD/ANPD 19/2024) and GDPR Art. 45–49.
 *
 * @example
 * ```ts
 * TRANSFER_MECHANISM_ARTICLES.lgpd.specific_consent; // 'LGPD Art. 33 VIII'
 * TRANSFER_MECHANISM_ARTICLES.gdpr.specific_consent; // 'GDPR Art. 49(1)(a)'
 * ```
 * @category Declaring
 */
export const TRANSFER_MECHANISM_ARTICLES: Readonly<Record<Jurisdiction, Readonly<Record<TransferMechanism, string>>>> =
  Object.freeze({
    lgpd: Object.freeze({
      adequacy: 'LGPD Art. 33 I, 34',
      specific_contractual_clauses: 'LGPD Art. 33 II a; Res. CD/ANPD 19/2024',
      standard_contractual_clauses: 'LGPD Art. 33 II b; Res. CD/ANPD 19/2024',
      binding_corporate_rules: 'LGPD Art. 33 II c; Res. CD/ANPD 19/2024',
      certification: 'LGPD Art. 33 II d',
      international_cooperation: 'LGPD Art. 33 III, VI',
      protection_of_life: 'LGPD Art. 33 IV',
      authority_authorization: 'LGPD Art. 33 V',
      public_policy: 'LGPD Art. 33 VII',
      specific_consent: 'LGPD Art. 33 VIII',
      derogation: 'LGPD Art. 33 IX',
    }),
    gdpr: Object.freeze({
      adequacy: 'GDPR Art. 45',
      standard_contractual_clauses: 'GDPR Art. 46(2)(c)',
      specific_contractual_clauses: 'GDPR Art. 46(3)(a)',
      binding_corporate_rules: 'GDPR Art. 46(2)(b), 47',
      certification: 'GDPR Art. 46(2)(e)–(f)',
      international_cooperation: 'GDPR Art. 46(2)(a)',
      authority_authorization: 'GDPR Art. 46(3)',
      public_policy: 'GDPR Art. 49(1)(d)',
      specific_consent: 'GDPR Art. 49(1)(a)',
      protection_of_life: 'GDPR Art. 49(1)(f)',
      derogation: 'GDPR Art. 49(1)',
    }),
  });

/**
 * The mechanism of a transfer under one law: a single mechanism stands for
 * every law the purpose is declared under; a per-law map names each.
 *
 * @example
 * ```ts
 * transferMechanismUnder({ countries: ['US'], mechanism: { lgpd: 'standard_contractual_clauses' } }, 'lgpd'); // 'standard_contractual_clauses'
 * transferMechanismUnder({ countries: ['US'], mechanism: 'adequacy' }, 'gdpr');                                // 'adequacy'
 * ```
 * @category Declaring
 */
export function transferMechanismUnder(
  transfer: PurposeDeclaration['transfer'],
  law: Jurisdiction,
): TransferMechanism | undefined {
  const m = transfer?.mechanism;
  return typeof m === 'string' ? m : m?.[law];
}

/**
 * A transfer's mechanism in words, for the data map and answers to subjects:
 * `standard_contractual_clauses`, or `lgpd: standard_contractual_clauses; gdpr: adequacy`.
 *
 * @example
 * ```ts
 * describeTransferMechanism({ lgpd: 'specific_consent', gdpr: 'standard_contractual_clauses' });
 * // 'lgpd: specific_consent; gdpr: standard_contractual_clauses'
 * ```
 * @category Declaring
 */
export function describeTransferMechanism(mechanism: TransferMechanism | TransferMechanisms): string {
  if (typeof mechanism === 'string') return mechanism;
  return JURISDICTIONS.filter((j) => mechanism[j] !== undefined)
    .map((j) => `${j}: ${mechanism[j]}`)
    .join('; ');
}

/**
 * A third party the data is shared with for the purpose (LGPD Art. 9 V, 18 VII; GDPR Art. 13(1)(e)).
 *
 * @example
 * ```ts
 * const nfe: Recipient = { name: 'NF-e issuing service', role: 'processor', country: 'BR' };
 * // in the 'billing.invoice' declaration: recipients: [nfe]
 * ```
 * @category Declaring
 */
export interface Recipient {
  readonly name: string;
  /** `processor` (operador) acts on our behalf; `controller` decides on its own. */
  readonly role: 'processor' | 'controller' | 'joint_controller';
  /**
   * ISO 3166-1 alpha-2 country where the recipient processes the data. Outside Brazil and the EEA (between which the
   * mutual adequacy decisions of January 2026 apply: Res. CD/ANPD 32/2026; Commission Implementing Decision (EU)
   * 2026/179) the purpose must declare a `transfer` to it (LGPD Art. 33; GDPR Art. 44–46).
   */
  readonly country?: string;
}

/**
 * Retention: an ISO-8601 duration, optionally counted from an event (default: collection).
 *
 * @example
 * ```ts
 * const survey: Retention = 'P6M';                                       // six months from collection
 * const invoices: Retention = { duration: 'P5Y', from: 'invoice.issued' }; // five years from an event
 * ```
 * @category Declaring
 */
export type Retention = string | { readonly duration: string; readonly from: string };

/**
 * The notice the subject was shown, for consent-based purposes (LGPD Art. 8–9; GDPR Art. 7, 13).
 *
 * @example
 * ```ts
 * const notice: Notice = { version: '2026-11-01', url: 'https://example.com/privacy#survey', material: true };
 * // a consent-based purpose must carry it: { legalBasis: { lgpd: 'consent', gdpr: 'consent' }, notice, … }
 * ```
 * @category Declaring
 */
export interface Notice {
  /** Version of the notice text, e.g. a date. */
  readonly version: string;
  /** Where the notice is published. */
  readonly url?: string;
  /**
   * A material change (new purpose, recipients, use). purposeful's policy, and the GDPR's rule for a new purpose
   * (Art. 6(1)(a), 6(4)), is to ask again: earlier grants stop allowing processing (`PF_CONSENT_STALE_NOTICE`). What
   * the LGPD itself requires of any change is to inform the subject, beforehand for a change of purpose, who may
   * revoke (Art. 8 §6, Art. 9 §2): list them with `subjectsToInform`.
   */
  readonly material?: boolean;
  /**
   * How the subject withdraws consent, free of charge and as easily as it was given (LGPD Art. 8 §5; GDPR Art. 7(3)):
   * a URL or a short instruction. Consent receipts state it as their Kantara `termination`; without it they name the
   * controller's DPO contact.
   */
  readonly withdrawal?: string;
}

/**
 * A decision taken solely by automated means (LGPD Art. 20; GDPR Art. 22), declared on its purpose: what it
 * decides, the criteria and procedure it follows (LGPD Art. 20 §1, trade secrets kept), and what it means for the
 * subject (GDPR Art. 15(1)(h)).
 *
 * @example
 * ```ts
 * const creditLimit: AutomatedDecision = {
 *   decision: 'the credit limit of your postpaid plan',
 *   logic: 'a score from the number of late payments in the last 12 months and the plan you hold',
 *   consequences: 'a lower score gives a lower limit; below a threshold the plan is prepaid only',
 * };
 * // in a purpose declaration: { …, automatedDecision: creditLimit }
 * ```
 * @category Declaring
 */
export interface AutomatedDecision {
  /** What is decided, e.g. `the credit limit of your postpaid plan`. */
  readonly decision: string;
  /** The criteria and procedure used (LGPD Art. 20 §1; GDPR Art. 15(1)(h): meaningful information about the logic). */
  readonly logic: string;
  /** The significance and the envisaged consequences for the subject (GDPR Art. 15(1)(h)). */
  readonly consequences: string;
}

/**
 * The declaration of one purpose.
 *
 * @example
 * ```ts
 * const survey: PurposeDeclaration = {
 *   description: 'Ask for satisfaction feedback after a ticket closes',
 *   legalBasis: { lgpd: 'consent', gdpr: 'consent' }, retention: 'P6M',
 *   notice: { version: '2026-11-01', url: 'https://example.com/privacy#survey' },
 * };
 * const purposes = definePurposes({ 'support.survey': survey });
 * ```
 * @category Declaring
 */
export interface PurposeDeclaration {
  /** A specific description (LGPD Art. 6 I). Generic ones are rejected. */
  readonly description: string;
  /** The legal basis per law: LGPD Art. 7, GDPR Art. 6(1). */
  readonly legalBasis: LegalBasisMap;
  /** Required when the purpose touches sensitive fields: LGPD Art. 11 (replaces Art. 7), GDPR Art. 9(2) (adds to Art. 6). */
  readonly sensitiveBasis?: SensitiveBasisMap;
  /** How long data kept for this purpose may be kept (LGPD Art. 15–16; GDPR Art. 5(1)(e)). */
  readonly retention: Retention;
  /** For consent-based purposes: the notice version consent is given for. */
  readonly notice?: Notice;
  /** Third parties the data is shared with. */
  readonly recipients?: readonly Recipient[];
  /**
   * International transfer: the countries and the mechanism, one for every law or one per law (LGPD Art. 33;
   * Res. CD/ANPD 19/2024; GDPR Art. 44–49). Required for a recipient outside Brazil and the EEA.
   * `specific_consent` makes the purpose need that consent in the ledger, specific and highlighted.
   */
  readonly transfer?: {
    readonly countries: readonly string[];
    readonly mechanism: TransferMechanism | TransferMechanisms;
  };
  /** Actor roles allowed to act for this purpose. */
  readonly roles?: readonly string[];
  /** Whether a second factor is required: for clear access to sensitive fields, or always. */
  readonly mfa?: 'never' | 'sensitive' | 'always';
  /** A fideslang data use (`essential.service`, `marketing.email`, …), for the data map. */
  readonly dataUse?: string;
  /**
   * For a purpose that rests on consent: what follows for a subject who does not consent, told to them in a
   * `consent-info` answer (LGPD Art. 18 VIII; where the processing is a condition of the service, Art. 9 §3).
   * Without it the answer says nothing of the consequences.
   */
  readonly ifRefused?: string;
  /**
   * A decision the purpose takes solely by automated means that affects the subject (LGPD Art. 20; GDPR Art. 22):
   * told in access answers (GDPR Art. 15(1)(h); LGPD Art. 20 §1) and open to a `review` request.
   */
  readonly automatedDecision?: AutomatedDecision;
  /**
   * The purpose is an information-society service offered directly to children (GDPR Art. 8(1)): under the GDPR a
   * subject under the digital consent age (`gdprDigitalConsentAge`, 16 by default) then needs the consent of a
   * holder of parental responsibility. Without it the GDPR Art. 8 age does not apply to the purpose; LGPD Art. 14
   * §1 (children under 12) applies to every consent purpose whatever this says.
   */
  readonly offeredDirectlyToChildren?: boolean;
  /**
   * For a `legal_obligation` basis: the rule that obliges, e.g. `'Decreto
   * 11.034/2022 (SAC): call recordings kept at least 90 days'`. Told to the
   * subject when an erasure retains data for it (LGPD Art. 16 I), and shown in
   * the data map.
   */
  readonly obligation?: string;
  /**
   * The grounds on which this purpose's data survives an erasure request (LGPD
   * Art. 16 I–III, Art. 7 VI / 11 II d; GDPR Art. 17(3)(b)–(e)), each of which
   * must fit the purpose's basis. A field a ground keeps stays under the
   * subject's retained key, and after the erasure opens only for the purposes
   * that keep it, until their retention ends. Default: `['legal_obligation']`
   * when a legal basis is `legal_obligation`, else none; `[]` keeps nothing.
   */
  readonly keptOnErasure?: readonly ErasureGround[];
  /**
   * For the `legal_claims` ground without an `exercise_of_rights` basis: the
   * claim or proceedings the data is kept for, e.g. `'consumer claims (CDC
   * Art. 27: five years)'`. Told to the subject in the erasure answer.
   */
  readonly claim?: string;
}

/**
 * The controller and its encarregado / DPO (LGPD Art. 41; GDPR Art. 37–39), declared once.
 *
 * @example
 * ```ts
 * const controller: Controller = {
 *   name: 'Exemplo Suporte Ltda', id: '11.222.333/0001-81', contact: 'privacidade@example.com.br',
 *   dpo: { name: 'Maria Souza', contact: 'dpo@example.com.br' },
 * };
 * const purposes = definePurposes(declarations, { controller });
 * ```
 * @category Declaring
 */
export interface Controller {
  readonly name: string;
  readonly contact: string;
  /**
   * Its CNPJ, or CPF for a natural person, with or without punctuation (`'11.222.333/0001-81'`). Checked by its
   * check digits. The incident report names the controller with it (Res. CD/ANPD 15/2024 Art. 6 §2 IX).
   */
  readonly id?: string;
  /**
   * The encarregado / DPO. Under the LGPD its identity and contact are published (Art. 41 §1; Res. CD/ANPD
   * 18/2024): `name` is a person's full name, or a company's name with the full name of the person responsible.
   */
  readonly dpo?: { readonly name?: string; readonly contact: string };
  /**
   * What the controller is, where a legal basis is only open to some controllers: a research body (LGPD Art. 5
   * XVIII, 7 IV, 11 II c), the public administration (Art. 7 III, 11 II b), health professionals, services or a
   * health authority (Art. 7 VIII, 11 II f; GDPR Art. 9(2)(h), 9(3)). Without it those bases are warned about.
   */
  readonly kinds?: readonly ControllerKind[];
}

/**
 * A kind of controller some legal bases require.
 *
 * @example
 * ```ts
 * const kinds: ControllerKind[] = ['public_administration', 'research_body']; // a public university
 * definePurposes(declarations, { controller: { name, contact, dpo, kinds } });
 * ```
 * @category Declaring
 */
export type ControllerKind = 'research_body' | 'public_administration' | 'health_service';

/**
 * The controller kinds, for validation.
 *
 * @example
 * ```ts
 * CONTROLLER_KINDS.includes('research_body'); // true
 * ```
 * @category Declaring
 */
export const CONTROLLER_KINDS: readonly ControllerKind[] = Object.freeze([
  'research_body',
  'public_administration',
  'health_service',
]);

/**
 * Options of {@link definePurposes}.
 *
 * @example
 * ```ts
 * const options: PurposesOptions = {
 *   controller: {
 *     name: 'Exemplo Suporte Ltda', contact: 'privacidade@example.com.br',
 *     dpo: { name: 'Maria Souza', contact: 'dpo@example.com.br' },
 *   },
 *   categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } },
 * };
 * const purposes = definePurposes(declarations, options);
 * ```
 * @category Declaring
 */
export interface PurposesOptions<C extends Readonly<Record<string, CustomCategory>> = Readonly<Record<string, CustomCategory>>> {
  /** The controller and its DPO contact. */
  readonly controller?: Controller;
  /** Custom categories under existing keys, e.g. `user.contact.whatsapp`. */
  readonly categories?: C;
}
