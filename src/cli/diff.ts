/**
 * `purposeful diff`: reading the baseline map (a file, or the map committed
 * at a git ref, read with git without loading that ref's code) and showing
 * the changes as a reviewer reads them.
 *
 * @module
 * @internal
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { DATA_MAP_FORMAT, type DataMap, type MapChange, parseDataMap } from 'purposeful';
import type { Paint } from './color.js';
import { UsageError } from './load.js';

export const EMPTY_MAP: DataMap = Object.freeze({ format: DATA_MAP_FORMAT, purposes: [], schemas: [] });

export function readMapFile(file: string, shown: string): DataMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`could not read the baseline ${shown}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return parseMapText(text, shown);
}

function parseMapText(text: string, shown: string): DataMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`the baseline ${shown} is not valid JSON: regenerate it with \`purposeful map --out ${shown}\``);
  }
  try {
    return parseDataMap(json);
  } catch (err) {
    throw new UsageError(`the baseline ${shown} is ${(err as Error).message}`);
  }
}

/**
 * The map as committed at `ref`, through `git show ref:path` run in the
 * project's root. A ref without the file gives the empty map (every field is
 * new), `found: false` and a note; a bad ref or a directory outside git is a
 * usage error.
 */
export function readMapAtRef(
  ref: string,
  mapFile: string,
  root: string,
  cwd: string,
): { map: DataMap; found: boolean; note?: string } {
  if (!/^[A-Za-z0-9_./@^~{}-]+$/.test(ref) || ref.startsWith('-')) throw new UsageError(`not a git ref: ${ref}`);
  const inRoot = relative(root, mapFile).split(sep).join('/');
  if (inRoot.startsWith('../'))
    throw new UsageError(`the map ${mapFile} is outside the project (${root}): --base reads it from git there`);
  const shown = relative(cwd, mapFile) || inRoot;
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new UsageError('git is not installed: --base needs git (or pass --baseline <file>)');
    const why = (e.stderr ?? '').toString().trim().split('\n')[0];
    throw new UsageError(
      `git does not know the ref ${ref}${why ? ` (${why})` : ''}: fetch it first (e.g. git fetch origin main)`,
    );
  }
  let text: string;
  try {
    text = git(['show', `${ref}:./${inRoot}`]);
  } catch {
    return {
      map: EMPTY_MAP,
      found: false,
      note: `${shown} does not exist at ${ref}: every declaration counts as new. Commit it with \`purposeful map --out ${shown}\`.`,
    };
  }
  return { map: parseMapText(text, `${shown} at ${ref}`), found: true };
}

export function mapFileIfAny(file: string): DataMap | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseDataMap(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

const GROUPS = [
  ['widening', 'Widens processing (review needed)'],
  ['changed', 'Other changes'],
  ['narrowing', 'Narrows processing (good news)'],
] as const;

export function diffPretty(changes: readonly MapChange[], paint: Paint, notes: readonly string[]): string {
  const lines: string[] = [...notes.map((n) => paint.dim(n)), ...(notes.length ? [''] : [])];
  if (changes.length === 0) lines.push(paint.green('✔ no change to personal data processing'));
  for (const [direction, title] of GROUPS) {
    const group = changes.filter((c) => c.direction === direction);
    if (group.length === 0) continue;
    const color = direction === 'widening' ? paint.yellow : direction === 'narrowing' ? paint.green : (s: string) => s;
    lines.push(paint.bold(color(`${title}: ${group.length}`)));
    for (const c of group)
      lines.push(`  ${color(direction === 'widening' ? '+' : direction === 'narrowing' ? '-' : '~')} ${c.message}`);
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

export function diffMarkdown(changes: readonly MapChange[], notes: readonly string[]): string {
  const widening = changes.filter((c) => c.direction === 'widening').length;
  const lines = ['### Personal data: what this change does', ''];
  for (const n of notes) lines.push(`> ${n}`, '');
  if (changes.length === 0) lines.push('No change to the personal data the code collects or how it is used.');
  else {
    lines.push(
      widening
        ? `**${widening} change(s) widen processing.** A reviewer should confirm each is needed for its purpose (LGPD Art. 6 III, GDPR Art. 5(1)(c)) and that the notice and the data map still hold.`
        : 'This change only narrows or adjusts processing.',
      '',
    );
  }
  for (const [direction, title] of GROUPS) {
    const group = changes.filter((c) => c.direction === direction);
    if (group.length === 0) continue;
    lines.push(`#### ${direction === 'widening' ? '⚠️' : direction === 'narrowing' ? '✅' : 'ℹ️'} ${title}`, '');
    for (const c of group) lines.push(`- ${c.message.replace(/\|/g, '\\|')}`);
    lines.push('');
  }
  lines.push('<sub>Generated by <code>purposeful diff</code>.</sub>');
  return `${lines.join('\n')}\n`;
}

export function diffJson(changes: readonly MapChange[], notes: readonly string[], acknowledged: boolean): string {
  const count = (d: string) => changes.filter((c) => c.direction === d).length;
  return `${JSON.stringify(
    {
      widening: count('widening'),
      narrowing: count('narrowing'),
      changed: count('changed'),
      acknowledged,
      notes,
      changes,
    },
    null,
    2,
  )}\n`;
}
