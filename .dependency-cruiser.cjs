/**
 * The layer rules of lotledger (docs/architecture.md), checked by `npm run deps` in `npm test`;
 * test/unit/layers.test.ts shows that each rule fails on a deliberate violation.
 * functions/ (handlers) -> lib/domain (pure) <- lib/{store,notify,exports} (adapters); cli/ speaks HTTP only;
 * infra/ (CDK) describes resources, infra/local wires the local stack.
 * Type-only imports count: a port typed against an SDK type couples the domain to the SDK all the same.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const AWS =
  '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@aws-crypto|aws-cdk-lib|@types/aws-lambda)/|^(@aws-sdk|@smithy|@aws-lambda-powertools|@aws-crypto)/|^(aws-cdk-lib|aws-lambda)(/|$)';

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-no-aws',
      comment: 'lib/domain is pure: it owns ports, and the AWS SDK, Powertools and CDK stay in the adapters, handlers and infra.',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { path: AWS },
    },
    {
      name: 'domain-imports-no-outer-layer',
      comment: 'lib/domain imports only lib/domain (and plain npm packages): never adapters, HTTP plumbing, handlers, infra or the CLI.',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { path: '^(lib/(store|notify|exports|http)|functions|infra|cli|bench|bin)/' },
    },
    {
      name: 'adapters-import-no-handlers',
      comment: 'lib/store, lib/notify and lib/exports implement domain ports; handlers, infra and the CLI build on them, not the reverse.',
      severity: 'error',
      from: { path: '^lib/(store|notify|exports)/' },
      to: { path: '^(functions|infra|cli)/' },
    },
    {
      name: 'cli-speaks-http-only',
      comment: 'The CLI talks to the API over HTTP: it may share domain types, never adapters, HTTP plumbing, handlers or infra.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(lib/(store|notify|exports|http)|functions|infra)/' },
    },
    {
      name: 'infra-imports-no-adapters',
      comment: 'The CDK stack describes resources; the table schema it needs is lib/table-schema.ts. Only infra/local runs adapters.',
      severity: 'error',
      from: { path: '^infra/', pathNot: '^infra/local/' },
      to: { path: '^lib/(store|notify|exports)/' },
    },
    {
      name: 'table-schema-is-a-leaf',
      comment: 'lib/table-schema.ts is shared by infra and lib/store, so it depends on nothing.',
      severity: 'error',
      from: { path: '^lib/table-schema\\.ts$' },
      to: {},
    },
    {
      name: 'nothing-imports-tests',
      comment: 'Test support and fixtures are for tests (and the benchmarks, which reuse the fault simulator) only.',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
    {
      name: 'console-speaks-http-only',
      comment:
        'The web console (web/src) talks to the API over HTTP: it may bundle pure domain code (GS1 parsing) and read domain types, never adapters, HTTP plumbing, handlers, infra, the CLI or tests.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(lib/(store|notify|exports|http)|functions|infra|cli|bench|bin|test)/|^lib/config\\.ts$' },
    },
    {
      name: 'nothing-imports-the-console',
      comment: 'The console is a leaf: the API, CLI and infra never import it (the local server serves its built files).',
      severity: 'error',
      from: { pathNot: '^(web|test)/' },
      to: { path: '^web/src/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere: split the shared piece into a module both sides import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // node_modules is not excluded: that would drop the very imports domain-imports-no-aws looks for.
    exclude: { path: '(^|/)(cdk\\.out|\\.lotledger|coverage)/' },
    tsPreCompilationDeps: true,
  },
};
