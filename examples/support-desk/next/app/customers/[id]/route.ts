/** GET /customers/:id: Reads a customer for support: CPF masked, no health data. */
import { desk, deskRoute } from '../../../lib/desk.js';
import { withPurpose } from '../../../lib/with-purpose.js';

export const dynamic = 'force-dynamic';

const r = deskRoute('GET', '/customers/:id');
export const GET = withPurpose(desk.pf, r.route, r.handler);
