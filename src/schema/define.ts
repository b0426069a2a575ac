/**
 * `defineSchema()`: a zod object schema bound to its purposes and subject,
 * walked once into a field table and validated.
 *
 * @module
 */
import type * as core from 'zod/v4/core';
import { type DeclarationProblem, PurposefulError } from '../errors.js';
import type { MinorsPolicy } from '../taxonomy/minors.js';
import { declarationErrorMessage } from './first-problem.js';
import { isPurposes, type Purposes } from './purposes.js';
import { problem } from './rules.js';
import { callSite } from './site.js';
import { type SubjectDeclaration, validateSchemaFields } from './validate-schema.js';
import type { FieldInfo, ShapeNode } from './walk.js';
import { walkSchema } from './walker.js';

const SCHEMA_KIND = Symbol.for('purposeful.schema');

/**
 * What happens to a field declared neither with `pd()` nor with `pd.none()`:
 * `deny` (the default) declares it for no purpose (projected away outbound,
 * rejected inbound with `PF_UNDECLARED_FIELD`); `allow` lets it flow for every
 * purpose, for migrating existing schemas.
 *
 * @example
 * ```ts
 * const mode: Unannotated = 'allow'; // migration only: annotate the fields, then remove it
 * const Legacy = defineSchema('legacy', legacyShape, { purposes, unannotated: mode });
 * ```
 * @category Minimization
 */
export type Unannotated = 'deny' | 'allow';

/**
 * Options of {@link defineSchema}.
 *
 * @example
 * ```ts
 * const Ticket = defineSchema('ticket', ticketShape, {
 *   purposes, // the registry the fields' purposes come from
 *   subject: { kind: 'customer', id: 'customerId', minors: 'never' }, // whom each ticket is about
 *   recordId: 'id', // the top-level field holding the ticket's id
 * });
 * ```
 * @category Declaring
 */
export interface SchemaOptions<P extends string, U extends Unannotated | undefined = Unannotated | undefined> {
  /** The purposes registry the fields refer to. */
  readonly purposes: Purposes<P>;
  /** Whom the records are about: kind, the field holding their id, whether they may be minors. */
  readonly subject?: SubjectDeclaration;
  /** Path of the field holding the record's id; encryption binds values to it where declared. */
  readonly recordId?: string;
  /** Compound blind indexes: index name → the paths of the fields it combines (outside arrays). */
  readonly indexes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Fields declared neither with `pd()` nor with `pd.none()`. `deny` (the default): declared for no purpose,
   * rejected inbound (`PF_UNDECLARED_FIELD`) and left out outbound. `allow`: they flow in and out for every
   * purpose, as a migration step while the fields get annotated. Set here, it wins over the engine's
   * `unannotated` option. Each such field is reported in `problems` either way (`PF_DECL_UNANNOTATED`).
   *
   * Types follow the literal written here: `Outbound` and `Inbound` (and the adapters' handler types) list
   * unannotated fields only for a schema defined with `unannotated: 'allow'`. Otherwise (`'deny'`, nothing, or a
   * value typed as the whole `Unannotated`) they leave them out, even where the engine's `unannotated: 'allow'`
   * lets them through at run time: the types stay on the strict side.
   */
  readonly unannotated?: U;
}

/**
 * A blind index of a schema: one field (`index` on the field) or several (`indexes` on the schema).
 *
 * @example
 * ```ts
 * Customer.indexes.map((ix) => ix.name); // ['cpf']
 * ```
 * @category Declaring
 */
export interface SchemaIndex {
  readonly name: string;
  readonly fields: readonly FieldInfo[];
}

/**
 * A schema bound to its purposes. `P` are the purpose ids, for the types; `U` what `defineSchema` was told about
 * unannotated fields (`'allow'` makes `Outbound` / `Inbound` list them; anything else leaves them out).
 *
 * @example
 * ```ts
 * function sensitivePaths(schema: PurposefulSchema): string[] {
 *   return schema.fields.filter((f) => f.sensitive).map((f) => f.path);
 * }
 * sensitivePaths(Customer);   // ['accessibility']
 * Customer.field('cpf')?.mask; // 'cpf'
 * ```
 * @category Declaring
 */
export interface PurposefulSchema<
  Id extends string = string,
  Z extends core.$ZodObject = core.$ZodObject,
  P extends string = string,
  U extends Unannotated | undefined = Unannotated | undefined,
> {
  /** @internal brand */
  readonly [SCHEMA_KIND]: true;
  /** The schema id: part of what encryption binds to, so keep it stable. */
  readonly id: Id;
  /** The zod schema as declared. */
  readonly zod: Z;
  /** The purposes registry. */
  readonly purposes: Purposes<P>;
  /** The subject declaration, with `minors` defaulted to `never`. */
  readonly subject: Readonly<SubjectDeclaration & { minors: MinorsPolicy }> | undefined;
  /** The record id path, if declared. */
  readonly recordId: string | undefined;
  /** What the schema declares for unannotated fields; `undefined`: the engine's option decides (`deny` by default). */
  readonly unannotated: U;
  /** Every personal field, in declaration order. */
  readonly fields: readonly FieldInfo[];
  /** The blind indexes: one per field declared with `index`, plus the compound ones. */
  readonly indexes: readonly SchemaIndex[];
  /** A field by path (`contacts[].email`) or stable id. */
  field(pathOrId: string): FieldInfo | undefined;
  /** Warnings found (errors throw). */
  readonly problems: readonly DeclarationProblem[];
  /** Where `defineSchema` was called. */
  readonly declaredAt: string | undefined;
  /** @internal the shape tree the minimization plans compile from. */
  readonly shape: ShapeNode;
}

/**
 * True when `value` was made by {@link defineSchema}.
 *
 * @example
 * ```ts
 * isPurposefulSchema(Customer);     // true
 * isPurposefulSchema(Customer.zod); // false: a plain zod schema
 * ```
 * @category Declaring
 */
export function isPurposefulSchema(value: unknown): value is PurposefulSchema {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCHEMA_KIND] === true;
}

