/**
 * `definePurposes()`: the purposes registry, which is also the notice
 * (LGPD Art. 9) and the spine of the data map (LGPD Art. 37, GDPR Art. 30).
 *
 * @module
 */

import type { DeclarationProblem } from '../errors.js';
import { PurposefulError } from '../errors.js';
import {
  isConsentBasis,
  JURISDICTIONS,
  type Jurisdiction,
  type LegalBasisMap,
  type SensitiveBasisMap,
} from '../taxonomy/bases.js';
import { type CustomCategory, Taxonomy } from '../taxonomy/categories.js';
import { type Duration, parseDuration } from './duration.js';
import { callSite } from './site.js';
import { validatePurposeDeclarations } from './validate-purposes.js';

/**
 * How personal data may leave the country (LGPD Art. 33; GDPR Art. 45–49).
 *
 * @example
 * ```ts
 * const mechanism: TransferMechanism = 'standard_contractual_clauses';
 * // a helpdesk SaaS hosted in the US, in a purpose declaration:
 * const transfer = { countries: ['US'], mechanism };
 * ```
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
  | 'derogation';

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
]);

/**
 * A third party the data is shared with for the purpose (LGPD Art. 9 V, 18 VII; GDPR Art. 13(1)(e)).
 *
 * @example
 * ```ts
 * const nfe: Recipient = { name: 'NF-e issuing service', role: 'processor', country: 'BR' };
 * // in the 'billing.invoice' declaration: recipients: [nfe]
 * ```
 */
export interface Recipient {
  readonly name: string;
  /** `processor` (operador) acts on our behalf; `controller` decides on its own. */
  readonly role: 'processor' | 'controller' | 'joint_controller';
  /** ISO 3166-1 alpha-2 country where the recipient processes the data. */
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
 */
export interface Notice {
  /** Version of the notice text, e.g. a date. */
  readonly version: string;
  /** Where the notice is published. */
  readonly url?: string;
  /** A material change (new purpose, recipients, use) invalidates earlier consent (LGPD Art. 8 §6). */
  readonly material?: boolean;
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
  /** International transfer, with its mechanism. */
  readonly transfer?: { readonly countries: readonly string[]; readonly mechanism: TransferMechanism };
  /** Actor roles allowed to act for this purpose. */
  readonly roles?: readonly string[];
  /** Whether a second factor is required: for clear access to sensitive fields, or always. */
  readonly mfa?: 'never' | 'sensitive' | 'always';
  /** A fideslang data use (`essential.service`, `marketing.email`, …), for the data map. */
  readonly dataUse?: string;
  /**
   * For a `legal_obligation` basis: the rule that obliges, e.g. `'Decreto
   * 11.034/2022 (SAC): call recordings kept at least 90 days'`. Told to the
   * subject when an erasure retains data for it (LGPD Art. 16 I), and shown in
   * the data map.
   */
  readonly obligation?: string;
}

/**
 * The controller and its encarregado / DPO (LGPD Art. 41; GDPR Art. 37–39), declared once.
 *
 * @example
 * ```ts
 * const controller: Controller = {
 *   name: 'Exemplo Suporte Ltda', contact: 'privacidade@example.com.br',
 *   dpo: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
 * };
 * const purposes = definePurposes(declarations, { controller });
 * ```
 */
export interface Controller {
  readonly name: string;
  readonly contact: string;
  readonly dpo?: { readonly name?: string; readonly contact: string };
}

/**
 * Options of {@link definePurposes}.
 *
 * @example
 * ```ts
 * const options: PurposesOptions = {
 *   controller: { name: 'Exemplo Suporte Ltda', contact: 'privacidade@example.com.br', dpo: { contact: 'dpo@example.com.br' } },
 *   categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } },
 * };
 * const purposes = definePurposes(declarations, options);
 * ```
 */
export interface PurposesOptions {
  /** The controller and its DPO contact. */
  readonly controller?: Controller;
  /** Custom categories under existing keys, e.g. `user.contact.whatsapp`. */
  readonly categories?: Readonly<Record<string, CustomCategory>>;
}

/**
 * A purpose as the engine uses it: the declaration, checked and pre-computed.
 *
 * @example
 * ```ts
 * const invoice: ResolvedPurpose | undefined = purposes.get('billing.invoice');
 * invoice?.retention; // { duration: { years: 5, … }, iso: 'P5Y', from: 'invoice.issued' }
 * invoice?.laws;      // ['lgpd', 'gdpr']
 * purposes.get('support.survey')?.consentUnder; // ['lgpd', 'gdpr']: consent must be on record
 * ```
 */
export interface ResolvedPurpose {
  readonly id: string;
  readonly declaration: PurposeDeclaration;
  /** Laws this purpose names a basis under. */
  readonly laws: readonly Jurisdiction[];
  /** The parsed retention. */
  readonly retention: { readonly duration: Duration; readonly iso: string; readonly from: string | undefined };
  /** Laws under which this purpose rests on consent (legal or sensitive basis). */
  readonly consentUnder: readonly Jurisdiction[];
  /** Laws under which this purpose's sensitive-data basis is consent. */
  readonly sensitiveConsentUnder: readonly Jurisdiction[];
}

const PURPOSES_KIND = Symbol.for('purposeful.purposes');

/**
 * The registry `definePurposes` returns. `Ids` are the declared purpose ids, for types.
 *
 * @example
 * ```ts
 * purposes.ids;           // ['support.ticket', 'support.accessibility', 'support.survey', 'billing.invoice', 'analytics.churn']
 * purposes.jurisdictions; // ['lgpd', 'gdpr']
 * purposes.get('marketing.email'); // undefined: nobody declared it
 * type AppPurpose = (typeof purposes.ids)[number];
 * ```
 */
export interface Purposes<Ids extends string = string> {
  /** @internal brand */
  readonly [PURPOSES_KIND]: true;
  /** Every declared purpose id, in declaration order. */
  readonly ids: readonly Ids[];
  /** The resolved purpose, or `undefined` for an id nobody declared. */
  get(id: string): ResolvedPurpose | undefined;
  /** Laws named anywhere in the declarations: the default jurisdictions. */
  readonly jurisdictions: readonly Jurisdiction[];
  /** The controller and DPO. */
  readonly controller: Controller | undefined;
  /** Built-in plus custom categories. */
  readonly taxonomy: Taxonomy;
  /** Warnings found (errors throw). */
  readonly problems: readonly DeclarationProblem[];
  /** Where `definePurposes` was called. */
  readonly declaredAt: string | undefined;
}

/**
 * True when `value` is a registry made by {@link definePurposes}.
 *
 * @example
 * ```ts
 * isPurposes(purposes);     // true
 * isPurposes({ ids: [] });  // false: only definePurposes() makes a registry
 * ```
 */
export function isPurposes(value: unknown): value is Purposes {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PURPOSES_KIND] === true;
}

