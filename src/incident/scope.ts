/**
 * `scopeIncident()`: whose data of which kind an incident exposed, and which
 * criteria of Resolution CD/ANPD 15/2024 Art. 5 hold. Misuse through the
 * engine is read from the access log; a dump of a store that bypassed the
 * engine is read from the declarations, with the fields that stayed
 * unintelligible because their keys were not exposed (LGPD Art. 48 §3).
 *
 * The test of Art. 5 is cumulative: an incident may cause relevant risk or
 * damage, and must be communicated, when it may significantly affect the
 * subjects' interests and fundamental rights AND involves at least one of the
 * criteria (sensitive data; data of children, adolescents or elderly people;
 * financial data; authentication data; data under legal, judicial or
 * professional secrecy; data at large scale). No criterion makes an incident
 * relevant on its own. The significant effect (Art. 5 §1: preventing the
 * exercise of rights or the use of a service, or causing material or moral
 * damage such as discrimination, violation of physical integrity, of image and
 * reputation, financial fraud or identity theft) is the controller's judgement:
 * it comes in as `significantEffect`, and without it `relevantRisk` stays
 * undetermined whenever a criterion holds.
 *
 * @module
 */
import { type AccessEvent, type AccessLog, PurposefulError, type PurposefulSchema } from 'purposeful';

/**
 * What is known of an incident.
 *
 * @example
 * ```ts
 * const input: IncidentInput = {
 *   from: '2026-11-28T00:00:00Z', to: '2026-11-29T12:00:00Z',
 *   actors: ['agent-13'],                      // a compromised agent account
 *   exposedStores: [{ schema: 'customer', subjects: 120_000 }], // and a leaked table dump
 *   compromisedKeyIds: [],                     // the keyring was not exposed
 * };
 * ```
 * @category Scoping
 */
export interface IncidentInput {
  /** ISO 8601 start of the window (inclusive). */
  readonly from: string;
  /** ISO 8601 end of the window (inclusive). */
  readonly to: string;
  /** Only the accesses of these actors (a compromised account, a runaway export). */
  readonly actors?: readonly string[];
  readonly purposes?: readonly string[];
  /** Only accesses that touched these categories (or categories under them). */
  readonly categories?: readonly string[];
  /** Stores dumped outside the engine: the schema they hold and how many subjects (rows of distinct subjects) they had. */
  readonly exposedStores?: readonly { readonly schema: string; readonly subjects: number }[];
  /** Keyring key ids that were exposed with the data (any: encrypted fields count as readable). */
  readonly compromisedKeyIds?: readonly string[];
  /**
   * The controller's assessment: whether the incident may significantly affect the subjects' interests and
   * fundamental rights (Res. CD/ANPD 15/2024 Art. 5, caput and §1). Left out, `relevantRisk` is undetermined
   * whenever a criterion holds.
   */
  readonly significantEffect?: boolean;
  /**
   * The controller's finding, for the subjects whose age is not known, on whether children, adolescents or
   * elderly people are among them (Res. CD/ANPD 15/2024 Art. 5 II), e.g. `false` for a service only to a
   * company's working-age staff. Left out while any age is unknown, the criterion is not determined (a schema
   * with `minors: 'never'` rules out minors, not elderly people). Known ages of the groups make it hold anyway.
   */
  readonly childrenAdolescentsOrElderly?: boolean;
}

/**
 * A subject found in the access log, identified by your hook for notification.
 *
 * @example
 * ```ts
 * const identify: IdentifySubjects = async (refs) => {
 *   const rows = await db.customersByAuditRef(refs); // you keep ref = audit.subjectRef(id) per customer
 *   return new Map(rows.map((r) => [r.ref, { id: r.id, age: ageOf(r.birthDate) }]));
 * };
 * ```
 * @category Scoping
 */
export type IdentifySubjects = (
  refs: readonly string[],
) => Promise<ReadonlyMap<string, { readonly id: string; readonly age?: number }>>;

