/**
 * A value now, or a promise of it: the shape of the engine's steps that answer
 * at once when nothing has to be awaited.
 *
 * @module
 * @internal
 */

/** A value now, or a promise of it when something had to be awaited. */
export type Now<T> = T | Promise<T>;

/**
 * Whether an engine step answered with a promise. The steps return native
 * promises only, and a record's own `then` field must not pass for one, so
 * this is `instanceof`, not a thenable test.
 */
export function isPromise<T>(v: Now<T>): v is Promise<T> {
  return v instanceof Promise;
}
