/** The support desk on Fastify: the plugin registered first, each route opting in with `config.purposeful`. */
import Fastify, { type FastifyInstance } from 'fastify';
import { purposefulPlugin } from 'purposeful/fastify';
import type { SupportDesk } from './app.js';

export async function fastifyApp(desk: SupportDesk): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(purposefulPlugin, { engine: desk.pf });
  for (const r of desk.routes) {
    app.route({
      method: r.method,
      url: r.path,
      config: { purposeful: r.route },
      handler: async (request) => r.handler(request.purposeful as never),
    });
  }
  return app;
}
