/**
 * The incident register: every incident, communicated or not, kept at least
 * five years from the date of its registration (Res. CD/ANPD 15/2024 Art. 10),
 * with the minimum contents of Art. 10 §1. Entries can be updated as the
 * handling goes on; none can be removed before its retention ends, and the
 * registration date cannot be changed.
 *
 * @module
 */
import { addDuration, PurposefulError, parseDuration } from 'purposeful';
import { byKey } from '../util/text.js';
import type { IncidentReport } from './report.js';

/**
 * One registered incident, with the minimum contents of Res. CD/ANPD 15/2024
 * Art. 10 §1 (I–VIII).
 *
 * @example
 * ```ts
 * const entry: IncidentEntry = {
 *   id: 'INC-2026-015', title: 'Laptop lost; disk encrypted',
 *   knownAt: '2026-11-29T12:00:00.000Z',                                    // I
 *   circumstances: 'A support laptop was stolen from a car.',                // II
 *   data: { categories: ['user.name', 'user.contact'], sensitiveCategories: [] }, // III
 *   subjects: 340,                                                           // IV
 *   riskAssessment: 'Full-disk encryption, key not on the device: unintelligible (LGPD Art. 48 §3); no relevant risk.', // V
 *   measures: ['Device wiped remotely'],                                     // VI
 *   notified: false,
 *   reason: 'No relevant risk or damage (Res. CD/ANPD 15/2024 Art. 5)',      // VIII
 * };
 * ```
 * @category Register
 */
export interface IncidentEntry {
  readonly id: string;
  readonly title: string;
  /** I: when the controller learned of the incident. */
  readonly knownAt: string;
  /**
   * When the incident was registered: the five years count from it (Art. 10). Set by the register when the
   * entry is added, and never changed afterwards. An entry that carries one is refused, unless it is added with
   * `{ carriedOver: true }` (an entry exported from an earlier register), and then only a date no earlier than
   * `knownAt` and no later than now.
   */
  readonly registeredAt?: string;
  /** II: a general description of the circumstances in which the incident occurred. */
  readonly circumstances: string;
  /** III: the nature (general or sensitive) and the categories of the data affected. */
  readonly data: { readonly categories: readonly string[]; readonly sensitiveCategories: readonly string[] };
  /** IV: how many subjects were affected. */
  readonly subjects: number;
  /** V: the assessment of the risk and of the possible damage to the subjects. */
  readonly riskAssessment: string;
  /** VI: the measures to correct and mitigate its effects, where there are any. */
  readonly measures?: readonly string[];
  /** Whether the ANPD and the subjects were told. */
  readonly notified: boolean;
  readonly notifiedAt?: string;
  /** VII: how, and what, was communicated (required when `notified`). */
  readonly communication?: { readonly means: readonly string[]; readonly content: string };
  /** VIII: why it was not communicated (required when not `notified`). */
  readonly reason?: string;
  readonly criteria?: readonly string[];
  readonly report?: Readonly<Record<string, unknown>>;
}

/**
 * Where incidents are kept: in memory here, on PostgreSQL in `purposeful/postgres`.
 *
 * @example
 * ```ts
 * const register: IncidentRegister = memoryIncidentRegister();
 * await register.add(entry);
 * await register.update('INC-2026-015', {
 *   notified: true, notifiedAt: new Date().toISOString(),
 *   communication: { means: ['ANPD electronic form'], content: report.markdown }, // Art. 10 §1 VII
 * });
 * ```
 * @category Register
 */
export interface IncidentRegister {
  /**
   * Registers an incident (refused without the Art. 10 §1 contents) and sets `registeredAt` to now. An entry
   * that carries a `registeredAt` is refused unless `options.carriedOver` says it comes from an earlier
   * register (see {@link registrationOf}).
   */
  add(entry: IncidentEntry, options?: RegistrationOptions): Promise<void>;
  /** Changes an entry; its id, knowledge and registration dates stay as they were. */
  update(id: string, patch: Partial<Omit<IncidentEntry, 'id' | 'knownAt' | 'registeredAt'>>): Promise<IncidentEntry>;
  get(id: string): Promise<IncidentEntry | undefined>;
  list(): Promise<IncidentEntry[]>;
  /** Removes an entry; refused with `PF_RETENTION_ACTIVE` before its retention, counted from its registration, ends. */
  remove(id: string, now?: Date): Promise<void>;
}

