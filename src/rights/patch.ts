/**
 * JSON Merge Patch (RFC 7396) as a correction applies it, and what a patch
 * touches: the keys it sets, replaces or removes, and those the parsed record
 * does not hold. Keys are own data properties, never prototypes.
 *
 * @module
 * @internal
 */

/** A plain object (what a JSON object parses to), not an array, a class instance or `null`. */
export function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** RFC 7396: objects merge, `null` removes, anything else replaces. Keys are own data properties, never prototypes. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlain(patch)) return patch;
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (isPlain(target)) for (const k of Object.keys(target)) set(k, target[k]);
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete out[k];
    else set(k, mergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v));
  }
  return out;
}

/** Keys that name a prototype rather than data: refused in a patch at any depth. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a merge patch sets, replaces or removes the value at a dotted path (or an object on the way to it). */
export function patchTouches(patch: Record<string, unknown>, path: string): boolean {
  let at: unknown = patch;
  for (const seg of path.split('.')) {
    if (!isPlain(at) || !Object.hasOwn(at, seg)) return false;
    at = at[seg];
    if (!isPlain(at)) return true; // set, removed (null), or the object holding it replaced
  }
  return true;
}

/** Whether a merge patch writes at a raw path (or replaces a value holding it). */
export function writesAt(patch: unknown, path: readonly PropertyKey[]): boolean {
  let at = patch;
  for (const seg of path) {
    if (!isPlain(at)) return true; // an array or a value set whole: what lies under it comes from the patch
    if (typeof seg !== 'string' || !Object.hasOwn(at, seg)) return false;
    at = at[seg];
  }
  return true;
}

/**
 * The raw paths of the keys in a patch that the parsed record does not hold:
 * keys zod does not declare (and strips), and prototype keys, at any depth.
 */
export function undeclaredIn(
  patch: unknown,
  parsed: unknown,
  at: PropertyKey[] = [],
  out: PropertyKey[][] = [],
): PropertyKey[][] {
  if (Array.isArray(patch)) {
    patch.forEach((v, i) => {
      undeclaredIn(v, Array.isArray(parsed) ? parsed[i] : undefined, [...at, i], out);
    });
    return out;
  }
  if (!isPlain(patch)) return out;
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) continue; // a removal: the parsed record holds nothing there, by design
    // a prototype key is refused at any depth, even under a field declared z.any() or a record that would keep it
    if (PROTOTYPE_KEYS.has(k) || !isPlain(parsed) || !Object.hasOwn(parsed, k)) out.push([...at, k]);
    else undeclaredIn(v, parsed[k], [...at, k], out);
  }
  return out;
}
