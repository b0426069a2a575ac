/**
 * The message of a `PF_DECLARATION_INVALID` error: the count, then the first
 * error's own text and where it was declared, so a logger that prints only
 * `message` shows what to fix. The rest stay in `problems`.
 *
 * @module
 * @internal
 */

import type { DeclarationProblem } from '../errors.js';

/**
 * `"<what>: N declaration error(s): CODE at place (file:line:col): text"`, then the codes and places of the
 * others (their texts are in `problems`).
 */
export function declarationErrorMessage(what: string, errors: readonly DeclarationProblem[], fallbackSite?: string): string {
  const first = errors[0];
  if (!first) return `${what}: no declaration error`;
  const at = (p: DeclarationProblem): string => {
    const place = p.path || p.purpose || p.schema;
    return `${p.code}${place ? ` at ${place}` : ''}`;
  };
  const site = first.declaredAt ?? fallbackSite;
  const rest = errors.slice(1);
  const more = rest.length ? `; and ${rest.length} more: ${rest.map(at).join('; ')}` : '';
  return `${what}: ${errors.length} declaration error(s): ${at(first)}${site ? ` (${site})` : ''}: ${first.message}${more}`;
}
