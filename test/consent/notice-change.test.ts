import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, purposes } from '../../examples/support-desk/declarations.js';
import { sampleCustomer } from '../../examples/support-desk/sample.js';
import {
  type ConsentLedger,
  consentReceipt,
  createPurposeful,
  definePurposes,
  defineSchema,
  isPurposefulError,
  memoryConsentLedger,
  type PurposeDeclaration,
  type PurposefulError,
  pd,
  subjectsToInform,
  verifyReceipt,
} from '../../src/index.js';
import { testKeys } from '../helpers/fixtures.js';

const hash = 'e'.repeat(64);
const survey = { purpose: 'support.survey', actor: { id: 'survey-bot' } } as const;
const grantSurvey = (ledger: ConsentLedger, subject: string, over: object = {}) =>
  ledger.grant({
    subject,
    purpose: 'support.survey',
    notice: { version: '2026-11-01', hash },
    method: 'checkbox',
    collectionPoint: 'app/ticket-closed',
    ...over,
  });

/** The support desk's registry with the survey's notice at another version. */
function withSurveyNotice(version: string, material: boolean) {
  const declarations = Object.fromEntries(purposes.ids.map((id) => [id, purposes.get(id)?.declaration as PurposeDeclaration]));
  declarations['support.survey'] = {
    ...(declarations['support.survey'] as PurposeDeclaration),
    notice: { version, url: 'https://example.com/privacy#survey', material },
  };
  const next = definePurposes(declarations, { controller: purposes.controller });
  const schema = defineSchema('customer', Customer.zod, {
    purposes: next,
    subject: { kind: 'customer', id: 'id' },
    recordId: 'id',
  });
  return { next, schema };
}

async function errorOf(p: Promise<unknown>): Promise<PurposefulError> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('a notice change (LGPD Art. 8 §6, Art. 9 §2)', () => {
  it('LGPD Art. 8 §6, Art. 9 §2: PF_CONSENT_STALE_NOTICE labels asking again as purposeful policy (and the GDPR rule for a new purpose), and says what the LGPD requires: inform, beforehand for a change of purpose, with a right to revoke', async () => {
    const consent = memoryConsentLedger(purposes);
    await grantSurvey(consent, sampleCustomer.id);
    const { next, schema } = withSurveyNotice('2027-01-01', true);
    const pf = createPurposeful({ ...testKeys(), purposes: next, schemas: [schema], consent });
    const err = await errorOf(pf.outbound(schema, sampleCustomer, survey));
    expect(err.code).toBe('PF_CONSENT_STALE_NOTICE');
    expect(err.message).toContain("purposeful's policy");
    expect(err.message).toMatch(/LGPD .*inform/);
    expect(err.message).toContain('revoke');
    expect(err.article).toBe('LGPD Art. 8 §6, Art. 9 §2; GDPR Art. 6(1)(a), 6(4), 13(3)');
    expect(err.message).not.toContain(sampleCustomer.id);
  });

  it('LGPD Art. 8 §2, Art. 9: a grant for a notice that is not the current one is refused as purposeful policy, citing the proof of what was shown', async () => {
    const consent = memoryConsentLedger(purposes);
    const err = await errorOf(grantSurvey(consent, 'c-1', { notice: { version: '2025-01-01', hash } }));
    expect(err.code).toBe('PF_CONSENT_STALE_NOTICE');
    expect(err.message).toContain("purposeful's policy");
    expect(err.article).toBe('LGPD Art. 8 §2, Art. 9; GDPR Art. 7(1)');
  });

  it('LGPD Art. 8 §6: at the time of a non-material change, subjectsToInform lists every subject whose consent in force was given for an earlier notice, and no one else', async () => {
    const consent = memoryConsentLedger(purposes);
    await grantSurvey(consent, 'c-1');
    await grantSurvey(consent, 'c-2');
    await grantSurvey(consent, 'c-3');
    await consent.withdraw('c-3', 'support.survey'); // withdrawn: nothing to inform about
    await grantSurvey(consent, 'c-4', { expiresAt: '2026-12-01T00:00:00Z' }); // lapsed by the time of the change
    const { next } = withSurveyNotice('2027-01-01', false);
    const list = await subjectsToInform(consent, next, 'support.survey', new Date('2027-01-01T00:00:00Z'));
    expect(list).toMatchObject({
      purpose: 'support.survey',
      current: '2027-01-01',
      material: false,
      action: 'inform',
      article: 'LGPD Art. 8 §6, Art. 9 §2',
    });
    expect(list.subjects).toEqual([
      { subject: 'c-1', purpose: 'support.survey', grantedFor: '2026-11-01', current: '2027-01-01' },
      { subject: 'c-2', purpose: 'support.survey', grantedFor: '2026-11-01', current: '2027-01-01' },
    ]);
    // nobody is listed for the notice they already consented to
    expect((await subjectsToInform(consent, purposes, 'support.survey', new Date('2027-01-01T00:00:00Z'))).subjects).toEqual([]);
  });

  it('LGPD Art. 9 §2: before a material change is deployed, the list is who to inform beforehand and ask again', async () => {
    const consent = memoryConsentLedger(purposes);
    await grantSurvey(consent, 'c-1');
    const { next } = withSurveyNotice('2027-02-01', true);
    const list = await subjectsToInform(consent, next, 'support.survey');
    expect(list).toMatchObject({ material: true, action: 'ask_again' });
    expect(list.subjects.map((s) => s.subject)).toEqual(['c-1']);
  });

  it('LGPD Art. 8 §6: subjectsToInform refuses what it cannot answer, never an empty list', async () => {
    const consent = memoryConsentLedger(purposes);
    expect((await errorOf(subjectsToInform(consent, purposes, 'support.ticket'))).code).toBe('PF_CONSENT_INVALID');
    expect((await errorOf(subjectsToInform(consent, purposes, 'marketing.everything'))).code).toBe('PF_PURPOSE_UNKNOWN');
    const { grantsInForce: _, ...noListing } = consent;
    expect((await errorOf(subjectsToInform(noListing, purposes, 'support.survey'))).code).toBe('PF_OPTIONS_INVALID');
  });
});