/**
 * Binds a zod object schema to its purposes and subject. Walks it once into a
 * field table (path, stable id, category, sensitivity, purpose → level,
 * encryption, index, mask, free text) and runs the validator: errors throw one
 * `PF_DECLARATION_INVALID` listing every problem; warnings stay in `problems`.
 * The `unannotated` option is kept in the return type (`U`): `Outbound` and
 * `Inbound` list unannotated fields only when it is written `'allow'` here.
 *
 * @example
 * ```ts
 * export const Customer = defineSchema('customer', z.object({
 *   id: z.uuid(),
 *   name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
 *   cpf: pd(z.string(), { category: 'user.government_id',
 *     purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' }, encrypt: true, mask: 'cpf' }),
 * }), { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' } });
 *
 * Customer.field('cpf')?.access.get('support.ticket'); // { level: 'masked', roles: undefined }
 * ```
 * @category Declaring
 */
export function defineSchema<
  const Id extends string,
  Z extends core.$ZodObject,
  P extends string,
  U extends Unannotated | undefined = undefined,
>(id: Id, zod: Z, options: SchemaOptions<P, U>): PurposefulSchema<Id, Z, P, U> {
  const declaredAt = callSite();
  checkArguments(id, zod, options, declaredAt);
  const purposes = options.purposes;
  const unannotated = options.unannotated;
  const walked = walkSchema(id, zod, purposes.taxonomy);
  const problems = [
    ...walked.problems,
    ...validateSchemaFields(id, walked.fields, walked.root, purposes, options.subject, unannotated),
  ];
  recordBindingProblems(id, walked.root, walked.fields, options, problems);
  const indexes = blindIndexes(id, walked.fields, options, problems);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    throw new PurposefulError(
      'PF_DECLARATION_INVALID',
      declarationErrorMessage(`schema "${id}"`, errors, declaredAt),
      // a problem without a place of its own (an unannotated field) is placed at the call, as for a schema that loads
      { schema: id, problems: problems.map((p) => (p.declaredAt === undefined && declaredAt ? { ...p, declaredAt } : p)) },
    );
  }
  const byKey = new Map<string, FieldInfo>();
  for (const f of walked.fields) {
    byKey.set(f.path, f);
    if (!byKey.has(f.id)) byKey.set(f.id, f);
  }
  const subject = options.subject ? Object.freeze({ ...options.subject, minors: options.subject.minors ?? 'never' }) : undefined;
  return Object.freeze({
    [SCHEMA_KIND]: true as const,
    id,
    zod,
    purposes,
    subject,
    recordId: options.recordId,
    unannotated: unannotated as U, // `undefined` when not given, which is what `U` defaults to
    fields: Object.freeze([...walked.fields]),
    indexes: Object.freeze(indexes),
    field: (key: string) => byKey.get(key),
    // a problem without a place of its own (an unannotated field) is placed at the call
    problems: Object.freeze(problems.map((p) => (p.declaredAt === undefined && declaredAt ? { ...p, declaredAt } : p))),
    declaredAt,
    shape: walked.root,
  });
}

