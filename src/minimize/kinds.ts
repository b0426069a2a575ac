/**
 * Kinds of outbound leaves. Every leaf of an outbound plan is checked against
 * the kind its schema declares: a string place lets out only a string, a date
 * place only a `Date`, a bytes place (`z.instanceof(Uint8Array)`) only bytes.
 * The kind is decided when the plan is compiled (a bit set per leaf, and for
 * the common single-kind leaf a kind code the copy blocks test inline);
 * at run time a leaf costs one `typeof` comparison and allocates nothing.
 * Dates and bytes are copied, so nothing attached to them (own properties, an
 * own `toJSON`) goes out with them.
 *
 * Structure declared inside an annotated or `pd.none()` leaf (an object, an
 * array, `z.json()`) is walked like the rest of the schema ({@link plainLeaf}),
 * so a key the declaration does not hold never goes out there either.
 *
 * @module
 * @internal
 */
import { z } from 'zod';
import * as core from 'zod/v4/core';
import { getAnnotation } from '../schema/annotation.js';
import { mismatch } from './shape.js';

export const K_STRING = 1;
export const K_NUMBER = 2;
export const K_BOOLEAN = 4;
export const K_BIGINT = 8;
export const K_SYMBOL = 16;
export const K_DATE = 32;
export const K_BYTES = 64;
/** Any primitive but a symbol: what a transform or a zod type unknown to purposeful may produce. */
const K_PRIMITIVE = K_STRING | K_NUMBER | K_BOOLEAN | K_BIGINT;
/** A leaf that declares any value (`z.any()`, `z.unknown()`, `z.custom()`, a map, …): kept as it is, as declared. */
export const OPAQUE = -1;

type Def = core.$ZodTypeDef & Record<string, unknown>;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

function bitOfTypeof(t: string): number {
  switch (t) {
    case 'string':
      return K_STRING;
    case 'number':
      return K_NUMBER;
    case 'boolean':
      return K_BOOLEAN;
    case 'bigint':
      return K_BIGINT;
    case 'symbol':
      return K_SYMBOL;
    default:
      return 0; // null and undefined pass everywhere; objects and functions are never a scalar
  }
}

/**
 * The kinds an unannotated leaf schema (a scalar or opaque place of the shape
 * tree, wrappers already taken off) lets out, or {@link OPAQUE}.
 */
export function kindBits(s: core.$ZodType): number {
  const d = s._zod.def as Def;
  switch (d.type) {
    case 'string':
    case 'template_literal':
      return K_STRING;
    case 'number':
    case 'nan':
      return K_NUMBER;
    case 'boolean':
    case 'success':
      return K_BOOLEAN;
    case 'bigint':
      return K_BIGINT;
    case 'symbol':
      return K_SYMBOL;
    case 'date':
      return K_DATE;
    case 'null':
    case 'undefined':
    case 'void':
    case 'never':
      return 0;
    case 'literal': {
      let bits = 0;
      for (const v of d.values as Iterable<unknown>) bits |= bitOfTypeof(typeof v);
      return bits;
    }
    case 'enum': {
      let bits = 0;
      for (const v of Object.values(d.entries as Record<string, unknown>)) bits |= bitOfTypeof(typeof v);
      return bits;
    }
    case 'custom': {
      // z.instanceof(Date) and z.instanceof(Uint8Array): purposeful knows these classes; any other custom is opaque
      const cls = s._zod.bag.Class as unknown;
      if (cls === Date) return K_DATE;
      if (cls === Uint8Array) return K_BYTES;
      return OPAQUE;
    }
    case 'any':
    case 'unknown':
    case 'map':
    case 'set':
    case 'promise':
    case 'function':
    case 'file':
      return OPAQUE;
    default:
      // a transform's output, or a type added to zod later: a primitive, never an object
      return K_PRIMITIVE;
  }
}

const getTime = Date.prototype.getTime;
// the [[TypedArrayName]] of a real typed array (not spoofable by a prototype or Symbol.toStringTag); undefined otherwise
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)?.get as (
  this: unknown,
) => string | undefined;

