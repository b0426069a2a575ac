/** GET /customers/:id/billing: Reads the billing data: the billing role only. */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id/billing');
export const GET = withPurpose(desk.pf, r.route, r.handler);
