/**
 * Query arguments as `purposeful/prisma` rewrites them before any SQL runs:
 * `where` filters on encrypted fields go through their blind indexes (inside
 * `AND` / `OR` / `NOT` and relation filters too), what cannot be compared on
 * ciphertext is refused (`PF_QUERY_ENCRYPTED`), and `select` / `omit` keep the
 * fields a row needs to be opened.
 *
 * @module
 * @internal
 */
import { type Purposeful, PurposefulError } from 'purposeful';
import type { ModelCore, ModelInfo } from './model.js';

// biome-ignore lint/suspicious/noExplicitAny: any purpose id
type Engine = Purposeful<any>;
type Args = Record<string, unknown>;

/** Where each model's binding and info are found. */
export interface Lookup {
  readonly pf: Engine;
  /** The model info of any model of the client. */
  info(model: string): ModelInfo | undefined;
  /** The binding of a model, or undefined when none names it. */
  core(model: string): ModelCore | undefined;
}

const isObject = (v: unknown): v is Args => typeof v === 'object' && v !== null && !Array.isArray(v);

function refused(core: ModelCore, key: string, what: string): PurposefulError {
  const paths = (core.encryptedUnder.get(key) ?? []).map((f) => f.path);
  return new PurposefulError(
    'PF_QUERY_ENCRYPTED',
    `${what} on field "${key}" of model ${core.model.name} (schema "${core.schema.id}"): its encrypted fields (${paths.join(', ')}) are stored as envelopes; only equality and in go through a blind index of their own`,
    { schema: core.schema.id, paths },
  );
}

/** The blind-index values of `values` (one per keyring key each). */
function hitsOf(lookup: Lookup, core: ModelCore, index: string, values: readonly unknown[]): string[] {
  const hits: string[] = [];
  for (const value of values) for (const hit of lookup.pf.indexFor(core.schema, index, value)) hits.push(hit);
  return hits;
}

const FILTER_KEYS = new Set(['equals', 'in', 'notIn', 'not']);

/**
 * A filter on an indexed encrypted field as conditions on its blind index: `equals` / a plain value / `in` → the
 * index IN the hits, `notIn` / `not` → NOT IN; `null` stays on the field itself (an envelope column is NULL or not).
 */
function indexFilter(lookup: Lookup, core: ModelCore, key: string, index: string, value: unknown): Args[] {
  const column = `bidx_${index}`;
  const one = (hits: string[]): unknown => (hits.length === 1 ? hits[0] : { in: hits });
  if (value === null) return [{ [key]: null }];
  if (!isObject(value)) return [{ [column]: one(hitsOf(lookup, core, index, [value])) }];
  const out: Args[] = [];
  for (const [op, operand] of Object.entries(value)) {
    if (operand === undefined) continue;
    if (!FILTER_KEYS.has(op)) throw refused(core, key, `"${op}"`);
    if (op === 'equals') {
      out.push(operand === null ? { [key]: null } : { [column]: one(hitsOf(lookup, core, index, [operand])) });
    } else if (op === 'in' || op === 'notIn') {
      const values = (Array.isArray(operand) ? operand : [operand]).filter((v) => v !== null);
      out.push({ [column]: { [op]: hitsOf(lookup, core, index, values) } });
    } else if (operand === null) {
      out.push({ [key]: { not: null } });
    } else if (isObject(operand)) {
      out.push({ NOT: { AND: indexFilter(lookup, core, key, index, operand) } });
    } else {
      out.push({ [column]: { notIn: hitsOf(lookup, core, index, [operand]) } });
    }
  }
  return out;
}

/** True when a filter on an encrypted field only asks whether it is NULL. */
function onlyNull(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value)) return false;
  return Object.entries(value).every(([op, v]) => v === undefined || ((op === 'equals' || op === 'not') && v === null));
}

const RELATION_KEYS = ['some', 'every', 'none', 'is', 'isNot'];

/** The value an equality filter compares with (`v` or `{ equals: v }`), or undefined for any other filter. */
function equalityOf(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  return keys.length === 1 && keys[0] === 'equals' ? equalityOf(value.equals) : undefined;
}

/**
 * One AND group of a `where` (its own keys and those of its `AND` items) with every compound blind index whose fields
 * all have an equality there compared through that index: the conditions on its encrypted fields are replaced by one
 * on `bidx_<name>` (its plain fields are kept). What is left of an encrypted field without an index is refused later.
 */
