export type { AnonymousRecord } from './anonymize.js';
export { type Blocking, type BlockingStore, memoryBlockingStore } from './blocking.js';
export {
  addMonths,
  type LgpdDays,
  RIGHTS_KINDS,
  type RightsDeadline,
  type RightsDeadlineOptions,
  type RightsKind,
  rightsDeadline,
} from './deadlines.js';
export { type RightsDesk, rightsDesk } from './desk.js';
export type { IdentityRequest, VerificationResult } from './identity.js';
export { memoryObjectionStore, type Objection, type ObjectionStore } from './opposition.js';
export type { RetentionSource, RetentionSweeps, SweepOptions, SweepResult } from './retention.js';
export type { ReviewAnswer, ReviewTicket } from './review.js';
export {
  type BlockingAnswer,
  type ChangeNotice,
  type ChangeOptions,
  type ConsentInfoEntry,
  type CorrectionNotice,
  type ErasedField,
  type ErasureAnswer,
  type ExportItem,
  type KeptFor,
  memoryRightsStore,
  type PassedOn,
  type RecipientHook,
  type RecipientNotice,
  type Rights,
  type RightsOptions,
  type RightsRequest,
  type RightsRequestStore,
  type RightsSource,
  type SharingEntry,
  type SubjectExport,
  type UnreachableRecipient,
  type VerificationRequest,
} from './rights.js';
export type {
  AboutOthers,
  AutomatedDecisionInfo,
  ComplaintRight,
  Screen,
  ScreenedField,
  SubjectRight,
  TransferInfo,
} from './statement.js';
