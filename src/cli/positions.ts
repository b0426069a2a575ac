/**
 * Source positions for the CLI's reports. A declaration's place is captured
 * from a stack frame when it is defined (`file:line:column`), and a stack
 * frame gives the position in the code that ran. jiti transpiles TypeScript
 * (and ESM that Node would not load natively), so that code is not the
 * source: lines are kept, columns are not. This module takes each
 * transpiled module's code as jiti evaluated it, maps a position back
 * through its inline source map, and then settles it on the start of the
 * call in the source. Modules Node loaded natively need no map, only the
 * settling. A purpose problem is moved from the `definePurposes(` call to
 * its purpose's own key in the object literal.
 *
 * Lines and columns are 1-based; columns count UTF-16 code units, as V8,
 * source maps and SARIF's `utf16CodeUnits` column kind do.
 *
 * @module
 * @internal
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/** A place in a source file, 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * What jiti puts before a module's code on its first line when it evaluates
 * it (jiti 2's CommonJS-style wrapper): a position on generated line 1 is
 * shifted by its length.
 */
export function jitiWrapperPrefix(async: boolean): string {
  return `(${async ? 'async ' : ''}function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { `;
}

// (jiti's file cache appends its own comment on the same line, after the map)
const INLINE_MAP_RE = /\/\/# sourceMappingURL=data:application\/json(?:;charset=[^;,]+)?;base64,([A-Za-z0-9+/=]+)/g;

/** Line terminators as ECMAScript (V8, Babel) counts them. */
const LINE_BREAK_RE = /\r\n|[\n\r\u2028\u2029]/g;

class SourceText {
  readonly text: string;
  readonly #starts: number[] = [0];

  constructor(raw: string) {
    this.text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    for (const m of this.text.matchAll(LINE_BREAK_RE)) this.#starts.push((m.index as number) + m[0].length);
  }

  /** The offset of a 1-based line and column, or `undefined` outside the text. */
  offset(line: number, column: number): number | undefined {
    const start = this.#starts[line - 1];
    if (start === undefined || column < 1) return undefined;
    const end = this.#starts[line] ?? this.text.length;
    const at = start + column - 1;
    return at <= end ? at : undefined;
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#starts[lo] as number) + 1 };
  }
}

const isIdent = (c: string | undefined) => c !== undefined && /[\p{ID_Continue}$\u200c\u200d]/u.test(c);

function skipSpaceBack(s: string, i: number): number {
  while (i >= 0 && /\s/.test(s[i] as string)) i--;
  return i;
}

function identStart(s: string, end: number): number {
  let i = end;
  while (i > 0 && isIdent(s[i - 1])) i--;
  return i;
}

/**
 * The start of the call expression whose callee or argument list is at
 * `offset`: `pd` for `pd(`, `pd.none(` and `pd<T>(`, `pf` for `pf.pd(`. A
 * callee that is not a dotted name (`(await import(…)).definePurposes(`)
 * settles on the called name. `undefined` when `offset` is not at a call.
 */
export function callStart(s: string, offset: number): number | undefined {
  let i = offset;
  let start: number;
  if (isIdent(s[i])) {
    start = identStart(s, i);
    if (/[0-9]/.test(s[start] as string)) return undefined; // a number, not a name
  } else if (s[i] === '(') {
    let j = skipSpaceBack(s, i - 1);
    if (s[j] === '.' && s[j - 1] === '?') j = skipSpaceBack(s, j - 2); // f?.(
    if (s[j] === '>' && s[j - 1] !== '=') {
      // type arguments, f<T, U<V>>(: back to the matching '<' ('=>' inside is an arrow, not a bracket)
      let depth = 0;
      for (; j >= 0; j--) {
        if (s[j] === '>' && s[j - 1] !== '=') depth++;
        else if (s[j] === '<' && --depth === 0) break;
      }
      j = skipSpaceBack(s, j - 1);
    }
    if (!isIdent(s[j])) return undefined;
    start = identStart(s, j);
  } else {
    return undefined;
  }
  // a dotted name: pd.none, purposeful.pd, a?.b
  for (;;) {
    i = skipSpaceBack(s, start - 1);
    if (s[i] !== '.' || s[i - 1] === '.') break;
    i = s[i - 1] === '?' ? i - 2 : i - 1;
    i = skipSpaceBack(s, i);
    if (!isIdent(s[i])) break;
    start = identStart(s, i);
  }
  return start;
}

/** Skips white space and comments forward. */
function skipTrivia(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (s.startsWith('//', i)) {
      while (i < s.length && !/[\n\r\u2028\u2029]/.test(s[i] as string)) i++;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
    } else return i;
  }
}

