/**
 * The structural steps of a plan: an object of declared keys, a record, an
 * array and a tuple, each compiled once into the function that copies such a
 * value for a purpose (inbound, reporting undeclared keys; outbound, refusing
 * a value of the wrong structure and naming where it failed).
 *
 * @module
 * @internal
 */

import type { ShapeNode } from '../schema/walk.js';
import { type Compiled, enter, HIDDEN, isPlain, join, MAX_REPORTED, type PlanCompiler, seg } from './compiled.js';
import type { Exec, RunState } from './exec.js';
import { KIND_CODES, ofKind } from './kinds.js';
import { mismatch, ShapeMismatch } from './shape.js';
import { BLOCK_WIDTH, type Block, makeBlock } from './slots.js';

const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The object facet (declared keys, or a record) and the array facet (a tuple, or an array) of a node. */
export function facets(cx: PlanCompiler, node: ShapeNode): { o: Compiled | undefined; a: Compiled | undefined } {
  const obj = node.object ? buildObject(cx, node.object) : undefined;
  const rec = node.record ? cx.compile(node.record) : undefined;
  const arr = node.array ? cx.compile(node.array) : undefined;
  const tup = node.tuple ? buildTuple(cx, node.tuple, node.tupleRest) : undefined;
  return {
    o: obj ?? (rec !== undefined ? buildRecord(cx, rec) : undefined),
    a: tup ?? (arr !== undefined ? buildArray(cx, arr) : undefined),
  };
}

function buildObject(cx: PlanCompiler, shape: Map<string, ShapeNode>): Exec | typeof HIDDEN {
  const keys: string[] = [];
  const execs: Array<Exec | null> = [];
  const guarded: boolean[] = [];
  const tags: number[] = [];
  for (const [key, child] of shape) {
    const c = cx.compile(child);
    if (c === HIDDEN) continue;
    keys.push(key);
    execs.push(c);
    guarded.push(PROTO_NAMES.has(key));
    tags.push((c !== null && KIND_CODES.get(c)) || 0);
  }
  // a structure whose fields are all hidden is hidden too; the record itself (the root) never is
  if (keys.length === 0 && shape.size > 0 && shape !== cx.schema.shape.object) return HIDDEN;
  return cx.inbound ? inboundObject(cx, keys, execs) : outboundObject(cx, keys, execs, guarded, tags);
}

/** Inbound: the declared keys are copied through their step, any other key is reported undeclared. */
function inboundObject(cx: PlanCompiler, keys: readonly string[], execs: ReadonlyArray<Exec | null>): Exec {
  const { wrongType } = cx;
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

/**
 * Outbound: the visible keys are copied by the slot blocks; when one of them
 * refuses a value, a slow path finds which field failed, so the error names its path.
 */
function outboundObject(cx: PlanCompiler, keys: string[], execs: Array<Exec | null>, guarded: boolean[], tags: number[]): Exec {
  const { wrongType } = cx;
  const n = keys.length;
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
}

function buildRecord(cx: PlanCompiler, value: Compiled): Exec | typeof HIDDEN {
  if (value === HIDDEN) return HIDDEN;
  const { inbound, wrongType } = cx;
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
}

function buildArray(cx: PlanCompiler, element: Compiled): Exec | typeof HIDDEN {
  if (element === HIDDEN) return HIDDEN;
  const { inbound, wrongType } = cx;
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
}

function buildTuple(cx: PlanCompiler, items: ShapeNode[], rest: ShapeNode | undefined): Exec {
  const execs = items.map(cx.compile);
  const restExec = rest ? cx.compile(rest) : HIDDEN;
  const { inbound, wrongType } = cx;
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
}
