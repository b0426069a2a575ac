/**
 * Revocation of consent and elimination of the data processed with consent
 * (LGPD Art. 8 §5, 18 VI, IX; GDPR Art. 7(3), 17(1)(b)): the data only consent
 * justified leaves the subject's rows (anonymized where a field declares it),
 * and the change is passed on to the recipients.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import { anonymizedReason, copyOfDeparting } from './anonymize.js';
import type { RightsContext } from './context.js';
import { assertWritable, type Departure, depart, recordOf } from './depart.js';
import { transferConsentArticle } from './information.js';
import {
  departureNotices,
  exitsOf,
  type NoticeItem,
  PASS_ON,
  passedOnNote,
  passOn,
  passOnPlan,
  passOnPlanFor,
  recipientsOf,
} from './pass-on.js';
import { nullIndexes, removeAt, valuesAt } from './paths.js';
import type { ChangeNotice, ChangeOptions, ErasedField, ErasureAnswer, Rights, RightsRequest } from './types.js';

/** The subject's rows holding fields that `inScope` names: each field with a value leaves (consent data, Art. 18 VI, IX). */
async function consentOnly(ctx: RightsContext, subjectId: string, inScope: (f: FieldInfo) => boolean): Promise<Departure[]> {
  const plans: Departure[] = [];
  for (const { schema, source } of ctx.sources) {
    const scope = schema.fields.filter(inScope);
    if (!scope.length) continue;
    for (const stored of await source.find(subjectId)) {
      const row = { ...stored };
      const leaving = scope.filter((f) => valuesAt(row, f.path).length > 0);
      if (leaving.length) plans.push({ schema, source, row, leaving, retained: [], whole: false });
    }
  }
  return plans;
}

/** Takes the leaving values out of the rows (anonymized where declared), nulls their blind indexes, stores the rows. */
async function departConsentData(ctx: RightsContext, subjectId: string, plans: Departure[], reasonOf: (f: FieldInfo) => string) {
  const fields: ErasedField[] = [];
  const deleted: NoticeItem[] = [];
  const anonymized: NoticeItem[] = [];
  for (const p of plans) {
    p.copy = await copyOfDeparting(ctx.internals.openAll, p.schema, p.row, subjectId, p.leaving, false);
    const record = recordOf(p.schema, p.row);
    for (const f of p.leaving) {
      p.changed = removeAt(p.row, f.path) || p.changed;
      const copied = p.copy?.fields.includes(f.path) === true;
      (copied ? anonymized : deleted).push({ schema: p.schema.id, ...(record !== undefined ? { record } : {}), field: f });
      fields.push({
        schema: p.schema.id,
        ...(record !== undefined ? { record } : {}),
        field: f.path,
        outcome: copied ? 'anonymized' : 'deleted',
        reason: copied ? anonymizedReason(f) : reasonOf(f),
      });
    }
    nullIndexes(p.schema, p.row, (ix) => ix.fields.some((f) => p.leaving.includes(f)));
    await depart(p, subjectId);
  }
  return { fields, deleted, anonymized };
}

/** The purpose a revocation names: a declared one whose processing, or transfer abroad, rests on consent. */
function revocable(ctx: RightsContext, purpose: string): ResolvedPurpose {
  const p = typeof purpose === 'string' ? ctx.internals.purposes.get(purpose) : undefined;
  // the consent of the purpose, or the one its transfer abroad rests on (LGPD Art. 8 §5, 33 VIII; GDPR Art. 7(3))
  if (!p || p.ledgerConsentUnder.length === 0) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      // only a declared id is named: the request's name for an undeclared one is not echoed
      p
        ? `purpose "${p.id}" does not rest on consent: there is nothing to revoke`
        : 'the purpose is not declared: there is nothing to revoke',
      p
        ? { purpose: p.id, article: 'LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)' }
        : { article: 'LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)' },
    );
  }
  return p;
}

/** The revocation notices: one to each told recipient of the purpose. */
function revocationNotices(
  ctx: RightsContext,
  r: RightsRequest,
  p: ResolvedPurpose,
  purpose: string,
  told: readonly string[],
): ChangeNotice[] {
  return told
    .filter((name) => ctx.recipients.byPurpose.get(purpose)?.includes(name))
    .map((recipient) => ({
      kind: 'revocation',
      request: r.id,
      subjectId: r.subjectId,
      recipient,
      article: `${PASS_ON}; LGPD Art. 8 §5, 18 IX; GDPR Art. 7(3)${p.transferConsentUnder.length > 0 ? `; ${transferConsentArticle(p)}` : ''}`,
      purpose,
      fields: [],
    }));
}

