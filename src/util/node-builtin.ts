/**
 * A Node built-in module where the runtime is Node ≥ 20.16, reached through
 * `process.getBuiltinModule` so the core keeps no static `node:` import (Edge,
 * workers and browsers get `undefined` and use the portable path).
 *
 * @module
 * @internal
 */
export function nodeBuiltin<T>(id: `node:${string}`): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  try {
    return (proc.getBuiltinModule(id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}
