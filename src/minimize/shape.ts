/**
 * Shape checks shared by the plans and the copy blocks.
 *
 * @module
 * @internal
 */

/** Thrown inside a run when a value contradicts the declared shape; carries its path (innermost segment first). */
export class ShapeMismatch {
  readonly segments: string[] = [];
}

/**
 * The value an unannotated scalar place may hold: anything but a plain object
 * or an array (a Date, bytes or a primitive pass; an object holding data does
 * not, so nothing undeclared hides where a string is declared).
 */
export function scalarOnly(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const proto = Object.getPrototypeOf(x);
  if (Array.isArray(x) || proto === Object.prototype || proto === null) throw new ShapeMismatch();
  return x;
}

/** Outbound: the plan of an unannotated scalar place (the copy blocks inline its check). */
export const SCALAR = (v: unknown): unknown => scalarOnly(v);
