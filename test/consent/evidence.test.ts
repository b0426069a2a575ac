/** Consent evidence claims no more than it holds: receipts, children, written consent, sharing with other controllers. */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  type ConsentEvent,
  type ConsentGrant,
  type ConsentLedger,
  consentReceipt,
  createPurposeful,
  type DeclarationProblem,
  definePurposes,
  defineSchema,
  isPurposefulError,
  memoryConsentLedger,
  type PurposeDeclaration,
  pd,
  verifyReceipt,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';

const hash = 'f'.repeat(64);
const controller = { name: 'ACME Ltda', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } };

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid: 'platform-1', alg: 'EdDSA' };
  return {
    privateKey,
    signer: { key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'platform-1', issuer: 'https://example.com' } as const,
    jwks: { keys: [pub] },
  };
}

/** The error a promise rejects with (code, reason, article), or 'allowed'. */
async function outcome(p: Promise<unknown>): Promise<{ code: string; reason?: string; article?: string } | 'allowed'> {
  try {
    await p;
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    expect(err.message).not.toMatch(/kid-1|parent-1|João/);
    return {
      code: err.code,
      ...(err.reason ? { reason: err.reason } : {}),
      ...(err.article ? { article: err.article } : {}),
    };
  }
  return 'allowed';
}

/** A receipt as another consent platform signs it: Kantara v1.1 fields, purposeful's notice claim, `extra` on top. */
async function platformReceipt(
  privateKey: CryptoKey,
  service: string,
  extra: Record<string, unknown>,
  sub = 'c-1',
): Promise<string> {
  return new SignJWT({
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'BR',
    consentTimestamp: Math.floor(Date.now() / 1000) - 60,
    collectionMethod: 'form',
    consentReceiptID: `r-${Math.random().toString(36).slice(2)}`,
    piiPrincipalId: sub,
    piiControllers: [],
    policyUrl: 'https://example.com/privacy',
    services: [{ service, purposes: [{ purpose: 'x', consentType: 'EXPLICIT', termination: 'P2Y' }] }],
    spiCat: [],
    notice: { version: '2026-11-01', hash },
    ...extra,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'platform-1' })
    .setSubject(sub)
    .setIssuedAt()
    .sign(privateKey);
}

/** A ledger answering with one stored event, as a ledger written before these checks existed may hold. */
function storedEvent(fields: Partial<ConsentEvent>): ConsentLedger {
  return {
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
              method: 'checkbox' as const,
              ...fields,
            },
          },
        ]),
      ),
  };
}

const survey = (over: Partial<ConsentGrant> = {}): ConsentGrant => ({
  subject: 'kid-1',
  purpose: 'support.survey',
  notice: { version: '2026-11-01', hash },
  method: 'checkbox',
  collectionPoint: 'app/ticket-closed',
  ...over,
});

