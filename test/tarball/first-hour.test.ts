import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, kb, measurePackage } from '../helpers/bundle-budget.js';
import {
  badEngines,
  curlProbe,
  FIRST_SCREEN_MARKER,
  firstScreen,
  freePort,
  must,
  probeFor,
  type Ran,
  readmeConfig,
  request,
  run,
  start,
  treeOf,
  userEnv,
} from './project.js';

// The first hour of a new user, end to end, on the packed tarball: `npm pack`,
// a new project outside the repository that installs the tarball with zod,
// Express and Fastify, then the README's first-screen example (type-checked,
// run, asked), the type fixtures against the installed declarations,
// `purposeful init` and `check --strict`, and the bundle budgets of the
// installed files. Run by `npm run test:package` (CI, after `npm run build`);
// it builds first when dist/ is older than the sources. PURPOSEFUL_KEEP_TMP=1
// keeps the temporary projects for a look.

const repo = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const INSTALL_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

/** What the application installs next to the tarball (TypeScript as CI's type tests use it). */
const APP_PACKAGES = ['zod@4', 'express@5', 'fastify@5', '@types/express@5', '@types/node@20', 'typescript@5.9'];
/** Installed when a type fixture imports them: Next.js for `next/server`, with its React peers. */
const ON_DEMAND: Record<string, string[]> = {
  next: ['next@16.4', 'react@19', 'react-dom@19', '@types/react@19'],
  vitest: ['vitest@4'],
  'expect-type': ['expect-type'],
};

/**
 * The compiler options `tsc --init` of TypeScript 5.9 writes (strict, nodenext,
 * exact optional properties, unchecked indexed access, verbatim module syntax),
 * with Node's types: what a user starts a project with.
 */
const USER_OPTIONS = {
  module: 'nodenext',
  target: 'esnext',
  types: ['node'],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  jsx: 'react-jsx',
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
};

let tmp: string;
let tarball: string;
let app: string;
let appInstall: Ran;
let aloneInstall: Ran;
const figures: Record<string, string> = {};

const write = (file: string, text: string): void => {
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, text);
};
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const sizeKb = (dir: string): number => Number.parseInt(must('du', ['-sk', dir], tmp).stdout, 10);

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** dist/ as `npm run build` leaves it, rebuilt when a source is newer. */
function ensureBuilt(): void {
  const built = ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js'].map((f) => join(repo, f));
  const sources = Math.max(
    newest(join(repo, 'src')),
    newest(join(repo, 'adapters')),
    statSync(join(repo, 'package.json')).mtimeMs,
    statSync(join(repo, 'tsup.config.ts')).mtimeMs,
  );
  if (built.every((f) => existsSync(f)) && Math.min(...built.map((f) => statSync(f).mtimeMs)) >= sources) return;
  must(npm, ['run', 'build'], repo);
}

/** A new ESM project: `npm init -y`, `"type": "module"`. */
function newProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  must(npm, ['init', '-y'], dir);
  must(npm, ['pkg', 'set', 'type=module'], dir);
}

