/**
 * The dependency rules `npm run lint` enforces (../shared/STYLE.md, "Boundaries"). Each rule says
 * why it exists; a violation fails `npm test`.
 */
const CAPABILITY =
  '^src/(agents|audit|booking|campaigns|capacity|eligibility|facilities|identity|operator|people|waiting-room|web)/';
// A capability's storage, HTTP layer and wiring are its own: other capabilities use its services
// and pure modules. Only the composition root (src/app) and the demo seeding (src/synthetic) reach them.
const PRIVATE_ROLES = '(\\.repository|\\.routes|\\.store|-store|\\.wiring|-wiring)\\.ts$|/scripts/';
const TEST_FILE = '\\.test\\.ts$';
// What does I/O: an HTTP framework, a Redis client, an SQL builder or driver, a logger, metrics.
const IO_LIBRARIES = 'node_modules/(fastify|@fastify/|ioredis|kysely|pg/|pg-pool|@electric-sql/|pino|prom-client)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle means two modules cannot be understood (or tested) one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test-or-tools',
      severity: 'error',
      comment: 'The service never depends on test support or on tools (simulator, benchmarks); tests in src may.',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { path: '^(test|tools|scripts)/' },
    },
    {
      name: 'services-receive-ports',
      severity: 'error',
      comment: 'Services hold domain rules and receive ports: no HTTP framework, Redis client or SQL builder in them.',
      from: { path: '\\.service\\.ts$' },
      to: { path: `${IO_LIBRARIES}|^src/platform/(db|database|redis)\\.ts$` },
    },
    {
      name: 'pure-domain-modules',
      severity: 'error',
      comment: 'Eligibility rules and the booking rules are pure: clock and data come in as arguments.',
      from: {
        path: '^src/eligibility/(eligibility|rules|openings|rules-checks)\\.ts$|^src/booking/booking-rules\\.ts$',
      },
      to: { path: `${IO_LIBRARIES}|^src/platform/(db|database|redis|config|logger|metrics)\\.ts$` },
    },
    {
      name: 'capabilities-through-public-modules',
      severity: 'error',
      comment: 'Repositories, routes, stores and wiring are private to their capability.',
      from: { path: CAPABILITY, pathNot: TEST_FILE },
      to: { path: PRIVATE_ROLES, pathNot: '^src/$1/' },
    },
    {
      name: 'platform-knows-no-capability',
      severity: 'error',
      comment:
        'The platform serves every capability and depends on none, except the table types the database interface lists.',
      from: { path: '^src/platform/', pathNot: `${TEST_FILE}|^src/platform/database\\.ts$` },
      to: { path: CAPABILITY },
    },
    {
      name: 'web-only-types-from-server',
      severity: 'error',
      comment: 'The browser bundle takes only schema types from the server, never server code.',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '\\.schemas\\.ts$|^src/facilities/regions\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|artifacts|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
