/**
 * Blocking and its lifting (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18): the
 * subject's blocking is recorded in the blocking store, the rows are marked,
 * and the change is passed on to the recipients.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import { restrictionOf } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import type { RightsContext } from './context.js';
import { recordOf, stored } from './depart.js';
import { changeNotices, exitsOf, type NoticeItem, passedOnNote, passOn, passOnPlanFor } from './pass-on.js';
import { valuesAt } from './paths.js';
import { setRestriction } from './restriction.js';
import type { BlockingAnswer, ChangeOptions, PassedOn, Rights, RightsSource } from './types.js';

/** One row a blocking (or its lifting) marks, and its fields with a value that it covers. */
interface BlockedRow {
  schema: PurposefulSchema;
  source: RightsSource;
  row: Record<string, unknown>;
  fields: FieldInfo[];
}

type BlockOptions = Parameters<Rights['block']>[1];

/** Fails, before anything changes, when a row's store cannot update it. */
function assertUpdatable(plans: readonly BlockedRow[]): void {
  for (const x of plans) {
    if (typeof x.source.update !== 'function') {
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${x.schema.id} needs update() for blockings`, {
        schema: x.schema.id,
      });
    }
  }
}

/** Stores a marked row, and adds its fields to what the answer and the notices name. */
async function storeRow(subjectId: string, x: BlockedRow, items: NoticeItem[]): Promise<void> {
  await (x.source.update as NonNullable<RightsSource['update']>)(subjectId, x.row);
  const record = recordOf(x.schema, x.row);
  for (const f of x.fields) items.push({ schema: x.schema.id, ...(record !== undefined ? { record } : {}), field: f });
}

/** The answer of a blocking or its lifting: the fields it covered, and the passing on. */
function answerOf(items: readonly NoticeItem[], passed: PassedOn): BlockingAnswer {
  return {
    fields: items.map((it) => ({
      schema: it.schema,
      ...(it.record !== undefined ? { record: it.record } : {}),
      field: it.field.path,
    })),
    ...passed,
  };
}

/** The fields a blocking names, each a personal field of a schema with a source; none: every field. */
function namedFields(ctx: RightsContext, named: NonNullable<BlockOptions>['fields']) {
  if (named !== undefined && !Array.isArray(named)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'fields lists the { schema, field } to block');
  }
  return named?.map((x) => {
    const schema = ctx.internals.schemas.get(x?.schema);
    const f = schema?.fields.find((y) => y.path === x?.field);
    if (!schema || !f || !ctx.options.sources[schema.id]) {
      throw new PurposefulError('PF_INPUT_INVALID', 'a field to block is not a personal field of a schema with a source', {
        article: 'LGPD Art. 18 IV; GDPR Art. 18',
      });
    }
    return f;
  });
}

/** The subject's rows holding a value of the fields to block. */
async function rowsToBlock(ctx: RightsContext, subjectId: string, wanted: readonly FieldInfo[] | undefined) {
  const plans: BlockedRow[] = [];
  for (const { schema, source } of ctx.sources) {
    const scope = schema.fields.filter((f) => wanted === undefined || wanted.includes(f));
    if (scope.length === 0) continue;
    for (const stored of await source.find(subjectId)) {
      const row = { ...stored };
      restrictionOf(row, schema.id);
      const fields = scope.filter((f) => valuesAt(row, f.path).some((v) => v !== null));
      if (fields.length) plans.push({ schema, source, row, fields });
    }
  }
  return plans;
}

/** Blocks the subject's data, or the fields named. */
async function block(ctx: RightsContext, id: string, blockOptions?: BlockOptions): Promise<BlockingAnswer> {
  const { internals, recipients } = ctx;
  const r = await ctx.open(id, ['blocking']);
  const exits = exitsOf(recipients, blockOptions);
  const named = blockOptions?.fields;
  const wanted = namedFields(ctx, named);
  const plans = await rowsToBlock(ctx, r.subjectId, wanted);
  const told = passOnPlanFor(
    recipients,
    plans.flatMap((x) => x.fields),
    exits,
    'blocking',
  );
  assertUpdatable(plans);
  const at = new Date().toISOString();
  const laws = internals.jurisdictions;
  // the subject's blocking is recorded first: the engine refuses its data from then on, whatever a later write
  // does to a row's column, and rows made after it carry it (LGPD Art. 5 XIII, 18 IV; GDPR Art. 18)
  await stored(() =>
    internals.blockings?.put({
      request: r.id,
      subjectId: r.subjectId,
      at,
      ...(named !== undefined ? { fields: named.map((x) => ({ schema: String(x.schema), field: String(x.field) })) } : {}),
      laws: [...laws],
    }),
  );
  const items: NoticeItem[] = [];
  for (const x of plans) {
    const current = restrictionOf(x.row, x.schema.id);
    const entry = {
      request: r.id,
      at,
      ...(wanted !== undefined ? { fields: x.fields.map((f) => f.path) } : {}),
      laws: [...laws],
    };
    // blocked again by the same request: its entry is replaced, not doubled
    setRestriction(x.row, { ...current, blocked: [...(current?.blocked ?? []).filter((b) => b.request !== r.id), entry] });
    await storeRow(r.subjectId, x, items);
  }
  const passed = await passOn(recipients, changeNotices(recipients, r, 'blocking', items, told.told), told);
  ctx.log(
    'blocking',
    r.subjectId,
    'allow',
    passedOnNote(passed),
    plans.flatMap((x) => x.fields),
    r.id,
  );
  return answerOf(items, passed);
}

/** The subject's rows a blocking request marked, with the fields it covers that hold a value. */
async function rowsBlockedBy(ctx: RightsContext, subjectId: string, request: string) {
  const plans: BlockedRow[] = [];
  for (const { schema, source } of ctx.sources) {
    for (const stored of await source.find(subjectId)) {
      const row = { ...stored };
      const entry = restrictionOf(row, schema.id)?.blocked?.find((b) => b.request === request);
      if (!entry) continue;
      const fields = schema.fields.filter(
        (f) => (entry.fields === undefined || entry.fields.includes(f.path)) && valuesAt(row, f.path).some((v) => v !== null),
      );
      plans.push({ schema, source, row, fields });
    }
  }
  return plans;
}

/** Lifts the blocking of a blocking request. */
async function unblock(ctx: RightsContext, id: string, changeOptions?: ChangeOptions): Promise<BlockingAnswer> {
  const { internals, recipients } = ctx;
  const r = await ctx.open(id, ['blocking']);
  const exits = exitsOf(recipients, changeOptions);
  const plans = await rowsBlockedBy(ctx, r.subjectId, r.id);
  const told = passOnPlanFor(
    recipients,
    plans.flatMap((x) => x.fields),
    exits,
    'lifting of a blocking',
  );
  assertUpdatable(plans);
  // lifted in the store first: a row store that fails then still blocks by its column, and a retry finds the rows
  await stored(() => internals.blockings?.lift(r.id));
  const items: NoticeItem[] = [];
  for (const x of plans) {
    const current = restrictionOf(x.row, x.schema.id);
    setRestriction(x.row, { ...current, blocked: (current?.blocked ?? []).filter((b) => b.request !== r.id) });
    await storeRow(r.subjectId, x, items);
  }
  const passed = await passOn(recipients, changeNotices(recipients, r, 'unblocking', items, told.told), told);
  ctx.log('blocking', r.subjectId, 'allow', ['lifted', passedOnNote(passed)].filter(Boolean).join(' | '), [], r.id);
  return answerOf(items, passed);
}

/** The blocking requests of a desk. */
export function blockingRequests(ctx: RightsContext): Pick<Rights, 'block' | 'unblock'> {
  return {
    block: (id, blockOptions) => block(ctx, id, blockOptions),
    unblock: (id, changeOptions) => unblock(ctx, id, changeOptions),
  };
}