function compoundGroup(lookup: Lookup, core: ModelCore, where: Args): Args {
  if (core.compounds.length === 0) return where;
  const items = Array.isArray(where.AND) ? where.AND : isObject(where.AND) ? [where.AND] : [];
  const found = new Map<string, { value: unknown; from: Args }>();
  for (const from of [where, ...items.filter(isObject)]) {
    for (const [k, v] of Object.entries(from)) {
      const value = equalityOf(v);
      if (value !== undefined && !found.has(k)) found.set(k, { value, from });
    }
  }
  const conditions: Args[] = [];
  const consumed: { from: Args; key: string }[] = [];
  for (const ix of core.compounds) {
    if (!ix.keys.every((k) => found.has(k))) continue;
    const hits = lookup.pf.indexFor(
      core.schema,
      ix.name,
      ix.keys.map((k) => found.get(k)?.value),
    );
    conditions.push({ [`bidx_${ix.name}`]: hits.length === 1 ? hits[0] : { in: hits } });
    for (const k of ix.keys) if (core.encryptedUnder.has(k)) consumed.push({ from: found.get(k)?.from as Args, key: k });
  }
  if (conditions.length === 0) return where;
  const drop = (from: Args): Args =>
    Object.fromEntries(Object.entries(from).filter(([k]) => !consumed.some((c) => c.from === from && c.key === k)));
  const out = drop(where);
  const kept = items
    .map((item) => (isObject(item) ? drop(item) : item))
    .filter((item) => !isObject(item) || Object.keys(item).length > 0);
  out.AND = [...kept, ...conditions];
  return out;
}

/**
 * `where` of `model` rewritten for its stored form. `unique`: a `WhereUniqueInput`, whose unique fields must stay at
 * the top level (a blind index matched by one value is an equality there).
 */
export function rewriteWhere(lookup: Lookup, model: string, where: unknown, unique = false): unknown {
  if (!isObject(where)) return where;
  const info = lookup.info(model);
  const core = lookup.core(model);
  if (info === undefined) return where;
  const out: Args = {};
  const and: Args[] = [];
  const group = core === undefined ? where : compoundGroup(lookup, core, where);
  for (const [key, value] of Object.entries(group)) {
    if (value === undefined) continue;
    if (key === 'AND' || key === 'OR' || key === 'NOT') {
      out[key] = Array.isArray(value) ? value.map((w) => rewriteWhere(lookup, model, w)) : rewriteWhere(lookup, model, value);
      continue;
    }
    const relation = info.relations.get(key);
    if (relation !== undefined) {
      if (isObject(value) && RELATION_KEYS.some((k) => k in value)) {
        const mapped: Args = {};
        for (const [k, v] of Object.entries(value)) mapped[k] = rewriteWhere(lookup, relation.model, v);
        out[key] = mapped;
      } else out[key] = rewriteWhere(lookup, relation.model, value);
      continue;
    }
    if (core === undefined) {
      out[key] = value;
      continue;
    }
    if (!info.fields.has(key)) {
      // a compound unique (`email_name: { email, name }`): its parts compared as stored would never match
      if (isObject(value)) {
        const hit = Object.keys(value).find((k) => core.encryptedUnder.has(k));
        if (hit !== undefined) throw refused(core, hit, `the compound unique "${key}"`);
      }
      out[key] = value;
      continue;
    }
    if (!core.encryptedUnder.has(key)) {
      out[key] = value;
      continue;
    }
    if (onlyNull(value)) {
      out[key] = value;
      continue;
    }
    const index = core.indexOf.get(key);
    if (index === undefined) throw refused(core, key, 'a filter');
    for (const condition of indexFilter(lookup, core, key, index, value)) {
      const [column, v] = Object.entries(condition)[0] as [string, unknown];
      // a unique field stays at the top level as an equality; everything else is ANDed
      if (unique && column.startsWith('bidx_') && typeof v === 'string' && !(column in out)) out[column] = v;
      else and.push(condition);
    }
  }
  if (and.length > 0) {
    const existing = out.AND;
    out.AND = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), ...and];
  }
  return out;
}

/** `PF_QUERY_ENCRYPTED` when an `orderBy` sorts by an encrypted field (relations followed). */
function checkOrderBy(lookup: Lookup, model: string, orderBy: unknown): void {
  for (const entry of Array.isArray(orderBy) ? orderBy : [orderBy]) {
    if (!isObject(entry)) continue;
    const info = lookup.info(model);
    const core = lookup.core(model);
    for (const [key, value] of Object.entries(entry)) {
      if (key === '_count') continue;
      if (AGGREGATES.has(key) && core && isObject(value)) {
        // groupBy's order by an aggregate of an encrypted field would sort by ciphertext
        for (const f of Object.keys(value)) if (core.encryptedUnder.has(f)) throw refused(core, f, `orderBy ${key}`);
        continue;
      }
      if (key === '_relevance' && core && isObject(value)) {
        const fields = value.fields;
        for (const f of Array.isArray(fields) ? fields : [fields]) {
          if (typeof f === 'string' && core.encryptedUnder.has(f)) throw refused(core, f, 'a full-text search');
        }
        continue;
      }
      const relation = info?.relations.get(key);
      if (relation !== undefined) checkOrderBy(lookup, relation.model, value);
      else if (core?.encryptedUnder.has(key)) throw refused(core, key, 'orderBy');
    }
  }
}

