/**
 * Erasure grounds: why a purpose's data survives a request to erase it, and
 * for how long. After an erasure a retained field is kept only for the
 * purposes whose ground keeps it (LGPD Art. 16; GDPR Art. 17(3)).
 *
 * @module
 */
import type { DeclarationProblem } from '../errors.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import type { ErasureGround, PurposeDeclaration } from './declaration.js';
import { problem } from './rules.js';

export type { ErasureGround } from './declaration.js';

/**
 * Each erasure ground with its article in each law that has it, and what it keeps data for.
 *
 * @example
 * ```ts
 * ERASURE_GROUNDS.legal_obligation.lgpd; // 'LGPD Art. 16 I'
 * ERASURE_GROUNDS.legal_claims.gdpr;     // 'GDPR Art. 17(3)(e)'
 * ERASURE_GROUNDS.transfer.gdpr;         // undefined: the GDPR has no such exception
 * ```
 * @category Rights and retention
 */
export const ERASURE_GROUNDS: Readonly<
  Record<ErasureGround, { readonly lgpd?: string; readonly gdpr?: string; readonly label: string }>
> = Object.freeze({
  legal_obligation: Object.freeze({
    lgpd: 'LGPD Art. 16 I',
    gdpr: 'GDPR Art. 17(3)(b)',
    label: 'kept under a legal obligation',
  }),
  public_task: Object.freeze({ gdpr: 'GDPR Art. 17(3)(b)', label: 'kept for a task in the public interest' }),
  public_health: Object.freeze({ gdpr: 'GDPR Art. 17(3)(c)', label: 'kept for public health' }),
  research: Object.freeze({
    lgpd: 'LGPD Art. 16 II',
    gdpr: 'GDPR Art. 17(3)(d)',
    label: 'kept for research, anonymized where possible',
  }),
  transfer: Object.freeze({ lgpd: 'LGPD Art. 16 III', label: 'kept for its transfer to a third party' }),
  legal_claims: Object.freeze({
    lgpd: 'LGPD Art. 7 VI, 11 II d',
    gdpr: 'GDPR Art. 17(3)(e)',
    label: 'kept for the exercise of rights in proceedings',
  }),
});

const GROUNDS = Object.keys(ERASURE_GROUNDS) as ErasureGround[];

/**
 * The grounds a declaration keeps its data on after an erasure: `keptOnErasure`
 * as declared, or, without it, `legal_obligation` for a purpose whose legal
 * basis is a legal obligation under either law (LGPD Art. 16 I; GDPR
 * Art. 17(3)(b)), and none otherwise.
 *
 * @example
 * ```ts
 * erasureGroundsOf({ description: 'Issue the invoice required by tax law', retention: 'P5Y',
 *   legalBasis: { lgpd: 'legal_obligation' } }); // ['legal_obligation']
 * erasureGroundsOf({ description: 'Answer the customer about their ticket', retention: 'P2Y',
 *   legalBasis: { lgpd: 'contract' } });         // []
 * ```
 * @category Rights and retention
 */
export function erasureGroundsOf(decl: PurposeDeclaration): readonly ErasureGround[] {
  if (Array.isArray(decl.keptOnErasure)) return decl.keptOnErasure;
  return obligedUnder(decl.legalBasis, decl.sensitiveBasis).every(Boolean) && hasBasis(decl.legalBasis)
    ? ['legal_obligation']
    : [];
}

const hasBasis = (b: unknown): boolean =>
  typeof b === 'object' &&
  b !== null &&
  ((b as Record<string, unknown>).lgpd !== undefined || (b as Record<string, unknown>).gdpr !== undefined);

/**
 * Per law the purpose is declared under, whether its basis is a legal obligation (LGPD Art. 7 II, 11 II a; GDPR
 * Art. 6(1)(c)): the default ground keeps data only when every one of them is, since GDPR Art. 17(3)(b) needs an
 * obligation under Union or Member State law, which a basis of its own says, and LGPD Art. 16 I one of Brazilian law.
 */
function obligedUnder(lb: unknown, sb: unknown): boolean[] {
  const l = (typeof lb === 'object' && lb !== null ? lb : {}) as Record<string, unknown>;
  const s = (typeof sb === 'object' && sb !== null ? sb : {}) as Record<string, unknown>;
  const out: boolean[] = [];
  if (l.lgpd !== undefined) out.push(l.lgpd === 'legal_obligation' || s.lgpd === 'legal_obligation');
  if (l.gdpr !== undefined) out.push(l.gdpr === 'legal_obligation');
  return out;
}

