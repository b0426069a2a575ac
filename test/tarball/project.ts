import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * What a new user's project sees: the commands of the first hour, run in a
 * temporary directory outside the repository, with an environment from which
 * the test runner's and the enclosing `npm run`'s variables are removed (an
 * inherited `npm_config_local_prefix` would install into the repository).
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|TINYPOOL|NODE_ENV$|NODE_OPTIONS$|INIT_CWD$|FORCE_COLOR$)/i.test(k)) continue;
    env[k] = v;
  }
  // the same npm cache as the enclosing run: packages already fetched are not fetched again
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line and its output, for an assertion's message. */
  readonly report: string;
}

/** Runs a command to its end (no shell), with the user's environment. */
export function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Ran {
  const r = spawnSync(command, args, { cwd, env: userEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const report = `$ ${[command, ...args].join(' ')}   (in ${cwd}, exit ${r.status})\n${r.stdout}\n${r.stderr}`;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

/** Like {@link run}, and throws with the command's output when it does not exit 0. */
export function must(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Ran {
  const r = run(command, args, cwd, env);
  if (r.status !== 0) throw new Error(`command failed:\n${r.report}`);
  return r;
}

/** The marker line the README's first-screen example follows. */
export const FIRST_SCREEN_MARKER = '<!-- first-screen -->';

export interface FirstScreen {
  /** The TypeScript of the ```ts block right after the marker. */
  readonly code: string;
  /** Its first line's number in the README (1-based). */
  readonly line: number;
  /** The README from the block's closing fence to the next heading: where a request to try it would be shown. */
  readonly after: string;
}

/**
 * The README's first-screen example: the ```ts (or ```typescript) code block
 * immediately after the line `<!-- first-screen -->` (blank lines between them
 * are allowed). Throws a message saying what is missing.
 */
export function firstScreen(readme: string): FirstScreen {
  const lines = readme.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === FIRST_SCREEN_MARKER);
  if (at === -1) {
    throw new Error(
      `README.md has no line "${FIRST_SCREEN_MARKER}": the first-screen example is the \`\`\`ts code block right after that line, ` +
        'and this test runs it as a user pastes it',
    );
  }
  let open = at + 1;
  while (open < lines.length && (lines[open] as string).trim() === '') open++;
  if (!/^```(ts|typescript)\s*$/.test((lines[open] ?? '').trim())) {
    throw new Error(
      `README.md line ${at + 1}: "${FIRST_SCREEN_MARKER}" must be followed by a \`\`\`ts code block (found: ${JSON.stringify(lines[open] ?? '(end of file)')})`,
    );
  }
  const close = lines.findIndex((l, i) => i > open && /^```\s*$/.test(l.trim()));
  if (close === -1) throw new Error(`README.md line ${open + 1}: the first-screen code block is never closed`);
  // the next heading outside a code block (a shell comment in one is no heading)
  let fenced = false;
  const heading = lines.findIndex((l, i) => {
    if (i <= close) return false;
    if (/^\s*```/.test(l)) fenced = !fenced;
    return !fenced && /^#{1,6}\s/.test(l);
  });
  return {
    code: `${lines.slice(open + 1, close).join('\n')}\n`,
    line: open + 2,
    after: lines.slice(close + 1, heading === -1 ? undefined : heading).join('\n'),
  };
}

/** One HTTP request, as the README shows it (a curl line) or as read from the example's route. */
export interface Probe {
  readonly method: string;
  /** Path and query, without the origin. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Where it came from, for messages. */
  readonly from: string;
  /** The JSON answer the README shows for it (a `# {…}` line right after the curl line), if any. */
  readonly shows?: unknown;
}

/** Splits a shell command line into words: single and double quotes, backslash escapes and continuations. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // '' is a word when quoted
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) word += line[++i] as string;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      const next = line[++i];
      if (next !== '\n' && next !== undefined) {
        word += next;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The request of a `curl …` command line (-X, -H, -d/--data/--data-raw/--json, the URL), or undefined. */