/**
 * One field a dump exposed, and whether it is readable.
 *
 * @example
 * ```ts
 * const f: ExposedField = { schema: 'customer', path: 'cpf', category: 'user.government_id', purposes: ['billing.invoice'],
 *   sensitive: false, intelligible: false, why: 'encrypted; its keys were not exposed' };
 * ```
 * @category Scoping
 */
export interface ExposedField {
  readonly schema: string;
  readonly path: string;
  readonly category: string;
  /** The purposes the field is declared for: the processing the dump affected. */
  readonly purposes: readonly string[];
  readonly sensitive: boolean;
  readonly intelligible: boolean;
  readonly why: string;
}

/**
 * The criteria of Res. CD/ANPD 15/2024 Art. 5 I–VI. A criterion alone does not
 * make an incident one of relevant risk or damage: at least one must hold
 * together with a significant effect on the subjects' interests and
 * fundamental rights (see `IncidentScope.relevantRisk`). `undefined`: not
 * determined, because what it needs is missing (see
 * `IncidentScope.criteriaUndetermined`).
 *
 * @example
 * ```ts
 * const met = Object.entries(scope.criteria).filter(([, v]) => v).map(([k]) => k); // ['sensitiveData', 'largeScale']
 * ```
 * @category Scoping
 */
export interface IncidentCriteria {
  readonly sensitiveData: boolean;
  /** `undefined` while ages are unknown and neither they nor the controller rule the groups out. */
  readonly childrenAdolescentsOrElderly: boolean | undefined;
  readonly financialData: boolean;
  readonly authenticationData: boolean;
  readonly secrecyProtectedData: boolean;
  /** By the controller's threshold (`rules.largeScaleSubjects`); `undefined` without one, unless no subject was affected. */
  readonly largeScale: boolean | undefined;
}

/**
 * The scope of an incident. Subjects appear as keyed references; the list for
 * notification appears only when an `identify` hook resolved them.
 *
 * @example
 * ```ts
 * const scope: IncidentScope = await scopeIncident({ ...input, significantEffect: true }, { log: audit, schemas: [Customer, Ticket] });
 * scope.subjects.count;      // 1312
 * scope.criteria.largeScale; // false
 * scope.criteriaMet;         // ['sensitiveData']
 * scope.relevantRisk;        // true: a significant effect and at least one criterion (Res. CD/ANPD 15/2024 Art. 5)
 * ```
 * @category Scoping
 */
export interface IncidentScope {
  readonly window: { readonly from: string; readonly to: string };
  /** Accesses through the engine that matched. */
  readonly events: number;
  readonly actors: readonly string[];
  /** The purposes of the reads found in the log. */
  readonly purposes: readonly string[];
  /** The processing the incident affected: the purposes of the reads found and of the exposed fields. */
  readonly affectedPurposes: readonly string[];
  readonly subjects: {
    /**
     * Subjects, at most: distinct references in the log, plus one per read that
     * named no subject, plus the subjects of exposed stores (the same person in
     * the log and in a dump counts twice: only the data could tell).
     */
    readonly count: number;
    /** Reads in the log whose record named no subject (each counted as one). */
    readonly unreferenced: number;
    /** Keyed references of the subjects found in the log. */
    readonly refs: readonly string[];
    /** Subjects of exposed stores (counted, not listed: the dump is not read). */
    readonly fromStores: number;
    /** With an `identify` hook: who to notify. */
    readonly toNotify?: readonly { readonly id: string; readonly ref: string }[];
    /** Counts by age group (children < 12, adolescents 12–17, elderly ≥ 60; unknown when no age is known). */
    readonly ageGroups: {
      readonly children: number;
      readonly adolescents: number;
      readonly elderly: number;
      readonly unknown: number;
    };
  };
  readonly categories: readonly string[];
  readonly sensitiveCategories: readonly string[];
  /** Fields of exposed stores, readable or not. */
  readonly exposedFields: readonly ExposedField[];
  readonly criteria: IncidentCriteria;
  /** The names of the criteria that hold (none of them is relevant risk on its own). */
  readonly criteriaMet: readonly (keyof IncidentCriteria)[];
  /** The criteria that could not be determined, each with what is missing to determine it. */
  readonly criteriaUndetermined: readonly { readonly criterion: keyof IncidentCriteria; readonly missing: string }[];
  /** The controller's large-scale threshold that `criteria.largeScale` was judged by (`rules.largeScaleSubjects`). */
  readonly largeScaleThreshold: number | undefined;
  /** The controller's assessment of a significant effect, as given (`undefined`: not assessed). */
  readonly significantEffect: boolean | undefined;
  /**
   * Res. CD/ANPD 15/2024 Art. 5: `true` when a significant effect was assessed and at least one criterion
   * holds (communicate: Art. 4); `false` when the controller found no significant effect, or when every
   * criterion was determined and none holds; `undefined` when the effect was not assessed and a criterion holds
   * or is undetermined, or when no criterion holds but one is undetermined.
   */
  readonly relevantRisk: boolean | undefined;
}