/** `PF_QUERY_ENCRYPTED` when any of `fields` is encrypted (distinct, groupBy's by). */
function checkFields(core: ModelCore | undefined, fields: unknown, what: string): void {
  if (core === undefined) return;
  for (const f of Array.isArray(fields) ? fields : [fields]) {
    if (typeof f === 'string' && core.encryptedUnder.has(f)) throw refused(core, f, what);
  }
}

/** Aggregates (`_min`, `_max`, `_avg`, `_sum`) over encrypted fields are refused; `_count` counts envelopes, allowed. */
export function checkAggregates(lookup: Lookup, model: string, args: Args): void {
  const core = lookup.core(model);
  if (core === undefined) return;
  for (const op of AGGREGATES) {
    const sel = args[op];
    if (isObject(sel)) for (const [k, v] of Object.entries(sel)) if (v && core.encryptedUnder.has(k)) throw refused(core, k, op);
  }
  checkFields(core, args.by, 'groupBy');
  checkHaving(core, args.having, 0);
}

/** `having`, its `AND` / `OR` / `NOT` at any depth: no condition on an encrypted field (it would compare envelopes). */
function checkHaving(core: ModelCore, having: unknown, depth: number): void {
  if (depth > 64) throw refused(core, 'having', 'a having nested this deep');
  for (const clause of Array.isArray(having) ? having : [having]) {
    if (!isObject(clause)) continue;
    for (const [k, v] of Object.entries(clause)) {
      if (k === 'AND' || k === 'OR' || k === 'NOT') checkHaving(core, v, depth + 1);
      else if (core.encryptedUnder.has(k)) throw refused(core, k, 'having');
    }
  }
}

/** The aggregates of `aggregate` / `groupBy`, as selections and as `orderBy` keys. */
const AGGREGATES: ReadonlySet<string> = new Set(['_min', '_max', '_avg', '_sum']);

/** What a read asks of one model: the relations it loads, and the fields added to its `select` to open its rows. */
export interface ReadPlan {
  readonly model: string;
  /** Fields the caller did not select (or omitted) that opening needed: removed from the opened rows. */
  readonly added: readonly string[];
  readonly relations: ReadonlyMap<string, ReadPlan>;
}

/**
 * Rewrites the read arguments of `model` in place of a copy (where, cursor, relations' where, select) and checks
 * orderBy / distinct; returns the plan to open the result with, and every model whose rows it loads.
 */
export function planRead(
  lookup: Lookup,
  model: string,
  args: Args,
  touched: Set<string>,
  uniqueWhere = false,
): { args: Args; plan: ReadPlan } {
  touched.add(model);
  const info = lookup.info(model);
  const core = lookup.core(model);
  const out: Args = { ...args };
  if ('where' in args) out.where = rewriteWhere(lookup, model, args.where, uniqueWhere);
  if ('cursor' in args) out.cursor = rewriteWhere(lookup, model, args.cursor, true);
  if ('orderBy' in args) checkOrderBy(lookup, model, args.orderBy);
  if ('distinct' in args) checkFields(core, args.distinct, 'distinct');
  const relations = new Map<string, ReadPlan>();
  const added: string[] = [];
  // `_count: { select: { tickets: { where } } }`: each relation's `where` rewritten (and checked) as the related model's
  const countOf = (value: unknown): unknown => {
    if (!isObject(value) || !isObject(value.select)) return value;
    const select: Args = {};
    for (const [key, v] of Object.entries(value.select)) {
      const relation = info?.relations.get(key);
      select[key] =
        relation !== undefined && isObject(v) && 'where' in v
          ? { ...v, where: rewriteWhere(lookup, relation.model, v.where) }
          : v;
    }
    return { ...value, select };
  };
  const nest = (key: string, value: unknown): unknown => {
    const relation = info?.relations.get(key);
    if (relation === undefined || !value) return value;
    const sub = planRead(lookup, relation.model, isObject(value) ? value : {}, touched);
    relations.set(key, sub.plan);
    return isObject(value) ? sub.args : value === true && sub.plan.added.length ? sub.args : value;
  };
  for (const clause of ['include', 'select'] as const) {
    const given = args[clause];
    if (!isObject(given)) continue;
    const mapped: Args = {};
    for (const [key, value] of Object.entries(given)) mapped[key] = key === '_count' ? countOf(value) : nest(key, value);
    if (clause === 'select' && core !== undefined) {
      for (const key of core.needed) {
        if (!mapped[key]) {
          mapped[key] = true;
          added.push(key);
        }
      }
    }
    out[clause] = mapped;
  }
  if (isObject(args.omit) && core !== undefined) {
    const omit: Args = { ...args.omit };
    for (const key of core.needed) {
      if (omit[key]) {
        delete omit[key];
        added.push(key);
      }
    }
    out.omit = omit;
  }
  return { args: out, plan: { model, added, relations } };
}
