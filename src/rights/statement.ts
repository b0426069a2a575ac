/**
 * What an access answer tells besides the data (GDPR Art. 15(1)(e)–(h),
 * 15(2); LGPD Art. 9, 18, 20): the subject's rights, where to complain, the
 * automated decisions taken with the data, and the safeguards of transfers
 * abroad. And what it leaves out: other people's data in the subject's records
 * (GDPR Art. 15(4), 20(4)).
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import type { RightsKind } from './deadlines.js';

/**
 * One right of the subject, with its article under each law in force and the
 * request kind that exercises it on this desk.
 *
 * @example
 * ```ts
 * const r: SubjectRight = {
 *   right: 'objection', description: 'Object to processing that does not rest on your consent',
 *   article: 'LGPD Art. 18 §2; GDPR Art. 21', request: 'opposition',
 * };
 * ```
 * @category Rights and retention
 */
export interface SubjectRight {
  readonly right: string;
  readonly description: string;
  readonly article: string;
  readonly request?: RightsKind;
}

/**
 * The right to complain to a data-protection authority (GDPR Art. 15(1)(f),
 * 77; LGPD Art. 18 §1).
 *
 * @example
 * ```ts
 * const c: ComplaintRight = {
 *   law: 'lgpd', authority: 'Autoridade Nacional de Proteção de Dados (ANPD)', url: 'https://www.gov.br/anpd/pt-br',
 *   article: 'LGPD Art. 18 §1, §8, 55-J V', how: 'after a complaint to the controller that was not resolved…',
 * };
 * ```
 * @category Rights and retention
 */
export interface ComplaintRight {
  readonly law: Jurisdiction;
  readonly authority: string;
  readonly url?: string;
  readonly article: string;
  /** What the law asks first, or where else the subject may turn. */
  readonly how?: string;
}

/**
 * An automated decision taken with the subject's data (GDPR Art. 15(1)(h);
 * LGPD Art. 20 §1), as its purpose declares it.
 *
 * @example
 * ```ts
 * const d: AutomatedDecisionInfo = {
 *   purpose: 'credit.limit', decision: 'the credit limit of your postpaid plan',
 *   logic: 'a score from late payments in the last 12 months', consequences: 'a lower score gives a lower limit',
 *   article: 'LGPD Art. 20 §1; GDPR Art. 15(1)(h), 22',
 * };
 * ```
 * @category Rights and retention
 */
export interface AutomatedDecisionInfo {
  readonly purpose: string;
  readonly decision: string;
  readonly logic: string;
  readonly consequences: string;
  readonly article: string;
}

/**
 * A transfer of the subject's data abroad and the safeguard it rests on
 * (GDPR Art. 15(2), 46; LGPD Art. 33).
 *
 * @example
 * ```ts
 * const t: TransferInfo = {
 *   purpose: 'billing.invoice', countries: ['US'], mechanism: 'standard_contractual_clauses',
 *   safeguard: 'standard contractual clauses', article: 'LGPD Art. 33 II b (Res. CD/ANPD 19/2024); GDPR Art. 46(2)(c)',
 * };
 * ```
 * @category Rights and retention
 */
export interface TransferInfo {
  readonly purpose: string;
  readonly countries: readonly string[];
  readonly mechanism: string;
  readonly safeguard: string;
  readonly article: string;
}

/**
 * How a field about another person is screened out of the subject's access
 * and portability answers (GDPR Art. 15(4), 20(4)): `'withhold'` leaves the
 * value out; a function returns the value with the other person's data
 * redacted (`undefined` withholds it). The function must not throw on a value
 * it cannot screen: an error stops the answer (`PF_OPTIONS_INVALID`).
 *
 * @example
 * ```ts
 * const agentName: Screen = 'withhold';
 * const text: Screen = (value) => (typeof value === 'string' ? redactNames(value) : undefined);
 * ```
 * @category Rights and retention
 */
export type Screen = 'withhold' | ((value: unknown) => unknown);

/**
 * Per schema id, per field path: the fields of a subject's records that hold
 * other people's data (a third party named in a ticket, the agent who
 * answered it).
 *
 * @example
 * ```ts
 * const aboutOthers: AboutOthers = { ticket: { 'assignee.agentName': 'withhold', text: (v) => redactNames(v) } };
 * const pf = createPurposeful({ …, rights: rightsDesk({ verify, sources, aboutOthers }) });
 * ```
 * @category Rights and retention
 */
