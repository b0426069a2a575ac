import { describe, expect, it } from 'vitest';
import {
  type Controller,
  type DeclarationProblem,
  dataMap,
  definePurposes,
  isPurposefulError,
  type PurposeDeclaration,
  TRANSFER_MECHANISM_ARTICLES,
} from '../../src/index.js';

const controller: Controller = {
  name: 'ACME Ltda',
  contact: 'privacidade@acme.example',
  dpo: { name: 'Maria Souza', contact: 'dpo@acme.example' },
};

const ticket = {
  description: 'Answer the customer about their support request',
  legalBasis: { lgpd: 'contract', gdpr: 'contract' },
  retention: 'P2Y',
} as const satisfies PurposeDeclaration;

/** Every problem a registry raises: thrown errors and kept warnings. */
function problemsOf(declarations: Record<string, unknown>, options: object = { controller }): DeclarationProblem[] {
  try {
    return [...definePurposes(declarations as Record<string, PurposeDeclaration>, options).problems];
  } catch (err) {
    if (isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID') return [...err.problems];
    throw err;
  }
}
const codes = (problems: readonly DeclarationProblem[]) => problems.map((p) => p.code);

describe('international transfers (LGPD Art. 33; Res. CD/ANPD 19/2024; GDPR Art. 44–49)', () => {
  const helpdesk = { name: 'Helpdesk SaaS', role: 'processor', country: 'US' } as const;

  it('LGPD Art. 33; GDPR Art. 44–46: a recipient outside Brazil and the EEA without a transfer declaration is an error', () => {
    const problems = problemsOf({ 'support.ticket': { ...ticket, recipients: [helpdesk] } });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'PF_DECL_TRANSFER_UNDECLARED',
        severity: 'error',
        requiredBy: 'law',
        purpose: 'support.ticket',
        article: 'LGPD Art. 33; Res. CD/ANPD 19/2024; GDPR Art. 44–46',
      }),
    ]);
    expect(problems[0]?.message).toContain("countries: ['US']");
  });

  it('LGPD Art. 33 I (Res. CD/ANPD 32/2026); GDPR Art. 45 (Decision (EU) 2026/179): recipients in Brazil or the EEA need no transfer declaration', () => {
    const recipients = [
      { name: 'NF-e issuing service', role: 'processor', country: 'BR' },
      { name: 'Cloud region Frankfurt', role: 'processor', country: 'DE' },
      { name: 'Backup site Oslo', role: 'processor', country: 'NO' },
    ];
    expect(problemsOf({ 'support.ticket': { ...ticket, recipients } })).toEqual([]);
  });

  it("LGPD Art. 33; GDPR Art. 44: a transfer declared to other countries does not cover the recipient's", () => {
    const problems = problemsOf({
      'support.ticket': {
        ...ticket,
        recipients: [helpdesk, { name: 'Call centre', role: 'processor', country: 'IN' }],
        transfer: { countries: ['US'], mechanism: 'standard_contractual_clauses' },
      },
    });
    expect(codes(problems)).toEqual(['PF_DECL_TRANSFER_UNDECLARED']);
    expect(problems[0]?.message).toContain('"Call centre"');
  });

  it('LGPD Art. 33; Res. CD/ANPD 19/2024; GDPR Art. 46: the mechanism is declared under each law the purpose is declared under', () => {
    const withMechanism = (mechanism: unknown) =>
      problemsOf({ 'support.ticket': { ...ticket, recipients: [helpdesk], transfer: { countries: ['US'], mechanism } } });
    expect(withMechanism('standard_contractual_clauses')).toEqual([]);
    expect(withMechanism({ lgpd: 'standard_contractual_clauses', gdpr: 'standard_contractual_clauses' })).toEqual([]);
    const onlyLgpd = withMechanism({ lgpd: 'standard_contractual_clauses' });
    expect(onlyLgpd.map((p) => [p.code, p.article])).toEqual([['PF_DECL_TRANSFER_MECHANISM_MISSING', 'GDPR Art. 44–49']]);
    expect(codes(withMechanism({ lgpd: 'telepathy', gdpr: 'adequacy' }))).toEqual(['PF_DECL_TRANSFER_MECHANISM_MISSING']);
    expect(codes(withMechanism({ ccpa: 'adequacy' }))).toEqual(['PF_DECL_TRANSFER_MECHANISM_MISSING']);
    expect(codes(withMechanism({}))).toEqual(['PF_DECL_TRANSFER_MECHANISM_MISSING']);
  });

  it('LGPD Art. 33; GDPR Art. 30(1)(e): the data map states each law’s mechanism', () => {
    const purposes = definePurposes(
      {
        'support.ticket': {
          ...ticket,
          recipients: [helpdesk],
          transfer: { countries: ['US'], mechanism: { lgpd: 'standard_contractual_clauses', gdpr: 'binding_corporate_rules' } },
        },
      },
      { controller },
    );
    expect(dataMap({ purposes, schemas: [] }).purposes[0]?.transfer).toEqual({
      countries: ['US'],
      mechanism: 'lgpd: standard_contractual_clauses; gdpr: binding_corporate_rules',
    });
  });

  it('LGPD Art. 33 I–IX; GDPR Art. 45–49: every mechanism names its article under each law', () => {
    expect(TRANSFER_MECHANISM_ARTICLES.lgpd.standard_contractual_clauses).toBe('LGPD Art. 33 II b; Res. CD/ANPD 19/2024');
    expect(TRANSFER_MECHANISM_ARTICLES.lgpd.specific_consent).toBe('LGPD Art. 33 VIII');
    expect(TRANSFER_MECHANISM_ARTICLES.lgpd.public_policy).toBe('LGPD Art. 33 VII');
    expect(TRANSFER_MECHANISM_ARTICLES.gdpr.specific_consent).toBe('GDPR Art. 49(1)(a)');
    expect(TRANSFER_MECHANISM_ARTICLES.gdpr.adequacy).toBe('GDPR Art. 45');
  });
});

