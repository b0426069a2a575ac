/**
 * The declaration rules: one stable code each, its severity, whether the law
 * requires it (and which article) or it is purposeful's own policy. The
 * validator and the CLI (SARIF rule help) read this one table.
 *
 * @module
 */
import type { DeclarationProblem } from '../errors.js';

/**
 * The facts of one rule.
 *
 * @example
 * ```ts
 * const rule: DeclarationRule = DECLARATION_RULES.PF_DECL_SENSITIVE_UNENCRYPTED;
 * // { severity: 'error', requiredBy: 'policy', article: 'LGPD Art. 46; GDPR Art. 32',
 * //   summary: 'Sensitive fields must be encrypted for storage (purposeful policy).' }
 * ```
 * @category Declaring
 */
export interface DeclarationRule {
  readonly severity: 'error' | 'warning';
  readonly requiredBy: 'law' | 'policy';
  readonly article?: string;
  /** One line a reviewer reads. */
  readonly summary: string;
}

/**
 * Every declaration rule, by code.
 *
 * @example
 * ```ts
 * DECLARATION_RULES.PF_DECL_LEGAL_BASIS_MISSING.article; // 'LGPD Art. 7; GDPR Art. 6(1)'
 * const warningCodes = Object.entries(DECLARATION_RULES).filter(([, r]) => r.severity === 'warning').map(([code]) => code);
 * ```
 * @category Declaring
 */
