/**
 * The `purposeful` command: `check`, `map` and `diff` over a project's
 * declarations; `init` to start one, `keys generate` for a keyring. Exit codes: 0 clean, 1 problems found (or widening with
 * `--fail-on`), 2 usage or loading error.
 *
 * @module
 * @internal
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type DataMap, dataMap, diffDataMaps, isPurposefulError } from 'purposeful';
import { closest } from '../util/closest.js';
import { formatJson, formatMarkdown, formatPretty, formatSarif, runCheck } from './check.js';
import { paintFor } from './color.js';
import { diffJson, diffMarkdown, diffPretty, mapFileIfAny, readMapAtRef, readMapFile } from './diff.js';
import { FRAMEWORKS, writeInit } from './init.js';
import { generateKeyringText, writeSecretFile } from './keys.js';
import { loadProject, type Project, UsageError } from './load.js';
import { mapCsv, mapMarkdown } from './map-format.js';

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown; isTTY?: boolean };
}

const MAIN_HELP = `purposeful: check personal-data declarations, export the data map, diff what a change collects

Usage: purposeful <command> [options]

Commands:
  check   validate the declarations (codes, paths, articles, file:line)
  map     print the data map: what the declarations hold of the record of processing (LGPD Art. 37, GDPR Art. 30)
  diff    compare the declarations with a baseline map: what a change starts or stops doing
  init    start a project: purposeful.config.ts, declarations.ts and, with --framework, a route example
  keys    keys generate: a new keyring (JWK Set) for field encryption

Options for every command:
  --config <file>   the config file (default: purposeful.config.ts, .mts, .js, .mjs or .cjs here)
  --debug           print stack traces of loading errors
  -h, --help        help for a command: purposeful check --help
  -v, --version     the version

Exit codes: 0 clean, 1 problems found, 2 usage or loading error.
`;

const HELP: Record<string, string> = {
  check: `purposeful check: validate every declaration the config's modules export, and verify
the table bindings its "bindings" modules export

Usage: purposeful check [--format pretty|json|sarif|markdown] [--min-coverage N] [--strict] [--out FILE]

  --format <f>        pretty (default), json, sarif (SARIF 2.1.0 for code scanning), markdown
  --min-coverage <N>  fail when fewer than N% of schema fields are annotated (pd) or pd.none()
  --strict            warnings fail too
  --out <file>        write the report to a file instead of standard output

Examples:
  purposeful check
  purposeful check --strict --min-coverage 90
  purposeful check --format sarif --out purposeful.sarif
`,
  map: `purposeful map: the data map (RoPA) of the declarations

Usage: purposeful map [--format json|markdown|csv] [--out FILE] [--check]

  --format <f>   json (default: stable and sorted, meant to be committed), markdown, csv
  --out <file>   write to a file instead of standard output
  --check        do not write: exit 1 when the committed map (config "map", default
                 privacy-map.json) differs from the declarations

Examples:
  purposeful map --out privacy-map.json
  purposeful map --format markdown --out docs/data-map.md
  purposeful map --check
`,
  diff: `purposeful diff: what the current declarations change against a baseline map

Usage: purposeful diff [--baseline FILE | --base REF] [--format pretty|markdown|json] [--fail-on widening|any] [--out FILE]

  --baseline <file>  a data map file (default: the committed map, privacy-map.json)
  --base <ref>       the map committed at a git ref (read with git; that ref's code is not loaded)
  --format <f>       pretty (default), markdown (a pull-request comment), json
  --fail-on <what>   widening: exit 1 when processing widens, unless the committed map is
                     updated in the same change; any: exit 1 on any change
  --out <file>       write to a file instead of standard output

Examples:
  purposeful diff --base origin/main --format markdown --out diff.md
  purposeful diff --base origin/main --fail-on widening
  purposeful diff --baseline privacy-map.json
`,
  init: `purposeful init: start a project in this directory

Usage: purposeful init [--framework express|fastify|next]

Writes purposeful.config.ts and declarations.ts (one purpose, one schema with
pd() and pd.none(), the controller and its DPO, the access log's purpose on a
basis you can change), which pass \`purposeful check --strict\` as written.

  --framework <f>  also write purposeful-engine.ts (the engine and a route
                   declaration) and a route: server.ts (express, fastify) or
                   app/customers/[id]/route.ts (next)

Nothing is overwritten: when any of these files exists, nothing is written (exit 2).

Examples:
  purposeful init
  purposeful init --framework express && purposeful check --strict
`,
  keys: `purposeful keys generate: a new keyring for field encryption

Usage: purposeful keys generate [--out FILE] [--kid ID]

Prints a JWK Set with one random 256-bit primary key ("oct", key_ops
["wrapKey", "unwrapKey"]), the keyring createPurposeful({ keys }) takes through
keyringFromJwks(). Keep it in a secrets manager, never in the database it
protects or in the repository. Rotate with keyring.rotate() and
pf.rewrapDataKeys(), not by generating a new one: values sealed under a lost
keyring never decrypt again.

  --out <file>  write it to a new file with mode 0600 (owner read/write only);
                an existing file is refused, never overwritten
  --kid <id>    the key id (default k-YYYYMMDD-random)

Examples:
  purposeful keys generate --out keyring.json
  purposeful keys generate | aws secretsmanager create-secret --name purposeful-keyring --secret-string file:///dev/stdin
`,
};

function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = resolve(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'purposeful' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** `parseArgs`, an unknown flag answered with the closest known one (`--strcit`: did you mean `--strict`?). */
function parseFlags<T extends ParseArgsConfig & { options: Record<string, unknown> }>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw err;
    const given = /'(--?[^'=\s]*)/.exec((err as Error).message)?.[1];
    if (given === undefined) throw err;
    const known = [...Object.keys(config.options).map((o) => `--${o}`), '--help'];
    const near = given.startsWith('--') ? closest(given, known) : undefined;
    throw new UsageError(`Unknown option '${given}'${near ? `: did you mean ${near}?` : ''} (--help lists the options)`);
  }
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], option: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
}

