/**
 * The core: declarations (`definePurposes`, `defineSchema`, `pd`) and their
 * validator, the engine (`createPurposeful`), minimization, consent, field
 * encryption, PII in free text, the access log, data-subject rights and
 * retention, and the HTTP pipeline the adapters share. It imports no `node:`
 * module: it runs on Node.js, Edge runtimes, workers and browsers.
 *
 * @categoryDescription Declaring
 * Purposes, schemas and field annotations, and the validator that checks them.
 * @categoryDescription Engine
 * `createPurposeful`: every read and write of personal data goes through it.
 * @categoryDescription HTTP
 * The route pipeline the adapters share, actors from JWTs, problem answers.
 * @categoryDescription Minimization
 * Projection, masks, pseudonyms and anonymization.
 * @categoryDescription Consent
 * The consent ledger, its events and signed consent receipts.
 * @categoryDescription Encryption
 * The keyring, envelopes, subject key stores and blind indexes.
 * @categoryDescription PII in text
 * Detectors and redaction of identifiers in free text and log lines.
 * @categoryDescription Access log
 * The hash-chained access log, its checkpoints, sinks and anomaly watch.
 * @categoryDescription Rights and retention
 * Data-subject requests, their deadlines and answers, blocking, objections and retention sweeps.
 * @categoryDescription Data map
 * The data map, its diff, and JSON Schema with `x-personal-data`.
 * @categoryDescription Legal taxonomy
 * Legal bases, data categories, data subjects and the rules for minors.
 * @categoryDescription Errors
 * `PurposefulError`, its codes and their HTTP statuses.
 * @categoryDescription Utilities
 * Check-digit validators, Brazilian area codes and ISO 8601 durations.
 *
 * @module purposeful
 */
export * from './audit/index.js';
export * from './consent/index.js';
export * from './crypto/index.js';
export * from './detect/index.js';
export * from './engine.js';
export * from './errors.js';
export * from './http/index.js';
export * from './minimize/index.js';
export * from './rights/index.js';
export * from './schema/index.js';
export * from './taxonomy/index.js';