export const DECLARATION_RULES = {
  PF_DECL_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'A declaration is malformed (wrong type, missing property, unknown option).',
  },
  PF_DECL_PURPOSE_ID_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Purpose ids are dotted lowercase keys such as `support.ticket`.',
  },
  PF_DECL_GENERIC_PURPOSE: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 6 I, Art. 8 §4; GDPR Art. 5(1)(b)',
    summary: 'Purposes must be specific and explicit: no empty, catch-all or wildcard purposes.',
  },
  PF_DECL_LEGAL_BASIS_MISSING: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 7; GDPR Art. 6(1)',
    summary: 'Every purpose needs a legal basis under every law in force.',
  },
  PF_DECL_LEGAL_BASIS_INVALID: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 7, 11; GDPR Art. 6(1), 9(2)',
    summary: 'The legal basis is not one the law lists.',
  },
  PF_DECL_SENSITIVE_BASIS_MISSING: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 11; GDPR Art. 9(2)',
    summary: 'A purpose that touches sensitive data needs a sensitive-data basis under every law in force.',
  },
  PF_DECL_SENSITIVE_BASIS_NOT_ALLOWED: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 11; GDPR Art. 9(2)',
    summary: 'This basis cannot serve sensitive data (e.g. legitimate interest, credit protection).',
  },
  PF_DECL_NOTICE_MISSING: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 8 §2, Art. 9; GDPR Art. 7(1), Art. 13',
    summary: 'A consent-based purpose needs a notice version, so consent can be proven for what was shown.',
  },
  PF_DECL_RETENTION_MISSING: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 15, 16; GDPR Art. 5(1)(e)',
    summary: 'Every purpose declares how long its data is kept.',
  },
  PF_DECL_RETENTION_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Retention is an ISO-8601 duration greater than zero, e.g. `P2Y`, `P6M`.',
  },
  PF_DECL_TRANSFER_MECHANISM_MISSING: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 33; Res. CD/ANPD 19/2024; GDPR Art. 44–49',
    summary: 'An international transfer names its countries and a lawful mechanism under each law the purpose is declared under.',
  },
  PF_DECL_TRANSFER_UNDECLARED: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 33; Res. CD/ANPD 19/2024; GDPR Art. 44–46',
    summary:
      'A recipient processes the data outside Brazil and the EEA (between which the mutual adequacy decisions apply) and the purpose declares no transfer to its country.',
  },
  PF_DECL_DATA_USE_UNKNOWN: {
    severity: 'warning',
    requiredBy: 'policy',
    summary: 'The data use is not under a fideslang data-use root.',
  },
  PF_DECL_CONTROLLER_MISSING: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 9 III, Art. 41 §1; GDPR Art. 13(1)(a)–(b)',
    summary: 'Declare the controller and its encarregado / DPO contact once, in definePurposes.',
  },
  PF_DECL_DPO_IDENTITY_MISSING: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 41 §1; Res. CD/ANPD 18/2024',
    summary:
      "Under the LGPD the encarregado's identity is published with the contact: declare controller.dpo.name (a small agent that appoints none still offers a channel, Res. CD/ANPD 2/2022 Art. 11).",
  },
  PF_DECL_QUALIFIED_CONTROLLER: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 7 III, IV, VIII, 11 II b, c, f; GDPR Art. 9(3)',
    summary:
      'The basis is only open to some controllers (research → a research body, public_policy → the public administration, health_protection and health_care → health professionals or services): declare controller.kinds.',
  },
  PF_DECL_UNKNOWN_CATEGORY: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'The category is not in the taxonomy (add custom keys with definePurposes(…, { categories })).',
  },
  PF_DECL_UNKNOWN_PURPOSE: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 6 I; GDPR Art. 5(1)(b)',
    summary: 'The field names a purpose nobody declared.',
  },
  PF_DECL_NO_PURPOSE: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 6 I, III; GDPR Art. 5(1)(b)–(c)',
    summary: 'A personal field must serve at least one purpose, or it should not be collected.',
  },
  PF_DECL_ACCESS_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Access levels are `clear`, `masked`, `pseudonymized` (or a role map of them).',
  },
  PF_DECL_MASK_UNKNOWN: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'The mask is not one purposeful knows.',
  },
  PF_DECL_ANONYMIZE_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    article: 'LGPD Art. 12; GDPR Recital 26',
    summary: "The anonymization is not one purposeful knows, or does not fit the field's type.",
  },
  PF_DECL_ANONYMIZE_NOT_ANONYMOUS: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 5 III, 12, 13 §4; GDPR Art. 4(5), Recital 26',
    summary:
      'The declared anonymization would leave the person identifiable (redacted free text, a prefix or rounding of a value that is not a coarse code): that is personal data, not an anonymous copy.',
  },
  PF_DECL_SENSITIVE_UNENCRYPTED: {
    severity: 'error',
    requiredBy: 'policy',
    article: 'LGPD Art. 46; GDPR Art. 32',
    summary: 'Sensitive fields must be encrypted for storage (purposeful policy).',
  },
  PF_DECL_DUPLICATE_FIELD_ID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Two fields of one schema share a stable id; encryption would confuse them.',
  },
  PF_DECL_CONFLICTING_ANNOTATIONS: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Union options declare the same path differently.',
  },
  PF_DECL_NESTED_ANNOTATION: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'A field inside an annotated value is annotated again; annotate the parent or its fields, not both.',
  },
  PF_DECL_ANNOTATION_UNSUPPORTED: {
    severity: 'error',
    requiredBy: 'policy',
    summary:
      'An annotation sits where purposeful cannot enforce it: on record keys, inside a map, set, promise or catchall, or inside a value declared pd.none().',
  },
  PF_DECL_RECORD_UNBOUND: {
    severity: 'warning',
    requiredBy: 'policy',
    summary:
      'The schema encrypts fields but declares no recordId: a value can be moved between records of the same subject (or, without a subject, between any records) and still decrypt.',
  },
  PF_DECL_DUPLICATE_SCHEMA: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'Two different schemas share one id: the data map, encryption and the access log could not tell them apart.',
  },
  PF_DECL_DUPLICATE_PURPOSE: {
    severity: 'error',
    requiredBy: 'policy',
    summary: 'One purpose id is declared differently by two registries: declare each purpose once (definePurposes) and share it.',
  },
  PF_DECL_RESERVED_KEY: {
    severity: 'error',
    requiredBy: 'policy',
    summary: '`__proto__` cannot be a field name.',
  },
  PF_DECL_SUBJECT_INVALID: {
    severity: 'error',
    requiredBy: 'policy',
    summary: "The schema's subject declaration is malformed or its id field does not exist.",
  },
  PF_DECL_SUBJECT_KIND_UNKNOWN: {
    severity: 'warning',
    requiredBy: 'policy',
    summary: 'The subject kind is not a fideslang data subject.',
  },
  PF_DECL_MINORS_CONSENT: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 14 §1; GDPR Art. 8',
    summary:
      "Subjects may be minors and the purpose rests on consent: a parent's or guardian's specific and highlighted consent will be required.",
  },
  PF_DECL_MINORS_LEGITIMATE_INTEREST: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 14 caput (ANPD Enunciado 1/2023); GDPR Art. 6(1)(f)',
    summary: "Subjects may be minors: legitimate interest must weigh the child's best interest.",
  },
  PF_DECL_MINORS_BEST_INTEREST: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 14 caput; Enunciado CD/ANPD 1/2023',
    summary:
      "Subjects may be minors: whatever the legal basis, processing must be in the child's or adolescent's best interest, assessed case by case.",
  },
  PF_DECL_SHARING_SPECIFIC_CONSENT: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'LGPD Art. 7 §5',
    summary:
      'A purpose resting on consent shares the data with another controller: consent must be specific to that sharing (grants name the controllers in sharedWith).',
  },
  PF_DECL_ERASURE_GROUND_INVALID: {
    severity: 'error',
    requiredBy: 'law',
    article: 'LGPD Art. 16; GDPR Art. 17(3)',
    summary:
      "A purpose's erasure ground (keptOnErasure) is unknown, has no article in a law the purpose is declared under, or does not fit its basis.",
  },
  PF_DECL_CRIMINAL_DATA: {
    severity: 'warning',
    requiredBy: 'law',
    article: 'GDPR Art. 10',
    summary: 'Criminal convictions and offences data only under official authority or when a law authorizes it.',
  },
  PF_DECL_MFA_ADVISED: {
    severity: 'warning',
    requiredBy: 'policy',
    article: 'LGPD Art. 46; GDPR Art. 32',
    summary: 'A purpose sees sensitive fields in clear without requiring a second factor.',
  },
  PF_DECL_LIKELY_PERSONAL: {
    severity: 'warning',
    requiredBy: 'policy',
    summary:
      'The field name suggests personal data but the field is not annotated (use pd(), or pd.none() if it is not personal).',
  },
  PF_DECL_UNANNOTATED: {
    severity: 'warning',
    requiredBy: 'policy',
    article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)',
    summary:
      "A field is neither pd() nor pd.none(): it is declared for no purpose (rejected inbound, left out outbound), or with unannotated: 'allow' it flows for every purpose.",
  },
  PF_DECL_OPAQUE_FIELD: {
    severity: 'warning',
    requiredBy: 'policy',
    summary:
      'A field left unannotated, or declared pd.none(), accepts any value (any, unknown, custom, loose object): it can carry undeclared personal data.',
  },
} as const satisfies Record<string, DeclarationRule>;

