import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, kb, type Measure, measurePackage, measureSource } from './helpers/bundle-budget.js';

// The package is built the way `npm run build` builds dist/ (one file per
// entry, the core imported by name) into a directory laid out like the
// published package, then measured as a user's bundler would ship it (see
// test/helpers/bundle-budget.ts): minified, neutral platform, zod and jose
// external.
//
// The goal for a minimal route is 120 KB. Still in its path: the free-text
// detectors (about 25 KB, there for `freeText` fields), the retention sweeps
// (about 6 KB) and the declaration validator that runs when purposes and
// schemas are defined (about 50 KB).
const pkgDir = resolve('node_modules/.cache/purposeful-size-test');

let measured: Awaited<ReturnType<typeof measurePackage>>;

beforeAll(async () => {
  mkdirSync(pkgDir, { recursive: true });
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
    outDir: join(pkgDir, 'dist'),
    dts: false,
    silent: true,
    platform: 'neutral',
    target: 'es2022',
    external: ['zod', /^zod\//, /^@noble\//, 'jose', 'date-holidays', 'canonicalize', /^purposeful(\/|$)/],
  });
  const { name, exports } = JSON.parse(readFileSync('package.json', 'utf8'));
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name, type: 'module', sideEffects: false, exports }));
  measured = await measurePackage(pkgDir);
}, 120_000);

const heavy = /(^|\/)node_modules\/(date-holidays|date-holidays-parser|moment|moment-timezone|astronomia)\//;
const top = (m: Measure) =>
  m.inputs
    .slice(0, 8)
    .map((i) => `${i.path} ${kb(i.bytes)}`)
    .join(', ');

describe('bundle size (minified, zod and jose external)', () => {
  it.each(Object.keys(BUDGETS.routes) as (keyof typeof BUDGETS.routes)[])(
    'a minimal %s route stays within its budget',
    (kind) => {
      const { bytes } = measured.routes[kind];
      expect(bytes).toBeGreaterThan(10 * 1024); // the core is in it: the measure measures something
      expect(bytes, `${kind} route: ${kb(bytes)}; largest inputs: ${top(measured.routes[kind])}`).toBeLessThan(
        BUDGETS.routes[kind],
      );
    },
  );

  it.each(Object.keys(BUDGETS.entries) as (keyof typeof BUDGETS.entries)[])('the entry %s stays within its budget', (entry) => {
    const { bytes } = measured.entries[entry];
    expect(bytes).toBeGreaterThan(1024);
    expect(bytes, `${entry}: ${kb(bytes)}`).toBeLessThan(BUDGETS.entries[entry]);
  });

  it('no route and no entry bundles a holiday calendar, astronomy or time-zone data: date-holidays is an optional peer', () => {
    for (const m of [...Object.values(measured.routes), ...Object.values(measured.entries)]) {
      expect(m.inputs.map((i) => i.path).filter((p) => heavy.test(p))).toEqual([]);
    }
  });

  it('the check can fail: a calendar handed over to purposeful/incident (Edge runtimes) is bundled', async () => {
    const { inputs } = await measureSource(
      pkgDir,
      `import Holidays from 'date-holidays';\nimport { useHolidayCalendar } from 'purposeful/incident';\nuseHolidayCalendar(Holidays);`,
    );
    expect(inputs.some((i) => heavy.test(i.path))).toBe(true);
  });

  it('the ciphers of the keyring stay out of a route that has no keys', () => {
    const paths = measured.routes.next.inputs.map((i) => i.path);
    expect(paths.filter((p) => /@noble\/ciphers/.test(p))).toEqual([]);
    // the check can fail: the whole entry holds them
    expect(measured.entries.purposeful.inputs.some((i) => /@noble\/ciphers/.test(i.path))).toBe(true);
  });

  it('the measure honours tree-shaking: one import of a mask costs far less than the core', async () => {
    const { bytes } = await measureSource(pkgDir, `export { maskValue } from 'purposeful';`);
    expect(bytes).toBeLessThan(measured.routes.core.bytes / 4);
  });
});
