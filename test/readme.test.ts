import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/errors.js';

// The README is what npm shows and what a user starts from; the guides in docs/ hold the reference. These checks keep
// links working, the README short and free of paths the published package does not contain.

const REPO_URL = 'https://github.com/purposeful-dev/purposeful';
const README = 'README.md';
const guides = readdirSync('docs')
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const pages = [README, ...guides];
const read = (file: string): string => readFileSync(file, 'utf8');

/** The text outside fenced code blocks (links and headings in code are not links and headings). */
function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** Every inline link target `[text](target)` outside code, without its optional title. */
function links(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = (m[1] as string)
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Where a link points inside the repository (a file and an anchor), or undefined for another site or a mail. */
function target(from: string, link: string): { file: string; anchor: string | undefined } | undefined {
  const [path = '', anchor] = link.split('#', 2) as [string, string | undefined];
  if (link.startsWith(`${REPO_URL}/`)) {
    const m = /^https:\/\/github\.com\/purposeful-dev\/purposeful\/(?:blob|tree)\/main\/([^#?]+)/.exec(link);
    return m ? { file: normalize(decodeURIComponent(m[1] as string)), anchor } : undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return undefined;
  if (path === '') return { file: from, anchor };
  return { file: normalize(join(dirname(from), decodeURIComponent(path))), anchor };
}

describe('README.md and docs/', () => {
  it.each(pages)('every relative link and repository URL in %s points at a file that exists, and at a heading in it', (page) => {
    const broken: string[] = [];
    for (const link of links(read(page))) {
      if (link.startsWith(REPO_URL) && !/\/(blob|tree)\/main\//.test(link) && link !== REPO_URL) {
        broken.push(`${link} (a repository link goes through /blob/main/ or /tree/main/)`);
        continue;
      }
      const t = target(page, link);
      if (!t) continue;
      if (t.file.startsWith('..')) {
        broken.push(`${link} (outside the repository)`);
        continue;
      }
      if (!existsSync(t.file)) {
        broken.push(`${link} (no file ${t.file})`);
        continue;
      }
      if (t.anchor !== undefined && t.file.endsWith('.md') && statSync(t.file).isFile()) {
        if (!anchors(read(t.file)).has(t.anchor)) broken.push(`${link} (no heading #${t.anchor} in ${t.file})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README stays a start: under 300 lines', () => {
    expect(read(README).split('\n').length).toBeLessThan(300);
  });

  it('every guide in docs/ is linked from the README', () => {
    const linked = new Set(
      links(read(README))
        .map((l) => target(README, l)?.file)
        .filter(Boolean),
    );
    expect(guides.filter((g) => !relative('docs', g).startsWith('_') && !linked.has(normalize(g)))).toEqual([]);
  });

  it.each(pages)('%s mentions no ../shared path', (page) => {
    expect(read(page)).not.toMatch(/\.\.\/shared/);
  });

  it('the README names no src/, test/, examples/ or adapters/ path outside repository URLs, and no development history', () => {
    const text = read(README).replaceAll(new RegExp(`${REPO_URL.replace(/[.]/g, '\\.')}/[^\\s)>\`'"]*`, 'g'), '');
    const paths = [...text.matchAll(/(?<![\w.-])(?:\.\/)?(?:src|test|examples|adapters)\/[\w./[\]-]*/g)].map((m) => m[0]);
    expect(paths).toEqual([]);
    expect(text).not.toMatch(/^Status:/m);
    expect(text).not.toMatch(/\bcomes with\b/i);
  });

  it('the commands the README gives to set up and test the repository are the ones CI runs', () => {
    const readme = read(README);
    const section = readme.slice(readme.indexOf('## Working on purposeful'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'a ```sh block under "## Working on purposeful"').toBeDefined();
    const commands = (block as string)
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter(Boolean)
      .flatMap((l) => l.split('&&').map((c) => c.trim()));
    expect(commands).toContain('npm ci');
    expect(commands).toContain('npm test');
    const ci = read('.ci/run')
      .split('\n')
      .map((l) => l.trim());
    expect(commands.filter((c) => !ci.some((l) => l === c || l.startsWith(`${c} `)))).toEqual([]);
  });

  it('docs/errors.md lists every error code', () => {
    const errors = read('docs/errors.md');
    expect(Object.keys(ERROR_STATUS).filter((code) => !errors.includes(`\`${code}\``))).toEqual([]);
  });
});
