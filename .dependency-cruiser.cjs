/**
 * The house's boundaries, checked in CI (`npm run deps`). docs/architecture.md explains each layer:
 *
 *   domain, shared  ←  infra  ←  modules (core)  ←  modules/<m>/routes  →  http, web
 *                                      ↑                                     web → modules: types only
 *   demo, dev: only the entry points (main.ts, cli.ts, app.ts for dev routes) and each other import them.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import loop, even through types: a loop means two files are one capability, or a shared tool lives in a feature.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Pure rules import nothing of the application but shared tools (no database, no HTTP, no clock).',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: ['^src/domain/', '^src/shared/'] },
    },
    {
      name: 'shared-is-pure',
      severity: 'error',
      comment: 'Shared tools import nothing of the application but the domain rules they format.',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: ['^src/shared/', '^src/domain/'] },
    },
    {
      name: 'infra-knows-no-feature',
      severity: 'error',
      comment: 'Infrastructure (config, database, mail, clock, crypto) serves the modules and does not know them.',
      from: { path: '^src/infra/' },
      to: { path: '^src/(modules|http|web|demo|dev)/' },
    },
    {
      name: 'modules-speak-no-http',
      severity: 'error',
      comment: 'Use cases, repositories and contracts never import the HTTP layer or the pages: only a module’s routes/ do.',
      from: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/routes/' },
      to: { path: '^src/(http|web)/' },
    },
    {
      name: 'http-knows-no-module',
      severity: 'error',
      comment: 'The HTTP layer gets the modules from the composition root (app.ts); it may name their types only.',
      from: { path: '^src/http/' },
      to: { path: '^src/modules/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-renders-view-types',
      severity: 'error',
      comment: 'Pages render the view types that modules export; they call no use case and read no database.',
      from: { path: '^src/web/' },
      to: { path: '^src/(modules|infra|http)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-client-stays-small',
      severity: 'error',
      comment: 'The browser script imports only pure rules and shared tools (it is bundled for the browser).',
      from: { path: '^src/web/client/' },
      to: { path: '^src/', pathNot: ['^src/web/client/', '^src/domain/', '^src/shared/'] },
    },
    {
      name: 'demo-apart',
      severity: 'error',
      comment: 'Production code imports nothing from the demo data set or the development tools.',
      from: { path: '^src/', pathNot: ['^src/(demo|dev)/', '^src/(main|cli|app)\\.ts$', '\\.test\\.tsx?$'] },
      to: { path: '^src/(demo|dev)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A file nobody imports is dead code (entry points, tests and type declarations aside).',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '\\.test\\.tsx?$', '^src/(main|cli)\\.ts$', '^src/web/client/'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.tsx?$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
