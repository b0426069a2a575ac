import { defineConfig } from 'tsup';

const external = [
  'zod',
  /^zod\//,
  /^@noble\//,
  'jose',
  'jiti',
  'date-holidays',
  'canonicalize',
  'fastify-plugin',
  'fastify',
  'express',
  'drizzle-orm',
  /^drizzle-orm\//,
  /^@prisma\//,
  /^node:/,
  /^purposeful(\/|$)/,
];

// One entry per subpath export. Later entries (adapters, postgres, node, the
// CLI) import the core through the package name, so that a process holds
// exactly one copy of the core whichever entries it loads.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      postgres: 'src/postgres/index.ts',
      node: 'src/node/index.ts',
      incident: 'src/incident/index.ts',
      express: 'adapters/express.ts',
      fastify: 'adapters/fastify.ts',
      next: 'adapters/next.ts',
      fetch: 'adapters/fetch.ts',
      drizzle: 'adapters/drizzle.ts',
      prisma: 'adapters/prisma.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // the CLI's build runs alongside: leave its files
    clean: ['**/*', '!cli.js', '!cli.js.map'],
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
    external,
  },
  {
    // the `purposeful` bin: Node only, ESM
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    splitting: false,
    banner: { js: '#!/usr/bin/env node' },
    external,
  },
]);
