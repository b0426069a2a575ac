/**
 * `pd()`: the personal-data annotation on a zod 4 schema.
 *
 * @module
 */
import type * as core from 'zod/v4/core';
import type { RedactStyle } from '../detect/redact.js';
import type { Confidence, PiiType } from '../detect/types.js';
import { PurposefulError } from '../errors.js';
import type { AnonymizeSpec } from '../minimize/anonymize.js';
import type { MaskSpec } from '../minimize/masks.js';
import type { RegisteredCategory, RegisteredPurpose } from './register.js';
import { callSite } from './site.js';

/**
 * How much of a field a purpose may see: in clear, masked, or as a keyed pseudonym.
 *
 * @example
 * ```ts
 * // clear: the value as stored; masked: through the field's mask; pseudonymized: a keyed 'pn_…' token
 * const level: AccessLevel = 'masked';
 * const cpf = pd(z.string(), { category: 'user.government_id', purposes: { 'support.ticket': level }, mask: 'cpf' });
 * ```
 * @category Declaring
 */
export type AccessLevel = 'clear' | 'masked' | 'pseudonymized';

/**
 * A level that depends on the actor's role; `none` hides the field.
 *
 * @example
 * ```ts
 * // agents see the phone masked, supervisors in clear, interns not at all
 * const access: RoleAccess = { default: 'masked', roles: { supervisor: 'clear', intern: 'none' } };
 * const phone = pd(z.string(), { category: 'user.contact.phone_number', purposes: { 'support.ticket': access }, mask: 'phone' });
 * ```
 * @category Declaring
 */
export interface RoleAccess {
  /** The level for actors none of whose roles are listed (default: `none`). */
  readonly default?: AccessLevel | 'none';
  /** The level per role; an actor with several listed roles gets the widest of them (a listed `none` hides the field). */
  readonly roles: Readonly<Record<string, AccessLevel | 'none'>>;
}

/**
 * Which purposes a field serves. A list gives each purpose clear access; the
 * map form gives each purpose its own level (or a role-dependent one). `P`
 * narrows the purpose ids (see `Register`).
 *
 * @example
 * ```ts
 * const both: PurposeAccess = ['support.ticket', 'billing.invoice']; // clear for each
 * const perPurpose: PurposeAccess = { 'support.ticket': 'masked', 'billing.invoice': 'clear' };
 * const byRole: PurposeAccess = { 'support.ticket': { default: 'masked', roles: { supervisor: 'clear' } } };
 * ```
 * @category Declaring
 */
export type PurposeAccess<P extends string = string> = string extends P
  ? readonly string[] | Readonly<Record<string, AccessLevel | RoleAccess>>
  : readonly P[] | { readonly [K in P]?: AccessLevel | RoleAccess };

/**
 * The declaration of one personal field. `C` and `P` narrow the category and
 * the purposes `pd()` accepts (see `Register`); both default to `string`.
 *
 * @example
 * ```ts
 * const cpfMeta = {
 *   category: 'user.government_id.national_identification_number',
 *   purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
 *   encrypt: true, index: 'cpf', mask: 'cpf', description: 'Brazilian taxpayer id (CPF)',
 * } as const satisfies FieldMeta;
 * const cpf = pd(z.string(), cpfMeta);
 * ```
 * @category Declaring
 */
export interface FieldMeta<C extends string = string, P extends string = string> {
  /** Data category, a dotted taxonomy key such as `user.contact.email`. Sensitivity follows from it. */
  readonly category: C;
  /** The purposes the field serves and at which level. */
  readonly purposes: PurposeAccess<P>;
  /** Stable id that survives renames (default: the path without array indices). Encryption binds to it. */
  readonly id?: string;
  /** Encrypt for storage (required for sensitive fields; default `true` for `freeText`). */
  readonly encrypt?: boolean;
  /** Name of a blind index for equality search over the encrypted value. */
  readonly index?: string;
  /** The mask used where a purpose has `masked` access (default: `full`). */
  readonly mask?: MaskSpec;
  /**
   * Free text typed by people: may hold anything, sensitive data included.
   * `inbound` redacts the personal data found in it (`true`: labels, at
   * medium confidence; or say how), and it is encrypted by default.
   */
  readonly freeText?: boolean | FreeTextRedaction;
  /**
   * When the field leaves its record (an erasure, the end of its retention),
   * keep this generalized form of it in an anonymous copy of the record, with
   * no link to the person (LGPD Art. 12, 16 IV; GDPR Recital 26):
   * `{ buckets }` for numbers, `{ keepFirst: n }` for a postal code or a birth
   * date, `{ round: n }` for an age, a declared vocabulary for free text (see
   * `AnonymizeSpec`). A form that would leave the person identifiable, such as
   * redacting identifiers out of free text, is refused
   * (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`: pseudonymized data is still personal,
   * LGPD Art. 13 §4). Without it the field is simply erased.
   */
  readonly anonymize?: AnonymizeSpec;
  /** What the field holds, for the data map. */
  readonly description?: string;
}

