import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the entries other than the core import it by name, as users do: in tests that is the source
  resolve: {
    alias: [
      { find: /^purposeful$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^purposeful\/postgres$/, replacement: fileURLToPath(new URL('./src/postgres/index.ts', import.meta.url)) },
      { find: /^purposeful\/node$/, replacement: fileURLToPath(new URL('./src/node/index.ts', import.meta.url)) },
      { find: /^purposeful\/incident$/, replacement: fileURLToPath(new URL('./src/incident/index.ts', import.meta.url)) },
      {
        find: /^purposeful\/(express|fastify|next|fetch|drizzle)$/,
        replacement: fileURLToPath(new URL('./adapters/$1.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'test/tarball/**', 'node_modules/**'], // test/tarball: npm run test:package
    testTimeout: 30_000,
    // generates the Prisma client of test/prisma when it is missing or stale (offline, see test/prisma/generate.mjs)
    globalSetup: ['test/prisma/global-setup.ts'],
    coverage: { provider: 'v8', include: ['src/**', 'adapters/**'] },
  },
});
