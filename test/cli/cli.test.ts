import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForCli } from './build.js';
import { describeBindings, scratchDir } from './check-bindings.js';

// The built CLI (dist/cli.js) run as a subprocess on the fixture projects in
// test/fixtures/cli. The fixtures import 'purposeful' as users do; inside this
// package that resolves to dist/ (a package may import itself by name).
const root = resolve('.');
const bin = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures', 'cli');
const scratch = join(root, '.tmp', 'cli-tests');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], cwd = fixtures, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const config = (project: string) => ['--config', join(fixtures, project, 'purposeful.config.ts')];

beforeAll(async () => {
  await buildForCli();
  mkdirSync(scratch, { recursive: true });
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('purposeful check', () => {
  it('passes a clean project: exit 0, every field declared', () => {
    const r = cli(['check', ...config('clean')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 error(s), 0 warning(s) in 2 schema(s) and 3 purpose(s)');
    expect(r.stdout).toContain('100.0% of fields declared (8 of 8)');
    expect(cli(['check', '--strict', '--min-coverage', '100', ...config('clean')]).code).toBe(0);
  });

  it('reports a field that is neither pd() nor pd.none() as a warning at its key in the schema, and --strict fails on it', () => {
    const r = cli(['check', '--format', 'json', ...config('unannotated')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0); // a warning: the run passes without --strict
    const report = JSON.parse(r.stdout) as {
      errors: number;
      warnings: number;
      problems: {
        code: string;
        severity: string;
        schema?: string;
        path?: string;
        message: string;
        file?: string;
        line?: number;
      }[];
    };
    expect(report.errors).toBe(0);
    const found = report.problems.filter((p) => p.code === 'PF_DECL_UNANNOTATED');
    // at the field's own key in the z.object literal (the field has no pd() call of its own to point at)
    expect(found.map((p) => [p.schema, p.path, p.severity, p.file, p.line])).toEqual([
      ['legacy-ticket', 'priority', 'warning', 'unannotated/schemas.ts', 37],
      ['ticket', 'priority', 'warning', 'unannotated/schemas.ts', 27],
    ]);
    expect(found[1]?.message).toContain('declared for no purpose');
    // the schema that opts out says what that means: the field flows for every purpose
    expect(found[0]?.message).toContain('flows in and out for every purpose');
    const strict = cli(['check', '--strict', ...config('unannotated')]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('PF_DECL_UNANNOTATED');
    expect(strict.stdout).toContain('unannotated/schemas.ts:27:5');
  });

  it('reports every kind of problem with its code, path, article, severity and file:line, and exits 1', () => {
    const r = cli(['check', '--format', 'json', ...config('problems')]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      errors: number;
      warnings: number;
      problems: {
        code: string;
        severity: string;
        path?: string;
        purpose?: string;
        article?: string;
        file?: string;
        line?: number;
        column?: number;
      }[];
    };
    const found = (code: string) => report.problems.filter((p) => p.code === code);
    // purposes that throw, all reported at once, each at its purpose's own key
    for (const [code, line] of [
      ['PF_DECL_GENERIC_PURPOSE', 6],
      ['PF_DECL_LEGAL_BASIS_MISSING', 11],
      ['PF_DECL_RETENTION_INVALID', 11],
      ['PF_DECL_NOTICE_MISSING', 11],
      ['PF_DECL_TRANSFER_MECHANISM_MISSING', 16],
    ] as const) {
      expect(found(code)[0], code).toMatchObject({ severity: 'error', file: 'problems/bad-purposes.ts', line, column: 3 });
    }
    expect(found('PF_DECL_LEGAL_BASIS_MISSING')[0]).toMatchObject({ purpose: 'marketing.email', article: 'GDPR Art. 6(1)' });
    // a schema that throws: each field at the line where pd() was called
    expect(found('PF_DECL_UNKNOWN_CATEGORY')[0]).toMatchObject({ path: 'nickname', file: 'problems/customer.ts', line: 10 });
    expect(found('PF_DECL_UNKNOWN_PURPOSE')[0]).toMatchObject({
      path: 'email',
      line: 11,
      article: 'LGPD Art. 6 I; GDPR Art. 5(1)(b)',
    });
    expect(found('PF_DECL_SENSITIVE_UNENCRYPTED')[0]).toMatchObject({ path: 'accessibility', line: 12, severity: 'error' });
    expect(found('PF_DECL_NO_PURPOSE')[0]).toMatchObject({ path: 'phone', line: 13 });
    // an error without a field: located where the failing call was made
    expect(found('PF_DECL_INVALID')[0]).toMatchObject({ file: 'problems/bad-id.ts', line: 6 });
    // warnings of valid declarations; an unannotated field points at its key in the schema
    expect(found('PF_DECL_LIKELY_PERSONAL')[0]).toMatchObject({
      severity: 'warning',
      path: 'customerEmail',
      file: 'problems/ticket.ts',
      line: 10,
      column: 5,
    });
    // a field that takes anything, unannotated: declared for no purpose (PF_DECL_OPAQUE_FIELD only where it flows)
    expect(found('PF_DECL_UNANNOTATED')[0]).toMatchObject({
      severity: 'warning',
      path: 'extra',
      file: 'problems/ticket.ts',
      line: 11,
    });
    expect(found('PF_DECL_DATA_USE_UNKNOWN')[0]).toMatchObject({ file: 'problems/purposes.ts', purpose: 'support.ticket' });
    expect(
      found('PF_DECL_CONTROLLER_MISSING')
        .map((p) => p.file)
        .sort(),
    ).toEqual(['problems/bad-purposes.ts', 'problems/purposes.ts']);
    expect(found('PF_DECL_MFA_ADVISED')[0]).toMatchObject({ severity: 'warning', path: 'accessibility' });
    expect(report.errors).toBe(report.problems.filter((p) => p.severity === 'error').length);
    // errors first
    const firstWarning = report.problems.findIndex((p) => p.severity === 'warning');
    expect(report.problems.slice(firstWarning).every((p) => p.severity === 'warning')).toBe(true);
  });

  it('--strict fails on warnings alone; --min-coverage fails below the share', () => {
    const dir = mkdtempSync(join(scratch, 'warn-'));
    writeFileSync(
      join(dir, 'purposeful.config.ts'),
      `export default { modules: ['${join(fixtures, 'problems', 'purposes.ts')}', '${join(fixtures, 'problems', 'ticket.ts')}'] };\n`,
    );
    expect(cli(['check'], dir).code).toBe(0);
    expect(cli(['check', '--strict'], dir).code).toBe(1);
    const low = cli(['check', '--min-coverage', '90', '--format', 'json'], dir);
    expect(low.code).toBe(1);
    const problem = (JSON.parse(low.stdout) as { problems: { code: string; message: string }[] }).problems.find(
      (p) => p.code === 'PF_CHECK_COVERAGE',
    );
    expect(problem?.message).toContain('50.0% of schema fields are declared (2 of 4), below the minimum of 90%');
    expect(problem?.message).toContain('ticket.customerEmail');
    expect(cli(['check', '--min-coverage', '50%'], dir).code).toBe(0);
  });

  it('fails two modules that define one schema id, and one purpose declared twice (what map and diff would refuse)', () => {
    const dir = mkdtempSync(join(scratch, 'dup-'));
    writeFileSync(
      join(dir, 'again.ts'),
      [
        "import { definePurposes, defineSchema, pd } from 'purposeful';",
        "import { z } from 'zod';",
        'export const other = definePurposes({',
        "  'support.ticket': { description: 'Answer customers about their support requests', legalBasis: { lgpd: 'contract', gdpr: 'contract' }, retention: 'P5Y' },",
        "}, { controller: { name: 'X', contact: 'x@example.com', dpo: { contact: 'd@example.com' } } });",
        "export const Customer = defineSchema('customer', z.object({",
        "  name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),",
        '}), { purposes: other });',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'purposeful.config.ts'),
      `export default { modules: ['${join(fixtures, 'clean', 'schemas.ts')}', './again.ts'] };\n`,
    );
    const r = cli(['check', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const codes = (JSON.parse(r.stdout) as { problems: { code: string; file?: string }[] }).problems.map((p) => [p.code, p.file]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['PF_DECL_DUPLICATE_SCHEMA', 'again.ts'],
        ['PF_DECL_DUPLICATE_PURPOSE', 'again.ts'],
      ]),
    );
    expect(cli(['map'], dir).code).toBe(2);
  });

  it('writes SARIF 2.1.0 that code scanning takes: rules with help and article, results at file:line', () => {
    const r = cli(['check', '--format', 'sarif', ...config('problems')]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const { driver } = sarif.runs[0].tool;
    expect(driver.name).toBe('purposeful');
    expect(driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const ids = driver.rules.map((rule: { id: string }) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of driver.rules) {
      expect(rule.id).toMatch(/^PF_[A-Z_]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(10);
      expect(rule.help.text.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(rule.defaultConfiguration.level);
    }
    const sensitive = driver.rules.find((rule: { id: string }) => rule.id === 'PF_DECL_SENSITIVE_UNENCRYPTED');
    expect(sensitive.properties.article).toBe('LGPD Art. 46; GDPR Art. 32');
    expect(sensitive.help.text).toContain('LGPD Art. 46');
    const results = sarif.runs[0].results;
    expect(results.length).toBeGreaterThan(10);
    for (const res of results) {
      expect(driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['error', 'warning']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/^problems\/[a-z-]+\.ts$/);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const fingerprints = results.map(
      (res: { partialFingerprints: Record<string, string> }) => res.partialFingerprints['purposeful/v1'],
    );
    expect(new Set(fingerprints).size).toBe(results.length);
    const unencrypted = results.find((res: { ruleId: string }) => res.ruleId === 'PF_DECL_SENSITIVE_UNENCRYPTED');
    expect(unencrypted.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'problems/customer.ts' },
      region: { startLine: 12, startColumn: 20 },
    });
  });

  describe('positions: exact 1-based line and column in the source, in UTF-16 code units', () => {
    // Each problem at the start of the call that declared it (pd(, defineSchema(, definePurposes(), or, for a
    // purpose's own problem, at the purpose's key, and for an unannotated field at its key in the schema. typed.ts, purposes.ts and first-line.ts are TypeScript that jiti
    // transpiles (type-only constructs before the calls shift the columns; first-line.ts calls on line 1, where
    // jiti's wrapper adds its own prefix). esm.mjs and cjs.cjs load natively, as written; esm-errors.mjs and
    // cjs-errors.cjs throw natively, and jiti transpiles them and runs them again.
    const expected = [
      'PF_DECL_UNKNOWN_CATEGORY typed.nickname positions/typed.ts:10:57',
      'PF_DECL_UNKNOWN_PURPOSE typed.email positions/typed.ts:19:24',
      'PF_DECL_LIKELY_PERSONAL typed.customerEmail positions/typed.ts:20:5',
      'PF_DECL_CONTROLLER_MISSING (declarations) positions/purposes.ts:5:40',
      'PF_DECL_DATA_USE_UNKNOWN purpose support.chat positions/purposes.ts:11:3',
      'PF_DECL_CONTROLLER_MISSING (declarations) positions/first-line.ts:1:55',
      'PF_DECL_DATA_USE_UNKNOWN purpose support.callback positions/first-line.ts:2:3',
      'PF_DECL_DATA_USE_UNKNOWN purpose support.escalation positions/esm.mjs:9:5',
      'PF_DECL_CRIMINAL_DATA esm.record positions/esm.mjs:28:13',
      'PF_DECL_CRIMINAL_DATA esm.note positions/esm.mjs:29:11',
      'PF_DECL_CRIMINAL_DATA cjs.record positions/cjs.cjs:26:13',
      'PF_DECL_CRIMINAL_DATA cjs.note positions/cjs.cjs:27:11',
      'PF_DECL_GENERIC_PURPOSE purpose misc.general positions/esm-errors.mjs:6:3',
      'PF_DECL_LEGAL_BASIS_MISSING purpose support.email positions/esm-errors.mjs:11:3',
      'PF_DECL_RETENTION_INVALID purpose support.email positions/esm-errors.mjs:11:3',
      'PF_DECL_CONTROLLER_MISSING (declarations) positions/esm-errors.mjs:5:28',
      'PF_DECL_UNKNOWN_CATEGORY cjs_errors.nickname positions/cjs-errors.cjs:17:15',
      'PF_DECL_UNKNOWN_PURPOSE cjs_errors.email positions/cjs-errors.cjs:18:12',
    ].sort();

    it('the text report gives file:line:column of the source, not of the transpiled module', () => {
      // jiti's file cache cold (a fresh TMPDIR), then warm: the code that ran is the same either way
      const tmp = mkdtempSync(join(scratch, 'jiti-'));
      for (const run of ['cold', 'warm']) {
        const r = cli(['check', ...config('positions')], fixtures, { TMPDIR: tmp });
        expect(r.stderr, run).toBe('');
        expect(r.code, run).toBe(1);
        const found = [...r.stdout.matchAll(/^(\S+:\d+:\d+)\n {2}(?:error|warning) +(PF_\w+) {2}(.+)$/gm)].map(
          ([, place, code, where]) => `${code} ${where} ${place}`,
        );
        expect(found.sort(), run).toEqual(expected);
      }
      // what each position points at, read back from the source
      const at = (file: string, line: number, column: number) =>
        readFileSync(join(fixtures, 'positions', file), 'utf8')
          .split('\n')
          [line - 1]?.slice(column - 1, column + 15);
      expect(at('typed.ts', 10, 57)).toBe('pd(z.string(), {'); // 🙂 counts two
      expect(at('typed.ts', 19, 24)).toBe('pd(z.email(), { ');
      expect(at('first-line.ts', 1, 55)).toBe('definePurposes({');
      expect(at('purposes.ts', 11, 3)).toBe("'support.chat': ");
      expect(at('cjs.cjs', 27, 11)).toBe('purposeful.pd(z.');
      expect(at('esm.mjs', 29, 11)).toBe('pf.pd(z.string()');
    });

    it('CRLF line ends and a byte-order mark: lines and columns as an editor counts them', () => {
      const dir = mkdtempSync(join(scratch, 'crlf-'));
      const purpose = (id: string) => [
        `  '${id}': {`,
        "    description: 'Answer the customer who wrote with Windows line ends',",
        "    legalBasis: { lgpd: 'contract', gdpr: 'contract' },",
        "    retention: 'P1Y',",
        "    dataUse: 'mystery.use',",
        '  },',
        '});',
        '',
      ];
      const bom = '\uFEFF';
      const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), bom + lines.join('\r\n'));
      write('crlf.ts', [
        "import { definePurposes } from 'purposeful';",
        '',
        'export const crlf: { ids: readonly string[] } = definePurposes({',
        ...purpose('support.crlf'),
      ]);
      write('first.ts', ["export const first = (await import('purposeful')).definePurposes({", ...purpose('support.bom')]);
      write('native.mjs', [
        "import { definePurposes } from 'purposeful';",
        'export const native = definePurposes({',
        ...purpose('support.native'),
      ]);
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        "export default { modules: ['./crlf.ts', './first.ts', './native.mjs'] };\n",
      );
      const r = cli(['check', '--format', 'json'], dir);
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as {
        problems: { code: string; purpose?: string; file: string; line: number; column: number }[];
      };
      expect(report.problems.map((p) => `${p.code} ${p.purpose ?? '-'} ${p.file}:${p.line}:${p.column}`).sort()).toEqual(
        [
          'PF_DECL_CONTROLLER_MISSING - crlf.ts:3:49',
          'PF_DECL_DATA_USE_UNKNOWN support.crlf crlf.ts:4:3',
          'PF_DECL_CONTROLLER_MISSING - first.ts:1:51',
          'PF_DECL_DATA_USE_UNKNOWN support.bom first.ts:2:3',
          'PF_DECL_CONTROLLER_MISSING - native.mjs:2:23',
          'PF_DECL_DATA_USE_UNKNOWN support.native native.mjs:3:3',
        ].sort(),
      );
    });

    it('JSON and SARIF carry the same line and column; SARIF declares its column kind', () => {
      const json = JSON.parse(cli(['check', '--format', 'json', ...config('positions')]).stdout) as {
        problems: {
          code: string;
          schema?: string;
          path?: string;
          purpose?: string;
          file: string;
          line: number;
          column: number;
        }[];
      };
      const whereOf = (p: { schema?: string; path?: string; purpose?: string }) =>
        p.schema ? `${p.schema}.${p.path}` : p.purpose ? `purpose ${p.purpose}` : '(declarations)';
      expect(json.problems.map((p) => `${p.code} ${whereOf(p)} ${p.file}:${p.line}:${p.column}`).sort()).toEqual(expected);
      const sarif = JSON.parse(cli(['check', '--format', 'sarif', ...config('positions')]).stdout);
      expect(sarif.runs[0].columnKind).toBe('utf16CodeUnits');
      const results = sarif.runs[0].results.map(
        (res: {
          ruleId: string;
          message: { text: string };
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
          }[];
        }) => {
          const { artifactLocation, region } = res.locations[0]!.physicalLocation;
          return `${res.ruleId} ${res.message.text.split(':')[0]} ${artifactLocation.uri}:${region.startLine}:${region.startColumn}`;
        },
      );
      expect(results.sort()).toEqual(expected);
    });
  });

  it('writes Markdown for a pull request, and --out writes a file', () => {
    const out = join(mkdtempSync(join(scratch, 'md-')), 'check.md');
    const r = cli(['check', '--format', 'markdown', '--out', out, ...config('problems')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('### purposeful check: failed');
    expect(md).toContain('| error | `PF_DECL_SENSITIVE_UNENCRYPTED` | `customer.accessibility` |');
  });
});

describe('purposeful map', () => {
  it('prints the JSON map, byte-stable across runs and equal to the committed one', () => {
    const a = cli(['map', ...config('clean')]);
    const b = cli(['map', ...config('clean')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync(join(fixtures, 'clean', 'privacy-map.json'), 'utf8'));
    const map = JSON.parse(a.stdout);
    expect(map.format).toBe('purposeful.map/1');
    const invoice = map.purposes.find((p: { id: string }) => p.id === 'billing.invoice');
    expect(invoice).toMatchObject({
      legalBasis: { gdpr: 'legal_obligation', lgpd: 'legal_obligation' },
      retention: { duration: 'P5Y', from: 'invoice.issued' },
      recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }],
      dataCategories: ['user.government_id.national_identification_number', 'user.name'],
      subjectCategories: ['customer'],
      sensitive: false,
      fields: ['customer.cpf', 'customer.name'],
    });
    const cpf = map.schemas[0].fields.find((f: { path: string }) => f.path === 'cpf');
    expect(cpf).toMatchObject({ encrypted: true, index: 'cpf', mask: 'cpf', access: { 'support.ticket': { level: 'masked' } } });
  });

  it('prints Markdown (a section per purpose) and CSV (a row per purpose and field)', () => {
    const md = cli(['map', '--format', 'markdown', ...config('clean')]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('## support.survey');
    expect(md.stdout).toContain('- **Legal basis:** GDPR consent; LGPD consent');
    expect(md.stdout).toContain('- **Consent required under:** LGPD, GDPR');
    expect(md.stdout).toContain(
      '| `customer.cpf` | user.government_id.national_identification_number | masked (cpf) | encrypted, blind index cpf |',
    );
    const csv = cli(['map', '--format', 'csv', ...config('clean')]);
    const rows = csv.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^purpose,description,legal_basis,/);
    // billing: name, cpf; survey: email, satisfaction; ticket: name, cpf, email, customerId, message
    expect(rows).toHaveLength(1 + 2 + 2 + 5);
    expect(rows.some((r) => r.startsWith('billing.invoice,Issue the invoice required by tax law,'))).toBe(true);
  });

  it('--check exits 1 when the committed map is stale or missing', () => {
    expect(cli(['map', '--check', ...config('clean')]).code).toBe(0);
    const stale = cli(['map', '--check', ...config('widening')]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('is out of date with the declarations');
  });

  it('refuses to build a map from declarations with errors (exit 2)', () => {
    const r = cli(['map', ...config('problems')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run `purposeful check` and fix them');
  });
});

describe('purposeful diff', () => {
  it('shows what a widening change starts doing, and --fail-on widening fails it', () => {
    const r = cli(['diff', '--format', 'json', ...config('widening')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { widening: number; changes: { kind: string; direction: string; message: string }[] };
    const kinds = report.changes.filter((c) => c.direction === 'widening').map((c) => c.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'field.added',
        'field.purpose_added',
        'field.access_widened',
        'field.encryption_removed',
        'field.sensitive',
        'purpose.retention_lengthened',
        'purpose.recipient_added',
        'purpose.transfer_added',
        'purpose.roles_widened',
      ]),
    );
    const messages = report.changes.map((c) => c.message);
    expect(messages).toContain('starts collecting customer.phone (user.contact.phone_number) for support.ticket (clear)');
    expect(messages).toContain('customer.cpf: support.ticket now sees it clear (was masked)');
    expect(messages).toContain('support.survey: data is kept longer, P6M → P1Y');
    expect(cli(['diff', '--fail-on', 'widening', ...config('widening')]).code).toBe(1);
  });

  it('writes a Markdown pull-request comment', () => {
    const r = cli(['diff', '--format', 'markdown', ...config('widening')]);
    expect(r.stdout).toContain('### Personal data: what this change does');
    expect(r.stdout).toContain('**9 change(s) widen processing.**');
    expect(r.stdout).toContain('#### ⚠️ Widens processing (review needed)');
    expect(r.stdout).toContain('- customer.email is no longer encrypted');
    expect(r.stdout).toContain('#### ✅ Narrows processing (good news)');
  });

  it('shows narrowing as good news, and it does not fail --fail-on widening', () => {
    const r = cli(['diff', '--format', 'json', '--fail-on', 'widening', ...config('narrowing')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { widening: number; narrowing: number; changes: { kind: string }[] };
    expect(report.widening).toBe(0);
    expect(report.changes.map((c) => c.kind)).toEqual(
      expect.arrayContaining([
        'purpose.removed',
        'purpose.retention_shortened',
        'purpose.recipient_removed',
        'purpose.roles_narrowed',
        'field.purpose_removed',
        'field.access_narrowed',
        'field.removed',
      ]),
    );
    expect(cli(['diff', '--fail-on', 'any', ...config('narrowing')]).code).toBe(1);
    const pretty = cli(['diff', ...config('narrowing')]);
    expect(pretty.stdout).toContain('Narrows processing (good news): 7');
    expect(pretty.stdout).toContain('  - stops collecting ticket.satisfaction (user.behavior)');
  });

  it('reports no change for a project against its own map', () => {
    const r = cli(['diff', '--fail-on', 'any', ...config('clean')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no change to personal data processing');
  });

  it('--base reads the map committed at a git ref; updating the map in the same change acknowledges a widening', () => {
    const dir = mkdtempSync(join(scratch, 'git-'));
    cpSync(join(fixtures, 'clean'), dir, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'clean');
    // the change: the widening declarations, the committed map left as it was
    cpSync(join(fixtures, 'widening', 'purposes.ts'), join(dir, 'purposes.ts'));
    cpSync(join(fixtures, 'widening', 'schemas.ts'), join(dir, 'schemas.ts'));
    const failing = cli(['diff', '--base', 'main', '--fail-on', 'widening'], dir);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('starts collecting customer.phone');
    expect(failing.stdout).toContain('privacy-map.json is not updated in this change');
    // the author updates the map: the same diff is shown, and it passes
    expect(cli(['map', '--out', 'privacy-map.json'], dir).code).toBe(0);
    const acknowledged = cli(['diff', '--base', 'main', '--fail-on', 'widening', '--format', 'json'], dir);
    expect(acknowledged.code).toBe(0);
    const report = JSON.parse(acknowledged.stdout) as { widening: number; acknowledged: boolean; notes: string[] };
    expect(report.widening).toBe(9);
    expect(report.acknowledged).toBe(true);
    expect(report.notes[0]).toContain('is updated in this change');
    // pointing the config at a map the base never had acknowledges nothing
    writeFileSync(
      join(dir, 'purposeful.config.ts'),
      "export default { modules: ['./purposes.ts', './schemas.ts'], map: 'other-map.json' };\n",
    );
    expect(cli(['map', '--out', 'other-map.json'], dir).code).toBe(0);
    const bypass = cli(['diff', '--base', 'main', '--fail-on', 'widening'], dir);
    expect(bypass.code).toBe(1);
    expect(bypass.stdout).toContain('main has no other-map.json to update, so the widening cannot be acknowledged here');
    git('checkout', '-q', '--', 'purposeful.config.ts');
    // a ref without the map: everything is new
    git('checkout', '-q', '--orphan', 'empty');
    git('rm', '-rqf', '--cached', '.');
    git('commit', '-q', '--allow-empty', '-m', 'empty');
    const fresh = cli(['diff', '--base', 'empty', '--format', 'json'], dir);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).notes[0]).toContain('does not exist at empty: every declaration counts as new');
    // a ref git does not know
    const bad = cli(['diff', '--base', 'origin/nope'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('git does not know the ref origin/nope');
    expect(cli(['diff', '--base', '--upload-pack=x'], dir).code).toBe(2);
  }, 60_000); // nine runs of the CLI: about 28 s on a loaded 2-core machine, too close to the default 30 s

  it('refuses a baseline that is not a data map (exit 2)', () => {
    const dir = mkdtempSync(join(scratch, 'baseline-'));
    writeFileSync(join(dir, 'not-json.json'), '{ nope');
    writeFileSync(join(dir, 'other.json'), '{"format":"something/2"}');
    const notJson = cli(['diff', '--baseline', join(dir, 'not-json.json'), ...config('clean')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('is not valid JSON');
    const other = cli(['diff', '--baseline', join(dir, 'other.json'), ...config('clean')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('"format" must be "purposeful.map/1"');
  });
});

describe('usage and loading errors: exit 2 with a message that says what to fix', () => {
  it('no config file', () => {
    const dir = mkdtempSync(join(scratch, 'empty-'));
    const r = cli(['check'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no purposeful.config.ts');
    expect(r.stderr).toContain("export default { modules: ['./src/privacy.ts'] }");
    expect(cli(['check', '--config', 'nope.config.ts'], dir).stderr).toContain('config file not found: nope.config.ts');
  });

  it('a config of the wrong shape, a missing module, a module that throws, a plain zod schema, a syntax error', () => {
    const broken = (name: string) => cli(['check', '--config', join(fixtures, 'broken', `${name}.config.ts`)]);
    const shape = broken('bad-config');
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('must export by default { modules:');
    const missing = broken('missing-module');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('module not found: broken/does-not-exist.ts');
    const throws = broken('throws');
    expect(throws.code).toBe(2);
    expect(throws.stderr).toContain('could not load broken/throws.ts: DATABASE_URL is not set');
    expect(throws.stderr).not.toMatch(/\n\s+at /);
    const zod = broken('plain-zod');
    expect(zod.code).toBe(2);
    expect(zod.stderr).toContain('exports "Customer", a zod schema that is not a purposeful schema: wrap it with defineSchema');
    const dir = mkdtempSync(join(scratch, 'syntax-'));
    writeFileSync(join(dir, 'decl.ts'), "export const purposes = definePurposes({\n  'support.ticket': {\n");
    writeFileSync(join(dir, 'purposeful.config.ts'), "export default { modules: ['./decl.ts'] };\n");
    const syntax = cli(['check'], dir);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('could not load decl.ts');
  });

  it('--debug adds the stack trace', () => {
    const r = cli(['check', '--debug', '--config', join(fixtures, 'broken', 'throws.config.ts')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('an --out that cannot be written', () => {
    const r = cli(['map', '--out', join(scratch, 'no-such-dir', 'map.json'), ...config('clean')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('could not write');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).not.toContain('unexpected error');
  });

  it('unknown commands, options and formats', () => {
    expect(cli(['lint']).stderr).toContain('unknown command "lint"');
    expect(cli(['lint']).code).toBe(2);
    const option = cli(['check', '--fromat', 'json', ...config('clean')]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--fromat'");
    const format = cli(['map', '--format', 'xml', ...config('clean')]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be one of json, markdown, csv (got "xml")');
    expect(cli(['check', '--min-coverage', 'lots', ...config('clean')]).code).toBe(2);
    expect(cli(['diff', '--base', 'main', '--baseline', 'x.json', ...config('clean')]).stderr).toContain('not both');
    expect(cli([]).code).toBe(2);
  });

  it('--help for every command, with examples; --version', () => {
    for (const command of ['check', 'map', 'diff']) {
      const r = cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`purposeful ${command}`);
      expect(r.stdout).toContain('Examples:');
    }
    expect(cli(['--help']).stdout).toContain('Exit codes: 0 clean, 1 problems found, 2 usage or loading error.');
    expect(cli(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('no colors when the output is not a terminal', () => {
    const r = cli(['check', ...config('problems')]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('colors', () => {
  const run = async (isTTY: boolean, env: Record<string, string>) => {
    const { main } = await import('../../src/cli/main.js');
    let out = '';
    const stdout = { isTTY, write: (s: string) => (out += s) };
    const code = await main(['check', ...config('problems')], { cwd: fixtures, env, stdout, stderr: stdout });
    return { code, out };
  };

  it('colors a terminal, unless NO_COLOR is set', async () => {
    const tty = await run(true, {});
    expect(tty.code).toBe(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes
    expect(tty.out).toMatch(/\u001b\[31m/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes
    expect((await run(true, { NO_COLOR: '1' })).out).not.toMatch(/\u001b\[/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes
    expect((await run(false, {})).out).not.toMatch(/\u001b\[/);
  });
});

describe('a CLI that teaches', () => {
  it('an unknown flag suggests the closest one: --strcit → --strict', () => {
    const r = cli(['check', '--strcit', ...config('clean')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("Unknown option '--strcit': did you mean --strict?");
    expect(cli(['map', '--fromat', 'json', ...config('clean')]).stderr).toContain('did you mean --format?');
    const far = cli(['check', '--zzzzzz', ...config('clean')]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("Unknown option '--zzzzzz'");
    expect(far.stderr).not.toContain('did you mean');
    expect(cli(['chek', ...config('clean')]).stderr).toContain('did you mean check?');
  });

  it.each(['json', 'markdown'])(
    'what a declarations module prints while loading goes to stderr, never into --format %s on stdout',
    (format) => {
      const dir = mkdtempSync(join(scratch, 'chatty-'));
      writeFileSync(
        join(dir, 'chatty.ts'),
        `console.log('CHATTY log'); console.info('CHATTY info'); console.debug('CHATTY debug'); console.dir({ chatty: 'CHATTY dir' });\n` +
          `export * from '${join(fixtures, 'clean', 'purposes.ts')}';\nexport * from '${join(fixtures, 'clean', 'schemas.ts')}';\n`,
      );
      writeFileSync(
        join(dir, 'purposeful.config.ts'),
        `console.log('CHATTY config');\nexport default { modules: ['./chatty.ts'] };\n`,
      );
      const r = cli(['check', '--format', format], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('CHATTY');
      for (const said of ['CHATTY log', 'CHATTY info', 'CHATTY debug', 'CHATTY dir', 'CHATTY config']) {
        expect(r.stderr).toContain(said);
      }
      if (format === 'json') expect(() => JSON.parse(r.stdout)).not.toThrow();
      const m = cli(['map', '--format', format], dir);
      expect(m.code).toBe(0);
      expect(m.stdout).not.toContain('CHATTY');
    },
  );

  it('ends once the command is done, even when a declarations module starts a server as it loads', () => {
    const dir = mkdtempSync(join(scratch, 'server-'));
    writeFileSync(
      join(dir, 'app.ts'),
      `import { createServer } from 'node:http';\ncreateServer(() => {}).listen(0, '127.0.0.1');\nsetInterval(() => {}, 1000);\n` +
        `export * from '${join(fixtures, 'clean', 'purposes.ts')}';\nexport * from '${join(fixtures, 'clean', 'schemas.ts')}';\n`,
    );
    writeFileSync(join(dir, 'purposeful.config.ts'), `export default { modules: ['./app.ts'] };\n`);
    const started = spawnSync(process.execPath, [bin, 'check', '--strict', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    expect(started.signal).toBeNull(); // not killed by the timeout: it ended by itself
    expect(started.status).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ errors: 0, warnings: 0 });
  });
});

describe('purposeful init', () => {
  it('writes a config and declarations that pass check --strict, and with --framework a route', () => {
    const dir = mkdtempSync(join(scratch, 'init-'));
    const r = cli(['init'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['declarations.ts', 'purposeful.config.ts']);
    const declarations = readFileSync(join(dir, 'declarations.ts'), 'utf8');
    for (const part of ['pd(', 'pd.none(', 'accessLogPurpose(', 'dpo:', 'legalBasis:']) expect(declarations).toContain(part);
    const checked = cli(['check', '--strict'], dir);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('0 error(s), 0 warning(s)');

    for (const [framework, route] of [
      ['express', 'server.ts'],
      ['fastify', 'server.ts'],
      ['next', join('app', 'customers', '[id]', 'route.ts')],
    ] as const) {
      const fw = mkdtempSync(join(scratch, `init-${framework}-`));
      expect(cli(['init', '--framework', framework], fw).code).toBe(0);
      expect(readFileSync(join(fw, route), 'utf8')).toContain(`purposeful/${framework}`);
      expect(readFileSync(join(fw, 'purposeful-engine.ts'), 'utf8')).toContain('createPurposeful(');
      expect(cli(['check', '--strict'], fw).code).toBe(0);
    }
    expect(cli(['init', '--framework', 'koa'], dir).stderr).toContain('--framework must be one of express, fastify, next');
  });

  it('refuses to overwrite: exit 2 and nothing written when any file exists', () => {
    const dir = mkdtempSync(join(scratch, 'init-exists-'));
    writeFileSync(join(dir, 'declarations.ts'), '// mine\n');
    const r = cli(['init', '--framework', 'express'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('declarations.ts already exist');
    expect(readdirSync(dir)).toEqual(['declarations.ts']);
    expect(readFileSync(join(dir, 'declarations.ts'), 'utf8')).toBe('// mine\n');
  });
});

describe('purposeful keys generate', () => {
  it('prints a keyring the engine loads, or writes it with mode 0600 and never over a file', async () => {
    const { keyringFromJwks } = await import('purposeful');
    const printed = cli(['keys', 'generate'], scratch);
    expect(printed.code).toBe(0);
    const keyring = await keyringFromJwks(printed.stdout);
    expect(keyring.kids).toHaveLength(1);

    const dir = mkdtempSync(join(scratch, 'keys-'));
    const written = cli(['keys', 'generate', '--out', 'keyring.json', '--kid', 'k-test'], dir);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    const file = join(dir, 'keyring.json');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await keyringFromJwks(readFileSync(file, 'utf8'))).primary).toBe('k-test');

    const before = readFileSync(file, 'utf8');
    const again = cli(['keys', 'generate', '--out', 'keyring.json'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('keyring.json already exists');
    expect(readFileSync(file, 'utf8')).toBe(before);

    expect(cli(['keys', 'rotate'], dir).code).toBe(2);
    expect(cli(['keys', 'generate', '--kid', 'not a kid'], dir).stderr).toContain('kid');
  });
});

describeBindings(cli, fixtures, scratchDir(scratch));
