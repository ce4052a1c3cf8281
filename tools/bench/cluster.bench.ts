/**
 * Waiting-room throughput per shard and per process, on one Redis and on a real 3-master Redis
 * Cluster started here (ports 7000-7005, stopped at the end), with `redis-benchmark` on the same
 * servers in the same run as the baseline. Not a test: it prints numbers and ratios.
 *
 *   node --import tsx tools/bench/cluster.bench.ts [people=200000] [partitions=12] [concurrency=256]
 *
 * Join: the real service (ticket signing, partition hash, the join.lua script over ioredis with
 * auto-pipelining), `people` distinct identities per configuration. Besides wall-clock rates it
 * reports CPU cost, which is what extrapolates on a shared 2-core machine: Redis CPU seconds per
 * master (INFO cpu) and this Node process's CPU (process.cpuUsage) per join. Poll: pollStatus on
 * tickets of joined people, answered from the snapshot (no Redis), one process.
 * Keys are deleted afterwards; the single Redis is REDIS_BENCH_URL (default redis://127.0.0.1:6379).
 */
import { spawnSync } from 'node:child_process';
import { Redis, type Cluster } from 'ioredis';
import { fixedClock } from '../../src/platform/clock.ts';
import { createMemoryCheckpoint } from '../../src/waiting-room/checkpoint.ts';
import { partitionKeys, prefixPattern } from '../../src/waiting-room/keys.ts';
import { partitionOf } from '../../src/waiting-room/partition.ts';
import {
  deleteOnEveryMaster,
  startRedisCluster,
  CLUSTER_HOST,
  type LocalRedisCluster,
} from '../local-cluster/redis-cluster.ts';
import { createRedisStore } from '../../src/waiting-room/redis-store.ts';
import { deletePrefix, uniquePrefix } from '../../test/support/redis.ts';
import { deriveKey } from '../../src/platform/signing.ts';
import { createWaitingRoomService } from '../../src/waiting-room/waiting-room.service.ts';

const people = Number(process.argv[2] ?? 200_000);
const partitions = Number(process.argv[3] ?? 12);
const concurrency = Number(process.argv[4] ?? 256);
const singleUrl = process.env.REDIS_BENCH_URL ?? 'redis://127.0.0.1:6379';
const OPENS = 1_700_000_000_000;
const campaignId = 'bench';
const secret = 'cluster-bench-secret'.repeat(3);
const keys = { ticket: deriveKey(secret, 'queue-ticket'), admission: deriveKey(secret, 'admission') };
const identityOf = (i: number) => `${String(i).padStart(12, '0')}${'h'.repeat(31)}`; // 43 chars, as production
const deviceOf = (i: number) => `device-${String(i).padStart(29, '0')}`;

interface Shard {
  readonly port: number;
  readonly raw: Redis;
}
interface ShardUse {
  port: number;
  joins: number;
  cpuSec: number;
  memBytes: number;
}
interface JoinResult {
  label: string;
  joinsPerSec: number;
  nodeCpuUsPerJoin: number;
  shards: ShardUse[];
  pollsPerSec: number;
  nodeCpuUsPerPoll: number;
}

async function info(r: Redis, field: string): Promise<number> {
  const section = field.startsWith('used_cpu') ? 'cpu' : 'memory';
  return Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(await r.info(section))?.[1] ?? NaN);
}
const redisCpu = async (r: Redis) => (await info(r, 'used_cpu_user')) + (await info(r, 'used_cpu_sys'));

/** Joins `people` through the service on `client`, then polls; measures CPU on Node and on each shard. */
async function runJoins(
  label: string,
  client: Redis | Cluster,
  keyPrefix: string,
  parts: number,
  shards: Shard[],
  shardOf: (p: number) => number,
): Promise<JoinResult> {
  const store = createRedisStore({ client, keyPrefix });
  const service = createWaitingRoomService({
    clock: fixedClock(OPENS + 1),
    store,
    checkpoint: createMemoryCheckpoint(),
    keys,
  });
  try {
    await service.openCampaign({ campaignId, opensAtMs: OPENS, partitions: parts });
    const joinsByPort = new Map(shards.map((s) => [s.port, 0]));
    const before = await Promise.all(
      shards.map(async (s) => ({ cpu: await redisCpu(s.raw), mem: await info(s.raw, 'used_memory') })),
    );
    const tickets: { ticket: string; i: number }[] = [];
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < people) {
          const i = next++;
          const r = await service.joinQueue({ campaignId, identityHash: identityOf(i), deviceId: deviceOf(i) });
          if (!r.ok) throw new Error(`join ${i}: ${r.reason}`);
          if (i % 100 === 0) tickets.push({ ticket: r.value.ticket, i });
        }
      }),
    );
    const joinSec = (performance.now() - t0) / 1000;
    const cpu1 = process.cpuUsage(cpu0);
    for (let i = 0; i < people; i += 1) {
      const port = shardOf(partitionOf(identityOf(i), parts));
      joinsByPort.set(port, joinsByPort.get(port)! + 1);
    }
    const after = await Promise.all(
      shards.map(async (s) => ({ cpu: await redisCpu(s.raw), mem: await info(s.raw, 'used_memory') })),
    );
    const poll = await runPolls(service, tickets);
    return {
      label,
      joinsPerSec: people / joinSec,
      nodeCpuUsPerJoin: (cpu1.user + cpu1.system) / people,
      ...poll,
      shards: shards.map((s, k) => ({
        port: s.port,
        joins: joinsByPort.get(s.port)!,
        cpuSec: after[k]!.cpu - before[k]!.cpu,
        memBytes: after[k]!.mem - before[k]!.mem,
      })),
    };
  } finally {
    await store.close();
  }
}

