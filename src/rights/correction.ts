/**
 * Correction (LGPD Art. 18 III; GDPR Art. 16): a JSON Merge Patch applied to
 * one of the subject's records, checked as `pf.inbound` checks what it takes
 * (declared fields only, the schema satisfied), sealed again with the row's
 * restriction kept, and passed on to the recipients of the changed fields.
 *
 * @module
 * @internal
 */
import * as core from 'zod/v4/core';
import { INDEX_COLUMN_PREFIX } from '../crypto/records.js';
import { PurposefulError } from '../errors.js';
import { projectZod } from '../minimize/zod-project.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import { restrictionOf, withErasure } from '../schema/restriction.js';
import { displayPath, type FieldInfo } from '../schema/walk.js';
import type { RightsContext } from './context.js';
import { exitsOf, PASS_ON, type PassOnPlan, passedOnNote, passOn, passOnPlan, recipientsOf } from './pass-on.js';
import { isPlain, mergePatch, PROTOTYPE_KEYS, patchTouches, undeclaredIn, writesAt } from './patch.js';
import { valuesAt } from './paths.js';
import { setRestriction } from './restriction.js';
import type { ChangeOptions, CorrectionNotice, Rights, RightsRequest, RightsSource } from './types.js';

type Change = Parameters<Rights['correct']>[1];

/**
 * The zod schema a correction's declaration check uses: the one `pf.inbound` builds for a purpose (`projectZod`),
 * with every personal field received, since a subject corrects any of their fields. Under `deny`, a place that
 * neither `pd()` nor `pd.none()` declares is left out of it, so a patch that writes there is refused.
 */
const declaredZods = {
  deny: new WeakMap<PurposefulSchema, core.$ZodType>(),
  allow: new WeakMap<PurposefulSchema, core.$ZodType>(),
};
function declaredZod(schema: PurposefulSchema, mode: Unannotated): core.$ZodType {
  const cache = mode === 'allow' ? declaredZods.allow : declaredZods.deny;
  let z = cache.get(schema);
  if (!z) {
    z = projectZod(schema, () => true, mode === 'allow');
    cache.set(schema, z);
  }
  return z;
}

/** `safeParse`, or `safeParseAsync` for a schema with async refinements or transforms. */
async function parseAny(schema: core.$ZodType, value: unknown): Promise<core.util.SafeParseResult<unknown>> {
  try {
    return core.safeParse(schema, value);
  } catch (err) {
    if (!(err instanceof core.$ZodAsyncError)) throw err;
    return core.safeParseAsync(schema, value);
  }
}

/** The schema and source a correction names, and its patch: a source that can update, a JSON Merge Patch object. */
function correctionTarget(ctx: RightsContext, change: Change) {
  const schema = ctx.internals.schemas.get(change?.schema);
  const source = schema ? ctx.options.sources[schema.id] : undefined;
  if (!schema || !source)
    throw new PurposefulError('PF_INPUT_INVALID', `no source is registered for schema "${String(change?.schema)}"`);
  if (typeof source.update !== 'function')
    throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${schema.id} needs update() for corrections`);
  if (!isPlain(change.patch)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'a correction is a JSON Merge Patch object');
  }
  return { schema, source: source as RightsSource & Required<Pick<RightsSource, 'update'>>, patch: change.patch };
}

/**
 * A correction corrects incomplete, inexact or outdated data (LGPD Art. 18 III; GDPR Art. 16): it does not change
 * whose record it is, nor which record it is. A change of owner is the application's own operation. Returns the
 * paths that say it.
 */
function identityPaths(schema: PurposefulSchema, patch: Record<string, unknown>): string[] {
  const ids = [schema.subject?.id, schema.recordId].filter((x): x is string => typeof x === 'string' && x !== '');
  const touched = [...new Set(ids.filter((path) => patchTouches(patch, path)))];
  if (touched.length > 0) {
    throw new PurposefulError(
      'PF_CORRECTION_INVALID',
      `the patch changes ${touched.join(', ')}, which says whose record or which record it is: a correction cannot change it (LGPD Art. 18 III corrects incomplete, inexact or outdated data; a change of owner is the application's operation, not a data-subject request)`,
      { schema: schema.id, paths: touched, article: 'LGPD Art. 18 III; GDPR Art. 16' },
    );
  }
  return ids;
}

