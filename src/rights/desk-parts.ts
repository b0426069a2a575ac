/**
 * What the answers of the rights desk share: their options, checked once when
 * the desk is built (time zone, small agent, days, screening, reviewer,
 * objections, supervisory authority), what they borrow from the desk, and the
 * small checks of what a subject writes.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import { assertLgpdDays, type RightsKind } from './deadlines.js';
import { type ObjectionStore, objectionStoreFor } from './opposition.js';
import type { ReviewTicket } from './review.js';
import { type AboutOthers, assertAboutOthers } from './statement.js';
import type { RightsInternals, RightsOptions, RightsRequest, RightsRequestStore } from './types.js';
import { zoneFormat } from './zone.js';

/** The options of the answers, checked once. @internal */
export interface AnswerSettings {
  readonly timeZone: string;
  readonly smallAgent: boolean;
  readonly objections: ObjectionStore;
  readonly aboutOthers: AboutOthers | undefined;
  readonly reviewer: ((ticket: ReviewTicket) => void | Promise<void>) | undefined;
  readonly supervisoryAuthority: { readonly name: string; readonly url?: string } | undefined;
}

/** Checks the options the answers use, once, when the desk is built. @internal */
export function answerSettings(options: RightsOptions, internals: RightsInternals): AnswerSettings {
  const timeZone = options.timeZone ?? 'UTC';
  zoneFormat(timeZone);
  if (options.smallAgent !== undefined && typeof options.smallAgent !== 'boolean') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.smallAgent is true or false (Res. CD/ANPD 2/2022 Art. 2–3)');
  }
  const smallAgent = options.smallAgent === true;
  assertLgpdDays(options.lgpdDays, smallAgent);
  assertAboutOthers(options.aboutOthers, internals.schemas);
  if (options.reviewer !== undefined && typeof options.reviewer !== 'function') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.reviewer must be a function that hands a review to a person');
  }
  const automated = internals.purposes.ids.filter((id) => internals.purposes.get(id)?.declaration.automatedDecision);
  if (automated.length > 0 && typeof options.reviewer !== 'function') {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `rights.reviewer is needed: ${automated.join(', ')} declare automated decisions, and a subject may ask a person to review them (GDPR Art. 22(3); LGPD Art. 20)`,
      { article: 'LGPD Art. 20; GDPR Art. 22(3)' },
    );
  }
  const sa = options.supervisoryAuthority as { name?: unknown; url?: unknown } | undefined;
  if (
    sa !== undefined &&
    (typeof sa !== 'object' ||
      sa === null ||
      typeof sa.name !== 'string' ||
      sa.name.trim() === '' ||
      (sa.url !== undefined && typeof sa.url !== 'string'))
  ) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rights.supervisoryAuthority is { name, url? } (GDPR Art. 15(1)(f), 77)');
  }
  return {
    timeZone,
    smallAgent,
    objections: internals.objections ?? (objectionStoreFor(options) as ObjectionStore),
    aboutOthers: options.aboutOthers,
    reviewer: options.reviewer,
    supervisoryAuthority: options.supervisoryAuthority,
  };
}

/** What the answers borrow from the desk. @internal */
export interface DeskParts {
  readonly internals: RightsInternals;
  readonly options: RightsOptions;
  readonly settings: AnswerSettings;
  readonly store: RightsRequestStore;
  readonly log: (
    kind: RightsKind,
    subjectId: string,
    decision: 'allow' | 'deny',
    reason?: string,
    fields?: readonly FieldInfo[],
  ) => void;
  readonly open: (id: string, kinds?: readonly RightsKind[]) => Promise<RightsRequest>;
}

/** An optional text from the subject: a string of at most `max` characters, or nothing. */
export function optionalText(v: unknown, what: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) {
    throw new PurposefulError('PF_INPUT_INVALID', `${what} is a text of at most ${max} characters`);
  }
  return v.trim() === '' ? undefined : v;
}

/** The declared fields a purpose uses, for the access-log event of a request about it (no values). */
export function fieldsOf(internals: RightsInternals, p: ResolvedPurpose): FieldInfo[] {
  return [...internals.schemas.values()].flatMap((s) => s.fields.filter((f) => f.access.has(p.id)));
}
