/**
 * Minimization plans: compiled once per (schema, purpose, direction, roles)
 * from the schema's shape tree into closures, cached, and run per request with
 * no re-parsing of declarations. No eval, no `new Function`.
 *
 * @module
 * @internal
 */

import type * as core from 'zod/v4/core';
import { PurposefulError } from '../errors.js';
import type { AccessLevel } from '../schema/annotation.js';
import { getAnnotation } from '../schema/annotation.js';
import type { PurposefulSchema, Unannotated } from '../schema/define.js';
import { type FieldAccess, type FieldInfo, type ShapeNode, shapeChildren, walkSchema } from '../schema/walk.js';
import { assertCleanPrototype } from '../util/prototype.js';
import type { Exec, RunState } from './exec.js';
import { KIND_CODES, kindBits, kindCheck, OPAQUE, ofKind, plainLeaf } from './kinds.js';
import { compileMask } from './masks.js';
import { assertPseudonymKey, derivePseudonymKey, pseudonymizer } from './pseudonymize.js';
import { mismatch, ShapeMismatch } from './shape.js';
import { BLOCK_WIDTH, type Block, makeBlock } from './slots.js';

/**
 * `inbound`: data coming in for a purpose; `outbound`: data a purpose is about to see.
 *
 * @example
 * ```ts
 * const direction: Direction = 'inbound'; // a request body arriving for a purpose
 * minimize(Customer, 'support.survey', body, { direction, undeclared: 'strip' });
 * ```
 * @category Minimization
 */
export type Direction = 'inbound' | 'outbound';

/**
 * The nodes of a schema's own shape tree (not the structure inside an annotated
 * or `pd.none()` leaf): where a scalar or opaque facet is an unannotated field.
 */
function ownNodes(root: ShapeNode): Set<ShapeNode> {
  const seen = new Set<ShapeNode>();
  const stack = [root];
  while (stack.length) {
    const node = stack.pop() as ShapeNode;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...shapeChildren(node));
  }
  return seen;
}

const unheldCache = new WeakMap<ShapeNode, ReadonlySet<ShapeNode>>();

/**
 * Under `deny`: the places of the schema's own tree (the root aside) from which
 * no annotation, `pd()` or `pd.none()`, can be reached. Such a place is declared
 * for no purpose whatever it holds, and so is all its structure, recursion
 * included (`z.json()`, a lazy tree, an object holding itself): the plan hides
 * it whole, so it is left out outbound and reported inbound. Computed once per
 * schema, in time linear in its tree (reachability backwards from the
 * annotated places), since a recursive place cannot be decided from its children.
 */
function unheldNodes(root: ShapeNode, own: ReadonlySet<ShapeNode>): ReadonlySet<ShapeNode> {
  const cached = unheldCache.get(root);
  if (cached) return cached;
  const parents = new Map<ShapeNode, ShapeNode[]>();
  const held = new Set<ShapeNode>();
  const stack: ShapeNode[] = [];
  for (const node of own) {
    for (const kid of shapeChildren(node)) {
      const list = parents.get(kid);
      if (list) list.push(node);
      else parents.set(kid, [node]);
    }
    if (node.field || node.none) {
      held.add(node);
      stack.push(node);
    }
  }
  while (stack.length) {
    for (const p of parents.get(stack.pop() as ShapeNode) ?? []) {
      if (held.has(p)) continue;
      held.add(p);
      stack.push(p);
    }
  }
  const unheld = new Set([...own].filter((n) => n !== root && !held.has(n)));
  unheldCache.set(root, unheld);
  return unheld;
}

/**
 * Limits that protect the walk from hostile data.
 *
 * @example
 * ```ts
 * const limits: Limits = { maxDepth: 16, maxNodes: 5_000 }; // beyond them: PF_LIMIT_EXCEEDED (413)
 * const pf = createPurposeful({ purposes, schemas: [Customer, Ticket], limits });
 * ```
 * @category Minimization
 */