/** The one record of the subject the correction names (by record id, or the only one). */
async function pickRecord(schema: PurposefulSchema, source: RightsSource, subjectId: string, change: Change) {
  const rows = await source.find(subjectId);
  const pick =
    change.record !== undefined && schema.recordId !== undefined
      ? rows.filter((row) => String(row[schema.recordId as string]) === change.record)
      : rows;
  if (pick.length !== 1) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      pick.length === 0 ? 'no record of the subject matches' : 'several records match: name the record',
      { schema: schema.id },
    );
  }
  return pick[0] as Record<string, unknown>;
}

/** Only declared personal fields may be corrected through a request: the patch's top-level keys are checked. */
function assertCorrectable(schema: PurposefulSchema, patch: Record<string, unknown>): void {
  const allowed = new Set(schema.fields.map((f) => f.path.split(/[.[{]/)[0] as string));
  for (const k of Object.keys(patch)) {
    if (!allowed.has(k) || PROTOTYPE_KEYS.has(k))
      throw new PurposefulError(
        'PF_UNDECLARED_FIELD',
        `the patch changes ${displayPath(schema.shape, [k])}, which is not a personal field a subject can correct`,
        { schema: schema.id, paths: [displayPath(schema.shape, [k])] },
      );
  }
}

/** Refuses a patch that writes where the schema declares nothing (`PF_UNDECLARED_FIELD`), naming the paths. */
function refuseUndeclaredPaths(schema: PurposefulSchema, undeclared: readonly string[]): void {
  if (undeclared.length > 0) {
    throw new PurposefulError(
      'PF_UNDECLARED_FIELD',
      `the patch holds keys the schema does not declare, at: ${undeclared.join(', ')} (LGPD Art. 6 III; GDPR Art. 5(1)(c))`,
      { schema: schema.id, paths: undeclared, article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)' },
    );
  }
}

/** Refuses the keys of the patch that the parsed record does not hold. */
function refuseUndeclared(schema: PurposefulSchema, patch: Record<string, unknown>, parsed: unknown): void {
  refuseUndeclaredPaths(schema, [...new Set(undeclaredIn(patch, parsed).map((p) => displayPath(schema.shape, p) || '(root)'))]);
}

/** The refusal of a corrected record the schema does not take (`PF_VALIDATION_FAILED`), with the paths of its issues. */
function invalid(schema: PurposefulSchema, result: core.util.SafeParseResult<unknown>): PurposefulError {
  return new PurposefulError('PF_VALIDATION_FAILED', 'the corrected record does not satisfy the schema', {
    schema: schema.id,
    paths: [
      ...new Set(
        (result.error?.issues ?? []).flatMap((i) =>
          // a strict object names the keys it does not know: their paths, as for any other issue
          i.code === 'unrecognized_keys'
            ? i.keys.map((k) => displayPath(schema.shape, [...i.path, k]) || '(root)')
            : [displayPath(schema.shape, i.path) || '(root)'],
        ),
      ),
    ],
  });
}

/** The corrected record as zod outputs it, after the checks `pf.inbound` makes; a patch that writes undeclared data is refused. */
async function checkedRecord(
  ctx: RightsContext,
  schema: PurposefulSchema,
  patch: Record<string, unknown>,
  merged: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  // the declaration check pf.inbound makes, every personal field received: under `deny` (the default), a place
  // declared with neither pd() nor pd.none() is declared for no purpose, and a patch that writes there is
  // refused like any undeclared key, at any depth (LGPD Art. 18 III corrects declared data)
  const declared = await parseAny(declaredZod(schema, ctx.internals.unannotated?.(schema) ?? 'deny'), merged);
  if (declared.success) refuseUndeclared(schema, patch, declared.data);
  const checked = await parseAny(schema.zod, merged);
  if (!checked.success) throw invalid(schema, checked);
  // what is stored is zod's output: a key of the patch that it does not hold (undeclared at any depth, or a
  // prototype key) is refused, not silently dropped nor stored. It keeps what the row holds outside the patch.
  refuseUndeclared(schema, patch, checked.data);
  if (!declared.success) {
    // the declared schema refused what the full one takes: a strict object holding an unannotated key. Written by
    // the patch, it is an undeclared field; held by the row already, the correction is refused all the same
    const written = declared.error.issues
      .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : []))
      .filter((path) => writesAt(patch, path))
      .map((path) => displayPath(schema.shape, path) || '(root)');
    if (written.length > 0) refuseUndeclaredPaths(schema, [...new Set(written)]);
    throw invalid(schema, declared);
  }
  return checked.data as Record<string, unknown>;
}

