/**
 * Loading a project's declarations: the config file, then each module it
 * names (TypeScript through jiti, no build step), collecting every purposes
 * registry and schema they export and the declaration errors they throw; then
 * the modules its `bindings` names, collecting every binding of a schema to a
 * table they export and the binding errors they throw.
 *
 * @module
 * @internal
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { createJiti, type TransformOptions } from 'jiti';
import {
  type DeclarationProblem,
  isPurposefulError,
  isPurposefulSchema,
  isPurposes,
  type PurposefulConfig,
  PurposefulError,
  type PurposefulSchema,
  type Purposes,
} from 'purposeful';
import { SourcePositions } from './positions.js';

/** The config file names looked for, in this order. */
export const CONFIG_NAMES = [
  'purposeful.config.ts',
  'purposeful.config.mts',
  'purposeful.config.cts',
  'purposeful.config.js',
  'purposeful.config.mjs',
  'purposeful.config.cjs',
] as const;

/** A problem the user must fix before anything can be checked: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * What every binding (Drizzle's `bindTable`, Prisma's `bindModel`) carries under
 * `Symbol.for('purposeful.binding')`: the CLI finds bindings by it, without
 * importing any ORM.
 */
export interface BindingMark {
  readonly schema: PurposefulSchema;
  /** What the schema is bound to: `table customers`, `model Customer`. */
  readonly target: string;
  /** The start-up verification, re-run: each problem names a field path or a column; none when the binding fits. */
  problems(): readonly string[];
}

/** A binding found in a bindings module's exports. */
export interface FoundBinding {
  readonly mark: BindingMark;
  /** The module that exports it. */
  readonly module: string;
}

/** A binding problem as `check` reports it: `PF_BINDING_INVALID` with the target and the module. */
export interface BindingProblem extends DeclarationProblem {
  readonly target?: string;
  /** The module it came from: where it is placed when no stack frame gives a line. */
  readonly module: string;
}

const BINDING_MARK = Symbol.for('purposeful.binding');

function bindingMark(value: unknown): BindingMark | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const mark = (value as Record<symbol, unknown>)[BINDING_MARK] as Partial<BindingMark> | undefined;
  return mark && isPurposefulSchema(mark.schema) && typeof mark.target === 'string' && typeof mark.problems === 'function'
    ? (mark as BindingMark)
    : undefined;
}

/** What a project declares. */
export interface Project {
  readonly root: string;
  readonly configFile: string;
  readonly mapFile: string;
  readonly registries: readonly Purposes[];
  readonly schemas: readonly PurposefulSchema[];
  /** Definitions that threw `PF_DECLARATION_INVALID`, each with its problems. */
  readonly failures: readonly PurposefulError[];
  readonly modules: readonly string[];
  /** Whether the config names `bindings` modules (the report then counts the bindings verified). */
  readonly bindingsConfigured: boolean;
  /** The bindings the `bindings` modules export. */
  readonly bindings: readonly FoundBinding[];
  /** The problems of the bindings modules that threw `PF_BINDING_INVALID` while being imported. */
  readonly bindingFailures: readonly BindingProblem[];
  /** Maps the places stack frames gave (in the code jiti ran) to the source files. */
  readonly positions: SourcePositions;
}

