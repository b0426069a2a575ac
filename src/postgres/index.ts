export * from './audit.js';
export * from './cache.js';
export * from './client.js';
export * from './incidents.js';
export * from './keystore.js';
export * from './ledger.js';
export * from './migrations.js';
export * from './records.js';