/**
 * How long incidents are kept at least.
 *
 * @example
 * ```ts
 * const register = memoryIncidentRegister({ retention: INCIDENT_RETENTION }); // 'P5Y'
 * ```
 * @category Register
 */
export const INCIDENT_RETENTION = 'P5Y';

const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
const texts = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isoTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/**
 * Checks an incident entry (for registers of your own): `PF_INPUT_INVALID`,
 * naming in `paths` each minimum content of Res. CD/ANPD 15/2024 Art. 10 §1
 * that is missing or malformed.
 *
 * @example
 * ```ts
 * async function add(entry: IncidentEntry) {
 *   checkIncidentEntry(entry); // e.g. paths ['riskAssessment', 'reason']: Art. 10 §1 V and VIII
 *   await myStore.insert(entry);
 * }
 * ```
 * @category Register
 */
export function checkIncidentEntry(entry: IncidentEntry): void {
  if (typeof entry !== 'object' || entry === null || !text(entry.id) || typeof entry.title !== 'string') {
    throw new PurposefulError('PF_INPUT_INVALID', 'an incident entry needs an id and a title');
  }
  const e = entry as unknown as Record<string, unknown>;
  const data = e.data as Record<string, unknown> | undefined;
  const missing = [
    ...(isoTime(e.knownAt) ? [] : ['knownAt']), // I
    ...(e.registeredAt === undefined || isoTime(e.registeredAt) ? [] : ['registeredAt']),
    ...(text(e.circumstances) ? [] : ['circumstances']), // II
    ...(typeof data === 'object' && data !== null && texts(data.categories) && texts(data.sensitiveCategories) ? [] : ['data']), // III
    ...(Number.isSafeInteger(e.subjects) && (e.subjects as number) >= 0 ? [] : ['subjects']), // IV
    ...(text(e.riskAssessment) ? [] : ['riskAssessment']), // V
    ...(e.measures === undefined || texts(e.measures) ? [] : ['measures']), // VI
    ...(typeof e.notified === 'boolean' ? [] : ['notified']),
  ];
  const communication = e.communication as Record<string, unknown> | undefined;
  if (e.notified === true) {
    if (e.notifiedAt !== undefined && !isoTime(e.notifiedAt)) missing.push('notifiedAt');
    // VII: the form and the content of the communication
    if (
      typeof communication !== 'object' ||
      communication === null ||
      !texts(communication.means) ||
      !text(communication.content)
    ) {
      missing.push('communication');
    } else if ((communication.means as string[]).length === 0) missing.push('communication');
  }
  if (e.notified === false && !text(e.reason)) missing.push('reason'); // VIII
  if (missing.length) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `an incident entry lacks the minimum contents of the register: ${missing.join(', ')}`,
      { article: 'Res. CD/ANPD 15/2024 Art. 10 §1', paths: missing },
    );
  }
}

/**
 * Throws `PF_RETENTION_ACTIVE` while an entry must still be kept (for
 * registers of your own): the retention counts from the date of registration
 * (Res. CD/ANPD 15/2024 Art. 10), not of knowledge. An entry without a
 * registration date is kept.
 *
 * @example
 * ```ts
 * assertRetentionOver(entry, 'P5Y', new Date()); // throws until five years after entry.registeredAt
 * ```
 * @category Register
 */
export function assertRetentionOver(entry: IncidentEntry, retention: string, now: Date): void {
  const d = parseDuration(retention);
  if (!d) throw new PurposefulError('PF_OPTIONS_INVALID', 'the register retention must be an ISO-8601 duration');
  if (!isoTime(entry.registeredAt)) {
    throw new PurposefulError('PF_RETENTION_ACTIVE', `incident ${entry.id} has no registration date: it is kept`, {
      article: 'Res. CD/ANPD 15/2024 Art. 10',
    });
  }
  const until = addDuration(new Date(entry.registeredAt as string), d);
  if (now < until) {
    throw new PurposefulError('PF_RETENTION_ACTIVE', `incident ${entry.id} must be kept until ${until.toISOString()}`, {
      article: 'Res. CD/ANPD 15/2024 Art. 10',
    });
  }
}

/**
 * How an entry is added to a register.
 *
 * @example
 * ```ts
 * // moving entries exported from an earlier register: their registration dates are kept (Art. 10)
 * for (const entry of await oldRegister.list()) await register.add(entry, { carriedOver: true });
 * ```
 * @category Register
 */
export interface RegistrationOptions {
  /**
   * The entry, with its `registeredAt`, was exported from an earlier register: keep that registration date
   * (no earlier than `knownAt`, no later than now). Without it, an entry that carries a `registeredAt` is refused.
   */
  readonly carriedOver?: boolean;
}

