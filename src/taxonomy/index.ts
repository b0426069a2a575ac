export * from './bases.js';
export * from './categories.js';
export * from './minors.js';
export * from './uses.js';
