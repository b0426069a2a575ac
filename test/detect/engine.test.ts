import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, definePurposes, defineSchema, isPurposefulError, pd, type RedactionReport } from '../../src/index.js';

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer’s support tickets',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P1Y',
    },
  },
  { controller: { name: 'Exemplo Ltda', contact: 'privacidade@example.com.br' } },
);
const P = 'support.ticket';
const ctx = { purpose: P, actor: { id: 'agent-7', roles: ['support'] } } as const;

const Ticket = defineSchema(
  'test.detect-ticket',
  z.object({
    subject: pd.none(z.string()),
    message: pd(z.string(), { category: 'user.content', purposes: [P], freeText: true }),
    notes: z.array(z.object({ text: pd(z.string(), { category: 'user.content', purposes: [P], freeText: { style: 'mask' } }) })),
    tags: z.record(z.string(), pd(z.string(), { category: 'user.content', purposes: [P], freeText: { types: ['email'] } })),
  }),
  { purposes },
);

describe('inbound redacts free-text fields', () => {
  it('redacts each free-text field as declared, reports types and counts, and changes nothing else', async () => {
    const reports: RedactionReport[] = [];
    const pf = createPurposeful({ purposes, schemas: [Ticket], onRedaction: (r) => reports.push(r) });
    const input = {
      subject: 'CPF 529.982.247-25 in the subject is not free text',
      message: 'Meu CPF é 529.982.247-25 e meu zap (11) 91234-5678',
      notes: [{ text: 'cartão 4111 1111 1111 1111' }, { text: 'nada aqui' }],
      tags: { a: 'ana@example.com', b: 'cpf 52998224725' },
    };
    const out = await pf.inbound(Ticket, input, ctx);
    expect(out).toEqual({
      subject: input.subject,
      message: 'Meu CPF é [CPF] e meu zap [PHONE]',
      notes: [{ text: 'cartão **** **** **** 1111' }, { text: 'nada aqui' }],
      tags: { a: '[EMAIL]', b: 'cpf 52998224725' },
    });
    expect(input.message).toBe('Meu CPF é 529.982.247-25 e meu zap (11) 91234-5678'); // the caller's object is untouched
    expect(reports).toEqual([
      { schema: 'test.detect-ticket', purpose: P, field: 'message', counts: { cpf: 1, phone: 1 } },
      { schema: 'test.detect-ticket', purpose: P, field: 'notes[].text', counts: { card: 1 } },
      { schema: 'test.detect-ticket', purpose: P, field: 'tags{}', counts: { email: 1 } },
    ]);
    expect(JSON.stringify(reports)).not.toContain('5299');
  });

  it('fails closed on a token style without a key, and on a malformed declaration', () => {
    const Tokens = defineSchema(
      'test.detect-tokens',
      z.object({ message: pd(z.string(), { category: 'user.content', purposes: [P], freeText: { style: 'token' } }) }),
      { purposes },
    );
    expect(() => createPurposeful({ purposes, schemas: [Tokens] })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    const withKey = createPurposeful({ purposes, schemas: [Tokens], pseudonymKey: new Uint8Array(32).fill(1) });
    return withKey.inbound(Tokens, { message: 'cpf 529.982.247-25' }, ctx).then((out) => {
      expect(out.message).toMatch(/^cpf \[CPF:pn_[\w-]{24}\]$/);
      let err: unknown;
      try {
        defineSchema(
          'test.detect-bad',
          z.object({ m: pd(z.string(), { category: 'user.content', purposes: [P], freeText: { style: 'shout' } as never }) }),
          { purposes },
        );
      } catch (e) {
        err = e;
      }
      expect(isPurposefulError(err) && err.code).toBe('PF_DECLARATION_INVALID');
    });
  });
});
