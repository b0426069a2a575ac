/**
 * Types that follow purposes: `Inbound<S, P>` and `Outbound<S, P>` narrow a
 * schema's type to what purpose `P` may receive or see.
 *
 * Objects, arrays and wrappers (optional, nullable, default, readonly, …) are
 * projected. A field declared neither with `pd()` nor with `pd.none()` is left
 * out, as the runtime does by default, unless the schema was defined with
 * `unannotated: 'allow'`; then unions, records and tuples of such fields keep
 * their zod type.
 *
 * @module
 */
import type * as core from 'zod/v4/core';
import type { AccessLevel, NotPersonal, PdBrand } from './annotation.js';

declare const HIDDEN: unique symbol;
type Hidden = typeof HIDDEN;

type Wrapped =
  | core.$ZodOptional
  | core.$ZodNullable
  | core.$ZodDefault
  | core.$ZodPrefault
  | core.$ZodCatch
  | core.$ZodReadonly
  | core.$ZodNonOptional;

type InnerOf<F> = F extends Wrapped ? F['_zod']['def']['innerType'] : F extends core.$ZodPipe<infer A, core.$ZodType> ? A : never;

/** The metadata `pd` gave a field, looking through wrappers; `unknown` when there is none. */
type MetaOf<F> = F extends PdBrand<infer M> ? (unknown extends M ? MetaOfInner<InnerOf<F>> : M) : MetaOfInner<InnerOf<F>>;
type MetaOfInner<I> = [I] extends [never] ? unknown : MetaOf<I>;

type Unwrapped<F> = [InnerOf<F>] extends [never] ? F : Unwrapped<InnerOf<F>>;

type RoleLevels<S> = S extends { readonly roles: infer R; readonly default?: infer D }
  ? R[keyof R] | (unknown extends D ? 'none' : undefined extends D ? 'none' | Exclude<D, undefined> : D)
  : 'none';

/**
 * The level(s) purpose `P` has on a field declared with `M`.
 *
 * @example
 * ```ts
 * type CpfMeta = { category: 'user.government_id'; purposes: { 'support.ticket': 'masked'; 'billing.invoice': 'clear' } };
 * type A = LevelFor<CpfMeta, 'support.ticket'>;  // 'masked'
 * type B = LevelFor<CpfMeta, 'analytics.churn'>; // 'none'
 * type C = LevelFor<{ category: 'user.name'; purposes: ['support.ticket'] }, 'support.ticket'>; // 'clear'
 * ```
 * @category Declaring
 */
export type LevelFor<M, P extends string> = M extends { readonly purposes: infer A }
  ? A extends readonly (infer Ids)[]
    ? P extends Ids
      ? 'clear'
      : 'none'
    : P extends keyof A
      ? A[P] extends AccessLevel
        ? A[P]
        : RoleLevels<A[P]>
      : 'none'
  : 'none';

type Nullish<T> = Extract<T, null | undefined>;

type LevelOut<L, T, Dir> = L extends 'none' ? Hidden : Dir extends 'in' ? T : L extends 'clear' ? T : string | Nullish<T>;

/** Whether `pd.none()` marked the field, looking through wrappers. */
type IsNone<F> = keyof NotPersonal<unknown> extends keyof F ? true : IsNoneInner<InnerOf<F>>;
type IsNoneInner<I> = [I] extends [never] ? false : IsNone<I>;

/**
 * What purpose `P` gets of a field. `U` is what the schema says of unannotated fields: `allow`, or `deny` (the
 * schema said `deny` or nothing). A `pd()` field gets its level, a `pd.none()` value passes as declared (the
 * structure inside it included); anything else is the schema's own structure, walked by `Structural`.
 */
type FieldOut<F, P extends string, Dir, U, D extends unknown[] = []> =
  unknown extends MetaOf<F>
    ? IsNone<F> extends true
      ? core.output<F>
      : Structural<F, P, Dir, U, D>
    : LevelOut<LevelFor<MetaOf<F>, P>, core.output<F>, Dir>;

/**
 * An unannotated place of the schema's own structure. Objects and arrays are projected (an object whose keys are
 * all hidden is hidden). Anything else keeps its zod type under `allow`; under `deny` it is hidden, except for the
 * structures the runtime walks into (records, unions, tuples, intersections, lazy schemas), which keep what their
 * inside lets through.
 */