/**
 * The entry as a register stores it when it is added: checked, with its
 * registration date set to now. The five years of Res. CD/ANPD 15/2024 Art. 10
 * count from it, so the caller cannot choose it: an entry that carries a
 * `registeredAt` is refused (`PF_INPUT_INVALID`, path `registeredAt`) unless
 * `options.carriedOver` says it was exported from an earlier register, and
 * even then a date earlier than `knownAt` (nothing is registered before it is
 * known) or later than now is refused.
 *
 * @example
 * ```ts
 * const stored = registrationOf(entry, new Date()); // { ...entry, registeredAt: '2026-12-07T14:20:00.000Z' }
 * const moved = registrationOf(exported, new Date(), { carriedOver: true }); // keeps exported.registeredAt
 * ```
 * @category Register
 */
export function registrationOf(entry: IncidentEntry, now: Date = new Date(), options: RegistrationOptions = {}): IncidentEntry {
  checkIncidentEntry(entry);
  if (entry.registeredAt === undefined) return { ...structuredClone(entry), registeredAt: now.toISOString() };
  const article = 'Res. CD/ANPD 15/2024 Art. 10';
  if (options?.carriedOver !== true) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `incident ${entry.id}: the register sets the registration date, from which it is kept five years; add an entry exported from an earlier register with { carriedOver: true }`,
      { article, paths: ['registeredAt'] },
    );
  }
  const registered = Date.parse(entry.registeredAt);
  if (registered < Date.parse(entry.knownAt) || registered > now.getTime()) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `incident ${entry.id}: a carried-over registration date must be no earlier than knownAt and no later than now`,
      { article, paths: ['registeredAt'] },
    );
  }
  return { ...structuredClone(entry), registeredAt: new Date(registered).toISOString() };
}

/**
 * The entry as a register stores it after an update: the patch applied, with
 * the id and the dates of knowledge and registration kept, then checked.
 *
 * @example
 * ```ts
 * const next = updatedEntry(current, { notified: true, notifiedAt, communication: { means: ['ANPD electronic form'], content } });
 * ```
 * @category Register
 */
export function updatedEntry(
  current: IncidentEntry,
  patch: Partial<Omit<IncidentEntry, 'id' | 'knownAt' | 'registeredAt'>>,
): IncidentEntry {
  // the id and the dates of knowledge and registration are the current ones, whatever the patch says
  const { id: _id, knownAt: _knownAt, registeredAt: _registeredAt, ...rest } = structuredClone(patch) as Partial<IncidentEntry>;
  const next: IncidentEntry = { ...structuredClone(current), ...rest };
  checkIncidentEntry(next);
  return next;
}

/**
 * The register entry of a reported incident, with the minimum contents of
 * Res. CD/ANPD 15/2024 Art. 10 §1 taken from the report: for a communicated
 * incident the report's Markdown is the content of the communication (VII);
 * otherwise give the reason it was not communicated (VIII).
 *
 * The entry cannot contradict the report it keeps: a notified entry needs a
 * report made with `facts.communicatedAt` (a draft is refused), and its
 * `notifiedAt`, when given, must be that time, since the report judged the
 * deadline (LGPD Art. 48 §1 V) against it. For another time, make the report
 * again with that `communicatedAt`: a late one then needs its reasons. An
 * entry not notified needs a draft, whose content states no communication.
 * Either mismatch is `PF_INPUT_INVALID`.
 *
 * @example
 * ```ts
 * const report = incidentReport({ facts: { ...facts, communicatedAt: sentAt }, scope, deadlines });
 * await register.add(incidentEntry(report, { notified: true, notifiedAt: sentAt, means: ['ANPD electronic form', 'e-mail to each subject'] }));
 * ```
 * @category Register
 */
