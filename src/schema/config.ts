/**
 * The shape of `purposeful.config.ts`, the file the `purposeful` command reads.
 *
 * @module
 */

/**
 * What `purposeful check`, `map` and `diff` load: the modules that export
 * your purposes and schemas (paths relative to the config file, TypeScript
 * or JavaScript, loaded without a build step), where the committed data
 * map lives, and the modules whose table bindings `check` verifies.
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
  /**
   * Modules whose exports (directly, or in an exported array or object) include
   * bindings of schemas to tables (`bindTable` from `purposeful/drizzle`).
   * `purposeful check` imports them and verifies each binding as the
   * application does at start: every encrypted field has a column that can
   * hold its envelope, every blind index its column. A module that throws
   * `PF_BINDING_INVALID` while being imported gives one error per problem, with
   * the schema, the table and the field path. The modules must not connect to a
   * database or read secrets when imported.
   *
   * @example
   * ```ts
   * export default {
   *   modules: ['./src/privacy/purposes.ts', './src/privacy/customer.ts'],
   *   bindings: ['./src/db/bindings.ts'],
   * } satisfies PurposefulConfig;
   * ```
   */
  readonly bindings?: readonly string[];
}
