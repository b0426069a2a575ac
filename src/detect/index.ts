export * from './checksums.js';
export { type DetectOptions, detectPII } from './detect.js';
export * from './log.js';
export * from './redact.js';
export { type Confidence, PII_TYPES, type PiiSpan, type PiiType } from './types.js';
