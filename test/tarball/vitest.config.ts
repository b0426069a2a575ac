import { defineConfig } from 'vitest/config';

// `npm run test:package`: the packed tarball installed in a new project (test/tarball), apart from `npm test`
// because it needs the network or a warm npm cache and takes a minute or two.
export default defineConfig({
  test: {
    include: ['test/tarball/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