describe('consent receipts claim no more than the grant holds', () => {
  it('LGPD Art. 11 I; GDPR Art. 9(2)(a): verifyReceipt does not derive highlighted consent from the sensitive flag', async () => {
    const { privateKey, jwks } = await keys();
    const token = await platformReceipt(privateKey, 'support.accessibility', { sensitive: true, spiCat: ['health'] });
    const receipt = await verifyReceipt(token, jwks);
    expect(receipt.grant.highlighted).not.toBe(true);
    // a sensitive purpose only takes highlighted consent: this receipt does not prove it
    expect(await outcome(memoryConsentLedger(purposes).recordFromReceipt(receipt))).toMatchObject({
      code: 'PF_CONSENT_INVALID',
    });
  });

  it('LGPD Art. 11 I, Art. 8 §2: a receipt carries an explicit highlighted claim, and the grant it stands for keeps it', async () => {
    const { signer, jwks } = await keys();
    const ledger = memoryConsentLedger(purposes);
    const highlighted = await ledger.grant({
      ...survey({ subject: 'c-1' }),
      purpose: 'support.accessibility',
      method: 'form',
      highlighted: true,
    });
    const plain = await ledger.grant(survey({ subject: 'c-1' }));
    const a = await verifyReceipt(await consentReceipt(highlighted, { purposes, schemas: [Customer], signer }), jwks);
    expect(a.claims).toMatchObject({ receiptVersion: 2, highlighted: true, sensitive: true });
    expect(a.grant.highlighted).toBe(true);
    const b = await verifyReceipt(await consentReceipt(plain, { purposes, schemas: [Customer], signer }), jwks);
    expect(b.claims).toMatchObject({ receiptVersion: 2, highlighted: false, sensitive: false });
    expect(b.grant.highlighted).toBe(false);
    const recorded = await memoryConsentLedger(purposes).recordFromReceipt(a);
    expect(recorded).toMatchObject({ purpose: 'support.accessibility', highlighted: true });
  });

  it('Kantara CR v1.1 §4.5.6; GDPR Art. 9(2)(a): consentType is EXPLICIT only for specific, highlighted consent, else it describes what was collected', async () => {
    const { signer, jwks } = await keys();
    const ledger = memoryConsentLedger(purposes);
    const plain = await ledger.grant(survey({ subject: 'c-2' }));
    const claims = (await verifyReceipt(await consentReceipt(plain, { purposes, signer }), jwks)).claims;
    const consentType = claims.services[0]?.purposes[0]?.consentType;
    expect(consentType).not.toBe('EXPLICIT');
    expect(consentType).toMatch(/checkbox/);
    expect(consentType).toMatch(/not .*highlighted/);
    const explicit = await ledger.grant({ ...survey({ subject: 'c-2' }), purpose: 'support.accessibility', highlighted: true });
    const explicitClaims = (await verifyReceipt(await consentReceipt(explicit, { purposes, signer }), jwks)).claims;
    expect(explicitClaims.services[0]?.purposes[0]?.consentType).toBe('EXPLICIT');
  });

  it('LGPD Art. 8 §5; GDPR Art. 7(3): termination says how to withdraw, not how long data is kept', async () => {
    const { signer, jwks } = await keys();
    const event = await memoryConsentLedger(purposes).grant(survey({ subject: 'c-3' }));
    const termination = (await verifyReceipt(await consentReceipt(event, { purposes, signer }), jwks)).claims.services[0]
      ?.purposes[0]?.termination;
    expect(termination).not.toBe('P6M');
    expect(termination).toMatch(/withdraw/i);
    expect(termination).toContain('dpo@example.com.br');
    expect(termination).toMatch(/Art\. 8 §5/);
    // a purpose may declare its own withdrawal route
    const own = definePurposes(
      {
        'support.survey': {
          description: 'Ask for satisfaction feedback after a ticket closes',
          legalBasis: { lgpd: 'consent' },
          notice: { version: '2026-11-01', withdrawal: 'https://example.com/settings/privacy' },
          retention: 'P6M',
        },
      },
      { controller },
    );
    const ownEvent = await memoryConsentLedger(own).grant(survey({ subject: 'c-3' }));
    const ownTermination = (await verifyReceipt(await consentReceipt(ownEvent, { purposes: own, signer }), jwks)).claims
      .services[0]?.purposes[0]?.termination;
    expect(ownTermination).toContain('https://example.com/settings/privacy');
  });

  it('LGPD Art. 8 §5, 41; GDPR Art. 7(3), 37: without a declared DPO, the receipt sends withdrawal to the controller and calls no one the DPO', async () => {
    const { signer, jwks } = await keys();
    const noDpo = definePurposes(
      {
        'support.survey': {
          description: 'Ask for satisfaction feedback after a ticket closes',
          legalBasis: { lgpd: 'consent' },
          notice: { version: '2026-11-01' },
          retention: 'P6M',
        },
      },
      { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.example' } },
    );
    const event = await memoryConsentLedger(noDpo).grant(survey({ subject: 'c-4' }));
    const termination = (await verifyReceipt(await consentReceipt(event, { purposes: noDpo, signer }), jwks)).claims.services[0]
      ?.purposes[0]?.termination;
    expect(termination).toContain('ask the controller at privacidade@acme.example');
    expect(termination).not.toMatch(/data protection officer|DPO|encarregad/i);
    // with a DPO declared, the route is the DPO's contact, named as such
    const withDpo = (
      await verifyReceipt(
        await consentReceipt(await memoryConsentLedger(purposes).grant(survey({ subject: 'c-4' })), { purposes, signer }),
        jwks,
      )
    ).claims.services[0]?.purposes[0]?.termination;
    expect(withDpo).toContain("the controller's data protection officer at dpo@example.com.br");
  });

  it('LGPD Art. 8 §2: a version-1 receipt (no receiptVersion claim) still verifies and records, without claiming highlighted consent', async () => {
    const { privateKey, jwks } = await keys();
    const v1 = await platformReceipt(privateKey, 'support.survey', { sensitive: false, collectionMethod: 'checkbox' });
    const receipt = await verifyReceipt(v1, jwks);
    expect(receipt.claims.receiptVersion).toBeUndefined();
    expect(receipt.grant.highlighted).toBeUndefined();
    expect(await memoryConsentLedger(purposes).recordFromReceipt(receipt)).toMatchObject({
      type: 'granted',
      purpose: 'support.survey',
    });
    // a version-1 receipt that says sensitive still proves nothing about highlighted consent
    const v1Sensitive = await verifyReceipt(
      await platformReceipt(privateKey, 'support.accessibility', { sensitive: true }),
      jwks,
    );
    expect(v1Sensitive.grant.highlighted).toBeUndefined();
  });

  it('LGPD Art. 8 §2: a version-2 receipt without its highlighted claim, or a later version, is refused', async () => {
    const { privateKey, jwks } = await keys();
    const missing = await platformReceipt(privateKey, 'support.survey', { sensitive: false, receiptVersion: 2 });
    expect(await outcome(verifyReceipt(missing, jwks))).toMatchObject({ code: 'PF_CONSENT_INVALID' });
    const future = await platformReceipt(privateKey, 'support.survey', {
      sensitive: false,
      receiptVersion: 3,
      highlighted: true,
    });
    expect(await outcome(verifyReceipt(future, jwks))).toMatchObject({ code: 'PF_CONSENT_INVALID' });
  });

  it("LGPD Art. 14 §1, §5: a receipt for a guardian's grant carries the guardian, and records as a guardian's highlighted grant", async () => {
    const { signer, jwks } = await keys();
    const event = await memoryConsentLedger(purposes).grant(
      survey({ highlighted: true, guardian: { reference: 'parent-1', verification: 'document-check' } }),
    );
    const receipt = await verifyReceipt(await consentReceipt(event, { purposes, signer }), jwks);
    expect(receipt.grant).toMatchObject({
      highlighted: true,
      guardian: { reference: 'parent-1', verification: 'document-check' },
    });
    expect(await memoryConsentLedger(purposes).recordFromReceipt(receipt)).toMatchObject({
      highlighted: true,
      guardian: { reference: 'parent-1', verification: 'document-check' },
    });
  });
});

describe("children's consent (LGPD Art. 14; GDPR Art. 8)", () => {
  const Kid = defineSchema(
    'kid',
    z.object({ id: z.string(), email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.survey'] }) }),
    { purposes, subject: { kind: 'customer', id: 'id', minors: 'possible' } },
  );
  const child = { id: 'kid-1', email: 'kid@example.com' };
  const ctx = { purpose: 'support.survey', actor: { id: 'survey-bot' }, subjectAge: 10 } as const;

  it("LGPD Art. 14 §1: the ledger refuses a guardian's grant that is not specific and highlighted", async () => {
    const ledger = memoryConsentLedger(purposes);
    const refused = await outcome(ledger.grant(survey({ guardian: { reference: 'parent-1', verification: 'document-check' } })));
    expect(refused).toMatchObject({ code: 'PF_CONSENT_INVALID', article: expect.stringMatching(/LGPD Art\. 14 §1/) });
    expect(await ledger.history('kid-1')).toEqual([]);
  });

  it("LGPD Art. 14 §1: the engine does not let a 10-year-old's data through on a guardian's grant that is not highlighted", async () => {
    const consent = memoryConsentLedger(purposes);
    await consent.grant(survey({ guardian: { reference: 'parent-1', verification: 'document-check' } })).catch(() => undefined);
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Kid], consent });
    expect(await outcome(pf.outbound(Kid, child, ctx))).toMatchObject({ code: 'PF_CONSENT_REQUIRED' });
    // an event stored before the ledger checked it is not trusted either
    const stored = storedEvent({ guardian: { reference: 'parent-1', verification: 'document-check' } });
    const old = createPurposeful({ ...testKeys(), purposes, schemas: [Kid], consent: stored });
    expect(await outcome(old.outbound(Kid, child, ctx))).toMatchObject({
      code: 'PF_CONSENT_REQUIRED',
      reason: 'not_highlighted',
      article: expect.stringMatching(/LGPD Art\. 14 §1/),
    });
    // the guardian's specific, highlighted consent lets it through
    await consent.grant(
      survey({ highlighted: true, guardian: { reference: 'parent-1', verification: 'document-check' }, method: 'form' }),
    );
    expect(await outcome(pf.outbound(Kid, child, ctx))).toBe('allowed');
  });

  it('GDPR Art. 8(1): the digital-consent age applies to a purpose offered directly to children, not to every consent purpose', async () => {
    const decl = (over: Partial<PurposeDeclaration>): PurposeDeclaration => ({
      description: 'Send the monthly newsletter about new courses',
      legalBasis: { gdpr: 'consent' },
      notice: { version: '1' },
      retention: 'P1Y',
      ...over,
    });
    const gdpr = definePurposes(
      {
        'school.newsletter': decl({}),
        'school.games': decl({ description: 'Run the online learning games for pupils', offeredDirectlyToChildren: true }),
      },
      { controller },
    );
    const Pupil = defineSchema(
      'pupil',
      z.object({
        id: z.string(),
        email: pd(z.string(), { category: 'user.contact.email', purposes: ['school.newsletter', 'school.games'] }),
      }),
      { purposes: gdpr, subject: { kind: 'customer', id: 'id', minors: 'possible' } },
    );
    const consent = memoryConsentLedger(gdpr);
    for (const purpose of ['school.newsletter', 'school.games'])
      await consent.grant({
        subject: 'p-1',
        purpose,
        notice: { version: '1', hash },
        method: 'checkbox',
        collectionPoint: 'app',
      });
    const pf = createPurposeful({ ...testKeys(), purposes: gdpr, schemas: [Pupil], consent });
    const pupil = { id: 'p-1', email: 'p@example.com' };
    const at = (purpose: 'school.newsletter' | 'school.games') => ({ purpose, actor: { id: 'app' }, subjectAge: 14 });
    expect(await outcome(pf.outbound(Pupil, pupil, at('school.games')))).toMatchObject({
      code: 'PF_CONSENT_REQUIRED',
      reason: 'guardian_required',
      article: expect.stringMatching(/GDPR Art\. 8/),
    });
    expect(await outcome(pf.outbound(Pupil, pupil, at('school.newsletter')))).toBe('allowed');
    const lowered = createPurposeful({ ...testKeys(), purposes: gdpr, schemas: [Pupil], consent, gdprDigitalConsentAge: 13 });
    expect(await outcome(lowered.outbound(Pupil, pupil, at('school.games')))).toBe('allowed');
    // the flag is a boolean
    expect(
      problemsOf(() => definePurposes({ 'school.games': decl({ offeredDirectlyToChildren: 'yes' as never }) }, { controller })),
    ).toContainEqual(expect.objectContaining({ code: 'PF_DECL_INVALID', purpose: 'school.games' }));
  });

  it('LGPD Art. 14 caput; Enunciado CD/ANPD 1/2023: the best-interest requirement is shown for every basis used with minors', () => {
    const mixed = definePurposes(
      {
        'school.enrolment': {
          description: 'Enrol the pupil in the course they signed up for',
          legalBasis: { lgpd: 'contract' },
          retention: 'P5Y',
        },
        'school.census': {
          description: 'Report enrolments to the school census required by law',
          legalBasis: { lgpd: 'legal_obligation' },
          retention: 'P5Y',
        },
        'school.photos': {
          description: 'Publish class photos in the school yearbook',
          legalBasis: { lgpd: 'consent' },
          notice: { version: '1' },
          retention: 'P1Y',
        },
      },
      { controller },
    );
    const Pupil = defineSchema(
      'pupil',
      z.object({
        id: z.string(),
        name: pd(z.string(), { category: 'user.name', purposes: ['school.enrolment', 'school.census', 'school.photos'] }),
      }),
      { purposes: mixed, subject: { kind: 'customer', id: 'id', minors: 'always' } },
    );
    const bestInterest = Pupil.problems.filter((p) => p.code === 'PF_DECL_MINORS_BEST_INTEREST');
    expect(bestInterest.map((p) => p.purpose).sort()).toEqual(['school.census', 'school.enrolment', 'school.photos']);
    for (const p of bestInterest) {
      expect(p).toMatchObject({ severity: 'warning', requiredBy: 'law' });
      expect(p.article).toMatch(/LGPD Art\. 14 caput/);
      expect(p.article).toMatch(/Enunciado CD\/ANPD 1\/2023/);
    }
    const adults = defineSchema('adult', Pupil.zod, {
      purposes: mixed,
      subject: { kind: 'customer', id: 'id', minors: 'never' },
    });
    expect(adults.problems.filter((p) => p.code === 'PF_DECL_MINORS_BEST_INTEREST')).toEqual([]);
  });
});

