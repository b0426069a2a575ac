import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `purposeful check` over the config's `bindings`: run from cli.test.ts, which builds dist/ once for every CLI test
// (two test files building dist/ in parallel would overwrite each other's files).

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Finding {
  code: string;
  severity: string;
  schema?: string;
  target?: string;
  path?: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  declaredAt?: string;
  module?: string;
}

interface Report {
  errors: number;
  failed: boolean;
  schemas: number;
  bindings?: number;
  problems: Finding[];
}

export function describeBindings(
  cli: (args: readonly string[], cwd?: string) => Run,
  fixtures: string,
  scratch: () => string,
): void {
  const project = join(fixtures, 'bindings');
  const clean = join(fixtures, 'clean');
  const check = (config: string, ...args: string[]) => cli(['check', '--config', join(project, config), ...args]);

  describe('purposeful check over the bindings the config names', () => {
    it('verifies the bindings a module exports (directly and in an exported object), and counts them', () => {
      const r = check('purposeful.config.ts');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('0 error(s), 0 warning(s) in 2 schema(s) and 3 purpose(s)');
      expect(r.stdout).toContain('; 2 binding(s) verified');
      const json = JSON.parse(check('purposeful.config.ts', '--format', 'json').stdout) as Report;
      expect(json).toMatchObject({ errors: 0, failed: false, schemas: 2, bindings: 2, problems: [] });
      expect(check('purposeful.config.ts', '--format', 'markdown').stdout).toContain('2 binding(s) verified');
    });

    it('a bindings module whose bindTable throws at start: one error per problem with schema, table, field path and line; exit 1', () => {
      const r = check('unsealed.config.ts', '--format', 'json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.failed).toBe(true);
      // the module that fits is still verified
      expect(report.bindings).toBe(2);
      const found = report.problems.filter((p) => p.code === 'PF_BINDING_INVALID');
      expect(found.map((p) => p.message).sort()).toEqual([
        'blind index "cpf" has no column "bidx_cpf"',
        'encrypted field "email": column "email" must be sealed("email")',
      ]);
      for (const p of found) {
        // at the bindTable call, in the source
        expect(p).toMatchObject({
          severity: 'error',
          schema: 'customer',
          target: 'table legacy_customers',
          file: 'bindings/unsealed.ts',
          line: 13,
          column: 23,
        });
        expect(p.declaredAt).toBeUndefined();
        expect(p.module).toBeUndefined();
      }
      expect(report.errors).toBe(2);
      // never a value: the column's default does not reach any report
      for (const format of ['pretty', 'json', 'markdown', 'sarif']) {
        const out = check('unsealed.config.ts', '--format', format);
        expect(out.code, format).toBe(1);
        expect(out.stdout, format).not.toContain('ana.souza');
        expect(out.stdout, format).toMatch(/encrypted field \\?"email\\?"/);
      }
    });

    it('the pretty, Markdown and SARIF reports name the schema, the table and the field path', () => {
      const pretty = check('unsealed.config.ts');
      expect(pretty.stdout).toContain('bindings/unsealed.ts:13:23');
      expect(pretty.stdout).toContain('PF_BINDING_INVALID  customer → table legacy_customers');
      expect(pretty.stdout).toContain('encrypted field "email": column "email" must be sealed("email")');
      expect(pretty.stdout).toContain('2 error(s), 0 warning(s) in 2 schema(s) and 3 purpose(s)');
      const md = check('unsealed.config.ts', '--format', 'markdown').stdout;
      expect(md).toContain('### purposeful check: failed');
      expect(md).toContain(
        '| error | `PF_BINDING_INVALID` | `customer → table legacy_customers` | blind index "cpf" has no column "bidx_cpf" |',
      );
      const sarif = JSON.parse(check('unsealed.config.ts', '--format', 'sarif').stdout) as {
        runs: {
          tool: { driver: { rules: { id: string; name: string }[] } };
          results: {
            ruleId: string;
            ruleIndex?: number;
            level: string;
            message: { text: string };
            locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
          }[];
        }[];
      };
      const run = sarif.runs[0];
      const results = run?.results.filter((res) => res.ruleId === 'PF_BINDING_INVALID') ?? [];
      expect(results).toHaveLength(2);
      const rule = run?.tool.driver.rules[results[0]?.ruleIndex ?? -1];
      expect(rule).toMatchObject({ id: 'PF_BINDING_INVALID', name: 'BindingInvalid' });
      expect(results[0]).toMatchObject({ level: 'error' });
      expect(results.map((res) => res.message.text)).toContain(
        'customer → table legacy_customers: encrypted field "email": column "email" must be sealed("email")',
      );
      expect(results[0]?.locations[0]?.physicalLocation).toMatchObject({
        artifactLocation: { uri: 'bindings/unsealed.ts' },
        region: { startLine: 13 },
      });
    });

    it('any object carrying the binding marker is verified by re-running its problems(), placed at its module', () => {
      const r = check('marked.config.ts', '--format', 'json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.bindings).toBe(2);
      expect(report.problems).toEqual([
        {
          code: 'PF_BINDING_INVALID',
          severity: 'error',
          requiredBy: 'policy',
          message: 'encrypted field "email": field "email" of model Customer must be a String to hold its envelope',
          schema: 'customer',
          target: 'model Customer',
          file: 'bindings/marked.ts',
          line: 1,
          column: 1,
        },
      ]);
    });

    it('a bound schema no module in "modules" exports is checked as a declared one', () => {
      const dir = scratch();
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        `export default { modules: ['${join(clean, 'purposes.ts')}'], bindings: ['${join(project, 'tables.ts')}'] };\n`,
      );
      const r = cli(['check', '--format', 'json'], dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ schemas: 2, bindings: 2, errors: 0 });
      // a module listed in "modules" and in "bindings" is imported once, and its failure reported once
      const both = (m: string) => `'${join(project, m)}'`;
      const declared = (m: string) => `'${join(clean, m)}'`;
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        `export default { modules: [${declared('purposes.ts')}, ${declared('schemas.ts')}, ${both('unsealed.ts')}], bindings: [${both('tables.ts')}, ${both('unsealed.ts')}] };\n`,
      );
      const twice = JSON.parse(cli(['check', '--format', 'json'], dir).stdout) as Report;
      expect(twice).toMatchObject({ errors: 2, bindings: 2 });
    });

    it('map does not import the bindings modules: a binding that fails there fails check only', () => {
      const r = cli(['map', '--config', join(project, 'unsealed.config.ts')]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('usage errors (exit 2): a bindings module that exports no binding, a "bindings" that is not a list of paths', () => {
      const none = check('empty.config.ts');
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('clean/purposes.ts exports no bindings (bindTable from purposeful/drizzle)');
      const dir = scratch();
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        `export default { modules: ['${join(clean, 'purposes.ts')}'], bindings: './tables.ts' };\n`,
      );
      const shape = cli(['check'], dir);
      expect(shape.code).toBe(2);
      expect(shape.stderr).toContain('"bindings" must be a list of module paths');
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        `export default { modules: ['${join(clean, 'purposes.ts')}'], bindings: ['./nope.ts'] };\n`,
      );
      const missing = cli(['check'], dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('module not found: nope.ts (listed in "bindings"');
    });
  });
}

export function scratchDir(root: string): () => string {
  return () => mkdtempSync(join(root, 'bindings-'));
}
