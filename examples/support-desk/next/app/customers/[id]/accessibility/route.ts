/** GET /customers/:id/accessibility: Reads accessibility needs: second factor and consent required. */
import { desk, deskRoute } from '../../../../lib/desk.js';
import { withPurpose } from '../../../../lib/with-purpose.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id/accessibility');
export const GET = withPurpose(desk.pf, r.route, r.handler);