export function incidentEntry(
  report: IncidentReport,
  status:
    | { readonly notified: true; readonly notifiedAt?: Date; readonly means: readonly string[] }
    | { readonly notified: false; readonly reason: string },
): IncidentEntry {
  const j = report?.json;
  if (typeof j?.id !== 'string' || typeof report.markdown !== 'string') {
    throw new PurposefulError('PF_INPUT_INVALID', 'incidentEntry() needs a report made by incidentReport()');
  }
  const article = 'Res. CD/ANPD 15/2024 Art. 10 §1 VII; LGPD Art. 48 §1 V';
  if (status?.notified === true) {
    if (j.communicatedAt === null) {
      throw new PurposefulError(
        'PF_INPUT_INVALID',
        'incidentEntry(): a draft report (no facts.communicatedAt) is not the content of a communication; make the report with the time it was communicated',
        { article, paths: ['communicatedAt'] },
      );
    }
    const at = status.notifiedAt;
    if (at !== undefined && (!(at instanceof Date) || at.getTime() !== Date.parse(j.communicatedAt))) {
      throw new PurposefulError(
        'PF_INPUT_INVALID',
        "incidentEntry(): notifiedAt differs from the report's communicatedAt, against which its timeliness was judged; make the report again with communicatedAt: notifiedAt",
        { article, paths: ['notifiedAt'] },
      );
    }
  } else if (status?.notified === false && j.communicatedAt !== null) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      'incidentEntry(): the report states a communication to the ANPD; register it as notified, or make a draft (no facts.communicatedAt)',
      { article: 'Res. CD/ANPD 15/2024 Art. 10 §1 VIII', paths: ['communicatedAt'] },
    );
  }
  const entry: IncidentEntry = {
    id: j.id,
    title: j.title,
    knownAt: j.knownAt,
    circumstances: j.rootCause ? `${j.nature} Root cause: ${j.rootCause}` : j.nature,
    data: { categories: [...j.data.categories], sensitiveCategories: [...j.data.sensitiveCategories] },
    subjects: j.subjects.count,
    riskAssessment: `${j.relevantRisk.conclusion} Risks: ${j.risks}`,
    measures: [...j.measures],
    criteria: [...j.criteria],
    report: j,
    ...(status.notified
      ? {
          notified: true,
          notifiedAt: j.communicatedAt as string,
          communication: { means: [...status.means], content: report.markdown },
        }
      : { notified: false, reason: status.reason }),
  };
  checkIncidentEntry(entry);
  return entry;
}

/**
 * Returns the retention if it is five years or longer, else throws `PF_OPTIONS_INVALID`.
 *
 * @example
 * ```ts
 * checkRegisterRetention('P10Y'); // 'P10Y'
 * checkRegisterRetention('P1Y');  // throws
 * ```
 * @category Register
 */
export function checkRegisterRetention(retention: string): string {
  const d = parseDuration(retention);
  const base = new Date(Date.UTC(2000, 0, 1));
  if (
    !d ||
    addDuration(base, d) < addDuration(base, parseDuration(INCIDENT_RETENTION) as NonNullable<ReturnType<typeof parseDuration>>)
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'the incident register keeps entries at least five years (P5Y or longer)');
  }
  return retention;
}

/**
 * An incident register in memory (for tests and tools; use the PostgreSQL one in production).
 *
 * @example
 * ```ts
 * const register = memoryIncidentRegister();
 * await register.add({ id: 'INC-1', title: 'Lost laptop, disk encrypted', knownAt: new Date().toISOString(),
 *   circumstances: 'Laptop stolen from a car', data: { categories: ['user.name'], sensitiveCategories: [] }, subjects: 340,
 *   riskAssessment: 'Disk encrypted, key not exposed: unintelligible (LGPD Art. 48 §3)',
 *   notified: false, reason: 'no relevant risk or damage (Res. CD/ANPD 15/2024 Art. 5)' });
 * ```
 * @category Register
 */
export function memoryIncidentRegister(options: { readonly retention?: string } = {}): IncidentRegister {
  const retention = checkRegisterRetention(options.retention ?? INCIDENT_RETENTION);
  const entries = new Map<string, IncidentEntry>();
  return {
    async add(entry, options) {
      const stored = registrationOf(entry, new Date(), options);
      if (entries.has(entry.id)) throw new PurposefulError('PF_INPUT_INVALID', `incident ${entry.id} is already registered`);
      entries.set(entry.id, stored);
    },
    async update(id, patch) {
      const current = entries.get(id);
      if (!current) throw new PurposefulError('PF_INPUT_INVALID', `no incident ${id} is registered`);
      const next = updatedEntry(current, patch);
      entries.set(id, next);
      return structuredClone(next);
    },
    async get(id) {
      const e = entries.get(id);
      return e ? structuredClone(e) : undefined;
    },
    async list() {
      return [...entries.values()].map((e) => structuredClone(e)).sort((a, b) => byKey(a.knownAt, b.knownAt));
    },
    async remove(id, now = new Date()) {
      const e = entries.get(id);
      if (!e) return;
      assertRetentionOver(e, retention, now);
      entries.delete(id);
    },
  };
}
