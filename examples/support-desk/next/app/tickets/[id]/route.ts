/** GET /tickets/:id: Reads a ticket: its customer, or staff. */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/tickets/:id');
export const GET = withPurpose(desk.pf, r.route, r.handler);