function resolve(id: string, decl: PurposeDeclaration): ResolvedPurpose {
  const laws = JURISDICTIONS.filter((j) => decl.legalBasis?.[j] !== undefined);
  const iso = typeof decl.retention === 'string' ? decl.retention : decl.retention.duration;
  const consentUnder = JURISDICTIONS.filter(
    (j) => isConsentBasis(decl.legalBasis?.[j]) || isConsentBasis(decl.sensitiveBasis?.[j]),
  );
  const sensitiveConsentUnder = JURISDICTIONS.filter((j) => isConsentBasis(decl.sensitiveBasis?.[j]));
  return Object.freeze({
    id,
    declaration: decl,
    laws: Object.freeze(laws),
    retention: Object.freeze({
      duration: parseDuration(iso) as Duration,
      iso,
      from: typeof decl.retention === 'string' ? undefined : decl.retention.from,
    }),
    consentUnder: Object.freeze(consentUnder),
    sensitiveConsentUnder: Object.freeze(sensitiveConsentUnder),
  });
}

/**
 * Declares the purposes personal data may be processed for, each with its legal
 * basis per law, retention, recipients, transfers and (for consent) notice.
 * Every problem is checked at once; errors throw one `PF_DECLARATION_INVALID`
 * listing them all, warnings are kept in `problems`.
 *
 * @example
 * ```ts
 * export const purposes = definePurposes({
 *   'support.ticket': {
 *     description: 'Answer the customer about their support request',
 *     legalBasis: { lgpd: 'contract', gdpr: 'contract' },
 *     retention: 'P2Y',
 *     roles: ['support'],
 *   },
 *   'billing.invoice': {
 *     description: 'Issue the invoice required by tax law',
 *     legalBasis: { lgpd: 'legal_obligation', gdpr: 'legal_obligation' },
 *     retention: { duration: 'P5Y', from: 'invoice.issued' },
 *   },
 * }, { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.com.br', dpo: { contact: 'dpo@acme.com.br' } } });
 * ```
 */
export function definePurposes<const D extends Readonly<Record<string, PurposeDeclaration>>>(
  declarations: D,
  options: PurposesOptions = {},
): Purposes<Extract<keyof D, string>> {
  const declaredAt = callSite();
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw new PurposefulError('PF_DECLARATION_INVALID', 'definePurposes() expects an object of purpose declarations');
  }
  let taxonomy: Taxonomy;
  try {
    taxonomy = new Taxonomy(options.categories ?? {});
  } catch (err) {
    throw new PurposefulError('PF_DECLARATION_INVALID', `definePurposes(): ${(err as Error).message}`);
  }
  const problems = validatePurposeDeclarations(declarations, options, declaredAt);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    throw new PurposefulError(
      'PF_DECLARATION_INVALID',
      `purpose declarations have ${errors.length} error(s): ${errors.map((p) => `${p.code} at ${p.purpose ?? '(options)'}`).join('; ')}`,
      { problems },
    );
  }
  const ids = Object.keys(declarations) as Extract<keyof D, string>[];
  const resolved = new Map<string, ResolvedPurpose>();
  for (const id of ids) resolved.set(id, resolve(id, declarations[id] as PurposeDeclaration));
  const jurisdictions = JURISDICTIONS.filter((j) => ids.some((id) => resolved.get(id)?.laws.includes(j)));
  return Object.freeze({
    [PURPOSES_KIND]: true as const,
    ids: Object.freeze(ids),
    get: (id: string) => resolved.get(id),
    jurisdictions: Object.freeze(jurisdictions),
    controller: options.controller,
    taxonomy,
    problems: Object.freeze(problems),
    declaredAt,
  });
}
