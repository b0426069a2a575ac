/** POST /tickets: Opens a ticket (201, the stored ticket projected for the purpose). */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('POST', '/tickets');
export const POST = withPurpose(desk.pf, r.route, r.handler);
