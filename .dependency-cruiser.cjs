// The dependency-graph check (scripts/dependency-graph.test.ts in `npm test`; `npm run depgraph`). Workspace packages are resolved
// through their node_modules links without following them (preserveSymlinks), so an import of
// `@omnifuse/x` is classified against the importing package's own package.json (npm, npm-dev,
// npm-peer, npm-no-pkg) and each package's graph ends at its neighbours' entries. Import loops
// between packages are nx's to refuse (`build` depends on `^build`); loops inside one are found here.

/** Test-only code: tests, the conformance kits' `/testing` entries, fixtures, the internal test utils. */
const TEST_CODE = [
  '\\.test\\.ts$',
  '/test-[a-z-]+\\.ts$',
  '/src/testing/',
  '/src/fixtures/',
  '/test/',
  '^packages/test-utils/',
  'node_modules/@omnifuse/test-utils/',
  'node_modules/@omnifuse/[^/]+/src/testing/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import loop inside a package.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment:
        'A package imports only what its own package.json declares (a hoisted copy is luck, not a dependency).',
      from: { path: '^(packages|apps)/' },
      // An optional peer is reported as both npm-peer and npm-no-pkg: declared is declared.
      to: {
        dependencyTypes: ['npm-no-pkg', 'npm-unknown'],
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-peer', 'npm-optional'],
        // The private test utilities are the root's devDependency, for every package's tests; core cannot
        // declare them (they depend on core). Test-only code is kept out of published code below.
        pathNot: 'node_modules/@omnifuse/test-utils/',
      },
    },
    {
      name: 'main-code-not-to-dev-dependencies',
      severity: 'error',
      comment:
        'Published code imports dependencies or peers, never a devDependency (users do not get those).',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['npm', 'npm-peer', 'npm-optional'] },
    },
    {
      name: 'main-code-not-to-test-code',
      severity: 'error',
      comment:
        'Test-only code (tests, /testing entries, fixtures, test-utils) is not reachable from a main entry.',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'no-plugin-package-imports',
      severity: 'error',
      comment:
        'Published code knows plugins through the spec: no package imports a modality, fusion or data package from its main code (the CLI and serve load them by name at run time). A package that must gets its own rule here, saying why.',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_CODE },
      to: { path: 'node_modules/@omnifuse/(modality-[^/]+|fusion-[^/]+|data)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The pack fixtures are files of a project outside the repository (see the release rehearsal).
    exclude: { path: ['/dist/', '\\.generated\\.ts$', '^packages/core/test/fixtures/pack/'] },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    preserveSymlinks: true,
    enhancedResolveOptions: {
      conditionNames: ['@omnifuse/source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.node'],
    },
  },
};
