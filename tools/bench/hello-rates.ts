/**
 * Node CPU µs per answer of the Fastify hello-world at paced rates (wrk's paced Lua, 64 connections)
 * and closed loop, in rounds that alternate the order: whether an answer costs more when answers are
 * fewer (each reply's writev then wakes a reader that went to sleep), which bears on ratios of CPU
 * per answer taken at different rates (a join at ~9,000/s against a hello-world at ~50,000/s).
 *
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx tools/bench/hello-rates.ts [--rates 3000,9000,0] [--rounds 3] [--seconds 3]
 */
import { parseArgs } from 'node:util';
import { createCleanup } from './cleanup.ts';
import { startHello } from './front-door.ts';
import { runWrk } from './wrk.ts';

async function main() {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '3000,9000,0' },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '3' },
    },
  });
  const rates = values.rates.split(',').map(Number);
  const cleanup = createCleanup({ budgetMs: 60_000, log: (l) => process.stderr.write(`${l}\n`) });
  try {
    const hello = await startHello(cleanup);
    for (let round = 0; round < Number(values.rounds); round++) {
      const order = round % 2 === 0 ? rates : [...rates].reverse();
      for (const rate of order) {
        const row = await runWrk(
          {
            name: 'hello',
            url: hello.url,
            connections: 64,
            durationSec: Number(values.seconds),
            ratePerSec: rate,
            cpu: { node: () => [hello.pid] },
          },
          cleanup.signal,
        );
        const label = rate > 0 ? `paced ${rate}/s` : 'closed loop';
        console.log(
          `round ${round + 1}: ${label.padEnd(14)} ${Math.round(row.answersPerSec).toString().padStart(6)}/s  ${(row.cpuUsPerAnswer.node ?? 0).toFixed(1)} µs/answer`,
        );
      }
    }
  } finally {
    await cleanup.runAll();
  }
}

await main();
