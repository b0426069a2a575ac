import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, Invoice, NewTicket, purposes, Ticket } from '../examples/support-desk/declarations.js';
import { sampleCustomer } from '../examples/support-desk/sample.js';
import {
  createPurposeful,
  definePurposes,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryConsentLedger,
  memoryKeyStore,
  PurposefulError,
  pd,
} from '../src/index.js';

const pseudonymKey = new Uint8Array(32).fill(9);
const consent = memoryConsentLedger(purposes);
const notice = { version: '2026-11-01', hash: 'b'.repeat(64) };
await consent.grant({
  subject: sampleCustomer.id,
  purpose: 'support.survey',
  notice,
  method: 'checkbox',
  collectionPoint: 'app/ticket-closed',
});
await consent.grant({
  subject: sampleCustomer.id,
  purpose: 'support.accessibility',
  notice,
  method: 'form',
  collectionPoint: 'app/settings/accessibility',
  highlighted: true,
});
const keys = generateKeyring();
/** What every engine over the support desk's schemas needs: a keyring (encrypted fields) and a consent ledger. */
const needed = () => ({ keys, keyStore: memoryKeyStore(), consent });
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Ticket, Invoice],
  pseudonymKey,
  consent,
  keys,
  keyStore: memoryKeyStore(),
});

const customer = sampleCustomer;
const PERSONAL_VALUES = ['João', 'Silva', '529.982.247-25', '52998224725', 'joao.silva', '98765-4321', '01310-100', 'low vision'];

const agent = { id: 'agent-7', roles: ['support'] };
const ticketCtx = { purpose: 'support.ticket', actor: agent } as const;

async function caught(p: Promise<unknown>): Promise<PurposefulError> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) {
      const text = JSON.stringify(err) + err.message + String(err.stack);
      for (const v of PERSONAL_VALUES) expect(text, 'an error must never carry a personal value').not.toContain(v);
      return err;
    }
    throw err;
  }
  throw new Error('expected a PurposefulError');
}

describe('engine.outbound', () => {
  it('projects and masks for the purpose', async () => {
    const view = await pf.outbound(Customer, customer, ticketCtx);
    expect(view).toEqual({
      id: customer.id,
      channel: 'chat',
      name: 'João da Silva',
      cpf: '***.***.**7-25',
      email: 'joao.silva@example.com',
      phone: '*********4321',
      address: { city: 'São Paulo', postalCode: '******100' },
    });
    expect(view).not.toHaveProperty('accessibility');
  });

  it('gives role-dependent levels by the widest role', async () => {
    const lead = await pf.outbound(Customer, customer, {
      purpose: 'support.ticket',
      actor: { id: 'l', roles: ['support', 'supervisor'] },
    });
    expect(lead.phone).toBe(customer.phone);
  });

  it('pseudonymizes with a stable keyed token per purpose and field', async () => {
    const a = await pf.outbound(Customer, customer, { purpose: 'analytics.churn', actor: { id: 'job' } });
    const b = await pf.outbound(Customer, { ...customer, cpf: 'other' }, { purpose: 'analytics.churn', actor: { id: 'job' } });
    expect(a).toEqual({
      id: expect.stringMatching(/^pn_/),
      channel: 'chat',
      name: expect.stringMatching(/^pn_/),
      email: expect.stringMatching(/^pn_/),
    });
    expect(a.name).toBe(b.name);
    expect(a.name).not.toBe(a.email);
    const other = createPurposeful({
      purposes,
      schemas: [Customer],
      pseudonymKey: new Uint8Array(32).fill(1),
      ...needed(),
    });
    expect((await other.outbound(Customer, customer, { purpose: 'analytics.churn', actor: { id: 'job' } })).name).not.toBe(
      a.name,
    );
  });

  it('fails closed when a pseudonymized field has no key', async () => {
    const noKey = createPurposeful({ purposes, schemas: [Customer], ...needed() });
    const err = await caught(noKey.outbound(Customer, customer, { purpose: 'analytics.churn', actor: { id: 'job' } }));
    expect(err.code).toBe('PF_KEY_NOT_FOUND');
    expect(err.paths).toEqual(['id', 'name', 'email']);
  });

  it('refuses a record whose shape is not the declared one, naming the path', async () => {
    const err = await caught(pf.outbound(Customer, { ...customer, address: 'Rua Augusta 100, São Paulo' }, ticketCtx));
    expect(err.code).toBe('PF_OUTPUT_INVALID');
    expect(err.paths).toEqual(['address']);
    const nested = await caught(
      pf.outbound(
        Ticket,
        { id: 'x', customerId: 'y', status: 'open', subject: 's', messages: ['hello João'], assignee: null },
        ticketCtx,
      ),
    );
    expect(nested.paths).toEqual(['messages[]']);
  });
});