describe('a transfer on specific consent (LGPD Art. 33 VIII; Res. CD/ANPD 19/2024; GDPR Art. 49(1)(a))', () => {
  const controller = {
    name: 'ACME Ltda',
    contact: 'privacidade@acme.example',
    dpo: { name: 'Maria Souza', contact: 'dpo@acme.example' },
  };
  const declarations = {
    'support.ticket': {
      description: 'Answer the customer about their support request through a helpdesk hosted abroad',
      legalBasis: { lgpd: 'contract' },
      retention: 'P2Y',
      recipients: [{ name: 'Helpdesk SaaS', role: 'processor', country: 'US' }],
      transfer: { countries: ['US'], mechanism: { lgpd: 'specific_consent' } },
      notice: { version: '2026-11-01', url: 'https://example.com/privacy#helpdesk' },
    },
  } satisfies Record<string, PurposeDeclaration>;

  it('LGPD Art. 33 VIII, 8 §5: the receipt of a transfer consent names the law it was given under and how to withdraw it', async () => {
    const registry = definePurposes(declarations, { controller });
    const consent = memoryConsentLedger(registry);
    const event = await consent.grant({
      subject: 'c-1',
      purpose: 'support.ticket',
      notice: { version: '2026-11-01', hash },
      method: 'form',
      collectionPoint: 'app/helpdesk',
      highlighted: true,
    });
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const token = await consentReceipt(event, {
      purposes: registry,
      signer: { key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'k', issuer: 'https://acme.example' },
    });
    const receipt = await verifyReceipt(
      token,
      { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] },
      { issuer: 'https://acme.example' },
    );
    // the purpose's basis is a contract, but the consent on record is the LGPD's (Art. 33 VIII): the receipt says so
    expect(receipt.claims.jurisdiction).toMatch(/LGPD/);
    expect(receipt.claims.services[0]?.purposes[0]?.termination).toMatch(/LGPD Art\. 8 §5/);
  });

  it('LGPD Art. 33 VIII: the purpose needs consent on record in the ledger, though its basis is a contract', async () => {
    const registry = definePurposes(declarations, { controller });
    // the basis stays the contract; the ledger must hold the transfer's consent
    expect(registry.get('support.ticket')).toMatchObject({ consentUnder: [], ledgerConsentUnder: ['lgpd'] });
    const Ticket = defineSchema(
      'ticket',
      z.object({
        id: pd.none(z.string()),
        email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
      }),
      { purposes: registry, subject: { kind: 'customer', id: 'id' } },
    );
    const consent = memoryConsentLedger(registry);
    const pf = createPurposeful({ ...testKeys(), purposes: registry, schemas: [Ticket], consent });
    const ctx = { purpose: 'support.ticket', actor: { id: 'agent-1' } } as const;
    const row = { id: 'c-9', email: 'someone@example.com' };
    const none = await errorOf(pf.outbound(Ticket, row, ctx));
    expect([none.code, none.article]).toEqual(['PF_CONSENT_REQUIRED', 'LGPD Art. 33 VIII']);
    const grant = {
      subject: 'c-9',
      purpose: 'support.ticket',
      notice: { version: '2026-11-01', hash },
      method: 'checkbox' as const,
      collectionPoint: 'app/helpdesk',
    };
    // specific and highlighted (em destaque)
    const notHighlighted = await errorOf(consent.grant(grant));
    expect([notHighlighted.code, notHighlighted.article]).toEqual([
      'PF_CONSENT_INVALID',
      'LGPD Art. 33 VIII; GDPR Art. 49(1)(a)',
    ]);
    await consent.grant({ ...grant, highlighted: true });
    await expect(pf.outbound(Ticket, row, ctx)).resolves.toMatchObject({ email: row.email });
    // withdrawn as easily (LGPD Art. 8 §5): the transfer stops
    await consent.withdraw('c-9', 'support.ticket');
    expect((await errorOf(pf.outbound(Ticket, row, ctx))).code).toBe('PF_CONSENT_REQUIRED');
  });

  it('LGPD Art. 33 VIII: a transfer on specific consent declares the notice that informs of it', () => {
    const { notice: _, ...withoutNotice } = declarations['support.ticket'];
    let err: unknown;
    try {
      definePurposes({ 'support.ticket': withoutNotice }, { controller });
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.problems.map((p) => p.code)).toEqual(['PF_DECL_NOTICE_MISSING']);
  });
});
