import { readdirSync, readFileSync } from 'node:fs';
import {
  Application,
  type DeclarationReflection,
  type ProjectReflection,
  ReflectionKind,
  TSConfigReader,
  TypeDocReader,
} from 'typedoc';
import { beforeAll, describe, expect, it } from 'vitest';

// The API reference as typedoc builds it from typedoc.json (what `npm run docs` renders):
// modules named by import path, every export in a category, the guides as pages, no warnings.
// Type errors are the typecheck's business, so they are not checked here.
describe('API reference (typedoc)', () => {
  let app: Application;
  let project: ProjectReflection | undefined;
  let modules: DeclarationReflection[] = [];

  beforeAll(async () => {
    app = await Application.bootstrapWithPlugins({ skipErrorChecking: true }, [new TypeDocReader(), new TSConfigReader()]);
    project = await app.convert();
    if (project) app.validate(project);
    modules = (project?.children ?? []).filter((c) => c.kindOf(ReflectionKind.Module));
  }, 120_000);

  it('converts without warnings', () => {
    expect(project).toBeDefined();
    expect(app.logger.errorCount).toBe(0);
    expect(app.logger.warningCount).toBe(0);
  });

  it('names each module by the path it is imported from', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };
    const importPaths = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'purposeful' : `purposeful/${k.slice(2)}`));
    expect(modules.map((m) => m.name).sort()).toEqual(importPaths.sort());
  });

  it('puts every export of every module in a category of its own (`@category`)', () => {
    const defaultCategory = app.options.getValue('defaultCategory');
    const uncategorized: string[] = [];
    for (const m of modules) {
      const categorized = new Set<DeclarationReflection>();
      for (const c of m.categories ?? []) {
        if (c.title !== defaultCategory) for (const child of c.children) categorized.add(child as DeclarationReflection);
      }
      for (const child of m.children ?? []) if (!categorized.has(child)) uncategorized.push(`${m.name}: ${child.name}`);
    }
    expect(modules.length).toBeGreaterThan(0);
    expect(uncategorized).toEqual([]);
  });

  it('includes the README and every guide in docs/ as pages', () => {
    expect(project?.readme?.length).toBeGreaterThan(0);
    const guides = readdirSync('docs').filter((f) => f.endsWith('.md'));
    expect(guides.length).toBeGreaterThan(0);
    expect(project?.documents?.length).toBe(guides.length);
  });
});