export function curlProbe(command: string): Probe | undefined {
  const words = shellWords(command.replace(/\\\r?\n/g, ' '));
  const start = words.indexOf('curl');
  if (start === -1) return undefined;
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = start + 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '|' || w === '&&' || w === ';') break;
    if (w === '-X' || w === '--request') method = words[++i];
    else if (w === '-H' || w === '--header') {
      const h = words[++i] ?? '';
      const colon = h.indexOf(':');
      if (colon > 0) headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (w === '-d' || w === '--data' || w === '--data-raw' || w === '--data-binary') body = words[++i];
    else if (w === '--json') {
      body = words[++i];
      headers['content-type'] ??= 'application/json';
      headers.accept ??= 'application/json';
    } else if (/^(-m|--max-time|-o|--output|-w|--write-out|-u|--user)$/.test(w)) i++;
    else if (/^https?:\/\//.test(w)) url = w;
  }
  if (url === undefined) return undefined;
  const u = new URL(url);
  if (body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded'; // what curl -d sends
  return {
    method: (method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase(),
    path: `${u.pathname}${u.search}`,
    headers,
    ...(body === undefined ? {} : { body }),
    from: `README: ${command.trim()}`,
  };
}

/**
 * The request to make to the running example: the first `curl` line in the
 * README between the example and the next heading; failing that, a GET of the
 * example's first Express `get` route without parameters.
 */
export function probeFor(shot: FirstScreen): Probe {
  const lines = shot.after.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const [i, l] of lines.entries()) {
    const probe = /\bcurl\s/.test(l) ? curlProbe(l.replace(/^\s*\$\s*/, '')) : undefined;
    if (!probe) continue;
    const shown = /^\s*#\s*([[{].*)$/.exec(lines[i + 1] ?? '')?.[1];
    if (shown === undefined) return probe;
    try {
      return { ...probe, shows: JSON.parse(shown) };
    } catch {
      throw new Error(`README.md: the answer shown after "${l.trim()}" is not JSON: ${shown}`);
    }
  }
  const route = /\.get\(\s*(['"`])(\/[^'"`:]*)\1/.exec(shot.code);
  if (route) return { method: 'GET', path: route[2] as string, headers: {}, from: `example: app.get('${route[2]}')` };
  throw new Error(
    'the first-screen example shows no request to try it: put a `curl http://localhost:3000/…` line right after the code ' +
      'block (before the next heading), or give the example a GET route without parameters',
  );
}

/**
 * The config file the README has the user write next to the example (a line
 * `echo "<text>" > purposeful.config.ts`), or undefined when it shows none.
 */
export function readmeConfig(shot: FirstScreen): { file: string; text: string } | undefined {
  for (const l of shot.after.split(/\r?\n/)) {
    const words = shellWords(l.replace(/^\s*\$\s*/, ''));
    const to = words.indexOf('>');
    const file = words[to + 1];
    if (words[0] === 'echo' && to > 1 && file !== undefined && /^purposeful\.config\.[cm]?[jt]s$/.test(file)) {
      return { file, text: `${words.slice(1, to).join(' ')}\n` };
    }
  }
  return undefined;
}

/** A TCP port free on 127.0.0.1 when asked. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A long-running child (a server), with its output kept for messages. */
export interface Started {
  readonly output: () => string;
  readonly exited: () => number | null | undefined;
  stop(): Promise<void>;
}

export function start(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Started {
  const child = spawn(command, args, { cwd, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let code: number | null | undefined;
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exit = new Promise<void>((done) =>
    child.on('exit', (c, signal) => {
      code = c ?? (signal ? -1 : null);
      done();
    }),
  );
  return {
    output: () => output,
    exited: () => code,
    async stop() {
      if (code === undefined) child.kill('SIGTERM');
      await exit;
    },
  };
}

/**
 * Sends `probe` to 127.0.0.1:`port` until the server answers (it is still
 * starting while the connection is refused), or the server exits, or
 * `attempts` tries 250 ms apart have been refused.
 */
export async function request(port: number, probe: Probe, server: Started, attempts = 120): Promise<Response> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (server.exited() !== undefined) {
      throw new Error(`the example exited (code ${server.exited()}) before answering:\n${server.output()}`);
    }
    try {
      return await fetch(`http://127.0.0.1:${port}${probe.path}`, {
        method: probe.method,
        headers: probe.headers,
        ...(probe.body === undefined ? {} : { body: probe.body }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `the example never answered on process.env.PORT (${port}): ${String((last as Error)?.cause ?? last)}\n${server.output()}`,
  );
}

/** The packages npm warned EBADENGINE about (`name@version`), read from an install's output. */
export function badEngines(output: string): string[] {
  const found = new Set<string>();
  for (const m of output.matchAll(/EBADENGINE\s+package:\s*'([^']+)'/g)) found.add(m[1] as string);
  // a line npm prints in another shape still counts: never silently pass
  if (found.size === 0 && /EBADENGINE/.test(output)) found.add('(unparsed EBADENGINE warning)');
  return [...found];
}

interface LsNode {
  version?: string;
  dependencies?: Record<string, LsNode>;
}

/**
 * Every `name@version` installed under package `root` of an `npm ls --all --json` tree, `root` included; packages
 * not installed (an optional peer left out) are not, and neither are the subtrees of the direct children named in
 * `skip` (the optional peers an application chooses, such as its framework).
 */
export function treeOf(ls: LsNode, root: string, skip: ReadonlySet<string> = new Set()): Set<string> {
  const out = new Set<string>();
  const walk = (name: string, node: LsNode, depth: number): void => {
    const id = `${name}@${node.version}`;
    if (node.version === undefined || out.has(id) || (depth === 1 && skip.has(name))) return;
    out.add(id);
    for (const [n, child] of Object.entries(node.dependencies ?? {})) walk(n, child, depth + 1);
  };
  const top = ls.dependencies?.[root];
  if (top) walk(root, top, 0);
  return out;
}
