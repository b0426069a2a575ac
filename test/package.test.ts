import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

// Builds the package the way `npm run build` does (without declarations) and
// loads the ESM and the CJS entry in one Node process, as an application that
// mixes `import` and `require` would.
const out = resolve('node_modules/.cache/purposeful-package-test');

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  await build({
    config: false, // tsup.config.ts describes dist/, not this directory: its relevant options follow
    splitting: false,
    treeshake: true,
    entry: { index: 'src/index.ts', fetch: 'adapters/fetch.ts', next: 'adapters/next.ts' },
    format: ['esm', 'cjs'],
    outDir: out,
    dts: false,
    silent: true,
    platform: 'neutral',
    target: 'es2022',
    external: ['zod', /^zod\//, /^@noble\//, 'jose', /^purposeful(\/|$)/],
  });
}, 60_000);

function run(script: string): string {
  const file = join(out, 'probe.mjs');
  writeFileSync(file, script);
  return execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim();
}

describe('the built package', () => {
  it('ESM and CJS entries share the annotation registry, and errors are recognised across them by code', () => {
    const result = run(`
      import { createRequire } from 'node:module';
      import { z } from 'zod';
      import * as esm from './index.js';
      const cjs = createRequire(import.meta.url)('./index.cjs');
      const purposes = cjs.definePurposes({ 'support.ticket': { description: 'Answer the customer about their request',
        legalBasis: { lgpd: 'contract' }, retention: 'P1Y' } },
        { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'd@example.com' } } });
      // annotated with the ESM copy, read by the CJS copy
      const Customer = cjs.defineSchema('customer', z.object({ id: esm.pd.none(z.string()),
        email: esm.pd(z.email(), { category: 'user.contact.email', purposes: { 'support.ticket': 'masked' }, mask: 'email' }) }),
        { purposes });
      const pf = esm.createPurposeful({ purposes, schemas: [Customer] });
      const view = await pf.outbound(Customer, { id: '1', email: 'ana@example.com', extra: 1 }, { purpose: 'support.ticket', actor: { id: 'a' } });
      let code;
      try { await pf.inbound(Customer, { id: '1', nope: 1 }, { purpose: 'support.ticket', actor: { id: 'a' } }); }
      catch (err) { code = cjs.isPurposefulError(err) && !(err instanceof cjs.PurposefulError) ? err.code : 'not recognised'; }
      console.log(JSON.stringify({ fields: Customer.fields.map((f) => f.path), view, code }));
    `);
    expect(JSON.parse(result)).toEqual({
      fields: ['email'],
      view: { id: '1', email: 'a***@e***.com' },
      code: 'PF_UNDECLARED_FIELD',
    });
  });

  it('a rights desk made by one entry (CJS) is taken by the engine of the other (ESM)', () => {
    const result = run(`
      import { createRequire } from 'node:module';
      import { z } from 'zod';
      import * as esm from './index.js';
      const cjs = createRequire(import.meta.url)('./index.cjs');
      const purposes = esm.definePurposes({ 'support.ticket': { description: 'Answer the customer about their request',
        legalBasis: { lgpd: 'contract' }, retention: 'P1Y' } },
        { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'd@example.com' } } });
      const Customer = esm.defineSchema('customer', z.object({
        name: esm.pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }), { purposes });
      const pf = esm.createPurposeful({ purposes, schemas: [Customer],
        rights: cjs.rightsDesk({ verify: () => true, sources: {} }) });
      console.log(JSON.stringify(await pf.rights.list()));
    `);
    expect(JSON.parse(result)).toEqual([]);
  });

  it('the core imports no node: module', () => {
    const result = run(`
      import { readFileSync } from 'node:fs';
      const code = readFileSync(new URL('./index.js', import.meta.url), 'utf8');
      console.log(/\\bfrom\\s*['"]node:|require\\(['"]node:|import\\(['"]node:/.test(code));
    `);
    expect(result).toBe('false');
  });

  it('the fetch and Next.js adapters run on Edge runtimes: no node: import, and the core imported by name (one copy)', () => {
    const result = run(`
      import { readFileSync } from 'node:fs';
      const out = {};
      for (const f of ['fetch.js', 'next.js']) {
        const code = readFileSync(new URL('./' + f, import.meta.url), 'utf8');
        out[f] = {
          node: /\\bfrom\\s*['"]node:|require\\(['"]node:|import\\(['"]node:/.test(code),
          core: /from\\s*['"]purposeful['"]/.test(code),
          bundled: code.includes('function createPurposeful'),
        };
      }
      console.log(JSON.stringify(out));
    `);
    const expected = { node: false, core: true, bundled: false };
    expect(JSON.parse(result)).toEqual({ 'fetch.js': expected, 'next.js': expected });
  });
});

describe('the shipped source maps (dist/, after npm run build)', () => {
  it('stack traces point at shipped files: every map in dist carries the source it maps to, or maps only within dist', () => {
    const dist = resolve('dist');
    const maps = readdirSync(dist).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(dist, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, i) => {
        const inside = resolve(dist, source).startsWith(`${dist}/`);
        const content = map.sourcesContent?.[i];
        expect(inside || typeof content === 'string', `${file}: ${source} is neither shipped nor embedded`).toBe(true);
      });
    }
  });
});
