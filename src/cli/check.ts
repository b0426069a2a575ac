/**
 * `purposeful check`: the declaration validator over a whole project, with
 * its reports (pretty, JSON, SARIF 2.1.0 for code scanning, Markdown).
 *
 * @module
 * @internal
 */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import {
  DECLARATION_RULES,
  type DeclarationProblem,
  type DeclarationRule,
  declarationCoverage,
  isPurposefulError,
  sortProblems,
  validateDeclarations,
} from 'purposeful';
import type { Paint } from './color.js';
import type { BindingProblem, Project } from './load.js';
import type { SourcePositions } from './positions.js';

/** The coverage rule only the CLI checks (with `--min-coverage`). */
export const COVERAGE_RULE = {
  code: 'PF_CHECK_COVERAGE',
  severity: 'error',
  requiredBy: 'policy',
  summary: 'The share of schema fields that are annotated (pd()) or declared not personal (pd.none()) is below --min-coverage.',
} as const;

/** The binding rule: the start-up verification of a schema bound to a table, run by `check` over the config's `bindings`. */
export const BINDING_RULE = {
  code: 'PF_BINDING_INVALID',
  severity: 'error',
  requiredBy: 'policy',
  summary:
    'A schema bound to a table (or model) does not fit it: an encrypted field without a column that can hold its envelope, a blind index without its column, a subject or record id without a column.',
} as const;

