/**
 * The import rules of src/ and adapters/, checked by `npm run deps` (in CI).
 *
 * - No cycles, type-only imports included: a type import still makes one module
 *   read in terms of the other, even though the compiler erases it.
 * - Layers, lowest first. A module may import its own layer and the layers
 *   below it, never one above.
 * - `node:` builtins (and bare ones such as `fs`) only in src/cli, src/postgres,
 *   src/node and the Node-only adapter internals; the core reaches Node through
 *   `process.getBuiltinModule` (src/util/node-builtin.ts).
 */

/** One path expression per layer, lowest first. */
const LAYERS = [
  // errors and helpers every layer may use
  { name: 'base', path: '^src/(errors\\.ts|util/)' },
  { name: 'taxonomy', path: '^src/taxonomy/' },
  // value transforms that know no schema: PII detection and redaction, masks,
  // anonymization and pseudonyms (schema annotations name them)
  {
    name: 'values',
    path: '^src/(detect/(checksums|context|detect|redact|types)|minimize/(anonymize|masks|name-words|pseudonymize))\\.ts$',
  },
  { name: 'schema', path: '^src/schema/' },
  { name: 'minimize, crypto, consent, detect', path: '^src/(minimize|crypto|consent|detect)/' },
  { name: 'audit', path: '^src/audit/' },
  // the rights desk is assembled by the engine: below it
  { name: 'rights', path: '^src/rights/' },
  { name: 'engine', path: '^src/engine(/|[^/]*\\.ts$)' },
  { name: 'http', path: '^src/http/' },
  // the public entry every other entry imports by name ('purposeful')
  { name: 'index', path: '^src/index\\.ts$' },
  { name: 'incident, adapters', path: '^(src/incident/|adapters/)' },
  { name: 'cli, postgres, node', path: '^src/(cli|postgres|node)/' },
];

/** A file's layer is the first (lowest) expression it matches. */
const inLayer = (i) => ({
  path: LAYERS[i].path,
  pathNot: LAYERS.slice(0, i).map((l) => l.path),
});

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name.replace(/[^a-z]+/g, '-')}`,
  comment: `${layer.name} imports a higher layer (${LAYERS.slice(i + 1)
    .map((l) => l.name)
    .join(' / ')}): move the shared part down`,
  severity: 'error',
  from: inLayer(i),
  to: { path: LAYERS.slice(i + 1).map((l) => l.path), pathNot: LAYERS.slice(0, i + 1).map((l) => l.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: move the shared types or constants into the lower module or a small module of their own',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'in-a-layer',
      comment: 'a file of src/ or adapters/ outside every layer: add its folder to LAYERS',
      severity: 'error',
      from: { path: '^(src|adapters)/', pathNot: LAYERS.map((l) => l.path) },
      to: {},
    },
    {
      name: 'no-node-builtins-in-core',
      comment: 'only src/cli, src/postgres, src/node and adapters/node-internals.ts import Node builtins',
      severity: 'error',
      from: { pathNot: '^(src/(cli|postgres|node)/|adapters/node-internals\\.ts$)' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'edge-adapters-stay-portable',
      comment: 'the fetch and Next.js adapters run on Edge runtimes: they do not reach the Node adapter internals',
      severity: 'error',
      from: { path: '^adapters/(fetch|next)\\.ts$' },
      to: { path: '^adapters/node-internals\\.ts$', reachable: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // type-only imports count (see above)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
