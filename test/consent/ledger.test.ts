import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes } from '../../examples/support-desk/declarations.js';
import { type ConsentGrant, memoryConsentLedger } from '../../src/index.js';

const hash = 'a'.repeat(64);
const survey = (over: Partial<ConsentGrant> = {}): ConsentGrant => ({
  subject: 'c-1',
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash },
  method: 'checkbox',
  collectionPoint: 'app/ticket-closed',
  ...over,
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    expect(String(e.message)).not.toContain('c-1-secret');
    return e.code ?? String(err);
  }
  return 'no error';
}

describe('the consent ledger', () => {
  it('the state is the latest event; history is kept whole and ordered', async () => {
    const ledger = memoryConsentLedger(purposes);
    expect((await ledger.status('c-1', ['support.survey'])).get('support.survey')?.status).toBe('none');
    const g = await ledger.grant(survey({ evidence: { formId: 'f-7' } }));
    expect(g).toMatchObject({ type: 'granted', sequence: 1, notice: { version: '2026-11-01', hash }, method: 'checkbox' });
    expect((await ledger.status('c-1', ['support.survey', 'support.accessibility'])).get('support.survey')?.status).toBe(
      'granted',
    );
    await ledger.withdraw('c-1', 'support.survey');
    const states = await ledger.status('c-1', ['support.survey', 'support.accessibility']);
    expect(states.get('support.survey')?.status).toBe('withdrawn');
    expect(states.get('support.accessibility')?.status).toBe('none');
    const history = await ledger.history('c-1', 'support.survey');
    expect(history.map((e) => [e.sequence, e.type])).toEqual([
      [1, 'granted'],
      [2, 'withdrawn'],
    ]);
    expect(Object.isFrozen(history[0])).toBe(true);
  });

  it('a grant with an end date reads as expired once it has passed', async () => {
    const ledger = memoryConsentLedger(purposes);
    await ledger.grant(survey({ expiresAt: '2027-01-01T00:00:00Z' }));
    expect((await ledger.status('c-1', ['support.survey'], new Date('2026-12-31T00:00:00Z'))).get('support.survey')?.status).toBe(
      'granted',
    );
    expect((await ledger.status('c-1', ['support.survey'], new Date('2027-01-01T00:00:00Z'))).get('support.survey')?.status).toBe(
      'expired',
    );
  });

  it('refuses grants for purposes that do not rest on consent, unknown purposes, stale notices and malformed evidence', async () => {
    const ledger = memoryConsentLedger(purposes);
    expect(await codeOf(ledger.grant(survey({ purpose: 'support.ticket' })))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(ledger.grant(survey({ purpose: 'marketing.everything' })))).toBe('PF_PURPOSE_UNKNOWN');
    expect(await codeOf(ledger.grant(survey({ notice: { version: '2025-01-01', hash } })))).toBe('PF_CONSENT_STALE_NOTICE');
    expect(await codeOf(ledger.grant(survey({ notice: { version: '2026-11-01', hash: 'not-a-hash' } })))).toBe(
      'PF_CONSENT_INVALID',
    );
    expect(await codeOf(ledger.grant(survey({ method: 'telepathy' as never })))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(ledger.grant(survey({ subject: '' })))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(ledger.grant(survey({ at: 'yesterday' })))).toBe('PF_CONSENT_INVALID');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await codeOf(ledger.grant(survey({ evidence: cyclic })))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(ledger.withdraw('c-1', 'billing.invoice'))).toBe('PF_CONSENT_INVALID');
    expect(await ledger.history('c-1')).toEqual([]);
  });

  it('sensitive data needs specific, highlighted consent (LGPD Art. 11 I); a guardian can be recorded', async () => {
    const ledger = memoryConsentLedger(purposes);
    const accessibility = survey({ purpose: 'support.accessibility', collectionPoint: 'app/settings/accessibility' });
    expect(await codeOf(ledger.grant(accessibility))).toBe('PF_CONSENT_INVALID');
    const ok = await ledger.grant({
      ...accessibility,
      highlighted: true,
      guardian: { reference: 'g-9', verification: 'document-check' },
    });
    expect(ok).toMatchObject({ highlighted: true, guardian: { reference: 'g-9', verification: 'document-check' } });
    expect(
      await codeOf(ledger.grant({ ...accessibility, highlighted: true, guardian: { reference: '', verification: 'x' } })),
    ).toBe('PF_CONSENT_INVALID');
  });

  it('withdrawal is always possible, even without a grant', async () => {
    const ledger = memoryConsentLedger(purposes);
    const w = await ledger.withdraw('c-2', 'support.survey', { method: 'email', collectionPoint: 'dpo-mailbox' });
    expect(w).toMatchObject({ type: 'withdrawn', sequence: 1, method: 'email' });
    expect((await ledger.status('c-2', ['support.survey'])).get('support.survey')?.status).toBe('withdrawn');
  });

  it('for any sequence of grants and withdrawals, the state is the last one and nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (ops) => {
        const ledger = memoryConsentLedger(purposes);
        for (const grant of ops) {
          if (grant) await ledger.grant(survey());
          else await ledger.withdraw('c-1', 'support.survey');
        }
        const history = await ledger.history('c-1', 'support.survey');
        expect(history.map((e) => e.type)).toEqual(ops.map((g) => (g ? 'granted' : 'withdrawn')));
        expect(history.map((e) => e.sequence)).toEqual(ops.map((_, i) => i + 1));
        const last = ops[ops.length - 1] ? 'granted' : 'withdrawn';
        expect((await ledger.status('c-1', ['support.survey'])).get('support.survey')?.status).toBe(last);
      }),
      { numRuns: 100 },
    );
  });

  it('memoryConsentLedger without a purposes registry is refused when it is created (PF_OPTIONS_INVALID), not at the first grant', () => {
    for (const bad of [undefined, null, {}, { ids: [] }, { get: () => undefined }, 'purposes']) {
      expect(() => memoryConsentLedger(bad as never)).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    }
  });

  it("a subject's history keeps each purpose in sequence order, so its latest act is the one in force, whatever times the caller gave", async () => {
    const ledger = memoryConsentLedger(purposes);
    await ledger.grant(survey({ at: '2026-12-01T10:00:00.000Z' }));
    await ledger.withdraw('c-1', 'support.survey', { at: '2026-12-01T09:00:00.000Z' }); // dated before the grant it follows
    const all = await ledger.history('c-1');
    expect(all.map((e) => [e.sequence, e.type])).toEqual([
      [1, 'granted'],
      [2, 'withdrawn'],
    ]);
    expect((await ledger.status('c-1', ['support.survey'])).get('support.survey')?.status).toBe(all.at(-1)?.type);
  });

  it('for any events with any caller times, history and status agree per purpose', async () => {
    const purposesUsed = ['support.survey', 'support.accessibility'] as const;
    const op = fc.record({
      purpose: fc.constantFrom(...purposesUsed),
      grant: fc.boolean(),
      at: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const ledger = memoryConsentLedger(purposes);
        for (const o of ops) {
          const at = o.at === undefined ? undefined : new Date(Date.UTC(2026, 0, 1) + o.at * 60_000).toISOString();
          if (o.grant) {
            const extra = o.purpose === 'support.accessibility' ? { highlighted: true } : {};
            await ledger.grant(survey({ purpose: o.purpose, at, ...extra })).catch((e: { code?: string }) => {
              expect(e.code).toBe('PF_CONSENT_INVALID'); // dated before the latest withdrawal: refused
            });
          } else await ledger.withdraw('c-1', o.purpose, at ? { at } : {});
        }
        const all = await ledger.history('c-1');
        const states = await ledger.status('c-1', [...purposesUsed]);
        for (const p of purposesUsed) {
          const mine = all.filter((e) => e.purpose === p);
          expect(mine).toEqual(await ledger.history('c-1', p));
          expect(mine.map((e) => e.sequence)).toEqual(mine.map((_, i) => i + 1));
          expect(states.get(p)?.status).toBe(mine.at(-1)?.type ?? 'none');
        }
      }),
      { numRuns: 100 },
    );
  });
});
