import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every public export carries TSDoc with an @example (the project's docs rule).
describe('public API documentation', () => {
  it('every export of the core entry has TSDoc with an @example', () => {
    const program = ts.createProgram(['src/index.ts'], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const entry = program.getSourceFile('src/index.ts');
    if (!entry) throw new Error('src/index.ts not found');
    const moduleSymbol = checker.getSymbolAtLocation(entry);
    if (!moduleSymbol) throw new Error('no module symbol');
    const missing: string[] = [];
    for (const exp of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const tags = symbol.getJsDocTags(checker);
      const internal = tags.some((t) => t.name === 'internal');
      if (internal) continue;
      if (!tags.some((t) => t.name === 'example')) missing.push(exp.getName());
    }
    expect(missing.sort()).toEqual([]);
  });
});
