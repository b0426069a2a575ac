/**
 * The requests themselves: receiving and verifying one, its deadlines and
 * their extension (LGPD Art. 19; GDPR Art. 12(3)), closing it, and reading the
 * store; opposition and review, which the answers carry out, are reached here
 * too.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { RightsContext } from './context.js';
import { unverified } from './intake.js';
import type { Rights, RightsRequest } from './types.js';

/**
 * A request of any kind whose requester's identity is proven: an `unverified` one is neither closed nor extended
 * (GDPR Art. 12(6); LGPD Art. 18 §3, §4 II), it waits for `verify`.
 */
async function openVerified(ctx: RightsContext, id: string): Promise<RightsRequest> {
  const r = await ctx.open(id);
  if (r.status === 'unverified') throw unverified(r);
  return r;
}

/** Extends a request's deadline by two months, with its reason, within the first month (GDPR Art. 12(3)). */
async function extend(ctx: RightsContext, id: string, reason: string, now = new Date()): Promise<RightsRequest> {
  const r = await openVerified(ctx, id);
  if (typeof reason !== 'string' || reason.trim() === '')
    throw new PurposefulError('PF_INPUT_INVALID', 'an extension needs its reason');
  if (!r.gdprDue) throw new PurposefulError('PF_INPUT_INVALID', 'only GDPR allows an extension (Art. 12(3))');
  if (r.extension) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} was already extended`);
  if (now.getTime() > Date.parse(r.gdprDue)) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      'the extension must be decided and told within the first month (GDPR Art. 12(3))',
    );
  }
  const d = ctx.answers.deadline(r.kind, new Date(r.receivedAt), true);
  const next: RightsRequest = {
    ...r,
    due: d.due.toISOString(),
    ...(d.gdpr ? { gdprDue: d.gdpr.toISOString() } : {}),
    extension: { reason, at: now.toISOString() },
  };
  await ctx.store.put(next);
  return next;
}

/** Closes a request. */
async function complete(ctx: RightsContext, id: string, now = new Date()): Promise<RightsRequest> {
  const r = await openVerified(ctx, id);
  const next: RightsRequest = { ...r, status: 'completed', completedAt: now.toISOString() };
  await ctx.store.put(next);
  return next;
}

/** The request-handling methods of a desk. */
export function requestDesk(
  ctx: RightsContext,
): Pick<
  Rights,
  'request' | 'verify' | 'oppose' | 'dismissOpposition' | 'objections' | 'review' | 'extend' | 'complete' | 'get' | 'list'
> {
  const { answers, store } = ctx;
  return {
    request: (input) => answers.request(input),
    verify: (id, verification, now) => answers.verify(id, verification, now),
    oppose: (id, purpose, input) => answers.oppose(id, purpose, input),
    dismissOpposition: (id, grounds, now) => answers.dismissOpposition(id, grounds, now),
    objections: (subjectId) => answers.objections(subjectId),
    review: (id, input) => answers.review(id, input),
    extend: (id, reason, now) => extend(ctx, id, reason, now),
    complete: (id, now) => complete(ctx, id, now),
    get: (id) => store.get(id),
    list: () => store.list(),
  };
}