/**
 * How categories map to the criteria. The defaults follow the fideslang
 * taxonomy; a category counts with every category under it.
 *
 * @example
 * ```ts
 * const rules: Partial<CriteriaRules> = { secrecy: ['user.financial', 'user.health_and_medical', 'user.legal'] };
 * ```
 * @category Scoping
 */
export interface CriteriaRules {
  readonly financial: readonly string[];
  readonly authentication: readonly string[];
  /** Data under legal, judicial or professional secrecy (banking secrecy, medical secrecy, …). */
  readonly secrecy: readonly string[];
  /**
   * Distinct subjects from which an incident counts as large scale. The ANPD sets no number (Res. CD/ANPD
   * 15/2024 Art. 5 §2), so there is no default: without yours, large scale is not determined.
   */
  readonly largeScaleSubjects?: number;
}

/**
 * The default {@link CriteriaRules}, every key a category of the taxonomy:
 * financial data is `user.financial` (financial history) and `user.payment`
 * (payment data); authentication data is the credentials, passwords and
 * biometric credentials under `user.authorization`, and `system.authentication`
 * (`user.authorization` itself is the scope of permissions, not a credential).
 *
 * @example
 * ```ts
 * const rules: Partial<CriteriaRules> = { financial: [...DEFAULT_CRITERIA_RULES.financial, 'user.contact.pix_key'] };
 * await scopeIncident(input, { log: audit, schemas, rules });
 * ```
 * @category Scoping
 */
export const DEFAULT_CRITERIA_RULES: CriteriaRules = Object.freeze({
  financial: Object.freeze(['user.financial', 'user.payment']),
  authentication: Object.freeze([
    'user.authorization.credentials',
    'user.authorization.password',
    'user.authorization.biometric',
    'system.authentication',
  ]),
  secrecy: Object.freeze(['user.financial.bank_account', 'user.health_and_medical', 'user.criminal_history']),
});

const under = (category: string, roots: readonly string[]) => roots.some((r) => category === r || category.startsWith(`${r}.`));
const READS = new Set(['open', 'outbound']);

/**
 * Scopes an incident.
 *
 * @example
 * ```ts
 * const scope = await scopeIncident(
 *   { from: '2026-11-28T00:00:00Z', to: '2026-11-29T12:00:00Z', actors: ['agent-13'], significantEffect: true },
 *   { log: audit, schemas: [Customer, Ticket], identify, rules: { largeScaleSubjects: 50_000 } },
 * );
 * // Res. CD/ANPD 15/2024 Art. 5: a significant effect AND at least one criterion; a criterion alone is not enough
 * if (scope.relevantRisk) console.log('communicate by', incidentDeadlines({ knownAt }).lgpd.anpd);
 * if (scope.relevantRisk === undefined) console.log('criteria hold: assess the significant effect', scope.criteriaMet);
 * ```
 * @category Scoping
 */