/**
 * The articles of a ground under the given laws, e.g. `LGPD Art. 16 I; GDPR Art. 17(3)(b)`.
 *
 * @example
 * ```ts
 * groundArticle('legal_claims', ['lgpd', 'gdpr']); // 'LGPD Art. 7 VI, 11 II d; GDPR Art. 17(3)(e)'
 * groundArticle('transfer', ['lgpd']);             // 'LGPD Art. 16 III'
 * ```
 * @category Rights and retention
 */
export function groundArticle(ground: ErasureGround, laws: readonly Jurisdiction[]): string {
  const g = ERASURE_GROUNDS[ground];
  return laws
    .map((j) => g[j])
    .filter((a): a is string => a !== undefined)
    .join('; ');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a purpose's `keptOnErasure` and `claim`: each ground known, listed
 * once, with an article in every law the purpose is declared under, and fitting
 * its basis. `@internal`: the purpose validator calls it.
 *
 * @internal
 */
export function erasureGroundProblems(
  id: string,
  d: Record<string, unknown>,
  at: { readonly purpose: string; readonly declaredAt: string | undefined },
): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  const bad = (message: string, article = 'LGPD Art. 16; GDPR Art. 17(3)') =>
    out.push(problem('PF_DECL_ERASURE_GROUND_INVALID', `purpose "${id}": ${message}`, { ...at, article }));
  const claim = d.claim;
  if (claim !== undefined && (typeof claim !== 'string' || claim.trim() === '' || claim.length > 300)) {
    bad(
      'claim must name the claim or proceedings the data is kept for, in 1–300 characters',
      'LGPD Art. 7 VI; GDPR Art. 17(3)(e)',
    );
  }
  const kept = d.keptOnErasure;
  if (kept === undefined) {
    undeclaredGroundProblems(d, bad);
    return out;
  }
  if (!Array.isArray(kept)) {
    bad(`keptOnErasure must be a list of grounds (${GROUNDS.join(', ')})`);
    return out;
  }
  const lb = isPlainObject(d.legalBasis) ? d.legalBasis : {};
  const sb = isPlainObject(d.sensitiveBasis) ? d.sensitiveBasis : {};
  const laws = (['lgpd', 'gdpr'] as const).filter((j) => lb[j] !== undefined);
  const consent = [...Object.values(lb), ...Object.values(sb)].some((b) => b === 'consent' || b === 'explicit_consent');
  if (consent && kept.length > 0) {
    bad(
      'a purpose resting on consent stops when consent is withdrawn, and what only consent justified is eliminated: declare the data a ground keeps under a purpose of its own, on the basis that ground needs (e.g. exercise_of_rights for proceedings)',
      'LGPD Art. 8 §5, 18 VI, IX; GDPR Art. 7(3), 17(1)(b)',
    );
    return out;
  }
  const seen = new Set<string>();
  for (const g of kept) {
    if (typeof g !== 'string' || !Object.hasOwn(ERASURE_GROUNDS, g)) {
      const hint = /anonym|exclusive|16 ?iv/i.test(String(g))
        ? ': LGPD Art. 16 IV keeps data only once anonymized; declare anonymize on the field instead'
        : '';
      bad(`"${String(g)}" is not an erasure ground (${GROUNDS.join(', ')})${hint}`);
      continue;
    }
    if (seen.has(g)) {
      bad(`ground "${g}" is listed twice`);
      continue;
    }
    seen.add(g);
    const ground = g as ErasureGround;
    groundLawProblems(ground, laws, bad);
    groundBasisProblems(ground, { laws, lb, sb, recipients: d.recipients, claim }, bad);
  }
  if (claim !== undefined && !seen.has('legal_claims')) bad("claim is declared but keptOnErasure does not list 'legal_claims'");
  return out;
}

type Bad = (message: string, article?: string) => void;

/** Without `keptOnErasure`: a claim lists no ground, and the default cannot cite an obligation only one law has. */
function undeclaredGroundProblems(d: Record<string, unknown>, bad: Bad): void {
  if (d.claim !== undefined) bad("claim is declared but keptOnErasure does not list 'legal_claims'");
  const obliged = obligedUnder(d.legalBasis, d.sensitiveBasis);
  if (obliged.includes(true) && obliged.includes(false)) {
    // the default would cite an article whose basis this purpose does not have under the other law
    bad(
      "the basis is a legal obligation under one law only: declare keptOnErasure ([] erases the data on request; 'legal_obligation' keeps it, and needs a legal-obligation basis under every law the purpose is declared under, GDPR Art. 6(1)(c) for an obligation of Union or Member State law)",
      'LGPD Art. 16 I; GDPR Art. 17(3)(b)',
    );
  }
}

