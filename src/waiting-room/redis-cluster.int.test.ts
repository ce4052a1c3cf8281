/**
 * The waiting room on a real 3-master Redis Cluster (ports 7000-7005, started here and stopped
 * after): the store contract over an ioredis Cluster client, a campaign's partitions spread over
 * every master, and the service giving the same answers, step for step, as on one Redis.
 * Under CI=true a missing redis-server or a taken port fails this file (clusterSkipReason throws).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { fixedClock } from '../platform/clock.ts';
import { createMemoryCheckpoint } from './checkpoint.ts';
import { partitionKeys, prefixPattern, untaggedPrefixPattern } from './keys.ts';
import { createMemoryStore } from './memory-store.ts';
import { partitionOf } from './partition.ts';
import {
  clusterSkipReason,
  deleteOnEveryMaster,
  startRedisCluster,
  CLUSTER_HOST,
  type LocalRedisCluster,
} from '../../tools/local-cluster/redis-cluster.ts';
import { createRedisStore } from './redis-store.ts';
import { connectRedis } from '../platform/redis.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../../test/support/redis.ts';
import { keys as signingKeys, OPENS, seededPreScores } from '../../test/support/waiting-room.ts';
import { storeContract } from '../../test/contracts/waiting-room-store.contract.ts';
import { turnNoticeStoreContract } from '../../test/contracts/turn-notice-store.contract.ts';
import { createRedisTurnNoticeStore } from './turn-notice.redis-store.ts';
import { seatCountStoreContract } from '../../test/contracts/seat-count-store.contract.ts';
import { createRedisSeatCountStore } from './seat-count.redis-store.ts';
import { createWaitingRoomService } from './waiting-room.service.ts';
import type { WaitingRoomStore } from './waiting-room.store.ts';

const skip = await clusterSkipReason();

if (skip) {
  describe('waiting room on a Redis Cluster', () => {
    it('needs redis-server and free ports 7000-7005', { skip }, () => {});
  });
} else {
  const cluster = await startRedisCluster();
  after(() => cluster.stop());

  storeContract('redis-cluster', async () => {
    const keyPrefix = uniquePrefix();
    const store = createRedisStore({ client: cluster.client(), keyPrefix });
    return {
      store,
      async cleanup() {
        await store.close();
        await deleteOnEveryMaster(cluster, prefixPattern(keyPrefix));
        await deleteOnEveryMaster(cluster, untaggedPrefixPattern(keyPrefix));
      },
    };
  });

  turnNoticeStoreContract('redis-cluster', async () => {
    const keyPrefix = uniquePrefix();
    const client = cluster.client();
    return {
      store: createRedisTurnNoticeStore({ client, keyPrefix }),
      async cleanup() {
        client.disconnect();
        await deleteOnEveryMaster(cluster, prefixPattern(keyPrefix));
      },
    };
  });

  seatCountStoreContract('redis-cluster', async () => {
    const keyPrefix = uniquePrefix();
    const client = cluster.client();
    return {
      store: createRedisSeatCountStore({ client, keyPrefix }),
      pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async cleanup() {
        client.disconnect();
        await deleteOnEveryMaster(cluster, untaggedPrefixPattern(keyPrefix));
      },
    };
  });

  describe('a campaign on a 3-master Redis Cluster', () => {
    it('spreads its partitions over all three masters and keeps each partition on one', () =>
      spreadsOverMasters(cluster));
    it('admits in the same order and answers the same positions as one Redis and the memory store', () =>
      behavesAsOneRedis(cluster));
    it("joins people of every partition in one turn, each partition's batch on its own master", () =>
      joinsEveryPartitionAtOnce(cluster));
    it("the service's own cluster client (connectRedis) auto-pipelines a turn's commands", () =>
      autoPipelinesOnTheCluster(cluster));
  });
}

/**
 * ioredis decides auto-pipelining from the options of the client a command is sent through: set
 * only in the per-node `redisOptions`, the Cluster client sent every command on its own.
 */