export type AboutOthers = Readonly<Record<string, Readonly<Record<string, Screen>>>>;

/**
 * A value an access answer left out or redacted, and why (GDPR Art. 15(4)).
 *
 * @example
 * ```ts
 * const s: ScreenedField = { schema: 'ticket', record: 'T-1', field: 'agentName', outcome: 'withheld', article: 'GDPR Art. 15(4), 20(4)' };
 * ```
 * @category Rights and retention
 */
export interface ScreenedField {
  readonly schema: string;
  readonly record?: string;
  readonly field: string;
  readonly outcome: 'withheld' | 'redacted';
  readonly article: string;
}

/** The article of a screening. @internal */
export const SCREEN_ARTICLE = 'GDPR Art. 15(4), 20(4)';

/** The subject's rights, each with its article per law (LGPD Art. 9 VII, 18, 20; GDPR Art. 13(2)(b)–(c), 15(1)(e)). */
const RIGHTS: readonly {
  readonly right: string;
  readonly description: string;
  readonly lgpd?: string;
  readonly gdpr?: string;
  readonly request?: RightsKind;
}[] = [
  {
    right: 'confirmation',
    description: 'Be told whether we process personal data about you',
    lgpd: 'LGPD Art. 18 I, 19 I',
    gdpr: 'GDPR Art. 15(1)',
    request: 'confirmation',
  },
  {
    right: 'access',
    description: 'Have a copy of your personal data and be told how it is processed',
    lgpd: 'LGPD Art. 18 II, 19 II',
    gdpr: 'GDPR Art. 15',
    request: 'access',
  },
  {
    right: 'rectification',
    description: 'Have incomplete, inexact or outdated data corrected',
    lgpd: 'LGPD Art. 18 III',
    gdpr: 'GDPR Art. 16',
    request: 'correction',
  },
  {
    right: 'restriction',
    description:
      'Have data that is unnecessary, excessive or processed unlawfully blocked (a blocking request; for its elimination, an erasure request); have processing restricted while a dispute is settled',
    lgpd: 'LGPD Art. 18 IV',
    gdpr: 'GDPR Art. 18',
    request: 'blocking',
  },
  {
    right: 'erasure',
    description: 'Have data that is unnecessary, excessive or processed unlawfully deleted, except what the law lets us keep',
    lgpd: 'LGPD Art. 18 IV, 16',
    gdpr: 'GDPR Art. 17',
    request: 'erasure',
  },
  {
    right: 'consent-data-erasure',
    description: 'Have the data we process on your consent deleted, except what the law lets us keep',
    lgpd: 'LGPD Art. 18 VI, 16',
    gdpr: 'GDPR Art. 17(1)(b)',
    request: 'consent-data-erasure',
  },
  {
    right: 'portability',
    description: 'Receive your data in a structured, machine-readable format, to take it to another provider',
    lgpd: 'LGPD Art. 18 V',
    gdpr: 'GDPR Art. 20',
    request: 'portability',
  },
  {
    right: 'sharing',
    description: 'Be told which public and private entities we share your data with',
    lgpd: 'LGPD Art. 18 VII',
    gdpr: 'GDPR Art. 15(1)(c)',
    request: 'sharing-info',
  },
  {
    right: 'consent-refusal',
    description: 'Be told that you may refuse consent, and what follows from refusing',
    lgpd: 'LGPD Art. 18 VIII',
    request: 'consent-info',
  },
  {
    right: 'consent-withdrawal',
    description: 'Withdraw your consent at any time, as easily as you gave it; processing before stays lawful',
    lgpd: 'LGPD Art. 18 IX, 8 §5',
    gdpr: 'GDPR Art. 7(3)',
    request: 'revocation',
  },
  {
    right: 'objection',
    description:
      'Object to processing that does not rest on your consent: under the GDPR to processing for a public task or legitimate interests, and at any time to direct marketing',
    lgpd: 'LGPD Art. 18 §2',
    gdpr: 'GDPR Art. 21',
    request: 'opposition',
  },
  {
    right: 'automated-decision-review',
    description:
      'Ask for the review of a decision taken solely by automated means that affects you, be told its criteria, and state your point of view',
    lgpd: 'LGPD Art. 20',
    gdpr: 'GDPR Art. 22(3)',
    request: 'review',
  },
];

