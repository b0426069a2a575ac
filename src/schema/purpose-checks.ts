/**
 * The checks of one purpose declaration, in the order its problems are
 * reported: each step reads one part of the declaration (its bases, notice,
 * retention, recipients, transfer, controller qualification, the smaller
 * properties) and adds what is wrong with it.
 *
 * @module
 * @internal
 */
import type { DeclarationProblem } from '../errors.js';
import { basisArticle, isConsentBasis, JURISDICTIONS, type Jurisdiction, SENSITIVE_NOT_ALLOWED } from '../taxonomy/bases.js';
import { DATA_USE_ROOTS } from '../taxonomy/uses.js';
import { didYouMean } from '../util/closest.js';
import { answerProblems } from './answers.js';
import type { PurposesOptions } from './declaration.js';
import { type ControllerKind, TRANSFER_MECHANISMS, type TransferMechanism } from './declaration.js';
import { parseDuration } from './duration.js';
import { erasureGroundProblems } from './grounds.js';
import { problem } from './rules.js';

const GENERIC_ID_SEGMENTS = new Set([
  'any',
  'all',
  'general',
  'generic',
  'misc',
  'other',
  'others',
  'default',
  'everything',
  'geral',
  'outros',
  'todos',
  'qualquer',
  'diversos',
]);
const GENERIC_PHRASES = [
  'any purpose',
  'all purposes',
  'any use',
  'any other',
  'general purpose',
  'other purposes',
  'miscellaneous',
  'various purposes',
  'business purposes',
  'improve our services',
  'legitimate business',
  'as needed',
  'qualquer finalidade',
  'quaisquer finalidades',
  'finalidades diversas',
  'fins diversos',
  'outras finalidades',
  'uso geral',
  'todos os fins',
  'melhorar nossos serviços',
  'conforme necessário',
];
const MIN_DESCRIPTION = 15;

/**
 * Brazil and the EEA (the 27 EU member states, Iceland, Liechtenstein and Norway): data moves between them on the
 * mutual adequacy decisions (LGPD Art. 33 I with Res. CD/ANPD 32/2026; GDPR Art. 45 with Commission Implementing
 * Decision (EU) 2026/179). A recipient anywhere else needs a declared transfer and its mechanism.
 */