async function autoPipelinesOnTheCluster(cluster: LocalRedisCluster) {
  const client = connectRedis({
    redisUrl: null,
    redisClusterNodes: [{ host: CLUSTER_HOST, port: cluster.ports[0]! }],
  })!;
  try {
    const keyPrefix = uniquePrefix();
    await client.set(`${keyPrefix}{a}`, '1');
    const replies = [client.get(`${keyPrefix}{a}`), client.get(`${keyPrefix}{a}`), client.get(`${keyPrefix}{b}`)];
    assert.ok(client.autoPipelineQueueSize > 0, 'commands of one turn wait to go out together');
    assert.deepEqual(await Promise.all(replies), ['1', '1', null]);
    await deleteOnEveryMaster(cluster, `${keyPrefix}*`);
  } finally {
    client.disconnect();
  }
}

/** Direct connection to one node (not the cluster client), to read what that master really holds. */
async function onNode<T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(port, CLUSTER_HOST, { maxRetriesPerRequest: 1 });
  try {
    return await f(r);
  } finally {
    r.disconnect();
  }
}

async function spreadsOverMasters(cluster: LocalRedisCluster) {
  // A fixed prefix on a fresh cluster: the slots (CRC16 of the hash tag) and so the masters are
  // deterministic. 12 partitions; 200 people joined through the service.
  const keyPrefix = 'spread';
  const campaignId = 'c-spread';
  const partitions = 12;
  const store = createRedisStore({ client: cluster.client(), keyPrefix });
  const service = createWaitingRoomService({
    clock: fixedClock(OPENS + 1),
    store,
    checkpoint: createMemoryCheckpoint(),
    keys: signingKeys,
  });
  try {
    await service.openCampaign({ campaignId, opensAtMs: OPENS, partitions });
    const expectedPerPartition = new Array<number>(partitions).fill(0);
    for (let i = 0; i < 200; i += 1) {
      const identityHash = `spread-identity-${i}`;
      assert.equal((await service.joinQueue({ campaignId, identityHash, deviceId: `d-${i}` })).ok, true);
      expectedPerPartition[partitionOf(identityHash, partitions)]! += 1;
    }
    const masterOfPartition: number[] = [];
    for (let p = 0; p < partitions; p += 1) {
      const k = partitionKeys(keyPrefix, { campaignId, partition: p });
      const master = await cluster.masterOf(k.meta);
      // Every key of the partition hashes to the same master (one hash tag → one slot).
      for (const key of Object.values(k)) assert.equal(await cluster.masterOf(key), master, key);
      // And the master itself holds the partition's state: its meta hash and its people.
      const [metaExists, people] = await onNode(master, async (r) => [await r.exists(k.meta), await r.hlen(k.people)]);
      assert.equal(metaExists, 1, `partition ${p} meta on ${master}`);
      assert.equal(people, expectedPerPartition[p], `partition ${p} people on ${master}`);
      masterOfPartition.push(master);
    }
    const masters = [...(await cluster.masters()).keys()].sort();
    assert.equal(masters.length, 3);
    assert.deepEqual(
      [...new Set(masterOfPartition)].sort(),
      masters,
      `partitions by master: ${masterOfPartition.join(',')}`,
    );
    assert.equal(
      expectedPerPartition.reduce((a, b) => a + b, 0),
      200,
    );
  } finally {
    await store.close();
    await deleteOnEveryMaster(cluster, prefixPattern(keyPrefix));
  }
}

/**
 * 240 joins in one event-loop turn over 12 partitions: the service sends one joinMany per
 * partition in the same turn, so batches for partitions on different masters leave together, and
 * every one of them must reach its own master (not be auto-pipelined with another master's).
 */
