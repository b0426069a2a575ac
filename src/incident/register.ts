/**
 * The incident register: every incident, notified or not, kept at least five
 * years (Res. CD/ANPD 15/2024 Art. 10). Entries can be updated as the
 * handling goes on; none can be removed before its retention ends.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { addDuration, parseDuration } from '../schema/duration.js';
import { byKey } from '../util/text.js';

/**
 * One registered incident.
 *
 * @example
 * ```ts
 * const entry: IncidentEntry = {
 *   id: 'INC-2026-014', knownAt: '2026-11-29T12:00:00.000Z', title: 'Bulk read by a compromised agent account',
 *   notified: true, notifiedAt: '2026-11-30T18:00:00.000Z', criteria: ['largeScale'], report: json,
 * };
 * ```
 */
export interface IncidentEntry {
  readonly id: string;
  readonly title: string;
  readonly knownAt: string;
  /** Whether the ANPD and subjects were notified; when not, why (`reason`). */
  readonly notified: boolean;
  readonly notifiedAt?: string;
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
 * await register.update('INC-2026-014', { notified: true, notifiedAt: new Date().toISOString() });
 * ```
 */
export interface IncidentRegister {
  add(entry: IncidentEntry): Promise<void>;
  update(id: string, patch: Partial<Omit<IncidentEntry, 'id' | 'knownAt'>>): Promise<IncidentEntry>;
  get(id: string): Promise<IncidentEntry | undefined>;
  list(): Promise<IncidentEntry[]>;
  /** Removes an entry; refused with `PF_RETENTION_ACTIVE` before its retention ends. */
  remove(id: string, now?: Date): Promise<void>;
}

/**
 * How long incidents are kept at least.
 *
 * @example
 * ```ts
 * const register = memoryIncidentRegister({ retention: INCIDENT_RETENTION }); // 'P5Y'
 * ```
 */
export const INCIDENT_RETENTION = 'P5Y';

/**
 * Checks an incident entry (for registers of your own).
 *
 * @example
 * ```ts
 * async function add(entry: IncidentEntry) {
 *   checkIncidentEntry(entry); // PF_INPUT_INVALID: a non-notified incident must say why
 *   await myStore.insert(entry);
 * }
 * ```
 */
export function checkIncidentEntry(entry: IncidentEntry): void {
  if (
    typeof entry !== 'object' ||
    entry === null ||
    typeof entry.id !== 'string' ||
    entry.id === '' ||
    typeof entry.title !== 'string' ||
    Number.isNaN(Date.parse(entry.knownAt)) ||
    typeof entry.notified !== 'boolean'
  ) {
    throw new PurposefulError('PF_INPUT_INVALID', 'an incident entry needs id, title, knownAt (ISO 8601) and notified');
  }
  if (!entry.notified && (typeof entry.reason !== 'string' || entry.reason === '')) {
    throw new PurposefulError('PF_INPUT_INVALID', 'an incident that is not notified must say why (reason)');
  }
}

/**
 * Throws `PF_RETENTION_ACTIVE` while an entry must still be kept (for registers of your own).
 *
 * @example
 * ```ts
 * assertRetentionOver(entry, 'P5Y', new Date()); // throws until five years after entry.knownAt
 * ```
 */
export function assertRetentionOver(entry: IncidentEntry, retention: string, now: Date): void {
  const d = parseDuration(retention);
  if (!d) throw new PurposefulError('PF_OPTIONS_INVALID', 'the register retention must be an ISO-8601 duration');
  const until = addDuration(new Date(entry.knownAt), d);
  if (now < until) {
    throw new PurposefulError('PF_RETENTION_ACTIVE', `incident ${entry.id} must be kept until ${until.toISOString()}`, {
      article: 'Res. CD/ANPD 15/2024 Art. 10',
    });
  }
}

/**
 * Returns the retention if it is five years or longer, else throws `PF_OPTIONS_INVALID`.
 *
 * @example
 * ```ts
 * checkRegisterRetention('P10Y'); // 'P10Y'
 * checkRegisterRetention('P1Y');  // throws
 * ```
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
 *   notified: false, reason: 'disk encrypted, key not exposed: no relevant risk' });
 * ```
 */
export function memoryIncidentRegister(options: { readonly retention?: string } = {}): IncidentRegister {
  const retention = checkRegisterRetention(options.retention ?? INCIDENT_RETENTION);
  const entries = new Map<string, IncidentEntry>();
  return {
    async add(entry) {
      checkIncidentEntry(entry);
      if (entries.has(entry.id)) throw new PurposefulError('PF_INPUT_INVALID', `incident ${entry.id} is already registered`);
      entries.set(entry.id, structuredClone(entry));
    },
    async update(id, patch) {
      const current = entries.get(id);
      if (!current) throw new PurposefulError('PF_INPUT_INVALID', `no incident ${id} is registered`);
      const next = { ...current, ...structuredClone(patch), id: current.id, knownAt: current.knownAt };
      checkIncidentEntry(next);
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
