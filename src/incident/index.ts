export * from './deadlines.js';
export * from './register.js';
export * from './report.js';
export * from './scope.js';