type Structural<F, P extends string, Dir, U, D extends unknown[]> =
  Unwrapped<F> extends core.$ZodObject<infer Sh>
    ? HiddenIfEmpty<Sh, ProjectShape<Sh, P, Dir, U, D>> extends infer R
      ? R extends Hidden
        ? Hidden
        : R | Nullish<core.output<F>>
      : never
    : Unwrapped<F> extends core.$ZodArray<infer E>
      ? FieldOut<E, P, Dir, U, D> extends infer R
        ? [R] extends [Hidden]
          ? Hidden
          : Array<Exclude<R, Hidden>> | Nullish<core.output<F>>
        : never
      : U extends 'allow'
        ? core.output<F>
        : Denied<Unwrapped<F>, P, Dir, [...D, 0]> extends infer R
          ? [R] extends [Hidden]
            ? Hidden
            : Exclude<R, Hidden> | Nullish<core.output<F>>
          : never;

/**
 * Under `deny`, an unannotated place that is neither an object nor an array: hidden unless its inside declares
 * something. `D` counts these places on the way down, so that a recursive type (`z.json()`, a `z.lazy` tree) ends:
 * past six of them the type says hidden.
 */
type Denied<W, P extends string, Dir, D extends unknown[]> = D['length'] extends 6
  ? Hidden
  : W extends core.$ZodRecord<core.$ZodRecordKey, infer V>
    ? FieldOut<V, P, Dir, 'deny', D> extends infer R
      ? [R] extends [Hidden]
        ? Hidden
        : core.output<W> extends infer O
          ? { [K in keyof O]: Exclude<R, Hidden> }
          : never
      : never
    : W extends core.$ZodUnion<infer Options>
      ? [MetaOfOptions<Options[number]>] extends [never]
        ? OptionsOut<Options[number], P, Dir, D>
        : LevelOut<LevelFor<MetaOfOptions<Options[number]>, P>, core.output<DeclaredOptions<Options[number]>>, Dir>
      : W extends core.$ZodTuple<infer Items, infer Rest>
        ? TupleOut<Items, Rest, P, Dir, D>
        : W extends core.$ZodIntersection<infer A, infer B>
          ? Both<FieldOut<A, P, Dir, 'deny', D>, FieldOut<B, P, Dir, 'deny', D>>
          : W extends core.$ZodLazy<infer T>
            ? FieldOut<T, P, Dir, 'deny', D>
            : Hidden;

/** The `pd()` metadata of a union's options: where one option is a personal field, the whole place is that field. */
type MetaOfOptions<O> = O extends unknown ? (unknown extends MetaOf<O> ? never : MetaOf<O>) : never;

/**
 * The options of a union declared with `pd()` or `pd.none()`, and those that hold no value (`z.null()`, …): under
 * `deny`, a value only an option declared neither way accepts does not go out or in.
 */
type DeclaredOptions<O> = O extends unknown
  ? unknown extends MetaOf<O>
    ? IsNone<O> extends true
      ? O
      : [core.output<O>] extends [null | undefined]
        ? O
        : never
    : O
  : never;

/** Each option of a union on its own (the hidden ones drop out). */
type OptionsOut<O, P extends string, Dir, D extends unknown[]> = O extends unknown ? FieldOut<O, P, Dir, 'deny', D> : never;

type Both<A, B> = [A] extends [Hidden] ? B : [B] extends [Hidden] ? A : Exclude<A, Hidden> & Exclude<B, Hidden>;

/** A tuple keeps its length: an item the purpose may not have is `undefined`; a tuple with nothing declared is hidden. */
type TupleOut<Items, Rest, P extends string, Dir, D extends unknown[]> =
  IsHidden<ItemsOut<Items, P, Dir, D> | RestOut<Rest, P, Dir, D>> extends true
    ? Hidden
    : Extract<
          { -readonly [I in keyof Items]: ItemOut<FieldOut<Items[I], P, Dir, 'deny', D>> },
          readonly unknown[]
        > extends infer T
      ? T extends readonly unknown[]
        ? [RestOut<Rest, P, Dir, D>] extends [Hidden]
          ? T
          : [...T, ...Exclude<RestOut<Rest, P, Dir, D>, Hidden>[]]
        : never
      : never;
type ItemsOut<Items, P extends string, Dir, D extends unknown[]> = Items extends readonly (infer I)[]
  ? OptionsOut<I, P, Dir, D>
  : Hidden;