/** A problem with its place as a reader wants it: a path relative to the working directory, line and column. */
export interface LocatedProblem extends DeclarationProblem {
  /** For a binding problem: what the schema is bound to (`table customers`). */
  readonly target?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface CheckResult {
  readonly problems: readonly LocatedProblem[];
  readonly errors: number;
  readonly warnings: number;
  readonly coverage: {
    readonly declared: number;
    readonly total: number;
    readonly share: number;
    readonly undeclared: readonly string[];
  };
  readonly schemas: number;
  readonly purposes: number;
  /** The bindings verified, when the config names `bindings` modules. */
  readonly bindings: number | undefined;
  /** Whether the run fails: errors, a coverage below the minimum, or warnings under `--strict`. */
  readonly failed: boolean;
}

/** Problems about a field that has no `pd()` call of its own: placed at its key in the schema's literal. */
const UNANNOTATED_CODES = new Set(['PF_DECL_UNANNOTATED', 'PF_DECL_LIKELY_PERSONAL', 'PF_DECL_OPAQUE_FIELD']);

/**
 * Places a problem in the source. `declaredAt` is where a stack frame put the
 * call, in the code that ran; a purpose's problem goes to its key in the
 * `definePurposes` literal, an unannotated field's to its key in the
 * `defineSchema` literal, everything else to the start of the call.
 */
function locate(p: DeclarationProblem, cwd: string, positions: SourcePositions): LocatedProblem {
  if (!p.declaredAt) return p;
  const at =
    p.purpose !== undefined && p.schema === undefined && p.path === undefined
      ? positions.purposeKey(p.declaredAt, p.purpose)
      : p.schema !== undefined && p.path && UNANNOTATED_CODES.has(p.code)
        ? positions.schemaField(p.declaredAt, p.path)
        : positions.call(p.declaredAt);
  if (!at) return p;
  return { ...p, file: relative(cwd, at.file) || at.file, line: at.line, column: at.column };
}

/** Each found binding's problems, re-run, and those of the bindings modules that threw while imported. */
function bindingProblems(project: Project): BindingProblem[] {
  const out: BindingProblem[] = [...project.bindingFailures];
  for (const { mark, module } of project.bindings) {
    let found: readonly string[];
    try {
      found = mark.problems();
    } catch (err) {
      // fail closed: a binding that cannot be verified is reported, with the error's code, never its details
      found = [`the binding could not be verified (${isPurposefulError(err) ? err.code : 'an error was thrown'})`];
    }
    for (const message of found) {
      out.push({
        code: BINDING_RULE.code,
        severity: 'error',
        requiredBy: 'policy',
        message,
        schema: mark.schema.id,
        target: mark.target,
        module,
      });
    }
  }
  return out;
}

export function runCheck(
  project: Project,
  options: { readonly cwd: string; readonly minCoverage: number | undefined; readonly strict: boolean },
): CheckResult {
  const report = validateDeclarations({
    purposes: project.registries,
    schemas: project.schemas,
    failures: project.failures,
  });
  const unique: DeclarationProblem[] = [...report.problems, ...bindingProblems(project)];
  const cov = declarationCoverage(project.schemas);
  const share = cov.total === 0 ? 1 : cov.declared / cov.total;
  if (options.minCoverage !== undefined && 100 * share + 1e-9 < options.minCoverage) {
    unique.push({
      code: COVERAGE_RULE.code,
      severity: 'error',
      requiredBy: 'policy',
      message: `${(100 * share).toFixed(1)}% of schema fields are declared (${cov.declared} of ${cov.total}), below the minimum of ${options.minCoverage}%: annotate them with pd() or pd.none() (${cov.undeclared.slice(0, 5).join(', ')}${cov.undeclared.length > 5 ? ', …' : ''})`,
      declaredAt: `${project.configFile}:1:1`,
    });
  }
  const problems = sortProblems(unique).map((p): LocatedProblem => {
    if (p.code === COVERAGE_RULE.code)
      return { ...p, file: relative(options.cwd, project.configFile) || project.configFile, line: 1, column: 1 };
    const { module, ...rest } = p as Partial<BindingProblem>;
    const located = locate(rest as DeclarationProblem, options.cwd, project.positions);
    // a binding problem no stack frame placed: at the top of the module that exports (or tried to make) the binding
    if (module !== undefined && located.file === undefined)
      return { ...located, file: relative(options.cwd, module) || module, line: 1, column: 1 };
    return located;
  });
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const purposes = new Set(project.registries.flatMap((r) => r.ids)).size;
  return {
    problems,
    errors,
    warnings,
    coverage: { ...cov, share },
    schemas: project.schemas.length,
    purposes,
    bindings: project.bindingsConfigured ? project.bindings.length : undefined,
    failed: errors > 0 || (options.strict && warnings > 0),
  };
}

const where = (p: LocatedProblem) =>
  p.target !== undefined
    ? `${p.schema ?? '(schema)'} → ${p.target}`
    : [p.schema, p.path].filter(Boolean).join('.') || (p.purpose ? `purpose ${p.purpose}` : '(declarations)');

const place = (p: LocatedProblem) => (p.file ? `${p.file}:${p.line}:${p.column}` : '(no location)');

function summary(r: CheckResult): string {
  const cov = `${(100 * r.coverage.share).toFixed(1)}% of fields declared (${r.coverage.declared} of ${r.coverage.total})`;
  const bindings = r.bindings === undefined ? '' : `; ${r.bindings} binding(s) verified`;
  return `${r.errors} error(s), ${r.warnings} warning(s) in ${r.schemas} schema(s) and ${r.purposes} purpose(s); ${cov}${bindings}`;
}

export function formatPretty(r: CheckResult, paint: Paint): string {
  const lines: string[] = [];
  for (const p of r.problems) {
    const sev = p.severity === 'error' ? paint.red('error  ') : paint.yellow('warning');
    lines.push(`${paint.dim(place(p))}`);
    lines.push(`  ${sev} ${paint.bold(p.code)}  ${where(p)}`);
    lines.push(`  ${p.message}`);
    if (p.article) lines.push(`  ${paint.dim(`${p.requiredBy === 'law' ? 'required by' : 'policy, see'} ${p.article}`)}`);
    lines.push('');
  }
  const mark = r.failed ? paint.red('✖') : paint.green('✔');
  lines.push(`${mark} ${summary(r)}`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(r: CheckResult): string {
  return `${JSON.stringify(
    {
      errors: r.errors,
      warnings: r.warnings,
      failed: r.failed,
      schemas: r.schemas,
      purposes: r.purposes,
      ...(r.bindings === undefined ? {} : { bindings: r.bindings }),
      coverage: r.coverage,
      problems: r.problems.map(({ declaredAt: _drop, ...p }) => p),
    },
    null,
    2,
  )}\n`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatMarkdown(r: CheckResult): string {
  const lines = [`### purposeful check: ${r.failed ? 'failed' : 'passed'}`, '', summary(r), ''];
  if (r.problems.length) {
    lines.push('| severity | code | where | problem | article | declared at |', '|---|---|---|---|---|---|');
    for (const p of r.problems) {
      lines.push(
        `| ${p.severity} | \`${p.code}\` | \`${mdCell(where(p))}\` | ${mdCell(p.message)} | ${mdCell(p.article ?? '')} | ${p.file ? `\`${mdCell(place(p))}\`` : ''} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * SARIF 2.1.0, as GitHub code scanning takes it: one rule per `PF_…` code with
 * its help and article, one result per problem at the file:line where the
 * field or purpose was declared (paths relative to the working directory,
 * which should be the repository root).
 */
export function formatSarif(r: CheckResult, version: string, fallbackFile: string): string {
  const rules: (DeclarationRule & { code: string })[] = [
    ...Object.entries(DECLARATION_RULES).map(([code, rule]) => ({ code, ...(rule as DeclarationRule) })),
    { ...COVERAGE_RULE },
    { ...BINDING_RULE },
  ];
  const index = new Map(rules.map((rule, i) => [rule.code, i]));
  const sarifRules = rules.map((rule) => {
    const basis =
      rule.requiredBy === 'law'
        ? `Required by ${rule.article}.`
        : `purposeful policy${rule.article ? ` (see ${rule.article})` : ''}.`;
    return {
      id: rule.code,
      name: rule.code
        .replace(/^PF_(DECL_|CHECK_)?/, '')
        .toLowerCase()
        .replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
        .replace(/^([a-z])/, (c) => c.toUpperCase()),
      shortDescription: { text: rule.summary },
      fullDescription: { text: `${rule.summary} ${basis}` },
      help: { text: `${rule.summary}\n\n${basis}`, markdown: `${rule.summary}\n\n**${basis}**` },
      defaultConfiguration: { level: rule.severity === 'error' ? 'error' : 'warning' },
      properties: {
        tags: ['privacy', 'lgpd', 'gdpr', rule.requiredBy],
        ...(rule.article ? { article: rule.article } : {}),
        precision: 'very-high',
      },
    };
  });
  const results = r.problems.map((p) => {
    const ruleIndex = index.get(p.code);
    return {
      ruleId: p.code,
      ...(ruleIndex !== undefined ? { ruleIndex } : {}),
      level: p.severity === 'error' ? 'error' : 'warning',
      message: { text: `${where(p)}: ${p.message}${p.article ? ` (${p.article})` : ''}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: (p.file ?? fallbackFile).split('\\').join('/'), uriBaseId: '%SRCROOT%' },
            region: { startLine: p.line ?? 1, startColumn: p.column ?? 1 },
          },
        },
      ],
      // one alert per problem and place: code scanning merges results that share a fingerprint
      partialFingerprints: {
        'purposeful/v1': createHash('sha256')
          .update(
            [
              p.code,
              p.schema ?? '',
              p.purpose ?? '',
              p.path ?? '',
              p.file ?? '',
              p.message,
              ...(p.target ? [p.target] : []),
            ].join('\u0000'),
          )
          .digest('hex'),
      },
    };
  });
  return `${JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'purposeful',
              version,
              informationUri: 'https://www.npmjs.com/package/purposeful',
              rules: sarifRules,
            },
          },
          // V8, source maps and editors count columns in UTF-16 code units; SARIF's default is code points
          columnKind: 'utf16CodeUnits',
          results,
        },
      ],
    },
    null,
    2,
  )}\n`;
}
