/**
 * How a subject's data leaves a row, shared by erasure and revocation: what
 * one row's departure is, the check that its store can carry it out, and the
 * store write itself (an anonymous copy with the change, a removal, or an
 * update).
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { FieldInfo } from '../schema/walk.js';
import type { AnonymousRecord } from './anonymize.js';
import type { RightsSource } from './types.js';

/** What an erasure or a revocation does to one row. */
export interface Departure {
  readonly schema: PurposefulSchema;
  readonly source: RightsSource;
  /** The row as stored, changed in place. */
  readonly row: Record<string, unknown>;
  /** The personal fields with a value that go. */
  readonly leaving: readonly FieldInfo[];
  readonly retained: readonly FieldInfo[];
  /** Nothing personal stays: the row may be removed. */
  readonly whole: boolean;
  copy?: AnonymousRecord | undefined;
  /** Something in the row as stored changed (a value in clear taken out, a blind index nulled). */
  changed?: boolean;
}

/** The record id of a row, as its answers and notices name it (none when the schema declares none). */
export function recordOf(schema: PurposefulSchema, row: Record<string, unknown>): string | undefined {
  return schema.recordId !== undefined ? String(row[schema.recordId]) : undefined;
}

/** Fails, before anything irreversible, when a row that must change cannot be changed by its store. */
export function assertWritable(p: Departure, what: string): void {
  const id = p.schema.id;
  if (p.leaving.some((f) => f.anonymize !== undefined) && typeof p.source.anonymize !== 'function') {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `rights.sources.${id} needs anonymize(): fields of "${id}" declare anonymize and must be kept as an anonymous copy`,
      { schema: id },
    );
  }
  if (typeof p.source.update !== 'function' && !(p.whole && typeof p.source.remove === 'function')) {
    throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${id} needs update() for ${what}`, { schema: id });
  }
}

/** Runs a store write; a failure that is not already typed becomes `PF_STORE_UNAVAILABLE`, its message (values?) dropped. */
export async function stored<T>(write: () => T | Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof PurposefulError) throw err;
    throw new PurposefulError(
      'PF_STORE_UNAVAILABLE',
      'a store did not take the change: the request is not finished; carry it out again to finish it',
    );
  }
}

/** The row itself goes: nothing personal stays in it, and its store can remove it. */
export function goes(p: Departure): boolean {
  return p.whole && typeof p.source.remove === 'function';
}

/** Stores a row's departure: its anonymous copy with the change, or the change alone. */
export async function depart(p: Departure, subjectId: string): Promise<void> {
  const change = goes(p) ? 'remove' : 'update';
  if (p.copy) await (p.source.anonymize as NonNullable<RightsSource['anonymize']>)(subjectId, p.copy, p.row, change);
  else if (change === 'remove') await (p.source.remove as NonNullable<RightsSource['remove']>)(subjectId, p.row);
  else if (p.changed) await (p.source.update as NonNullable<RightsSource['update']>)(subjectId, p.row);
}
