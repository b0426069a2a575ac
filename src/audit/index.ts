export { type AccessAction, type AccessEvent, type AccessRecord, accessEventHash, GENESIS_HASH } from './event.js';
export * from './log.js';
export * from './purpose.js';
export * from './sink.js';
export * from './verify.js';
export * from './watch.js';