export function findConfig(cwd: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`config file not found: ${explicit}`);
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new UsageError(
    `no purposeful.config.ts (or .mts, .js, .mjs, .cjs) in ${cwd}. Create one naming the modules that export your purposes and schemas:\n\n` +
      `  export default { modules: ['./src/privacy.ts'] };\n\nor pass --config <file>.`,
  );
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The first stack frame in one of the project's own files: where a throwing definition was called. */
function userFrame(err: unknown, root: string): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = /((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = (m[1] as string).startsWith('file://') ? decodeURIComponent((m[1] as string).slice(7)) : (m[1] as string);
    if (file.includes(`${sep}node_modules${sep}`) || !file.startsWith(root + sep)) continue;
    if (file.includes(`${sep}dist${sep}`) && file.includes('purposeful')) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

function collect(value: unknown, registries: Purposes[], schemas: PurposefulSchema[], depth = 0): void {
  if (isPurposes(value)) {
    if (!registries.includes(value)) registries.push(value);
  } else if (isPurposefulSchema(value)) {
    if (!schemas.includes(value)) schemas.push(value);
    if (!registries.includes(value.purposes)) registries.push(value.purposes);
  } else if (depth < 2 && Array.isArray(value)) {
    for (const v of value) collect(v, registries, schemas, depth + 1);
  } else if (
    depth < 2 &&
    typeof value === 'object' &&
    value !== null &&
    // a plain object, or a module namespace (null prototype: what Node gives for a module it imported natively)
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  ) {
    for (const v of Object.values(value)) collect(v, registries, schemas, depth + 1);
  }
}

/** The bindings in a module's exports, found by their marker: directly, or in an exported array or object. */
function collectBindings(value: unknown, module: string, found: FoundBinding[], depth = 0): void {
  const mark = bindingMark(value);
  if (mark) {
    if (!found.some((b) => b.mark === mark)) found.push({ mark, module });
  } else if (depth < 2 && Array.isArray(value)) {
    for (const v of value) collectBindings(v, module, found, depth + 1);
  } else if (
    depth < 2 &&
    typeof value === 'object' &&
    value !== null &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  ) {
    for (const v of Object.values(value)) collectBindings(v, module, found, depth + 1);
  }
}

/** The target a `PF_BINDING_INVALID` message names (`… cannot be bound to table "customers": …`), if it does. */
function targetOf(err: PurposefulError): string | undefined {
  const m = / cannot be bound to ([a-z]+) "([^"]+)"/.exec(err.message);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** One finding per problem of a `PF_BINDING_INVALID` thrown while a bindings module was imported. */
function bindingFailure(err: PurposefulError, module: string, root: string): BindingProblem[] {
  const site = userFrame(err, root);
  const target = targetOf(err);
  // the problems, as objects with a message (or plain strings); the message alone when the error has none
  const listed = (err.problems as readonly unknown[])
    .map((p) =>
      typeof p === 'string' ? p : typeof p === 'object' && p !== null ? (p as { message?: unknown }).message : undefined,
    )
    .filter((m): m is string => typeof m === 'string' && m !== '');
  const messages = listed.length ? listed : [err.message];
  return messages.map((message) => ({
    code: 'PF_BINDING_INVALID',
    severity: 'error',
    requiredBy: 'policy',
    message,
    ...(err.schema ? { schema: err.schema } : {}),
    ...(target ? { target } : {}),
    ...(site ? { declaredAt: site } : {}),
    module,
  }));
}

// the console methods that write to standard output (group, table and dirxml go through log)
const STDOUT_METHODS = ['log', 'info', 'debug', 'dir'] as const;

/**
 * Runs `load` with what a loaded module prints through `console` sent to standard error: standard output carries
 * only the report (`--format json`, `markdown`, a map), which a pipe or a file takes as it is.
 */
async function onStderr<T>(load: () => Promise<T>): Promise<T> {
  const saved = STDOUT_METHODS.map((m) => [m, console[m]] as const);
  const toStderr = (...args: unknown[]): void => console.error(...args);
  for (const [m] of saved) console[m] = toStderr;
  try {
    return await load();
  } finally {
    for (const [m, fn] of saved) (console as unknown as Record<string, unknown>)[m] = fn;
  }
}

/**
 * Loads the config and every module it names (with `bindings`, for `check`,
 * the bindings modules too). A module that throws a declaration error (with
 * `bindings`, a binding error) gives its problems; any other failure is a
 * {@link UsageError} that says what to fix.
 */
export async function loadProject(
  cwd: string,
  configOption: string | undefined,
  options: { readonly bindings?: boolean } = {},
): Promise<Project> {
  const configFile = findConfig(cwd, configOption);
  const root = dirname(configFile);
  // Positions: jiti transpiles TypeScript with source maps on; the outer instance, uncached, sees every module's
  // code as it is evaluated (to map stack positions back to the source), and the inner one does the transform
  // with jiti's own file cache, so a warm run still skips Babel.
  const positions = new SourcePositions();
  const inner = createJiti(configFile, { interopDefault: true, sourceMaps: true });
  const transform = (opts: TransformOptions) => {
    const code = inner.transform(opts);
    if (opts.filename) positions.recordTranspiled(opts.filename, code, opts.async === true);
    return { code };
  };
  const jiti = createJiti(configFile, { interopDefault: true, sourceMaps: true, fsCache: false, transform });
  let config: unknown;
  try {
    config = await onStderr(() => jiti.import(configFile, { default: true }));
  } catch (err) {
    throw new UsageError(`could not load ${relative(cwd, configFile)}: ${messageOf(err)}`, { cause: err });
  }
  const cfg = config as Partial<PurposefulConfig> | undefined;
  if (
    typeof cfg !== 'object' ||
    cfg === null ||
    !Array.isArray(cfg.modules) ||
    cfg.modules.length === 0 ||
    cfg.modules.some((m) => typeof m !== 'string' || m === '')
  ) {
    throw new UsageError(
      `${relative(cwd, configFile)} must export by default { modules: ['./path/to/declarations.ts', …] } (a non-empty list of module paths)`,
    );
  }
  if (cfg.map !== undefined && (typeof cfg.map !== 'string' || cfg.map === '')) {
    throw new UsageError(`${relative(cwd, configFile)}: "map" must be a file path such as 'privacy-map.json'`);
  }
  if (
    cfg.bindings !== undefined &&
    (!Array.isArray(cfg.bindings) || cfg.bindings.some((m) => typeof m !== 'string' || m === ''))
  ) {
    throw new UsageError(
      `${relative(cwd, configFile)}: "bindings" must be a list of module paths such as ['./src/db/bindings.ts']`,
    );
  }
  const registries: Purposes[] = [];
  const schemas: PurposefulSchema[] = [];
  const failures: PurposefulError[] = [];
  const modules: string[] = [];
  const bindings: FoundBinding[] = [];
  const bindingFailures: BindingProblem[] = [];
  const FAILED = Symbol('failed');
  const loaded = new Map<string, unknown>();
  /** Imports a listed module: its namespace, or undefined when it threw a declaration (or binding) error, recorded. */
  const load = async (
    spec: string,
    key: 'modules' | 'bindings',
  ): Promise<{ ns: unknown; file: string; shown: string } | undefined> => {
    const file = isAbsolute(spec) ? spec : resolve(root, spec);
    const shown = relative(cwd, file) || spec;
    if (!existsSync(file))
      throw new UsageError(`module not found: ${shown} (listed in "${key}" of ${relative(cwd, configFile)})`);
    // a module listed twice (in "modules" and "bindings") is imported once: its failure is reported once
    if (loaded.has(file)) {
      const ns = loaded.get(file);
      return ns === FAILED ? undefined : { ns, file, shown };
    }
    modules.push(file);
    loaded.set(file, FAILED);
    try {
      const ns = await onStderr(() => jiti.import(file));
      loaded.set(file, ns);
      return { ns, file, shown };
    } catch (err) {
      if (isPurposefulError(err) && err.code === 'PF_BINDING_INVALID' && options.bindings) {
        bindingFailures.push(...bindingFailure(err, file, root));
        return undefined;
      }
      if (isPurposefulError(err) && err.code === 'PF_DECLARATION_INVALID') {
        if (err.problems.length) failures.push(err);
        else {
          // thrown before any problem list was made (a bad schema id, say): one problem, placed at the call
          const site = userFrame(err, root);
          const p: DeclarationProblem = {
            code: 'PF_DECL_INVALID',
            severity: 'error',
            requiredBy: 'policy',
            message: err.message,
            ...(err.schema ? { schema: err.schema } : {}),
            ...(site ? { declaredAt: site } : {}),
          };
          failures.push(new PurposefulError('PF_DECLARATION_INVALID', err.message, { problems: [p] }));
        }
        return undefined;
      }
      throw new UsageError(`could not load ${shown}: ${messageOf(err)}`, { cause: err });
    }
  };
  for (const spec of cfg.modules) {
    const module = await load(spec, 'modules');
    if (!module) continue;
    const { ns, shown } = module;
    const before = registries.length + schemas.length;
    collect(ns, registries, schemas);
    if (registries.length + schemas.length === before) {
      const plainZod = Object.entries((ns ?? {}) as Record<string, unknown>).find(
        ([, v]) => typeof v === 'object' && v !== null && '_zod' in v,
      );
      throw new UsageError(
        plainZod
          ? `${shown} exports "${plainZod[0]}", a zod schema that is not a purposeful schema: wrap it with defineSchema('id', schema, { purposes }) and annotate its personal fields with pd()`
          : `${shown} exports no purposes (definePurposes) and no schemas (defineSchema): export them, or remove the module from ${relative(cwd, configFile)}`,
      );
    }
  }
  for (const spec of options.bindings ? (cfg.bindings ?? []) : []) {
    const module = await load(spec, 'bindings');
    if (!module) continue;
    const before = bindings.length;
    collectBindings(module.ns, module.file, bindings);
    if (bindings.length === before) {
      throw new UsageError(
        `${module.shown} exports no bindings (bindTable from purposeful/drizzle): export them, or remove the module from "bindings" in ${relative(cwd, configFile)}`,
      );
    }
  }
  // a bound schema is checked as a declared one, whether or not a module in "modules" exports it too
  for (const { mark } of bindings) collect(mark.schema, registries, schemas);
  return {
    root,
    configFile,
    mapFile: resolve(root, cfg.map ?? 'privacy-map.json'),
    registries,
    schemas,
    failures,
    modules,
    bindingsConfigured: options.bindings === true && cfg.bindings !== undefined,
    bindings,
    bindingFailures,
    positions,
  };
}
