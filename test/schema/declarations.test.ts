import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DECLARATION_RULES,
  type DeclarationProblem,
  definePurposes,
  defineSchema,
  isPurposefulError,
  type PurposeDeclaration,
  pd,
  validateDeclarations,
} from '../../src/index.js';

const controller = { name: 'ACME Ltda', contact: 'privacidade@acme.example', dpo: { contact: 'dpo@acme.example' } };

const base = {
  'support.ticket': {
    description: 'Answer the customer about their support request',
    legalBasis: { lgpd: 'contract', gdpr: 'contract' },
    retention: 'P2Y',
  },
  'support.accessibility': {
    description: 'Adapt how we serve a customer who tells us about a disability',
    legalBasis: { lgpd: 'consent', gdpr: 'consent' },
    sensitiveBasis: { lgpd: 'consent', gdpr: 'explicit_consent' },
    notice: { version: '2026-11-01', url: 'https://example.com/privacy', material: true },
    retention: 'P2Y',
    mfa: 'sensitive',
  },
  'fraud.check': {
    description: 'Detect account takeover during login by checking device signals',
    legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
    retention: 'P1Y',
  },
} as const satisfies Record<string, PurposeDeclaration>;

const purposes = definePurposes(base, { controller });

/** Runs a declaration and returns every problem it raised (thrown errors and kept warnings). */
function problemsOf(fn: () => { problems: readonly DeclarationProblem[] }): DeclarationProblem[] {
  try {
    return [...fn().problems];
  } catch (err) {
    if (isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID') return [...err.problems];
    throw err;
  }
}

const schema = (shape: z.ZodRawShape, subject?: Parameters<typeof defineSchema>[2]['subject']) => () =>
  defineSchema('t', z.object(shape), { purposes, subject });
const purposeDecl =
  (decls: Record<string, unknown>, options: object = { controller }) =>
  () =>
    definePurposes(decls as Record<string, PurposeDeclaration>, options);

const cases: Array<[string, () => { problems: readonly DeclarationProblem[] }, keyof typeof DECLARATION_RULES]> = [
  ['malformed purpose', purposeDecl({ 'a.b': 'not an object' }), 'PF_DECL_INVALID'],
  ['unknown purpose property', purposeDecl({ 'a.b': { ...base['support.ticket'], legalbasis: 1 } }), 'PF_DECL_INVALID'],
  [
    'an obligation named without a legal-obligation basis',
    purposeDecl({ 'a.b': { ...base['support.ticket'], obligation: 'Decreto 11.034/2022' } }),
    'PF_DECL_INVALID',
  ],
  [
    'an empty obligation',
    purposeDecl({ 'a.b': { ...base['support.ticket'], legalBasis: { lgpd: 'legal_obligation' }, obligation: ' ' } }),
    'PF_DECL_INVALID',
  ],
  ['purpose id with capitals', purposeDecl({ 'Support.Ticket': base['support.ticket'] }), 'PF_DECL_PURPOSE_ID_INVALID'],
  ['wildcard purpose id', purposeDecl({ 'support.*': base['support.ticket'] }), 'PF_DECL_GENERIC_PURPOSE'],
  ['catch-all id segment', purposeDecl({ 'marketing.general': base['support.ticket'] }), 'PF_DECL_GENERIC_PURPOSE'],
  ['empty description', purposeDecl({ 'a.b': { ...base['support.ticket'], description: '' } }), 'PF_DECL_GENERIC_PURPOSE'],
  [
    'catch-all description (pt)',
    purposeDecl({ 'a.b': { ...base['support.ticket'], description: 'Usar para qualquer finalidade da empresa' } }),
    'PF_DECL_GENERIC_PURPOSE',
  ],
  ['no legal basis', purposeDecl({ 'a.b': { ...base['support.ticket'], legalBasis: {} } }), 'PF_DECL_LEGAL_BASIS_MISSING'],
  [
    'basis missing under a law another purpose names',
    purposeDecl({ 'a.b': base['support.ticket'], 'c.d': { ...base['support.ticket'], legalBasis: { lgpd: 'contract' } } }),
    'PF_DECL_LEGAL_BASIS_MISSING',
  ],
  [
    'GDPR 9(2) without an Art. 6 basis',
    purposeDecl({
      'a.b': { ...base['support.accessibility'], legalBasis: { lgpd: 'consent' }, sensitiveBasis: { gdpr: 'explicit_consent' } },
    }),
    'PF_DECL_LEGAL_BASIS_MISSING',
  ],
  [
    'unknown LGPD basis',
    purposeDecl({ 'a.b': { ...base['support.ticket'], legalBasis: { lgpd: 'vibes' } } }),
    'PF_DECL_LEGAL_BASIS_INVALID',
  ],
  [
    'LGPD basis used under GDPR',
    purposeDecl({ 'a.b': { ...base['support.ticket'], legalBasis: { lgpd: 'contract', gdpr: 'credit_protection' } } }),
    'PF_DECL_LEGAL_BASIS_INVALID',
  ],
  [
    'legitimate interest for sensitive data (LGPD Art. 11)',
    purposeDecl({
      'a.b': { ...base['support.accessibility'], sensitiveBasis: { lgpd: 'legitimate_interest', gdpr: 'explicit_consent' } },
    }),
    'PF_DECL_SENSITIVE_BASIS_NOT_ALLOWED',
  ],
  [
    'credit protection for sensitive data',
    purposeDecl({
      'a.b': { ...base['support.accessibility'], sensitiveBasis: { lgpd: 'credit_protection', gdpr: 'explicit_consent' } },
    }),
    'PF_DECL_SENSITIVE_BASIS_NOT_ALLOWED',
  ],
  [
    'plain consent for GDPR special categories',
    purposeDecl({ 'a.b': { ...base['support.accessibility'], sensitiveBasis: { lgpd: 'consent', gdpr: 'consent' } } }),
    'PF_DECL_SENSITIVE_BASIS_NOT_ALLOWED',
  ],
  [
    'consent without a notice version',
    purposeDecl({ 'a.b': { ...base['support.accessibility'], notice: undefined } }),
    'PF_DECL_NOTICE_MISSING',
  ],
  ['no retention', purposeDecl({ 'a.b': { ...base['support.ticket'], retention: undefined } }), 'PF_DECL_RETENTION_MISSING'],
  [
    'retention not ISO-8601',
    purposeDecl({ 'a.b': { ...base['support.ticket'], retention: 'two years' } }),
    'PF_DECL_RETENTION_INVALID',
  ],
  ['zero retention', purposeDecl({ 'a.b': { ...base['support.ticket'], retention: 'P0D' } }), 'PF_DECL_RETENTION_INVALID'],
  [
    'transfer without a mechanism',
    purposeDecl({ 'a.b': { ...base['support.ticket'], transfer: { countries: ['US'] } } }),
    'PF_DECL_TRANSFER_MECHANISM_MISSING',
  ],
  ['unknown data use', purposeDecl({ 'a.b': { ...base['support.ticket'], dataUse: 'vibes.good' } }), 'PF_DECL_DATA_USE_UNKNOWN'],
  ['no controller', purposeDecl({ 'a.b': base['support.ticket'] }, {}), 'PF_DECL_CONTROLLER_MISSING'],
  [
    'controller without a DPO',
    purposeDecl({ 'a.b': base['support.ticket'] }, { controller: { name: 'A', contact: 'a@b.c' } }),
    'PF_DECL_CONTROLLER_MISSING',
  ],
  [
    'LGPD Art. 16 I: a legal-obligation ground on a purpose with no legal obligation',
    purposeDecl({ 'a.b': { ...base['support.ticket'], keptOnErasure: ['legal_obligation'] } }),
    'PF_DECL_ERASURE_GROUND_INVALID',
  ],
  [
    'an encarregado without a name under the LGPD (Art. 41 §1)',
    purposeDecl({ 'a.b': base['support.ticket'] }, { controller: { name: 'A', contact: 'a@b.c', dpo: { contact: 'd@b.c' } } }),
    'PF_DECL_DPO_IDENTITY_MISSING',
  ],
  [
    'a recipient outside Brazil and the EEA with no transfer (LGPD Art. 33; GDPR Art. 44)',
    purposeDecl({
      'a.b': { ...base['support.ticket'], recipients: [{ name: 'Helpdesk SaaS', role: 'processor', country: 'US' }] },
    }),
    'PF_DECL_TRANSFER_UNDECLARED',
  ],
  [
    'research by a controller that does not say it is a research body (LGPD Art. 7 IV)',
    purposeDecl({ 'a.b': { ...base['support.ticket'], legalBasis: { lgpd: 'research', gdpr: 'legitimate_interests' } } }),
    'PF_DECL_QUALIFIED_CONTROLLER',
  ],
  [
    'unknown category',
    schema({ email: pd(z.string(), { category: 'user.contcat.email', purposes: ['support.ticket'] }) }),
    'PF_DECL_UNKNOWN_CATEGORY',
  ],
  [
    'unknown purpose',
    schema({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.tickets'] }) }),
    'PF_DECL_UNKNOWN_PURPOSE',
  ],
  [
    'no purpose at all',
    schema({ email: pd(z.string(), { category: 'user.contact.email', purposes: [] }) }),
    'PF_DECL_NO_PURPOSE',
  ],
  [
    'unknown access level',
    schema({ email: pd(z.string(), { category: 'user.contact.email', purposes: { 'support.ticket': 'visible' as never } }) }),
    'PF_DECL_ACCESS_INVALID',
  ],
  [
    'unknown mask',
    schema({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], mask: 'blur' as never }) }),
    'PF_DECL_MASK_UNKNOWN',
  ],
  [
    'unknown anonymization',
    schema({
      email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], anonymize: { hash: true } as never }),
    }),
    'PF_DECL_ANONYMIZE_INVALID',
  ],
  [
    'anonymization keeping a prefix of a number',
    schema({
      age: pd(z.number(), { category: 'user.demographic.age_range', purposes: ['support.ticket'], anonymize: { keepFirst: 1 } }),
    }),
    'PF_DECL_ANONYMIZE_INVALID',
  ],
  [
    'anonymization rounding a string',
    schema({
      zip: pd(z.string().optional(), {
        category: 'user.contact.address.postal_code',
        purposes: ['support.ticket'],
        anonymize: { round: 1000 },
      }),
    }),
    'PF_DECL_ANONYMIZE_INVALID',
  ],
  [
    'redaction as anonymization: still personal data (LGPD Art. 12, 13 §4)',
    schema({ name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], anonymize: 'redact' as never }) }),
    'PF_DECL_ANONYMIZE_NOT_ANONYMOUS',
  ],
  [
    'sensitive field not encrypted',
    schema({ health: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.accessibility'] }) }),
    'PF_DECL_SENSITIVE_UNENCRYPTED',
  ],
  [
    'sensitive field used by a purpose without a sensitive basis',
    schema({ health: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.ticket'], encrypt: true }) }),
    'PF_DECL_SENSITIVE_BASIS_MISSING',
  ],
  [
    'two fields with one stable id',
    schema({
      a: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], id: 'same' }),
      b: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], id: 'same' }),
    }),
    'PF_DECL_DUPLICATE_FIELD_ID',
  ],
  [
    'union options that disagree',
    schema({
      contact: z.union([
        z.object({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }) }),
        z.object({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['fraud.check'] }) }),
      ]),
    }),
    'PF_DECL_CONFLICTING_ANNOTATIONS',
  ],
  [
    'annotation inside an annotated value',
    schema({
      address: pd(z.object({ city: pd(z.string(), { category: 'user.contact.address.city', purposes: ['support.ticket'] }) }), {
        category: 'user.contact.address',
        purposes: ['support.ticket'],
      }),
    }),
    'PF_DECL_NESTED_ANNOTATION',
  ],
  [
    'annotation on the keys of a record',
    schema({ byEmail: z.record(pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }), z.number()) }),
    'PF_DECL_ANNOTATION_UNSUPPORTED',
  ],
  [
    'annotation inside a set',
    schema({ emails: z.set(pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] })) }),
    'PF_DECL_ANNOTATION_UNSUPPORTED',
  ],
  [
    'annotation inside pd.none()',
    schema({
      meta: pd.none(z.object({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }) })),
    }),
    'PF_DECL_ANNOTATION_UNSUPPORTED',
  ],
  [
    'a union of a personal field and an object',
    schema({
      who: z.union([
        pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
        z.object({ tax: pd(z.string(), { category: 'user.government_id', purposes: ['fraud.check'] }) }),
      ]),
    }),
    'PF_DECL_CONFLICTING_ANNOTATIONS',
  ],
  [
    'a union of an array and a tuple holding personal fields',
    schema({
      v: z.union([z.array(pd(z.string(), { category: 'user.name', purposes: ['fraud.check'] })), z.tuple([z.string()])]),
    }),
    'PF_DECL_CONFLICTING_ANNOTATIONS',
  ],
  [
    'encrypted fields without a record id',
    schema({ email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'], encrypt: true }) }),
    'PF_DECL_RECORD_UNBOUND',
  ],
  ['__proto__ as a field name', schema({ ['__proto__']: z.string() } as z.ZodRawShape), 'PF_DECL_RESERVED_KEY'],
  [
    'subject id that is not a field',
    schema({ id: z.string() }, { kind: 'customer', id: 'customerId' }),
    'PF_DECL_SUBJECT_INVALID',
  ],
  ['unknown subject kind', schema({ id: z.string() }, { kind: 'alien', id: 'id' }), 'PF_DECL_SUBJECT_KIND_UNKNOWN'],
  [
    'minors and consent',
    schema(
      { h: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.accessibility'], encrypt: true }) },
      { kind: 'customer', minors: 'possible' },
    ),
    'PF_DECL_MINORS_CONSENT',
  ],
  [
    'minors and legitimate interest',
    schema(
      { ip: pd(z.string(), { category: 'user.device.ip_address', purposes: ['fraud.check'] }) },
      { kind: 'customer', minors: 'always' },
    ),
    'PF_DECL_MINORS_LEGITIMATE_INTEREST',
  ],
  [
    'LGPD Art. 14 caput (Enunciado CD/ANPD 1/2023): minors and any basis, a contract here',
    schema(
      { name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) },
      { kind: 'customer', minors: 'possible' },
    ),
    'PF_DECL_MINORS_BEST_INTEREST',
  ],
  [
    'LGPD Art. 7 §5: consent-based data shared with another controller',
    purposeDecl({
      ...base,
      'partners.offers': {
        description: 'Pass the customer e-mail to the insurance partner for its offers',
        legalBasis: { lgpd: 'consent', gdpr: 'consent' },
        notice: { version: '1' },
        retention: 'P1Y',
        recipients: [{ name: 'Seguros Parceira S.A.', role: 'controller', country: 'BR' }],
      },
    }),
    'PF_DECL_SHARING_SPECIFIC_CONSENT',
  ],
  [
    'criminal records',
    schema({ record: pd(z.string(), { category: 'user.criminal_history', purposes: ['fraud.check'] }) }),
    'PF_DECL_CRIMINAL_DATA',
  ],
  [
    'sensitive in clear without a second factor',
    schema({
      h: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.accessibility'], encrypt: true }),
    }),
    'PF_DECL_MFA_ADVISED',
  ],
  ['unannotated personal-looking name', schema({ customerEmail: z.string() }), 'PF_DECL_LIKELY_PERSONAL'],
  ['unannotated Portuguese name', schema({ telefone_celular: z.string() }), 'PF_DECL_LIKELY_PERSONAL'],
  ['unannotated field', schema({ priority: z.number() }), 'PF_DECL_UNANNOTATED'],
  [
    'unannotated opaque field, flowing while the schema migrates',
    () => defineSchema('t', z.object({ payload: z.unknown() }), { purposes, unannotated: 'allow' }),
    'PF_DECL_OPAQUE_FIELD',
  ],
  [
    'two schemas of one id in one set',
    () => validateDeclarations({ purposes, schemas: [schema({ a: z.string() })(), schema({ b: z.string() })()] }),
    'PF_DECL_DUPLICATE_SCHEMA',
  ],
  [
    'one purpose declared by two registries',
    () =>
      validateDeclarations({
        purposes: [
          purposes,
          definePurposes({ 'support.ticket': { ...base['support.ticket'], retention: 'P9Y' } }, { controller }),
        ],
      }),
    'PF_DECL_DUPLICATE_PURPOSE',
  ],
];

describe('the declaration validator: one case per rule', () => {
  it.each(cases)('%s', (_name, run, code) => {
    const problems = problemsOf(run);
    const found = problems.find((p) => p.code === code);
    if (code === 'PF_DECL_MFA_ADVISED') {
      // the base accessibility purpose requires mfa: 'sensitive'; this rule fires only without it
      expect(found).toBeUndefined();
      return;
    }
    expect(found, `expected ${code} in ${JSON.stringify(problems.map((p) => p.code))}`).toBeDefined();
    const rule = DECLARATION_RULES[code];
    expect(found?.severity).toBe(rule.severity);
    expect(found?.requiredBy).toBe(rule.requiredBy);
    if (rule.requiredBy === 'law') expect(found?.article).toMatch(/LGPD|GDPR/);
  });

  it('covers every rule in the table', () => {
    const tested = new Set(cases.map((c) => c[2]));
    expect(Object.keys(DECLARATION_RULES).filter((c) => !tested.has(c as keyof typeof DECLARATION_RULES))).toEqual([]);
  });

  it('advises a second factor when a purpose sees sensitive data in clear without one', () => {
    const p = definePurposes({ 'support.accessibility': { ...base['support.accessibility'], mfa: 'never' } }, { controller });
    const s = defineSchema(
      'x',
      z.object({
        h: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.accessibility'], encrypt: true }),
      }),
      { purposes: p },
    );
    expect(s.problems.map((x) => x.code)).toContain('PF_DECL_MFA_ADVISED');
  });

  it('reports every error at once, with path, article and where it was declared', () => {
    let caught: unknown;
    try {
      defineSchema(
        'multi',
        z.object({
          a: pd(z.string(), { category: 'user.nope', purposes: ['support.ticket'] }),
          b: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.ticket'] }),
        }),
        { purposes },
      );
    } catch (err) {
      caught = err;
    }
    expect(isPurposefulError(caught)).toBe(true);
    if (!isPurposefulError(caught)) return;
    expect(caught.code).toBe('PF_DECLARATION_INVALID');
    const codes = caught.problems.map((p) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining(['PF_DECL_UNKNOWN_CATEGORY', 'PF_DECL_SENSITIVE_UNENCRYPTED', 'PF_DECL_SENSITIVE_BASIS_MISSING']),
    );
    const basis = caught.problems.find((p) => p.code === 'PF_DECL_SENSITIVE_BASIS_MISSING');
    expect(basis?.path).toBe('b');
    expect(basis?.article).toMatch(/LGPD Art\. 11|GDPR Art\. 9\(2\)/);
    expect(basis?.declaredAt).toMatch(/declarations\.test\.ts:\d+:\d+$/);
  });

  it('pd.none() silences the name heuristic; a clean schema has no problems', () => {
    const s = defineSchema(
      'product',
      z.object({
        name: pd.none(z.string()),
        email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
      }),
      { purposes },
    );
    expect(s.problems).toEqual([]);
  });

  it('validateDeclarations gathers warnings and thrown errors, sorted errors first', () => {
    const failures: unknown[] = [];
    try {
      schema({ h: pd(z.string(), { category: 'user.health_and_medical', purposes: ['support.ticket'] }) })();
    } catch (err) {
      failures.push(err);
    }
    const warn = defineSchema('w', z.object({ phone: z.string() }), { purposes });
    const report = validateDeclarations({ purposes, schemas: [warn], failures });
    expect(report.errors).toBeGreaterThan(0);
    expect(report.problems.filter((p) => p.code === 'PF_DECL_LIKELY_PERSONAL' && p.schema === 'w')).toHaveLength(1);
    expect(report.problems[0]?.severity).toBe('error');
    expect(report.problems.at(-1)?.severity).toBe('warning');
    expect(report.errors + report.warnings).toBe(report.problems.length);
    expect(() => validateDeclarations({ failures: [new Error('boom')] })).toThrow('boom');
  });

  it('rejects things that are not declarations with a clear error', () => {
    expect(() => pd('nope' as never, { category: 'user.name', purposes: [] })).toThrow(/zod 4 schema/);
    expect(() => defineSchema('t', z.string() as never, { purposes })).toThrow(/object schema/);
    expect(() => defineSchema('T!', z.object({}), { purposes })).toThrow(/schema id/);
    expect(() => defineSchema('t', z.object({}), { purposes: {} as never })).toThrow(/definePurposes/);
    expect(() => definePurposes({ 'a.b': base['support.ticket'] }, { categories: { foo: {} } })).toThrow(/custom category/);
  });

  it('custom categories extend the taxonomy under existing keys', () => {
    const p = definePurposes(base, { controller, categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } } });
    const s = defineSchema(
      'w',
      z.object({ wa: pd(z.string(), { category: 'user.contact.whatsapp', purposes: ['support.ticket'] }) }),
      {
        purposes: p,
      },
    );
    expect(s.field('wa')?.category).toBe('user.contact.whatsapp');
    expect(s.field('wa')?.sensitive).toBe(false);
  });
});