/** Past a string literal that opens at `i` (quote `'` or `"`). */
function skipString(s: string, i: number): number {
  const q = s[i];
  for (i++; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === q) return i + 1;
  }
  return i;
}

/** Past a template literal that opens at `i`, substitutions included. */
function skipTemplate(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '`') return i + 1;
    else if (s[i] === '$' && s[i + 1] === '{') i = skipBalanced(s, i + 1) - 1;
  }
  return i;
}

/** Past a regular expression literal that opens at `i`. */
function skipRegex(s: string, i: number): number {
  let inClass = false;
  for (i++; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    else if (c === '\n' || c === '\r') return i;
  }
  i++;
  while (isIdent(s[i])) i++;
  return i;
}

const REGEX_AFTER = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

/**
 * Scans JavaScript or TypeScript from `i`, skipping strings, templates,
 * comments and regular expressions, until one of `stops` at bracket depth 0.
 * Returns its offset (or the text's end).
 */
function scanTo(s: string, i: number, stops: string): number {
  let depth = 0;
  let prev = '(';
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '/' && (s[i + 1] === '/' || s[i + 1] === '*')) {
      i = skipTrivia(s, i);
      continue;
    }
    if (depth === 0 && stops.includes(c)) return i;
    if (c === "'" || c === '"') i = skipString(s, i);
    else if (c === '`') i = skipTemplate(s, i);
    else if (
      c === '/' &&
      (REGEX_AFTER.has(prev) ||
        /\b(?:return|typeof|case|do|else|in|of|void|yield|await)\s*$/.test(s.slice(Math.max(0, i - 12), i)))
    )
      i = skipRegex(s, i);
    else {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      if (depth < 0) return i;
      i++;
    }
    if (!/\s/.test(c)) prev = c;
  }
  return i;
}

/** Past the balanced bracket that opens at `i`. */
function skipBalanced(s: string, i: number): number {
  const end = scanTo(s, i + 1, '');
  return end + 1;
}

/**
 * The offsets of the top-level keys of the object literal passed as the
 * first argument of the call that starts at `callOffset` (identifier and
 * string keys; spread and computed ones are skipped).
 */
export function firstArgumentKeys(s: string, callOffset: number): Map<string, number> {
  const keys = new Map<string, number>();
  // the callee: a dotted name, then type arguments
  let i = callOffset;
  for (;;) {
    while (isIdent(s[i])) i++;
    i = skipTrivia(s, i);
    if (s[i] === '?' && s[i + 1] === '.') i = skipTrivia(s, i + 2);
    else if (s[i] === '.') i = skipTrivia(s, i + 1);
    else break;
  }
  if (s[i] === '<') {
    let depth = 0;
    for (; i < s.length; i++) {
      if (s[i] === '<') depth++;
      else if (s[i] === '>' && s[i - 1] !== '=' && --depth === 0) break;
    }
    i = skipTrivia(s, i + 1);
  }
  if (s[i] !== '(') return keys;
  i = skipTrivia(s, i + 1);
  if (s[i] !== '{') return keys;
  i++;
  for (;;) {
    i = skipTrivia(s, i);
    if (i >= s.length || s[i] === '}') return keys;
    const at = i;
    let key: string | undefined;
    if (s[i] === "'" || s[i] === '"') {
      const end = skipString(s, i);
      const raw = s.slice(i + 1, end - 1);
      if (!raw.includes('\\')) key = raw;
      i = end;
    } else if (isIdent(s[i]) && !s.startsWith('...', i)) {
      const start = i;
      while (isIdent(s[i])) i++;
      key = s.slice(start, i);
    }
    if (key !== undefined && s[skipTrivia(s, i)] === ':' && !keys.has(key)) keys.set(key, at);
    i = scanTo(s, i, ',}');
    if (s[i] === ',') i++;
  }
}

/**
 * Where field `path` (dotted keys: `address.note`) is written in the source of
 * a `defineSchema(id, z.object({ … }))` call at `callOffset`: the offset of its
 * key in the object literal given as the second argument, following nested
 * `z.object({ … })` literals for the inner keys. The deepest key found, or
 * `undefined` when the shape is not written there as a literal.
 */