async function joinsEveryPartitionAtOnce(cluster: LocalRedisCluster) {
  const keyPrefix = uniquePrefix();
  const campaignId = 'c-together';
  const partitions = 12;
  // Auto-pipelined, as a process may run it: commands of one turn go to each master together.
  const store = createRedisStore({ client: cluster.client({ enableAutoPipelining: true }), keyPrefix });
  const service = createWaitingRoomService({
    clock: fixedClock(OPENS + 1),
    store,
    checkpoint: createMemoryCheckpoint(),
    keys: signingKeys,
  });
  try {
    await service.openCampaign({ campaignId, opensAtMs: OPENS, partitions });
    const ids = Array.from({ length: 240 }, (_, i) => `together-identity-${i}`);
    const replies = await Promise.all(
      ids.map((identityHash, i) => service.joinQueue({ campaignId, identityHash, deviceId: `d-${i}` })),
    );
    assert.deepEqual(
      replies.filter((r) => !r.ok),
      [],
    );
    const masters = new Set<number>();
    for (let p = 0; p < partitions; p += 1) {
      const k = partitionKeys(keyPrefix, { campaignId, partition: p });
      const master = await cluster.masterOf(k.meta);
      masters.add(master);
      const expected = ids.filter((id) => partitionOf(id, partitions) === p).length;
      assert.equal(await onNode(master, (r) => r.hlen(k.people)), expected, `partition ${p} on ${master}`);
    }
    assert.equal(masters.size, 3, 'the partitions span every master');
  } finally {
    await store.close();
    await deleteOnEveryMaster(cluster, prefixPattern(keyPrefix));
  }
}

/** One step of a queue's life as the citizens see it, stripped of nothing that should be equal. */
type Observation = Record<string, unknown>;

/**
 * A fixed script of operations through the waiting-room service: a pre-room of 24, then 24
 * arrivals after opening, another device refused, one person leaving, admission pinned at 6/s for
 * 10 virtual seconds with everyone polling each second, and every second admitted person booking
 * (completeAdmission). Returns everything the service answered.
 */
async function replay(store: WaitingRoomStore): Promise<Observation[]> {
  try {
    return await replayOn(store);
  } finally {
    await store.close();
  }
}

async function replayOn(store: WaitingRoomStore): Promise<Observation[]> {
  const clock = fixedClock(OPENS - 60_000);
  const service = createWaitingRoomService({
    clock,
    store,
    checkpoint: createMemoryCheckpoint(),
    keys: signingKeys,
    drawPreScore: seededPreScores(11),
    settings: { graceMs: 60_000, admissionTtlMs: 600_000, lockoutMs: 600_000 },
  });
  const campaignId = 'c-same';
  const seen: Observation[] = [];
  const tickets = new Map<number, string>();
  const who = (i: number) => ({ campaignId, identityHash: `same-identity-${i}`, deviceId: `same-device-${i}` });
  await service.openCampaign({ campaignId, opensAtMs: OPENS, partitions: 6 });

  const join = async (i: number) => {
    const r = await service.joinQueue(who(i));
    seen.push({ op: 'join', i, ...(r.ok ? { status: r.value.status } : { reason: r.reason }) });
    if (r.ok) tickets.set(i, r.value.ticket);
  };
  for (let i = 0; i < 24; i += 1) {
    clock.advance(1_000);
    await join(i);
  }
  clock.set(OPENS + 500);
  await service.refreshSnapshot();
  for (let i = 24; i < 48; i += 1) await join(i);
  const other = await service.joinQueue({ ...who(5), deviceId: 'someone-elses-phone' });
  seen.push({ op: 'other-device', reason: other.ok ? 'joined!' : other.reason });
  const left = await service.leaveQueue({ ...who(30), ticket: tickets.get(30)! });
  seen.push({ op: 'leave', ok: left.ok });
  tickets.delete(30);

  service.pinRate(campaignId, 6);
  const admittedOrder: number[] = [];
  const admittedAtSecond: number[] = [];
  for (let second = 1; second <= 10; second += 1) {
    clock.advance(1_000);
    const tick = await service.tick(campaignId, { p99Ms: null, errorRate: null });
    seen.push({ op: 'tick', second, advanced: tick.ok ? tick.value.advanced : tick.reason });
    await service.refreshSnapshot();
    for (const [i, ticket] of tickets) {
      const r = await service.pollStatus({ campaignId, ticket, deviceId: who(i).deviceId });
      if (!r.ok) {
        seen.push({ op: 'poll', second, i, reason: r.reason });
        continue;
      }
      if (r.value.ticket) tickets.set(i, r.value.ticket);
      const s = r.value.status;
      seen.push({
        op: 'poll',
        second,
        i,
        status: s.kind === 'admitted' ? { kind: s.kind, admissionId: s.admissionId, expiresAtMs: s.expiresAtMs } : s,
      });
      if (s.kind === 'admitted') {
        admittedOrder.push(i);
        admittedAtSecond[i] = second;
        tickets.delete(i);
        if (admittedOrder.length % 2 === 0) {
          const done = await service.completeAdmission({ campaignId, identityHash: who(i).identityHash });
          seen.push({ op: 'complete', i, ok: done.ok });
        }
      }
    }
  }
  seen.push({ op: 'admitted-order', admittedOrder, admittedAtSecond });
  const room = service.roomStatus(campaignId);
  seen.push({ op: 'room', partitions: room.ok ? room.value.snapshot?.partitions.map((p) => p.stats) : room.reason });
  return seen;
}

