/**
 * The steps that compile one node of a shape tree for a purpose: a personal
 * field at its level (clear, masked, pseudonymized, hidden), a leaf that is not
 * personal, and a place with structure, inbound and outbound. Structures are
 * compiled by `plan-structures.ts`; recursion goes through the compiler's cache.
 *
 * @module
 * @internal
 */

import type * as core from 'zod/v4/core';
import { PurposefulError } from '../errors.js';
import { getAnnotation } from '../schema/annotation.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { FieldInfo, ShapeNode } from '../schema/walk.js';
import { walkSchema } from '../schema/walker.js';
import { type Compiled, HIDDEN, hiddenValue, isPlain, KEEP, MEASURE, type PlanCompiler } from './compiled.js';
import type { Exec, RunState } from './exec.js';
import { KIND_CODES, kindBits, kindCheck, OPAQUE, ofKind, plainLeaf } from './kinds.js';
import { resolveLevel } from './level.js';
import { compileMask } from './masks.js';
import { facets } from './plan-structures.js';
import { mismatch } from './shape.js';

/** `ENVELOPE_PREFIX` of `crypto/envelope.ts`, inlined so that minimizing never loads the crypto modules. */
const SEALED_PREFIX = 'pf1.';

const NO_FACETS = Object.freeze({ scalar: false, opaque: false });

/**
 * The structure declared inside a leaf (an annotated or `pd.none()` value),
 * walked once per leaf schema and shared by every plan: an object there keeps
 * only its declared keys, a string only strings. Keyed by the first leaf schema,
 * so a leaf that recurses into itself (`pd.none(Node)` with `z.lazy(() => Node)`
 * inside) meets the same tree again and the plan compiles it as recursion.
 */
const insideCache = new WeakMap<core.$ZodType, Array<{ leaves: readonly core.$ZodType[]; root: ShapeNode }>>();

function inside(schema: PurposefulSchema, leaves: readonly core.$ZodType[]): ShapeNode {
  const first = leaves[0] as core.$ZodType;
  let list = insideCache.get(first);
  const hit = list?.find((e) => e.leaves.length === leaves.length && e.leaves.every((l, i) => l === leaves[i]));
  if (hit) return hit.root;
  const root = walkSchema(schema.id, plainLeaf(leaves), schema.purposes.taxonomy).root;
  if (!list) {
    list = [];
    insideCache.set(first, list);
  }
  list.push({ leaves, root });
  return root;
}

/** Whether any leaf schema of a place is a `pd.none()` declaration (its inside is walked). */
const declaresNone = (leaves: readonly core.$ZodType[]): boolean => leaves.some((l) => getAnnotation(l)?.kind === 'none');

/** The unannotated facets a node keeps: none, at a place of the schema's own tree, when they are denied. */
function openFacets(cx: PlanCompiler, node: ShapeNode): { scalar: boolean; opaque: boolean } {
  return cx.denied?.has(node) ? NO_FACETS : { scalar: node.scalar === true, opaque: node.opaque === true };
}

/** The leaf schemas a place declares: denied, without its union options that are neither `pd()` nor `pd.none()`. */
function declaredLeaves(cx: PlanCompiler, node: ShapeNode): readonly core.$ZodType[] {
  const all = node.leaves ?? [];
  const plain = node.plainOptions;
  return plain && cx.denied?.has(node) ? all.filter((l) => !plain.includes(l)) : all;
}

/** Compiles a node once: cached, and a node met again while it is compiled (recursion) calls what it becomes. */
export function compileNode(cx: PlanCompiler, node: ShapeNode): Compiled {
  if (cx.unheld?.has(node)) return HIDDEN;
  const cached = cx.done.get(node);
  if (cached !== undefined) return cached;
  const inProgress = cx.active.get(node);
  if (inProgress) return (v, st, d, p) => (inProgress.exec as Exec)(v, st, d, p);
  const slot: { exec?: Exec } = {};
  cx.active.set(node, slot);
  const result = buildNode(cx, node);
  cx.active.delete(node);
  slot.exec = result === KEEP ? (v) => v : result === HIDDEN ? () => undefined : result;
  cx.done.set(node, result);
  return result;
}

