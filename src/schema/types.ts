/**
 * Types that follow purposes: `Inbound<S, P>` and `Outbound<S, P>` narrow a
 * schema's type to what purpose `P` may receive or see.
 *
 * Objects, arrays and wrappers (optional, nullable, default, readonly, …) are
 * projected; unions, records and tuples keep their zod type.
 *
 * @module
 */
import type * as core from 'zod/v4/core';
import type { AccessLevel, PdBrand } from './annotation.js';

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

type FieldOut<F, P extends string, Dir> =
  unknown extends MetaOf<F> ? Structural<F, P, Dir> : LevelOut<LevelFor<MetaOf<F>, P>, core.output<F>, Dir>;

type Structural<F, P extends string, Dir> =
  Unwrapped<F> extends core.$ZodObject<infer Sh>
    ? HiddenIfEmpty<Sh, ProjectShape<Sh, P, Dir>> extends infer R
      ? R extends Hidden
        ? Hidden
        : R | Nullish<core.output<F>>
      : never
    : Unwrapped<F> extends core.$ZodArray<infer E>
      ? FieldOut<E, P, Dir> extends infer R
        ? [R] extends [Hidden]
          ? Hidden
          : Array<Exclude<R, Hidden>> | Nullish<core.output<F>>
        : never
      : core.output<F>;

type HiddenIfEmpty<Sh, R> = [keyof Sh] extends [never] ? R : [keyof R] extends [never] ? Hidden : R;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type IsHidden<T> = [T] extends [Hidden] ? true : false;
type MaybeHidden<T> = Hidden extends T ? true : undefined extends T ? true : false;

type ProjectShape<Sh, P extends string, Dir> = Simplify<
  {
    [K in keyof Sh as IsHidden<FieldOut<Sh[K], P, Dir>> extends true
      ? never
      : MaybeHidden<FieldOut<Sh[K], P, Dir>> extends true
        ? never
        : K]: FieldOut<Sh[K], P, Dir>;
  } & {
    [K in keyof Sh as IsHidden<FieldOut<Sh[K], P, Dir>> extends true
      ? never
      : MaybeHidden<FieldOut<Sh[K], P, Dir>> extends true
        ? K
        : never]?: Exclude<FieldOut<Sh[K], P, Dir>, Hidden>;
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
 */
export interface HasZodObject {
  readonly zod: core.$ZodObject;
}

/**
 * What purpose `P` sees of a record of schema `S` after `outbound` / `open`:
 * fields the purpose may not see are gone, masked and pseudonymized ones are strings.
 *
 * @example
 * ```ts
 * type TicketView = Outbound<typeof Customer, 'support.ticket'>;
 * // { id: string; channel: 'chat' | 'email'; name: string; cpf: string; email: string; message: string }
 * // (no `accessibility`: that purpose may not see it)
 * ```
 */
export type Outbound<S extends HasZodObject, P extends string> =
  S['zod'] extends core.$ZodObject<infer Sh> ? ProjectShape<Sh, P, 'out'> : never;

/**
 * What `inbound` returns for purpose `P`: only the fields declared for it, with their parsed types.
 *
 * @example
 * ```ts
 * type SurveyInput = Inbound<typeof Customer, 'support.survey'>;
 * // { id: string; channel: 'chat' | 'email'; email: string }
 * ```
 */
export type Inbound<S extends HasZodObject, P extends string> =
  S['zod'] extends core.$ZodObject<infer Sh> ? ProjectShape<Sh, P, 'in'> : never;