/** Withdraws the consent to a purpose, and takes out of the rows what only consent justified. */
async function revoke(ctx: RightsContext, id: string, purpose: string, changeOptions?: ChangeOptions): Promise<ErasureAnswer> {
  const { internals, recipients } = ctx;
  const { purposes } = internals;
  const r = await ctx.open(id, ['revocation']);
  const p = revocable(ctx, purpose);
  if (!internals.consent) throw new PurposefulError('PF_CONSENT_UNAVAILABLE', 'revoking consent needs the consent ledger');
  const exits = exitsOf(recipients, changeOptions);
  // what only consent justified: fields every purpose of which rests on consent and is no longer granted (this
  // one once withdrawn), worked out and checked before the withdrawal, so a store that cannot change fails first
  const states = await internals.consent.status(
    r.subjectId,
    [...new Set([...purposes.ids])].filter((x) => (purposes.get(x)?.consentUnder.length ?? 0) > 0),
  );
  const granted = (pid: string) => pid !== purpose && states.get(pid)?.status === 'granted';
  const plans = await consentOnly(ctx, r.subjectId, (f) => {
    const ps = [...f.access.keys()];
    return ps.includes(purpose) && ps.every((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0 && !granted(pid));
  });
  // the purpose's recipients are told of the revocation, those of the data removed of its elimination (LGPD
  // Art. 18 §6; GDPR Art. 19 for the erasure that follows, Art. 7(3)): hooks checked before the withdrawal
  const told = passOnPlan(
    recipients,
    [
      ...(recipients.byPurpose.get(purpose) ?? []),
      ...recipientsOf(
        recipients,
        plans.flatMap((x) => x.leaving),
      ).keys(),
    ],
    exits,
    'revocation',
  );
  for (const x of plans) assertWritable(x, 'revocations');
  await internals.consent.withdraw(r.subjectId, purpose, { method: 'api', collectionPoint: `rights:${r.id}` });
  const gone = await departConsentData(ctx, r.subjectId, plans, () => `only consent to ${purpose} justified it`);
  const revocation = revocationNotices(ctx, r, p, purpose, told.told);
  const passed = await passOn(recipients, [...revocation, ...departureNotices(recipients, r, gone, told.told)], told);
  ctx.log('revocation', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
  return { fields: gone.fields, retainedUntil: [], ...passed };
}

/** Eliminates the data processed with consent (of one purpose, or of all), at the subject's request. */
async function eraseConsentData(ctx: RightsContext, id: string, changeOptions?: ChangeOptions & { readonly purpose?: string }) {
  const { purposes } = ctx.internals;
  const { recipients } = ctx;
  const r = await ctx.open(id, ['consent-data-erasure']);
  const only = changeOptions?.purpose;
  if (only !== undefined && (purposes.get(only)?.consentUnder.length ?? 0) === 0) {
    const declared = typeof only === 'string' ? purposes.get(only) : undefined;
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      // only a declared id is named: the request's name for an undeclared one is not echoed
      `${declared ? `purpose "${declared.id}"` : 'the purpose'} does not rest on consent: LGPD Art. 18 VI eliminates the data processed with consent`,
      { ...(declared ? { purpose: declared.id } : {}), article: 'LGPD Art. 18 VI' },
    );
  }
  const exits = exitsOf(recipients, changeOptions);
  // the data processed with consent: fields every purpose of which rests on consent (a field another basis also
  // serves is processed under it, and stays); a ground never keeps consent data (the validator refuses it)
  const plans = await consentOnly(ctx, r.subjectId, (f) => {
    const ps = [...f.access.keys()];
    return (only === undefined || ps.includes(only)) && ps.every((pid) => (purposes.get(pid)?.consentUnder.length ?? 0) > 0);
  });
  const told = passOnPlanFor(
    recipients,
    plans.flatMap((x) => x.leaving),
    exits,
    'elimination',
  );
  for (const x of plans) assertWritable(x, 'eliminations');
  const gone = await departConsentData(ctx, r.subjectId, plans, (f) => {
    const ps = [...f.access.keys()].join(', ');
    return `processed with consent (${ps}): eliminated at the subject's request (LGPD Art. 18 VI; GDPR Art. 17(1))`;
  });
  const passed = await passOn(recipients, departureNotices(recipients, r, gone, told.told), told);
  ctx.log('consent-data-erasure', r.subjectId, 'allow', passedOnNote(passed), [], r.id);
  return { fields: gone.fields, retainedUntil: [], ...passed };
}

/** The revocation and consent-data elimination requests of a desk. */
export function revocationRequests(ctx: RightsContext): Pick<Rights, 'revoke' | 'eraseConsentData'> {
  return {
    revoke: (id, purpose, changeOptions) => revoke(ctx, id, purpose, changeOptions),
    eraseConsentData: (id, changeOptions) => eraseConsentData(ctx, id, changeOptions),
  };
}
