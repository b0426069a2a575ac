import { PurposefulError } from '../errors.js';

/**
 * The error a route's handler throws when it finds nothing to answer with:
 * every adapter (Express, Fastify, Next.js, fetch) answers 404
 * `application/problem+json` with code `PF_NOT_FOUND`. The message is fixed
 * and names nothing of what was looked for. On a route with an `output`,
 * returning `null` answers the same 404; on a route without one, `null` or
 * `undefined` answers 204 (a command with nothing to say).
 *
 * @example
 * ```ts
 * import { notFound } from 'purposeful';
 *
 * app.get('/tickets/:id', purposeful(pf, readTicket, async ({ params }) => {
 *   const ticket = await tickets.find(params.id);
 *   if (!ticket) throw notFound(); // 404 PF_NOT_FOUND
 *   return ticket;
 * }));
 * ```
 * @category HTTP
 */
export function notFound(): PurposefulError {
  return new PurposefulError('PF_NOT_FOUND', 'nothing was found for this request');
}
