/**
 * `incidentReport()`: the communication of an incident to the ANPD, in
 * Markdown and JSON, with the contents of LGPD Art. 48 §1 and of Res. CD/ANPD
 * 15/2024 Art. 6 §2 I–XII, and those of GDPR Art. 33(3). It says only what
 * the inputs show: the communication is compared with its deadline (late
 * without reasons is refused, LGPD Art. 48 §1 V); the access log is named as a
 * safeguard only when a verification shows it intact and in force for the
 * affected purposes; what is not known yet is listed as pending, for the
 * complement (Art. 6 §3). Subjects appear as counts, never as identifiers or
 * values.
 *
 * @module
 */
import { type AccessLogVerification, PurposefulError } from 'purposeful';
import { addBusinessDays, type DeadlineStatus, deadlineStatus, type IncidentDeadlines } from './deadlines.js';
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
 *   rootCause: 'A reused password and no second factor for agents',
 *   knownAt: new Date('2026-11-30T09:00:00-03:00'),
 *   occurredAt: new Date('2026-11-29T02:10:00-03:00'),
 *   communicatedAt: new Date('2026-12-07T11:00:00-03:00'), // after the deadline: say why
 *   delayReasons: 'The hosting provider confirmed the extent of the read only on 4 December.',
 *   risks: 'Phishing aimed at the customers whose contact data were read.',
 *   measures: ['Account blocked by the anomaly watch at 02:40', 'Password and sessions reset'],
 *   contact: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
 *   controller: { name: 'Exemplo Suporte Ltda', id: 'CNPJ 12.345.678/0001-95' },
 *   operators: [],
 *   subjectsInAffectedProcessing: 52_000,
 * };
 * ```
 * @category Report
 */
export interface IncidentFacts {
  readonly id: string;
  readonly title: string;
  /** What happened: the description of the incident (LGPD Art. 48 §1 I; Res. CD/ANPD 15/2024 Art. 6 §2 XI). */
  readonly description: string;
  /** Its root cause, where it can be identified (Art. 6 §2 XI); left out, it is listed as pending. */
  readonly rootCause?: string;
  /** When the controller learned that personal data were affected (Art. 6 §1, §2 VII). */
  readonly knownAt: Date;
  /** When the incident occurred, where it can be determined (Art. 6 §2 VII). */
  readonly occurredAt?: Date;
  /**
   * When this communication is made to the ANPD; compared with the deadline. Left out, the report is a draft:
   * it says it was not communicated yet, states no timeliness, and cannot be registered as notified.
   */
  readonly communicatedAt?: Date;
  /** When the subjects were told (Res. CD/ANPD 15/2024 Art. 9), if they were. Compared with their deadline. */
  readonly subjectsNotifiedAt?: Date;
  /** Likely consequences for the subjects (LGPD Art. 48 §1 IV; Art. 6 §2 IV; GDPR Art. 33(3)(c)). */
  readonly risks: string;
  /** Measures taken or to be taken to reverse or mitigate the effects (LGPD Art. 48 §1 VI; Art. 6 §2 VI; GDPR Art. 33(3)(d)). */
  readonly measures: readonly string[];
  /**
   * Why the communication was not made within the deadline, or not at once (LGPD Art. 48 §1 V; Art. 6 §2 V,
   * 9 IV). Required when it is late: the report is refused without it.
   */
  readonly delayReasons?: string;
  /** The encarregado / DPO, or whoever represents the controller (Art. 6 §2 VIII; GDPR Art. 33(3)(b)). */
  readonly contact: { readonly name?: string; readonly contact: string };
  /** The controller: its name, and its CNPJ or CPF (Art. 6 §2 IX). `purposes.controller` fits. */
  readonly controller: { readonly name: string; readonly id?: string };
  /** The operators (processors) involved in the incident, when applicable (Art. 6 §2 X); `[]`: none was. */
  readonly operators?: readonly { readonly name: string; readonly id?: string }[];
  /** How many subjects the affected processing activities hold data of (Art. 6 §2 XII); left out, it is pending. */
  readonly subjectsInAffectedProcessing?: number;
  /** Technical and security measures that protected the data before the incident, beyond those the declarations show (Art. 6 §2 III). */
  readonly safeguards?: readonly string[];
}

/**
 * What backs a statement about the access log: a verification of it, run
 * after the incident, and the controller's account of what it covered. The
 * report names the log as a safeguard only when the verification is intact,
 * covers the end of the incident window, and the log was in force, since the
 * window opened, for every purpose the incident affected.
 *
 * @example
 * ```ts
 * const accessLog: IncidentAccessLog = {
 *   verification: await audit.verify({ keys: anchorKeys }),
 *   verifiedAt: new Date(),
 *   purposes: purposes.ids,                          // every purpose the engine serves records into `audit`
 *   since: new Date('2026-01-05T00:00:00-03:00'),    // when createPurposeful({ audit }) went live
 * };
 * const { markdown } = incidentReport({ facts, scope, deadlines, accessLog });
 * ```
 * @category Report
 */
export interface IncidentAccessLog {
  /** `await audit.verify({ keys })` (or `verifyAccessLog`), run after the incident window closed. */
  readonly verification: AccessLogVerification;
  /** When the verification ran. */
  readonly verifiedAt: Date;
  /** The purposes whose every access goes through an engine that records into this log (`createPurposeful({ audit })`). */
  readonly purposes: readonly string[];
  /** Since when the log has been in force for them. */
  readonly since: Date;
}

/**
 * The report as data: what the Markdown says, field by field.
 *
 * @example
 * ```ts
 * const { json } = incidentReport({ facts, scope, deadlines });
 * if (json.timeliness.anpd.late) console.log('late by', json.timeliness.anpd.lateBy?.businessDays, 'business days');
 * json.pending; // ['Art. 6 §2 XII total subjects in the affected processing']: for the complement (Art. 6 §3)
 * ```
 * @category Report
 */
export type IncidentReportJson = {
  readonly id: string;
  readonly title: string;
  /** Art. 6 §2 IX: who, and whether it declares itself a small processing agent. */
  readonly controller: { readonly name: string; readonly id?: string; readonly smallAgent: boolean };
  /** Art. 6 §2 X: `null` when not stated. */
  readonly operators: readonly { readonly name: string; readonly id?: string }[] | null;
  readonly contact: { readonly name?: string; readonly contact: string };
  readonly nature: string;
  readonly rootCause: string | null;
  readonly knownAt: string;
  readonly occurredAt: string | null;
  /** When it was communicated to the ANPD; `null` for a draft (`facts.communicatedAt` left out). */
  readonly communicatedAt: string | null;
  /** A draft: not communicated yet, made at `draftedAt`. */
  readonly draft: boolean;
  readonly draftedAt: string | null;
  readonly data: {
    readonly categories: readonly string[];
    readonly sensitiveCategories: readonly string[];
    readonly exposedFields: IncidentScope['exposedFields'];
  };
  readonly subjects: {
    readonly count: number;
    readonly throughTheEngine: number;
    readonly fromExposedStores: number;
    readonly ageGroups: IncidentScope['subjects']['ageGroups'];
    /** Art. 6 §2 XII: `null` when not known yet. */
    readonly totalInAffectedProcessing: number | null;
  };
  readonly criteria: readonly string[];
  /** Res. CD/ANPD 15/2024 Art. 5, cumulative; `null`: not determined. */
  readonly relevantRisk: {
    readonly relevant: boolean | null;
    readonly significantEffect: boolean | null;
    readonly criteriaMet: readonly string[];
    /** Criteria that could not be determined, with what is missing. */
    readonly criteriaUndetermined: IncidentScope['criteriaUndetermined'];
    readonly conclusion: string;
  };
  readonly safeguards: readonly string[];
  /** Whether the access log is named as a safeguard, and if not why. */
  readonly accessLog: { readonly stated: boolean; readonly reason?: string };
  readonly risks: string;
  readonly delayReasons: string | null;
  /** The communications compared with their deadlines (LGPD Art. 48 §1 V; Art. 6, 9); `anpd` is `null` for a draft. */
  readonly timeliness: { readonly anpd: DeadlineStatus | null; readonly subjects: DeadlineStatus | null };
  readonly measures: readonly string[];
  readonly deadlines: {
    readonly anpd: string;
    readonly subjects: string;
    readonly businessDays: number;
    readonly smallAgent: boolean;
    readonly subjectsDeclaration: string;
    /** Counted from the communication; `null` for a draft. */
    readonly complement: string | null;
    readonly complementBusinessDays: number;
    readonly publicNoticeUntil?: string;
    readonly gdprAuthority: string;
  };
  /** Contents of Art. 6 §2 not known yet, to be completed within the complement's deadline (Art. 6 §3). */
  readonly pending: readonly string[];
  readonly window: IncidentScope['window'];
  readonly accessesThroughTheEngine: number;
};

/**
 * The report, as data and as Markdown.
 *
 * @example
 * ```ts
 * const report: IncidentReport = incidentReport({ facts, scope, deadlines });
 * await register.add(incidentEntry(report, { notified: true, means: ['ANPD electronic form'] }));
 * ```
 * @category Report
 */
export interface IncidentReport {
  readonly json: IncidentReportJson;
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

const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A time span as a person reads it: days and hours, or minutes under a day. */
function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts = [
    ...(days ? [plural(days, 'day')] : []),
    ...(hours ? [plural(hours, 'hour')] : []),
    ...(!days && minutes % 60 ? [plural(minutes % 60, 'minute')] : []),
  ];
  return parts.length ? parts.join(' ') : 'less than a minute';
}

/** One communication against its deadline, in words. */
function statusText(s: DeadlineStatus): string {
  if (!s.late || !s.lateBy) return `communicated at ${s.communicatedAt}, within the deadline that ends at ${s.deadline}`;
  const days = s.lateBy.businessDays;
  return `communicated at ${s.communicatedAt}: late by ${span(s.lateBy.ms)} (the deadline ended at ${s.deadline}; ${
    days ? `${days} business day(s) after the last day of the deadline` : 'on a day that was not a business day, right after it'
  })`;
}

/** A statement about the access log, or the reason none is made. */
type AccessLogStatement = { readonly stated: true; readonly text: string } | { readonly stated: false; readonly reason: string };

/** The statement about the access log, or why none is made. */
function accessLogStatement(
  log: IncidentAccessLog | undefined,
  scope: IncidentScope,
  occurredAt: Date | undefined,
): AccessLogStatement {
  if (log === undefined) return { stated: false, reason: 'no verification of the access log was given' };
  if (
    typeof log !== 'object' ||
    log === null ||
    typeof log.verification !== 'object' ||
    log.verification === null ||
    !validDate(log.verifiedAt) ||
    !validDate(log.since) ||
    !Array.isArray(log.purposes)
  ) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      'incidentReport(): accessLog needs { verification, verifiedAt, purposes, since } (LGPD Art. 48 §1 III)',
      { paths: ['accessLog'], article: 'LGPD Art. 48 §1 III' },
    );
  }
  const v = log.verification;
  if (v.ok !== true || v.broken !== undefined) return { stated: false, reason: 'the access log did not verify intact' };
  if (v.torn !== undefined) return { stated: false, reason: 'the access log lost a torn last write' };
  if (!(v.events > 0)) return { stated: false, reason: 'the access log holds no event' };
  const affected = scope.affectedPurposes ?? scope.purposes;
  if (affected.length === 0) return { stated: false, reason: 'no affected purpose is known' };
  const missing = affected.filter((p) => !log.purposes.includes(p));
  if (missing.length) return { stated: false, reason: `the access log does not cover ${missing.join(', ')}` };
  const start = Math.min(Date.parse(scope.window.from), occurredAt?.getTime() ?? Number.POSITIVE_INFINITY);
  if (log.since.getTime() > start) return { stated: false, reason: 'the access log was not in force when the incident began' };
  if (log.verifiedAt.getTime() < Date.parse(scope.window.to)) {
    return { stated: false, reason: 'the access log was verified before the incident window closed' };
  }
  const anchored = v.chains.some((c) => c.anchoredThrough > 0);
  const anchoring = !anchored
    ? 'no signed checkpoint anchors it, so a rewrite of the whole log would not show'
    : v.unanchored > 0
      ? `anchored by signed checkpoints except its ${v.unanchored} most recent event(s)`
      : 'every event anchored by a signed checkpoint';
  const dumped = [...new Set(scope.exposedFields.map((f) => f.schema))].sort();
  return {
    stated: true,
    text: `Accesses through the purpose-bound engine for the affected purposes (${affected.join(', ')}) are recorded in a hash-chained access log, in force since ${log.since.toISOString()}; verified intact at ${log.verifiedAt.toISOString()}: ${v.events} events, ${anchoring}${
      dumped.length ? `. The dump of ${dumped.join(', ')} bypassed the engine and is not in it` : ''
    }`,
  };
}

function late(what: string, s: DeadlineStatus, article: string): PurposefulError {
  return new PurposefulError(
    'PF_INCIDENT_DELAY_UNEXPLAINED',
    `the communication to ${what} is late by ${span(s.lateBy?.ms ?? 0)} (its deadline ended at ${s.deadline}): give the reasons for the delay in facts.delayReasons (${article})`,
    { article, paths: ['delayReasons'] },
  );
}

/**
 * Builds the report of an incident from its facts, its scope and its deadlines.
 * Refuses (`PF_INCIDENT_DELAY_UNEXPLAINED`) a communication to the ANPD, or to
 * the subjects, made after its deadline without `delayReasons` (LGPD Art. 48
 * §1 V); refuses (`PF_INPUT_INVALID`) facts without the controller's identity
 * (Res. CD/ANPD 15/2024 Art. 6 §2 IX), deadlines counted from another time of
 * knowledge, and a communication dated before the knowledge.
 *
 * @example
 * ```ts
 * const scope = await scopeIncident({ ...input, significantEffect: true }, { log: audit, schemas });
 * const deadlines = incidentDeadlines({ knownAt: facts.knownAt, smallAgent: false });
 * const { markdown, json } = incidentReport({
 *   facts: { ...facts, communicatedAt: new Date('2026-12-07T11:00:00-03:00'), delayReasons: 'Extent confirmed on 4 December.' },
 *   scope, deadlines,
 *   accessLog: { verification: await audit.verify({ keys }), verifiedAt: new Date(), purposes: purposes.ids, since: liveSince },
 * });
 * json.timeliness.anpd; // { late: true, lateBy: { ms, businessDays: 2 }, deadline, communicatedAt }
 * ```
 * @category Report
 */
export function incidentReport(input: {
  readonly facts: IncidentFacts;
  readonly scope: IncidentScope;
  readonly deadlines: IncidentDeadlines;
  /** What backs a statement about the access log; without it, the report makes none. */
  readonly accessLog?: IncidentAccessLog;
}): IncidentReport {
  const { facts, scope, deadlines } = input;
  checkFacts(facts, deadlines);
  const timing = timelinessOf(facts, deadlines);
  const log = accessLogStatement(input.accessLog, scope, facts.occurredAt);
  const risk = riskOf(scope);
  const json = reportJson(facts, scope, deadlines, timing, log, risk);
  return { json, markdown: reportMarkdown({ facts, scope, deadlines, timing, risk, json }) };
}

/** Refuses (`PF_INPUT_INVALID`) facts the report cannot be made of. */
function checkFacts(facts: IncidentFacts, deadlines: IncidentDeadlines): void {
  if (
    typeof facts?.id !== 'string' ||
    typeof facts.title !== 'string' ||
    typeof facts.description !== 'string' ||
    !validDate(facts.knownAt)
  ) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentReport() needs facts with id, title, description and knownAt');
  }
  if (typeof facts.controller?.name !== 'string' || facts.controller.name.trim() === '') {
    throw new PurposefulError('PF_INPUT_INVALID', "incidentReport() needs the controller's identity (facts.controller.name)", {
      article: 'Res. CD/ANPD 15/2024 Art. 6 §2 IX',
      paths: ['controller'],
    });
  }
  if (typeof facts.contact?.contact !== 'string' || facts.contact.contact.trim() === '') {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentReport() needs the encarregado or a representative (facts.contact)', {
      article: 'Res. CD/ANPD 15/2024 Art. 6 §2 VIII; GDPR Art. 33(3)(b)',
      paths: ['contact'],
    });
  }
  if (!validDate(deadlines?.knownAt) || deadlines.knownAt.getTime() !== facts.knownAt.getTime()) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentReport(): the deadlines were not counted from facts.knownAt', {
      article: 'Res. CD/ANPD 15/2024 Art. 6 §1',
      paths: ['knownAt'],
    });
  }
  for (const [key, at] of [
    ['communicatedAt', facts.communicatedAt],
    ['subjectsNotifiedAt', facts.subjectsNotifiedAt],
  ] as const) {
    if (at === undefined) continue;
    if (!validDate(at) || at.getTime() < facts.knownAt.getTime()) {
      throw new PurposefulError('PF_INPUT_INVALID', `incidentReport(): facts.${key} must be a date no earlier than knownAt`, {
        paths: [key],
      });
    }
  }
  const total = facts.subjectsInAffectedProcessing;
  if (total !== undefined && (!Number.isSafeInteger(total) || total < 0)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentReport(): subjectsInAffectedProcessing is a non-negative integer', {
      article: 'Res. CD/ANPD 15/2024 Art. 6 §2 XII',
      paths: ['subjectsInAffectedProcessing'],
    });
  }
}

/** The communications against their deadlines. */
interface Timeliness {
  /** No `communicatedAt`: a draft, judged against `communicatedAt`, the time it was made. */
  readonly draft: boolean;
  readonly communicatedAt: Date;
  readonly anpd: DeadlineStatus;
  readonly subjects: DeadlineStatus | null;
  readonly complement: Date | null;
  readonly delayReasons: string | undefined;
}

/**
 * The communications against their deadlines (LGPD Art. 48 §1 V; Res. CD/ANPD 15/2024 Art. 6 §2 V and 9 IV);
 * a late one without reasons is refused (`PF_INCIDENT_DELAY_UNEXPLAINED`).
 */
function timelinessOf(facts: IncidentFacts, deadlines: IncidentDeadlines): Timeliness {
  // without communicatedAt the report is a draft: no timeliness is stated, and it is judged against now only to
  // refuse one whose deadline already ended without reasons
  const draft = facts.communicatedAt === undefined;
  const communicatedAt = facts.communicatedAt ?? new Date();
  const extra = deadlines.lgpd.extraNonBusinessDays ?? [];
  const delayReasons =
    typeof facts.delayReasons === 'string' && facts.delayReasons.trim() !== '' ? facts.delayReasons : undefined;
  const anpd = deadlineStatus(deadlines.lgpd.anpd, communicatedAt, extra);
  if (anpd.late && !delayReasons) throw late('the ANPD', anpd, 'LGPD Art. 48 §1 V; Res. CD/ANPD 15/2024 Art. 6 §2 V');
  const subjects = facts.subjectsNotifiedAt ? deadlineStatus(deadlines.lgpd.subjects, facts.subjectsNotifiedAt, extra) : null;
  if (subjects?.late && !delayReasons) {
    throw late('the subjects', subjects, 'LGPD Art. 48 §1 V; Res. CD/ANPD 15/2024 Art. 9 IV');
  }
  const complement = draft ? null : addBusinessDays(communicatedAt, deadlines.lgpd.complementBusinessDays, extra);
  return { draft, communicatedAt, anpd, subjects, complement, delayReasons };
}

/** Res. CD/ANPD 15/2024 Art. 5 in words: the criteria that hold, those not determined, and the conclusion. */
interface RiskText {
  readonly met: readonly string[];
  readonly undeterminedText: readonly string[];
  readonly conclusion: string;
}

function riskOf(scope: IncidentScope): RiskText {
  const threshold = scope.largeScaleThreshold;
  const criterionText = (c: string) =>
    c === 'largeScale' && threshold !== undefined
      ? `data at large scale, by the controller's threshold of ${threshold} subjects (Art. 5 §2 sets no number)`
      : (CRITERIA_TEXT[c] ?? c);
  const met = scope.criteriaMet.map(criterionText);
  const undetermined = scope.criteriaUndetermined ?? [];
  const undeterminedText = undetermined.map((u) => `${CRITERIA_TEXT[u.criterion] ?? u.criterion} (${u.missing})`);
  const relevant = scope.relevantRisk;
  const conclusion =
    relevant === true
      ? 'Relevant risk or damage: a significant effect on the subjects together with at least one criterion (Res. CD/ANPD 15/2024 Art. 5).'
      : relevant === false && scope.significantEffect === false
        ? 'The controller found no significant effect on the subjects: not relevant risk or damage under Res. CD/ANPD 15/2024 Art. 5, which needs one.'
        : relevant === false
          ? 'Every criterion of Res. CD/ANPD 15/2024 Art. 5 was determined and none holds, so the incident is not one of relevant risk or damage under it, whatever its effect.'
          : scope.criteriaMet.length > 0
            ? 'Criteria hold; the significant effect on the subjects has not been assessed, so relevant risk or damage is not determined (Res. CD/ANPD 15/2024 Art. 5 needs both).'
            : `No criterion is established to hold, but ${undeterminedText.join('; ')} could not be determined: relevant risk or damage is not determined (Res. CD/ANPD 15/2024 Art. 5).`;
  return { met, undeterminedText, conclusion };
}

