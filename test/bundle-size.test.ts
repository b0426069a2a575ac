import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build as bundle, type Metafile } from 'esbuild';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

// What a user's bundler ships for a minimal route: the package is built the
// way `npm run build` builds dist/ (one file per entry, the core imported by
// name), then a one-field route is bundled from it, minified, for a neutral
// (Edge, browser) platform, with zod and jose external as the application's
// own dependencies. Sizes, not timings.
const out = resolve('node_modules/.cache/purposeful-size-test');

/**
 * The budget of a minimal fetch or Next.js route, in bytes. What remains is the
 * core itself (minimization, rights, detection, crypto); the holiday calendar
 * of the incident deadlines lives in `purposeful/incident`.
 */
const ROUTE_BUDGET = 330 * 1024;

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  await build({
    config: false, // the options of tsup.config.ts that shape the output follow
    splitting: false,
    treeshake: true,
    entry: {
      index: 'src/index.ts',
      fetch: 'adapters/fetch.ts',
      next: 'adapters/next.ts',
      incident: 'src/incident/index.ts',
    },
    format: ['esm'],
    outDir: out,
    dts: false,
    silent: true,
    platform: 'neutral',
    target: 'es2022',
    external: ['zod', /^zod\//, /^@noble\//, 'jose', 'date-holidays', 'canonicalize', /^purposeful(\/|$)/],
  });
}, 60_000);

const declarations = `
import { z } from 'zod';
import { createPurposeful, definePurposes, defineSchema, pd } from 'purposeful';
const purposes = definePurposes(
  { 'support.ticket': { description: 'Answer the customer about their request', legalBasis: { lgpd: 'contract' }, retention: 'P2Y' } },
  { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'd@example.com' } } },
);
const Ticket = defineSchema('ticket', z.object({ name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }), { purposes });
const pf = createPurposeful({ purposes, schemas: [Ticket] });
const route = { purpose: 'support.ticket', input: Ticket, actor: () => ({ id: 'a' }), status: 201 } as const;
`;

const uses = {
  fetch: `import { toFetchHandler } from 'purposeful/fetch';${declarations}
export default { fetch: toFetchHandler(pf, route, async ({ body }) => body) };`,
  next: `import { withPurpose } from 'purposeful/next';${declarations}
export const POST = withPurpose(pf, route, async ({ body }) => body);`,
  core: `${declarations}export { pf };`,
} as const;

async function minified(source: string): Promise<{ bytes: number; inputs: string[] }> {
  const result = await bundle({
    stdin: { contents: source, loader: 'ts', resolveDir: out },
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    external: ['zod', 'zod/*', 'jose'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'built-purposeful',
        setup(b) {
          b.onResolve({ filter: /^purposeful(\/[a-z]+)?$/ }, (a) => ({
            path: resolve(out, `${a.path === 'purposeful' ? 'index' : a.path.slice('purposeful/'.length)}.js`),
          }));
        },
      },
    ],
  });
  const meta = result.metafile as Metafile;
  const output = Object.values(meta.outputs)[0];
  // only the inputs that contributed bytes: an import tree-shaken away costs nothing
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  return { bytes: result.outputFiles?.[0]?.contents.length ?? 0, inputs };
}

const heavy = /(^|\/)node_modules\/(date-holidays|date-holidays-parser|moment|moment-timezone|astronomia)\//;

describe('bundle size of a minimal route (minified, zod and jose external)', () => {
  it.each(['fetch', 'next'] as const)('a minimal %s route stays within its budget', async (kind) => {
    const { bytes } = await minified(uses[kind]);
    expect(bytes).toBeGreaterThan(10 * 1024); // the core is in it: the measure measures something
    expect(bytes).toBeLessThan(ROUTE_BUDGET);
  });

  it('the root entry bundles no holiday calendar, astronomy or time-zone data (date-holidays, moment, astronomia)', async () => {
    for (const source of Object.values(uses)) {
      const { inputs } = await minified(source);
      expect(inputs.filter((p) => heavy.test(p))).toEqual([]);
    }
  });

  it('the check can fail: purposeful/incident does bundle the holiday calendar', async () => {
    const { inputs } = await minified(
      `import { incidentDeadlines } from 'purposeful/incident';\nexport const d = incidentDeadlines({ knownAt: new Date() });`,
    );
    expect(inputs.some((p) => heavy.test(p))).toBe(true);
  });
});