/** Every problem a declaration raised (thrown errors and kept warnings). */
function problemsOf(fn: () => { problems: readonly DeclarationProblem[] }): DeclarationProblem[] {
  try {
    return [...fn().problems];
  } catch (err) {
    if (isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID') return [...err.problems];
    throw err;
  }
}

describe('written consent (LGPD Art. 8 §1)', () => {
  it('LGPD Art. 8 §1: consent given in writing (a form, a signed document) needs a highlighted clause for every consent purpose, not only sensitive ones', async () => {
    const ledger = memoryConsentLedger(purposes);
    for (const method of ['form', 'signed_document'] as const) {
      expect(await outcome(ledger.grant(survey({ subject: 'c-5', method })))).toMatchObject({
        code: 'PF_CONSENT_INVALID',
        article: expect.stringMatching(/LGPD Art\. 8 §1/),
      });
      expect(await ledger.grant(survey({ subject: 'c-5', method, highlighted: true }))).toMatchObject({ highlighted: true });
    }
    // a checkbox on its own is not a clause among others
    expect(await ledger.grant(survey({ subject: 'c-5' }))).toMatchObject({ type: 'granted' });
    // a written grant stored without the highlighted clause does not let data through
    const pf = createPurposeful({ ...testKeys(), purposes, schemas: [Customer], consent: storedEvent({ method: 'form' }) });
    expect(
      await outcome(pf.outbound(Customer, sampleCustomer, { purpose: 'support.survey', actor: { id: 'survey-bot' } })),
    ).toMatchObject({ code: 'PF_CONSENT_REQUIRED', reason: 'not_highlighted', article: expect.stringMatching(/Art\. 8 §1/) });
  });
});

describe('sharing consent-based data with another controller (LGPD Art. 7 §5)', () => {
  const shared = (recipients: PurposeDeclaration['recipients'], basis: 'consent' | 'contract' = 'consent') =>
    definePurposes(
      {
        'partners.offers': {
          description: 'Pass the customer e-mail to the insurance partner for its offers',
          legalBasis: { lgpd: basis },
          ...(basis === 'consent' ? { notice: { version: '2026-11-01' } } : {}),
          retention: 'P1Y',
          recipients,
        },
      },
      { controller },
    );
  const partner = { name: 'Seguros Parceira S.A.', role: 'controller' as const, country: 'BR' };
  const mailer = { name: 'Mailer Ltda', role: 'processor' as const, country: 'BR' };
  const grant = (over: Partial<ConsentGrant> = {}): ConsentGrant => ({
    subject: 'c-7',
    purpose: 'partners.offers',
    notice: { version: '2026-11-01', hash },
    method: 'checkbox',
    collectionPoint: 'app/offers',
    ...over,
  });

  it('LGPD Art. 7 §5: the validator reports a consent-based purpose that shares with another controller', () => {
    const withPartner = shared([partner, mailer]).problems.filter((p) => p.code === 'PF_DECL_SHARING_SPECIFIC_CONSENT');
    expect(withPartner).toHaveLength(1);
    expect(withPartner[0]).toMatchObject({ purpose: 'partners.offers', severity: 'warning', requiredBy: 'law' });
    expect(withPartner[0]?.article).toMatch(/LGPD Art\. 7 §5/);
    expect(withPartner[0]?.message).toContain('Seguros Parceira S.A.');
    expect(shared([mailer]).problems.filter((p) => p.code === 'PF_DECL_SHARING_SPECIFIC_CONSENT')).toEqual([]);
    expect(shared([partner], 'contract').problems.filter((p) => p.code === 'PF_DECL_SHARING_SPECIFIC_CONSENT')).toEqual([]);
  });

  it('LGPD Art. 7 §5: the ledger refuses a grant that does not name every controller the data is shared with', async () => {
    const reg = shared([partner, mailer]);
    const ledger = memoryConsentLedger(reg);
    expect(await outcome(ledger.grant(grant()))).toMatchObject({
      code: 'PF_CONSENT_INVALID',
      article: expect.stringMatching(/LGPD Art\. 7 §5/),
    });
    expect(await outcome(ledger.grant(grant({ sharedWith: ['Someone Else'] })))).toMatchObject({
      code: 'PF_CONSENT_INVALID',
    });
    expect(await outcome(ledger.grant(grant({ sharedWith: 'Seguros Parceira S.A.' as never })))).toMatchObject({
      code: 'PF_CONSENT_INVALID',
    });
    expect(await ledger.grant(grant({ sharedWith: ['Seguros Parceira S.A.'] }))).toMatchObject({
      sharedWith: ['Seguros Parceira S.A.'],
    });
  });

  it('LGPD Art. 7 §5: the engine refuses when the grant does not cover every controller the purpose now shares with', async () => {
    const before = shared([mailer]);
    const after = shared([mailer, partner]);
    const consent = memoryConsentLedger(before);
    await consent.grant(grant());
    const schema = (reg: typeof before) =>
      defineSchema(
        'lead',
        z.object({ id: z.string(), email: pd(z.string(), { category: 'user.contact.email', purposes: ['partners.offers'] }) }),
        { purposes: reg, subject: { kind: 'customer', id: 'id' } },
      );
    const lead = { id: 'c-7', email: 'c7@example.com' };
    const ctx = { purpose: 'partners.offers', actor: { id: 'app' } } as const;
    const ok = schema(before);
    expect(
      await outcome(createPurposeful({ ...testKeys(), purposes: before, schemas: [ok], consent }).outbound(ok, lead, ctx)),
    ).toBe('allowed');
    const now = schema(after);
    expect(
      await outcome(createPurposeful({ ...testKeys(), purposes: after, schemas: [now], consent }).outbound(now, lead, ctx)),
    ).toMatchObject({
      code: 'PF_CONSENT_REQUIRED',
      reason: 'sharing_not_specific',
      article: expect.stringMatching(/LGPD Art\. 7 §5/),
    });
    const specific = memoryConsentLedger(after);
    await specific.grant(grant({ sharedWith: ['Seguros Parceira S.A.'] }));
    expect(
      await outcome(
        createPurposeful({ ...testKeys(), purposes: after, schemas: [now], consent: specific }).outbound(now, lead, ctx),
      ),
    ).toBe('allowed');
  });

  it('LGPD Art. 7 §5, 33 VIII: the ledger and the engine apply Art. 7 §5 alike, only where the purpose rests on consent, not to a transfer consent alone', async () => {
    const abroad = (basis: 'consent' | 'contract') =>
      definePurposes(
        {
          'partners.offers': {
            description: 'Pass the customer e-mail to the insurance partner abroad for its offers',
            legalBasis: { lgpd: basis },
            notice: { version: '2026-11-01' },
            retention: 'P1Y',
            recipients: [{ ...partner, country: 'US' }],
            transfer: { countries: ['US'], mechanism: { lgpd: 'specific_consent' } },
          },
        },
        { controller },
      );
    const lead = { id: 'c-7', email: 'c7@example.com' };
    const ctx = { purpose: 'partners.offers', actor: { id: 'app' } } as const;
    const run = async (reg: ReturnType<typeof abroad>, over: Partial<ConsentGrant>) => {
      const consent = memoryConsentLedger(reg);
      const granted = await outcome(consent.grant(grant({ highlighted: true, method: 'form', ...over })));
      const schema = defineSchema(
        'lead',
        z.object({ id: z.string(), email: pd(z.string(), { category: 'user.contact.email', purposes: ['partners.offers'] }) }),
        { purposes: reg, subject: { kind: 'customer', id: 'id' } },
      );
      const used = await outcome(
        createPurposeful({ ...testKeys(), purposes: reg, schemas: [schema], consent }).outbound(schema, lead, ctx),
      );
      return { granted, used };
    };
    // a contract purpose whose transfer rests on consent: Art. 7 §5 does not apply, in the ledger or the engine
    expect(await run(abroad('contract'), {})).toEqual({ granted: 'allowed', used: 'allowed' });
    // a consent purpose that shares with a controller abroad: both require the sharing to be named
    const consentBased = await run(abroad('consent'), {});
    expect(consentBased.granted).toMatchObject({ code: 'PF_CONSENT_INVALID', article: expect.stringMatching(/LGPD Art\. 7 §5/) });
    expect(await run(abroad('consent'), { sharedWith: ['Seguros Parceira S.A.'] })).toEqual({
      granted: 'allowed',
      used: 'allowed',
    });
  });
});