/** The safeguards: those the facts name, the encrypted fields that stayed unintelligible, and the access log when it is stated. */
function safeguardsOf(facts: IncidentFacts, scope: IncidentScope, log: AccessLogStatement): string[] {
  const unreadable = scope.exposedFields.filter((f) => !f.intelligible);
  return [
    ...(facts.safeguards ?? []),
    ...(unreadable.length
      ? [
          `Encrypted fields that stayed unintelligible (keys not exposed): ${unreadable.map((f) => `${f.schema}.${f.path}`).join(', ')}`,
        ]
      : []),
    ...(log.stated ? [log.text] : []),
  ];
}

/** The report as data. */
function reportJson(
  facts: IncidentFacts,
  scope: IncidentScope,
  deadlines: IncidentDeadlines,
  timing: Timeliness,
  log: AccessLogStatement,
  risk: RiskText,
): IncidentReportJson {
  const { draft, communicatedAt, complement } = timing;
  const total = facts.subjectsInAffectedProcessing;
  const safeguards = safeguardsOf(facts, scope, log);
  const pending = [
    ...(facts.rootCause ? [] : ['Art. 6 §2 XI root cause']),
    ...(total === undefined ? ['Art. 6 §2 XII total subjects in the affected processing'] : []),
  ];
  const smallAgent = deadlines.lgpd.smallAgent === true;
  return {
    id: facts.id,
    title: facts.title,
    controller: { name: facts.controller.name, ...(facts.controller.id ? { id: facts.controller.id } : {}), smallAgent },
    operators: facts.operators ? facts.operators.map((o) => ({ name: o.name, ...(o.id ? { id: o.id } : {}) })) : null,
    contact: facts.contact,
    nature: facts.description,
    rootCause: facts.rootCause ?? null,
    knownAt: facts.knownAt.toISOString(),
    occurredAt: facts.occurredAt ? facts.occurredAt.toISOString() : null,
    communicatedAt: draft ? null : communicatedAt.toISOString(),
    draft,
    draftedAt: draft ? communicatedAt.toISOString() : null,
    data: { categories: scope.categories, sensitiveCategories: scope.sensitiveCategories, exposedFields: scope.exposedFields },
    subjects: {
      count: scope.subjects.count,
      throughTheEngine: scope.subjects.refs.length,
      fromExposedStores: scope.subjects.fromStores,
      ageGroups: scope.subjects.ageGroups,
      totalInAffectedProcessing: total ?? null,
    },
    criteria: scope.criteriaMet,
    relevantRisk: {
      relevant: scope.relevantRisk ?? null,
      significantEffect: scope.significantEffect ?? null,
      criteriaMet: scope.criteriaMet,
      criteriaUndetermined: scope.criteriaUndetermined ?? [],
      conclusion: risk.conclusion,
    },
    safeguards,
    accessLog: log.stated ? { stated: true } : { stated: false, reason: log.reason },
    risks: facts.risks,
    delayReasons: timing.delayReasons ?? null,
    timeliness: { anpd: draft ? null : timing.anpd, subjects: timing.subjects },
    measures: facts.measures,
    deadlines: {
      anpd: deadlines.lgpd.anpd.toISOString(),
      subjects: deadlines.lgpd.subjects.toISOString(),
      businessDays: deadlines.lgpd.businessDays,
      smallAgent,
      subjectsDeclaration: deadlines.lgpd.subjectsDeclaration.toISOString(),
      complement: complement ? complement.toISOString() : null,
      complementBusinessDays: deadlines.lgpd.complementBusinessDays,
      ...(deadlines.lgpd.publicNoticeUntil ? { publicNoticeUntil: deadlines.lgpd.publicNoticeUntil.toISOString() } : {}),
      gdprAuthority: deadlines.gdpr.authority.toISOString(),
    },
    pending,
    window: scope.window,
    accessesThroughTheEngine: scope.events,
  };
}