/**
 * A declaration rule code.
 *
 * @example
 * ```ts
 * const accepted: DeclarationCode[] = ['PF_DECL_MFA_ADVISED', 'PF_DECL_LIKELY_PERSONAL']; // reviewed, left as they are
 * const report = validateDeclarations({ purposes, schemas: [Customer, Ticket] });
 * const open = report.problems.filter((p) => !accepted.includes(p.code as DeclarationCode));
 * ```
 * @category Declaring
 */
export type DeclarationCode = keyof typeof DECLARATION_RULES;

/**
 * Builds a problem of a rule, filling severity, requiredBy and article from the table.
 *
 * @example
 * ```ts
 * problem('PF_DECL_RETENTION_MISSING', 'purpose "support.ticket" declares no retention', { purpose: 'support.ticket' });
 * // { code: 'PF_DECL_RETENTION_MISSING', severity: 'error', requiredBy: 'law', message: '…',
 * //   article: 'LGPD Art. 15, 16; GDPR Art. 5(1)(e)', purpose: 'support.ticket' }
 * ```
 * @category Declaring
 */
export function problem(
  code: DeclarationCode,
  message: string,
  where: Pick<DeclarationProblem, 'schema' | 'path' | 'purpose' | 'declaredAt'> & { article?: string } = {},
): DeclarationProblem {
  const rule: DeclarationRule = DECLARATION_RULES[code];
  const out: { -readonly [K in keyof DeclarationProblem]: DeclarationProblem[K] } = {
    code,
    severity: rule.severity,
    requiredBy: rule.requiredBy,
    message,
  };
  const article = where.article ?? rule.article;
  if (article) out.article = article;
  if (where.schema !== undefined) out.schema = where.schema;
  if (where.path !== undefined) out.path = where.path;
  if (where.purpose !== undefined) out.purpose = where.purpose;
  if (where.declaredAt !== undefined) out.declaredAt = where.declaredAt;
  return Object.freeze(out);
}
