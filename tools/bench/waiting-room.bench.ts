/**
 * Measures the waiting room on one Redis: join operations per second through the real Lua script,
 * poll answers per second (ticket check + snapshot, no Redis), Redis memory per waiting person, and
 * `redis-benchmark` on the same server for scale. Not a test: numbers, not pass/fail.
 *
 *   node --import tsx tools/bench/waiting-room.bench.ts [people=1000000] [concurrency=256]
 *   REDIS_BENCH_URL=redis://127.0.0.1:6379 (default). Keys are deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { fixedClock } from '../../src/platform/clock.ts';
import { createMemoryCheckpoint } from '../../src/waiting-room/checkpoint.ts';
import { partitionKeys } from '../../src/waiting-room/keys.ts';
import { createRedisStore } from '../../src/waiting-room/redis-store.ts';
import { deletePrefix, uniquePrefix } from '../../test/support/redis.ts';
import { deriveKey } from '../../src/platform/signing.ts';
import { createWaitingRoomService } from '../../src/waiting-room/waiting-room.service.ts';

const url = process.env.REDIS_BENCH_URL ?? 'redis://127.0.0.1:6379';
const people = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 256);
const OPENS = 1_700_000_000_000;
const campaignId = 'bench';
const keyPrefix = uniquePrefix();
const raw = new Redis(url);
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);

const store = createRedisStore({ url, keyPrefix, redisOptions: { enableAutoPipelining: true } });
const clock = fixedClock(OPENS + 1);
const keys = {
  ticket: deriveKey('bench'.repeat(8), 'queue-ticket'),
  admission: deriveKey('bench'.repeat(8), 'admission'),
};
const service = createWaitingRoomService({ clock, store, checkpoint: createMemoryCheckpoint(), keys });

try {
  await service.openCampaign({ campaignId, opensAtMs: OPENS, partitions: 1 });
  const before = await usedMemory();
  const sampleTickets: string[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < people) {
        const i = next++;
        // A 43-char identity hash and a UUID-sized device id, as production sends them.
        const r = await service.joinQueue({
          campaignId,
          identityHash: `${String(i).padStart(12, '0')}${'h'.repeat(31)}`,
          deviceId: `device-${String(i).padStart(29, '0')}`,
        });
        if (!r.ok) throw new Error(r.reason);
        if (i % 1000 === 0) sampleTickets.push(r.value.ticket);
      }
    }),
  );
  const joinSec = (performance.now() - t0) / 1000;
  const after = await usedMemory();
  const peopleKey = partitionKeys(keyPrefix, { campaignId, partition: 0 }).people;
  const hashBytes = Number(await raw.call('MEMORY', 'USAGE', peopleKey, 'SAMPLES', '0'));

  await service.refreshSnapshot();
  const polls = 200_000;
  const t1 = performance.now();
  for (let k = 0; k < polls; k += 1) {
    const ticket = sampleTickets[k % sampleTickets.length]!;
    const i = (k % sampleTickets.length) * 1000;
    const r = await service.pollStatus({ campaignId, ticket, deviceId: `device-${String(i).padStart(29, '0')}` });
    if (!r.ok) throw new Error(r.reason);
  }
  const pollSec = (performance.now() - t1) / 1000;

  console.log(`people joined:            ${people.toLocaleString()} (concurrency ${concurrency})`);
  console.log(`join ops/s (one process): ${Math.round(people / joinSec).toLocaleString()}`);
  console.log(`poll answers/s (1 core):  ${Math.round(polls / pollSec).toLocaleString()} (no Redis calls)`);
  console.log(
    `redis used_memory delta:  ${((after - before) / 2 ** 20).toFixed(1)} MiB = ${Math.round((after - before) / people)} bytes/person`,
  );
  console.log(
    `people hash MEMORY USAGE: ${(hashBytes / 2 ** 20).toFixed(1)} MiB = ${Math.round(hashBytes / people)} bytes/person`,
  );
  // The baseline on the same server, on keys under this run's prefix (deleted below with the rest).
  const port = new URL(url).port || '6379';
  const baseline = (command: string[]) => {
    const rb = spawnSync(
      'redis-benchmark',
      ['-p', port, '-q', '-n', '200000', '-c', '50', '-r', '1000000', ...command],
      { encoding: 'utf8' },
    );
    const line = (rb.stdout ?? '').split(/[\r\n]+/).find((l) => l.includes('requests per second'));
    return line
      ? `  ${command[0]}: ${line.split(':').pop()!.trim()}`
      : `  ${command[0]}: ${rb.error?.message ?? rb.stderr}`;
  };
  const key = `wr:${keyPrefix}:rb:__rand_int__`;
  console.log(`redis-benchmark (same server, -c 50):\n${baseline(['GET', key])}\n${baseline(['INCR', key])}`);
} finally {
  await store.close();
  raw.disconnect();
  await deletePrefix(url, keyPrefix);
}
