/**
 * `npm run bench`: compiles the suites the way the published package is
 * compiled (esbuild, ES2022, no name-keeping helpers), then runs them.
 *
 * Running the TypeScript through a development loader instead (tsx) would
 * wrap every function our code creates in a `__name(...)` call that the
 * published `dist/` does not have, while the peers (Fastify, Express, zod)
 * run from `node_modules` untouched: the ratios would lean against us by an
 * artefact of the loader, not by anything a user runs.
 *
 * The source, the adapters and the benchmarks are bundled into one file (the
 * `purposeful` imports of the adapters resolve to `src/` through the
 * tsconfig paths, so there is one copy of the core); every package stays an
 * import from `node_modules`. Arguments pass through: `npm run bench -- http`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = join(root, 'node_modules', '.cache', 'purposeful-bench');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, 'run.mjs');
await build({
  entryPoints: [join(root, 'test', 'bench', 'run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  sourcemap: 'inline',
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
