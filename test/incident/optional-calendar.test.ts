import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `date-holidays` is an optional peer of `purposeful/incident`. The entry is built
// as `npm run build` builds it and copied into an application that has not
// installed the calendar; a Node process there loads it, ESM and CJS.
const built = resolve('node_modules/.cache/purposeful-optional-calendar');
let app: string;

beforeAll(async () => {
  mkdirSync(built, { recursive: true });
  await build({
    config: false,
    splitting: false,
    treeshake: true,
    entry: { index: 'src/index.ts', incident: 'src/incident/index.ts' },
    format: ['esm', 'cjs'],
    outDir: join(built, 'dist'),
    dts: false,
    silent: true,
    platform: 'neutral',
    target: 'es2022',
    external: ['zod', /^zod\//, /^@noble\//, 'jose', 'date-holidays', 'canonicalize', /^purposeful(\/|$)/],
  });
  app = mkdtempSync(join(tmpdir(), 'purposeful-app-'));
  const pkg = join(app, 'node_modules', 'purposeful');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(built, 'dist'), join(pkg, 'dist'), { recursive: true }); // a copy: a link would resolve back into this repository
  const { name, exports } = JSON.parse(readFileSync('package.json', 'utf8'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, type: 'module', exports }));
  for (const dep of ['zod', '@noble', 'canonicalize', 'jose'])
    symlinkSync(resolve('node_modules', dep), join(app, 'node_modules', dep));
  writeFileSync(join(app, 'package.json'), '{"type":"module"}');
}, 60_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

function run(file: string, script: string): unknown {
  writeFileSync(join(app, file), script);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' }));
}

const probe = (load: string) => `${load}
const out = {};
try { m.incidentDeadlines({ knownAt: new Date('2026-11-19T12:00:00-03:00') }); out.deadlines = 'computed'; }
catch (err) { out.deadlines = { code: err.code, status: err.status, message: err.message }; }
console.log(JSON.stringify(out));`;

describe('date-holidays is optional for purposeful/incident', () => {
  it.each([
    ['ESM', 'esm.mjs', `const m = await import('purposeful/incident');`],
    ['CJS', 'cjs.cjs', `const m = require('purposeful/incident');`],
  ])('%s: without it the entry loads, and a deadline says how to install it (PF_DEPENDENCY_MISSING)', (_, file, load) => {
    expect(run(file, probe(load))).toEqual({
      deadlines: {
        code: 'PF_DEPENDENCY_MISSING',
        status: 500,
        message: expect.stringContaining('npm install date-holidays'),
      },
    });
  });

  it('handed over with useHolidayCalendar (runtimes without require), the calendar counts national holidays', () => {
    const holidays = JSON.stringify(resolve('node_modules/date-holidays/src/index.js'));
    const out = run(
      'handed.mjs',
      `import Holidays from ${holidays};
      import { isBusinessDay, useHolidayCalendar } from 'purposeful/incident';
      useHolidayCalendar(Holidays);
      console.log(JSON.stringify({ consciencia: isBusinessDay('2026-11-20'), friday: isBusinessDay('2026-11-27') }));`,
    );
    expect(out).toEqual({ consciencia: false, friday: true });
  });

  it.each([
    ['ESM', 'elsewhere.mjs', `const m = await import('purposeful/incident');`],
    ['CJS', 'elsewhere.cjs', `const m = require('purposeful/incident');`],
  ])(
    '%s: a date-holidays in the directory the process was started from is not loaded (only the package’s own resolution)',
    (_, file, load) => {
      // another directory, with a module of that name: started from there, the process must not run its code
      const elsewhere = mkdtempSync(join(tmpdir(), 'purposeful-cwd-'));
      try {
        const planted = join(elsewhere, 'node_modules', 'date-holidays');
        mkdirSync(planted, { recursive: true });
        writeFileSync(join(planted, 'package.json'), '{"name":"date-holidays","main":"index.js"}');
        writeFileSync(
          join(planted, 'index.js'),
          'globalThis.plantedRan = true; module.exports = class { getHolidays() { return []; } };',
        );
        writeFileSync(
          join(app, file),
          `${probe(load).replace('console.log(JSON.stringify(out));', 'out.plantedRan = globalThis.plantedRan === true; console.log(JSON.stringify(out));')}`,
        );
        const out = JSON.parse(execFileSync(process.execPath, [join(app, file)], { cwd: elsewhere, encoding: 'utf8' }));
        expect(out).toEqual({ deadlines: expect.objectContaining({ code: 'PF_DEPENDENCY_MISSING' }), plantedRan: false });
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    },
  );

  it('the check can fail: installed in the application, it is found without being handed over', () => {
    symlinkSync(resolve('node_modules/date-holidays'), join(app, 'node_modules', 'date-holidays'));
    try {
      const out = run(
        'installed.mjs',
        `import { isBusinessDay } from 'purposeful/incident';
        console.log(JSON.stringify({ consciencia: isBusinessDay('2026-11-20'), friday: isBusinessDay('2026-11-27') }));`,
      );
      expect(out).toEqual({ consciencia: false, friday: true });
    } finally {
      rmSync(join(app, 'node_modules', 'date-holidays'));
    }
  });
});