/** The subject's rights under the laws in force. @internal */
export function subjectRights(jurisdictions: readonly Jurisdiction[], kinds: readonly RightsKind[]): SubjectRight[] {
  const out: SubjectRight[] = [];
  for (const r of RIGHTS) {
    const article = [
      jurisdictions.includes('lgpd') ? r.lgpd : undefined,
      jurisdictions.includes('gdpr') ? r.gdpr : undefined,
    ].filter((a): a is string => a !== undefined);
    if (article.length === 0) continue;
    out.push({
      right: r.right,
      description: r.description,
      article: article.join('; '),
      ...(r.request && kinds.includes(r.request) ? { request: r.request } : {}),
    });
  }
  return out;
}

/** The LGPD authority's public site. */
const ANPD_URL = 'https://www.gov.br/anpd/pt-br';

/** Where the subject may complain, per law in force. @internal */
export function complaintRights(
  jurisdictions: readonly Jurisdiction[],
  supervisoryAuthority: { readonly name: string; readonly url?: string } | undefined,
): ComplaintRight[] {
  const out: ComplaintRight[] = [];
  if (jurisdictions.includes('lgpd')) {
    out.push({
      law: 'lgpd',
      authority: 'Autoridade Nacional de Proteção de Dados (ANPD)',
      url: ANPD_URL,
      article: 'LGPD Art. 18 §1, §8, 55-J V',
      how: 'a petition to the ANPD follows a request to the controller that was not resolved in the time regulation sets; consumer-protection bodies hear it too',
    });
  }
  if (jurisdictions.includes('gdpr')) {
    const where =
      'a supervisory authority, in particular in the Member State of your habitual residence, place of work or place of the alleged infringement';
    out.push({
      law: 'gdpr',
      authority: supervisoryAuthority?.name ?? where,
      ...(supervisoryAuthority?.url ? { url: supervisoryAuthority.url } : {}),
      article: 'GDPR Art. 15(1)(f), 77(1)',
      ...(supervisoryAuthority ? { how: `or ${where}` } : {}),
    });
  }
  return out;
}

/** The automated decisions among the purposes that process the subject's data. @internal */
export function automatedDecisions(used: readonly ResolvedPurpose[]): AutomatedDecisionInfo[] {
  return used
    .filter((p) => p.declaration.automatedDecision !== undefined)
    .map((p) => {
      const a = p.declaration.automatedDecision as NonNullable<typeof p.declaration.automatedDecision>;
      return {
        purpose: p.id,
        decision: a.decision,
        logic: a.logic,
        consequences: a.consequences,
        article: 'LGPD Art. 20 §1; GDPR Art. 15(1)(h), 22',
      };
    });
}

/** Each transfer mechanism: what it is, and its article under each law that has it. */
const SAFEGUARDS: Readonly<Record<string, { readonly safeguard: string; readonly lgpd?: string; readonly gdpr?: string }>> = {
  adequacy: {
    safeguard: 'a decision that the country ensures an adequate level of protection',
    lgpd: 'LGPD Art. 33 I',
    gdpr: 'GDPR Art. 45',
  },
  standard_contractual_clauses: {
    safeguard: 'standard contractual clauses',
    lgpd: 'LGPD Art. 33 II b (Res. CD/ANPD 19/2024)',
    gdpr: 'GDPR Art. 46(2)(c)',
  },
  specific_contractual_clauses: {
    safeguard: 'contractual clauses specific to this transfer, approved by the authority',
    lgpd: 'LGPD Art. 33 II a',
    gdpr: 'GDPR Art. 46(3)(a)',
  },
  binding_corporate_rules: {
    safeguard: 'binding corporate rules',
    lgpd: 'LGPD Art. 33 II c',
    gdpr: 'GDPR Art. 46(2)(b), 47',
  },
  certification: {
    safeguard: 'a seal, certificate or code of conduct',
    lgpd: 'LGPD Art. 33 II d',
    gdpr: 'GDPR Art. 46(2)(e), 46(2)(f)',
  },
  authority_authorization: {
    safeguard: 'an authorization of the data-protection authority',
    lgpd: 'LGPD Art. 33 V',
    gdpr: 'GDPR Art. 46(3)',
  },
  specific_consent: {
    safeguard:
      'your specific consent to the transfer, after being told of its risks; not an appropriate safeguard of GDPR Art. 46',
    lgpd: 'LGPD Art. 33 VIII',
    gdpr: 'GDPR Art. 49(1)(a)',
  },
  international_cooperation: {
    safeguard: 'international legal cooperation between public bodies',
    lgpd: 'LGPD Art. 33 III',
  },
  protection_of_life: {
    safeguard:
      'the protection of your life or physical safety, or of a third party; not an appropriate safeguard of GDPR Art. 46',
    lgpd: 'LGPD Art. 33 IV',
    gdpr: 'GDPR Art. 49(1)(f)',
  },
  derogation: {
    safeguard: 'a derogation for a specific situation; not an appropriate safeguard of GDPR Art. 46',
    gdpr: 'GDPR Art. 49(1)',
  },
};

