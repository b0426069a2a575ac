/**
 * What the rights and retention sources of the ORM adapters share: the checks
 * a source's schema must pass, the one-row rule's errors, the restriction each
 * row held when read (a change applies only to a row still so), `startOf`
 * compiled from an event → field map, and the anonymous copy's JSON.
 *
 * @module
 * @internal
 */
import {
  type DeclarationProblem,
  INDEX_COLUMN_PREFIX,
  PurposefulError,
  type PurposefulSchema,
  RESTRICTION_COLUMN,
  type RetentionSource,
  type RightsSource,
} from 'purposeful';

/**
 * When a row's retention counted from an event starts: per event (`collection`,
 * or a purpose's `retention.from`), the key of the column (Drizzle) or field
 * (Prisma) that holds it (a date, a date string or epoch milliseconds), or a
 * function of the row. An event with no column, or a `NULL`, is unknown: the
 * sweep keeps the row and counts it `undetermined`.
 *
 * @example
 * ```ts
 * const byColumn: RetentionStart = { collection: 'createdAt', 'invoice.issued': 'issuedAt' };
 * const byFunction: RetentionStart = (row, event) => (event === 'collection' ? (row.createdAt as Date) : undefined);
 * ```
 * @category Rights and retention
 */
export type RetentionStart =
  | Readonly<Record<string, string>>
  | ((row: Record<string, unknown>, event: string) => Date | undefined);

/** The `problems` of a `PF_BINDING_INVALID`: one declaration problem per message (a field path or column, never a value). */
export function sourceProblems(schema: string, problems: readonly string[]): DeclarationProblem[] {
  return problems.map((message) => ({
    code: 'PF_BINDING_INVALID',
    severity: 'error' as const,
    requiredBy: 'policy' as const,
    message,
    schema,
  }));
}

/** `PF_BINDING_INVALID` for a source over `target` (`table "tickets"`, `model Ticket`), every problem listed. */
export function sourceInvalid(schema: PurposefulSchema, target: string, problems: readonly string[]): PurposefulError {
  return new PurposefulError(
    'PF_BINDING_INVALID',
    `schema "${schema.id}" cannot be a source over ${target}: ${problems.join('; ')}`,
    { schema: schema.id, problems: sourceProblems(schema.id, problems) },
  );
}

/** The subject id's path, or a problem saying a rights source needs one. */
export function subjectPath(schema: PurposefulSchema, problems: string[]): string | undefined {
  const subject = schema.subject?.id;
  if (subject === undefined) problems.push('the schema declares no subject id: a rights source finds rows by their subject');
  return subject;
}

/** The subject field stays in clear (encryption binds to it), or a problem. */
export function subjectInClear(subject: string, encrypted: boolean, problems: string[]): boolean {
  if (encrypted) problems.push(`subject field "${subject}" is encrypted: a subject id stays in clear`);
  return !encrypted;
}

/** The record id's path, or a problem saying a source needs one. */
export function recordIdPath(schema: PurposefulSchema, problems: string[]): string | undefined {
  const recordId = schema.recordId;
  if (recordId === undefined) problems.push('the schema declares no recordId: rows are changed by their record id');
  return recordId;
}

/** A problem when fields declare `anonymize` and no target for their copies was given (`kind`: `a table`, `a model`). */
export function anonymousNeeded(schema: PurposefulSchema, given: boolean, kind: string, problems: string[]): void {
  if (!given && schema.fields.some((f) => f.anonymize !== undefined)) {
    problems.push(`fields declare anonymize: give options.anonymous (${kind}, or a function) for their copies`);
  }
}

