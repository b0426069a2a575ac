/**
 * `definePurposes()`: the purposes registry. It holds the facts of the notice
 * it declares (LGPD Art. 9 I–V: purpose, duration, controller and contact,
 * shared use) and is the spine of the data map (LGPD Art. 37, GDPR Art. 30).
 *
 * @module
 */

import type { DeclarationProblem } from '../errors.js';
import { PurposefulError } from '../errors.js';
import { isConsentBasis, JURISDICTIONS, type Jurisdiction } from '../taxonomy/bases.js';
import { type CustomCategory, Taxonomy } from '../taxonomy/categories.js';
import { type Controller, type PurposeDeclaration, type PurposesOptions, transferMechanismUnder } from './declaration.js';
import { type Duration, parseDuration } from './duration.js';
import { declarationErrorMessage } from './first-problem.js';
import { type ErasureGround, erasureGroundsOf } from './grounds.js';
import { callSite } from './site.js';
import { validatePurposeDeclarations } from './validate-purposes.js';

export {
  type AutomatedDecision,
  CONTROLLER_KINDS,
  type Controller,
  type ControllerKind,
  describeTransferMechanism,
  type Notice,
  type PurposeDeclaration,
  type PurposesOptions,
  type Recipient,
  type Retention,
  TRANSFER_MECHANISM_ARTICLES,
  TRANSFER_MECHANISMS,
  type TransferMechanism,
  type TransferMechanisms,
  transferMechanismUnder,
} from './declaration.js';

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
 * @category Declaring
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
  /** Laws under which this purpose's international transfer rests on specific, highlighted consent (LGPD Art. 33 VIII; GDPR Art. 49(1)(a)). */
  readonly transferConsentUnder: readonly Jurisdiction[];
  /**
   * Laws under which the consent ledger must hold the subject's consent before processing for this purpose: its
   * consent bases and a transfer on specific consent. Its basis stays what `consentUnder` says.
   */
  readonly ledgerConsentUnder: readonly Jurisdiction[];
  /** Laws under which this purpose's sensitive-data basis is consent. */
  readonly sensitiveConsentUnder: readonly Jurisdiction[];
  /** The grounds its data survives an erasure on: `keptOnErasure`, or its default (LGPD Art. 16; GDPR Art. 17(3)). */
  readonly erasureGrounds: readonly ErasureGround[];
}

const PURPOSES_KIND = Symbol.for('purposeful.purposes');
declare const CUSTOM_CATEGORIES: unique symbol;

/**
 * The registry `definePurposes` returns. `Ids` are the declared purpose ids and
 * `Categories` the custom category keys, for types (see `Register`).
 *
 * @example
 * ```ts
 * purposes.ids;           // ['support.ticket', 'support.accessibility', 'support.survey', 'billing.invoice', 'analytics.churn']
 * purposes.jurisdictions; // ['lgpd', 'gdpr']
 * purposes.get('marketing.email'); // undefined: nobody declared it
 * type AppPurpose = (typeof purposes.ids)[number];
 * ```
 * @category Declaring
 */
export interface Purposes<Ids extends string = string, Categories extends string = string> {
  /** @internal brand */
  readonly [PURPOSES_KIND]: true;
  /** @internal the custom category keys, for the types (see `Register`); absent at runtime */
  readonly [CUSTOM_CATEGORIES]?: Categories;
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
 * @category Declaring
 */
export function isPurposes(value: unknown): value is Purposes {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PURPOSES_KIND] === true;
}

function resolve(id: string, decl: PurposeDeclaration): ResolvedPurpose {
  const laws = JURISDICTIONS.filter((j) => decl.legalBasis?.[j] !== undefined);
  const iso = typeof decl.retention === 'string' ? decl.retention : decl.retention.duration;
  const transferConsentUnder = JURISDICTIONS.filter(
    (j) => decl.legalBasis?.[j] !== undefined && transferMechanismUnder(decl.transfer, j) === 'specific_consent',
  );
  const consentUnder = JURISDICTIONS.filter(
    (j) => isConsentBasis(decl.legalBasis?.[j]) || isConsentBasis(decl.sensitiveBasis?.[j]),
  );
  const ledgerConsentUnder = JURISDICTIONS.filter((j) => consentUnder.includes(j) || transferConsentUnder.includes(j));
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
    transferConsentUnder: Object.freeze(transferConsentUnder),
    ledgerConsentUnder: Object.freeze(ledgerConsentUnder),
    sensitiveConsentUnder: Object.freeze(sensitiveConsentUnder),
    erasureGrounds: Object.freeze([...erasureGroundsOf(decl)]),
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
 * }, { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.com.br', dpo: { name: 'Maria Souza', contact: 'dpo@acme.com.br' } } });
 * ```
 * @category Declaring
 */
export function definePurposes<
  const D extends Readonly<Record<string, PurposeDeclaration>>,
  const C extends Readonly<Record<string, CustomCategory>> = {},
>(declarations: D, options: PurposesOptions<C> = {}): Purposes<Extract<keyof D, string>, Extract<keyof C, string>> {
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
    throw new PurposefulError('PF_DECLARATION_INVALID', declarationErrorMessage('the purpose declarations', errors, declaredAt), {
      problems,
    });
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