export async function scopeIncident(
  input: IncidentInput,
  options: {
    readonly log?: AccessLog;
    readonly schemas?: readonly PurposefulSchema[];
    readonly identify?: IdentifySubjects;
    readonly rules?: Partial<CriteriaRules>;
  },
): Promise<IncidentScope> {
  const rules = checkScopeInput(input, options.rules);
  const schemas = new Map((options.schemas ?? []).map((s) => [s.id, s]));
  const from = new Date(input.from).toISOString();
  const to = new Date(input.to).toISOString();
  const found: Found = { categories: new Set(), sensitive: new Set(), minorsPossible: new Set() };

  // 1. misuse through the engine: the reads that matched, from the access log
  const events = options.log ? await readsInWindow(input, options.log, from, to) : [];
  const refs = [...new Set(events.map((e) => e.subject).filter((s): s is string => s !== undefined))].sort();
  // a read whose record named no subject still read someone's data: each counts as one
  const unreferenced = events.filter((e) => e.subject === undefined).length;
  collectFromReads(input, events, schemas, found);
  // 2. dumps of stores that bypassed the engine: what the declarations say was in them
  const { exposedFields, fromStores } = collectFromStores(input, schemas, found);
  // 3. who, for notification, and their ages
  const { ageGroups, toNotify } = await subjectsOf(refs, options.identify);
  ageGroups.unknown += fromStores + unreferenced;

  // an upper bound: the log and a dump (or two dumps) may hold the same people, which only the data could tell
  const count = refs.length + unreferenced + fromStores;
  const cats = [...found.categories].sort();
  const judged = criteriaOf(input, rules, found, cats, ageGroups, count);
  const purposes = [...new Set(events.map((e) => e.purpose).filter((p): p is string => p !== undefined))].sort();
  return {
    window: { from, to },
    events: events.length,
    actors: [...new Set(events.map((e) => e.actor.id))].sort(),
    purposes,
    affectedPurposes: [...new Set([...purposes, ...exposedFields.flatMap((f) => f.purposes)])].sort(),
    subjects: { count, refs, unreferenced, fromStores, ...(toNotify ? { toNotify } : {}), ageGroups },
    categories: cats,
    sensitiveCategories: [...found.sensitive].sort(),
    exposedFields,
    ...judged,
    largeScaleThreshold: rules.largeScaleSubjects,
    significantEffect: input.significantEffect,
    relevantRisk: relevantRiskOf(input.significantEffect, judged),
  };
}

/** Refuses a window that is not one, a finding that is not a boolean, and a threshold that is not a positive integer; gives the rules their defaults. */
function checkScopeInput(input: IncidentInput, given: Partial<CriteriaRules> | undefined): CriteriaRules {
  if (typeof input !== 'object' || input === null || Number.isNaN(Date.parse(input.from)) || Number.isNaN(Date.parse(input.to))) {
    throw new PurposefulError('PF_INPUT_INVALID', 'scopeIncident() needs { from, to } as ISO 8601 times');
  }
  for (const key of ['significantEffect', 'childrenAdolescentsOrElderly'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean') {
      throw new PurposefulError('PF_INPUT_INVALID', `scopeIncident(): ${key} is true or false (or left out)`, {
        article: 'Res. CD/ANPD 15/2024 Art. 5',
        paths: [key],
      });
    }
  }
  const rules: CriteriaRules = { ...DEFAULT_CRITERIA_RULES, ...(given ?? {}) };
  const threshold = rules.largeScaleSubjects;
  if (threshold !== undefined && (!Number.isSafeInteger(threshold) || threshold < 1)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'scopeIncident(): rules.largeScaleSubjects is a positive integer', {
      article: 'Res. CD/ANPD 15/2024 Art. 5 §2',
    });
  }
  return rules;
}

