import { describe, expect, expectTypeOf, it } from 'vitest';
import { Customer, purposes, type Ticket } from '../../examples/support-desk/declarations.js';
import {
  createPurposeful,
  generateKeyring,
  type Inbound,
  memoryConsentLedger,
  memoryKeyStore,
  type Outbound,
} from '../../src/index.js';

// These tests are checked by `npm run typecheck` (tsc over test/): a type that
// let a hidden field through would fail the @ts-expect-error lines.

describe('types follow purposes', () => {
  it('Outbound removes what the purpose may not see, and masks become strings', () => {
    type View = Outbound<typeof Customer, 'support.ticket'>;
    expectTypeOf<View>().toEqualTypeOf<{
      id: string;
      channel: 'chat' | 'email';
      name: string;
      cpf: string;
      email: string;
      phone?: string | undefined;
      address?: { city: string; postalCode: string } | undefined;
    }>();
    const v = {} as View;
    // @ts-expect-error accessibility is not for support.ticket
    v.accessibility;
    expect(true).toBe(true);
  });

  it('a purpose that sees little gets a small type', () => {
    type Survey = Outbound<typeof Customer, 'support.survey'>;
    expectTypeOf<Survey>().toEqualTypeOf<{ id: string; channel: 'chat' | 'email'; email: string }>();
    type Churn = Outbound<typeof Ticket, 'analytics.churn'>;
    expectTypeOf<Churn>().toEqualTypeOf<{
      id: string;
      customerId: string;
      status: 'open' | 'waiting' | 'closed';
      messages: { from: 'customer' | 'agent' }[];
      satisfaction?: number | undefined;
    }>();
  });

  it('Inbound keeps the declared fields with their parsed types', () => {
    type In = Inbound<typeof Customer, 'billing.invoice'>;
    expectTypeOf<In>().toEqualTypeOf<{
      id: string;
      channel: 'chat' | 'email';
      name: string;
      cpf: string;
      address?: { city: string; postalCode: string } | undefined;
    }>();
  });

  it('the engine methods return the narrowed types', async () => {
    const pf = createPurposeful({
      purposes,
      schemas: [Customer],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      consent: memoryConsentLedger(purposes),
    });
    const run = () => pf.outbound(Customer, {}, { purpose: 'support.survey', actor: { id: 'x' } });
    expectTypeOf<Awaited<ReturnType<typeof run>>>().toEqualTypeOf<Outbound<typeof Customer, 'support.survey'>>();
    // @ts-expect-error an undeclared purpose does not type-check
    const bad = () => pf.outbound(Customer, {}, { purpose: 'marketing.all', actor: { id: 'x' } });
    expect(typeof bad).toBe('function');
  });
});
