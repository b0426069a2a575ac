/**
 * Redaction of free text: where each schema's free-text fields are, how each
 * is redacted (token keys derived once per field), and the step of `inbound`
 * that redacts them in a validated input and reports what it removed.
 *
 * @module
 * @internal
 */
import { type RedactOptions, redactWithCounts } from '../detect/redact.js';
import type { PiiType } from '../detect/types.js';
import { PurposefulError } from '../errors.js';
import { derivePseudonymKey } from '../minimize/pseudonymize.js';
import { mapAt } from '../rights/paths.js';
import type { FreeTextRedaction } from '../schema/annotation.js';
import type { PurposefulSchema } from '../schema/define.js';
import { type FieldInfo, type PathStep, parsePath } from '../schema/walk.js';
import type { RedactionReport } from './options.js';

/** One free-text field: where it is and how it is redacted. */
interface FreeTextField {
  readonly field: FieldInfo;
  readonly steps: PathStep[];
  readonly options: RedactOptions;
}

/** The free-text fields of each schema that has any. */
export type FreeTextFields = ReadonlyMap<PurposefulSchema, readonly FreeTextField[]>;

/** The free-text fields of the schemas; a field redacted with tokens needs the pseudonym key (`PF_OPTIONS_INVALID`). */
export function compileFreeText(schemas: Iterable<PurposefulSchema>, pseudonymKey: Uint8Array | undefined): FreeTextFields {
  const freeTextOf = new Map<PurposefulSchema, readonly FreeTextField[]>();
  for (const schema of schemas) {
    const list = schema.fields
      .filter((f) => f.redaction !== undefined)
      .map((field) => {
        const r = field.redaction as FreeTextRedaction;
        if (r.style === 'token' && pseudonymKey === undefined) {
          throw new PurposefulError(
            'PF_OPTIONS_INVALID',
            `${schema.id}.${field.path} redacts free text with tokens: createPurposeful({ pseudonymKey }) is needed`,
          );
        }
        const key =
          r.style === 'token' ? derivePseudonymKey(pseudonymKey as Uint8Array, schema.id, field.id, 'freeText') : undefined;
        return { field, steps: parsePath(field.path), options: { ...r, key } };
      });
    if (list.length) freeTextOf.set(schema, list);
  }
  return freeTextOf;
}

/** Redacts, in place in zod's fresh output, the free-text fields of a validated input; tells `onRedaction` what went. */
export function redactFreeText(
  freeText: FreeTextFields,
  onRedaction: ((report: RedactionReport) => void) | undefined,
  schema: PurposefulSchema,
  purpose: string,
  data: unknown,
): void {
  const list = freeText.get(schema);
  if (!list) return;
  for (const { field, steps, options: redaction } of list) {
    const counts: Partial<Record<PiiType, number>> = {};
    mapAt(data, steps, (v) => {
      if (typeof v !== 'string') return v;
      const r = redactWithCounts(v, redaction);
      for (const [t, n] of Object.entries(r.counts)) counts[t as PiiType] = (counts[t as PiiType] ?? 0) + (n as number);
      return r.text;
    });
    if (onRedaction && Object.keys(counts).length > 0) {
      onRedaction(Object.freeze({ schema: schema.id, purpose, field: field.path, counts: Object.freeze(counts) }));
    }
  }
}
