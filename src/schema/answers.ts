/**
 * What a purpose declares for the answers to its subjects: the consequence of
 * refusing consent (LGPD Art. 18 VIII, 9 §3) and its automated decision
 * (LGPD Art. 20; GDPR Art. 22).
 *
 * @module
 * @internal
 */
import type { DeclarationProblem } from '../errors.js';
import { problem } from './rules.js';

/** A text told to the subject: 1–1000 characters, not only spaces. */
function isText(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && v.length <= 1000;
}

/** The problems of a purpose's `ifRefused` and `automatedDecision`. @internal */
export function answerProblems(
  id: string,
  d: Record<string, unknown>,
  at: { readonly purpose: string; readonly declaredAt: string | undefined },
): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  if (d.ifRefused !== undefined && !isText(d.ifRefused)) {
    out.push(
      problem('PF_DECL_INVALID', `purpose "${id}": ifRefused must say what follows from refusing consent, in 1–1000 characters`, {
        ...at,
        article: 'LGPD Art. 18 VIII, 9 §3',
      }),
    );
  }
  const a = d.automatedDecision;
  if (a !== undefined) {
    const o = typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : undefined;
    const wrong = o ? ['decision', 'logic', 'consequences'].filter((k) => !isText(o[k])) : ['decision', 'logic', 'consequences'];
    const extra = o ? Object.keys(o).filter((k) => !['decision', 'logic', 'consequences'].includes(k)) : [];
    if (wrong.length || extra.length) {
      out.push(
        problem(
          'PF_DECL_INVALID',
          `purpose "${id}": automatedDecision must be { decision, logic, consequences }, each a text of 1–1000 characters${wrong.length ? ` (check ${wrong.join(', ')})` : ''}${extra.length ? ` (unknown ${extra.join(', ')})` : ''}`,
          { ...at, article: 'LGPD Art. 20 §1; GDPR Art. 15(1)(h), 22' },
        ),
      );
    }
  }
  return out;
}