function emit(io: CliIo, text: string, out: string | undefined): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, out), text);
  } catch (err) {
    throw new UsageError(`could not write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function currentMap(project: Project): DataMap {
  if (project.failures.length) {
    throw new UsageError(
      `the declarations have errors, so no map can be built: run \`purposeful check\` and fix them (${project.failures.length} failed definition(s))`,
    );
  }
  try {
    return dataMap({ schemas: project.schemas, purposes: project.registries });
  } catch (err) {
    if (isPurposefulError(err)) throw new UsageError(err.message);
    throw err;
  }
}

const mapJson = (map: DataMap) => `${JSON.stringify(map, null, 2)}\n`;

async function check(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      format: { type: 'string' },
      'min-coverage': { type: 'string' },
      strict: { type: 'boolean', default: false },
      out: { type: 'string' },
      config: { type: 'string' },
      debug: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const format = choice(values.format, ['pretty', 'json', 'sarif', 'markdown'] as const, 'format', 'pretty');
  let minCoverage: number | undefined;
  if (values['min-coverage'] !== undefined) {
    const raw = values['min-coverage'].replace(/%$/, '');
    minCoverage = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(minCoverage >= 0 && minCoverage <= 100))
      throw new UsageError('--min-coverage takes a percentage from 0 to 100, e.g. 90');
  }
  const project = await loadProject(io.cwd, values.config, { bindings: true });
  const result = runCheck(project, { cwd: io.cwd, minCoverage, strict: values.strict ?? false });
  const paint = paintFor(values.out === undefined ? io.stdout : {}, io.env);
  const text =
    format === 'json'
      ? formatJson(result)
      : format === 'sarif'
        ? formatSarif(result, version(), relative(io.cwd, project.configFile))
        : format === 'markdown'
          ? formatMarkdown(result)
          : formatPretty(result, paint);
  emit(io, text, values.out);
  return result.failed ? 1 : 0;
}

async function map(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      config: { type: 'string' },
      debug: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const format = choice(values.format, ['json', 'markdown', 'csv'] as const, 'format', 'json');
  const project = await loadProject(io.cwd, values.config);
  const m = currentMap(project);
  if (values.check) {
    const shown = relative(io.cwd, project.mapFile);
    const committed = existsSync(project.mapFile) ? readFileSync(project.mapFile, 'utf8') : undefined;
    if (committed === mapJson(m)) {
      io.stdout.write(`✔ ${shown} is up to date\n`);
      return 0;
    }
    io.stdout.write(
      committed === undefined
        ? `✖ ${shown} does not exist: run \`purposeful map --out ${shown}\` and commit it\n`
        : `✖ ${shown} is out of date with the declarations: run \`purposeful map --out ${shown}\` and commit it\n`,
    );
    return 1;
  }
  emit(io, format === 'markdown' ? mapMarkdown(m) : format === 'csv' ? mapCsv(m) : mapJson(m), values.out);
  return 0;
}

