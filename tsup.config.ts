import { defineConfig } from 'tsup';

// One entry per subpath export. Later entries (adapters, postgres, node) import
// the core through the package name, so that a process holds exactly one copy
// of the core whichever entries it loads.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    postgres: 'src/postgres/index.ts',
    express: 'adapters/express.ts',
    fastify: 'adapters/fastify.ts',
    next: 'adapters/next.ts',
    fetch: 'adapters/fetch.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: false,
  treeshake: true,
  external: ['zod', /^zod\//, /^@noble\//, 'jose', 'fastify-plugin', 'fastify', 'express', /^node:/, /^purposeful(\/|$)/],
});