describe('how the test reads the README and npm (the checks can fail)', () => {
  it('a README without the first-screen marker fails with what is missing', () => {
    expect(() => firstScreen('# x\n\n```ts\nconst a = 1;\n```\n')).toThrow(FIRST_SCREEN_MARKER);
    expect(() => firstScreen(`${FIRST_SCREEN_MARKER}\n\nsome text\n`)).toThrow('must be followed by a ```ts code block');
  });

  it('the example, the curl line with its shown answer, and the config line are read from the README', () => {
    const shot = firstScreen(
      `${FIRST_SCREEN_MARKER}\n\`\`\`ts\nconst a = 1;\n\`\`\`\n\n\`\`\`sh\ncurl -X POST http://localhost:3000/t?x=1 -H 'content-type: application/json' -d '{"a":1}'\n` +
        `# {"ok":true}\necho "export default { modules: ['./server.ts'] };" > purposeful.config.ts\n\`\`\`\n## Next\ncurl http://x/y\n`,
    );
    expect(shot.code).toBe('const a = 1;\n');
    expect(probeFor(shot)).toMatchObject({
      method: 'POST',
      path: '/t?x=1',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      shows: { ok: true },
    });
    expect(readmeConfig(shot)).toEqual({ file: 'purposeful.config.ts', text: "export default { modules: ['./server.ts'] };\n" });
    expect(curlProbe('curl --json \'{"b":2}\' https://h/p')).toMatchObject({ method: 'POST', path: '/p', body: '{"b":2}' });
  });

  it("purposeful's installed tree leaves out the optional peers an application chose, and what is not installed", () => {
    const ls = {
      dependencies: {
        purposeful: {
          version: '0.1.0',
          dependencies: {
            jose: { version: '6.0.0', dependencies: { x: { version: '1.0.0' } } },
            fastify: { version: '5.0.0', dependencies: { cookie: { version: '2.0.2' } } },
            pg: {},
          },
        },
        fastify: { version: '5.0.0' },
      },
    };
    expect([...treeOf(ls, 'purposeful', new Set(['fastify', 'pg']))]).toEqual(['purposeful@0.1.0', 'jose@6.0.0', 'x@1.0.0']);
    expect(treeOf(ls, 'purposeful').has('cookie@2.0.2')).toBe(true);
  });

  it('an EBADENGINE warning in npm output is found', () => {
    const output =
      "npm warn EBADENGINE Unsupported engine {\nnpm warn EBADENGINE   package: 'cookie@2.0.2',\nnpm warn EBADENGINE   required: { node: '>=22' },";
    expect(badEngines(output)).toEqual(['cookie@2.0.2']);
    expect(badEngines('npm warn EBADENGINE something else')).toEqual(['(unparsed EBADENGINE warning)']);
    expect(badEngines('added 22 packages in 3s')).toEqual([]);
  });
});

