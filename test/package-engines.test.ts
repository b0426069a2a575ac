import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// An install on the lowest Node version package.json declares must not print EBADENGINE:
// no dependency an application receives with the package may ask for a later one.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};
const json = (file: string) => JSON.parse(readFileSync(resolve(file), 'utf8'));

describe('engines', () => {
  it('every production dependency, direct or not, admits the lowest Node version package.json declares', () => {
    const ours = json('package.json') as { engines: { node: string }; dependencies: Record<string, string> };
    const minimum = semver.minVersion(ours.engines.node)?.version as string;
    expect(minimum).toMatch(/^\d+\.\d+\.\d+$/);
    // what an application installing the package gets: the lockfile's non-dev entries, read as installed
    const lock = json('package-lock.json') as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const installed = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional)
      .map(([path]) => path);
    for (const name of Object.keys(ours.dependencies)) expect(installed).toContain(`node_modules/${name}`);
    const refused: string[] = [];
    for (const path of installed) {
      const range = (json(`${path}/package.json`) as { engines?: { node?: string } }).engines?.node;
      if (range !== undefined && !semver.satisfies(minimum, range)) refused.push(`${path} (engines.node ${range})`);
    }
    expect(refused).toEqual([]);
  });

  it('the check can fail: a range above the minimum is refused', () => {
    expect(semver.satisfies('20.19.0', '>=22')).toBe(false);
    expect(semver.satisfies('20.19.0', '>=18')).toBe(true);
  });
});
