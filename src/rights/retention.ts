/**
 * Retention sweeps (LGPD Art. 15–16; GDPR Art. 5(1)(e)): a field is kept for
 * the longest retention among its purposes, each counted from its own event
 * (collection, the end of the contract, an invoice's issue…); a sweep walks a
 * store page by page and removes what has outlived every purpose: the field,
 * or the whole record when nothing of it may stay. Dry runs say what would
 * happen; sweeps are idempotent and resume from the cursor they report.
 *
 * @module
 */
import type { AccessLog } from '../audit/log.js';
import type { ConsentLedger } from '../consent/ledger.js';
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import { addDuration } from '../schema/duration.js';
import type { Purposes } from '../schema/purposes.js';
import { restrictionOf } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import { type AnonymousRecord, copyOfDeparting, type OpenFields } from './anonymize.js';
import { nullIndexes, removeAt, valuesAt } from './paths.js';

/**
 * A store the sweep walks: rows in a stable order a page at a time, when each
 * retention of a row starts, and how to change or remove a row.
 *
 * @example
 * ```ts
 * const tickets: RetentionSource = {
 *   schema: Ticket,
 *   page: async (cursor, limit) => {
 *     const rows = await db.query('SELECT * FROM tickets WHERE id > $1 ORDER BY id LIMIT $2', [cursor ?? '', limit]);
 *     return { rows: rows.rows, next: rows.rows.at(-1)?.id };
 *   },
 *   startOf: (row, event) => (event === 'collection' ? new Date(row.created_at) : undefined),
 *   update: (row) => db.query('UPDATE tickets SET body = $2 WHERE id = $1', [row.id, row]),
 *   remove: (row) => db.query('DELETE FROM tickets WHERE id = $1', [row.id]),
 * };
 * ```
 * @category Rights and retention
 */
export interface RetentionSource {
  readonly schema: PurposefulSchema;
  page(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ readonly rows: readonly Record<string, unknown>[]; readonly next?: string }>;
  /** When the retention counted from `event` started for this row: `collection`, or a purpose's `retention.from`. */
  startOf(row: Record<string, unknown>, event: string): Date | undefined;
  update(row: Record<string, unknown>): Promise<void>;
  remove(row: Record<string, unknown>): Promise<void>;
  /**
   * Keeps the anonymous copy of the expired fields that declare `anonymize`,
   * and applies the change to the row (`remove` it, or `update` it to `row`),
   * in one transaction where the store has them: a sweep resumed after a
   * crash then never keeps a copy twice. Required when the schema declares
   * `anonymize` on any field.
   */
  anonymize?(anonymous: AnonymousRecord, row: Record<string, unknown>, change: 'remove' | 'update'): Promise<void>;
}

/**
 * What a sweep did (or, dry, would do).
 *
 * @example
 * ```ts
 * const result: SweepResult = await pf.retention.sweep(tickets, { dryRun: true });
 * for (const a of result.actions ?? []) console.log(a.action, a.record, a.fields.join(', '));
 * ```
 * @category Rights and retention
 */
export interface SweepResult {
  readonly scanned: number;
  /** Records removed whole. */
  readonly removed: number;
  /** Records with some fields removed. */
  readonly updated: number;
  /** Records of which an anonymous copy was kept (among those removed or updated). */
  readonly anonymized: number;
  /** Records kept because a retention's start is unknown (the sweep never guesses). */
  readonly undetermined: number;
  /** Where to resume after a crash (undefined when the store was walked to its end). */
  readonly cursor?: string;
  /** With `dryRun`: every change the sweep would make. */
  readonly actions?: readonly {
    readonly record?: string;
    readonly action: 'remove' | 'update';
    readonly fields: readonly string[];
    /** Of `fields`, those that declare `anonymize`: kept generalized in an anonymous copy. */
    readonly anonymized?: readonly string[];
  }[];
}

/**
 * Options of a sweep.
 *
 * @example
 * ```ts
 * const options: SweepOptions = { now: new Date(), dryRun: false, pageSize: 500, onProgress: (p) => save(p.cursor) };
 * ```
 * @category Rights and retention
 */
export interface SweepOptions {
  readonly now?: Date;
  readonly dryRun?: boolean;
  /** Resume after this cursor (the one a previous sweep reported). */
  readonly cursor?: string;
  readonly pageSize?: number;
  /** After each page: how far the sweep got, to save for a resume. */
  readonly onProgress?: (progress: { readonly scanned: number; readonly cursor?: string }) => void | Promise<void>;
}