/**
 * The transfers abroad among the purposes that process the subject's data,
 * with their safeguards. A mechanism may be one for every law, or one per law
 * (`{ lgpd, gdpr }`). @internal
 */
export function transfers(used: readonly ResolvedPurpose[], jurisdictions: readonly Jurisdiction[]): TransferInfo[] {
  const out: TransferInfo[] = [];
  for (const p of used) {
    const t = p.declaration.transfer as { readonly countries?: unknown; readonly mechanism?: unknown } | undefined;
    if (!t) continue;
    const countries = Array.isArray(t.countries) ? t.countries.filter((c): c is string => typeof c === 'string') : [];
    const perLaw: [Jurisdiction | undefined, unknown][] =
      typeof t.mechanism === 'object' && t.mechanism !== null
        ? jurisdictions.map((j) => [j, (t.mechanism as Record<string, unknown>)[j]])
        : [[undefined, t.mechanism]];
    // one entry per mechanism, with the articles of the laws it serves
    const byMechanism = new Map<string, Jurisdiction[]>();
    for (const [law, m] of perLaw) {
      if (typeof m !== 'string') continue;
      const laws = byMechanism.get(m) ?? [];
      laws.push(...(law ? [law] : jurisdictions));
      byMechanism.set(m, laws);
    }
    for (const [mechanism, laws] of byMechanism) {
      const s = SAFEGUARDS[mechanism];
      const article = [laws.includes('lgpd') ? s?.lgpd : undefined, laws.includes('gdpr') ? s?.gdpr : undefined]
        .filter((a): a is string => a !== undefined)
        .join('; ');
      out.push({
        purpose: p.id,
        countries,
        mechanism,
        safeguard: s?.safeguard ?? mechanism,
        article: article || 'LGPD Art. 33; GDPR Art. 44–49',
      });
    }
  }
  return out;
}

/** Checks `aboutOthers` against the registered schemas: known schemas, personal fields, known screens. @internal */
export function assertAboutOthers(
  aboutOthers: unknown,
  schemas: ReadonlyMap<string, PurposefulSchema>,
): asserts aboutOthers is AboutOthers | undefined {
  if (aboutOthers === undefined) return;
  const bad = (what: string) =>
    new PurposefulError('PF_OPTIONS_INVALID', `rights.aboutOthers: ${what}`, { article: SCREEN_ARTICLE });
  if (typeof aboutOthers !== 'object' || aboutOthers === null || Array.isArray(aboutOthers)) {
    throw bad('maps schema ids to { fieldPath: screen }');
  }
  for (const [sid, fields] of Object.entries(aboutOthers)) {
    const schema = schemas.get(sid);
    if (!schema) throw bad(`names schema "${sid}", which the engine does not handle`);
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw bad(`${sid} maps field paths to screens`);
    const paths = new Set(schema.fields.map((f) => f.path));
    for (const [path, screen] of Object.entries(fields as Record<string, unknown>)) {
      if (!paths.has(path)) throw bad(`${sid}.${path} is not a personal field of the schema`);
      if (screen !== 'withhold' && typeof screen !== 'function') {
        throw bad(`${sid}.${path} is screened with 'withhold' or a function that redacts the value`);
      }
    }
  }
}
