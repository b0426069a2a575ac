import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What npm shows next to the package: where the source, the documentation and the issue tracker are.
describe('package.json metadata', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;

  it('names the repository, the homepage and the issue tracker', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/purposeful-dev/purposeful.git' });
    expect(pkg.homepage).toBe('https://github.com/purposeful-dev/purposeful#readme');
    expect(pkg.bugs).toEqual({ url: 'https://github.com/purposeful-dev/purposeful/issues' });
  });
});
