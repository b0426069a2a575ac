import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ageGroup,
  BUILTIN_CATEGORIES,
  basisArticle,
  CRIMINAL_ROOTS,
  categoryCovers,
  createTaxonomy,
  GDPR_BASES,
  GDPR_DEFAULT_DIGITAL_CONSENT_AGE,
  GDPR_SPECIAL_BASES,
  isConsentBasis,
  JURISDICTIONS,
  LGPD_BASES,
  LGPD_SENSITIVE_BASES,
  needsGuardianConsent,
  SENSITIVE_NOT_ALLOWED,
  SENSITIVE_ROOTS,
} from '../../src/index.js';

/** The built-in keys that are sensitive personal data (LGPD Art. 5 II; GDPR Art. 9(1)), spelled out. */
const EXPECTED_SENSITIVE = [
  'user.authorization.biometric',
  'user.biometric',
  'user.biometric.fingerprint',
  'user.biometric.health',
  'user.biometric.retinal',
  'user.biometric.voice',
  'user.demographic.organization_membership',
  'user.demographic.political_opinion',
  'user.demographic.race_ethnicity',
  'user.demographic.religious_belief',
  'user.demographic.sex_life',
  'user.demographic.sexual_orientation',
  'user.demographic.union_membership',
  'user.health_and_medical',
  'user.health_and_medical.genetic',
  'user.health_and_medical.insurance_beneficiary_id',
  'user.health_and_medical.record_id',
];

const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const dottedKey = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));

describe('categoryCovers', () => {
  it('covers itself and its descendants, not siblings sharing a prefix', () => {
    expect(categoryCovers('user.contact', 'user.contact')).toBe(true);
    expect(categoryCovers('user.contact', 'user.contact.email')).toBe(true);
    expect(categoryCovers('user.contact', 'user.contact.address.city')).toBe(true);
    expect(categoryCovers('user.contact', 'user.contactless')).toBe(false);
    expect(categoryCovers('user.contact', 'user.contact_info.email')).toBe(false);
    expect(categoryCovers('user.contact', 'user')).toBe(false);
    expect(categoryCovers('user.contact', 'user.name')).toBe(false);
    expect(categoryCovers('user.contact.email', 'user.contact')).toBe(false);
    expect(categoryCovers('user', 'user.contact.email')).toBe(true);
    expect(categoryCovers('user', 'username')).toBe(false);
    expect(categoryCovers('user', 'system.operations')).toBe(false);
  });

  it('property: a key covers key.child, never key+suffix without a dot, and covering is antisymmetric', () => {
    fc.assert(
      fc.property(dottedKey, dottedKey, segment, (a, b, s) => {
        expect(categoryCovers(a, a)).toBe(true);
        expect(categoryCovers(a, `${a}.${b}`)).toBe(true);
        expect(categoryCovers(a, `${a}${s}`)).toBe(false);
        expect(categoryCovers(`${a}.${b}`, a)).toBe(false);
        if (a !== b && categoryCovers(a, b)) expect(categoryCovers(b, a)).toBe(false);
      }),
    );
  });
});

