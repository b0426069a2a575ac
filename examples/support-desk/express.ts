/** The support desk on Express: each route of app.ts wrapped with `purposeful(pf, route, handler)`. */
import express from 'express';
import { purposeful } from 'purposeful/express';
import type { SupportDesk } from './app.js';

/** `create` makes the application: Express 5 by default (the tests also pass Express 4's). */
export function expressApp(desk: SupportDesk, create: () => express.Express = express): express.Express {
  const app = create();
  app.disable('x-powered-by');
  for (const r of desk.routes) {
    const method = r.method === 'GET' ? 'get' : 'post';
    app[method](
      r.path,
      purposeful(desk.pf, r.route, (ctx) => r.handler(ctx)),
    );
  }
  return app;
}
