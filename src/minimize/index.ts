export {
  type AnonymizeSpec,
  anonymizeName,
  anonymizeValue,
  type FreeTextAnonymization,
  isAnonymizeSpec,
  MAX_BUCKETS,
  MAX_KEEP_FIRST,
} from './anonymize.js';
export { compileMask, FULL_MASK, isMaskSpec, MASK_NAMES, MAX_KEEP_LAST, type MaskSpec, maskValue } from './masks.js';
export { type MinimizeOptions, minimize } from './minimize.js';
export type { Direction, Limits } from './plan.js';
export { derivePseudonymKey, pseudonymize, pseudonymizer } from './pseudonymize.js';
