/**
 * Data-subject requests (LGPD Art. 18–19; GDPR Art. 12, 15–21): every request
 * starts with an identity verification the application supplies; a request
 * that passes is tracked with its deadline under each law in force; answers
 * are produced from the application's own stores (the sources it registers)
 * and are themselves logged.
 *
 * The desk is assembled here from one module per request kind, over a
 * context built once (`context.ts`) and the shared steps that gather a
 * subject's records (`gather.ts`), let them depart (`depart.ts`) and pass the
 * change on to the recipients (`pass-on.ts`).
 *
 * @module
 */
import { accessRequests } from './access.js';
import { blockingRequests } from './blocking-requests.js';
import { rightsContext } from './context.js';
import { correctionRequests } from './correction.js';
import { erasureRequests } from './erasure.js';
import { informationRequests } from './information.js';
import { requestDesk } from './requests.js';
import { revocationRequests } from './revocation.js';
import type { Rights, RightsInternals, RightsOptions } from './types.js';

export { memoryRightsStore } from './store.js';
export type {
  BlockingAnswer,
  ChangeNotice,
  ChangeOptions,
  ConsentInfoEntry,
  CorrectionNotice,
  ErasedField,
  ErasureAnswer,
  ExportItem,
  KeptFor,
  PassedOn,
  RecipientHook,
  RecipientNotice,
  Rights,
  RightsInternals,
  RightsOptions,
  RightsRequest,
  RightsRequestStore,
  RightsSource,
  SharingEntry,
  SubjectExport,
  UnreachableRecipient,
  VerificationRequest,
} from './types.js';

/** Builds the rights desk over the engine's internals. @internal */
export function createRights(internals: RightsInternals, options: RightsOptions): Rights {
  // the options are checked here, once: every request kind reads the context
  const ctx = rightsContext(internals, options);
  return {
    ...requestDesk(ctx),
    ...accessRequests(ctx),
    ...informationRequests(ctx),
    ...erasureRequests(ctx),
    ...revocationRequests(ctx),
    ...blockingRequests(ctx),
    ...correctionRequests(ctx),
  };
}
