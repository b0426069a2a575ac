/**
 * `incidentReport()`: the communication of an incident, in Markdown and JSON,
 * with the contents LGPD Art. 48 §1 requires (nature of the data, subjects
 * involved, technical and security measures, risks, reasons for any delay,
 * measures taken) and those of GDPR Art. 33(3). Subjects appear as counts,
 * never as identifiers or values.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { IncidentDeadlines } from './deadlines.js';
import type { IncidentScope } from './scope.js';

/**
 * What the people handling the incident know and decided: the facts a scope
 * cannot compute.
 *
 * @example
 * ```ts
 * const facts: IncidentFacts = {
 *   id: 'INC-2026-014', title: 'Bulk read by a compromised agent account',
 *   description: 'An agent account read customer records far beyond its tickets between 02:10 and 02:40.',
 *   knownAt: new Date('2026-11-29T09:00:00-03:00'),
 *   risks: 'Phishing aimed at the customers whose contact data were read.',
 *   measures: ['Account blocked by the anomaly watch at 02:40', 'Password and sessions reset'],
 *   contact: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
 * };
 * ```
 */
export interface IncidentFacts {
  readonly id: string;
  readonly title: string;
  /** What happened (the nature of the incident). */
  readonly description: string;
  readonly knownAt: Date;
  readonly occurredAt?: Date;
  /** Likely consequences for the subjects (LGPD Art. 48 §1 IV; GDPR Art. 33(3)(c)). */
  readonly risks: string;
  /** Measures taken or to be taken to reverse or mitigate the effects (LGPD Art. 48 §1 VI; GDPR Art. 33(3)(d)). */
  readonly measures: readonly string[];
  /** Why the communication was not immediate, when it was not (LGPD Art. 48 §1 V). */
  readonly delayReasons?: string;
  /** The encarregado / DPO (GDPR Art. 33(3)(b)). */
  readonly contact: { readonly name?: string; readonly contact: string };
  /** Technical and security measures protecting the data, beyond those the declarations show. */
  readonly safeguards?: readonly string[];
}

/**
 * The report, as data and as Markdown.
 *
 * @example
 * ```ts
 * const { json, markdown } = incidentReport({ facts, scope, deadlines });
 * await register.add({ id: facts.id, knownAt: facts.knownAt.toISOString(), report: json, notified: false });
 * ```
 */
export interface IncidentReport {
  readonly json: Readonly<Record<string, unknown>>;
  readonly markdown: string;
}

const CRITERIA_TEXT: Record<string, string> = {
  sensitiveData: 'sensitive personal data',
  childrenAdolescentsOrElderly: 'data of children, adolescents or elderly people',
  financialData: 'financial data',
  authenticationData: 'authentication data',
  secrecyProtectedData: 'data protected by legal, judicial or professional secrecy',
  largeScale: 'data at large scale',
};

/**
 * Builds the report of an incident from its facts, its scope and its deadlines.
 *
 * @example
 * ```ts
 * const scope = await scopeIncident(input, { log: audit, schemas });
 * const deadlines = incidentDeadlines({ knownAt: facts.knownAt });
 * const { markdown } = incidentReport({ facts, scope, deadlines });
 * ```
 */
export function incidentReport(input: {
  readonly facts: IncidentFacts;
  readonly scope: IncidentScope;
  readonly deadlines: IncidentDeadlines;
}): IncidentReport {
  const { facts, scope, deadlines } = input;
  if (typeof facts?.id !== 'string' || typeof facts.description !== 'string' || !(facts.knownAt instanceof Date)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentReport() needs facts with id, description and knownAt');
  }
  const unreadable = scope.exposedFields.filter((f) => !f.intelligible);
  const safeguards = [
    ...(facts.safeguards ?? []),
    ...(unreadable.length
      ? [
          `Encrypted fields that stayed unintelligible (keys not exposed): ${unreadable.map((f) => `${f.schema}.${f.path}`).join(', ')}`,
        ]
      : []),
    'Every access to personal data recorded in a tamper-evident access log',
  ];
  const json = {
    id: facts.id,
    title: facts.title,
    nature: facts.description,
    knownAt: facts.knownAt.toISOString(),
    ...(facts.occurredAt ? { occurredAt: facts.occurredAt.toISOString() } : {}),
    data: { categories: scope.categories, sensitiveCategories: scope.sensitiveCategories, exposedFields: scope.exposedFields },
    subjects: {
      count: scope.subjects.count,
      throughTheEngine: scope.subjects.refs.length,
      fromExposedStores: scope.subjects.fromStores,
      ageGroups: scope.subjects.ageGroups,
    },
    criteria: scope.criteriaMet,
    safeguards,
    risks: facts.risks,
    delayReasons: facts.delayReasons ?? null,
    measures: facts.measures,
    contact: facts.contact,
    deadlines: {
      anpd: deadlines.lgpd.anpd.toISOString(),
      subjects: deadlines.lgpd.subjects.toISOString(),
      businessDays: deadlines.lgpd.businessDays,
      ...(deadlines.lgpd.complement ? { complement: deadlines.lgpd.complement.toISOString() } : {}),
      gdprAuthority: deadlines.gdpr.authority.toISOString(),
    },
    window: scope.window,
    accessesThroughTheEngine: scope.events,
  };
  const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => `- ${x}`).join('\n') : '- none');
  const g = scope.subjects.ageGroups;
  const markdown = `# Incident ${facts.id}: ${facts.title}

Known at ${json.knownAt}${json.occurredAt ? `; occurred at ${json.occurredAt}` : ''}. Window examined: ${scope.window.from} to ${scope.window.to}.

## Deadlines
- ANPD and subjects (LGPD Art. 48; Res. CD/ANPD 15/2024): **${json.deadlines.anpd}** (${deadlines.lgpd.businessDays} business days)
- GDPR supervisory authority (Art. 33(1)): **${json.deadlines.gdprAuthority}** (72 hours)${deadlines.lgpd.complement ? `\n- Complement to the ANPD: ${json.deadlines.complement}` : ''}

## Nature of the incident and of the data (Art. 48 §1 I; GDPR Art. 33(3)(a))
${facts.description}

Categories of data: ${scope.categories.join(', ') || 'none found'}.
Sensitive data: ${scope.sensitiveCategories.join(', ') || 'none'}.

## Subjects involved (Art. 48 §1 II)
- ${scope.subjects.count} subject(s): ${scope.subjects.refs.length} through the engine, ${scope.subjects.fromStores} from exposed stores
- children: ${g.children}, adolescents: ${g.adolescents}, elderly people: ${g.elderly}, age unknown: ${g.unknown}

Criteria of relevant risk or damage that hold (Res. 15/2024): ${scope.criteriaMet.map((c) => CRITERIA_TEXT[c]).join('; ') || 'none'}.

## Technical and security measures (Art. 48 §1 III)
${list(safeguards)}

## Risks (Art. 48 §1 IV; GDPR Art. 33(3)(c))
${facts.risks}

## Reasons for delay (Art. 48 §1 V)
${facts.delayReasons ?? 'The communication is within the deadline.'}

## Measures taken or planned (Art. 48 §1 VI; GDPR Art. 33(3)(d))
${list(facts.measures)}

## Contact (GDPR Art. 33(3)(b))
${facts.contact.name ? `${facts.contact.name}, ` : ''}${facts.contact.contact}
`;
  return { json, markdown };
}