async function runPolls(
  service: ReturnType<typeof createWaitingRoomService>,
  tickets: { ticket: string; i: number }[],
) {
  await service.refreshSnapshot();
  const polls = 100_000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < polls; k += 1) {
    const { ticket, i } = tickets[k % tickets.length]!;
    const r = await service.pollStatus({ campaignId, ticket, deviceId: deviceOf(i) });
    if (!r.ok || r.value.status.kind !== 'waiting') throw new Error(`poll: ${r.ok ? r.value.status.kind : r.reason}`);
  }
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { pollsPerSec: polls / sec, nodeCpuUsPerPoll: (cpu.user + cpu.system) / polls };
}

/** requests/s of one command under `redis-benchmark -q` (bounded: -n requests, 60 s timeout). */
function redisBenchmark(args: string[]): number {
  const r = spawnSync('redis-benchmark', ['-q', '-n', '200000', '-c', '50', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const m = /([\d.]+) requests per second/.exec((r.stdout ?? '').split(/\r/).pop() ?? '');
  if (!m || /ERR|MOVED/.test(r.stdout + r.stderr))
    throw new Error(`redis-benchmark ${args.join(' ')}: ${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
  return Number(m[1]);
}

/** A hash tag whose slot the master on `port` serves, so redis-benchmark's keys are not MOVED. */
async function tagOn(cluster: LocalRedisCluster, port: number): Promise<string> {
  for (let k = 0; k < 1000; k += 1) if ((await cluster.masterOf(`{b${k}}`)) === port) return `{b${k}}`;
  throw new Error(`no tag found for ${port}`);
}

/**
 * GET, INCR, and the queue-like EVAL from scale-arithmetic.md (INCR a counter and HSET a random
 * field, one slot), each on keys under `tag` so a cluster node serves them itself.
 */
async function baselines(shard: Shard, tag: string) {
  const p = ['-p', String(shard.port)];
  const get = redisBenchmark([...p, 'GET', `${tag}:k`]);
  const incr = redisBenchmark([...p, 'INCR', `${tag}:k`]);
  const cpu0 = await redisCpu(shard.raw);
  const evalPerSec = redisBenchmark([
    ...p,
    '-r',
    '1000000',
    'EVAL',
    "redis.call('INCR', KEYS[1]); return redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])",
    '2',
    `${tag}:n`,
    `${tag}:h`,
    '__rand_int__',
    '1',
  ]);
  const evalCpuSec = (await redisCpu(shard.raw)) - cpu0;
  await shard.raw.del(`${tag}:k`, `${tag}:n`, `${tag}:h`);
  // 200,000 EVALs over the Redis CPU they took: the server's own ceiling, whatever the client could send.
  return { get, incr, eval: evalPerSec, evalPerCoreSec: 200_000 / evalCpuSec };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function printJoin(r: JoinResult, base: JoinResult) {
  console.log(`\n${r.label}`);
  console.log(
    `  join ops/s (1 Node process, wall):   ${fmt(r.joinsPerSec)}  (${ratio(r.joinsPerSec, base.joinsPerSec)} the one-Redis P=1 run)`,
  );
  console.log(
    `  Node CPU per join:                   ${r.nodeCpuUsPerJoin.toFixed(1)} µs  → ${fmt(1e6 / r.nodeCpuUsPerJoin)} joins per Node core-second`,
  );
  for (const s of r.shards) {
    console.log(
      `  shard :${s.port}  joins ${fmt(s.joins).padStart(8)} (${((100 * s.joins) / people).toFixed(0)} %)  Redis CPU ${s.cpuSec.toFixed(2)} s` +
        `  → ${fmt(s.joins / s.cpuSec)} joins per Redis core-second;  memory +${(s.memBytes / 2 ** 20).toFixed(1)} MiB = ${Math.round(s.memBytes / Math.max(1, s.joins))} B/person`,
    );
  }
  console.log(
    `  poll answers/s (1 process, no Redis): ${fmt(r.pollsPerSec)}  Node CPU ${r.nodeCpuUsPerPoll.toFixed(1)} µs/poll → ${fmt(1e6 / r.nodeCpuUsPerPoll)} per core-second`,
  );
}

async function main() {
  const single = new Redis(singleUrl);
  const cluster = await startRedisCluster();
  const shards: Shard[] = [];
  try {
    const masters = [...(await cluster.masters()).keys()].sort();
    shards.push(...masters.map((port) => ({ port, raw: new Redis(port, CLUSTER_HOST) })));
    const singlePort = Number(new URL(singleUrl).port || 6379);
    const singleShard = [{ port: singlePort, raw: single }];
    console.log(
      `waiting-room cluster bench: ${fmt(people)} joins per run, concurrency ${concurrency}, ${partitions} partitions; ${new Date().toISOString()}`,
    );

    const onSingle = async (label: string, parts: number) => {
      const prefix = uniquePrefix();
      try {
        return await runJoins(
          label,
          new Redis(singleUrl, { enableAutoPipelining: true }),
          prefix,
          parts,
          singleShard,
          () => singlePort,
        );
      } finally {
        await deletePrefix(singleUrl, prefix);
      }
    };
    const oneP1 = await onSingle('one Redis, P=1 partition', 1);
    const onePn = await onSingle(`one Redis, P=${partitions} partitions`, partitions);
    const prefix = uniquePrefix();
    const masterOfPartition: number[] = [];
    for (let p = 0; p < partitions; p += 1)
      masterOfPartition.push(await cluster.masterOf(partitionKeys(prefix, { campaignId, partition: p }).meta));
    const onCluster = await runJoins(
      `3-master Redis Cluster, P=${partitions} partitions`,
      cluster.client({ enableAutoPipelining: true }),
      prefix,
      partitions,
      shards,
      (p) => masterOfPartition[p]!,
    );
    await deleteOnEveryMaster(cluster, prefixPattern(prefix));
    for (const r of [oneP1, onePn, onCluster]) printJoin(r, oneP1);
    const perMaster = masters.map((m) => `:${m} ${masterOfPartition.filter((x) => x === m).length}`).join(', ');
    console.log(
      `  partitions per master: ${perMaster}${partitions <= 16 ? `  (${masterOfPartition.map((port, p) => `${p}→${port}`).join(' ')})` : ''}`,
    );

    console.log('\nbaseline: redis-benchmark -q -n 200000 -c 50, same run, same servers');
    const line = (b: Awaited<ReturnType<typeof baselines>>) =>
      `GET ${fmt(b.get)}  INCR ${fmt(b.incr)}  EVAL(INCR+HSET) ${fmt(b.eval)} = ${fmt(b.evalPerCoreSec)} per Redis core-second`;
    const b1 = await baselines(singleShard[0]!, `{b${prefix}}`);
    console.log(`  one Redis :${singlePort}        ${line(b1)}`);
    const bs: Awaited<ReturnType<typeof baselines>>[] = [];
    for (const s of shards) {
      const b = await baselines(s, await tagOn(cluster, s.port));
      bs.push(b);
      console.log(`  cluster master :${s.port}  ${line(b)}`);
    }
    const agg = redisBenchmark([
      '--cluster',
      '-p',
      String(masters[0]),
      '-r',
      '1000000',
      'INCR',
      'k:{tag}:__rand_int__',
    ]);
    console.log(`  whole cluster (--cluster INCR on random keys, 3 masters at once on this machine): ${fmt(agg)}`);

    const perShard = onCluster.shards.map((s) => s.joins / s.cpuSec);
    const redisCpuSec = onCluster.shards.reduce((n, s) => n + s.cpuSec, 0);
    console.log('\nratios');
    console.log(
      `  cluster / one Redis, join ops/s (wall, one Node process):      ${ratio(onCluster.joinsPerSec, oneP1.joinsPerSec)}`,
    );
    console.log(
      `  one Redis join ops/s / redis-benchmark EVAL on it:              ${ratio(oneP1.joinsPerSec, b1.eval)}`,
    );
    console.log(
      `  cluster join ops/s / redis-benchmark EVAL on one master:        ${ratio(onCluster.joinsPerSec, bs[0]!.eval)}`,
    );
    console.log(
      `  one Redis, joins per Redis core-s / EVAL per Redis core-s:     ${ratio(oneP1.shards[0]!.joins / oneP1.shards[0]!.cpuSec, b1.evalPerCoreSec)}`,
    );
    console.log(
      `  cluster shards, joins per Redis core-s / EVAL per core-s:     ${onCluster.shards.map((sh, k) => ratio(perShard[k]!, bs[k]!.evalPerCoreSec)).join('  ')}`,
    );
    const busiest = Math.max(...onCluster.shards.map((sh) => sh.joins)) / people;
    console.log(`  busiest shard's share of joins (1/3 would be even):           ${(100 * busiest).toFixed(0)} %`);
    console.log(
      `  Node CPU / Redis CPU for the same joins (cluster run):          ${ratio((onCluster.nodeCpuUsPerJoin * people) / 1e6, redisCpuSec)}`,
    );
  } finally {
    for (const s of shards) s.raw.disconnect();
    single.disconnect();
    await cluster.stop();
  }
}

await main();
