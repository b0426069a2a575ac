/**
 * The shape of `purposeful.config.ts`, the file the `purposeful` command reads.
 *
 * @module
 */

/**
 * What `purposeful check`, `map` and `diff` load: the modules that export
 * your purposes and schemas (paths relative to the config file, TypeScript
 * or JavaScript, loaded without a build step), and where the committed data
 * map lives.
 *
 * @example
 * ```ts
 * // purposeful.config.ts
 * import type { PurposefulConfig } from 'purposeful';
 *
 * export default {
 *   modules: ['./src/privacy/purposes.ts', './src/privacy/customer.ts', './src/privacy/ticket.ts'],
 *   map: 'privacy-map.json',
 * } satisfies PurposefulConfig;
 * ```
 * @category Declaring
 */
export interface PurposefulConfig {
  /** Modules whose exports (directly, or in an exported array or object) include purposes and schemas. */
  readonly modules: readonly string[];
  /** The committed data map, relative to the config file (default `privacy-map.json`). */
  readonly map?: string;
}