/** A fresh copy of a real `Date` (one with the internal slot), or `undefined`. */
function copyDate(v: unknown): Date | undefined {
  try {
    return new Date(getTime.call(v as Date));
  } catch {
    return undefined;
  }
}

/** A fresh `Uint8Array` copy of real bytes (a `Uint8Array` or a Node `Buffer`), or `undefined`. */
function copyBytes(v: unknown): Uint8Array | undefined {
  if (typedArrayName.call(v) !== 'Uint8Array') return undefined;
  try {
    return new Uint8Array(v as Uint8Array);
  } catch {
    return undefined; // a detached buffer
  }
}

/** Runs a kind check: the value (or its copy) when it is of a kind in `bits`, else a mismatch. */
export type KindCheck = (v: unknown) => unknown;

/**
 * The kind code of the checks that accept exactly one primitive kind (1 string,
 * 2 number, 3 boolean, 4 bigint, 5 symbol): the copy blocks and arrays test it
 * inline with {@link ofKind}, which compares `typeof` with a constant.
 */
export const KIND_CODES = new WeakMap<object, number>();
const checks = new Map<number, KindCheck>();

/** Whether `x` is of the kind `code` names, or null / undefined (no data). Small enough for V8 to inline at each site. */
export function ofKind(code: number, x: unknown): boolean {
  switch (code) {
    case 1:
      return typeof x === 'string' || x === null || x === undefined;
    case 2:
      return typeof x === 'number' || x === null || x === undefined;
    case 3:
      return typeof x === 'boolean' || x === null || x === undefined;
    case 4:
      return typeof x === 'bigint' || x === null || x === undefined;
    case 5:
      return typeof x === 'symbol' || x === null || x === undefined;
    default:
      return false;
  }
}

// one literal per kind: each compares typeof with a constant, which V8 compiles to a type check
const SINGLE: ReadonlyArray<readonly [number, number, KindCheck]> = [
  [K_STRING, 1, (v) => (typeof v === 'string' || v === null || v === undefined ? v : mismatch())],
  [K_NUMBER, 2, (v) => (typeof v === 'number' || v === null || v === undefined ? v : mismatch())],
  [K_BOOLEAN, 3, (v) => (typeof v === 'boolean' || v === null || v === undefined ? v : mismatch())],
  [K_BIGINT, 4, (v) => (typeof v === 'bigint' || v === null || v === undefined ? v : mismatch())],
  [K_SYMBOL, 5, (v) => (typeof v === 'symbol' || v === null || v === undefined ? v : mismatch())],
];
for (const [bits, code, check] of SINGLE) {
  KIND_CODES.set(check, code);
  checks.set(bits, check);
}

/** The check for a set of kinds, one function per set (shared by every plan). */
export function kindCheck(bits: number): KindCheck {
  let check = checks.get(bits);
  if (check) return check;
  check = (v) => {
    if (v === null || v === undefined) return v;
    const t = typeof v;
    if (t !== 'object') return (bitOfTypeof(t) & bits) !== 0 ? v : mismatch();
    const copy = (bits & K_DATE ? copyDate(v) : undefined) ?? (bits & K_BYTES ? copyBytes(v) : undefined);
    return copy ?? mismatch();
  };
  checks.set(bits, check);
  return check;
}

/**
 * The leaf schemas of a place as one unannotated schema, to be walked for the
 * structure they declare: wrappers taken off, the annotation left behind (a
 * clone of the annotated schema, which the registry does not know), several
 * leaves (union options) joined in a union.
 */
export function plainLeaf(leaves: readonly core.$ZodType[]): core.$ZodType {
  const plain = leaves.map((l) => {
    let s = l;
    while (WRAPPERS.has((s._zod.def as Def).type)) s = (s._zod.def as Def).innerType as core.$ZodType;
    if (getAnnotation(s) === undefined) return s;
    const c = core.util.clone(s, s._zod.def);
    Object.assign(c._zod.bag, s._zod.bag); // z.instanceof keeps its class
    return c;
  });
  return plain.length === 1 ? (plain[0] as core.$ZodType) : z.union(plain as [core.$ZodType, ...core.$ZodType[]]);
}
