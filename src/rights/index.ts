export type { AnonymousRecord } from './anonymize.js';
export * from './deadlines.js';
export type { RetentionSource, RetentionSweeps, SweepOptions, SweepResult } from './retention.js';
export {
  type ConsentInfoEntry,
  type CorrectionNotice,
  type ErasedField,
  type ErasureAnswer,
  type ExportItem,
  memoryRightsStore,
  type Rights,
  type RightsOptions,
  type RightsRequest,
  type RightsRequestStore,
  type RightsSource,
  type SharingEntry,
  type SubjectExport,
  type VerificationRequest,
} from './rights.js';