export interface Limits {
  /** Deepest nesting of objects and arrays (default 64, at most 1000). */
  readonly maxDepth?: number;
  /** Most values visited in one call (default 100 000). */
  readonly maxNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_NODES = 100_000;
const MAX_REPORTED = 50;

/** `ENVELOPE_PREFIX` of `crypto/envelope.ts`, inlined so that minimizing never loads the crypto modules. */
const SEALED_PREFIX = 'pf1.';

const KEEP = null;
const HIDDEN = 0 as const;
type Compiled = Exec | typeof KEEP | typeof HIDDEN;

/** Inbound: a value kept whole (annotated, opaque or declared not personal) still counts against the limits. */
const MEASURE: Exec = (v, st, d) => {
  if (typeof v !== 'object' || v === null) return v;
  const stack: Array<[unknown, number]> = [[v, d]];
  while (stack.length) {
    const [x, depth] = stack.pop() as [unknown, number];
    if (typeof x !== 'object' || x === null) continue;
    const kids = Array.isArray(x) ? x : Object.values(x);
    enter(st, depth, kids.length);
    for (const k of kids) if (typeof k === 'object' && k !== null) stack.push([k, depth + 1]);
  }
  return v;
};

const NO_FACETS = Object.freeze({ scalar: false, opaque: false });

const RANK: Record<AccessLevel | 'none', number> = { none: 0, pseudonymized: 1, masked: 2, clear: 3 };

/**
 * The level an actor with `roles` gets: the widest level among its roles that
 * the declaration lists, or the default when it lists none of them (so a role
 * listed as `none` hides the field even though the default would show it).
 */
export function resolveLevel(access: FieldAccess | undefined, roles: readonly string[]): AccessLevel | 'none' {
  if (!access) return 'none';
  if (!access.roles) return access.level;
  let listed = false;
  let level: AccessLevel | 'none' = 'none';
  for (const r of roles) {
    if (!Object.hasOwn(access.roles, r)) continue;
    listed = true;
    const l = access.roles[r] as AccessLevel | 'none';
    if (RANK[l] > RANK[level]) level = l;
  }
  return listed ? level : access.level;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** A key as an error names it: a short identifier as it is, anything else (data used as a key, a huge key) as `["?"]`. */
function seg(key: string): string {
  return key.length <= 64 && IDENT.test(key) ? key : '["?"]';
}
function join(path: string, key: string): string {
  const s = seg(key);
  return s.startsWith('[') ? path + s : path ? `${path}.${s}` : s;
}

const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** An object literal or a null-prototype object (what JSON.parse and object spreads make). */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function limit(what: string): PurposefulError {
  return new PurposefulError('PF_LIMIT_EXCEEDED', `the data exceeds the configured ${what}`);
}

/** Every structure a plan walks counts here: one level deeper, `count` more values. */
function enter(st: RunState, depth: number, count: number): void {
  if (depth >= st.maxDepth) throw limit(`depth (${st.maxDepth})`);
  st.nodes += count;
  if (st.nodes > st.maxNodes) throw limit(`number of values (${st.maxNodes})`);
}

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

/** A compiled plan. */
export interface Plan {
  readonly direction: Direction;
  readonly purpose: string;
  /** Fields pseudonymized by this plan, in the order of `pseudo` in the run state. */
  readonly pseudonymized: readonly FieldInfo[];
  /** Visible personal fields with their level. */
  readonly levels: ReadonlyMap<FieldInfo, AccessLevel>;
  /** Paths of the sensitive fields this plan shows in clear (they may need a second factor). */
  readonly clearSensitive: readonly string[];
  /** The encrypted fields this plan shows (the only ones `open` decrypts). */
  readonly visibleEncrypted: ReadonlySet<FieldInfo>;
  /** Whether the plan shows any sensitive field, at any level (consent must then be highlighted). */
  readonly showsSensitive: boolean;
  /** Runs the plan. */
  run(data: unknown, st: RunState): unknown;
}

/** Compiles a plan. */
export function compilePlan(
  schema: PurposefulSchema,
  purpose: string,
  direction: Direction,
  roles: readonly string[],
  unannotated: Unannotated,
): Plan {
  const inbound = direction === 'inbound';
  /** `deny`: the nodes of the schema's own tree, whose unannotated (scalar, opaque) facets let nothing through. */
  const denied = unannotated === 'deny' ? ownNodes(schema.shape) : undefined;
  /** `deny`: the places that hold no annotation at any depth, hidden whole (their recursion too). */
  const unheld = denied ? unheldNodes(schema.shape, denied) : undefined;
  /** The unannotated facets a node keeps: none, at a place of the schema's own tree, when they are denied. */
  const openFacets = (node: ShapeNode): { scalar: boolean; opaque: boolean } =>
    denied?.has(node) ? NO_FACETS : { scalar: node.scalar === true, opaque: node.opaque === true };
  const pseudonymized: FieldInfo[] = [];
  const levels = new Map<FieldInfo, AccessLevel>();
  const done = new Map<ShapeNode, Compiled>();
  const active = new Map<ShapeNode, { exec?: Exec }>();
  const ownFields = new Set(schema.fields);
  /** The leaf schemas a place declares: denied, without its union options that are neither `pd()` nor `pd.none()`. */
  const declaredLeaves = (node: ShapeNode): readonly core.$ZodType[] => {
    const all = node.leaves ?? [];
    const plain = node.plainOptions;
    return plain && denied?.has(node) ? all.filter((l) => !plain.includes(l)) : all;
  };

  const compileField = (f: FieldInfo, node: ShapeNode): Compiled => {
    const level = resolveLevel(f.access.get(purpose), roles);
    if (level === 'none') return HIDDEN;
    // a field met again inside an annotated value that recurses into itself is the schema's field, already counted
    if (ownFields.has(f)) levels.set(f, level);
    if (inbound) return MEASURE;
    // outbound: the value is first held to what the field declares (its kind, or the structure inside it)
    const leaves = declaredLeaves(node);
    const inner = leaves.length ? compile(inside(schema, leaves)) : KEEP;
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
    const i = pseudonymized.push(f) - 1;
    const pseudo = (v: unknown, st: RunState) => (st.pseudo as ReadonlyArray<(v: unknown) => string>)[i]?.(v);
    if (code !== undefined) return (v, st) => (v === null || v === undefined ? v : ofKind(code, v) ? pseudo(v, st) : mismatch());
    if (check === undefined) return (v, st) => (v === null || v === undefined ? v : pseudo(v, st));
    return (v, st, d, p) => (v === null || v === undefined ? v : pseudo(check(v, st, d, p), st));
  };

  /**
   * Outbound: a field declared `encrypt: true` the purpose sees refuses a sealed value when the run asks
   * (`pf.outbound` given a stored row): one prefix check, compiled in only for such fields. The message names the
   * field's path, never the value. A sealed-looking string in a field not declared encrypted is data.
   */
  const refusingSealed = (f: FieldInfo, c: Compiled): Compiled => {
    if (inbound || !f.encrypt || c === HIDDEN) return c;
    const next: Exec = c === KEEP ? (v) => v : c;
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
  };

  /**
   * Outbound: what a leaf that is not a personal field lets out. `pd.none()`:
   * the structure it declares; a scalar: only its declared kinds; an opaque
   * value (`z.any()`, `z.custom()`, …): anything, as declared.
   */
  const compileLeaf = (node: ShapeNode, opaque: boolean): Compiled => {
    // denied, a union of `pd.none()` and unannotated options keeps only what `pd.none()` declares
    const leaves = declaredLeaves(node);
    if (declaresNone(leaves)) return compile(inside(schema, leaves));
    let bits = 0;
    for (const l of leaves) {
      const b = kindBits(l);
      if (b === OPAQUE) return KEEP;
      bits |= b;
    }
    return opaque && leaves.length === 0 ? KEEP : kindCheck(bits);
  };

  const compile = (node: ShapeNode): Compiled => {
    if (unheld?.has(node)) return HIDDEN;
    const cached = done.get(node);
    if (cached !== undefined) return cached;
    const inProgress = active.get(node);
    if (inProgress) return (v, st, d, p) => (inProgress.exec as Exec)(v, st, d, p);
    const slot: { exec?: Exec } = {};
    active.set(node, slot);
    const result = build(node);
    active.delete(node);
    slot.exec = result === KEEP ? (v) => v : result === HIDDEN ? () => undefined : result;
    done.set(node, result);
    return result;
  };

  const build = (node: ShapeNode): Compiled => {
    if (node.field) return refusingSealed(node.field, compileField(node.field, node));
    if (!inbound) return buildOutbound(node);
    const { scalar, opaque } = openFacets(node);
    const leafKeep = node.none || scalar || opaque;
    const structural = node.object || node.array || node.tuple || node.record;
    if (!structural) {
      if (node.none || opaque) return MEASURE;
      if (scalar) return KEEP;
      return HIDDEN; // a place with no facet at all: nothing is allowed there
    }
    const { o, a } = facets(node);
    if (!leafKeep && (o === HIDDEN || o === undefined) && (a === HIDDEN || a === undefined)) {
      if (o === HIDDEN || a === HIDDEN) return HIDDEN;
    }
    const hiddenValue = (st: RunState, p: string): undefined => {
      if (!st.strip && st.undeclared && st.undeclared.length < MAX_REPORTED) st.undeclared.push(p || '(root)');
      return undefined;
    };
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
  };

  /** The object facet (declared keys, or a record) and the array facet (a tuple, or an array) of a node. */
  const facets = (node: ShapeNode): { o: Compiled | undefined; a: Compiled | undefined } => {
    const obj = node.object ? buildObject(node.object) : undefined;
    const rec = node.record ? compile(node.record) : undefined;
    const arr = node.array ? compile(node.array) : undefined;
    const tup = node.tuple ? buildTuple(node.tuple, node.tupleRest) : undefined;
    return {
      o: obj ?? (rec !== undefined ? buildRecord(rec) : undefined),
      a: tup ?? (arr !== undefined ? buildArray(arr) : undefined),
    };
  };

  /**
   * Outbound: a value goes out only in the structure and the kinds the schema
   * declares at its place. An object goes through the object facet, an array
   * through the array facet, anything else through the leaf (`pd.none()`,
   * scalar or opaque) declared there; what none of them takes is a mismatch.
   */
  const buildOutbound = (node: ShapeNode): Compiled => {
    const { scalar, opaque } = openFacets(node);
    const leaf = node.none || scalar || opaque ? compileLeaf(node, opaque) : undefined;
    const structural = node.object || node.array || node.tuple || node.record;
    // a place with no facet at all: nothing is allowed there (`leaf` is KEEP, null, for an opaque leaf: kept, not hidden)
    if (!structural) return leaf === undefined ? HIDDEN : leaf;
    const { o, a } = facets(node);
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
  };

  /** What a facet does with a value of the wrong type: null and undefined pass, inbound leaves the rest to zod. */
  const wrongType = (v: unknown): unknown => {
    if (v === null || v === undefined || inbound) return v;
    throw new ShapeMismatch();
  };

  const buildObject = (shape: Map<string, ShapeNode>): Exec | typeof HIDDEN => {
    const keys: string[] = [];
    const execs: Array<Exec | null> = [];
    const guarded: boolean[] = [];
    const tags: number[] = [];
    for (const [key, child] of shape) {
      const c = compile(child);
      if (c === HIDDEN) continue;
      keys.push(key);
      execs.push(c);
      guarded.push(PROTO_NAMES.has(key));
      tags.push((c !== null && KIND_CODES.get(c)) || 0);
    }
    // a structure whose fields are all hidden is hidden too; the record itself (the root) never is
    if (keys.length === 0 && shape.size > 0 && shape !== schema.shape.object) return HIDDEN;
    const n = keys.length;
    if (inbound) {
      const index = new Map<string, number>();
      for (const [i, k] of keys.entries()) index.set(k, i);
      return (v, st, d, p) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(v);
        const src = v as Record<string, unknown>;
        const own = Object.keys(src);
        enter(st, d, own.length);
        const out: Record<string, unknown> = {};
        for (let j = 0; j < own.length; j++) {
          const k = own[j] as string;
          const i = index.get(k);
          if (i === undefined) {
            if (!st.strip && st.undeclared && st.undeclared.length < MAX_REPORTED) st.undeclared.push(join(p, k));
            continue;
          }
          const x = src[k];
          const e = execs[i];
          out[k] = e === null || e === undefined ? x : e(x, st, d + 1, join(p, k));
        }
        return out;
      };
    }
    const blocks: Block[] = [];
    for (let b = 0; b < n; b += BLOCK_WIDTH) {
      const end = b + BLOCK_WIDTH;
      blocks.push(makeBlock(keys.slice(b, end), execs.slice(b, end), guarded.slice(b, end), tags.slice(b, end)));
    }
    const nb = blocks.length;
    /** Slow path, errors only: finds which field failed, so the error names its path. */
    const locate = (src: Record<string, unknown>, st: RunState, d: number, err: ShapeMismatch): ShapeMismatch => {
      for (let i = 0; i < n; i++) {
        const e = execs[i];
        const x = src[keys[i] as string];
        // as the blocks do: an inherited `constructor` or `valueOf` was not copied, so it is not what failed
        if (!e || x === undefined || (guarded[i] && !Object.hasOwn(src, keys[i] as string))) continue;
        try {
          e(x, st, d, '');
        } catch (inner) {
          if (inner instanceof ShapeMismatch) {
            inner.segments.push(seg(keys[i] as string));
            return inner;
          }
        }
      }
      return err;
    };
    return (v, st, d) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(v);
      enter(st, d, n);
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      try {
        for (let b = 0; b < nb; b++) (blocks[b] as Block)(src, out, st, d + 1);
      } catch (err) {
        throw err instanceof ShapeMismatch ? locate(src, st, d + 1, err) : err;
      }
      return out;
    };
  };