/**
 * Retention on the engine: `pf.retention`.
 *
 * @example
 * ```ts
 * const result = await pf.retention.sweep(tickets, { now: new Date() });
 * console.log(`${result.removed} removed, ${result.updated} trimmed, ${result.undetermined} undetermined`);
 * ```
 * @category Rights and retention
 */
export interface RetentionSweeps {
  /**
   * When one field of a row may be kept until: the latest end among its
   * purposes in force (`inForce`, default every purpose); `undefined` when a
   * start is unknown.
   */
  until(
    schema: PurposefulSchema,
    field: FieldInfo,
    row: Record<string, unknown>,
    startOf: RetentionSource['startOf'],
    inForce?: (purpose: string) => boolean,
  ): Date | undefined;
  sweep(source: RetentionSource, options?: SweepOptions): Promise<SweepResult>;
}

/** The "until" of a field no purpose in force keeps: the earliest date there is. */
const NO_PURPOSE = new Date(-8.64e15);

/** What `pf.retention` reads of the engine. */
interface RetentionInternals {
  readonly purposes: Purposes;
  readonly schemas: ReadonlyMap<string, PurposefulSchema>;
  readonly audit?: AccessLog;
  readonly consent?: ConsentLedger;
  /** Opens the encrypted fields an anonymous copy generalizes. */
  readonly open: OpenFields;
}

/** Fails when a sweep source names a schema the engine does not handle, or lacks a method the sweep needs. */
function assertSweepSource(internals: RetentionInternals, source: RetentionSource): PurposefulSchema {
  const schema = source?.schema;
  if (!schema || internals.schemas.get(schema.id) !== schema) {
    throw new PurposefulError('PF_SCHEMA_UNKNOWN', 'the sweep source names a schema this engine does not handle');
  }
  for (const m of ['page', 'startOf', 'update', 'remove'] as const) {
    if (typeof source[m] !== 'function') throw new PurposefulError('PF_OPTIONS_INVALID', `a retention source needs ${m}()`);
  }
  return schema;
}

/**
 * Per subject, which purposes are in force: a consent-based purpose only while consent is granted (asked once per
 * subject and sweep); without a ledger, every purpose is.
 */
function consentInForce(internals: RetentionInternals, consentBased: readonly string[]) {
  const granted = new Map<string, ReadonlySet<string>>();
  return async (subject: string | undefined): Promise<((pid: string) => boolean) | undefined> => {
    if (!internals.consent || subject === undefined || consentBased.length === 0) return undefined;
    let set = granted.get(subject);
    if (!set) {
      const states = await internals.consent.status(subject, consentBased);
      set = new Set(consentBased.filter((pid) => states.get(pid)?.status === 'granted'));
      granted.set(subject, set);
    }
    const g = set;
    return (pid) => !consentBased.includes(pid) || g.has(pid);
  };
}

/** One sweep: what it works with, and its running counts. */
interface Sweep {
  readonly internals: RetentionInternals;
  readonly schema: PurposefulSchema;
  readonly source: RetentionSource;
  readonly options: SweepOptions;
  readonly now: Date;
  readonly anonymizing: boolean;
  readonly until: RetentionSweeps['until'];
  readonly inForceFor: ReturnType<typeof consentInForce>;
  readonly actions: NonNullable<SweepResult['actions']>[number][];
  scanned: number;
  removed: number;
  updated: number;
  anonymized: number;
  undetermined: number;
}

