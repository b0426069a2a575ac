export * from './masks.js';
export * from './minimize.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, type Direction, type Limits } from './plan.js';
export * from './pseudonymize.js';
