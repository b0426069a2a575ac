/**
 * Reading and removing the values at a field path (`a.b`, `list[].x`,
 * `notes{}`, `pair[0]`) of a stored row.
 *
 * @module
 * @internal
 */
import { parsePath } from '../schema/walk.js';

/** Every value at a field path (`a.b`, `list[].x`, `notes{}`), with nothing for a path the record lacks. */
export function valuesAt(node: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const steps = parsePath(path);
  const walk = (v: unknown, i: number) => {
    if (i === steps.length) {
      if (v !== undefined) out.push(v);
      return;
    }
    const step = steps[i] as { key: string; suffix: string };
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, step.key)) return;
    let level: unknown[] = [(v as Record<string, unknown>)[step.key]];
    for (const m of step.suffix.matchAll(/\[(\d*)\]|\{\}/g)) {
      const next: unknown[] = [];
      for (const x of level) {
        if (m[0] === '{}' && typeof x === 'object' && x !== null && !Array.isArray(x)) next.push(...Object.values(x));
        else if (m[1] === '' && Array.isArray(x)) next.push(...x);
        else if (m[1] !== undefined && m[1] !== '' && Array.isArray(x)) next.push(x[Number(m[1])]);
      }
      level = next;
    }
    for (const x of level) walk(x, i + 1);
  };
  walk(node, 0);
  return out;
}

/** Removes the values at a field path from a row, in place; true when something was there. */
export function removeAt(node: unknown, path: string): boolean {
  const steps = parsePath(path);
  let removed = false;
  const walk = (v: unknown, i: number) => {
    const step = steps[i] as { key: string; suffix: string };
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, step.key)) return;
    const holder = v as Record<string, unknown>;
    if (i === steps.length - 1 && step.suffix === '') {
      delete holder[step.key];
      removed = true;
      return;
    }
    let level: unknown[] = [holder[step.key]];
    for (const m of step.suffix.matchAll(/\[(\d*)\]|\{\}/g)) {
      const next: unknown[] = [];
      for (const x of level) {
        if (m[0] === '{}' && typeof x === 'object' && x !== null) next.push(...Object.values(x));
        else if (Array.isArray(x)) next.push(...(m[1] === '' ? x : [x[Number(m[1])]]));
      }
      level = next;
    }
    if (i === steps.length - 1) {
      // a value inside an array or record: its container keeps its shape, the value goes
      holder[step.key] = step.suffix ? null : undefined;
      removed = true;
      return;
    }
    for (const x of level) walk(x, i + 1);
  };
  if (steps.length) walk(node, 0);
  return removed;
}
