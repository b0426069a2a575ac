/** GET /tickets/:id: Reads a ticket: its customer, or staff. */
import { desk, deskRoute } from '../../../lib/desk.js';
import { withPurpose } from '../../../lib/with-purpose.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/tickets/:id');
export const GET = withPurpose(desk.pf, r.route, r.handler);
