/**
 * Review of an automated decision (LGPD Art. 20; GDPR Art. 22(3)): the
 * subject's request is handed to a person through the reviewer hook, and the
 * answer tells the decision's logic and consequences as the purpose declares
 * them.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import { type AnswerSettings, type DeskParts, fieldsOf, optionalText } from './desk-parts.js';
import { REVIEW_ARTICLE, type ReviewAnswer, type ReviewTicket } from './review.js';

/** The review answer: `review`. @internal */
export function createReview(parts: DeskParts) {
  const { internals, settings, store, log, open } = parts;
  const { purposes } = internals;
  return {
    async review(
      id: string,
      input: { readonly purpose: string; readonly reference?: string; readonly statement?: string },
    ): Promise<ReviewAnswer> {
      const r = await open(id, ['review']);
      if (r.review) {
        throw new PurposefulError('PF_INPUT_INVALID', `request ${id} already asked for the review of ${r.review.purpose}`, {
          purpose: r.review.purpose,
        });
      }
      const purpose = input?.purpose;
      const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
      const a = p?.declaration.automatedDecision;
      if (!p || !a) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // a declared id is named; the request's name for an undeclared one is not echoed
          p
            ? `purpose "${p.id}" declares no automated decision: there is none to review (LGPD Art. 20; GDPR Art. 22)`
            : 'the purpose is not declared: there is no automated decision to review (LGPD Art. 20; GDPR Art. 22)',
          { ...(p ? { purpose: p.id } : {}), article: 'LGPD Art. 20; GDPR Art. 22' },
        );
      }
      const reference = optionalText(input.reference, 'the reference to the decision', 500);
      const statement = optionalText(input.statement, "the subject's point of view", 10_000);
      const ticket: ReviewTicket = {
        request: r.id,
        subjectId: r.subjectId,
        purpose: p.id,
        ...(reference !== undefined ? { reference } : {}),
        ...(statement !== undefined ? { statement } : {}),
        due: r.due,
      };
      try {
        await (settings.reviewer as NonNullable<AnswerSettings['reviewer']>)(ticket);
      } catch {
        // the hook's error may quote the statement: never passed on
        throw new PurposefulError(
          'PF_STORE_UNAVAILABLE',
          `the reviewer hook did not take the review of ${p.id}: the request stays open, ask again`,
          { purpose: p.id, article: REVIEW_ARTICLE },
        );
      }
      await store.put({ ...r, review: { purpose: p.id, requestedAt: new Date().toISOString() } });
      log('review', r.subjectId, 'allow', undefined, fieldsOf(internals, p));
      return {
        request: r.id,
        purpose: p.id,
        decision: a.decision,
        logic: a.logic,
        consequences: a.consequences,
        review: 'requested',
        due: r.due,
        article: REVIEW_ARTICLE,
      };
    },
  };
}