  const buildRecord = (value: Compiled): Exec | typeof HIDDEN => {
    if (value === HIDDEN) return HIDDEN;
    return (v, st, d, p) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(v);
      // outbound, a record lets out every own key: only a plain object is taken as one (a class instance, a Date, a Map is not)
      if (!inbound && !isPlain(v)) return mismatch();
      const src = v as Record<string, unknown>;
      const own = Object.keys(src);
      enter(st, d, own.length);
      const out: Record<string, unknown> = {};
      let j = 0;
      try {
        for (; j < own.length; j++) {
          const k = own[j] as string;
          if (k === '__proto__') {
            if (inbound && !st.strip && st.undeclared && st.undeclared.length < MAX_REPORTED) st.undeclared.push(join(p, k));
            continue;
          }
          const x = src[k];
          if (x === undefined && !inbound) continue; // as the object blocks do: an undefined entry goes out as no entry
          out[k] = value === null ? x : value(x, st, d + 1, inbound ? `${p}{}` : '');
        }
      } catch (err) {
        if (err instanceof ShapeMismatch) err.segments.push('{}');
        throw err;
      }
      return out;
    };
  };

  const buildArray = (element: Compiled): Exec | typeof HIDDEN => {
    if (element === HIDDEN) return HIDDEN;
    const code = element === null ? undefined : KIND_CODES.get(element);
    return (v, st, d, p) => {
      if (!Array.isArray(v)) return wrongType(v);
      const src = v as unknown[];
      const len = src.length;
      enter(st, d, len);
      const out = new Array<unknown>(len);
      // copied by index into a plain array: slice() would build the copy with the value's own species constructor
      if (element === null) {
        for (let i = 0; i < len; i++) out[i] = src[i];
        return out;
      }
      if (code !== undefined) {
        for (let i = 0; i < len; i++) {
          const x = src[i];
          if (!ofKind(code, x)) {
            const err = new ShapeMismatch();
            err.segments.push('[]');
            throw err;
          }
          out[i] = x;
        }
        return out;
      }
      const childPath = inbound ? `${p}[]` : '';
      let i = 0;
      try {
        for (; i < len; i++) out[i] = element(src[i], st, d + 1, childPath);
      } catch (err) {
        if (err instanceof ShapeMismatch) err.segments.push('[]');
        throw err;
      }
      return out;
    };
  };

  const buildTuple = (items: ShapeNode[], rest: ShapeNode | undefined): Exec => {
    const execs = items.map(compile);
    const restExec = rest ? compile(rest) : HIDDEN;
    return (v, st, d, p) => {
      if (!Array.isArray(v)) return wrongType(v);
      const src = v as unknown[];
      enter(st, d, src.length);
      const out = new Array<unknown>(src.length);
      let i = 0;
      try {
        for (; i < src.length; i++) {
          const e = i < execs.length ? execs[i] : restExec;
          const x = src[i];
          if (e === HIDDEN || e === undefined) {
            if (inbound && x !== undefined && !st.strip && st.undeclared && st.undeclared.length < MAX_REPORTED) {
              st.undeclared.push(`${p}[${i}]`);
            }
            out[i] = undefined;
          } else out[i] = e === null ? x : e(x, st, d + 1, `${p}[${i}]`);
        }
      } catch (err) {
        if (err instanceof ShapeMismatch) err.segments.push(i < execs.length ? `[${i}]` : '[]');
        throw err;
      }
      return out;
    };
  };

  const root = compile(schema.shape);
  const rootExec: Exec = root === KEEP ? (v) => v : root === HIDDEN ? () => ({}) : root;
  return Object.freeze({
    direction,
    purpose,
    pseudonymized: Object.freeze(pseudonymized),
    levels,
    clearSensitive: Object.freeze([...levels].filter(([f, l]) => f.sensitive && l === 'clear').map(([f]) => f.path)),
    visibleEncrypted: new Set([...levels.keys()].filter((f) => f.encrypt)),
    showsSensitive: [...levels.keys()].some((f) => f.sensitive),
    run(data: unknown, st: RunState): unknown {
      assertCleanPrototype();
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new PurposefulError('PF_INPUT_INVALID', `a "${schema.id}" record must be an object`, { schema: schema.id });
      }
      try {
        return rootExec(data, st, 0, '');
      } catch (err) {
        if (err instanceof ShapeMismatch) {
          const path = err.segments
            .reverse()
            .reduce((acc, s) => (s.startsWith('[') || s === '{}' ? acc + s : acc ? `${acc}.${s}` : s), '');
          if (!inbound) {
            // outbound data is the application's: a value of the wrong structure or kind is a server bug, refused, never converted
            throw new PurposefulError(
              'PF_OUTPUT_INVALID',
              `${path}: the outgoing value does not have the structure or the kind the schema declares (refused, not converted)`,
              { paths: [path], schema: schema.id, purpose, article: 'LGPD Art. 6 III; GDPR Art. 5(1)(c)' },
            );
          }
          throw new PurposefulError('PF_INPUT_INVALID', `${path}: the value does not have the shape the schema declares`, {
            paths: [path],
            schema: schema.id,
          });
        }
        if (err instanceof RangeError) throw limit(`depth (the call stack ran out)`);
        throw err;
      }
    },
  });
}

