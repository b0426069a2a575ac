/** GET /customers/:id/accessibility: Reads accessibility needs: second factor and consent required. */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id/accessibility');
export const GET = withPurpose(desk.pf, r.route, r.handler);