describe('the packed tarball in a new project', () => {
  beforeAll(() => {
    ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'purposeful-first-hour-'));
    const packed = JSON.parse(must(npm, ['pack', '--json', '--pack-destination', tmp], repo).stdout) as { filename: string }[];
    tarball = join(tmp, (packed[0] as { filename: string }).filename);

    // purposeful alone (npm adds zod, its required peer): the install size a user pays
    const alone = join(tmp, 'alone');
    newProject(alone);
    aloneInstall = must(npm, ['install', tarball, ...INSTALL_FLAGS], alone);
    const nm = join(alone, 'node_modules');
    figures['install size, purposeful alone (with zod, its peer)'] = `${sizeKb(nm)} KB (du -sk node_modules)`;
    figures['  of which node_modules/purposeful'] = `${sizeKb(join(nm, 'purposeful'))} KB`;
    figures['  of which zod'] = `${sizeKb(join(nm, 'zod'))} KB`;
    // the holiday calendar of purposeful/incident, with its astronomy and time-zone dependencies
    const tree = JSON.parse(run(npm, ['ls', '--all', '--json'], alone).stdout).dependencies?.purposeful ?? {};
    const holidays = [...treeOf(tree, 'date-holidays')].map((id) => id.slice(0, id.lastIndexOf('@')));
    const holidaysKb = holidays.filter((n) => existsSync(join(nm, n))).reduce((sum, n) => sum + sizeKb(join(nm, n)), 0);
    figures['  of which date-holidays and its dependencies'] = holidays.length
      ? `${holidaysKb} KB (${holidays.length} packages)`
      : 'not installed (an optional peer of purposeful/incident)';
    figures['  packages installed'] = String(readdirSync(nm).filter((n) => !n.startsWith('.')).length);

    app = join(tmp, 'app');
    newProject(app);
    appInstall = must(npm, ['install', tarball, ...APP_PACKAGES, ...INSTALL_FLAGS], app);
  }, 600_000);

  afterAll(() => {
    if (Object.keys(figures).length) {
      console.log(
        `first hour, figures:\n${Object.entries(figures)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}`,
      );
    }
    if (tmp && !process.env.PURPOSEFUL_KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
    else if (tmp) console.log(`kept ${tmp}`);
  });

  it('installs on this Node version without EBADENGINE from purposeful or any of its dependencies', () => {
    expect(badEngines(`${aloneInstall.stdout}\n${aloneInstall.stderr}`), aloneInstall.report).toEqual([]);
    // next to express and fastify: what their own dependencies ask for is theirs; none may come through purposeful
    const ls = JSON.parse(run(npm, ['ls', '--all', '--json'], app).stdout);
    const meta = JSON.parse(readFileSync(join(app, 'node_modules/purposeful/package.json'), 'utf8')) as {
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const chosen = Object.entries(meta.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional);
    const ours = treeOf(ls, 'purposeful', new Set(chosen.map(([name]) => name)));
    expect(ours.size).toBeGreaterThan(5); // the tree was read: purposeful and its dependencies
    const flagged = badEngines(`${appInstall.stdout}\n${appInstall.stderr}`);
    if (flagged.length) figures['EBADENGINE from other packages of the app (not purposeful)'] = flagged.join(', ');
    expect(flagged.filter((p) => ours.has(p) || p.startsWith('('))).toEqual([]);
  });

  it("the README's first-screen example type-checks (strict), runs, answers its route, and passes check --strict", async () => {
    const readme = readFileSync(join(app, 'node_modules/purposeful/README.md'), 'utf8');
    figures['README.md lines'] = String(readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0));
    const shot = firstScreen(readme);
    figures['first-screen example lines'] = String(shot.code.trimEnd().split('\n').length);
    const dir = join(app, 'first-screen');
    write(join(dir, 'server.ts'), shot.code);
    write(
      join(dir, 'tsconfig.json'),
      json({ compilerOptions: { ...USER_OPTIONS, rootDir: '.', outDir: 'build' }, files: ['server.ts'] }),
    );
    const tsc = run(npx, ['tsc', '-p', 'first-screen'], app);
    expect(tsc.status, `the first-screen example (README.md line ${shot.line}) does not type-check:\n${tsc.report}`).toBe(0);

    const port = await freePort();
    const probe = probeFor(shot);
    const server = start(process.execPath, [join(dir, 'build/server.js')], app, { PORT: String(port) });
    try {
      const res = await request(port, probe, server);
      const text = await res.text();
      expect(
        res.status,
        `${probe.method} ${probe.path} (${probe.from}) answered ${res.status}: ${text}\n${server.output()}`,
      ).toBeGreaterThanOrEqual(200);
      expect(res.status, `${probe.method} ${probe.path} (${probe.from}) answered ${res.status}: ${text}`).toBeLessThan(300);
      // the answer the README shows under its curl line is the one a user gets
      if (probe.shows !== undefined) expect(JSON.parse(text), `the answer to ${probe.from}`).toEqual(probe.shows);
    } finally {
      await server.stop();
    }

    // the CLI on the example, with the config the README has the user write (else the one the CLI asks for)
    const config = readmeConfig(shot) ?? { file: 'purposeful.config.ts', text: "export default { modules: ['./server.ts'] };\n" };
    figures['first-screen config'] = `${config.file}${readmeConfig(shot) ? ' (from the README)' : ' (not in the README)'}`;
    write(join(dir, config.file), config.text);
    const check = spawnSync(npx, ['purposeful', 'check', '--strict', '--min-coverage', '100'], {
      cwd: dir,
      env: userEnv({ PORT: String(await freePort()) }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const report = `${check.stdout}\n${check.stderr}`;
    if (check.error || check.signal) {
      throw new Error(
        `purposeful check --strict did not finish in 2 minutes (${check.error?.message ?? check.signal}): loading the example ` +
          `starts its server, and the CLI waits for it\n${report}`,
      );
    }
    expect(check.status, `purposeful check --strict --min-coverage 100 on the first-screen example:\n${report}`).toBe(0);
  }, 300_000);

  it('the type fixtures (test/types) type-check against the installed declarations, misuses included as errors', () => {
    const source = join(repo, 'test/types');
    expect(existsSync(source), 'test/types/ holds the type fixtures').toBe(true);
    const files = readdirSync(source).filter((f) => /\.(m|c)?ts$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const dir = join(app, 'types');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const imported = new Set<string>();
    for (const f of files) {
      const text = readFileSync(join(source, f), 'utf8');
      for (const m of text.matchAll(/\bfrom\s+['"]([^'".][^'"]*)['"]|\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2]) as string;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
      cpSync(join(source, f), join(dir, f));
    }
    const missing = [...imported].filter((p) => !p.startsWith('node:') && !existsSync(join(app, 'node_modules', p)));
    const extra = missing.flatMap((p) => ON_DEMAND[p] ?? [p]);
    if (extra.length) must(npm, ['install', ...extra, ...INSTALL_FLAGS], app);
    figures['type fixtures'] = `${files.length} files${extra.length ? `, with ${extra.join(' ')}` : ''}`;
    // no paths: every 'purposeful…' import resolves from node_modules, as in the user's project
    write(join(dir, 'tsconfig.json'), json({ compilerOptions: { ...USER_OPTIONS, noEmit: true }, include: ['./**/*.ts'] }));
    const tsc = run(npx, ['tsc', '-p', 'types'], app);
    expect(tsc.status, `the type fixtures do not type-check against the installed package:\n${tsc.report}`).toBe(0);
  }, 300_000);

  it('the CommonJS consumer fixture (module node16, skipLibCheck off) type-checks against the installed package', () => {
    // test/fixtures/cts-consumer: its tsconfig has no paths, so here every import resolves from node_modules
    const dir = join(app, 'cts-consumer');
    cpSync(join(repo, 'test/fixtures/cts-consumer'), dir, { recursive: true });
    const tsc = run(npx, ['tsc', '-p', 'cts-consumer'], app);
    expect(tsc.status, `a CommonJS consumer does not type-check against the installed package:\n${tsc.report}`).toBe(0);
  }, 180_000);

  it.each([
    ['', []],
    ['--framework express', ['--framework', 'express']],
    ['--framework fastify', ['--framework', 'fastify']],
    ['--framework next', ['--framework', 'next']],
  ] as const)(
    'purposeful init %s, then purposeful check --strict: exit 0, and the files type-check',
    (_, flags) => {
      const dir = join(app, `init${flags.length ? `-${flags[1]}` : ''}`);
      mkdirSync(dir, { recursive: true });
      must(npx, ['purposeful', 'init', ...flags], dir);
      const check = run(npx, ['purposeful', 'check', '--strict'], dir);
      expect(check.status, check.report).toBe(0);
      write(join(dir, 'tsconfig.json'), json({ compilerOptions: { ...USER_OPTIONS, noEmit: true }, include: ['./**/*.ts'] }));
      const tsc = run(npx, ['tsc', '-p', dir], app);
      expect(tsc.status, `the files purposeful init ${flags.join(' ')} wrote do not type-check:\n${tsc.report}`).toBe(0);
    },
    180_000,
  );

  it('the installed package stays within the bundle budgets', async () => {
    const { routes, entries } = await measurePackage(join(app, 'node_modules/purposeful'));
    const over: string[] = [];
    const measured = [
      ...Object.entries(routes).map(
        ([name, m]) => [`minimal ${name} route`, m.bytes, BUDGETS.routes[name as keyof typeof routes]] as const,
      ),
      ...Object.entries(entries).map(
        ([name, m]) => [`export * from '${name}'`, m.bytes, BUDGETS.entries[name as keyof typeof entries]] as const,
      ),
    ];
    for (const [what, bytes, budget] of measured) {
      figures[`bundle, ${what} (minified; budget ${kb(budget)})`] = kb(bytes);
      if (bytes >= budget) over.push(`${what}: ${kb(bytes)}, over its budget of ${kb(budget)}`);
    }
    // the core is in every route: the measure measures something
    for (const m of Object.values(routes)) expect(m.bytes).toBeGreaterThan(10 * 1024);
    expect(over).toEqual([]);
  }, 180_000);
});
