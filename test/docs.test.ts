import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every public export carries TSDoc with an @example (the project's docs rule).
describe('public API documentation', () => {
  it.each([
    'src/index.ts',
    'src/postgres/index.ts',
    'src/node/index.ts',
    'src/incident/index.ts',
    'adapters/express.ts',
    'adapters/fastify.ts',
    'adapters/next.ts',
    'adapters/fetch.ts',
    'adapters/drizzle.ts',
    'adapters/prisma.ts',
  ])('every export of %s has TSDoc with an @example', (file) => {
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const entry = program.getSourceFile(file);
    if (!entry) throw new Error(`${file} not found`);
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
