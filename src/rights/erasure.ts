/**
 * Erasure (LGPD Art. 15 III, 16, 18 IV and VI; GDPR Art. 17): the subject's
 * fields leave their rows (anonymized where declared), what an erasure ground
 * keeps stays restricted to the purposes that keep it, the subject's keys are
 * shredded, and the change is passed on to the recipients. An erasure that a
 * failing store interrupts is kept with its request and finished by a retry.
 *
 * @module
 * @internal
 */
import type { PurposefulSchema } from '../schema/define.js';
import { ERASURE_GROUNDS, groundArticle } from '../schema/grounds.js';
import { restrictionOf, withErasure } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import { anonymizedReason, copyOfDeparting } from './anonymize.js';
import type { RightsContext } from './context.js';
import { assertWritable, type Departure, depart, goes, recordOf, stored } from './depart.js';
import { departureNotices, exitsOf, passedOnNote, passOn, passOnPlan, reaches } from './pass-on.js';
import { nullIndexes, removeAt, valuesAt } from './paths.js';
import { keepersOf, keptUntil, setRestriction } from './restriction.js';
import type { ChangeOptions, ErasedField, ErasureAnswer, KeptFor, Rights, RightsRequest } from './types.js';

/** A field an erasure passes on: in a row (`record`) or, for a schema no source found, at the field level. */
interface ErasureItem {
  readonly schema: string;
  readonly record?: string;
  readonly field: FieldInfo;
  readonly kind: 'elimination' | 'anonymization';
  /** For a retained field: the purposes whose ground keeps it (their recipients keep it too). */
  readonly kept?: ReadonlySet<string>;
}

/** The erasure an interrupted attempt kept with its request. */
type PendingErasure = RightsRequest['pendingErasure'];

/** What an erasure answers for a retained field: each purpose that keeps it, its ground and article, and until when. */
function keptAnswer(ctx: RightsContext, schema: PurposefulSchema, f: FieldInfo, since: string) {
  const { purposes, jurisdictions } = ctx.internals;
  const keptFor: KeptFor[] = [];
  const said: string[] = [];
  for (const pid of keepersOf(schema).get(f) ?? []) {
    const p = purposes.get(pid);
    if (!p) continue;
    const until = keptUntil(schema, pid, since)?.toISOString() ?? since;
    for (const ground of p.erasureGrounds) {
      const article = groundArticle(ground, jurisdictions);
      keptFor.push({ purpose: pid, ground, article, until });
      const note =
        ground === 'legal_obligation' ? p.declaration.obligation : ground === 'legal_claims' ? p.declaration.claim : undefined;
      said.push(
        `${article}: ${ERASURE_GROUNDS[ground].label} (${note ? `${note}: ` : ''}${pid}, ${p.retention.iso}, until ${until.slice(0, 10)} at the latest)`,
      );
    }
  }
  const until = [since, ...keptFor.map((k) => k.until)].sort().at(-1) as string;
  return {
    outcome: 'retained' as const,
    reason: `${said.join('; ')}; it opens for no other purpose`,
    keptFor,
    until,
  };
}

/** The subject's rows, each with the fields that leave it and those an erasure ground keeps. */
async function rowsToErase(ctx: RightsContext, subjectId: string): Promise<Departure[]> {
  const plans: Departure[] = [];
  for (const { schema, source } of ctx.sources) {
    const keepers = keepersOf(schema);
    for (const stored of await source.find(subjectId)) {
      const row = { ...stored };
      restrictionOf(row, schema.id); // a restriction that cannot be read fails here, before anything changes
      const present = schema.fields.filter((f) => valuesAt(row, f.path).length > 0);
      // what an erasure ground keeps stays (LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e))
      const retained = present.filter((f) => (keepers.get(f)?.size ?? 0) > 0);
      plans.push({
        schema,
        source,
        row,
        leaving: present.filter((f) => !retained.includes(f)),
        retained,
        whole: retained.length === 0,
      });
    }
  }
  return plans;
}

/** The items an interrupted attempt had already planned, their fields found again by schema and path. */
function pendingItemsOf(ctx: RightsContext, pending: PendingErasure): ErasureItem[] {
  const fieldOf = (schema: string, path: string) => ctx.internals.schemas.get(schema)?.fields.find((f) => f.path === path);
  return (pending?.items ?? []).flatMap((it) => {
    const field = fieldOf(it.schema, it.field);
    return field ? [{ ...it, field, ...(it.kept ? { kept: new Set(it.kept) } : {}) } as ErasureItem] : [];
  });
}

/**
 * The shredding makes every erasable encrypted field of every schema the engine encrypts unreadable, and restricts
 * every retained one, found in a row or not: a schema whose rows no source found is passed on at the schema and
 * field level (LGPD Art. 18 §6; GDPR Art. 19).
 */