describe('engine.inbound', () => {
  it('rejects every undeclared field at once, without values', async () => {
    const err = await caught(pf.inbound(Customer, { ...customer, extra: 'João' }, { purpose: 'support.survey', actor: agent }));
    expect(err.code).toBe('PF_UNDECLARED_FIELD');
    expect(err.status).toBe(400);
    expect([...err.paths].sort()).toEqual(['accessibility', 'address', 'cpf', 'extra', 'name', 'phone']);
    expect(err.article).toMatch(/LGPD Art\. 6 III/);
  });

  it('validates with the purpose projection: fields another purpose requires are not required here', async () => {
    const input = await pf.inbound(
      Customer,
      { id: customer.id, channel: 'email', email: customer.email },
      { purpose: 'support.survey', actor: agent },
    );
    expect(input).toEqual({ id: customer.id, channel: 'email', email: customer.email });
  });

  it('reports validation issues as paths and zod codes, never values or messages', async () => {
    const err = await caught(
      pf.inbound(
        Customer,
        { id: 'not-a-uuid', channel: 'fax', email: 'João Silva' },
        { purpose: 'support.survey', actor: agent },
      ),
    );
    expect(err.code).toBe('PF_VALIDATION_FAILED');
    expect(err.paths).toEqual(['id', 'channel', 'email']);
    expect(err.issues.map((i) => i.code)).toEqual(['invalid_format', 'invalid_value', 'invalid_format']);
  });

  it('strips instead of rejecting when configured', async () => {
    const lenient = createPurposeful({ purposes, schemas: [Customer], undeclared: 'strip', ...needed() });
    const input = await lenient.inbound(Customer, { ...customer, extra: 1 }, { purpose: 'support.survey', actor: agent });
    expect(input).toEqual({ id: customer.id, channel: 'chat', email: customer.email });
  });

  it('keeps zod transforms and nested arrays', async () => {
    const input = await pf.inbound(
      Ticket,
      {
        id: '9b2f6a30-1a5e-4d3c-9a8f-0c1d2e3f4a5b',
        customerId: customer.id,
        status: 'open',
        subject: 'Problema',
        messages: [{ at: '2026-11-28T10:00:00Z', from: 'customer', text: 'Olá' }],
        assignee: null,
      },
      ticketCtx,
    );
    expect(input.messages).toHaveLength(1);
  });
});

describe('engine checks that fail closed', () => {
  it('an undeclared purpose', async () => {
    const err = await caught(pf.outbound(Customer, customer, { purpose: 'marketing.blast' as never, actor: agent }));
    expect(err.code).toBe('PF_PURPOSE_UNKNOWN');
    expect(err.status).toBe(403);
  });

  it('a schema the engine does not know', async () => {
    const other = createPurposeful({ purposes, schemas: [Ticket], ...needed() });
    expect((await caught(other.outbound(Customer, customer, ticketCtx))).code).toBe('PF_SCHEMA_UNKNOWN');
  });

  it('a context without an actor, or with a malformed one', async () => {
    expect((await caught(pf.outbound(Customer, customer, { purpose: 'support.ticket' } as never))).code).toBe(
      'PF_CONTEXT_INVALID',
    );
    expect((await caught(pf.outbound(Customer, customer, { purpose: 'support.ticket', actor: { id: '' } }))).code).toBe(
      'PF_CONTEXT_INVALID',
    );
    expect((await caught(pf.outbound(Customer, customer, null as never))).code).toBe('PF_CONTEXT_INVALID');
  });

  it('an actor without the roles the purpose allows', async () => {
    const err = await caught(pf.outbound(Customer, customer, { purpose: 'billing.invoice', actor: agent }));
    expect(err.code).toBe('PF_ROLE_NOT_ALLOWED');
    expect(err.purpose).toBe('billing.invoice');
  });

  it('a purpose that shows sensitive data in clear only after a second factor', async () => {
    const err = await caught(pf.outbound(Customer, customer, { purpose: 'support.accessibility', actor: agent }));
    expect(err.code).toBe('PF_MFA_REQUIRED');
    expect(err.paths).toEqual(['accessibility']);
    const ok = await pf.outbound(Customer, customer, { purpose: 'support.accessibility', actor: { ...agent, mfa: true } });
    expect(ok).toEqual({ id: customer.id, channel: 'chat', accessibility: 'low vision' });
  });

  it('a subject that differs from the record', async () => {
    const err = await caught(pf.outbound(Customer, customer, { ...ticketCtx, subjectId: 'someone-else' }));
    expect(err.code).toBe('PF_SUBJECT_MISMATCH');
    expect(err.paths).toEqual(['id']);
    await expect(pf.outbound(Customer, customer, { ...ticketCtx, subjectId: customer.id })).resolves.toBeDefined();
  });

  it('a minor when the schema says subjects never are', async () => {
    expect((await caught(pf.outbound(Customer, customer, { ...ticketCtx, subjectAge: 15 }))).code).toBe('PF_MINOR_NOT_DECLARED');
    expect((await caught(pf.outbound(Customer, customer, { ...ticketCtx, subjectAge: -1 }))).code).toBe('PF_CONTEXT_INVALID');
    await expect(pf.outbound(Customer, customer, { ...ticketCtx, subjectAge: 30 })).resolves.toBeDefined();
  });

  it('jurisdictions narrowed per request must be in force', async () => {
    await expect(pf.outbound(Customer, customer, { ...ticketCtx, jurisdictions: ['lgpd'] })).resolves.toBeDefined();
    const lgpdOnly = createPurposeful({ purposes, schemas: [Customer], jurisdictions: ['lgpd'], ...needed() });
    expect((await caught(lgpdOnly.outbound(Customer, customer, { ...ticketCtx, jurisdictions: ['gdpr'] }))).code).toBe(
      'PF_CONTEXT_INVALID',
    );
  });

  it('open() of a plain row: a schema without encrypted fields needs no keyring', async () => {
    const plain = defineSchema(
      'plain',
      z.object({
        id: pd.none(z.string()),
        city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }),
      }),
      {
        purposes,
      },
    );
    const pf2 = createPurposeful({ purposes, schemas: [plain], consent });
    await expect(pf2.open(plain, { id: '1', city: 'Recife', x: 1 }, ticketCtx)).resolves.toEqual({ id: '1', city: 'Recife' });
  });
});

