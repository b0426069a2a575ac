export * from './events.js';
export * from './ledger.js';