const ADEQUATE = new Set(
  'BR AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);
/** Who each controller kind is, as the law says it. */
const KIND_WHO: Readonly<Record<ControllerKind, string>> = {
  research_body: 'a research body',
  public_administration: 'the public administration',
  health_service: 'health professionals, health services or a health authority',
};
interface Qualified {
  readonly law: Jurisdiction;
  readonly sensitive: boolean;
  readonly basis: string;
  readonly kind: ControllerKind;
  readonly article: string;
}
const qualified = (law: Jurisdiction, sensitive: boolean, basis: string, kind: ControllerKind, article: string): Qualified => ({
  law,
  sensitive,
  basis,
  kind,
  article,
});
/** Bases only some controllers may use: the kind of controller and the article. */
const QUALIFIED: readonly Qualified[] = [
  qualified('lgpd', false, 'research', 'research_body', 'LGPD Art. 5 XVIII, 7 IV'),
  qualified('lgpd', true, 'research', 'research_body', 'LGPD Art. 5 XVIII, 11 II c'),
  qualified('lgpd', false, 'public_policy', 'public_administration', 'LGPD Art. 7 III'),
  qualified('lgpd', true, 'public_policy', 'public_administration', 'LGPD Art. 11 II b'),
  qualified('lgpd', false, 'health_protection', 'health_service', 'LGPD Art. 7 VIII'),
  qualified('lgpd', true, 'health_protection', 'health_service', 'LGPD Art. 11 II f'),
  // a health professional subject to professional secrecy, or someone under their responsibility
  qualified('gdpr', true, 'health_care', 'health_service', 'GDPR Art. 9(2)(h), 9(3)'),
];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a purpose id or description is generic, or `undefined` when it is specific enough. */
export function genericReason(id: string, description: unknown): string | undefined {
  if (id.includes('*')) return 'its id is a wildcard';
  const seg = id.split('.').find((s) => GENERIC_ID_SEGMENTS.has(s));
  if (seg) return `its id segment "${seg}" is catch-all`;
  if (typeof description !== 'string' || description.trim().length < MIN_DESCRIPTION) {
    return `its description is empty or shorter than ${MIN_DESCRIPTION} characters`;
  }
  const d = description.toLowerCase();
  const phrase = GENERIC_PHRASES.find((p) => d.includes(p));
  if (phrase) return `its description is catch-all ("${phrase}")`;
  return undefined;
}

/** One purpose under check: its id and declaration, where it was declared, and what the whole registry says. */
export interface PurposeCheck {
  readonly id: string;
  readonly d: Record<string, unknown>;
  readonly at: { readonly purpose: string; readonly declaredAt: string | undefined };
  /** `d.legalBasis`, read once. */
  readonly lb: unknown;
  /** `d.sensitiveBasis`, read once. */
  readonly sb: unknown;
  /** The laws any purpose of the registry names a basis under (all jurisdictions in force apply together). */
  readonly lawsNamed: ReadonlySet<Jurisdiction>;
  readonly options: PurposesOptions;
  readonly problems: DeclarationProblem[];
}

/** The mechanism the declared transfer names under a law (one for every law, or one per law). */
function transferMechanism(d: Record<string, unknown>, j: Jurisdiction): unknown {
  const m = isPlainObject(d.transfer) ? d.transfer.mechanism : undefined;
  return isPlainObject(m) ? m[j] : m;
}

/** A purpose states what it is for: no catch-all id or description. */
function genericPurpose({ id, d, at, problems }: PurposeCheck): void {
  const why = genericReason(id, d.description);
  if (why) {
    problems.push(
      problem(
        'PF_DECL_GENERIC_PURPOSE',
        `purpose "${id}" is generic: ${why}. State the specific purpose the subject is told about.`,
        at,
      ),
    );
  }
}

/** A basis under each law in force, each one a basis of that law. */
function legalBases({ id, at, lb, lawsNamed, problems }: PurposeCheck): void {
  if (!isPlainObject(lb) || JURISDICTIONS.every((j) => lb[j] === undefined)) {
    problems.push(
      problem('PF_DECL_LEGAL_BASIS_MISSING', `purpose "${id}" declares no legal basis (legalBasis: { lgpd, gdpr })`, at),
    );
  } else {
    for (const key of Object.keys(lb)) {
      if (!(JURISDICTIONS as readonly string[]).includes(key)) {
        problems.push(
          problem('PF_DECL_INVALID', `purpose "${id}": unknown law "${key}" in legalBasis${didYouMean(key, JURISDICTIONS)}`, at),
        );
      }
    }
    for (const j of JURISDICTIONS) {
      const basis = lb[j];
      if (basis === undefined) {
        if (lawsNamed.has(j)) {
          problems.push(
            problem(
              'PF_DECL_LEGAL_BASIS_MISSING',
              `purpose "${id}" has no ${j.toUpperCase()} basis while other purposes are declared under ${j.toUpperCase()}; all jurisdictions in force apply together`,
              { ...at, article: j === 'lgpd' ? 'LGPD Art. 7' : 'GDPR Art. 6(1)' },
            ),
          );
        }
        continue;
      }
      if (typeof basis !== 'string' || !basisArticle(j, basis)) {
        problems.push(
          problem('PF_DECL_LEGAL_BASIS_INVALID', `purpose "${id}": "${String(basis)}" is not a ${j.toUpperCase()} basis`, {
            ...at,
            article: j === 'lgpd' ? 'LGPD Art. 7' : 'GDPR Art. 6(1)',
          }),
        );
      }
    }
  }
}

/** Sensitive bases: allowed for sensitive data, and under the GDPR on top of an Art. 6(1) basis. */
function sensitiveBases({ id, at, lb, sb, problems }: PurposeCheck): void {
  if (sb !== undefined) {
    if (!isPlainObject(sb)) {
      problems.push(problem('PF_DECL_INVALID', `purpose "${id}": sensitiveBasis must be { lgpd?, gdpr? }`, at));
    } else {
      for (const j of JURISDICTIONS) {
        const basis = sb[j];
        if (basis === undefined) continue;
        const article = j === 'lgpd' ? 'LGPD Art. 11' : 'GDPR Art. 9(2)';
        const notAllowed =
          typeof basis === 'string' && Object.hasOwn(SENSITIVE_NOT_ALLOWED[j], basis)
            ? SENSITIVE_NOT_ALLOWED[j][basis]
            : undefined;
        if (notAllowed) {
          problems.push(problem('PF_DECL_SENSITIVE_BASIS_NOT_ALLOWED', `purpose "${id}": ${notAllowed}`, { ...at, article }));
        } else if (typeof basis !== 'string' || !basisArticle(j, basis, true)) {
          problems.push(
            problem(
              'PF_DECL_LEGAL_BASIS_INVALID',
              `purpose "${id}": "${String(basis)}" is not a sensitive-data basis under ${j.toUpperCase()}`,
              { ...at, article },
            ),
          );
        } else if (j === 'gdpr' && isPlainObject(lb) && lb.gdpr === undefined) {
          problems.push(
            problem(
              'PF_DECL_LEGAL_BASIS_MISSING',
              `purpose "${id}": a GDPR Art. 9(2) condition applies on top of an Art. 6(1) basis; declare legalBasis.gdpr too`,
              { ...at, article: 'GDPR Art. 6(1), 9(2)' },
            ),
          );
        }
      }
    }
  }
}

/** A notice well formed, and declared when the purpose rests on consent. */
function consentNotice({ id, d, at, lb, sb, problems }: PurposeCheck): void {
  const consent =
    (isPlainObject(lb) && JURISDICTIONS.some((j) => isConsentBasis(lb[j] as string | undefined))) ||
    (isPlainObject(sb) && JURISDICTIONS.some((j) => isConsentBasis(sb[j] as string | undefined))) ||
    // LGPD Art. 33 VIII; GDPR Art. 49(1)(a): a transfer on specific consent is informed beforehand
    (isPlainObject(lb) && JURISDICTIONS.some((j) => lb[j] !== undefined && transferMechanism(d, j) === 'specific_consent'));
  const notice = d.notice;
  if (notice !== undefined && (!isPlainObject(notice) || typeof notice.version !== 'string' || !notice.version)) {
    problems.push(problem('PF_DECL_INVALID', `purpose "${id}": notice must be { version, url?, material? }`, at));
  } else if (
    isPlainObject(notice) &&
    notice.withdrawal !== undefined &&
    (typeof notice.withdrawal !== 'string' || notice.withdrawal.trim() === '' || notice.withdrawal.length > 500)
  ) {
    problems.push(
      problem('PF_DECL_INVALID', `purpose "${id}": notice.withdrawal must say how to withdraw, in 1–500 characters`, {
        ...at,
        article: 'LGPD Art. 8 §5; GDPR Art. 7(3)',
      }),
    );
  } else if (consent && notice === undefined) {
    problems.push(
      problem(
        'PF_DECL_NOTICE_MISSING',
        `purpose "${id}" rests on consent but declares no notice version (notice: { version, url, material })`,
        at,
      ),
    );
  }
}

/** A positive retention, and the event it counts from. */
function retention({ id, d, at, problems }: PurposeCheck): void {
  const r = d.retention;
  if (r === undefined) {
    problems.push(problem('PF_DECL_RETENTION_MISSING', `purpose "${id}" declares no retention (e.g. retention: 'P2Y')`, at));
  } else {
    const iso = typeof r === 'string' ? r : isPlainObject(r) ? r.duration : undefined;
    const parsed = typeof iso === 'string' ? parseDuration(iso) : undefined;
    const positive = parsed && Object.values(parsed).some((n) => n > 0);
    if (!positive) {
      problems.push(
        problem(
          'PF_DECL_RETENTION_INVALID',
          `purpose "${id}": retention must be a positive ISO-8601 duration such as 'P2Y', or { duration, from }`,
          at,
        ),
      );
    } else if (isPlainObject(r) && (typeof r.from !== 'string' || !r.from)) {
      problems.push(
        problem('PF_DECL_RETENTION_INVALID', `purpose "${id}": retention.from must name the event it counts from`, at),
      );
    }
  }
}

/** Recipients: named, with their role and country. */
function recipients({ id, d, at, problems }: PurposeCheck): void {
  if (d.recipients !== undefined) {
    const ok =
      Array.isArray(d.recipients) &&
      d.recipients.every(
        (x) =>
          isPlainObject(x) &&
          typeof x.name === 'string' &&
          x.name.length > 0 &&
          (x.role === 'processor' || x.role === 'controller' || x.role === 'joint_controller') &&
          (x.country === undefined || (typeof x.country === 'string' && /^[A-Z]{2}$/.test(x.country))),
      );
    if (!ok) {
      problems.push(
        problem(
          'PF_DECL_INVALID',
          `purpose "${id}": recipients must be [{ name, role: 'processor' | 'controller' | 'joint_controller', country? (ISO alpha-2) }]`,
          at,
        ),
      );
    }
  }
}

/** LGPD Art. 7 §5: a controller that obtained consent needs specific consent to share the data with other controllers. */
function sharingConsent({ id, d, at, lb, sb, problems }: PurposeCheck): void {
  const lgpdConsent =
    (isPlainObject(lb) && isConsentBasis(lb.lgpd as string | undefined)) ||
    (isPlainObject(sb) && isConsentBasis(sb.lgpd as string | undefined));
  const controllers = Array.isArray(d.recipients)
    ? d.recipients.filter((x) => isPlainObject(x) && (x.role === 'controller' || x.role === 'joint_controller'))
    : [];
  if (lgpdConsent && controllers.length > 0) {
    problems.push(
      problem(
        'PF_DECL_SHARING_SPECIFIC_CONSENT',
        `purpose "${id}" rests on consent and shares the data with other controllers (${controllers.map((x) => String(x.name)).join(', ')}): consent must be specific to that sharing; grants name them in sharedWith, and the engine refuses a grant that does not`,
        { ...at, article: 'LGPD Art. 7 §5' },
      ),
    );
  }
}

/** A declared transfer names its countries and a mechanism under each law the purpose is declared under. */
function transfer({ id, d, at, lb, problems }: PurposeCheck): void {
  const purposeLaws = isPlainObject(lb) ? JURISDICTIONS.filter((j) => lb[j] !== undefined) : [];
  if (d.transfer !== undefined) {
    const t = d.transfer;
    const m = isPlainObject(t) ? t.mechanism : undefined;
    const isMechanism = (x: unknown): x is TransferMechanism => TRANSFER_MECHANISMS.includes(x as TransferMechanism);
    const ok =
      isPlainObject(t) &&
      Array.isArray(t.countries) &&
      t.countries.length > 0 &&
      t.countries.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c)) &&
      (isMechanism(m) ||
        (isPlainObject(m) &&
          Object.keys(m).length > 0 &&
          Object.entries(m).every(([law, x]) => (JURISDICTIONS as readonly string[]).includes(law) && isMechanism(x))));
    if (!ok) {
      problems.push(
        problem(
          'PF_DECL_TRANSFER_MECHANISM_MISSING',
          `purpose "${id}": transfer must name its countries (ISO alpha-2) and a mechanism, one for every law or { lgpd?, gdpr? } (${TRANSFER_MECHANISMS.join(', ')})`,
          at,
        ),
      );
    } else {
      // a mechanism under each law the purpose is declared under
      for (const j of purposeLaws) {
        if (transferMechanism(d, j) === undefined) {
          problems.push(
            problem(
              'PF_DECL_TRANSFER_MECHANISM_MISSING',
              `purpose "${id}": the transfer names no mechanism under the ${j.toUpperCase()} (transfer.mechanism.${j})`,
              { ...at, article: j === 'lgpd' ? 'LGPD Art. 33; Res. CD/ANPD 19/2024' : 'GDPR Art. 44–49' },
            ),
          );
        }
      }
    }
  }
}