/** What the Markdown is written from. */
interface MarkdownInput {
  readonly facts: IncidentFacts;
  readonly scope: IncidentScope;
  readonly deadlines: IncidentDeadlines;
  readonly timing: Timeliness;
  readonly risk: RiskText;
  readonly json: IncidentReportJson;
}

const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => `- ${x}`).join('\n') : '- none');

/** The report as Markdown, section by section. */
function reportMarkdown(m: MarkdownInput): string {
  return partiesMarkdown(m) + timesMarkdown(m) + substanceMarkdown(m);
}

/** The title, the controller, the operators and the encarregado. */
function partiesMarkdown({ facts, timing, json }: MarkdownInput): string {
  const operators =
    facts.operators === undefined
      ? 'Not stated.'
      : facts.operators.length === 0
        ? 'No operator was involved.'
        : list(facts.operators.map((o) => `${o.name}${o.id ? ` (${o.id})` : ''}`));
  return `# Incident ${facts.id}: ${facts.title}
${timing.draft ? '\n**Draft: not communicated to the ANPD yet.** Make the report again with the time of the communication.\n' : ''}
## Controller (Res. CD/ANPD 15/2024 Art. 6 §2 IX)
${facts.controller.name}${facts.controller.id ? ` (${facts.controller.id})` : ''}.
${
  json.controller.smallAgent
    ? 'Declaration: the controller is a small processing agent (Res. CD/ANPD 2/2022), with the doubled deadlines of Res. CD/ANPD 15/2024 Art. 6 §8 and 9 §6.'
    : 'No small-agent declaration: the ordinary deadlines apply (not a small processing agent under Res. CD/ANPD 2/2022, or one whose processing is high-risk, Art. 3 I).'
}

## Operator (Art. 6 §2 X)
${operators}

## Encarregado or representative (Art. 6 §2 VIII; GDPR Art. 33(3)(b))
${facts.contact.name ? `${facts.contact.name}, ` : ''}${facts.contact.contact}

`;
}

