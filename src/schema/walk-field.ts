/**
 * A personal field as the walk records it: its declaration read, checked and
 * frozen into a {@link FieldInfo} (category, access, mask, encryption, index,
 * free-text redaction, anonymization).
 *
 * @module
 * @internal
 */
import { PII_TYPES, type PiiType } from '../detect/types.js';
import { type AnonymizeSpec, anonymityProblem, anonymizeSpecProblem, isAnonymizeSpec } from '../minimize/anonymize.js';
import { isMaskSpec } from '../minimize/masks.js';
import { didYouMean } from '../util/closest.js';
import type { FieldMeta, FreeTextRedaction } from './annotation.js';
import { problem } from './rules.js';
import { type FieldInfo, normalizeAccess } from './walk.js';
import type { Walk } from './walk-state.js';

/** A personal field at `path`, from its declaration; what is wrong with the declaration goes to the walk's problems. */
export function makeField(
  w: Walk,
  meta: FieldMeta,
  declaredAt: string | undefined,
  path: string,
  idPath: string,
  baseType: string,
): FieldInfo {
  const at = { schema: w.schemaId, path, declaredAt };
  const category = typeof meta.category === 'string' ? meta.category : '';
  const cat = w.taxonomy.get(category);
  if (!cat) {
    w.problems.push(
      problem(
        'PF_DECL_UNKNOWN_CATEGORY',
        `${path}: unknown category "${category}"${didYouMean(category, w.taxonomy.keys())} (see the taxonomy; custom keys go in definePurposes(…, { categories }))`,
        at,
      ),
    );
  }
  if (meta.mask !== undefined && !isMaskSpec(meta.mask)) {
    w.problems.push(problem('PF_DECL_MASK_UNKNOWN', `${path}: unknown mask ${JSON.stringify(meta.mask)}`, at));
  }
  if (meta.id !== undefined && (typeof meta.id !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(meta.id))) {
    w.problems.push(problem('PF_DECL_INVALID', `${path}: id must be 1–128 characters of letters, digits, _ . : -`, at));
  }
  if (meta.encrypt !== undefined && typeof meta.encrypt !== 'boolean') {
    w.problems.push(problem('PF_DECL_INVALID', `${path}: encrypt must be a boolean`, at));
  }
  const redaction = freeTextRedaction(meta.freeText);
  if (redaction === null) {
    w.problems.push(
      problem(
        'PF_DECL_INVALID',
        `${path}: freeText must be a boolean or { style?: label | mask | token, threshold?: low | medium | high, types?: PII types }`,
        at,
      ),
    );
  }
  if (meta.index !== undefined && (typeof meta.index !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(meta.index))) {
    w.problems.push(problem('PF_DECL_INVALID', `${path}: index must be a lowercase name such as "cpf"`, at));
  }
  const access = normalizeAccess(meta, at, w.problems);
  const freeText = redaction !== undefined && redaction !== null;
  const anonymize = anonymizeProblem(meta.anonymize, freeText, baseType, category);
  if (anonymize) w.problems.push(problem(anonymize.code, `${path}: ${anonymize.message}`, at));
  return Object.freeze({
    path,
    id: typeof meta.id === 'string' ? meta.id : idPath,
    category,
    sensitive: cat?.sensitive ?? false,
    sensitiveKind: cat?.sensitiveKind,
    criminal: cat?.criminal ?? false,
    access,
    encrypt: meta.encrypt ?? freeText,
    index: typeof meta.index === 'string' ? meta.index : undefined,
    mask: isMaskSpec(meta.mask) ? meta.mask : 'full',
    freeText,
    redaction: redaction ?? undefined,
    anonymize: isAnonymizeSpec(meta.anonymize) && !anonymize ? frozenSpec(meta.anonymize) : undefined,
    description: typeof meta.description === 'string' ? meta.description : undefined,
    declaredAt,
  });
}

/** Types a value of which may be a string or a number (or anything): checked again at run time. */
const OPEN_TYPES = new Set([
  'union',
  'pipe',
  'lazy',
  'intersection',
  'any',
  'unknown',
  'custom',
  'template_literal',
  'literal',
  'enum',
]);

/** A copy of a spec the caller cannot change afterwards (its lists copied too). */
function frozenSpec(spec: AnonymizeSpec): AnonymizeSpec {
  const copy: Record<string, unknown> = { ...spec };
  for (const k of ['buckets', 'vocabulary'] as const) {
    const list = copy[k];
    if (Array.isArray(list)) copy[k] = Object.freeze([...list]);
  }
  return Object.freeze(copy) as AnonymizeSpec;
}

/**
 * What is wrong with a field's `anonymize` declaration, or `undefined`: a
 * form purposeful does not know or that does not fit the field
 * (`PF_DECL_ANONYMIZE_INVALID`), or one whose result would still identify a
 * person (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`, LGPD Art. 12).
 */
function anonymizeProblem(
  spec: unknown,
  freeText: boolean,
  baseType: string,
  category: string,
): { code: 'PF_DECL_ANONYMIZE_INVALID' | 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS'; message: string } | undefined {
  if (spec === undefined) return undefined;
  const invalid = (message: string) => ({ code: 'PF_DECL_ANONYMIZE_INVALID' as const, message });
  // redaction alone was once accepted here: it is not anonymization, and says why
  const notAnonymous = anonymityProblem(spec, category);
  if (spec === 'redact') return { code: 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS', message: notAnonymous as string };
  const shape = anonymizeSpecProblem(spec);
  if (shape !== undefined || !isAnonymizeSpec(spec)) return invalid(shape ?? 'anonymize is not valid');
  if ('redact' in spec) {
    if (!freeText) return invalid('anonymize: a vocabulary applies to free text (freeText: true)');
  } else {
    const prefix = typeof spec.keepFirst === 'number';
    const want = prefix ? 'string' : 'number';
    if (baseType !== want && !OPEN_TYPES.has(baseType)) {
      return invalid(
        `anonymize: ${prefix ? 'keepFirst' : spec.buckets ? 'buckets' : 'round'} applies to ${want}s, and the field is a ${baseType}`,
      );
    }
  }
  return notAnonymous === undefined ? undefined : { code: 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS', message: notAnonymous };
}

const STYLES = new Set(['label', 'mask', 'token']);
const CONFIDENCES = new Set(['low', 'medium', 'high']);
const DEFAULT_REDACTION: FreeTextRedaction = Object.freeze({ style: 'label', threshold: 'medium' });

/** A field's `freeText` declaration: its redaction, `undefined` when the field is not free text, `null` when malformed. */
function freeTextRedaction(v: unknown): FreeTextRedaction | undefined | null {
  if (v === undefined || v === false) return undefined;
  if (v === true) return DEFAULT_REDACTION;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { style = 'label', threshold = 'medium', types, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !STYLES.has(style as string) || !CONFIDENCES.has(threshold as string)) return null;
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || !types.every((t) => PII_TYPES.includes(t))))
    return null;
  return Object.freeze({
    style: style as FreeTextRedaction['style'],
    threshold: threshold as FreeTextRedaction['threshold'],
    ...(types ? { types: Object.freeze([...(types as PiiType[])]) } : {}),
  });
}
