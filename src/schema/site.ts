/**
 * Where a declaration was made (`file:line:column`), read from a stack trace
 * once at definition time. Runtimes without stack traces yield `undefined`.
 *
 * @module
 * @internal
 */

const FRAME_RE = /((?:file:\/\/)?\/?[^\s()@]+):(\d+):(\d+)\)?\s*$/;

function locationOf(frame: string): { file: string; line: string; col: string } | undefined {
  const m = FRAME_RE.exec(frame);
  if (!m) return undefined;
  return { file: m[1] as string, line: m[2] as string, col: m[3] as string };
}

function packageRoot(file: string): string {
  for (const marker of ['/src/', '/dist/']) {
    const i = file.lastIndexOf(marker);
    if (i >= 0) return file.slice(0, i + marker.length);
  }
  return file;
}

/** The first stack frame outside this package, as `file:line:column` (a `file://` URL is turned into a path). */
export function callSite(): string | undefined {
  const stack = new Error().stack;
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n');
  let own: string | undefined;
  for (const frame of frames) {
    const loc = locationOf(frame);
    if (!loc) continue;
    if (own === undefined) {
      own = packageRoot(loc.file);
      continue;
    }
    if (loc.file.startsWith(own) || loc.file.startsWith('node:') || loc.file.includes('/node_modules/zod/')) continue;
    const file = loc.file.startsWith('file://') ? decodeURIComponent(loc.file.slice(7)) : loc.file;
    return `${file}:${loc.line}:${loc.col}`;
  }
  return undefined;
}
