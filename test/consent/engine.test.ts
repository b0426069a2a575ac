import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  type ConsentLedger,
  createPurposeful,
  definePurposes,
  defineSchema,
  memoryConsentLedger,
  type NoticeChange,
  type PurposeDeclaration,
  pd,
} from '../../src/index.js';
import { purposes as contractOnly, testKeys } from '../helpers/fixtures.js';

const hash = 'd'.repeat(64);
const survey = { purpose: 'support.survey', actor: { id: 'survey-bot' } } as const;
const grant = (ledger: ConsentLedger, over: object = {}) =>
  ledger.grant({
    subject: sampleCustomer.id,
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
    const e = err as { code?: string; message?: string; status?: number };
    expect(String(e.message)).not.toMatch(/joao|João|529\.982/);
    return e.code ?? String(err);
  }
  return 'allowed';
}

describe('consent checks in the engine', () => {
  it('refuses without consent, allows after a grant, refuses again after a withdrawal', async () => {
    const consent = memoryConsentLedger(purposes);
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent });
    const denied = await pf
      .outbound(Customer, sampleCustomer, survey)
      .catch((e: unknown) => e as { code: string; reason: string; purpose: string });
    expect(denied).toMatchObject({ code: 'PF_CONSENT_REQUIRED', reason: 'none', purpose: 'support.survey' });
    await grant(consent);
    expect(await codeOf(pf.outbound(Customer, sampleCustomer, survey))).toBe('allowed');
    expect(
      await codeOf(pf.inbound(Customer, { id: sampleCustomer.id, channel: 'chat', email: sampleCustomer.email }, survey)),
    ).toBe('allowed');
    await consent.withdraw(sampleCustomer.id, 'support.survey');
    expect(await codeOf(pf.outbound(Customer, sampleCustomer, survey))).toBe('PF_CONSENT_REQUIRED');
    expect(
      await codeOf(pf.inbound(Customer, { id: sampleCustomer.id, channel: 'chat', email: sampleCustomer.email }, survey)),
    ).toBe('PF_CONSENT_REQUIRED');
  });

  it('purposes that do not rest on consent need no ledger; schemas with fields for one that does need it at creation', async () => {
    // fail at creation, not with PF_CONSENT_UNAVAILABLE at the first request for the consent purpose
    expect(() => createPurposeful({ ...testKeys(), purposes, schemas: [Customer] })).toThrow(
      expect.objectContaining({ code: 'PF_CONSENT_LEDGER_MISSING', purpose: 'support.survey', schema: 'customer' }),
    );
    const Note = defineSchema(
      'note',
      z.object({ id: pd.none(z.string()), name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }),
      { purposes: contractOnly },
    );
    const pf = createPurposeful({ purposes: contractOnly, schemas: [Note] });
    expect(await codeOf(pf.outbound(Note, { id: 'n1', name: 'Ana' }, { purpose: 'support.ticket', actor: { id: 'a' } }))).toBe(
      'allowed',
    );
  });

  it('fails closed when the ledger errors or does not answer in time', async () => {
    const failing: ConsentLedger = {
      ...memoryConsentLedger(purposes),
      status: async () => Promise.reject(new Error('connection refused')),
    };
    const hanging: ConsentLedger = { ...memoryConsentLedger(purposes), status: () => new Promise(() => undefined) };
    const err = await createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent: failing })
      .outbound(Customer, sampleCustomer, survey)
      .catch((e: unknown) => e as { code: string; status: number; purpose: string });
    expect(err).toMatchObject({ code: 'PF_CONSENT_UNAVAILABLE', status: 503, purpose: 'support.survey' });
    const slow = createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent: hanging, consentTimeoutMs: 30 });
    expect(await codeOf(slow.outbound(Customer, sampleCustomer, survey))).toBe('PF_CONSENT_UNAVAILABLE');
  });

  it('a grant ends when it expires', async () => {
    const consent = memoryConsentLedger(purposes);
    await grant(consent, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(
      await codeOf(
        createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent }).outbound(Customer, sampleCustomer, survey),
      ),
    ).toBe('PF_CONSENT_REQUIRED');
  });

  it('a grant that was in force reads as expired once its time has passed (the synchronous in-memory answer too)', async () => {
    const consent = memoryConsentLedger(purposes);
    const start = Date.now();
    await grant(consent, { expiresAt: new Date(start + 60_000).toISOString() });
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent });
    await expect(pf.outbound(Customer, sampleCustomer, survey)).resolves.toBeDefined();
    vi.useFakeTimers({ now: start + 61_000, toFake: ['Date'] });
    try {
      expect(await codeOf(pf.outbound(Customer, sampleCustomer, survey))).toBe('PF_CONSENT_REQUIRED');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a material notice change invalidates earlier grants; a non-material one keeps them and tells the hook', async () => {
    const consent = memoryConsentLedger(purposes);
    await grant(consent);
    const bump = (material: boolean) => {
      const declarations = Object.fromEntries(
        purposes.ids.map((id) => [id, purposes.get(id)?.declaration as PurposeDeclaration]),
      );
      const surveyDecl = declarations['support.survey'] as PurposeDeclaration;
      declarations['support.survey'] = {
        ...surveyDecl,
        notice: { version: '2027-01-01', url: 'https://example.com/privacy#survey', material },
      };
      const next = definePurposes(declarations, { controller: purposes.controller });
      const schema = defineSchema('customer', Customer.zod, {
        purposes: next,
        subject: { kind: 'customer', id: 'id' },
        recordId: 'id',
      });
      return { next, schema };
    };
    const material = bump(true);
    const pfMaterial = createPurposeful({ ...testKeys(), purposes: material.next, schemas: [material.schema], consent });
    expect(await codeOf(pfMaterial.outbound(material.schema, sampleCustomer, survey))).toBe('PF_CONSENT_STALE_NOTICE');
    const minor = bump(false);
    const changes: NoticeChange[] = [];
    const pfMinor = createPurposeful({
      ...testKeys(),
      purposes: minor.next,
      schemas: [minor.schema],
      consent,
      onNoticeChange: (c) => void changes.push(c),
    });
    expect(await codeOf(pfMinor.outbound(minor.schema, sampleCustomer, survey))).toBe('allowed');
    expect(changes).toEqual([
      { subject: sampleCustomer.id, purpose: 'support.survey', grantedFor: '2026-11-01', current: '2027-01-01' },
    ]);
  });

  it('LGPD Art. 11 I, Art. 14 §1; GDPR Art. 9(2)(a): sensitive data needs highlighted consent, and a possible minor a guardian', async () => {
    const notHighlighted: ConsentLedger = {
      ...memoryConsentLedger(purposes),
      status: async (subject, list) =>
        new Map(
          list.map((purpose) => [
            purpose,
            {
              subject,
              purpose,
              status: 'granted' as const,
              event: {
                id: 'e',
                sequence: 1,
                subject,
                purpose,
                type: 'granted' as const,
                at: '2026-11-01T00:00:00Z',
                notice: { version: '2026-11-01', hash },
              },
            },
          ]),
        ),
    };
    const access = { purpose: 'support.accessibility', actor: { id: 'agent', roles: ['support'], mfa: true } } as const;
    expect(
      await codeOf(
        createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent: notHighlighted }).outbound(
          Customer,
          sampleCustomer,
          access,
        ),
      ),
    ).toBe('PF_CONSENT_REQUIRED');

    const Kid = defineSchema(
      'kid',
      z.object({ id: z.string(), email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.survey'] }) }),
      { purposes, subject: { kind: 'customer', id: 'id', minors: 'possible' } },
    );
    const consent = memoryConsentLedger(purposes);
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Kid], consent });
    const child = { id: 'kid-1', email: 'kid@example.com' };
    await consent.grant({
      subject: 'kid-1',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash },
      method: 'checkbox',
      collectionPoint: 'app',
    });
    expect(await codeOf(pf.outbound(Kid, child, { ...survey, subjectAge: 10 }))).toBe('PF_CONSENT_REQUIRED');
    expect(await codeOf(pf.outbound(Kid, child, { ...survey, subjectAge: 30 }))).toBe('allowed');
    await consent.grant({
      subject: 'kid-1',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash },
      method: 'form',
      collectionPoint: 'app',
      highlighted: true, // LGPD Art. 14 §1: the guardian's consent is specific and highlighted
      guardian: { reference: 'parent-1', verification: 'document-check' },
    });
    expect(await codeOf(pf.outbound(Kid, child, { ...survey, subjectAge: 10 }))).toBe('allowed');
  });

  it('a consent check needs the subject', async () => {
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent: memoryConsentLedger(purposes) });
    const { id: _id, ...anonymous } = sampleCustomer;
    expect(await codeOf(pf.outbound(Customer, anonymous, survey))).toBe('PF_SUBJECT_MISSING');
  });

  it('options are checked once', () => {
    expect(() => createPurposeful({ ...testKeys(), purposes, schemas: [], consentTimeoutMs: 0 })).toThrow(/consentTimeoutMs/);
    expect(() => createPurposeful({ ...testKeys(), purposes, schemas: [], consent: {} as never })).toThrow(/consent ledger/);
    expect(() => createPurposeful({ ...testKeys(), purposes, schemas: [], gdprDigitalConsentAge: 12 })).toThrow(/13 to 16/);
  });
});
