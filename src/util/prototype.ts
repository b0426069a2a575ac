/**
 * A guard against a polluted `Object.prototype`: an enumerable property added
 * to it (the usual result of a prototype-pollution bug elsewhere in the
 * process) would be read as data, roles or options by every plain object.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';

const EMPTY: object = {};

/** Throws `PF_ENVIRONMENT_UNSAFE` when `Object.prototype` carries an enumerable property. Costs a few nanoseconds. */
export function assertCleanPrototype(): void {
  for (const _ in EMPTY) {
    throw new PurposefulError(
      'PF_ENVIRONMENT_UNSAFE',
      'Object.prototype has enumerable properties (prototype pollution): refusing to process personal data',
    );
  }
}