/**
 * What the registry stores for an annotated schema.
 *
 * @example
 * ```ts
 * const ann: Annotation | undefined = getAnnotation(Customer.zod.shape.cpf);
 * if (ann?.kind === 'personal') ann.meta.category; // 'user.government_id.national_identification_number'
 * ann?.declaredAt; // '/app/src/declarations.ts:62:10': where pd() was called
 * getAnnotation(Customer.zod.shape.channel)?.kind; // 'none': declared with pd.none()
 * ```
 * @category Declaring
 */
export type Annotation =
  | { readonly kind: 'personal'; readonly meta: FieldMeta; readonly declaredAt: string | undefined }
  | { readonly kind: 'none'; readonly declaredAt: string | undefined };

declare const PD_BRAND: unique symbol;
declare const PD_NONE: unique symbol;

/**
 * A zod schema carrying, at the type level, the metadata `pd` gave it.
 *
 * @example
 * ```ts
 * const email = pd(z.email(), { category: 'user.contact.email', purposes: ['support.survey'] });
 * // typeof email: Annotated<z.ZodEmail,
 * //   { readonly category: 'user.contact.email'; readonly purposes: readonly ['support.survey'] }>
 * email.parse('ana@example.com'); // still the same zod schema at runtime
 * ```
 * @category Declaring
 */
export type Annotated<T, M> = T & PdBrand<M>;

/**
 * A zod schema marked, at the type level, as not personal.
 *
 * @example
 * ```ts
 * const channel = pd.none(z.enum(['chat', 'email']));
 * // typeof channel: NotPersonal<z.ZodEnum<{ chat: 'chat'; email: 'email' }>>; Outbound keeps it for every purpose
 * ```
 * @category Declaring
 */
export type NotPersonal<T> = T & { readonly [PD_NONE]?: true };

/**
 * The phantom brand `pd` adds to a schema's type; the type helpers read `M` from it.
 *
 * @example
 * ```ts
 * type MetaOf<F> = F extends PdBrand<infer M> ? M : never;
 * type CpfMeta = MetaOf<typeof Customer.zod.shape.cpf>; // { readonly category: …; readonly purposes: { … }; … }
 * type TicketLevel = LevelFor<CpfMeta, 'support.ticket'>; // 'masked'
 * ```
 * @category Declaring
 */
export interface PdBrand<M> {
  readonly [PD_BRAND]?: M;
}

type AnnotationRegistry = core.$ZodRegistry<{ annotation: Annotation }>;

const REGISTRY_KEY = Symbol.for('purposeful.annotations.v1');

/** One registry per process, shared by the ESM and CJS copies of the package. */
function annotationRegistry(): AnnotationRegistry {
  const g = globalThis as Record<symbol, unknown>;
  let reg = g[REGISTRY_KEY] as AnnotationRegistry | undefined;
  if (!reg) {
    reg = new RegistryImpl() as unknown as AnnotationRegistry;
    Object.defineProperty(g, REGISTRY_KEY, { value: reg, enumerable: false, configurable: false, writable: false });
  }
  return reg;
}

/**
 * A registry with the semantics of zod's `$ZodRegistry.get` (metadata follows
 * clones made by `.describe()` / `.meta()` through `_zod.parent`), without
 * zod's id map, which personal-data annotations have no use for.
 */
class RegistryImpl {
  readonly #map = new WeakMap<object, { annotation: Annotation }>();
  add(schema: core.$ZodType, meta: { annotation: Annotation }): this {
    this.#map.set(schema, meta);
    return this;
  }
  get(schema: core.$ZodType): { annotation: Annotation } | undefined {
    let s: core.$ZodType | undefined = schema;
    for (let hops = 0; s && hops < 64; hops++) {
      const found = this.#map.get(s);
      if (found) return found;
      s = s._zod.parent;
    }
    return undefined;
  }
  has(schema: core.$ZodType): boolean {
    return this.get(schema) !== undefined;
  }
}

