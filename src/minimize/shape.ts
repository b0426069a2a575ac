/**
 * Shape checks shared by the plans, the kind checks and the copy blocks.
 *
 * @module
 * @internal
 */

/** Thrown inside a run when a value contradicts the declared shape or kind; carries its path (innermost segment first). */
export class ShapeMismatch {
  readonly segments: string[] = [];
}

/** Throws a {@link ShapeMismatch}: the value at this place is not what the schema declares. */
export function mismatch(): never {
  throw new ShapeMismatch();
}
