/**
 * The vocabulary of a compiled plan: what compiling a node yields (a function,
 * kept whole, or hidden), the state a plan compiler shares between its steps,
 * and the small run-time helpers the compiled functions call (limits, paths of
 * undeclared keys, the type checks of a facet).
 *
 * @module
 * @internal
 */

import { PurposefulError } from '../errors.js';
import type { AccessLevel } from '../schema/annotation.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { FieldInfo, ShapeNode } from '../schema/walk.js';
import type { Exec, RunState } from './exec.js';
import { ShapeMismatch } from './shape.js';

/** A node whose value is kept as it is. */
export const KEEP = null;
/** A node whose value the purpose does not get. */
export const HIDDEN = 0 as const;
/** What compiling a node yields. */
export type Compiled = Exec | typeof KEEP | typeof HIDDEN;

/** Most undeclared paths one call reports. */
export const MAX_REPORTED = 50;

/**
 * The state of one plan compilation, shared by its steps: what the plan is for,
 * what `deny` hides, and what it has compiled and collected so far.
 */
export interface PlanCompiler {
  readonly schema: PurposefulSchema;
  readonly purpose: string;
  readonly roles: readonly string[];
  readonly inbound: boolean;
  /** `deny`: the nodes of the schema's own tree, whose unannotated (scalar, opaque) facets let nothing through. */
  readonly denied: ReadonlySet<ShapeNode> | undefined;
  /** `deny`: the places that hold no annotation at any depth, hidden whole (their recursion too). */
  readonly unheld: ReadonlySet<ShapeNode> | undefined;
  /** The schema's own fields (not the ones met again inside a leaf that recurses into itself). */
  readonly ownFields: ReadonlySet<FieldInfo>;
  /** Fields pseudonymized, in the order of `pseudo` in the run state. */
  readonly pseudonymized: FieldInfo[];
  /** Visible personal fields with their level. */
  readonly levels: Map<FieldInfo, AccessLevel>;
  /** Nodes compiled so far. */
  readonly done: Map<ShapeNode, Compiled>;
  /** Nodes being compiled (a node met again while compiling is recursion). */
  readonly active: Map<ShapeNode, { exec?: Exec }>;
  /** Compiles a node (cached, recursion-safe). */
  readonly compile: (node: ShapeNode) => Compiled;
  /** What a facet does with a value of the wrong type (see {@link wrongTypeFor}). */
  readonly wrongType: (v: unknown) => unknown;
}

export function limit(what: string): PurposefulError {
  return new PurposefulError('PF_LIMIT_EXCEEDED', `the data exceeds the configured ${what}`);
}

/** Every structure a plan walks counts here: one level deeper, `count` more values. */
export function enter(st: RunState, depth: number, count: number): void {
  if (depth >= st.maxDepth) throw limit(`depth (${st.maxDepth})`);
  st.nodes += count;
  if (st.nodes > st.maxNodes) throw limit(`number of values (${st.maxNodes})`);
}

/** Inbound: a value kept whole (annotated, opaque or declared not personal) still counts against the limits. */
export const MEASURE: Exec = (v, st, d) => {
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

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** A key as an error names it: a short identifier as it is, anything else (data used as a key, a huge key) as `["?"]`. */
export function seg(key: string): string {
  return key.length <= 64 && IDENT.test(key) ? key : '["?"]';
}
export function join(path: string, key: string): string {
  const s = seg(key);
  return s.startsWith('[') ? path + s : path ? `${path}.${s}` : s;
}

/** An object literal or a null-prototype object (what JSON.parse and object spreads make). */
export function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * What a facet does with a value of the wrong type: null and undefined pass,
 * inbound leaves the rest to zod, outbound refuses it.
 */
export function wrongTypeFor(inbound: boolean): (v: unknown) => unknown {
  return (v) => {
    if (v === null || v === undefined || inbound) return v;
    throw new ShapeMismatch();
  };
}

/** Inbound: a value at a hidden place is dropped and reported as undeclared (unless the run strips). */
export function hiddenValue(st: RunState, p: string): undefined {
  if (!st.strip && st.undeclared && st.undeclared.length < MAX_REPORTED) st.undeclared.push(p || '(root)');
  return undefined;
}