type RestOut<Rest, P extends string, Dir, D extends unknown[]> = Rest extends core.$ZodType
  ? FieldOut<Rest, P, Dir, 'deny', D>
  : Hidden;
type ItemOut<R> = Exclude<R, Hidden> | (Hidden extends R ? undefined : never);

type HiddenIfEmpty<Sh, R> = [keyof Sh] extends [never] ? R : [keyof R] extends [never] ? Hidden : R;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type IsHidden<T> = [T] extends [Hidden] ? true : false;
type MaybeHidden<T> = Hidden extends T ? true : undefined extends T ? true : false;

type ProjectShape<Sh, P extends string, Dir, U, D extends unknown[] = []> = Simplify<
  {
    [K in keyof Sh as IsHidden<FieldOut<Sh[K], P, Dir, U, D>> extends true
      ? never
      : MaybeHidden<FieldOut<Sh[K], P, Dir, U, D>> extends true
        ? never
        : K]: FieldOut<Sh[K], P, Dir, U, D>;
  } & {
    [K in keyof Sh as IsHidden<FieldOut<Sh[K], P, Dir, U, D>> extends true
      ? never
      : MaybeHidden<FieldOut<Sh[K], P, Dir, U, D>> extends true
        ? K
        : never]?: Exclude<FieldOut<Sh[K], P, Dir, U, D>, Hidden>;
  }
>;

/**
 * Anything with a zod object inside, such as a `PurposefulSchema`.
 *
 * @example
 * ```ts
 * // a PurposefulSchema is one, so helper types can take any schema
 * type Views<S extends HasZodObject> = { ticket: Outbound<S, 'support.ticket'>; invoice: Outbound<S, 'billing.invoice'> };
 * type CustomerViews = Views<typeof Customer>;
 * ```
 * @category Declaring
 */
export interface HasZodObject {
  readonly zod: core.$ZodObject;
}

/**
 * What purpose `P` sees of a record of schema `S` after `outbound` / `open`:
 * fields the purpose may not see are gone, masked and pseudonymized ones are strings.
 *
 * Unannotated fields (neither `pd()` nor `pd.none()`) are gone too, as at run time by default: an object keeps
 * only its annotated keys and disappears when it has none, an array of unannotated values disappears. What is
 * inside a `pd()` or `pd.none()` value stays as declared. They are listed only when `S` was defined with
 * `unannotated: 'allow'` (the literal, in `defineSchema`'s options). An engine created with
 * `unannotated: 'allow'` lets them through at run time, but the types stay on the strict side and leave them out.
 *
 * @example
 * ```ts
 * type TicketView = Outbound<typeof Customer, 'support.ticket'>;
 * // { id: string; channel: 'chat' | 'email'; name: string; cpf: string; email: string; message: string }
 * // (no `accessibility`: that purpose may not see it)
 *
 * const Legacy = defineSchema('legacy', z.object({ ref: z.string(), note: pd(z.string(), noteDecl) }), { purposes });
 * type LegacyView = Outbound<typeof Legacy, 'support.ticket'>; // { note: string }: `ref` is unannotated
 * const Migrating = defineSchema('migrating', Legacy.zod, { purposes, unannotated: 'allow' });
 * type MigratingView = Outbound<typeof Migrating, 'support.ticket'>; // { ref: string; note: string }
 * ```
 * @category Declaring
 */
export type Outbound<S extends HasZodObject, P extends string> =
  S['zod'] extends core.$ZodObject<infer Sh>
    ? ProjectShape<Sh, P, 'out', S extends { readonly unannotated: 'allow' } ? 'allow' : 'deny'>
    : never;

/**
 * What `inbound` returns for purpose `P`: only the fields declared for it, with their parsed types.
 * Unannotated fields (neither `pd()` nor `pd.none()`) are left out, since inbound rejects them by default, unless
 * `S` was defined with `unannotated: 'allow'` (the engine's own `unannotated` option does not change the type).
 *
 * @example
 * ```ts
 * type SurveyInput = Inbound<typeof Customer, 'support.survey'>;
 * // { id: string; channel: 'chat' | 'email'; email: string }
 * ```
 * @category Declaring
 */
export type Inbound<S extends HasZodObject, P extends string> =
  S['zod'] extends core.$ZodObject<infer Sh>
    ? ProjectShape<Sh, P, 'in', S extends { readonly unannotated: 'allow' } ? 'allow' : 'deny'>
    : never;