/** A correction keeps the row's restriction (an erasure, a blocking): it corrects data, it lifts nothing. */
function keepRestriction(schema: PurposefulSchema, row: Record<string, unknown>, sealed: Record<string, unknown>): void {
  const held = restrictionOf(row, schema.id);
  if (held) {
    const now = restrictionOf(sealed, schema.id);
    setRestriction(sealed, {
      ...(held.erasedAt !== undefined ? withErasure(now, held.erasedAt) : now),
      ...(held.blocked ? { blocked: held.blocked } : {}),
    });
  }
}

/**
 * What the source marked on the row it read (own, enumerable symbol-keyed properties: its restriction as read, say)
 * travels with the corrected row, as it does with the spread copies the other requests change.
 */
function carryMarks(row: Record<string, unknown>, sealed: Record<string, unknown>): void {
  for (const key of Object.getOwnPropertySymbols(row)) {
    if (Object.prototype.propertyIsEnumerable.call(row, key)) {
      (sealed as Record<symbol, unknown>)[key] = (row as Record<symbol, unknown>)[key];
    }
  }
}

/** One notice per told recipient, with the corrected values of the fields its purposes use. */
function correctionNotices(
  r: RightsRequest,
  schema: PurposefulSchema,
  after: Record<string, unknown>,
  byRecipient: ReadonlyMap<string, ReadonlySet<FieldInfo>>,
  told: PassOnPlan,
): CorrectionNotice[] {
  const record = schema.recordId !== undefined ? { record: String(after[schema.recordId]) } : {};
  return told.told.map((recipient): CorrectionNotice => {
    const changes: Record<string, unknown> = {};
    for (const f of byRecipient.get(recipient) ?? []) changes[f.path] = valuesAt(after, f.path)[0] ?? null;
    return {
      kind: 'correction',
      request: r.id,
      subjectId: r.subjectId,
      schema: schema.id,
      ...record,
      recipient,
      article: PASS_ON,
      changes,
    };
  });
}

/** Corrects one of the subject's records. */
async function correct(ctx: RightsContext, id: string, change: Change, changeOptions?: ChangeOptions) {
  const { internals, recipients } = ctx;
  const r = await ctx.open(id, ['correction']);
  const exits = exitsOf(recipients, changeOptions);
  const { schema, source, patch } = correctionTarget(ctx, change);
  const ids = identityPaths(schema, patch);
  const row = await pickRecord(schema, source, r.subjectId, change);
  const before = await internals.openAll(schema, row, r.subjectId);
  assertCorrectable(schema, patch);
  const merged = mergePatch(before, patch) as Record<string, unknown>;
  // blind-index columns are not the schema's: sealing computes them again from the corrected values
  for (const k of Object.keys(merged)) if (k.startsWith(INDEX_COLUMN_PREFIX) && !schema.shape.object?.has(k)) delete merged[k];
  const after = await checkedRecord(ctx, schema, patch, merged);
  // nor may the parsing move the record to another subject or id (a transform on an id field)
  const moved = ids.filter((path) => JSON.stringify(valuesAt(before, path)) !== JSON.stringify(valuesAt(after, path)));
  if (moved.length > 0) {
    throw new PurposefulError('PF_CORRECTION_INVALID', `the corrected record would change ${moved.join(', ')}`, {
      schema: schema.id,
      paths: moved,
      article: 'LGPD Art. 18 III; GDPR Art. 16',
    });
  }
  const changedFields = schema.fields.filter(
    (f) => JSON.stringify(valuesAt(before, f.path)) !== JSON.stringify(valuesAt(after, f.path)),
  );
  // passed on to every recipient of a purpose that uses a changed field (LGPD Art. 18 §6; GDPR Art. 19): each
  // needs its hook or a stated reason, checked before anything is stored
  const byRecipient = recipientsOf(recipients, changedFields);
  const told = passOnPlan(recipients, byRecipient.keys(), exits, 'correction');
  const sealed = await internals.seal(schema, after, r.subjectId);
  keepRestriction(schema, row, sealed);
  carryMarks(row, sealed);
  await source.update(r.subjectId, sealed);
  const passed = await passOn(recipients, correctionNotices(r, schema, after, byRecipient, told), told);
  ctx.log('correction', r.subjectId, 'allow', passedOnNote(passed), changedFields, r.id);
  return { changed: changedFields.map((f) => f.path), ...passed };
}

/** The correction requests of a desk. */
export function correctionRequests(ctx: RightsContext): Pick<Rights, 'correct'> {
  return { correct: (id, change, changeOptions) => correct(ctx, id, change, changeOptions) };
}
