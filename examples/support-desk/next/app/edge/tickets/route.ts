/**
 * POST /edge/tickets on the Edge runtime: the core (validation, undeclared
 * fields, JWT actor) without Node.js APIs. It echoes the new ticket as the
 * purpose receives it — only the declared fields, validated — and stores
 * nothing (the Edge sandbox has its own globals, not the desk of lib/desk.ts).
 */
import { actorFromJwt, createPurposeful } from 'purposeful';
import { withPurpose } from 'purposeful/next';
import { AUDIENCE, ISSUER } from '../../../../app.js';
import { NewTicket, purposes } from '../../../../declarations.js';
import { jwtSecret } from '../../../lib/secret.js';

export const runtime = 'edge';
export const dynamic = 'force-dynamic';

const pf = createPurposeful({ purposes, schemas: [NewTicket] });
const actor = actorFromJwt({ key: jwtSecret(), issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });

export const POST = withPurpose(pf, { purpose: 'support.ticket', input: NewTicket, actor }, ({ body }) => body);
