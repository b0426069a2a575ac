/** POST /tickets/:id/survey: Answers the satisfaction survey (consent-based). */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('POST', '/tickets/:id/survey');
export const POST = withPurpose(desk.pf, r.route, r.handler);
