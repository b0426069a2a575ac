/**
 * JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) export of a purposeful
 * schema, with an `x-personal-data` annotation on every personal field.
 *
 * @module
 */
import * as core from 'zod/v4/core';
import { getAnnotation } from './annotation.js';
import type { PurposefulSchema } from './define.js';
import { accessOf } from './walk.js';

/**
 * The `x-personal-data` annotation of one field.
 *
 * @example
 * ```ts
 * const spec = toJSONSchema(Customer);
 * const email = spec.properties?.email?.['x-personal-data'] as PersonalDataAnnotation;
 * email.purposes;  // { 'support.ticket': 'clear', 'support.survey': 'clear', 'analytics.churn': 'pseudonymized' }
 * email.retention; // { 'support.ticket': 'P2Y', 'support.survey': 'P6M', 'analytics.churn': 'P1Y' }
 * ```
 * @category Data map
 */
export interface PersonalDataAnnotation {
  readonly category: string;
  readonly sensitive: boolean;
  /** Purpose → level (`clear`, `masked`, `pseudonymized`, or `role-dependent`). */
  readonly purposes: Readonly<Record<string, string>>;
  /** Purpose → ISO-8601 retention. */
  readonly retention: Readonly<Record<string, string>>;
  readonly encrypted: boolean;
  readonly freeText?: boolean;
  readonly id?: string;
}

/**
 * Options of {@link toJSONSchema}.
 *
 * @example
 * ```ts
 * const options: JSONSchemaOptions = { target: 'openapi-3.0', io: 'input' }; // request bodies of an OpenAPI 3.0 document
 * const requestBody = toJSONSchema(Customer, options);
 * ```
 * @category Data map
 */
export interface JSONSchemaOptions {
  /** `draft-2020-12` (default; what OpenAPI 3.1 uses), `openapi-3.1` (the same), `openapi-3.0` or `draft-07`. */
  readonly target?: 'draft-2020-12' | 'openapi-3.1' | 'openapi-3.0' | 'draft-07';
  /** The input or the output type (they differ for transforms and defaults). Default `output`. */
  readonly io?: 'input' | 'output';
}

/**
 * Exports a schema as JSON Schema through zod's `toJSONSchema`, with an
 * `x-personal-data` annotation per personal field (category, sensitivity,
 * purposes with their level, retention per purpose, encryption) and
 * `x-personal-data: false` on fields declared with `pd.none()`.
 *
 * @example
 * ```ts
 * const jsonSchema = toJSONSchema(Customer, { target: 'openapi-3.1' });
 * jsonSchema.properties.cpf['x-personal-data'];
 * // { category: 'user.government_id', sensitive: false, purposes: { 'support.ticket': 'masked', … }, … }
 * ```
 * @category Data map
 */
export function toJSONSchema(
  schema: PurposefulSchema,
  options: JSONSchemaOptions = {},
): Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> } {
  const target = options.target === 'openapi-3.1' || options.target === undefined ? 'draft-2020-12' : options.target;
  const taxonomy = schema.purposes.taxonomy;
  return core.toJSONSchema(schema.zod, {
    target,
    io: options.io ?? 'output',
    unrepresentable: 'any',
    override(ctx) {
      const ann = getAnnotation(ctx.zodSchema as core.$ZodType);
      if (!ann) return;
      if (ann.kind === 'none') {
        ctx.jsonSchema['x-personal-data'] = false;
        return;
      }
      const meta = ann.meta;
      const purposes: Record<string, string> = {};
      const retention: Record<string, string> = {};
      for (const [pid, access] of accessOf(meta)) {
        purposes[pid] = access.roles ? 'role-dependent' : access.level;
        const p = schema.purposes.get(pid);
        if (p) retention[pid] = p.retention.iso;
      }
      const freeText = meta.freeText !== undefined && meta.freeText !== false;
      const annotation: PersonalDataAnnotation = {
        category: meta.category,
        sensitive: taxonomy.get(meta.category)?.sensitive ?? false,
        purposes,
        retention,
        encrypted: meta.encrypt ?? freeText,
        ...(freeText ? { freeText } : {}),
        ...(meta.id ? { id: meta.id } : {}),
      };
      ctx.jsonSchema['x-personal-data'] = annotation;
    },
  }) as Record<string, unknown>;
}
