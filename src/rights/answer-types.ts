/**
 * What the rights desk answers about a subject's data: the export of an
 * access or portability request, and the sharing and consent information.
 *
 * @module
 */
import type { ConsentEvent } from '../consent/events.js';
import type { RightsKind } from './deadlines.js';
import type { AutomatedDecisionInfo, ComplaintRight, ScreenedField, SubjectRight, TransferInfo } from './statement.js';

/**
 * One item of the subject's data in an access or portability answer.
 *
 * @example
 * ```ts
 * const item: ExportItem = {
 *   schema: 'customer', field: 'email', value: 'ana@example.com', origin: 'given by you',
 *   purposes: [{ purpose: 'support.ticket', description: 'Answer…', legalBasis: { lgpd: 'contract' }, retention: 'P2Y', recipients: [] }],
 * };
 * ```
 * @category Rights and retention
 */
export interface ExportItem {
  readonly schema: string;
  readonly record?: string;
  readonly field: string;
  readonly value: unknown;
  readonly origin: string;
  readonly purposes: readonly {
    readonly purpose: string;
    readonly description: string;
    readonly legalBasis: Readonly<Record<string, string>>;
    readonly retention: string;
    readonly recipients: readonly string[];
  }[];
  /** The value shown is redacted: it held another person's data (GDPR Art. 15(4)). */
  readonly redacted?: true;
}

/**
 * The answer to an access or portability request (LGPD Art. 18 II, V, 19;
 * GDPR Art. 15, 20): the subject's data grouped by category, the consent
 * history, and the dates and purposes of consultations (without staff); the
 * subject's rights, where to complain, the automated decisions taken with the
 * data and the safeguards of its transfers abroad (GDPR Art. 15(1)(e)–(h),
 * 15(2); LGPD Art. 9, 18 §1, 20 §1); and what was left out or redacted
 * because it is another person's data (GDPR Art. 15(4), 20(4)).
 *
 * @example
 * ```ts
 * const doc: SubjectExport = await pf.rights.access(request.id);
 * Object.keys(doc.data); // ['user.contact.email', 'user.name', …]
 * doc.complaint[0]?.authority; // 'Autoridade Nacional de Proteção de Dados (ANPD)'
 * ```
 * @category Rights and retention
 */
export interface SubjectExport {
  readonly format: 'purposeful.subject-export/1';
  readonly subjectId: string;
  readonly generatedAt: string;
  readonly request: { readonly id: string; readonly kind: RightsKind };
  readonly controller?: { readonly name: string; readonly contact: string; readonly dpo?: string };
  readonly data: Readonly<Record<string, readonly ExportItem[]>>;
  readonly consent: readonly ConsentEvent[];
  readonly consultations: readonly { readonly time: string; readonly purpose?: string; readonly recipients: readonly string[] }[];
  /** The subject's rights under the laws in force, with the request kind of each (GDPR Art. 15(1)(e); LGPD Art. 9 VII, 18). */
  readonly rights: readonly SubjectRight[];
  /** The right to complain to the authority, per law (GDPR Art. 15(1)(f), 77; LGPD Art. 18 §1). */
  readonly complaint: readonly ComplaintRight[];
  /** Automated decisions taken with the data (GDPR Art. 15(1)(h), 22; LGPD Art. 20 §1). */
  readonly automatedDecisions: readonly AutomatedDecisionInfo[];
  /** Transfers abroad and their safeguards (GDPR Art. 15(2), 46; LGPD Art. 33). */
  readonly transfers: readonly TransferInfo[];
  /** Values left out or redacted because they are about another person (GDPR Art. 15(4), 20(4)). */
  readonly screened: readonly ScreenedField[];
}

/**
 * One purpose's sharing, for a `sharing-info` request.
 *
 * @example
 * ```ts
 * const entry: SharingEntry = { purpose: 'billing.invoice', recipients: [{ name: 'NF-e issuing service', role: 'processor', country: 'BR' }] };
 * ```
 * @category Rights and retention
 */
export interface SharingEntry {
  readonly purpose: string;
  readonly recipients: readonly { readonly name: string; readonly role: string; readonly country?: string }[];
  readonly transfer?: { readonly countries: readonly string[]; readonly mechanism: string };
}

/**
 * One consent-based purpose, for a `consent-info` request.
 *
 * @example
 * ```ts
 * const entry: ConsentInfoEntry = { purpose: 'support.survey', description: 'Ask for satisfaction feedback…',
 *   status: 'granted', ifRefused: 'We do not ask you about your satisfaction; support works as before.' };
 * ```
 * @category Rights and retention
 */
export interface ConsentInfoEntry {
  readonly purpose: string;
  readonly description: string;
  readonly notice?: { readonly version: string; readonly url?: string };
  /** The subject's current state: granted, withdrawn, expired, or none. */
  readonly status: string;
  /**
   * What follows from refusing consent, as the purpose declares it in
   * `ifRefused` (LGPD Art. 18 VIII, 9 §3); absent when it declares nothing.
   */
  readonly ifRefused?: string;
  /**
   * Present when the purpose transfers the data abroad on this consent (LGPD Art. 33 VIII; GDPR Art. 49(1)(a)):
   * the countries and the article. `only`: the purpose itself rests on another basis, so this is consent to the
   * transfer alone; withdrawing it stops the transfer, and the purpose with it while it needs the transfer.
   */
  readonly transfer?: { readonly countries: readonly string[]; readonly article: string; readonly only: boolean };
}