describe('createTaxonomy: built-in categories', () => {
  const t = createTaxonomy();

  it('knows every built-in key, sorted, and nothing else', () => {
    expect(t.keys()).toEqual([...BUILTIN_CATEGORIES].sort());
    for (const key of BUILTIN_CATEGORIES) {
      const info = t.get(key);
      expect(info?.key).toBe(key);
      expect(info?.custom).toBe(false);
    }
  });

  it('every sensitive root is a built-in key, and it and its children are sensitive', () => {
    for (const [root, kind] of Object.entries(SENSITIVE_ROOTS)) {
      expect(BUILTIN_CATEGORIES as readonly string[]).toContain(root);
      expect(t.get(root)).toMatchObject({ sensitive: true, sensitiveKind: kind });
      for (const key of BUILTIN_CATEGORIES.filter((k) => categoryCovers(root, k))) {
        expect(t.get(key)?.sensitive, key).toBe(true);
      }
    }
  });

  it('exactly the sensitive set of LGPD Art. 5 II / GDPR Art. 9(1) is sensitive', () => {
    const sensitive = t.keys().filter((k) => t.get(k)?.sensitive);
    expect(sensitive).toEqual(EXPECTED_SENSITIVE);
    for (const key of t.keys()) {
      const info = t.get(key)!;
      expect(info.sensitiveKind === undefined, key).toBe(!info.sensitive);
    }
  });

  it('names the kind of sensitive data', () => {
    expect(t.get('user.health_and_medical.genetic')?.sensitiveKind).toBe('health');
    expect(t.get('user.biometric.fingerprint')?.sensitiveKind).toBe('biometric data');
    expect(t.get('user.authorization.biometric')?.sensitiveKind).toBe('biometric data');
    expect(t.get('user.demographic.religious_belief')?.sensitiveKind).toBe('religious conviction');
    expect(t.get('user.demographic.union_membership')?.sensitiveKind).toBe('union membership');
    expect(t.get('user.demographic.sex_life')?.sensitiveKind).toBe('sex life');
    expect(t.get('user.demographic.race_ethnicity')?.sensitiveKind).toBe('racial or ethnic origin');
    expect(t.get('user.demographic.political_opinion')?.sensitiveKind).toBe('political opinion');
  });

  it('ordinary personal data is not sensitive', () => {
    for (const key of [
      'user',
      'user.name',
      'user.contact.email',
      'user.government_id',
      'user.government_id.national_identification_number',
      'user.demographic',
      'user.demographic.date_of_birth',
      'user.demographic.gender',
      'user.authorization',
      'user.authorization.password',
      'user.financial.credit_card',
      'user.childrens',
      'user.criminal_history',
      'system',
    ]) {
      expect(t.get(key)?.sensitive, key).toBe(false);
      expect(t.get(key)?.sensitiveKind, key).toBeUndefined();
    }
  });

  it('user.criminal_history is criminal (GDPR Art. 10), and only it', () => {
    expect(CRIMINAL_ROOTS).toEqual(['user.criminal_history']);
    expect(t.get('user.criminal_history')).toMatchObject({ criminal: true, sensitive: false });
    expect(t.keys().filter((k) => t.get(k)?.criminal)).toEqual(['user.criminal_history']);
  });

  it('unknown keys give undefined', () => {
    for (const key of [
      'user.contcat.email',
      'user.genetic',
      'user.contact.telegram',
      'foo',
      '',
      'USER',
      'user.',
      'toString',
      '__proto__',
    ]) {
      expect(t.get(key), key).toBeUndefined();
    }
  });
});

describe('createTaxonomy: custom categories', () => {
  it('adds keys under an existing parent, in any declaration order', () => {
    const t = createTaxonomy({
      'user.contact.telegram.handle': { description: 'Telegram handle' },
      'user.contact.telegram': { description: 'Telegram account' },
      'system.audit': {},
    });
    for (const key of ['user.contact.telegram', 'user.contact.telegram.handle', 'system.audit']) {
      expect(t.get(key)).toMatchObject({ key, custom: true, sensitive: false, criminal: false });
    }
    expect(t.keys()).toContain('user.contact.telegram.handle');
    expect(t.keys()).toEqual([...t.keys()].sort());
    // another taxonomy does not see them
    expect(createTaxonomy().get('user.contact.telegram')).toBeUndefined();
  });

  it('rejects keys that are not under an existing category', () => {
    for (const key of ['foo', 'user2', 'user.nope.x', 'other.x', 'user.contact.telegram.handle']) {
      expect(() => createTaxonomy({ [key]: {} }), key).toThrow(`"${key}"`);
    }
  });

  it('rejects malformed keys', () => {
    for (const key of [
      '',
      'User.contact',
      'user.Contact',
      'user..x',
      'user.contact.',
      '.user.contact',
      'user.contact.9x',
      'user.contact.x-y',
      'user.contact.x y',
      'user.contact._x',
    ]) {
      expect(() => createTaxonomy({ [key]: {} }), key).toThrow(/custom category/);
    }
  });

  it('a custom child of a sensitive key is sensitive, even when declared not sensitive', () => {
    const t = createTaxonomy({
      'user.health_and_medical.allergies': { description: 'Allergies' },
      'user.biometric.gait': { sensitive: false },
      'user.authorization.biometric.face': {},
      'user.demographic.religious_belief.denomination': {},
    });
    expect(t.get('user.health_and_medical.allergies')).toMatchObject({ sensitive: true, sensitiveKind: 'health', custom: true });
    expect(t.get('user.biometric.gait')).toMatchObject({ sensitive: true, sensitiveKind: 'biometric data' });
    expect(t.get('user.authorization.biometric.face')).toMatchObject({ sensitive: true, sensitiveKind: 'biometric data' });
    expect(t.get('user.demographic.religious_belief.denomination')).toMatchObject({ sensitive: true });
  });

  it('a custom key of a criminal key is criminal', () => {
    const t = createTaxonomy({ 'user.criminal_history.convictions': {} });
    expect(t.get('user.criminal_history.convictions')).toMatchObject({ criminal: true, custom: true });
  });

  it('`sensitive: true` makes a custom key and its custom children sensitive, not its siblings', () => {
    const t = createTaxonomy({
      'user.contact.sec': { sensitive: true },
      'user.contact.sec.detail': {},
      'user.contact.secret': {},
      'user.contact.other': { sensitive: false },
    });
    expect(t.get('user.contact.sec')).toMatchObject({ sensitive: true, sensitiveKind: 'declared sensitive' });
    expect(t.get('user.contact.sec.detail')).toMatchObject({ sensitive: true, sensitiveKind: 'declared sensitive' });
    expect(t.get('user.contact.secret')?.sensitive).toBe(false);
    expect(t.get('user.contact.other')?.sensitive).toBe(false);
    expect(t.get('user.contact')?.sensitive).toBe(false);
    expect(t.get('user.contact.email')?.sensitive).toBe(false);
  });
});