const pseudoCaches = new WeakMap<Plan, WeakMap<Uint8Array, ReadonlyArray<(v: unknown) => string>>>();

/** Builds the pseudonymizers a plan needs from a root key, once per (plan, key). */
export function pseudonymizersFor(
  plan: Plan,
  schemaId: string,
  rootKey: Uint8Array | undefined,
): ReadonlyArray<(v: unknown) => string> | undefined {
  if (plan.pseudonymized.length === 0) return undefined;
  if (!rootKey) {
    throw new PurposefulError(
      'PF_KEY_NOT_FOUND',
      `purpose "${plan.purpose}" sees ${plan.pseudonymized.map((f) => f.path).join(', ')} pseudonymized, but no pseudonymization key is configured`,
      { purpose: plan.purpose, schema: schemaId, paths: plan.pseudonymized.map((f) => f.path) },
    );
  }
  let perKey = pseudoCaches.get(plan);
  if (!perKey) {
    perKey = new WeakMap();
    pseudoCaches.set(plan, perKey);
  }
  let fns = perKey.get(rootKey);
  if (!fns) {
    assertPseudonymKey(rootKey);
    fns = plan.pseudonymized.map((f) => pseudonymizer(derivePseudonymKey(rootKey, schemaId, f.id, plan.purpose)));
    perKey.set(rootKey, fns);
  }
  return fns;
}
