/**
 * `validateDeclarations()`: the one validator, as the CLI runs it.
 *
 * @module
 */
import type { DeclarationProblem } from '../errors.js';
import { isPurposefulError } from '../errors.js';
import type { PurposefulSchema } from './define.js';
import type { Purposes } from './purposes.js';
import { problem } from './rules.js';

/**
 * The result of {@link validateDeclarations}.
 *
 * @example
 * ```ts
 * const report: ValidationReport = validateDeclarations({ purposes, schemas: [Customer, Ticket, Invoice] });
 * console.log(`${report.errors} error(s), ${report.warnings} warning(s)`);
 * if (report.errors > 0) process.exitCode = 1;
 * ```
 * @category Declaring
 */
export interface ValidationReport {
  /** Every problem, errors first, then by schema, path and code. */
  readonly problems: readonly DeclarationProblem[];
  readonly errors: number;
  readonly warnings: number;
}

/**
 * Sorts problems errors first, then by schema, purpose, path, code: stable output for CI.
 *
 * @example
 * ```ts
 * const all = sortProblems([...purposes.problems, ...Customer.problems, ...Ticket.problems]);
 * // errors first, then by schema, purpose, path and code: the same order on every run
 * ```
 * @category Declaring
 */
export function sortProblems(problems: readonly DeclarationProblem[]): DeclarationProblem[] {
  const key = (p: DeclarationProblem) =>
    `${p.severity === 'error' ? 0 : 1}\u0000${p.schema ?? ''}\u0000${p.purpose ?? ''}\u0000${p.path ?? ''}\u0000${p.code}\u0000${p.message}`;
  return [...problems].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Problems only a set of declarations can show, not one definition: two
 * different schemas with one id, one purpose id declared differently by two
 * registries. `validateDeclarations` and `dataMap` both run it.
 *
 * @example
 * ```ts
 * const problems = crossDeclarationProblems([purposes], [Customer, Ticket]);
 * if (problems.length) console.error(problems.map((p) => p.message).join('\n'));
 * ```
 * @category Declaring
 */
export function crossDeclarationProblems(
  registries: readonly Purposes[],
  schemas: readonly PurposefulSchema[],
): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  const byId = new Map<string, PurposefulSchema>();
  for (const s of schemas) {
    const other = byId.get(s.id);
    if (other && other !== s) {
      out.push(
        problem('PF_DECL_DUPLICATE_SCHEMA', `two different schemas are named "${s.id}": schema ids must be unique`, {
          schema: s.id,
          ...(s.declaredAt ? { declaredAt: s.declaredAt } : {}),
        }),
      );
    } else byId.set(s.id, s);
  }
  const purposes = new Map<string, Purposes>();
  for (const r of new Set<Purposes>([...registries, ...schemas.map((s) => s.purposes)])) {
    for (const id of r.ids) {
      const other = purposes.get(id);
      if (other && other.get(id)?.declaration !== r.get(id)?.declaration) {
        out.push(
          problem(
            'PF_DECL_DUPLICATE_PURPOSE',
            `purpose "${id}" is declared by two registries: declare each purpose once and share it`,
            {
              purpose: id,
              ...(r.declaredAt ? { declaredAt: r.declaredAt } : {}),
            },
          ),
        );
      } else if (!other) purposes.set(id, r);
    }
  }
  return out;
}

/**
 * Collects every problem of a set of declarations: the warnings kept by
 * `definePurposes` and `defineSchema`, the errors a failed definition threw
 * (pass the caught errors in `failures`), and the problems of the set as a
 * whole ({@link crossDeclarationProblems}). A problem without a place of its
 * own (an unannotated field, say) is placed where its schema or registry was
 * defined. The CLI runs this; at runtime errors already throw when a
 * declaration is defined.
 *
 * @example
 * ```ts
 * const report = validateDeclarations({ purposes, schemas: [Customer, Ticket] });
 * for (const p of report.problems) console.log(p.severity, p.code, p.path, p.article, p.declaredAt);
 * ```
 * @category Declaring
 */
export function validateDeclarations(input: {
  readonly purposes?: Purposes | readonly Purposes[];
  readonly schemas?: readonly PurposefulSchema[];
  readonly failures?: readonly unknown[];
}): ValidationReport {
  const registries: readonly Purposes[] =
    input.purposes === undefined ? [] : Array.isArray(input.purposes) ? input.purposes : [input.purposes as Purposes];
  const schemas = input.schemas ?? [];
  const placed = (p: DeclarationProblem, site: string | undefined): DeclarationProblem =>
    p.declaredAt === undefined && site !== undefined ? { ...p, declaredAt: site } : p;
  const problems: DeclarationProblem[] = [];
  for (const f of input.failures ?? []) {
    if (isPurposefulError(f) && f.problems.length) problems.push(...f.problems);
    else throw f;
  }
  for (const r of new Set<Purposes>([...registries, ...schemas.map((s) => s.purposes)])) {
    problems.push(...r.problems.map((p) => placed(p, r.declaredAt)));
  }
  for (const s of new Set(schemas)) problems.push(...s.problems.map((p) => placed(p, s.declaredAt)));
  problems.push(...crossDeclarationProblems(registries, schemas));
  // one definition can be reached twice (a module that failed is run again by each importer)
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = [p.code, p.schema, p.purpose, p.path, p.message, p.declaredAt].join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const sorted = sortProblems(unique);
  const errors = sorted.filter((p) => p.severity === 'error').length;
  return Object.freeze({ problems: Object.freeze(sorted), errors, warnings: sorted.length - errors });
}