function unfoundItems(ctx: RightsContext, plans: readonly Departure[], encrypts: boolean): ErasureItem[] {
  if (!encrypts) return [];
  const found = new Set(plans.map((p) => p.schema));
  return [...ctx.internals.schemas.values()]
    .filter((s) => !found.has(s))
    .flatMap((s) =>
      s.fields
        .filter((f) => f.encrypt)
        .map((f): ErasureItem => {
          const kept = keepersOf(s).get(f);
          return { schema: s.id, field: f, kind: 'elimination', ...(kept?.size ? { kept } : {}) };
        }),
    );
}

/**
 * What leaves a purpose is passed on to that purpose's recipients: the fields that go, and the retained ones to
 * every recipient none of whose purposes keeps them (LGPD Art. 18 §6; GDPR Art. 19). Whom a field reaches does not
 * depend on its record: each field is planned once, however many rows hold it.
 */
function plannedItems(earlier: readonly ErasureItem[], plans: readonly Departure[]): ErasureItem[] {
  const planned = new Map<FieldInfo, ErasureItem>();
  for (const it of earlier) if (!planned.has(it.field)) planned.set(it.field, it);
  for (const p of plans) {
    for (const field of p.leaving) {
      if (!planned.has(field)) planned.set(field, { schema: p.schema.id, field, kind: 'elimination' });
    }
    for (const field of p.retained) {
      if (planned.has(field)) continue;
      const kept = keepersOf(p.schema).get(field) as ReadonlySet<string>;
      planned.set(field, { schema: p.schema.id, field, kind: 'elimination', kept });
    }
  }
  return [...planned.values()];
}

type Line = { schema: string; record?: string; field: string | FieldInfo };

/**
 * The answer lines and notice items of an erasure, each once: a retry does not repeat what the interrupted attempt
 * already said, and rows without a record id share their lines; a first attempt's line for a named record is new
 * by construction (no key is built).
 */
function erasureLines(pending: PendingErasure, pendingItems: readonly ErasureItem[]) {
  const fields: ErasedField[] = [...(pending?.fields ?? [])];
  const items: ErasureItem[] = [...pendingItems];
  const key = (x: Line) => `${x.schema}\u0000${x.record ?? ''}\u0000${typeof x.field === 'string' ? x.field : x.field.path}`;
  const said = new Set(fields.map(key));
  const passing = new Set(items.map(key));
  const once = <T extends Line>(seen: Set<string>, list: T[], x: T) => {
    if (pending === undefined && x.record !== undefined) {
      list.push(x);
      return;
    }
    const k = key(x);
    if (!seen.has(k)) list.push(x);
    seen.add(k);
  };
  return {
    fields,
    items,
    answer: (f: ErasedField) => once(said, fields, f),
    notice: (it: ErasureItem) => once(passing, items, it),
  };
}

/**
 * Takes the leaving values out of one row (a value kept anonymized leaves it even when encrypted), nulls the blind
 * indexes of erased fields, and marks a row that stays with the erasure; says what it did.
 */
function eraseRow(ctx: RightsContext, p: Departure, at: string, lines: ReturnType<typeof erasureLines>): void {
  const record = recordOf(p.schema, p.row);
  const where = (f: FieldInfo) => ({ schema: p.schema.id, ...(record !== undefined ? { record } : {}), field: f.path });
  // a row that stays carries the erasure: what it keeps opens only for the purposes whose ground keeps it, until
  // their retention counted from the (earliest) erasure ends
  const restriction = goes(p) ? undefined : withErasure(restrictionOf(p.row, p.schema.id), at);
  for (const f of p.retained) {
    lines.answer({ ...where(f), ...keptAnswer(ctx, p.schema, f, restriction?.erasedAt ?? at) });
    lines.notice({
      schema: p.schema.id,
      ...(record !== undefined ? { record } : {}),
      field: f,
      kind: 'elimination',
      kept: keepersOf(p.schema).get(f) as ReadonlySet<string>,
    });
  }
  for (const f of p.leaving) {
    const copied = p.copy?.fields.includes(f.path) === true;
    // a value kept anonymized leaves the row even when encrypted: a retried erasure never copies it twice
    if (!f.encrypt || copied) p.changed = removeAt(p.row, f.path) || p.changed;
    lines.notice({
      schema: p.schema.id,
      ...(record !== undefined ? { record } : {}),
      field: f,
      kind: copied ? 'anonymization' : 'elimination',
    });
    lines.answer(
      copied
        ? { ...where(f), outcome: 'anonymized', reason: anonymizedReason(f) }
        : {
            ...where(f),
            outcome: 'deleted',
            reason: f.encrypt ? 'crypto-shredded: its key is erased' : 'removed from the record',
          },
    );
  }
  // blind indexes of erased fields are keyed hashes of erased data
  p.changed =
    nullIndexes(p.schema, p.row, (ix) => ix.fields.every((f) => (keepersOf(p.schema).get(f)?.size ?? 0) === 0)) || p.changed;
  if (restriction) {
    setRestriction(p.row, restriction);
    p.changed = true;
  }
}