describe('createPurposeful fails at creation, not at the first request', () => {
  const creationError = (options: unknown): PurposefulError => {
    try {
      createPurposeful(options as never);
    } catch (err) {
      if (isPurposefulError(err)) return err;
      throw err;
    }
    throw new Error('createPurposeful did not throw');
  };

  it('schemas with encrypt: true fields and no keyring: PF_KEYRING_MISSING naming the schema and the fields', () => {
    const err = creationError({ purposes, schemas: [Customer, Ticket, Invoice], consent });
    expect(err.code).toBe('PF_KEYRING_MISSING');
    expect(err.status).toBe(500);
    expect(err.schema).toBe('customer');
    expect(err.paths).toEqual(['cpf', 'email', 'accessibility']);
    expect(err.message).toContain('schema "customer" encrypts cpf, email, accessibility');
    expect(err.message).toContain('createPurposeful({ keys })');
    // with a keyring the same engine is created
    expect(() => createPurposeful({ purposes, schemas: [Customer], consent, keys, keyStore: memoryKeyStore() })).not.toThrow();
  });

  it('a purpose that rests on consent under a law in force and no consent ledger: PF_CONSENT_LEDGER_MISSING naming it', () => {
    const err = creationError({ purposes, schemas: [Customer], keys, keyStore: memoryKeyStore() });
    expect(err.code).toBe('PF_CONSENT_LEDGER_MISSING');
    expect(err.status).toBe(500);
    expect(err.purpose).toBe('support.survey');
    expect(err.schema).toBe('customer');
    expect(err.paths).toEqual(['id']);
    expect(err.message).toContain('purpose "support.survey" rests on consent under LGPD and GDPR and schema "customer"');
    expect(err.message).toContain('createPurposeful({ consent })');
    expect(() => createPurposeful({ purposes, schemas: [Customer], keys, keyStore: memoryKeyStore(), consent })).not.toThrow();
    // an engine whose schemas declare no field for a purpose on consent needs no ledger (a request for it gets nothing
    // of them, and is still refused at run time: PF_CONSENT_UNAVAILABLE)
    expect(() => createPurposeful({ purposes, schemas: [NewTicket] })).not.toThrow();
  });

  it('consent under a law that is not in force asks for no ledger', () => {
    const mixed = definePurposes(
      {
        'support.ticket': {
          description: 'Answer the customer',
          legalBasis: { lgpd: 'contract', gdpr: 'contract' },
          retention: 'P2Y',
        },
        'marketing.newsletter': {
          description: 'Send the monthly newsletter',
          legalBasis: { lgpd: 'contract', gdpr: 'consent' },
          notice: { version: '2026-11-01', url: 'https://example.com/privacy#newsletter' },
          retention: 'P1Y',
        },
      },
      { controller: { name: 'ACME', contact: 'privacidade@acme.example', dpo: { name: 'Maria', contact: 'dpo@acme.example' } } },
    );
    const Subscriber = defineSchema(
      'subscriber',
      z.object({ email: pd(z.email(), { category: 'user.contact.email', purposes: ['marketing.newsletter'] }) }),
      { purposes: mixed },
    );
    expect(() => createPurposeful({ purposes: mixed, schemas: [Subscriber], jurisdictions: ['lgpd'] })).not.toThrow();
    expect(creationError({ purposes: mixed, schemas: [Subscriber] }).code).toBe('PF_CONSENT_LEDGER_MISSING');
  });
});