/** What the reads and the dumps show, gathered as they are read. */
interface Found {
  readonly categories: Set<string>;
  readonly sensitive: Set<string>;
  /** Schemas whose subjects may be minors. */
  readonly minorsPossible: Set<string>;
}

type Schemas = ReadonlyMap<string, PurposefulSchema>;

/** The allowed reads of the window that match the input's actors, purposes and categories. */
async function readsInWindow(input: IncidentInput, log: AccessLog, from: string, to: string): Promise<AccessEvent[]> {
  return (await log.query({ from, to, decision: 'allow' })).filter(
    (e) =>
      READS.has(e.action) &&
      (!input.actors || input.actors.includes(e.actor.id)) &&
      (!input.purposes || (e.purpose !== undefined && input.purposes.includes(e.purpose))) &&
      (!input.categories || e.categories.some((c) => under(c, input.categories as readonly string[]))),
  );
}

/** The categories the reads touched (within the input's categories), the sensitive ones, and the schemas that may hold minors. */
function collectFromReads(input: IncidentInput, events: readonly AccessEvent[], schemas: Schemas, found: Found): void {
  const { categories, sensitive, minorsPossible } = found;
  const keep = (c: string) => !input.categories || under(c, input.categories);
  for (const e of events) {
    const schema = e.schema !== undefined ? schemas.get(e.schema) : undefined;
    for (const c of e.categories) if (keep(c)) categories.add(c);
    if (e.sensitive && schema) {
      for (const f of schema.fields) if (f.sensitive && e.fields.includes(f.path) && keep(f.category)) sensitive.add(f.category);
    }
    if (e.sensitive && !schema) for (const c of e.categories) if (keep(c)) sensitive.add(c);
    if (schema && schema.subject?.minors !== undefined && schema.subject.minors !== 'never') minorsPossible.add(schema.id);
  }
}

/** Every field of every exposed store, readable or not, and the subjects the stores held. */
function collectFromStores(
  input: IncidentInput,
  schemas: Schemas,
  found: Found,
): { readonly exposedFields: ExposedField[]; readonly fromStores: number } {
  const compromised = input.compromisedKeyIds ?? [];
  const exposedFields: ExposedField[] = [];
  let fromStores = 0;
  for (const store of input.exposedStores ?? []) {
    const schema = schemas.get(store.schema);
    if (!schema)
      throw new PurposefulError('PF_SCHEMA_UNKNOWN', `scopeIncident(): no schema "${store.schema}" was given`, {
        schema: store.schema,
      });
    if (!Number.isSafeInteger(store.subjects) || store.subjects < 0) {
      throw new PurposefulError('PF_INPUT_INVALID', 'an exposed store counts its subjects with a non-negative integer');
    }
    fromStores += store.subjects;
    if (schema.subject?.minors !== undefined && schema.subject.minors !== 'never') found.minorsPossible.add(schema.id);
    for (const f of schema.fields) {
      const intelligible = !f.encrypt || compromised.length > 0;
      exposedFields.push({
        schema: schema.id,
        path: f.path,
        category: f.category,
        purposes: [...f.access.keys()].sort(),
        sensitive: f.sensitive,
        intelligible,
        why: !f.encrypt
          ? 'stored in clear'
          : compromised.length > 0
            ? `encrypted, and keyring key(s) ${[...compromised].sort().join(', ')} were exposed`
            : 'encrypted; its keys were not exposed (LGPD Art. 48 §3)',
      });
      if (intelligible) {
        found.categories.add(f.category);
        if (f.sensitive) found.sensitive.add(f.category);
      }
    }
  }
  return { exposedFields, fromStores };
}

type AgeGroups = { children: number; adolescents: number; elderly: number; unknown: number };

