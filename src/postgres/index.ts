/**
 * PostgreSQL stores (on a `pg` Pool or embedded PGlite): the consent ledger and
 * its cache across instances, the subject key store and erasure journal, the
 * access log and its checkpoints, the incident register, and the tables
 * data-subject rights and retention sweeps read.
 *
 * @module purposeful/postgres
 */
export * from './audit.js';
export * from './cache.js';
export * from './client.js';
export * from './incidents.js';
export * from './keystore.js';
export * from './ledger.js';
export * from './migrations.js';
export * from './records.js';