/** The dates, the deadlines, and the communications against them. */
function timesMarkdown({ scope, deadlines, timing, json }: MarkdownInput): string {
  const { draft, communicatedAt, anpd, subjects, delayReasons } = timing;
  const subjectsLine = subjects
    ? `- Subjects (Art. 9): ${statusText(subjects)}`
    : `- Subjects (Art. 9): not communicated by ${communicatedAt.toISOString()}; ${
        communicatedAt > deadlines.lgpd.subjects ? 'their deadline ended at' : 'due by'
      } ${json.deadlines.subjects}`;
  const delayText =
    anpd.late || subjects?.late
      ? `Reasons for the delay: ${delayReasons}`
      : delayReasons
        ? `Why it was not immediate: ${delayReasons}`
        : '';
  const anpdLine = draft
    ? `- ANPD: not communicated yet (draft made at ${communicatedAt.toISOString()}); ${
        anpd.late ? 'the deadline ended at' : 'due by'
      } ${anpd.deadline}`
    : `- ANPD: ${statusText(anpd)}`;
  return `## Dates (Art. 6 §2 VII)
- Occurred: ${json.occurredAt ?? 'not determined'}
- Known to the controller: ${json.knownAt}
- Communicated to the ANPD: ${json.communicatedAt ?? 'not yet (draft)'}
- Window examined: ${scope.window.from} to ${scope.window.to}

## Deadlines
- ANPD (LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 6): **${json.deadlines.anpd}** (${deadlines.lgpd.businessDays} business days)
- Subjects (Art. 9): **${json.deadlines.subjects}**; the declaration that they were told, and how (Art. 9 §4): ${json.deadlines.subjectsDeclaration}
- Complement (Art. 6 §3): ${json.deadlines.complement ?? 'due'} (${deadlines.lgpd.complementBusinessDays} business days after the communication)${
    json.deadlines.publicNoticeUntil
      ? `\n- Public notice kept up at least until (Art. 9 §3): ${json.deadlines.publicNoticeUntil}`
      : ''
  }
- GDPR supervisory authority (Art. 33(1)): **${json.deadlines.gdprAuthority}** (72 hours)

## Timeliness and reasons for delay (LGPD Art. 48 §1 V; Res. CD/ANPD 15/2024 Art. 6 §2 V, 9 IV)
${anpdLine}
${subjectsLine}
${delayText ? `\n${delayText}\n` : ''}
`;
}

