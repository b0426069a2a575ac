/**
 * Reading and removing the values at a field path (`a.b`, `list[].x`,
 * `notes{}`, `pair[0]`) of a stored row.
 *
 * @module
 * @internal
 */
import { INDEX_COLUMN_PREFIX } from '../crypto/records.js';
import type { PurposefulSchema, SchemaIndex } from '../schema/define.js';
import { type PathStep, parsePath } from '../schema/walk.js';

const stepsByPath = new Map<string, readonly PathStep[]>();

/** A path's steps, parsed once per path (a schema has few). */
function stepsOf(path: string): readonly PathStep[] {
  let steps = stepsByPath.get(path);
  if (!steps) {
    steps = parsePath(path);
    stepsByPath.set(path, steps);
  }
  return steps;
}

/** The values under the `[]`, `[n]` and `{}` levels of one step's suffix. */
function expand(value: unknown, suffix: string): unknown[] {
  let level: unknown[] = [value];
  for (const m of suffix.matchAll(/\[(\d*)\]|\{\}/g)) {
    const next: unknown[] = [];
    for (const x of level) {
      if (m[0] === '{}') {
        if (typeof x === 'object' && x !== null && !Array.isArray(x)) next.push(...Object.values(x));
      } else if (Array.isArray(x)) next.push(...(m[1] === '' ? x : [x[Number(m[1])]]));
    }
    level = next;
  }
  return level;
}

/** Every value at a field path (`a.b`, `list[].x`, `notes{}`), with nothing for a path the record lacks. */
export function valuesAt(node: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const steps = stepsOf(path);
  const walk = (v: unknown, i: number) => {
    if (i === steps.length) {
      if (v !== undefined) out.push(v);
      return;
    }
    const step = steps[i] as PathStep;
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, step.key)) return;
    for (const x of expand((v as Record<string, unknown>)[step.key], step.suffix)) walk(x, i + 1);
  };
  walk(node, 0);
  return out;
}

/** Applies `f` under the `[]`, `[n]` and `{}` levels of a suffix, in place. */
function eachIn(v: unknown, suffix: string, at: number, f: (v: unknown) => unknown): unknown {
  if (at >= suffix.length) return f(v);
  if (suffix[at] === '[') {
    // `[]` is every item, `[n]` one tuple item
    const close = suffix.indexOf(']', at);
    if (!Array.isArray(v) || close < 0) return v;
    const index = suffix.slice(at + 1, close);
    if (index === '') {
      for (let k = 0; k < v.length; k++) v[k] = eachIn(v[k], suffix, close + 1, f);
    } else {
      const k = Number(index);
      if (k < v.length) v[k] = eachIn(v[k], suffix, close + 1, f);
    }
    return v;
  }
  if (typeof v !== 'object' || v === null) return v;
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) rec[k] = eachIn(rec[k], suffix, at + 2, f);
  return v;
}

/**
 * Replaces, in place, every value at a field path by `f(value)`; a value `f`
 * maps to `undefined` is deleted when it is the last key of its path, and left
 * `undefined` inside an array or record (JSON writes it as `null` or drops
 * it). Returns how many values `f` mapped to something.
 */
export function mapAt(node: unknown, path: string | readonly PathStep[], f: (value: unknown) => unknown): number {
  const steps = typeof path === 'string' ? stepsOf(path) : path;
  let kept = 0;
  const leaf = (v: unknown) => {
    const out = f(v);
    if (out !== undefined) kept++;
    return out;
  };
  const walk = (v: unknown, i: number): unknown => {
    if (i === steps.length) return leaf(v);
    const { key, suffix } = steps[i] as PathStep;
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return v;
    const holder = v as Record<string, unknown>;
    const next = eachIn(holder[key], suffix, 0, (x) => walk(x, i + 1));
    if (next === undefined && suffix === '' && i === steps.length - 1) delete holder[key];
    else holder[key] = next;
    return v;
  };
  if (steps.length) walk(node, 0);
  return kept;
}

/**
 * Removes the values at a field path from a row, in place; true when something
 * was there. A field that is the last key of its path is deleted; one whose
 * path ends inside an array or record (`tags[]`, `notes{}`) has that container
 * set to `null`, so no value of it stays.
 */
export function removeAt(node: unknown, path: string): boolean {
  const steps = stepsOf(path);
  let removed = false;
  const walk = (v: unknown, i: number) => {
    const step = steps[i] as PathStep;
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, step.key)) return;
    const holder = v as Record<string, unknown>;
    if (i === steps.length - 1) {
      if (step.suffix === '') delete holder[step.key];
      else holder[step.key] = null;
      removed = true;
      return;
    }
    for (const x of expand(holder[step.key], step.suffix)) walk(x, i + 1);
  };
  if (steps.length) walk(node, 0);
  return removed;
}

/**
 * Nulls, in place, the blind-index columns of a row whose index `goes` says
 * must go (a keyed hash of an erased value would still find the person by
 * it); true when a column changed.
 */
export function nullIndexes(schema: PurposefulSchema, row: Record<string, unknown>, goes: (ix: SchemaIndex) => boolean): boolean {
  let changed = false;
  for (const ix of schema.indexes) {
    const column = `${INDEX_COLUMN_PREFIX}${ix.name}`;
    if (row[column] != null && goes(ix)) {
      row[column] = null;
      changed = true;
    }
  }
  return changed;
}