function assertZod(schema: unknown, fn: string): asserts schema is core.$ZodType {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof (schema as { _zod?: { def?: { type?: unknown } } })._zod?.def?.type !== 'string'
  ) {
    throw new PurposefulError('PF_DECLARATION_INVALID', `${fn}() expects a zod 4 schema as its first argument`);
  }
}

/**
 * The annotation of a schema, looking through `.describe()` / `.meta()` clones.
 * Wrappers (`.optional()`, …) are not looked through: the walker unwraps them.
 *
 * @example
 * ```ts
 * const email = pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] });
 * getAnnotation(email)?.kind; // 'personal'
 * ```
 * @category Declaring
 */
export function getAnnotation(schema: core.$ZodType): Annotation | undefined {
  return annotationRegistry().get(schema)?.annotation;
}

function annotate<T extends core.$ZodType, M extends FieldMeta>(schema: T, meta: M): Annotated<T, M> {
  assertZod(schema, 'pd');
  if (typeof meta !== 'object' || meta === null) {
    throw new PurposefulError('PF_DECLARATION_INVALID', 'pd() expects a declaration object as its second argument');
  }
  const frozen = Object.freeze({ ...meta });
  annotationRegistry().add(schema, { annotation: { kind: 'personal', meta: frozen, declaredAt: callSite() } });
  return schema as Annotated<T, M>;
}

function none<T extends core.$ZodType>(schema: T): NotPersonal<T> {
  assertZod(schema, 'pd.none');
  annotationRegistry().add(schema, { annotation: { kind: 'none', declaredAt: callSite() } });
  return schema as NotPersonal<T>;
}

/**
 * With a registered registry, a purpose map naming a purpose nobody declared
 * (next to declared ones, where the map's type alone would let it pass) fails.
 */
type StrictPurposes<M> = string extends RegisteredPurpose
  ? unknown
  : M extends { readonly purposes: infer A }
    ? A extends readonly unknown[]
      ? unknown
      : { readonly purposes: { readonly [K in keyof A]: K extends RegisteredPurpose ? A[K] : never } }
    : unknown;

/**
 * The `pd` function with its `none` marker.
 *
 * @example
 * ```ts
 * const fields = {
 *   name: pd(z.string().min(1), { category: 'user.name', purposes: ['support.ticket'], mask: 'name' }), // personal
 *   channel: pd.none(z.enum(['chat', 'email'])), // explicitly not personal
 * };
 * ```
 * @category Declaring
 */
export interface PdFunction {
  /**
   * Declares a zod schema as personal data: its category, the purposes it
   * serves (with their level), and how it is protected. Returns the same schema
   * (wrap it afterwards with `.optional()` and friends as usual).
   */
  <const T extends core.$ZodType, const M extends FieldMeta<RegisteredCategory, RegisteredPurpose>>(
    schema: T,
    meta: M & StrictPurposes<M>,
  ): Annotated<T, M>;
  /** Marks a field explicitly as not personal data (silences the name heuristics of the validator). */
  none<T extends core.$ZodType>(schema: T): NotPersonal<T>;
}

/**
 * Annotates a zod schema as personal data. The annotation lives in the
 * package's own registry (shared by the ESM and CJS entries), records where it
 * was declared (file:line) and is read by `defineSchema`. With the purposes
 * registry registered (see `Register`), a misspelt category or purpose is a
 * compile error; without it, the built-in categories are offered for autocomplete.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { pd } from 'purposeful';
 *
 * const cpf = pd(z.string(), {
 *   category: 'user.government_id',
 *   purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' },
 *   encrypt: true, index: 'cpf', mask: 'cpf',
 * });
 * const channel = pd.none(z.enum(['chat', 'email'])); // not personal, says so explicitly
 * ```
 * @category Declaring
 */
export const pd: PdFunction = Object.assign(annotate, { none }) as PdFunction;

/**
 * How `inbound` redacts a free-text field: the style (`label`, `mask`, or
 * `token`, keyed by the engine's `pseudonymKey`), the lowest confidence
 * redacted, and the types looked for (default: all).
 *
 * @example
 * ```ts
 * const message = pd(z.string(), {
 *   category: 'user.content', purposes: ['support.ticket'],
 *   freeText: { style: 'mask', threshold: 'medium', types: ['cpf', 'card', 'phone', 'email'] },
 * });
 * ```
 * @category Declaring
 */
export interface FreeTextRedaction {
  readonly style?: RedactStyle;
  readonly threshold?: Confidence;
  readonly types?: readonly PiiType[];
}
