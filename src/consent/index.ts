export type { ConsentDenial, NoticeChange } from './check.js';
export * from './events.js';
export * from './ledger.js';
export * from './notice.js';
export * from './receipts.js';