/** LGPD Art. 33; GDPR Art. 44: a recipient outside Brazil and the EEA receives a transfer that needs a mechanism. */
function recipientCountries({ id, d, at, problems }: PurposeCheck): void {
  if (Array.isArray(d.recipients)) {
    const declared = isPlainObject(d.transfer) && Array.isArray(d.transfer.countries) ? (d.transfer.countries as unknown[]) : [];
    for (const r of d.recipients) {
      if (!isPlainObject(r) || typeof r.country !== 'string' || !/^[A-Z]{2}$/.test(r.country)) continue;
      if (ADEQUATE.has(r.country) || declared.includes(r.country)) continue;
      problems.push(
        problem(
          'PF_DECL_TRANSFER_UNDECLARED',
          `purpose "${id}": recipient "${String(r.name)}" processes the data in ${r.country}, outside Brazil and the EEA: an international transfer; declare transfer: { countries: ['${r.country}'], mechanism } with a mechanism under each law`,
          at,
        ),
      );
    }
  }
}

/** Bases only some controllers may use. */
function qualifiedController({ id, at, lb, sb, options, problems }: PurposeCheck): void {
  const kinds = isPlainObject(options.controller) && Array.isArray(options.controller.kinds) ? options.controller.kinds : [];
  for (const q of QUALIFIED) {
    const map = q.sensitive ? sb : lb;
    if (!isPlainObject(map) || map[q.law] !== q.basis || (kinds as readonly string[]).includes(q.kind)) continue;
    problems.push(
      problem(
        'PF_DECL_QUALIFIED_CONTROLLER',
        `purpose "${id}": the ${q.law.toUpperCase()} basis "${q.basis}" is open only to ${KIND_WHO[q.kind]}; if the controller is one, declare controller.kinds: ['${q.kind}']`,
        { ...at, article: q.article },
      ),
    );
  }
}

