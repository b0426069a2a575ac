/**
 * A pool of textually distinct copies of one function: the copy of up to
 * eight fields of an object by an outbound plan.
 *
 * Why copies: V8 keeps type feedback (inline caches) per function *literal*.
 * One generic "copy key k" loop shared by every object of every plan sees all
 * keys and all object shapes, goes megamorphic, and does each property load
 * and store through a slow generic lookup. Each literal below has its own
 * feedback, and within it each of the eight unrolled loads and stores has its
 * own site. This is what code generation would buy, without `eval` or
 * `new Function`, which Edge runtimes forbid: closures made at load time from
 * one literal (by a factory, a loop or `bind`) all share that literal's
 * feedback, so only distinct source text gives distinct sites. Measured on the
 * benchmark record: the shared-loop version took 2.3× longer for a
 * projection-only plan.
 *
 * One block per copy as far as possible ({@link pick}): a copy shared by two
 * blocks is slower even when both copy the same keys from the same shapes
 * (10 to 20% on the benchmark's masked plan), and much slower when the keys
 * differ, as a keyed site that sees a second key goes megamorphic (the
 * benchmark's projection-only plan took 1.6× as long). So the first blocks get
 * a copy each; once half the pool is taken, a block whose keys a copy already
 * holds at the same positions shares that copy, keeping the rest for key lists
 * not seen yet. The support-desk example's six schemas and six purposes make
 * 48 blocks with 25 key lists: 46 of them get a copy of their own or one
 * shared with the same keys (handed out in turn, 32 copies would give 16).
 *
 * Size: every copy ships in every bundle that minimizes. What needs no
 * feedback of its own stays out of the copies: the kind check of a leaf
 * ({@link pass}, inlined by V8 at each site) and the own-property check of
 * keys named like `Object.prototype` members (a block holding such a key is
 * {@link guardedBlock}, a plain loop: rare, and correct before fast). That
 * makes a copy about 0.6 KB minified, so the pool holds twenty-four copies.
 *
 * Every line must stay a separate literal: turning this into a loop or a
 * `.map` would bring back the one shared function.
 *
 * @module
 * @internal
 */

import type { Exec, RunState } from './exec.js';
import { ofKind } from './kinds.js';
import { mismatch } from './shape.js';

/** Copies up to eight fields from `s` to `o`, each through its child plan when it has one. */
export type Block = (s: Record<string, unknown>, o: Record<string, unknown>, st: RunState, d: number) => void;

type E = Exec | null;
/** A leaf's kind code (the only kind it lets out, besides null; see `ofKind`), or 0: go through its plan. */
type T = number;
type BlockFactory = (
  n: number,
  ...args: [string, string, string, string, string, string, string, string, E, E, E, E, E, E, E, E, T, T, T, T, T, T, T, T]
) => Block;

/** Fields one block copies. */
export const BLOCK_WIDTH = 8;

/** A leaf with a kind code lets out a value of that kind, or null; anything else is a mismatch. */
const pass = (t: T, x: unknown): unknown =>
  (t === 1 ? typeof x === 'string' : t === 2 ? typeof x === 'number' : t === 3 ? typeof x === 'boolean' : ofKind(t, x)) ||
  x === null
    ? x
    : mismatch();

// biome-ignore format: one literal per line, on purpose (see above)
const POOL: readonly BlockFactory[] = [
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
  (n, k0, k1, k2, k3, k4, k5, k6, k7, e0, e1, e2, e3, e4, e5, e6, e7, t0, t1, t2, t3, t4, t5, t6, t7) => (s, o, st, d) => { let x: unknown; if (n > 0) { x = s[k0]; if (x !== undefined) o[k0] = t0 !== 0 ? pass(t0, x) : e0 === null ? x : e0(x, st, d, ''); } if (n > 1) { x = s[k1]; if (x !== undefined) o[k1] = t1 !== 0 ? pass(t1, x) : e1 === null ? x : e1(x, st, d, ''); } if (n > 2) { x = s[k2]; if (x !== undefined) o[k2] = t2 !== 0 ? pass(t2, x) : e2 === null ? x : e2(x, st, d, ''); } if (n > 3) { x = s[k3]; if (x !== undefined) o[k3] = t3 !== 0 ? pass(t3, x) : e3 === null ? x : e3(x, st, d, ''); } if (n > 4) { x = s[k4]; if (x !== undefined) o[k4] = t4 !== 0 ? pass(t4, x) : e4 === null ? x : e4(x, st, d, ''); } if (n > 5) { x = s[k5]; if (x !== undefined) o[k5] = t5 !== 0 ? pass(t5, x) : e5 === null ? x : e5(x, st, d, ''); } if (n > 6) { x = s[k6]; if (x !== undefined) o[k6] = t6 !== 0 ? pass(t6, x) : e6 === null ? x : e6(x, st, d, ''); } if (n > 7) { x = s[k7]; if (x !== undefined) o[k7] = t7 !== 0 ? pass(t7, x) : e7 === null ? x : e7(x, st, d, ''); } },
];

