/** GET /customers/:id: Reads a customer for support: CPF masked, no health data. */

import { withPurpose } from 'purposeful/next';
import { desk, deskRoute } from '../../../lib/desk.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id');
export const GET = withPurpose(desk.pf, r.route, r.handler);