/** Roles, second factor, data use, offer to children and legal obligation, each well formed. */
function smallProperties({ id, d, at, problems }: PurposeCheck): void {
  if (d.roles !== undefined && !(Array.isArray(d.roles) && d.roles.every((x) => typeof x === 'string' && x.length > 0))) {
    problems.push(problem('PF_DECL_INVALID', `purpose "${id}": roles must be a list of role names`, at));
  }
  if (d.mfa !== undefined && d.mfa !== 'never' && d.mfa !== 'sensitive' && d.mfa !== 'always') {
    problems.push(problem('PF_DECL_INVALID', `purpose "${id}": mfa must be 'never', 'sensitive' or 'always'`, at));
  }
  if (d.dataUse !== undefined) {
    const root = typeof d.dataUse === 'string' ? d.dataUse.split('.')[0] : undefined;
    if (!root || !(DATA_USE_ROOTS as readonly string[]).includes(root)) {
      problems.push(
        problem('PF_DECL_DATA_USE_UNKNOWN', `purpose "${id}": data use "${String(d.dataUse)}" is not under a fideslang root`, at),
      );
    }
  }
  if (d.offeredDirectlyToChildren !== undefined && typeof d.offeredDirectlyToChildren !== 'boolean') {
    problems.push(
      problem('PF_DECL_INVALID', `purpose "${id}": offeredDirectlyToChildren must be true or false`, {
        ...at,
        article: 'GDPR Art. 8(1)',
      }),
    );
  }
  if (d.obligation !== undefined) {
    const bases = Object.values((d.legalBasis ?? {}) as Record<string, unknown>);
    if (typeof d.obligation !== 'string' || d.obligation.trim() === '' || d.obligation.length > 300) {
      problems.push(problem('PF_DECL_INVALID', `purpose "${id}": obligation must name the rule, in 1–300 characters`, at));
    } else if (!bases.includes('legal_obligation')) {
      problems.push(
        problem('PF_DECL_INVALID', `purpose "${id}": obligation names a rule, but no legal basis is legal_obligation`, at),
      );
    }
  }
}