/**
 * The copy of a block whose keys include one named like an `Object.prototype`
 * member: such a key (`own[i]`) is copied only when it is the object's own (an
 * inherited `constructor` or `toString` is not data).
 */
function guardedBlock(keys: readonly string[], execs: readonly E[], own: readonly boolean[], tags: readonly T[]): Block {
  const n = keys.length;
  return (s, o, st, d) => {
    for (let i = 0; i < n; i++) {
      const k = keys[i] as string;
      const x = s[k];
      if (x === undefined || (own[i] === true && !Object.hasOwn(s, k))) continue;
      const t = tags[i] as T;
      const e = execs[i] as E;
      o[k] = t !== 0 ? pass(t, x) : e === null ? x : e(x, st, d, '');
    }
  };
}

/** Per copy: the key each of its sites has seen (undefined: none yet), and how many blocks use it. */
const seen: Array<Array<string | undefined>> = [];
const users: number[] = [];

/**
 * The copy for a block with these keys. While more than half the pool is
 * unused, a copy of its own; after that, a copy whose sites hold the same keys
 * at the same positions if there is one (the unused rest is kept for key lists
 * not seen yet), else an unused copy, else the least used one.
 */
function pick(keys: readonly string[]): number {
  let free = -1;
  let unused = 0;
  let fit = -1;
  let least = -1;
  for (let c = 0; c < POOL.length; c++) {
    const u = users[c] ?? 0;
    if (u === 0) {
      unused++;
      if (free === -1) free = c;
      continue;
    }
    if (least === -1 || u < (users[least] ?? 0)) least = c;
    if (fit !== -1) continue;
    const at = seen[c] ?? [];
    let i = 0;
    while (i < keys.length && (at[i] === undefined || at[i] === keys[i])) i++;
    if (i === keys.length) fit = c;
  }
  const c = free !== -1 && (unused * 2 > POOL.length || fit === -1) ? free : fit !== -1 ? fit : least;
  const at = seen[c] ?? [];
  seen[c] = at;
  for (let i = 0; i < keys.length; i++) at[i] ??= keys[i];
  users[c] = (users[c] ?? 0) + 1;
  return c;
}

/**
 * A block copying `keys` (at most {@link BLOCK_WIDTH}) with their child plans
 * (`null`: copy as is, for an opaque leaf); `own[i]` asks for an own-property check
 * (keys named like `Object.prototype` members); `tags[i]`, the code of the one kind
 * a leaf lets out, checks it inline instead of calling its plan; from the copy
 * {@link pick} chooses.
 */
export function makeBlock(keys: readonly string[], execs: readonly E[], own: readonly boolean[], tags: readonly T[]): Block {
  if (own.includes(true)) return guardedBlock(keys, execs, own, tags);
  const factory = POOL[pick(keys)] as BlockFactory;
  const k = (i: number) => keys[i] ?? '';
  const e = (i: number) => execs[i] ?? null;
  const t = (i: number) => tags[i] ?? 0;
  return factory(
    keys.length,
    k(0),
    k(1),
    k(2),
    k(3),
    k(4),
    k(5),
    k(6),
    k(7),
    e(0),
    e(1),
    e(2),
    e(3),
    e(4),
    e(5),
    e(6),
    e(7),
    t(0),
    t(1),
    t(2),
    t(3),
    t(4),
    t(5),
    t(6),
    t(7),
  );
}
