import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The import rules (.dependency-cruiser.cjs) run in CI as `npm run deps`. These tests keep them alive: the real
// tree passes, and a fixture with a cycle, an upward import and a Node builtin in the core fails on each.
const bin = resolve('node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = resolve('.dependency-cruiser.cjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** The violations found, and the exit status of the same run as `npm run deps` makes it (it fails on any). */
function cruise(cwd: string, paths: readonly string[]): { status: number | null; violations: readonly Violation[] } {
  const run = (...extra: string[]) =>
    spawnSync(process.execPath, [bin, ...paths, '--config', config, ...extra], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const result = JSON.parse(run('--output-type', 'json').stdout) as { summary: { violations: Violation[] } };
  return { status: run().status, violations: result.summary.violations };
}

describe('architecture: import rules', () => {
  it('src and adapters have no cycle, no upward import and no Node builtin in the core', () => {
    const { status, violations } = cruise(resolve('.'), ['src', 'adapters']);
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  }, 60_000);

  it('the rules fail on a cycle (type-only imports count), an upward import and a node: import in the core', () => {
    const { status, violations } = cruise(resolve('test/fixtures/deps'), ['src']);
    const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual([
      'layer-schema: src/schema/upward.ts -> src/engine.ts',
      'no-circular: src/minimize/a.ts -> src/minimize/b.ts',
      'no-node-builtins-in-core: src/util/disk.ts -> fs',
    ]);
    expect(status).not.toBe(0);
  }, 60_000);
});

// ARCHITECTURE.md is the map a contributor reads first. It stays true: every path it names exists, and its table of
// layers names the layers the import rules check, in their order.
describe('ARCHITECTURE.md', () => {
  const doc = readFileSync('ARCHITECTURE.md', 'utf8');
  /** Every `code span` of the document that reads as a path in the repository (a folder or a file). */
  const named = [...doc.matchAll(/`([^`\s]+)`/g)]
    .map((m) => (m[1] as string).replace(/[:#].*$/, '').replace(/\(\)$/, ''))
    .filter((p) => /^(src|adapters|test|docs|examples|\.ci)\//.test(p) || /^[\w.-]+\.(md|cjs|json|ts)$/.test(p));

  it('names paths, and every path it names exists', () => {
    expect(named.length).toBeGreaterThan(40);
    const missing = [...new Set(named)].filter((p) => !existsSync(p.replace(/\*.*$/, '')));
    expect(missing).toEqual([]);
  });

  it('lists the layers of .dependency-cruiser.cjs, lowest first', () => {
    const config = readFileSync('.dependency-cruiser.cjs', 'utf8');
    const table = /const LAYERS = \[([\s\S]*?)\n\];/.exec(config)?.[1] ?? '';
    const layers = [...table.matchAll(/name: '([^']+)'/g)].map((m) => m[1]);
    const rows = [...doc.matchAll(/^\|\s*\d+\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => m[1]);
    expect(layers.length).toBeGreaterThan(5);
    expect(rows).toEqual(layers);
  });
});