async function behavesAsOneRedis(cluster: LocalRedisCluster) {
  const single = await redisSkipReason(); // throws under CI when the single Redis is missing
  const clusterPrefix = uniquePrefix();
  const onCluster = await replay(createRedisStore({ client: cluster.client(), keyPrefix: clusterPrefix })).finally(() =>
    deleteOnEveryMaster(cluster, prefixPattern(clusterPrefix)),
  );
  const inMemory = await replay(createMemoryStore());

  // The script must actually exercise the queue, or equality below would prove nothing.
  const { admittedOrder: order, admittedAtSecond: atSecond } = onCluster.find((o) => o.op === 'admitted-order') as {
    admittedOrder: number[];
    admittedAtSecond: number[];
  };
  assert.equal(order.length, 47, 'everyone still queued is admitted within the 10 s at 6/s');
  // Each partition keeps strict order (partitions interleave): its pre-room goes before its later arrivals.
  for (let p = 0; p < 6; p += 1) {
    const mine = order.filter((i) => partitionOf(`same-identity-${i}`, 6) === p);
    const lastPre = Math.max(...mine.filter((i) => i < 24).map((i) => atSecond[i]!));
    const firstLater = Math.min(...mine.filter((i) => i >= 24).map((i) => atSecond[i]!));
    assert.ok(
      lastPre <= firstLater,
      `partition ${p}: pre-room admitted by second ${lastPre}, a later arrival at ${firstLater}`,
    );
  }
  assert.notDeepEqual(
    order.filter((i) => i < 24),
    [...Array(24).keys()],
    'the pre-room order is random, not arrival order',
  );
  assert.ok(onCluster.some((o) => o.op === 'poll' && (o.status as { kind?: string })?.kind === 'waiting'));
  assert.deepEqual(
    onCluster.find((o) => o.op === 'other-device'),
    { op: 'other-device', reason: 'other-device' },
  );

  assert.deepEqual(onCluster, inMemory, 'cluster and memory store answer the same');
  if (single) return; // outside CI without a local Redis: the memory comparison above still ran
  const singlePrefix = uniquePrefix();
  try {
    const onOneRedis = await replay(createRedisStore({ url: REDIS_URL, keyPrefix: singlePrefix }));
    assert.deepEqual(onCluster, onOneRedis, 'cluster and one Redis answer the same');
  } finally {
    await deletePrefix(REDIS_URL, singlePrefix);
  }
}