/** A ground keeps data only under the laws that have it: one missing under a law the purpose is declared under keeps nothing there. */
function groundLawProblems(ground: ErasureGround, laws: readonly Jurisdiction[], bad: Bad): void {
  const articles = ERASURE_GROUNDS[ground];
  for (const j of laws) {
    if (articles[j] === undefined) {
      const other = (['lgpd', 'gdpr'] as const).find((x) => articles[x] !== undefined) as Jurisdiction;
      bad(
        `ground "${ground}" exists only under ${other.toUpperCase()} (${articles[other]}): under the ${j.toUpperCase()}, under which this purpose is also declared, it keeps nothing and the data would have to be erased`,
      );
    }
  }
}

/** What a ground needs of the purpose's bases (and, for a transfer, of its recipients). */
function groundBasisProblems(
  ground: ErasureGround,
  p: {
    readonly laws: readonly Jurisdiction[];
    readonly lb: Record<string, unknown>;
    readonly sb: Record<string, unknown>;
    readonly recipients: unknown;
    readonly claim: unknown;
  },
  bad: Bad,
): void {
  const { lb, sb, claim } = p;
  const lgpd = p.laws.includes('lgpd');
  const gdpr = p.laws.includes('gdpr');
  if (ground === 'legal_obligation') {
    if (lgpd && lb.lgpd !== 'legal_obligation' && sb.lgpd !== 'legal_obligation') {
      bad(
        'LGPD Art. 16 I keeps data for a legal or regulatory obligation: the LGPD basis must be legal_obligation (Art. 7 II, 11 II a)',
        'LGPD Art. 16 I',
      );
    }
    if (gdpr && lb.gdpr !== 'legal_obligation') {
      bad(
        'GDPR Art. 17(3)(b) keeps data for a legal obligation: the GDPR basis must be legal_obligation (Art. 6(1)(c)); a public task is the ground public_task',
        'GDPR Art. 17(3)(b)',
      );
    }
  } else if (ground === 'public_task') {
    if (gdpr && lb.gdpr !== 'public_task') {
      bad(
        'GDPR Art. 17(3)(b) keeps data for a public task: the GDPR basis must be public_task (Art. 6(1)(e))',
        'GDPR Art. 17(3)(b)',
      );
    }
  } else if (ground === 'public_health') {
    if (gdpr && sb.gdpr !== 'health_care' && sb.gdpr !== 'public_health') {
      bad(
        'GDPR Art. 17(3)(c) keeps data for public health under Art. 9(2)(h) or (i): the sensitive-data basis must be health_care or public_health',
        'GDPR Art. 17(3)(c)',
      );
    }
  } else if (ground === 'research') {
    if (lgpd && lb.lgpd !== 'research' && sb.lgpd !== 'research') {
      bad(
        'LGPD Art. 16 II keeps data for study by a research body: the LGPD basis must be research (Art. 7 IV, 11 II c)',
        'LGPD Art. 16 II',
      );
    }
  } else if (ground === 'transfer') {
    if (!Array.isArray(p.recipients) || p.recipients.length === 0) {
      bad(
        'LGPD Art. 16 III keeps data for its transfer to a third party: the purpose must name its recipients',
        'LGPD Art. 16 III',
      );
    }
  } else if (ground === 'legal_claims') {
    // only a purpose of its own for the proceedings keeps data for them: the operational purpose (a contract, say)
    // would otherwise go on using everything it kept under the claim's name (LGPD Art. 7 VI; GDPR Art. 17(3)(e))
    const declared = typeof claim === 'string' && claim.trim() !== '';
    const lgpdOk = !lgpd || lb.lgpd === 'exercise_of_rights' || sb.lgpd === 'exercise_of_rights';
    const gdprOk = !gdpr || sb.gdpr === 'legal_claims' || (lb.gdpr === 'legitimate_interests' && declared);
    if (!lgpdOk || !gdprOk) {
      bad(
        "keeping data for proceedings needs a purpose of its own for them: the LGPD basis exercise_of_rights (Art. 7 VI, 11 II d); under the GDPR legal_claims (Art. 9(2)(f)), or legitimate_interests with the claim declared (claim: '…'). Declare it on that purpose, not on the one the data serves day to day",
        'LGPD Art. 7 VI, 11 II d; GDPR Art. 17(3)(e)',
      );
    }
  }
}