describe('createPurposeful validates its options once', () => {
  it.each([
    ['no options', undefined],
    ['purposes not from definePurposes', { purposes: {}, schemas: [] }],
    ['schemas not a list', { purposes, schemas: Customer }],
    ['a schema not from defineSchema', { purposes, schemas: [z.object({})] }],
    ['two schemas with one id', { purposes, schemas: [Customer, Customer] }],
    ['unknown jurisdiction', { purposes, schemas: [], jurisdictions: ['ccpa'] }],
    ['empty jurisdictions', { purposes, schemas: [], jurisdictions: [] }],
    ['short pseudonymization key', { purposes, schemas: [], pseudonymKey: new Uint8Array(8) }],
    ['bad undeclared mode', { purposes, schemas: [], undeclared: 'ignore' }],
    ['bad limits', { purposes, schemas: [], limits: { maxDepth: 0 } }],
  ])('%s', (_name, options) => {
    let err: unknown;
    try {
      createPurposeful(options as never);
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.code).toBe('PF_OPTIONS_INVALID');
  });

  it('refuses an unknown top-level option, naming it: a receipts signer beside encryption is not silently ignored', () => {
    const signer = { key: new Uint8Array(32), alg: 'HS256' };
    expect(() => createPurposeful({ purposes, schemas: [], receipts: signer } as never)).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringContaining('"receipts"') }),
    );
    expect(() => createPurposeful({ purposes, schemas: [], receipts: signer } as never)).toThrow(/encryption\.receipts/);
    expect(() => createPurposeful({ purposes, schemas: [], consentTimeout: 10 } as never)).toThrow(
      /unknown option "consentTimeout"/,
    );
    expect(() => createPurposeful({ purposes, schemas: [], encryption: { reciepts: signer } } as never)).toThrow(
      /unknown option "reciepts" in encryption/,
    );
    expect(() => createPurposeful({ purposes, schemas: [], encryption: 'xc20' } as never)).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    // every documented option is still taken
    expect(() =>
      createPurposeful({
        purposes,
        schemas: [],
        encryption: { receipts: signer, indexBits: 64 },
        consentTimeoutMs: 10,
        consent,
      }),
    ).not.toThrow();
  });

  it('shred() without a receipts signer names the option where it lives (encryption.receipts)', async () => {
    const shredder = createPurposeful({ purposes, schemas: [Customer], ...needed() });
    await expect(shredder.shred(customer.id)).rejects.toThrow(/createPurposeful\(\{ encryption: \{ receipts/);
  });

  it('a schema from another registry', () => {
    const other = definePurposes(
      {
        'support.ticket': {
          description: 'Answer the customer about their request',
          legalBasis: { lgpd: 'contract' },
          retention: 'P1Y',
        },
      },
      { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'd@example.com' } } },
    );
    expect(() => createPurposeful({ purposes: other, schemas: [Customer as never] })).toThrow(/another purposes registry/);
  });

  it('a jurisdiction in force that a purpose has no basis under', () => {
    const lgpdOnly = definePurposes(
      {
        'support.ticket': {
          description: 'Answer the customer about their request',
          legalBasis: { lgpd: 'contract' },
          retention: 'P1Y',
        },
      },
      { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'd@example.com' } } },
    );
    let err: unknown;
    try {
      createPurposeful({ purposes: lgpdOnly, schemas: [], jurisdictions: ['lgpd', 'gdpr'] });
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.code).toBe('PF_DECLARATION_INVALID');
    expect(isPurposefulError(err) && err.problems.map((p) => p.code)).toEqual(['PF_DECL_LEGAL_BASIS_MISSING']);
  });

  it('errors are recognised across copies by their code, and serialize without values', () => {
    const e = new PurposefulError('PF_UNDECLARED_FIELD', 'fields not declared: cpf', { paths: ['cpf'] });
    const copy = JSON.parse(JSON.stringify(e));
    expect(copy).toEqual({
      name: 'PurposefulError',
      code: 'PF_UNDECLARED_FIELD',
      status: 400,
      message: 'fields not declared: cpf',
      paths: ['cpf'],
    });
    expect(isPurposefulError({ ...copy })).toBe(true);
    expect(isPurposefulError(new Error('x'))).toBe(false);
    expect(isPurposefulError({ name: 'PurposefulError', code: 'NOPE' })).toBe(false);
  });
});