function buildNode(cx: PlanCompiler, node: ShapeNode): Compiled {
  if (node.field) return refusingSealed(cx, node.field, compileField(cx, node.field, node));
  return cx.inbound ? buildInbound(cx, node) : buildOutbound(cx, node);
}

/** A personal field at the level the roles get for the purpose. */
function compileField(cx: PlanCompiler, f: FieldInfo, node: ShapeNode): Compiled {
  const level = resolveLevel(f.access.get(cx.purpose), cx.roles);
  if (level === 'none') return HIDDEN;
  // a field met again inside an annotated value that recurses into itself is the schema's field, already counted
  if (cx.ownFields.has(f)) cx.levels.set(f, level);
  if (cx.inbound) return MEASURE;
  // outbound: the value is first held to what the field declares (its kind, or the structure inside it)
  const leaves = declaredLeaves(cx, node);
  const inner = leaves.length ? cx.compile(inside(cx.schema, leaves)) : KEEP;
  if (level === 'clear' || inner === HIDDEN) return inner;
  const code = inner === KEEP ? undefined : KIND_CODES.get(inner);
  const check: Exec | undefined = inner === KEEP || code !== undefined ? undefined : inner;
  if (level === 'masked') {
    const mask = compileMask(f.mask);
    if (code === 1) return (v) => (v === null || v === undefined ? v : typeof v === 'string' ? mask(v) : mismatch());
    if (code !== undefined) return (v) => (v === null || v === undefined ? v : ofKind(code, v) ? mask(v) : mismatch());
    if (check === undefined) return (v) => (v === null || v === undefined ? v : mask(v));
    return (v, st, d, p) => (v === null || v === undefined ? v : mask(check(v, st, d, p)));
  }
  const i = cx.pseudonymized.push(f) - 1;
  const pseudo = (v: unknown, st: RunState) => (st.pseudo as ReadonlyArray<(v: unknown) => string>)[i]?.(v);
  if (code !== undefined) return (v, st) => (v === null || v === undefined ? v : ofKind(code, v) ? pseudo(v, st) : mismatch());
  if (check === undefined) return (v, st) => (v === null || v === undefined ? v : pseudo(v, st));
  return (v, st, d, p) => (v === null || v === undefined ? v : pseudo(check(v, st, d, p), st));
}

/**
 * Outbound: a field declared `encrypt: true` the purpose sees refuses a sealed value when the run asks
 * (`pf.outbound` given a stored row): one prefix check, compiled in only for such fields. The message names the
 * field's path, never the value. A sealed-looking string in a field not declared encrypted is data.
 */
function refusingSealed(cx: PlanCompiler, f: FieldInfo, c: Compiled): Compiled {
  if (cx.inbound || !f.encrypt || c === HIDDEN) return c;
  const next: Exec = c === KEEP ? (v) => v : c;
  const { schema, purpose } = cx;
  return (v, st, d, p) => {
    if (st.refuseSealed && typeof v === 'string' && v.startsWith(SEALED_PREFIX)) {
      throw new PurposefulError('PF_SEALED_VALUE', `${f.path} holds sealed values: use open() for stored rows`, {
        schema: schema.id,
        purpose,
        paths: [f.path],
      });
    }
    return next(v, st, d, p);
  };
}

/**
 * Outbound: what a leaf that is not a personal field lets out. `pd.none()`:
 * the structure it declares; a scalar: only its declared kinds; an opaque
 * value (`z.any()`, `z.custom()`, …): anything, as declared.
 */
