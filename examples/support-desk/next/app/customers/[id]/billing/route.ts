/** GET /customers/:id/billing: Reads the billing data: the billing role only. */
import { desk, deskRoute } from '../../../../lib/desk.js';
import { withPurpose } from '../../../../lib/with-purpose.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id/billing');
export const GET = withPurpose(desk.pf, r.route, r.handler);
