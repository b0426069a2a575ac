/**
 * Security incidents: who and what an incident exposed, the LGPD and GDPR
 * notification deadlines (business days with the holiday calendar), the
 * incident register and the report for the authority and the subjects.
 *
 * @module purposeful/incident
 */
export * from './deadlines.js';
export * from './register.js';
export * from './report.js';
export * from './scope.js';