/** Erasure grounds, and what the answers to subjects tell. */
function groundsAndAnswers({ id, d, at, problems }: PurposeCheck): void {
  // erasure grounds: LGPD Art. 16, 7 VI / 11 II d; GDPR Art. 17(3)
  problems.push(...erasureGroundProblems(id, d, at));
  // what the answers to subjects tell: LGPD Art. 18 VIII, 9 §3, 20; GDPR Art. 22
  problems.push(...answerProblems(id, d, at));
}

/** No property the declaration format does not know. */
function unknownProperties({ id, d, at, problems }: PurposeCheck): void {
  for (const key of Object.keys(d)) {
    if (!KNOWN.has(key)) {
      problems.push(problem('PF_DECL_INVALID', `purpose "${id}": unknown property "${key}"${didYouMean(key, KNOWN)}`, at));
    }
  }
}

/** The properties of a purpose declaration. */
const KNOWN = new Set([
  'description',
  'legalBasis',
  'sensitiveBasis',
  'retention',
  'notice',
  'recipients',
  'transfer',
  'roles',
  'mfa',
  'dataUse',
  'obligation',
  'keptOnErasure',
  'claim',
  'offeredDirectlyToChildren',
  'ifRefused',
  'automatedDecision',
]);

/** The checks of one declaration, in the order their problems are reported. */
export const PURPOSE_CHECKS: ReadonlyArray<(c: PurposeCheck) => void> = [
  genericPurpose,
  legalBases,
  sensitiveBases,
  consentNotice,
  retention,
  recipients,
  sharingConsent,
  transfer,
  recipientCountries,
  qualifiedController,
  smallProperties,
  groundsAndAnswers,
  unknownProperties,
];
