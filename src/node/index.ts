/**
 * Node.js file sinks: the access log and its checkpoints as append-only JSON
 * Lines files.
 *
 * @module purposeful/node
 */
export * from './jsonl.js';