/** The keys a change writes, those the store has (`has`): the schema's top-level fields, its blind indexes, the restriction. */
export function ownedKeys(schema: PurposefulSchema, has: (key: string) => boolean): string[] {
  const shape = (schema.zod as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return [...Object.keys(shape), ...schema.indexes.map((ix) => `${INDEX_COLUMN_PREFIX}${ix.name}`), RESTRICTION_COLUMN].filter(
    (key, i, all) => has(key) && all.indexOf(key) === i,
  );
}

/** The keys of a row to store that the store has no place for (`has`): their values would be dropped. */
export function strayKeys(row: Record<string, unknown>, has: (key: string) => boolean): string[] {
  return Object.keys(row).filter((key) => !has(key) && row[key] != null);
}

/** The record id of a row, or `PF_INPUT_INVALID` (a row without one cannot be changed). */
export function recordOf(schema: PurposefulSchema, recordId: string, row: Record<string, unknown>): unknown {
  const id = row[recordId];
  if (id === undefined || id === null) {
    throw new PurposefulError('PF_INPUT_INVALID', `a "${schema.id}" row needs its record id (${recordId}) to change`, {
      schema: schema.id,
    });
  }
  return id;
}

/** `PF_INPUT_INVALID`: no row matched the change (gone, of another subject, or its restriction changed since read). */
export function noRowMatched(schema: PurposefulSchema, how: 'remove' | 'update'): PurposefulError {
  return new PurposefulError(
    'PF_INPUT_INVALID',
    `no "${schema.id}" row with that record id (of that subject, its restriction as read) to ${how}: read it again; nothing was changed`,
    { schema: schema.id },
  );
}

/** `PF_BINDING_INVALID`: a record id matched `count` rows of `target` (`table "tickets"`, `model Ticket`). */
export function notOneRow(schema: PurposefulSchema, recordId: string, count: number, target: string): PurposefulError {
  return new PurposefulError(
    'PF_BINDING_INVALID',
    `the record id "${recordId}" matched ${count} rows of ${target}: it must identify one row; nothing was changed`,
    { schema: schema.id, problems: sourceProblems(schema.id, [`record id "${recordId}" is not unique in ${target}`]) },
  );
}

/** `PF_OPTIONS_INVALID`: an anonymous copy to keep, and no target for it. */
export function noAnonymousTarget(schema: PurposefulSchema): PurposefulError {
  return new PurposefulError('PF_OPTIONS_INVALID', `the "${schema.id}" source has no anonymous target for its copies`, {
    schema: schema.id,
  });
}

/**
 * The restriction a row held when its source read it, carried on the row itself (an own, enumerable symbol-keyed
 * property): a spread copy (`{ ...row }`) keeps it, as the rights desk's copies do, and JSON or a row built by hand
 * does not. It is of that read only: another request's read or change of the same row never refreshes it.
 */
const AS_READ: unique symbol = Symbol('purposeful.restrictionAsRead');

/**
 * What each row held in its restriction when read (as JSON text: a copy the desk's changes to the row never reach).
 * A change applies only to a row whose restriction is still the one its own read saw: a blocking or an erasure
 * written since (by another request, another instance) is never overwritten nor lifted by a change from an older
 * read, and a row not read through the source (nothing to compare with) is refused.
 */
export class RestrictionsAsRead {
  /** Marks each row just read with what its restriction held. */
  read(rows: readonly Record<string, unknown>[]): void {
    for (const row of rows) (row as Record<symbol, unknown>)[AS_READ] = textOf(row[RESTRICTION_COLUMN]);
  }

  /** What the row held when read: `undefined` when not read by a source, `null` for none, else its JSON text. */
  heldBy(row: Record<string, unknown>): string | null | undefined {
    const held = Object.hasOwn(row, AS_READ) ? (row as Record<symbol, unknown>)[AS_READ] : undefined;
    return typeof held === 'string' || held === null ? held : undefined;
  }

  /** After a change: what it wrote is what a later change of the same row object starts from. */
  changed(row: Record<string, unknown>, how: 'remove' | 'update'): void {
    if (how === 'remove') delete (row as Record<symbol, unknown>)[AS_READ];
    else (row as Record<symbol, unknown>)[AS_READ] = textOf(row[RESTRICTION_COLUMN]);
  }
}

/** `PF_INPUT_INVALID` for a change of a row its source did not read: its restriction as read is unknown. */
export function notReadHere(schema: PurposefulSchema, how: 'remove' | 'update'): PurposefulError {
  return new PurposefulError(
    'PF_INPUT_INVALID',
    `a "${schema.id}" row to ${how} must be one the source read (find or page), or a copy of one: what its restriction held then is compared; nothing was changed`,
    { schema: schema.id },
  );
}

const textOf = (restriction: unknown): string | null => (restriction == null ? null : JSON.stringify(restriction));

/** PostgreSQL's jsonb refuses the NUL character, which a decrypted value may hold: it becomes U+FFFD. */
export function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)]));
  }
  return value;
}

/** A start date from a stored value: a Date, an ISO string or epoch milliseconds; anything else is unknown. */
export function dateOf(value: unknown): Date | undefined {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

/**
 * `startOf` of a retention source: the function given, or the map read through `dateOf`; a key the store has not
 * (`has`) is a problem worded by `missing`.
 */
export function compileStartOf(
  start: RetentionStart | undefined,
  has: (key: string) => boolean,
  missing: (event: string, key: string) => string,
  problems: string[],
): RetentionSource['startOf'] {
  if (typeof start === 'function') return start;
  if (start === null || typeof start !== 'object') {
    problems.push('options.startOf is required: per event, the column its retention starts from (or a function)');
    return () => undefined;
  }
  const map = new Map<string, string>();
  for (const [event, key] of Object.entries(start)) {
    if (typeof key !== 'string' || !has(key)) problems.push(missing(event, String(key)));
    else map.set(event, key);
  }
  return (row, event) => {
    const key = map.get(event);
    return key === undefined ? undefined : dateOf(row[key]);
  };
}

/**
 * The `sources` of `rightsDesk` keyed by schema id, one per binding (`make`), with its options by schema id: a schema
 * bound twice is `twice`'s error, options naming a schema no binding has are `PF_OPTIONS_INVALID` (`fn` names the call).
 */
export function sourcesBySchema<B extends { readonly schema: PurposefulSchema }, O extends object>(
  bindings: readonly B[],
  options: Readonly<Record<string, O>> | undefined,
  make: (binding: B, options: O) => RightsSource,
  twice: (binding: B) => PurposefulError,
  fn: string,
): Record<string, RightsSource> {
  const sources: Record<string, RightsSource> = {};
  const given = options ?? {};
  for (const binding of bindings) {
    const id = (binding as Partial<B> | null)?.schema?.id;
    if (id !== undefined && Object.hasOwn(sources, id)) throw twice(binding);
    const source = make(binding, id !== undefined && Object.hasOwn(given, id) ? (given[id] as O) : ({} as O));
    sources[binding.schema.id] = source;
  }
  const unbound = Object.keys(given).filter((id) => !Object.hasOwn(sources, id));
  if (unbound.length > 0) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `${fn}() options name schemas no binding has: ${unbound.map((id) => `"${id}"`).join(', ')}`,
    );
  }
  return sources;
}
