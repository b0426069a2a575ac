/**
 * One support desk per server process: every route module gets the same
 * engine and in-memory store. Next may evaluate a module once per route
 * bundle, so the desk lives on `globalThis`, not in a module variable.
 */
import { createSupportDesk, type DeskRoute, type SupportDesk } from '../../app.js';
import { jwtSecret } from './secret.js';

const holder = globalThis as typeof globalThis & { __purposefulSupportDesk?: SupportDesk };

holder.__purposefulSupportDesk ??= createSupportDesk({ jwtSecret: jwtSecret() });

/** The desk of this process. */
export const desk: SupportDesk = holder.__purposefulSupportDesk;

/** A route of the desk by method and path (`/tickets/:id` style, as in app.ts). */
export function deskRoute(method: DeskRoute['method'], path: string): DeskRoute {
  const r = desk.routes.find((x) => x.method === method && x.path === path);
  if (!r) throw new Error(`support desk: no route ${method} ${path}`);
  return r;
}
