/**
 * The compiled form of a plan: one function per node and the state of one
 * call, shared by the plan compiler and the slot blocks.
 *
 * @module
 * @internal
 */

/** Per-call state. */
export interface RunState {
  nodes: number;
  maxNodes: number;
  maxDepth: number;
  strip: boolean;
  undeclared: string[] | undefined;
  pseudo: ReadonlyArray<(v: unknown) => string> | undefined;
  /** `outbound`: an encrypted field holding an envelope is refused (`PF_SEALED_VALUE`); `open` and `minimize` pass it. */
  refuseSealed?: boolean;
}

/** One compiled node: takes a value, returns what the purpose gets of it. */
export type Exec = (v: unknown, st: RunState, depth: number, path: string) => unknown;
