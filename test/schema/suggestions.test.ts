/** The validator names the closest known category or purpose for an unknown one ("did you mean …?"). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type DeclarationProblem,
  definePurposes,
  defineSchema,
  isPurposefulError,
  type PurposeDeclaration,
  pd,
} from '../../src/index.js';

const controller = {
  name: 'ACME Ltda',
  contact: 'privacidade@acme.example',
  dpo: { name: 'Maria Souza', contact: 'dpo@acme.example' },
};
const ticket = {
  description: 'Answer the customer about their support request',
  legalBasis: { lgpd: 'contract', gdpr: 'contract' },
  retention: 'P2Y',
} as const satisfies PurposeDeclaration;
const purposes = definePurposes(
  { 'support.ticket': ticket, 'billing.invoice': { ...ticket, description: 'Issue the invoice required by tax law' } },
  { controller, categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } } },
);

/** The problems a declaration raised, thrown or kept. */
function problemsOf(fn: () => { problems: readonly DeclarationProblem[] }): DeclarationProblem[] {
  try {
    return [...fn().problems];
  } catch (err) {
    if (isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID') return [...err.problems];
    throw err;
  }
}

const field = (category: string, purpose: string) => () =>
  defineSchema('t', z.object({ id: pd.none(z.string()), v: pd(z.string(), { category, purposes: [purpose] }) }), { purposes });

const messageOf = (problems: DeclarationProblem[], code: string): string | undefined =>
  problems.find((p) => p.code === code)?.message;

describe('did you mean', () => {
  it.each([
    ['a transposition', 'user.contcat.email', 'user.contact.email'],
    ['a missing letter', 'user.nam', 'user.name'],
    ['a custom category', 'user.contact.whatsap', 'user.contact.whatsapp'],
  ])('suggests the closest category for %s', (_, typo, near) => {
    const message = messageOf(problemsOf(field(typo, 'support.ticket')), 'PF_DECL_UNKNOWN_CATEGORY');
    expect(message).toContain(`unknown category "${typo}"; did you mean "${near}"?`);
  });

  it('suggests no category when none is close', () => {
    const message = messageOf(problemsOf(field('inventory.sku', 'support.ticket')), 'PF_DECL_UNKNOWN_CATEGORY');
    expect(message).toContain('unknown category "inventory.sku"');
    expect(message).not.toContain('did you mean');
  });

  it('suggests the closest declared purpose', () => {
    const message = messageOf(problemsOf(field('user.name', 'suport.ticket')), 'PF_DECL_UNKNOWN_PURPOSE');
    expect(message).toBe('v names purpose "suport.ticket", which nobody declared; did you mean "support.ticket"?');
  });

  it('suggests no purpose when none is close', () => {
    const message = messageOf(problemsOf(field('user.name', 'marketing.email')), 'PF_DECL_UNKNOWN_PURPOSE');
    expect(message).toBe('v names purpose "marketing.email", which nobody declared');
  });

  it('puts the suggestion in the thrown error message', () => {
    let error: unknown;
    try {
      field('user.name', 'biling.invoice')();
    } catch (err) {
      error = err;
    }
    expect(isPurposefulError(error) && error.message).toContain('did you mean "billing.invoice"?');
  });

  it('suggests the closest property and law of a purpose declaration', () => {
    const problems = problemsOf(() =>
      definePurposes({ 'a.b': { ...ticket, retension: 'P1Y', legalBasis: { lgdp: 'contract', gdpr: 'contract' } } } as never, {
        controller,
      }),
    );
    const messages = problems.map((p) => p.message);
    expect(messages).toContain('purpose "a.b": unknown property "retension"; did you mean "retention"?');
    expect(messages).toContain('purpose "a.b": unknown law "lgdp" in legalBasis; did you mean "lgpd"?');
  });

  it('suggests the closest parent of a custom category whose parent is unknown', () => {
    expect(() => definePurposes({ 'a.b': ticket }, { controller, categories: { 'user.contcat.whatsapp': {} } })).toThrow(
      'its parent "user.contcat" is unknown; did you mean "user.contact"?',
    );
  });
});