/** The incident, its data and subjects, the risk, the measures, and what is pending. */
function substanceMarkdown({ facts, scope, deadlines, risk, json }: MarkdownInput): string {
  const g = scope.subjects.ageGroups;
  const total = facts.subjectsInAffectedProcessing;
  const { met, undeterminedText, conclusion } = risk;
  const pending = json.pending;
  return `## The incident and its root cause (Art. 6 §2 XI)
${facts.description}

Root cause: ${facts.rootCause ?? 'not identified yet'}

## Nature and category of the data (LGPD Art. 48 §1 I; Art. 6 §2 I; GDPR Art. 33(3)(a))
Categories of data: ${scope.categories.join(', ') || 'none found'}.
Sensitive data: ${scope.sensitiveCategories.join(', ') || 'none'}.

## Subjects involved (LGPD Art. 48 §1 II; Art. 6 §2 II)
- ${scope.subjects.count} subject(s) affected, at most: ${scope.subjects.refs.length} through the engine, ${scope.subjects.fromStores} from exposed stores
- children: ${g.children}, adolescents: ${g.adolescents}, elderly people: ${g.elderly}, age unknown: ${g.unknown}
- subjects whose data the affected processing activities hold (Art. 6 §2 XII): ${total ?? 'not known yet'}

## Relevant risk or damage (Res. CD/ANPD 15/2024 Art. 5)
Criteria that hold (Art. 5 I–VI): ${met.join('; ') || 'none'}.${
    undeterminedText.length ? `\nCriteria not determined: ${undeterminedText.join('; ')}.` : ''
  }
A significant effect on the subjects' interests and fundamental rights (Art. 5 §1): ${
    scope.significantEffect === undefined
      ? 'not assessed'
      : scope.significantEffect
        ? 'assessed as likely'
        : 'assessed as unlikely'
  }.
${conclusion}

## Technical and security measures before the incident (LGPD Art. 48 §1 III; Art. 6 §2 III)
${list(json.safeguards)}

## Risks (LGPD Art. 48 §1 IV; Art. 6 §2 IV; GDPR Art. 33(3)(c))
${facts.risks}

## Measures taken or planned (LGPD Art. 48 §1 VI; Art. 6 §2 VI; GDPR Art. 33(3)(d))
${list(facts.measures)}
${
  pending.length
    ? `
## Pending (Art. 6 §3)
Not known yet; to be completed by ${json.deadlines.complement ?? `${deadlines.lgpd.complementBusinessDays} business days after the communication`}:
${list(pending)}
`
    : ''
}`;
}
