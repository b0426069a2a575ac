/**
 * `pf.inbound(schema, data, ctx, { partial: true })`: the fields an update changes, checked as a whole record's
 * would be, none required, no default filled in.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Customer, purposes, Ticket } from '../examples/support-desk/declarations.js';
import {
  createAccessLog,
  createPurposeful,
  defineSchema,
  generateKeyring,
  type Inbound,
  isPurposefulError,
  memoryAccessLogSink,
  memoryConsentLedger,
  memoryKeyStore,
  type PurposefulError,
  pd,
} from '../src/index.js';

const consent = memoryConsentLedger(purposes);
const pf = createPurposeful({
  purposes,
  schemas: [Customer, Ticket],
  pseudonymKey: new Uint8Array(32).fill(7),
  keys: generateKeyring(),
  keyStore: memoryKeyStore(),
  consent,
});
const agent = { id: 'agent-7', roles: ['support'] };
const ticketCtx = { purpose: 'support.ticket', actor: agent } as const;
const SUBJECT = '0b7e4c1a-2f3d-4e5f-8a9b-1c2d3e4f5a6b';

async function refusal(p: Promise<unknown>, values: readonly string[] = []): Promise<PurposefulError> {
  try {
    await p;
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    const text = JSON.stringify(err) + err.message;
    for (const v of values) expect(text, 'an error must never carry a personal value').not.toContain(v);
    return err;
  }
  throw new Error('expected a refusal');
}

describe('pf.inbound(…, { partial: true })', () => {
  it('checks the fields given and requires none of the others', async () => {
    const change = await pf.inbound(Customer, { email: 'novo@example.com' }, ticketCtx, { partial: true });
    expect(change).toEqual({ email: 'novo@example.com' });
    // the same data as a whole record is refused: the required fields are missing
    const whole = await refusal(pf.inbound(Customer, { email: 'novo@example.com' }, ticketCtx));
    expect(whole.code).toBe('PF_VALIDATION_FAILED');
  });

  it('refuses a field not declared for the purpose, naming the path and never the value', async () => {
    const err = await refusal(pf.inbound(Customer, { accessibility: 'cadeira de rodas' }, ticketCtx, { partial: true }), [
      'cadeira de rodas',
    ]);
    expect(err.code).toBe('PF_UNDECLARED_FIELD');
    expect(err.message).toContain('accessibility');
  });

  it('validates each field given', async () => {
    const err = await refusal(pf.inbound(Customer, { email: 'not an email' }, ticketCtx, { partial: true }), ['not an email']);
    expect(err.code).toBe('PF_VALIDATION_FAILED');
    expect(err.paths).toEqual(['email']);
    // a field present as undefined is a field left out
    expect(await pf.inbound(Customer, { phone: undefined }, ticketCtx, { partial: true })).toEqual({});
  });

  it('redacts free text as inbound does', async () => {
    const change = await pf.inbound(Ticket, { subject: 'Meu CPF é 529.982.247-25' }, ticketCtx, { partial: true });
    expect(change.subject).not.toContain('529.982.247-25');
    expect(Object.keys(change)).toEqual(['subject']);
  });

  it('checks consent for a purpose on consent', async () => {
    const accessibility = {
      purpose: 'support.accessibility',
      actor: { id: 'agent-7', roles: ['support'], mfa: true },
      subjectId: SUBJECT,
    } as const;
    const err = await refusal(pf.inbound(Customer, { accessibility: 'baixa visão' }, accessibility, { partial: true }), [
      'baixa visão',
    ]);
    expect(err.code).toBe('PF_CONSENT_REQUIRED');
    await consent.grant({
      subject: SUBJECT,
      purpose: 'support.accessibility',
      notice: { version: '2026-11-01', hash: 'c'.repeat(64) },
      method: 'form',
      collectionPoint: 'app/settings/accessibility',
      highlighted: true,
    });
    expect(await pf.inbound(Customer, { accessibility: 'baixa visão' }, accessibility, { partial: true })).toEqual({
      accessibility: 'baixa visão',
    });
  });

  it('fills in no declared default and runs no refinement of the whole record', async () => {
    const Profile = defineSchema(
      'profile',
      z
        .object({
          id: pd.none(z.string()),
          nickname: pd(z.string().default('anon'), { category: 'user.name', purposes: ['support.ticket'] }),
          email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
        })
        .refine((p) => p.nickname !== p.email, { message: 'nickname equal to email' }),
      { purposes },
    );
    const engine = createPurposeful({ purposes, schemas: [Profile], pseudonymKey: new Uint8Array(32).fill(3) });
    expect(await engine.inbound(Profile, { email: 'a@example.com' }, ticketCtx, { partial: true })).toEqual({
      email: 'a@example.com',
    });
    // whole, the default is filled in and the refinement runs
    expect(await engine.inbound(Profile, { id: '1', email: 'a@example.com' }, ticketCtx)).toEqual({
      id: '1',
      nickname: 'anon',
      email: 'a@example.com',
    });
    const refined = await refusal(
      engine.inbound(Profile, { id: '1', nickname: 'a@example.com', email: 'a@example.com' }, ticketCtx),
    );
    expect(refined.code).toBe('PF_VALIDATION_FAILED');
  });

  it('refuses input that is not an object', async () => {
    for (const bad of [null, 'x', 42, ['a']]) {
      const err = await refusal(pf.inbound(Customer, bad, ticketCtx, { partial: true }));
      expect(['PF_INPUT_INVALID', 'PF_VALIDATION_FAILED']).toContain(err.code);
    }
  });

  it('is an inbound event in the access log', async () => {
    const sink = memoryAccessLogSink();
    const log = createAccessLog({ sink, subjectKey: new Uint8Array(32).fill(5) });
    const logged = createPurposeful({
      purposes,
      schemas: [Customer],
      pseudonymKey: new Uint8Array(32).fill(7),
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      consent,
      audit: log,
    });
    await logged.inbound(Customer, { name: 'Ana' }, { ...ticketCtx, subjectId: SUBJECT }, { partial: true });
    await expect(logged.inbound(Customer, { email: 'not an email' }, ticketCtx, { partial: true })).rejects.toThrow();
    await log.flush();
    expect(sink.events.map((e) => [e.action, e.decision, e.reason])).toEqual([
      ['inbound', 'allow', undefined],
      ['inbound', 'deny', 'PF_VALIDATION_FAILED'],
    ]);
    expect(sink.events[0]?.subject).toBe(log.subjectRef(SUBJECT));
    expect(JSON.stringify(sink.events)).not.toContain('Ana');
  });

  it('types the result as a Partial of the whole inbound', async () => {
    const change = await pf.inbound(Customer, {}, ticketCtx, { partial: true });
    expectTypeOf(change).toEqualTypeOf<Partial<Inbound<typeof Customer, 'support.ticket'>>>();
    const whole = await pf.inbound(Customer, { id: SUBJECT, channel: 'chat', name: 'A', cpf: 'x', email: 'a@b.co' }, ticketCtx);
    expectTypeOf(whole).toEqualTypeOf<Inbound<typeof Customer, 'support.ticket'>>();
  });

  it('accepts any subset of a valid record and returns exactly that subset', async () => {
    const record = {
      channel: 'chat',
      name: 'Ana Souza',
      cpf: '529.982.247-25',
      email: 'ana@example.com',
      phone: '+55 11 98765-4321',
    } as const;
    await fc.assert(
      fc.asyncProperty(fc.subarray(Object.keys(record) as (keyof typeof record)[]), async (keys) => {
        const given = Object.fromEntries(keys.map((k) => [k, record[k]]));
        expect(await pf.inbound(Customer, given, ticketCtx, { partial: true })).toEqual(given);
      }),
      { numRuns: 50 },
    );
  });
});
