/**
 * The purpose half of the declaration validator: every purpose through the
 * checks of `purpose-checks.ts`, then the controller.
 *
 * @module
 * @internal
 */
import { isCnpj, isCpf } from '../detect/checksums.js';
import type { DeclarationProblem } from '../errors.js';
import { JURISDICTIONS, type Jurisdiction } from '../taxonomy/bases.js';
import type { PurposeDeclaration, PurposesOptions } from './declaration.js';
import { CONTROLLER_KINDS } from './declaration.js';
import { isPlainObject, PURPOSE_CHECKS } from './purpose-checks.js';
import { problem } from './rules.js';

export { genericReason } from './purpose-checks.js';

const ID_RE = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

/** Checks purpose declarations and the registry options; returns every problem found. */
export function validatePurposeDeclarations(
  declarations: Readonly<Record<string, PurposeDeclaration>>,
  options: PurposesOptions,
  declaredAt: string | undefined,
): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const ids = Object.keys(declarations);
  const lawsNamed = new Set<Jurisdiction>();
  for (const id of ids) {
    const d = declarations[id];
    if (isPlainObject(d) && isPlainObject(d.legalBasis)) {
      for (const j of JURISDICTIONS) if (d.legalBasis[j] !== undefined) lawsNamed.add(j);
    }
  }
  if (ids.length === 0) {
    problems.push(problem('PF_DECL_INVALID', 'definePurposes() needs at least one purpose', { declaredAt }));
  }
  for (const id of ids) {
    const at = { purpose: id, declaredAt };
    const d = declarations[id] as unknown;
    if (!ID_RE.test(id)) {
      problems.push(
        problem('PF_DECL_PURPOSE_ID_INVALID', `purpose id "${id}" is not a dotted lowercase key like "support.ticket"`, at),
      );
    }
    if (!isPlainObject(d)) {
      problems.push(problem('PF_DECL_INVALID', `purpose "${id}" must be a declaration object`, at));
      continue;
    }
    const check = { id, d, at, lb: d.legalBasis, sb: d.sensitiveBasis, lawsNamed, options, problems };
    for (const step of PURPOSE_CHECKS) step(check);
  }
  controllerProblems(options.controller, lawsNamed, declaredAt, problems);
  return problems;
}

/** The controller: identified (CNPJ or CPF), well formed, with its DPO (under the LGPD, named). */
function controllerProblems(
  c: unknown,
  lawsNamed: ReadonlySet<Jurisdiction>,
  declaredAt: string | undefined,
  problems: DeclarationProblem[],
): void {
  // Res. CD/ANPD 15/2024 Art. 6 §2 IX: the controller is identified by its CNPJ (or CPF) in an incident communication
  if (isPlainObject(c) && c.id !== undefined) {
    const bare = typeof c.id === 'string' ? c.id.replace(/[.\-/\s]/g, '').toUpperCase() : '';
    if (!(isCnpj(bare) || isCpf(bare))) {
      problems.push(
        problem('PF_DECL_INVALID', 'controller.id must be a CNPJ or a CPF whose check digits hold', {
          declaredAt,
          article: 'Res. CD/ANPD 15/2024 Art. 6 §2 IX',
        }),
      );
    }
  }
  if (c === undefined) {
    problems.push(
      problem(
        'PF_DECL_CONTROLLER_MISSING',
        'no controller declared: pass { controller: { name, contact, dpo: { name, contact } } } to definePurposes',
        { declaredAt },
      ),
    );
  } else if (
    !isPlainObject(c) ||
    typeof c.name !== 'string' ||
    typeof c.contact !== 'string' ||
    (c.dpo !== undefined && isPlainObject(c.dpo) && c.dpo.name !== undefined && typeof c.dpo.name !== 'string') ||
    (c.kinds !== undefined &&
      !(Array.isArray(c.kinds) && c.kinds.every((k) => (CONTROLLER_KINDS as readonly string[]).includes(k as string))))
  ) {
    problems.push(
      problem(
        'PF_DECL_INVALID',
        `controller must be { name, id?, contact, dpo?: { name?, contact }, kinds?: (${CONTROLLER_KINDS.join(' | ')})[] }`,
        { declaredAt },
      ),
    );
  } else if (!isPlainObject(c.dpo) || typeof c.dpo.contact !== 'string') {
    problems.push(
      problem(
        'PF_DECL_CONTROLLER_MISSING',
        lawsNamed.has('lgpd')
          ? 'the controller names no encarregado / DPO (controller.dpo: { name, contact }; LGPD Art. 41 §1)'
          : 'the controller names no DPO contact (controller.dpo.contact)',
        { declaredAt },
      ),
    );
  } else if (lawsNamed.has('lgpd') && (typeof c.dpo.name !== 'string' || c.dpo.name.trim() === '')) {
    // LGPD Art. 41 §1: the identity and the contact are published; Res. CD/ANPD 18/2024 asks for the full name
    problems.push(
      problem(
        'PF_DECL_DPO_IDENTITY_MISSING',
        "the encarregado's identity is not declared: under the LGPD its name is published with its contact (controller.dpo.name: a person's full name, or a company's name with the person responsible)",
        { declaredAt },
      ),
    );
  }
}
