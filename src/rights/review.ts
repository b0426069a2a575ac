/**
 * Review of automated decisions (LGPD Art. 20; GDPR Art. 22(3)): the subject
 * asks for the review of a decision a purpose takes solely by automated
 * means. The desk answers with the decision's declared criteria (LGPD Art. 20
 * §1) and hands the review, with the subject's point of view, to a person
 * through the application's `reviewer` hook (GDPR Art. 22(3): human
 * intervention, the right to express one's point of view and to contest).
 *
 * @module
 */

/**
 * What the `reviewer` hook receives: the request, the purpose whose decision
 * is contested, the subject's reference to the decision and their point of
 * view, and the deadline of the answer.
 *
 * @example
 * ```ts
 * const reviewer = async (t: ReviewTicket) => queue.push('human-review', t);
 * const pf = createPurposeful({ …, rights: rightsDesk({ verify, sources, reviewer }) });
 * ```
 * @category Rights and retention
 */
export interface ReviewTicket {
  readonly request: string;
  readonly subjectId: string;
  readonly purpose: string;
  /** Which decision, in the subject's words or your reference (a date, a decision id). */
  readonly reference?: string;
  /** The subject's point of view (GDPR Art. 22(3)). */
  readonly statement?: string;
  readonly due: string;
}

/**
 * The answer to a review request: the decision's criteria, and that a person
 * will review it by the deadline.
 *
 * @example
 * ```ts
 * const answer: ReviewAnswer = await pf.rights.review(request.id, { purpose: 'credit.limit', statement });
 * answer.logic; // the criteria the purpose declares (LGPD Art. 20 §1)
 * ```
 * @category Rights and retention
 */
export interface ReviewAnswer {
  readonly request: string;
  readonly purpose: string;
  readonly decision: string;
  readonly logic: string;
  readonly consequences: string;
  readonly review: 'requested';
  readonly due: string;
  readonly article: string;
}

/** The article a review cites. @internal */
export const REVIEW_ARTICLE = 'LGPD Art. 20, 20 §1; GDPR Art. 22(3)';