/** The subjects of the log the `identify` hook resolves, for notification, and the age groups of all of them. */
async function subjectsOf(
  refs: readonly string[],
  identify: IdentifySubjects | undefined,
): Promise<{ readonly ageGroups: AgeGroups; readonly toNotify: { id: string; ref: string }[] | undefined }> {
  const ageGroups = { children: 0, adolescents: 0, elderly: 0, unknown: 0 };
  if (!identify || !refs.length) {
    ageGroups.unknown += refs.length;
    return { ageGroups, toNotify: undefined };
  }
  const found = await identify(refs);
  const toNotify: { id: string; ref: string }[] = [];
  for (const ref of refs) {
    const who = found.get(ref);
    if (!who) {
      ageGroups.unknown++;
      continue;
    }
    toNotify.push({ id: who.id, ref });
    const age = who.age;
    if (age === undefined || !Number.isFinite(age)) ageGroups.unknown++;
    else if (age < 12) ageGroups.children++;
    else if (age < 18) ageGroups.adolescents++;
    else if (age >= 60) ageGroups.elderly++;
  }
  return { ageGroups, toNotify };
}

/** The criteria of Art. 5 I–VI, those that hold, and those that could not be determined with what is missing. */
function criteriaOf(
  input: IncidentInput,
  rules: CriteriaRules,
  found: Found,
  cats: readonly string[],
  ageGroups: AgeGroups,
  count: number,
): Pick<IncidentScope, 'criteria' | 'criteriaMet' | 'criteriaUndetermined'> {
  const threshold = rules.largeScaleSubjects;
  // Art. 5 II: known ages, or schemas whose subjects may be minors; while ages are unknown, elderly people (and
  // minors, unless the schema rules them out) cannot be ruled out without the controller's finding
  const knownInGroups = ageGroups.children + ageGroups.adolescents + ageGroups.elderly > 0 || found.minorsPossible.size > 0;
  const byAge =
    knownInGroups || input.childrenAdolescentsOrElderly === true
      ? true
      : ageGroups.unknown === 0 || input.childrenAdolescentsOrElderly === false
        ? false
        : undefined;
  const criteria: IncidentCriteria = {
    sensitiveData: found.sensitive.size > 0,
    childrenAdolescentsOrElderly: byAge,
    financialData: cats.some((c) => under(c, rules.financial)),
    authenticationData: cats.some((c) => under(c, rules.authentication)),
    secrecyProtectedData: cats.some((c) => under(c, rules.secrecy)),
    // Art. 5 §2 sets no number: the controller's threshold decides, and without one only "no subject" is certain
    largeScale: threshold !== undefined ? count >= threshold : count === 0 ? false : undefined,
  };
  const criteriaMet = (Object.keys(criteria) as (keyof IncidentCriteria)[]).filter((k) => criteria[k] === true);
  const criteriaUndetermined = [
    ...(byAge === undefined
      ? [
          {
            criterion: 'childrenAdolescentsOrElderly' as const,
            missing: `the ages of ${ageGroups.unknown} subject(s) are unknown (give childrenAdolescentsOrElderly)`,
          },
        ]
      : []),
    ...(criteria.largeScale === undefined
      ? [{ criterion: 'largeScale' as const, missing: 'no large-scale threshold was set (rules.largeScaleSubjects)' }]
      : []),
  ];
  return { criteria, criteriaMet, criteriaUndetermined };
}

/**
 * Res. CD/ANPD 15/2024 Art. 5: cumulative, a significant effect and at least one criterion; "no criterion" only
 * when every criterion was determined.
 */
function relevantRiskOf(
  significantEffect: boolean | undefined,
  { criteriaMet, criteriaUndetermined }: Pick<IncidentScope, 'criteriaMet' | 'criteriaUndetermined'>,
): boolean | undefined {
  return significantEffect === false
    ? false
    : criteriaMet.length > 0
      ? significantEffect
      : criteriaUndetermined.length > 0
        ? undefined
        : false;
}