export function schemaFieldKey(s: string, callOffset: number, path: string): number | undefined {
  // the callee (a dotted name, type arguments), then past the first argument
  let i = callOffset;
  while (isIdent(s[i]) || s[i] === '.' || s[i] === '?') i++;
  i = skipTrivia(s, i);
  if (s[i] === '<') i = skipTrivia(s, scanTo(s, i + 1, '>') + 1);
  if (s[i] !== '(') return undefined;
  i = scanTo(s, skipTrivia(s, i + 1), ',');
  if (s[i] !== ',') return undefined;
  let at = skipTrivia(s, i + 1);
  let found: number | undefined;
  for (const key of path.split('.')) {
    if (!/^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(key)) break; // arrays, records, quoted keys: stop here
    const keyAt = firstArgumentKeys(s, at).get(key);
    if (keyAt === undefined) break;
    found = keyAt;
    const colon = scanTo(s, keyAt, ':');
    if (s[colon] !== ':') break;
    at = skipTrivia(s, colon + 1);
  }
  return found;
}

/**
 * Maps the positions stack frames gave (in the code that ran) to the source
 * files, for the modules of one project.
 */
export class SourcePositions {
  readonly #transpiled = new Map<string, { code: string; async: boolean }>();
  readonly #maps = new Map<string, SourceMap | null>();
  readonly #texts = new Map<string, SourceText | null>();

  /** Records the code jiti evaluates for `file` (with its inline source map). */
  recordTranspiled(file: string, code: string, async: boolean): void {
    this.#transpiled.set(file, { code, async });
    this.#maps.delete(file);
  }

  #text(file: string): SourceText | undefined {
    let t = this.#texts.get(file);
    if (t === undefined) {
      try {
        t = new SourceText(readFileSync(file, 'utf8'));
      } catch {
        t = null;
      }
      this.#texts.set(file, t);
    }
    return t ?? undefined;
  }

  #map(file: string): SourceMap | undefined {
    let m = this.#maps.get(file);
    if (m === undefined) {
      m = null;
      const code = this.#transpiled.get(file)?.code;
      const b64 = code === undefined ? undefined : [...code.matchAll(INLINE_MAP_RE)].at(-1)?.[1];
      if (b64) {
        try {
          m = new SourceMap(JSON.parse(Buffer.from(b64, 'base64').toString('utf8')));
        } catch {
          m = null;
        }
      }
      this.#maps.set(file, m);
    }
    return m ?? undefined;
  }

  /**
   * The source position of a call a stack frame pointed at
   * (`file:line:column` in the code that ran): where the call starts in the
   * source. Falls back to the frame's own line and column when the source
   * cannot be read.
   */
  call(declaredAt: string): SourcePosition | undefined {
    const m = /^(.*):(\d+):(\d+)$/.exec(declaredAt);
    if (!m) return undefined;
    const file = m[1] as string;
    let line = Number(m[2]);
    let column = Number(m[3]);
    const ran = this.#transpiled.get(file);
    if (ran) {
      const map = this.#map(file);
      if (map) {
        const genColumn = line === 1 ? column - jitiWrapperPrefix(ran.async).length : column;
        const entry = map.findEntry(line - 1, genColumn - 1) as {
          generatedLine?: number;
          originalLine?: number;
          originalColumn?: number;
        };
        // the nearest mapping at or before the position, on the frame's own line (Babel keeps the lines)
        if (entry.generatedLine === line - 1 && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
          line = entry.originalLine + 1;
          column = entry.originalColumn + 1;
        }
      }
    }
    const text = this.#text(file);
    const at = text?.offset(line, column);
    if (text && at !== undefined) {
      const start = callStart(text.text, at);
      if (start !== undefined) return { file, ...text.position(start) };
    }
    return { file, line, column };
  }

  /**
   * Where field `path` of the schema defined at `declaredAt` is written: its
   * key in the `z.object({ … })` literal of the `defineSchema(` call, or the
   * call itself when the shape is not written there.
   */
  schemaField(declaredAt: string, path: string): SourcePosition | undefined {
    const call = this.call(declaredAt);
    if (!call) return undefined;
    const text = this.#text(call.file);
    const at = text?.offset(call.line, call.column);
    if (!text || at === undefined) return call;
    const key = schemaFieldKey(text.text, at, path);
    return key === undefined ? call : { file: call.file, ...text.position(key) };
  }

  /**
   * Where purpose `id` is declared: its key in the object literal given to
   * the `definePurposes(` call at `declaredAt`, or the call itself when the
   * declarations are not written there as a literal.
   */
  purposeKey(declaredAt: string, id: string): SourcePosition | undefined {
    const call = this.call(declaredAt);
    if (!call) return undefined;
    const text = this.#text(call.file);
    const at = text?.offset(call.line, call.column);
    if (!text || at === undefined) return call;
    const key = firstArgumentKeys(text.text, at).get(id);
    return key === undefined ? call : { file: call.file, ...text.position(key) };
  }
}