async function diff(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      baseline: { type: 'string' },
      base: { type: 'string' },
      format: { type: 'string' },
      'fail-on': { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      debug: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const format = choice(values.format, ['pretty', 'markdown', 'json'] as const, 'format', 'pretty');
  const failOn =
    values['fail-on'] === undefined ? undefined : choice(values['fail-on'], ['widening', 'any'] as const, 'fail-on', 'widening');
  if (values.baseline !== undefined && values.base !== undefined) throw new UsageError('pass --baseline or --base, not both');
  const project = await loadProject(io.cwd, values.config);
  const current = currentMap(project);
  const notes: string[] = [];
  let baseline: DataMap;
  let baseHadMap = true;
  if (values.base !== undefined) {
    const at = readMapAtRef(values.base, project.mapFile, project.root, io.cwd);
    baseline = at.map;
    baseHadMap = at.found;
    if (at.note) notes.push(at.note);
  } else {
    const file = values.baseline !== undefined ? resolve(io.cwd, values.baseline) : project.mapFile;
    const shown = relative(io.cwd, file);
    if (values.baseline === undefined && !existsSync(file)) {
      throw new UsageError(
        `no baseline: ${shown} does not exist. Create it with \`purposeful map --out ${shown}\` and commit it, or pass --baseline <file> or --base <ref>`,
      );
    }
    baseline = readMapFile(file, shown);
  }
  const changes = diffDataMaps(baseline, current);
  const widening = changes.some((c) => c.direction === 'widening');
  // against a ref, widening is acknowledged when the change also updates the map the ref had committed
  // (a map the ref did not have acknowledges nothing: pointing the config at a new file must not hide a widening)
  let acknowledged = false;
  const shownMap = relative(io.cwd, project.mapFile);
  if (values.base !== undefined && widening) {
    const committed = mapFileIfAny(project.mapFile);
    acknowledged = baseHadMap && committed !== undefined && diffDataMaps(committed, current).length === 0;
    if (acknowledged) notes.push(`${shownMap} is updated in this change: the widening is acknowledged.`);
    else if (failOn && baseHadMap) {
      notes.push(
        `${shownMap} is not updated in this change: run \`purposeful map --out ${shownMap}\` to acknowledge the widening.`,
      );
    } else if (failOn) {
      notes.push(
        `${values.base} has no ${shownMap} to update, so the widening cannot be acknowledged here: land the first map on its own.`,
      );
    }
  }
  const paint = paintFor(values.out === undefined ? io.stdout : {}, io.env);
  const text =
    format === 'markdown'
      ? diffMarkdown(changes, notes)
      : format === 'json'
        ? diffJson(changes, notes, acknowledged)
        : diffPretty(changes, paint, notes);
  emit(io, text, values.out);
  if (failOn === 'any' && changes.length > 0) return 1;
  if (failOn === 'widening' && widening && !acknowledged) return 1;
  return 0;
}

async function init(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags({
    args,
    options: { framework: { type: 'string' }, debug: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const framework = values.framework === undefined ? undefined : choice(values.framework, FRAMEWORKS, 'framework', 'express');
  const written = writeInit(io.cwd, framework);
  io.stdout.write(
    `${written.map((f) => `✔ wrote ${f}`).join('\n')}\nnext: edit declarations.ts (TODO), then run \`purposeful check --strict\`\n`,
  );
  return 0;
}

async function keys(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags({
    args,
    options: { out: { type: 'string' }, kid: { type: 'string' }, debug: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1 || positionals[0] !== 'generate') {
    throw new UsageError(`unknown keys command "${positionals.join(' ')}": use \`purposeful keys generate\``);
  }
  let text: string;
  try {
    text = generateKeyringText(values.kid);
  } catch (err) {
    if (isPurposefulError(err)) throw new UsageError(err.message);
    throw err;
  }
  if (values.out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  writeSecretFile(io.cwd, values.out, text);
  io.stderr.write(`✔ wrote ${values.out} (mode 0600): keep it out of the repository, in a secrets manager\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = { check, map, diff, init, keys };

/**
 * Runs the command line `argv` (without `node` and the script) and returns
 * the exit code. Never throws: errors are written to `io.stderr`.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  const debug = args.includes('--debug');
  const paint = paintFor(io.stderr, io.env);
  try {
    const command = args[0];
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      const topic = command === 'help' ? args[1] : undefined;
      io.stdout.write(topic && HELP[topic] ? HELP[topic] : MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    const run = COMMANDS[command];
    if (!run) {
      const near = closest(command, Object.keys(COMMANDS));
      throw new UsageError(
        `unknown command "${command}"${near ? `: did you mean ${near}?` : ''} Use check, map, diff, init or keys (purposeful --help)`,
      );
    }
    const rest = args.slice(1);
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout.write(HELP[command] as string);
      return 0;
    }
    return await run(rest, io);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS');
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${paint.red('purposeful:')} ${usage ? message : `unexpected error: ${message}`}\n`);
    if (debug) {
      const cause = (err as { cause?: unknown }).cause;
      const stack = (cause instanceof Error ? cause.stack : undefined) ?? (err instanceof Error ? err.stack : undefined);
      if (stack) io.stderr.write(`${stack}\n`);
    } else if (!usage) io.stderr.write('run again with --debug for the stack trace\n');
    return 2;
  }
}
