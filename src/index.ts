export * from './consent/index.js';
export * from './crypto/index.js';
export * from './engine.js';
export * from './errors.js';
export * from './http/index.js';
export * from './minimize/index.js';
export * from './schema/index.js';
export * from './taxonomy/index.js';