describe('errors that teach: the message says what to fix, never a personal value', () => {
  it('LGPD Art. 6 I: a declaration error names the first problem, its text and its file:line in err.message', () => {
    let err: unknown;
    try {
      defineSchema('teach', z.object({ name: pd(z.string(), { category: 'user.name', purposes: ['suport.ticket' as never] }) }), {
        purposes,
      });
    } catch (e) {
      err = e;
    }
    if (!isPurposefulError(err)) throw new Error('expected a PurposefulError');
    expect(err.code).toBe('PF_DECLARATION_INVALID');
    const first = err.problems.find((p) => p.severity === 'error');
    expect(first?.code).toBe('PF_DECL_UNKNOWN_PURPOSE');
    expect(err.message).toContain('PF_DECL_UNKNOWN_PURPOSE at name');
    expect(err.message).toContain(first?.message);
    expect(err.message).toMatch(/engine\.test\.ts:\d+:\d+/);
  });

  it('LGPD Art. 6 I: definePurposes names the first problem and where the registry was declared; the rest stay in problems', () => {
    let err: unknown;
    try {
      definePurposes({ 'support.vague': { description: 'help' } as never });
    } catch (e) {
      err = e;
    }
    if (!isPurposefulError(err)) throw new Error('expected a PurposefulError');
    const errors = err.problems.filter((p) => p.severity === 'error');
    expect(errors.length).toBeGreaterThan(1);
    expect(err.message).toContain(`${errors[0]?.code} at support.vague`);
    expect(err.message).toContain(errors[0]?.message);
    expect(err.message).toMatch(/engine\.test\.ts:\d+:\d+/);
    expect(err.message).toContain(`and ${errors.length - 1} more`);
  });

  it('LGPD Art. 6 I: PF_PURPOSE_UNKNOWN names the purpose received and the closest declared one', async () => {
    const err = await caught(pf.outbound(Customer, customer, { purpose: 'suport.ticket' as never, actor: agent }));
    expect(err.code).toBe('PF_PURPOSE_UNKNOWN');
    expect(err.message).toContain('purpose "suport.ticket" is not declared');
    expect(err.message).toContain('did you mean "support.ticket"?');
    // a string near no declared purpose is not repeated (it may be a value); the declared ones are listed
    const far = await caught(pf.outbound(Customer, customer, { purpose: 'marketing.blast' as never, actor: agent }));
    expect(far.message).not.toContain('marketing.blast');
    expect(far.message).not.toContain('did you mean');
    expect(far.message).toContain('"support.ticket"');
  });

  it('LGPD Art. 6 I: PF_PURPOSE_UNKNOWN repeats only a likely typo of a purpose id; a value in its place is never repeated', async () => {
    const hostile = `evil\u001b[31m\n\u202e${'x'.repeat(500)}`;
    const err = await caught(pf.outbound(Customer, customer, { purpose: hostile as never, actor: agent }));
    expect(err.code).toBe('PF_PURPOSE_UNKNOWN');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is that none are left
    expect(err.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(err.message).not.toContain('evil');
    expect(err.message).toContain('not repeated');
    for (const value of PERSONAL_VALUES) {
      const e = await caught(pf.outbound(Customer, customer, { purpose: value as never, actor: agent }));
      expect(e.code).toBe('PF_PURPOSE_UNKNOWN');
      expect(e.message).not.toContain(value);
    }
    const long = await caught(pf.outbound(Customer, customer, { purpose: `support.${'x'.repeat(500)}` as never, actor: agent }));
    expect(long.message).not.toContain('x'.repeat(20));
  });

  it('PF_SCHEMA_UNKNOWN names the schema and says to add it to schemas', async () => {
    const other = createPurposeful({ purposes, schemas: [Ticket], ...needed() });
    const err = await caught(other.outbound(Customer, customer, ticketCtx));
    expect(err.code).toBe('PF_SCHEMA_UNKNOWN');
    expect(err.message).toContain(`schema "${Customer.id}"`);
    expect(err.message).toContain('createPurposeful({ schemas');
    for (const v of PERSONAL_VALUES) expect(err.message).not.toContain(v);
  });
});
