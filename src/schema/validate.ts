/**
 * `validateDeclarations()`: the one validator, as the CLI runs it.
 *
 * @module
 */
import type { DeclarationProblem } from '../errors.js';
import { isPurposefulError } from '../errors.js';
import type { PurposefulSchema } from './define.js';
import type { Purposes } from './purposes.js';

/**
 * The result of {@link validateDeclarations}.
 *
 * @example
 * ```ts
 * const report: ValidationReport = validateDeclarations({ purposes, schemas: [Customer, Ticket, Invoice] });
 * console.log(`${report.errors} error(s), ${report.warnings} warning(s)`);
 * if (report.errors > 0) process.exitCode = 1;
 * ```
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
 */
export function sortProblems(problems: readonly DeclarationProblem[]): DeclarationProblem[] {
  const key = (p: DeclarationProblem) =>
    `${p.severity === 'error' ? 0 : 1}\u0000${p.schema ?? ''}\u0000${p.purpose ?? ''}\u0000${p.path ?? ''}\u0000${p.code}\u0000${p.message}`;
  return [...problems].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Collects every problem of a set of declarations: the warnings kept by
 * `definePurposes` and `defineSchema`, plus the errors a failed definition
 * threw (pass the caught errors in `failures`). The CLI runs this; at runtime
 * errors already throw when a declaration is defined.
 *
 * @example
 * ```ts
 * const report = validateDeclarations({ purposes, schemas: [Customer, Ticket] });
 * for (const p of report.problems) console.log(p.severity, p.code, p.path, p.article, p.declaredAt);
 * ```
 */
export function validateDeclarations(input: {
  readonly purposes?: Purposes;
  readonly schemas?: readonly PurposefulSchema[];
  readonly failures?: readonly unknown[];
}): ValidationReport {
  const problems: DeclarationProblem[] = [];
  if (input.purposes) problems.push(...input.purposes.problems);
  for (const s of input.schemas ?? []) problems.push(...s.problems);
  for (const f of input.failures ?? []) {
    if (isPurposefulError(f) && f.problems.length) problems.push(...f.problems);
    else throw f;
  }
  const sorted = sortProblems(problems);
  const errors = sorted.filter((p) => p.severity === 'error').length;
  return Object.freeze({ problems: Object.freeze(sorted), errors, warnings: sorted.length - errors });
}