/** The arguments themselves: an id, a zod object schema, a purposes registry, a known `unannotated`; each wrong one throws. */
function checkArguments(
  id: string,
  zod: core.$ZodObject,
  options: SchemaOptions<string, Unannotated | undefined>,
  declaredAt: string | undefined,
): void {
  if (typeof id !== 'string' || !/^[a-z][a-z0-9_.-]{0,127}$/.test(id)) {
    throw new PurposefulError(
      'PF_DECLARATION_INVALID',
      'defineSchema(): the schema id must be a lowercase key such as "customer"',
    );
  }
  if (typeof zod !== 'object' || zod === null || (zod as { _zod?: { def?: { type?: unknown } } })._zod?.def?.type !== 'object') {
    throw new PurposefulError('PF_DECLARATION_INVALID', `defineSchema("${id}"): expects a zod 4 object schema (z.object)`, {
      schema: id,
    });
  }
  if (!isPurposes(options?.purposes)) {
    throw new PurposefulError(
      'PF_DECLARATION_INVALID',
      `defineSchema("${id}"): options.purposes must come from definePurposes()`,
      {
        schema: id,
      },
    );
  }
  const unannotated = options.unannotated;
  if (unannotated !== undefined && unannotated !== 'deny' && unannotated !== 'allow') {
    const bad = problem('PF_DECL_INVALID', "unannotated must be 'deny' (the default) or 'allow'", { schema: id, declaredAt });
    throw new PurposefulError('PF_DECLARATION_INVALID', declarationErrorMessage(`schema "${id}"`, [bad], declaredAt), {
      schema: id,
      problems: [bad],
    });
  }
}

/** The record id and the subject id: top-level fields in clear, and a record id wherever fields are encrypted (a value bound to its record). */
function recordBindingProblems(
  id: string,
  root: ShapeNode,
  fields: readonly FieldInfo[],
  options: SchemaOptions<string, Unannotated | undefined>,
  problems: DeclarationProblem[],
): void {
  if (options.recordId !== undefined) {
    const node = typeof options.recordId === 'string' ? root.object?.get(options.recordId) : undefined;
    if (!node) {
      problems.push({
        code: 'PF_DECL_SUBJECT_INVALID',
        severity: 'error',
        requiredBy: 'policy',
        schema: id,
        message: `recordId "${String(options.recordId)}" is not a top-level field of the schema`,
      });
    }
  }
  if (fields.some((f) => f.encrypt)) {
    if (options.recordId === undefined) {
      problems.push(
        problem(
          'PF_DECL_RECORD_UNBOUND',
          `schema "${id}" encrypts fields: declare recordId so a value cannot be moved to another record`,
          {
            schema: id,
          },
        ),
      );
    }
    for (const [what, path] of [
      ['recordId', options.recordId],
      ['subject.id', options.subject?.id],
    ] as const) {
      const f = path === undefined ? undefined : fields.find((x) => x.path === path);
      if (f?.encrypt) {
        problems.push(
          problem('PF_DECL_INVALID', `${what} "${path}" is encrypted: encryption binds values to it, so it must stay in clear`, {
            schema: id,
            path,
          }),
        );
      }
    }
  }
}

/** The blind indexes: one per field declared with `index` (encrypted, outside arrays), then the compound ones, each name once. */
function blindIndexes(
  id: string,
  walkedFields: readonly FieldInfo[],
  options: SchemaOptions<string, Unannotated | undefined>,
  problems: DeclarationProblem[],
): SchemaIndex[] {
  const indexes: SchemaIndex[] = [];
  const indexProblem = (message: string, path?: string) =>
    problems.push(problem('PF_DECL_INVALID', message, { schema: id, ...(path ? { path } : {}) }));
  const inArray = (f: FieldInfo) => f.path.includes('[') || f.path.includes('{');
  for (const f of walkedFields) {
    if (!f.index) continue;
    if (inArray(f)) indexProblem(`${f.path}: a blind index cannot sit on a field inside an array or record`, f.path);
    else if (!f.encrypt) indexProblem(`${f.path}: a blind index only makes sense on a field declared encrypt: true`, f.path);
    indexes.push({ name: f.index, fields: [f] });
  }
  for (const [name, paths] of Object.entries(options.indexes ?? {})) {
    const fields = (Array.isArray(paths) ? paths : []).map((p) => walkedFields.find((f) => f.path === p));
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name) || fields.length < 2 || fields.some((f) => !f || inArray(f))) {
      indexProblem(`compound index "${name}" needs a lowercase name and two or more personal fields outside arrays`);
      continue;
    }
    indexes.push({ name, fields: fields as FieldInfo[] });
  }
  const seenNames = new Set<string>();
  for (const ix of indexes) {
    if (seenNames.has(ix.name)) indexProblem(`two blind indexes are named "${ix.name}"`);
    seenNames.add(ix.name);
  }
  return indexes;
}