/**
 * Keeps the plan with the request before the first store write: a retry after a failing store finishes it, with
 * the notices and answer lines of what the first attempt had already removed. Returns the request without it.
 */
async function keepPending(
  ctx: RightsContext,
  r: RightsRequest,
  at: string,
  lines: { readonly fields: readonly ErasedField[]; readonly items: readonly ErasureItem[] },
): Promise<RightsRequest> {
  const { pendingErasure: _before, ...plain } = r;
  await stored(() =>
    ctx.store.put({
      ...plain,
      pendingErasure: {
        at,
        fields: lines.fields,
        items: lines.items.map((it) => ({
          schema: it.schema,
          ...(it.record !== undefined ? { record: it.record } : {}),
          field: it.field.path,
          kind: it.kind,
          ...(it.kept ? { kept: [...it.kept] } : {}),
        })),
      },
    }),
  );
  return plain;
}

/**
 * The keys go whether or not rows were found, and whichever schemas have sources: a subject's keys serve every
 * schema the engine encrypts, and backups hold their data too. The shredding reads the rows as they were stored.
 */
function shred(
  ctx: RightsContext,
  subjectId: string,
  asStored: readonly { schema: PurposefulSchema; row: unknown }[],
  now: Date,
) {
  return stored(() =>
    ctx.internals.shred(
      subjectId,
      [...new Set(asStored.map((x) => x.schema))].map((schema) => ({
        schema,
        rows: asStored.filter((x) => x.schema === schema).map((x) => x.row),
      })),
      now,
    ),
  );
}

/** Erases the subject of an erasure request, or finishes the erasure an interrupted attempt began. */
async function erase(ctx: RightsContext, id: string, changeOptions?: ChangeOptions): Promise<ErasureAnswer> {
  const { internals, recipients } = ctx;
  const r = await ctx.open(id, ['erasure']);
  const exits = exitsOf(recipients, changeOptions);
  const plans = await rowsToErase(ctx, r.subjectId);
  // an erasure that a failing store interrupted: what it had already planned and changed is finished with it
  const pending = r.pendingErasure;
  const pendingItems = pendingItemsOf(ctx, pending);
  const encrypts = [...internals.schemas.values()].some((s) => s.fields.some((f) => f.encrypt));
  const unfound = unfoundItems(ctx, plans, encrypts);
  // each recipient reached needs its hook or a stated reason, and every store that changes must be able to,
  // checked before anything irreversible happens
  const planned = plannedItems([...pendingItems, ...unfound], plans);
  const told = passOnPlan(
    recipients,
    [...recipients.declared].filter((name) => planned.some((it) => reaches(recipients, name, it))),
    exits,
    'erasure',
  );
  for (const p of plans) assertWritable(p, 'erasures');
  // anonymous copies are made before the shredding: the values they generalize are unreadable after it
  for (const p of plans) {
    p.copy = await copyOfDeparting(internals.openAll, p.schema, p.row, r.subjectId, p.leaving, goes(p));
  }
  // the shredding reads the blind-index values of the rows as they were
  const asStored = plans.map((p) => ({ schema: p.schema, row: { ...p.row } }));
  const at = pending?.at ?? new Date().toISOString();
  const lines = erasureLines(pending, pendingItems);
  for (const p of plans) eraseRow(ctx, p, at, lines);
  for (const it of unfound) lines.notice(it);
  const plain = await keepPending(ctx, r, at, lines);
  // stored before the keys are shredded: a store that fails loses no anonymous copy, and a retry finishes
  for (const p of plans) await stored(() => depart(p, r.subjectId));
  const shredded = encrypts ? await shred(ctx, r.subjectId, asStored, new Date(at)) : undefined;
  await stored(() => ctx.store.put(plain));
  const left = {
    deleted: lines.items.filter((it) => it.kind === 'elimination'),
    anonymized: lines.items.filter((it) => it.kind === 'anonymization'),
  };
  const passed = await passOn(recipients, departureNotices(recipients, r, left, told.told), told);
  ctx.log('erasure', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
  return {
    fields: lines.fields,
    ...(shredded ? { receipt: shredded.receipt, backupsClearBy: shredded.backupsClearBy } : {}),
    retainedUntil: (shredded?.retained ?? []).map((x) => ({ purposes: x.purposes, until: x.until })),
    ...passed,
  };
}

/** The erasure requests of a desk. */
export function erasureRequests(ctx: RightsContext): Pick<Rights, 'erase'> {
  return { erase: (id, changeOptions) => erase(ctx, id, changeOptions) };
}
