/** POST /tickets/:id/survey: Answers the satisfaction survey (consent-based). */
import { desk, deskRoute } from '../../../../lib/desk.js';
import { withPurpose } from '../../../../lib/with-purpose.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('POST', '/tickets/:id/survey');
export const POST = withPurpose(desk.pf, r.route, r.handler);
