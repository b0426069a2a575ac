/**
 * The support desk as one Web fetch handler (`purposeful/fetch`), with a tiny
 * router: what Bun, Deno, Workers or Hono would call. `serveFetch` puts it
 * behind a Node HTTP server, for the tests and the demo.
 */
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { toFetchHandler } from 'purposeful/fetch';
import type { SupportDesk } from './app.js';

export function fetchApp(desk: SupportDesk): (request: Request) => Promise<Response> {
  const routes = desk.routes.map((r) => {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${r.path.replace(/:([a-z]+)/gi, (_, n: string) => {
        names.push(n);
        return '([^/]+)';
      })}$`,
    );
    return { method: r.method, pattern, names, handle: toFetchHandler(desk.pf, r.route, (ctx) => r.handler(ctx) as never) };
  });
  return async (request) => {
    const { pathname } = new URL(request.url);
    for (const r of routes) {
      const m = r.method === request.method ? r.pattern.exec(pathname) : null;
      if (!m) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] as string)]));
      return r.handle(request, params);
    }
    return new Response(null, { status: 404 });
  };
}

/** Serves a fetch handler on Node's HTTP server. */
export function serveFetch(handler: (request: Request) => Promise<Response>): Server {
  return createServer(async (req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
      duplex: 'half',
    } as RequestInit);
    try {
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      res.writeHead(500).end();
    }
  });
}
