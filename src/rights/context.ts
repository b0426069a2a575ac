/**
 * What every request kind of the rights desk works with, built once when the
 * desk is: the checked options, the sources with their schemas, the request
 * store, the recipients, the answers, and the access-log event of a request.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { FieldInfo } from '../schema/walk.js';
import { type Answers, createAnswers } from './answers.js';
import type { RightsKind } from './deadlines.js';
import { answerSettings } from './desk-parts.js';
import { type RecipientBook, recipientBook } from './pass-on.js';
import { memoryRightsStore, openRequest } from './store.js';
import type { RightsInternals, RightsOptions, RightsRequest, RightsRequestStore, RightsSource } from './types.js';

/** A registered source with the schema of its rows. */
export interface SourceOf {
  readonly id: string;
  readonly source: RightsSource;
  readonly schema: PurposefulSchema;
}

/** The access-log event of a request: who asked, what for, the fields it touched (no values). */
export type RightsLog = (
  kind: RightsKind,
  subjectId: string,
  decision: 'allow' | 'deny',
  reason?: string,
  fields?: readonly FieldInfo[],
  requestId?: string,
) => void;

/** The shared state of one rights desk. */
export interface RightsContext {
  readonly internals: RightsInternals;
  readonly options: RightsOptions;
  /** The registered sources, in the order of the options. */
  readonly sources: readonly SourceOf[];
  readonly store: RightsRequestStore;
  readonly recipients: RecipientBook;
  readonly answers: Answers;
  readonly log: RightsLog;
  /** A stored request; given `kinds`, one of them whose requester's identity is proven. */
  readonly open: (id: string, kinds?: readonly RightsKind[]) => Promise<RightsRequest>;
}

/** Checks `rights.verify` and `rights.sources` against the engine's schemas. */
function checkSources(internals: RightsInternals, options: RightsOptions): void {
  if (typeof options.verify !== 'function') throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.verify must be a function');
  for (const [id, source] of Object.entries(options.sources ?? {})) {
    if (!internals.schemas.has(id))
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources names schema "${id}", which the engine does not handle`, {
        schema: id,
      });
    if (typeof source?.find !== 'function')
      throw new PurposefulError('PF_OPTIONS_INVALID', `rights.sources.${id} needs find(subjectId)`);
  }
}

/** Builds the access-log event writer of the desk. */
function rightsLog(internals: RightsInternals): RightsLog {
  const { audit } = internals;
  return (kind, subjectId, decision, reason, fields = [], requestId) => {
    audit?.record({
      time: new Date().toISOString(),
      action: 'rights',
      decision,
      ...(reason ? { reason } : {}),
      ...(requestId ? { requestId } : {}),
      actor: { id: `subject:${kind}`, roles: [], mfa: false },
      subjectId,
      fields: [...new Set(fields.map((f) => f.path))],
      categories: [...new Set(fields.map((f) => f.category))].sort(),
      sensitive: fields.some((f) => f.sensitive),
    });
  };
}

/** Checks the options, once, and builds the context every request kind reads. */
export function rightsContext(internals: RightsInternals, options: RightsOptions): RightsContext {
  checkSources(internals, options);
  // time zone, small agent, days, screening, reviewer, objections: checked once (LGPD Art. 19, 20; GDPR Art. 12, 15, 21, 22)
  const settings = answerSettings(options, internals);
  const store = options.store ?? memoryRightsStore();
  const sources = Object.entries(options.sources ?? {}).map(
    ([id, source]): SourceOf => ({ id, source, schema: internals.schemas.get(id) as PurposefulSchema }),
  );
  const log = rightsLog(internals);
  const open = (id: string, kinds?: readonly RightsKind[]) => openRequest(store, id, kinds);
  const recipients = recipientBook(internals.purposes, options);
  const answers = createAnswers({ internals, options, settings, store, log, open });
  return { internals, options, sources, store, recipients, answers, log, open };
}
