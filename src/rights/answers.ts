/**
 * The parts of the rights desk that answer the data subject: the request and
 * its verification (GDPR Art. 12(6); LGPD Art. 18 §3–4), deadlines in the
 * controller's zone and for small agents (LGPD Art. 19; Res. CD/ANPD 2/2022;
 * GDPR Art. 12(3)), opposition (LGPD Art. 18 §2; GDPR Art. 21), review of
 * automated decisions (LGPD Art. 20; GDPR Art. 22(3)), and what an access
 * answer adds and screens out (GDPR Art. 15(1)(e)–(h), 15(2), 15(4)).
 *
 * @module
 * @internal
 */
import type { DeskParts } from './desk-parts.js';
import { createIntake } from './intake.js';
import { createOpposition } from './opposition-requests.js';
import { createReview } from './review-requests.js';
import { createScreening } from './screening.js';

/** The answers of the desk. @internal */
export function createAnswers(parts: DeskParts) {
  return {
    ...createIntake(parts),
    ...createOpposition(parts),
    ...createReview(parts),
    ...createScreening(parts),
  };
}

/** The answers of a desk. @internal */
export type Answers = ReturnType<typeof createAnswers>;
