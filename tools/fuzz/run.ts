/**
 * `npm run fuzz [-- --requests 100000 --seed 20211130 --concurrency 16 --database pglite|postgres]`: the long run of the
 * OpenAPI fuzzer against the real app on an embedded database (see openapi-fuzz.ts). Prints the
 * figures as JSON and exits non-zero on any 5xx, any error answer that is not a problem, or an
 * unhealthy server at the end.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from './openapi-fuzz.ts';
import { startFuzzWorld } from './fuzz-world.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20211130' },
    concurrency: { type: 'string', default: '16' },
    database: { type: 'string', default: 'pglite' },
  },
});
const requests = Number(values.requests);
const world = await startFuzzWorld({ database: values.database === 'postgres' ? 'postgres' : 'pglite' });
try {
  let shown = 0;
  const figures = await runFuzz({
    origin: world.origin,
    doc: world.doc,
    credentials: world.credentials,
    requests,
    seed: Number(values.seed),
    concurrency: Number(values.concurrency),
    onProgress: (sent) => {
      if (sent - shown >= 5_000) {
        shown = sent;
        process.stderr.write(`… ${sent} requests at ${new Date().toISOString()}\n`);
      }
    },
  });
  const summary = {
    ...figures,
    database: values.database,
    seed: Number(values.seed),
    concurrency: Number(values.concurrency),
    serverErrorCount: Object.entries(figures.statuses)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0),
    requestsPerSec: Math.round(figures.sent / (figures.durationMs / 1000)),
    rssMbAtEnd: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  console.log(JSON.stringify(summary, null, 2));
  process.exitCode =
    summary.serverErrorCount === 0 &&
    figures.notProblem.length === 0 &&
    figures.unanswered.length === 0 &&
    figures.healthyAfter
      ? 0
      : 1;
} finally {
  await world.close();
}
