import fc from 'fast-check';
import fastRedact from 'fast-redact';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPurposeful,
  definePurposes,
  defineSchema,
  detectPII,
  isPurposefulError,
  pd,
  type RedactionReport,
  redactForLog,
  redactPaths,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';

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
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Ticket], onRedaction: (r) => reports.push(r) });
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

  it('stores no digit of identifiers typed next to each other in a free-text field, and never throws on repetitions', async () => {
    const reports: RedactionReport[] = [];
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Ticket], onRedaction: (r) => reports.push(r) });
    const messages = [
      'meus dados 529.982.247-25 4111 1111 1111 1111 obrigado',
      'meus dados 529.982.247-25 111.444.777-35 obrigado',
      'meus dados 4111 1111 1111 1111.ana@example.com obrigado',
      'meus dados 529.982.247-254111 1111 1111 1111 obrigado',
      '4111 1111 1111 1111 '.repeat(7),
    ];
    for (const message of messages) {
      const out = (await pf.inbound(Ticket, { subject: 's', message, notes: [], tags: {} }, ctx)) as { message: string };
      expect(out.message, message).not.toMatch(/\d/);
      expect(detectPII(out.message, { threshold: 'medium' })).toEqual([]);
    }
    expect(reports.map((r) => r.counts)).toEqual([
      { cpf: 1, card: 1 },
      { cpf: 2 },
      { card: 1, email: 1 },
      { cpf: 1, card: 1 },
      { card: 7 },
    ]);
  });

  it('redacts free text inside a tuple item, and only that item', async () => {
    const Pair = defineSchema(
      'test.detect-pair',
      z.object({
        pair: z.tuple([pd.none(z.string()), pd(z.string(), { category: 'user.content', purposes: [P], freeText: true })]),
      }),
      { purposes },
    );
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Pair] });
    const out = (await pf.inbound(Pair, { pair: ['ref 529.982.247-25', 'meu cpf é 529.982.247-25'] }, ctx)) as { pair: string[] };
    expect(out.pair).toEqual(['ref 529.982.247-25', 'meu cpf é [CPF]']);
  });

  it('fails closed on a token style without a key, and on a malformed declaration', () => {
    const Tokens = defineSchema(
      'test.detect-tokens',
      z.object({ message: pd(z.string(), { category: 'user.content', purposes: [P], freeText: { style: 'token' } }) }),
      { purposes },
    );
    expect(() => createPurposeful({ ...testKeys(), purposes, schemas: [Tokens] })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    const withKey = createPurposeful({ ...testKeys(), purposes, schemas: [Tokens], pseudonymKey: new Uint8Array(32).fill(1) });
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

describe('logs', () => {
  const Customer = defineSchema(
    'test.detect-log-customer',
    z.object({
      id: pd.none(z.string()),
      cpf: pd(z.string(), { category: 'user.government_id', purposes: { [P]: 'masked' }, mask: 'cpf' }),
      'full-name': pd(z.string(), { category: 'user.name', purposes: [P], mask: 'name' }),
      message: pd(z.string(), { category: 'user.content', purposes: [P], freeText: true }),
      contacts: z.array(
        z.object({ phone: pd(z.string(), { category: 'user.contact.phone_number', purposes: [P], mask: 'phone' }) }),
      ),
      notes: z.record(z.string(), pd(z.string(), { category: 'user.content', purposes: [P] })),
    }),
    { purposes },
  );

  it('redactForLog masks declared fields, redacts free text, scans every other string, and survives hostile values', () => {
    const cyclic: Record<string, unknown> = { a: 'ok' };
    cyclic.self = cyclic;
    const value = {
      customer: {
        id: 'c-1',
        cpf: '529.982.247-25',
        'full-name': 'Ana Maria Souza',
        message: 'meu cpf é 529.982.247-25',
        contacts: [{ phone: '+55 11 91234-5678' }],
        notes: { a: 'private note' },
      },
      other: 'ligar em (11) 91234-5678',
      when: new Date('2026-11-29T00:00:00Z'),
      err: new Error('cartão 4111 1111 1111 1111 recusado'),
      bytes: new Uint8Array([1, 2, 3]),
      fn: () => 1,
      cyclic,
    };
    const top = redactForLog(value) as Record<string, unknown>;
    expect(top.other).toBe('ligar em [PHONE]');
    expect(top.err).toEqual({ name: 'Error', message: 'cartão [CARD] recusado' });
    expect(top.bytes).toBe('[Binary]');
    expect(top.fn).toBeUndefined();
    expect((top.cyclic as Record<string, unknown>).self).toBe('[Circular]');
    expect(top.when).toBe('2026-11-29T00:00:00.000Z');
    const customer = redactForLog(value.customer, { schema: Customer }) as Record<string, unknown>;
    expect(customer).toEqual({
      id: 'c-1',
      cpf: '***.***.**7-25',
      'full-name': 'A*** S***',
      message: 'meu cpf é [CPF]',
      contacts: [{ phone: '*********5678' }],
      notes: { a: '***' },
    });
    const deep = redactForLog(JSON.parse(`${'['.repeat(100)}"x"${']'.repeat(100)}`));
    expect(JSON.stringify(deep)).toContain('[Truncated]');
    expect(() => redactForLog(1, { schema: {} as never })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
  });

  it('redactForLog never throws and leaves nothing findable in any string, whatever the value', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withSet: true, withTypedArray: true, withBigInt: true }), (v) => {
        const out = redactForLog(v);
        const strings: string[] = [];
        JSON.stringify(out, (_k, x) => {
          if (typeof x === 'string') strings.push(x);
          return typeof x === 'bigint' ? String(x) : x;
        });
        for (const s of strings) expect(detectPII(s, { threshold: 'medium' })).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('redactPaths gives pino the personal fields', () => {
    expect(redactPaths(Customer)).toEqual(['["full-name"]', 'contacts[*].phone', 'cpf', 'message', 'notes.*']);
    expect(redactPaths(Customer, 'req.body')).toEqual([
      'req.body.contacts[*].phone',
      'req.body.cpf',
      'req.body.message',
      'req.body.notes.*',
      'req.body["full-name"]',
    ]);
    // as pino applies them (fast-redact is pino's redaction engine)
    const redact = fastRedact({ paths: redactPaths(Customer, 'req.body'), censor: '[redacted]' });
    const line = JSON.parse(
      redact({ req: { body: { id: 'c-1', cpf: '529.982.247-25', 'full-name': 'Ana', notes: { a: 'n' } } } }) as string,
    );
    expect(line).toEqual({
      req: { body: { id: 'c-1', cpf: '[redacted]', 'full-name': '[redacted]', notes: { a: '[redacted]' } } },
    });
  });
});