function compileLeaf(cx: PlanCompiler, node: ShapeNode, opaque: boolean): Compiled {
  // denied, a union of `pd.none()` and unannotated options keeps only what `pd.none()` declares
  const leaves = declaredLeaves(cx, node);
  if (declaresNone(leaves)) return cx.compile(inside(cx.schema, leaves));
  let bits = 0;
  for (const l of leaves) {
    const b = kindBits(l);
    if (b === OPAQUE) return KEEP;
    bits |= b;
  }
  return opaque && leaves.length === 0 ? KEEP : kindCheck(bits);
}

/**
 * Inbound: a place that is not a personal field. Its structure is copied
 * through its facets, what a hidden facet holds is reported undeclared, and a
 * leaf (`pd.none()`, scalar, opaque) is kept, counted against the limits.
 */
function buildInbound(cx: PlanCompiler, node: ShapeNode): Compiled {
  const { scalar, opaque } = openFacets(cx, node);
  const leafKeep = node.none || scalar || opaque;
  const structural = node.object || node.array || node.tuple || node.record;
  if (!structural) {
    if (node.none || opaque) return MEASURE;
    if (scalar) return KEEP;
    return HIDDEN; // a place with no facet at all: nothing is allowed there
  }
  const { o, a } = facets(cx, node);
  if (!leafKeep && (o === HIDDEN || o === undefined) && (a === HIDDEN || a === undefined)) {
    if (o === HIDDEN || a === HIDDEN) return HIDDEN;
  }
  // a node with one structural facet is its facet: the facet checks the value's type itself
  if (!leafKeep && typeof o === 'function' && a === undefined) return o;
  if (!leafKeep && typeof a === 'function' && o === undefined) return a;
  return (v, st, d, p) => {
    if (v === null || v === undefined) return v;
    if (typeof v === 'object') {
      if (Array.isArray(v)) {
        if (a === HIDDEN) return hiddenValue(st, p);
        if (a) return a(v, st, d, p);
      } else {
        if (o === HIDDEN) return hiddenValue(st, p);
        if (o) return o(v, st, d, p);
      }
      if (opaque || node.none) return MEASURE(v, st, d, p);
    }
    return v; // zod reports a type mismatch, with its path
  };
}

/**
 * Outbound: a value goes out only in the structure and the kinds the schema
 * declares at its place. An object goes through the object facet, an array
 * through the array facet, anything else through the leaf (`pd.none()`,
 * scalar or opaque) declared there; what none of them takes is a mismatch.
 */
function buildOutbound(cx: PlanCompiler, node: ShapeNode): Compiled {
  const { scalar, opaque } = openFacets(cx, node);
  const leaf = node.none || scalar || opaque ? compileLeaf(cx, node, opaque) : undefined;
  const structural = node.object || node.array || node.tuple || node.record;
  // a place with no facet at all: nothing is allowed there (`leaf` is KEEP, null, for an opaque leaf: kept, not hidden)
  if (!structural) return leaf === undefined ? HIDDEN : leaf;
  const { o, a } = facets(cx, node);
  if (leaf === undefined || leaf === HIDDEN) {
    if ((o === HIDDEN || o === undefined) && (a === HIDDEN || a === undefined) && (o === HIDDEN || a === HIDDEN)) return HIDDEN;
    // a node with one structural facet is its facet: the facet checks the value's type itself
    if (typeof o === 'function' && a === undefined) return o;
    if (typeof a === 'function' && o === undefined) return a;
  }
  const rest: Exec | undefined = leaf === KEEP ? (v) => v : typeof leaf === 'function' ? leaf : undefined;
  return (v, st, d, p) => {
    if (v === null || v === undefined) return v;
    if (typeof v === 'object') {
      if (Array.isArray(v)) {
        if (a === HIDDEN) return undefined;
        if (a) return a(v, st, d, p);
      } else if (rest === undefined || isPlain(v)) {
        // an object that is not plain (a Date, bytes, a class instance) goes to the leaf when there is one
        if (o === HIDDEN) return undefined;
        if (o) return o(v, st, d, p);
      }
    }
    return rest ? rest(v, st, d, p) : mismatch();
  };
}