describe('the encarregado (LGPD Art. 41 §1; Res. CD/ANPD 18/2024)', () => {
  const contactOnly = { name: 'ACME Ltda', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } };

  it("LGPD Art. 41 §1; Res. CD/ANPD 18/2024: the encarregado's name and contact are both required under the LGPD", () => {
    const problems = problemsOf({ 'support.ticket': ticket }, { controller: contactOnly });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'PF_DECL_DPO_IDENTITY_MISSING',
        severity: 'warning',
        requiredBy: 'law',
        article: 'LGPD Art. 41 §1; Res. CD/ANPD 18/2024',
      }),
    ]);
    expect(problemsOf({ 'support.ticket': ticket }, { controller })).toEqual([]);
    // blank is no name
    expect(
      codes(
        problemsOf(
          { 'support.ticket': ticket },
          { controller: { ...contactOnly, dpo: { name: ' ', contact: 'dpo@acme.example' } } },
        ),
      ),
    ).toEqual(['PF_DECL_DPO_IDENTITY_MISSING']);
  });

  it('LGPD Art. 41 §1: without any encarregado the warning asks for the name and the contact', () => {
    const problems = problemsOf(
      { 'support.ticket': ticket },
      { controller: { name: 'ACME Ltda', contact: 'privacidade@acme.example' } },
    );
    expect(codes(problems)).toEqual(['PF_DECL_CONTROLLER_MISSING']);
    expect(problems[0]?.message).toContain('{ name, contact }');
  });

  it('GDPR Art. 13(1)(b), 37(7): under the GDPR alone the DPO contact suffices', () => {
    const gdprOnly = { ...ticket, legalBasis: { gdpr: 'contract' } };
    expect(problemsOf({ 'support.ticket': gdprOnly }, { controller: contactOnly })).toEqual([]);
  });

  it('LGPD Art. 41 §1: a DPO name that is not text is malformed', () => {
    const bad = { ...contactOnly, dpo: { name: 7, contact: 'dpo@acme.example' } };
    expect(codes(problemsOf({ 'support.ticket': ticket }, { controller: bad }))).toEqual(['PF_DECL_INVALID']);
  });
});

describe('bases only some controllers may use (LGPD Art. 7 III, IV, VIII; Art. 11 II b, c, f; GDPR Art. 9(3))', () => {
  const withBasis = (legalBasis: object, sensitiveBasis?: object) => ({
    'research.study': {
      description: 'Study how customers use the accessibility settings',
      legalBasis,
      ...(sensitiveBasis ? { sensitiveBasis } : {}),
      retention: 'P2Y',
    },
  });
  const warned = (problems: readonly DeclarationProblem[]) =>
    problems.filter((p) => p.code === 'PF_DECL_QUALIFIED_CONTROLLER').map((p) => p.article);

  it('LGPD Art. 5 XVIII, 7 IV, 11 II c: research needs a research body', () => {
    expect(warned(problemsOf(withBasis({ lgpd: 'research' }, { lgpd: 'research' })))).toEqual([
      'LGPD Art. 5 XVIII, 7 IV',
      'LGPD Art. 5 XVIII, 11 II c',
    ]);
    const problems = problemsOf(withBasis({ lgpd: 'research' }));
    expect(problems[0]).toMatchObject({ severity: 'warning', requiredBy: 'law', purpose: 'research.study' });
    expect(problems[0]?.message).toContain("controller.kinds: ['research_body']");
    expect(problemsOf(withBasis({ lgpd: 'research' }), { controller: { ...controller, kinds: ['research_body'] } })).toEqual([]);
  });

  it('LGPD Art. 7 III, 11 II b: public_policy needs the public administration', () => {
    expect(warned(problemsOf(withBasis({ lgpd: 'public_policy' }, { lgpd: 'public_policy' })))).toEqual([
      'LGPD Art. 7 III',
      'LGPD Art. 11 II b',
    ]);
    const publicBody = { controller: { ...controller, kinds: ['public_administration'] } };
    expect(problemsOf(withBasis({ lgpd: 'public_policy' }), publicBody)).toEqual([]);
  });

  it('LGPD Art. 7 VIII, 11 II f: health_protection needs health professionals, health services or a health authority', () => {
    expect(warned(problemsOf(withBasis({ lgpd: 'health_protection' }, { lgpd: 'health_protection' })))).toEqual([
      'LGPD Art. 7 VIII',
      'LGPD Art. 11 II f',
    ]);
    const clinic = { controller: { ...controller, kinds: ['health_service'] } };
    expect(problemsOf(withBasis({ lgpd: 'health_protection' }), clinic)).toEqual([]);
  });

  it('GDPR Art. 9(2)(h), 9(3): health care needs a professional bound by secrecy, or someone under their responsibility', () => {
    expect(warned(problemsOf(withBasis({ gdpr: 'contract' }, { gdpr: 'health_care' })))).toEqual(['GDPR Art. 9(2)(h), 9(3)']);
  });

  it('LGPD Art. 7: the other bases need no particular controller, and an unknown kind is malformed', () => {
    expect(warned(problemsOf(withBasis({ lgpd: 'contract', gdpr: 'contract' })))).toEqual([]);
    expect(codes(problemsOf(withBasis({ lgpd: 'contract' }), { controller: { ...controller, kinds: ['bank'] } }))).toEqual([
      'PF_DECL_INVALID',
    ]);
  });
});