describe('legal bases', () => {
  it('basisArticle gives each law its normal table', () => {
    for (const [k, v] of Object.entries(LGPD_BASES)) expect(basisArticle('lgpd', k)).toBe(v);
    for (const [k, v] of Object.entries(GDPR_BASES)) expect(basisArticle('gdpr', k)).toBe(v);
    expect(basisArticle('lgpd', 'consent')).toBe('LGPD Art. 7 I');
    expect(basisArticle('lgpd', 'contract')).toBe('LGPD Art. 7 V');
    expect(basisArticle('lgpd', 'legitimate_interest')).toBe('LGPD Art. 7 IX; Art. 10');
    expect(basisArticle('lgpd', 'credit_protection')).toBe('LGPD Art. 7 X');
    expect(basisArticle('gdpr', 'contract')).toBe('GDPR Art. 6(1)(b)');
    expect(basisArticle('gdpr', 'legitimate_interests')).toBe('GDPR Art. 6(1)(f)');
    expect(basisArticle('gdpr', 'consent', false)).toBe('GDPR Art. 6(1)(a)');
  });

  it('basisArticle gives each law its sensitive table', () => {
    for (const [k, v] of Object.entries(LGPD_SENSITIVE_BASES)) expect(basisArticle('lgpd', k, true)).toBe(v);
    for (const [k, v] of Object.entries(GDPR_SPECIAL_BASES)) expect(basisArticle('gdpr', k, true)).toBe(v);
    expect(basisArticle('lgpd', 'consent', true)).toBe('LGPD Art. 11 I');
    expect(basisArticle('lgpd', 'exercise_of_rights', true)).toBe('LGPD Art. 11 II d');
    expect(basisArticle('lgpd', 'fraud_prevention', true)).toBe('LGPD Art. 11 II g');
    expect(basisArticle('gdpr', 'explicit_consent', true)).toBe('GDPR Art. 9(2)(a)');
    expect(basisArticle('gdpr', 'vital_interests', true)).toBe('GDPR Art. 9(2)(c)');
    expect(basisArticle('gdpr', 'research', true)).toBe('GDPR Art. 9(2)(j)');
  });

  it('basisArticle: keys outside a table have no article', () => {
    // not in LGPD Art. 11
    expect(basisArticle('lgpd', 'legitimate_interest', true)).toBeUndefined();
    expect(basisArticle('lgpd', 'credit_protection', true)).toBeUndefined();
    expect(basisArticle('lgpd', 'contract', true)).toBeUndefined();
    // only in LGPD Art. 11
    expect(basisArticle('lgpd', 'fraud_prevention')).toBeUndefined();
    // GDPR Art. 9(2) needs explicit consent; Art. 6(1) has plain consent only
    expect(basisArticle('gdpr', 'consent', true)).toBeUndefined();
    expect(basisArticle('gdpr', 'explicit_consent')).toBeUndefined();
    expect(basisArticle('gdpr', 'legitimate_interests', true)).toBeUndefined();
    // the other law's spelling
    expect(basisArticle('gdpr', 'legitimate_interest')).toBeUndefined();
    expect(basisArticle('lgpd', 'legitimate_interests')).toBeUndefined();
    expect(basisArticle('gdpr', 'credit_protection')).toBeUndefined();
    // not a basis at all, including names inherited from Object.prototype
    for (const j of JURISDICTIONS) {
      for (const s of [false, true]) {
        for (const k of ['', 'none', 'Consent', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
          expect(basisArticle(j, k, s), `${j} ${k} ${s}`).toBeUndefined();
        }
      }
    }
  });

  it('isConsentBasis', () => {
    expect(isConsentBasis('consent')).toBe(true);
    expect(isConsentBasis('explicit_consent')).toBe(true);
    for (const b of ['contract', 'legitimate_interest', 'Consent', 'consent ', '', undefined])
      expect(isConsentBasis(b)).toBe(false);
  });

  it('SENSITIVE_NOT_ALLOWED names the bases that may never serve sensitive data', () => {
    expect(Object.keys(SENSITIVE_NOT_ALLOWED).sort()).toEqual([...JURISDICTIONS].sort());
    for (const b of ['legitimate_interest', 'credit_protection', 'contract']) {
      expect(SENSITIVE_NOT_ALLOWED.lgpd?.[b], b).toEqual(expect.any(String));
    }
    for (const b of ['legitimate_interests', 'consent']) {
      expect(SENSITIVE_NOT_ALLOWED.gdpr?.[b], b).toEqual(expect.any(String));
    }
    expect(SENSITIVE_NOT_ALLOWED.lgpd?.contract).toMatch(/exercise_of_rights/);
    expect(SENSITIVE_NOT_ALLOWED.gdpr?.consent).toMatch(/explicit_consent/);
    // a basis allowed for sensitive data is never listed as not allowed
    for (const j of JURISDICTIONS) {
      for (const b of Object.keys(SENSITIVE_NOT_ALLOWED[j]!)) expect(basisArticle(j, b, true), `${j} ${b}`).toBeUndefined();
    }
    expect(Object.hasOwn(SENSITIVE_NOT_ALLOWED.lgpd!, 'consent')).toBe(false);
    expect(Object.hasOwn(SENSITIVE_NOT_ALLOWED.gdpr!, 'explicit_consent')).toBe(false);
  });

  it('every LGPD Art. 7 basis is either an Art. 11 basis or explained as not allowed', () => {
    for (const b of Object.keys(LGPD_BASES)) {
      const allowed = basisArticle('lgpd', b, true) !== undefined;
      const explained = Object.hasOwn(SENSITIVE_NOT_ALLOWED.lgpd!, b);
      expect(allowed !== explained, b).toBe(true);
    }
  });
});

describe('minors', () => {
  it('ageGroup follows ECA: child under 12, adolescent 12 to 17', () => {
    expect(ageGroup(0)).toBe('child');
    expect(ageGroup(11)).toBe('child');
    expect(ageGroup(11.99)).toBe('child');
    expect(ageGroup(12)).toBe('adolescent');
    expect(ageGroup(17)).toBe('adolescent');
    expect(ageGroup(17.99)).toBe('adolescent');
    expect(ageGroup(18)).toBe('adult');
    expect(ageGroup(99)).toBe('adult');
    for (const a of [undefined, Number.NaN, -1, -0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(ageGroup(a), String(a)).toBe('unknown');
    }
  });

  it('LGPD: guardian consent for children only (Art. 14 §1)', () => {
    expect(needsGuardianConsent('lgpd', 0, 'possible')).toBe(true);
    expect(needsGuardianConsent('lgpd', 11, 'possible')).toBe(true);
    expect(needsGuardianConsent('lgpd', 12, 'possible')).toBe(false);
    expect(needsGuardianConsent('lgpd', 17, 'always')).toBe(false);
    expect(needsGuardianConsent('lgpd', 18, 'possible')).toBe(false);
    expect(needsGuardianConsent('lgpd', 11, 'always')).toBe(true);
  });

  it('GDPR: guardian consent under the digital consent age (16 by default)', () => {
    expect(GDPR_DEFAULT_DIGITAL_CONSENT_AGE).toBe(16);
    expect(needsGuardianConsent('gdpr', 11, 'possible')).toBe(true);
    expect(needsGuardianConsent('gdpr', 15, 'possible')).toBe(true);
    expect(needsGuardianConsent('gdpr', 16, 'possible')).toBe(false);
    expect(needsGuardianConsent('gdpr', 17, 'possible')).toBe(false);
    expect(needsGuardianConsent('gdpr', 30, 'always')).toBe(false);
  });

  it('GDPR: gdprDigitalConsentAge moves the threshold', () => {
    expect(needsGuardianConsent('gdpr', 15, 'possible', { gdprDigitalConsentAge: 13 })).toBe(false);
    expect(needsGuardianConsent('gdpr', 13, 'possible', { gdprDigitalConsentAge: 13 })).toBe(false);
    expect(needsGuardianConsent('gdpr', 12, 'possible', { gdprDigitalConsentAge: 13 })).toBe(true);
    expect(needsGuardianConsent('gdpr', 13, 'possible', { gdprDigitalConsentAge: 14 })).toBe(true);
    expect(needsGuardianConsent('gdpr', 14, 'possible', { gdprDigitalConsentAge: 14 })).toBe(false);
    // the option is GDPR's: it does not move the LGPD rule
    expect(needsGuardianConsent('lgpd', 13, 'possible', { gdprDigitalConsentAge: 16 })).toBe(false);
    expect(needsGuardianConsent('lgpd', 11, 'possible', { gdprDigitalConsentAge: 13 })).toBe(true);
  });

  it('an unknown age counts as a minor unless the policy says minors never occur', () => {
    for (const j of JURISDICTIONS) {
      for (const age of [undefined, Number.NaN, -1]) {
        expect(needsGuardianConsent(j, age, 'possible'), `${j} ${age}`).toBe(true);
        expect(needsGuardianConsent(j, age, 'always'), `${j} ${age}`).toBe(true);
        expect(needsGuardianConsent(j, age, 'never'), `${j} ${age}`).toBe(false);
      }
    }
  });

  it("policy 'never' never asks for guardian consent", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JURISDICTIONS),
        fc.option(fc.double(), { nil: undefined }),
        fc.integer({ min: 13, max: 16 }),
        (j, age, digitalAge) => {
          expect(needsGuardianConsent(j, age, 'never', { gdprDigitalConsentAge: digitalAge })).toBe(false);
        },
      ),
    );
  });

  it('property: for a known age, guardian consent is needed exactly below the law threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 13, max: 16 }),
        fc.constantFrom('possible', 'always'),
        (age, digitalAge, policy) => {
          expect(needsGuardianConsent('lgpd', age, policy)).toBe(age < 12);
          expect(needsGuardianConsent('gdpr', age, policy, { gdprDigitalConsentAge: digitalAge })).toBe(age < digitalAge);
        },
      ),
    );
  });
});

describe('guards on the law tables', () => {
  it('the GDPR digital consent age can only be set from 13 to 16 (Art. 8(1))', () => {
    for (const age of [5, 12, 17, 14.5]) {
      expect(() => needsGuardianConsent('gdpr', 10, 'possible', { gdprDigitalConsentAge: age })).toThrow(RangeError);
    }
    expect(needsGuardianConsent('gdpr', 13, 'possible', { gdprDigitalConsentAge: 13 })).toBe(false);
  });

  it('a plain legal obligation is not a GDPR Art. 9(2) condition', () => {
    expect(SENSITIVE_NOT_ALLOWED.gdpr.legal_obligation).toMatch(/employment_social_security|substantial_public_interest/);
  });
});