/** The subject a row names, as a string; none when the schema declares no subject id or the row holds none. */
function subjectOf(schema: PurposefulSchema, row: Record<string, unknown>): string | undefined {
  const v = schema.subject?.id !== undefined ? valuesAt(row, schema.subject.id)[0] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** Sweeps one row: what expired leaves it (anonymized where declared), or the whole row goes; logged without values. */
async function sweepRow(w: Sweep, stored: Record<string, unknown>): Promise<void> {
  const { schema, source, options, now } = w;
  w.scanned++;
  const row = { ...stored };
  const present = schema.fields.filter((f) => valuesAt(row, f.path).length > 0);
  // startOf sees the row as the source gave it (a source may know it by identity)
  const inForce = await w.inForceFor(subjectOf(schema, row));
  const ends = present.map((f) => w.until(schema, f, stored, source.startOf, inForce));
  if (ends.some((e) => e === undefined)) {
    w.undetermined++;
    return;
  }
  // a blocked field is kept as it is until the blocking is lifted: only its storage goes on (LGPD Art. 5 XIII;
  // GDPR Art. 18(2))
  const blocked = restrictionOf(stored, schema.id)?.blocked;
  const expired = present.filter(
    (f, i) => (ends[i] as Date) <= now && !blocked?.some((b) => b.fields === undefined || b.fields.includes(f.path)),
  );
  if (expired.length === 0) return;
  const record = schema.recordId !== undefined ? String(row[schema.recordId]) : undefined;
  const whole = expired.length === present.length;
  const fields = expired.map((f) => f.path);
  if (options.dryRun) {
    const kept = expired.filter((f) => f.anonymize !== undefined).map((f) => f.path);
    w.actions.push({
      ...(record !== undefined ? { record } : {}),
      action: whole ? 'remove' : 'update',
      fields,
      ...(kept.length ? { anonymized: kept } : {}),
    });
    return;
  }
  // the copy is made from the row as stored, before anything of it is taken out
  const copy = w.anonymizing
    ? await copyOfDeparting(w.internals.open, schema, stored, subjectOf(schema, row), expired, whole)
    : undefined;
  if (!whole) {
    for (const f of expired) removeAt(row, f.path);
    nullIndexes(schema, row, (ix) => ix.fields.some((f) => expired.includes(f)));
  }
  if (copy) {
    await (source.anonymize as NonNullable<RetentionSource['anonymize']>)(copy, row, whole ? 'remove' : 'update');
    w.anonymized++;
  } else if (whole) await source.remove(row);
  else await source.update(row);
  if (whole) w.removed++;
  else w.updated++;
  w.internals.audit?.record({
    time: now.toISOString(),
    action: 'retention',
    decision: 'allow',
    actor: { id: 'retention-sweep', roles: [], mfa: false },
    ...(subjectOf(schema, row) !== undefined ? { subjectId: subjectOf(schema, row) as string } : {}),
    schema: schema.id,
    fields,
    categories: [...new Set(expired.map((f) => f.category))].sort(),
    sensitive: expired.some((f) => f.sensitive),
  });
}

/** Builds `pf.retention`. @internal */
export function createRetention(internals: RetentionInternals): RetentionSweeps {
  const { purposes } = internals;
  const until: RetentionSweeps['until'] = (_schema, field, row, startOf, inForce) => {
    let latest: Date | undefined;
    for (const pid of field.access.keys()) {
      const p = purposes.get(pid);
      if (!p || (inForce && !inForce(pid))) continue;
      const start = startOf(row, p.retention.from ?? 'collection');
      if (!(start instanceof Date) || Number.isNaN(start.getTime())) return undefined;
      const end = addDuration(start, p.retention.duration);
      if (!latest || end > latest) latest = end;
    }
    // no purpose in force keeps it: due now
    return latest ?? NO_PURPOSE;
  };
  // consent-based purposes are in force for a subject only while their consent is granted (asked once per subject)
  const consentBased = purposes.ids.filter((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0);
  return {
    until,
    async sweep(source, options = {}) {
      const schema = assertSweepSource(internals, source);
      const anonymizing = schema.fields.some((f) => f.anonymize !== undefined);
      if (anonymizing && typeof source.anonymize !== 'function') {
        throw new PurposefulError(
          'PF_OPTIONS_INVALID',
          `fields of "${schema.id}" declare anonymize: the retention source needs anonymize() to keep their anonymous copies`,
          { schema: schema.id },
        );
      }
      const inForceFor = consentInForce(internals, consentBased);
      const now = options.now ?? new Date();
      const pageSize = options.pageSize ?? 500;
      if (!Number.isSafeInteger(pageSize) || pageSize < 1)
        throw new PurposefulError('PF_OPTIONS_INVALID', 'pageSize must be a positive integer');
      const w: Sweep = {
        internals,
        schema,
        source,
        options,
        now,
        anonymizing,
        until,
        inForceFor,
        actions: [],
        scanned: 0,
        removed: 0,
        updated: 0,
        anonymized: 0,
        undetermined: 0,
      };
      let cursor = options.cursor;
      for (;;) {
        const page = await source.page(cursor, pageSize);
        for (const stored of page.rows) await sweepRow(w, stored);
        cursor = page.next;
        await options.onProgress?.({ scanned: w.scanned, ...(cursor !== undefined ? { cursor } : {}) });
        if (cursor === undefined || page.rows.length === 0) break;
      }
      return {
        scanned: w.scanned,
        removed: w.removed,
        updated: w.updated,
        anonymized: w.anonymized,
        undetermined: w.undetermined,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(options.dryRun ? { actions: w.actions } : {}),
      };
    },
  };
}
