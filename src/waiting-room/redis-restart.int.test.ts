/**
 * Redis restarts mid-queue and comes back empty (no RDB, no AOF): the service must restore the
 * counters from its checkpoint, put people back from their tickets in their order, and hand nobody a
 * second admission id. The test runs its own redis-server on a free port and kills it at the end.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { fixedClock } from '../platform/clock.ts';
import { createMemoryCheckpoint } from './checkpoint.ts';
import { createRedisStore } from './redis-store.ts';
import { uniquePrefix } from '../../test/support/redis.ts';
import { CAMPAIGN, keys, OPENS, person, seededRandom } from '../../test/support/waiting-room.ts';
import { verifyQueueTicket } from './ticket.ts';
import { createWaitingRoomService, type WaitingRoomService } from './waiting-room.service.ts';
import type { WaitingRoomStore } from './waiting-room.store.ts';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.CI === 'true')
  throw new Error('redis-server is required under CI for the restart test');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused until the server listens; retried below
  try {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      try {
        await probe.connect();
        await probe.ping();
        return proc;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${port}`);
}

async function killRedis(proc: ChildProcess | null): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGKILL');
  await once(proc, 'exit');
}

const value = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T =>
  r.ok ? r.value : assert.fail(r.reason);
const seqOf = (ticket: string) =>
  value(verifyQueueTicket(ticket, keys.ticket, { campaignId: CAMPAIGN, nowMs: OPENS, maxAgeMs: 1e12 })).seq!;
const quiet = { p99Ms: null, errorRate: null };

describe(
  'Redis restart mid-queue',
  { skip: hasRedisServer ? false : 'redis-server not installed (outside CI)' },
  () => {
    let port = 0;
    let redis: ChildProcess | null = null;
    let store: WaitingRoomStore;
    let service: WaitingRoomService;
    const clock = fixedClock(OPENS);

    before(async () => {
      port = await freePort();
      redis = await startRedis(port);
      store = createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: uniquePrefix(),
        redisOptions: { retryStrategy: () => 50 },
      });
      service = createWaitingRoomService({
        clock,
        store,
        checkpoint: createMemoryCheckpoint(),
        keys,
        settings: { graceMs: 60_000 },
      });
      await service.openCampaign({ campaignId: CAMPAIGN, opensAtMs: OPENS, partitions: 1 });
    });

    after(async () => {
      await store?.close().catch(() => {});
      await killRedis(redis);
    });

    it('keeps the order of everyone with a ticket and gives nobody a second admission id', async () => {
      const tickets = new Map<number, string>();
      for (let i = 1; i <= 30; i += 1) tickets.set(i, value(await service.joinQueue(person(i))).ticket);
      service.pinRate(CAMPAIGN, 10);
      await service.tick(CAMPAIGN, quiet);
      clock.advance(1_000);
      assert.equal(value(await service.tick(CAMPAIGN, quiet)).advanced, 10);
      await service.refreshSnapshot();
      const ids = new Map<number, Set<string>>();
      const poll = async (i: number) => {
        const reply = value(
          await service.pollStatus({ campaignId: CAMPAIGN, ticket: tickets.get(i)!, deviceId: `device-${i}` }),
        );
        if (reply.status.kind === 'admitted') ids.set(i, (ids.get(i) ?? new Set()).add(reply.status.admissionId));
        return reply.status;
      };
      for (let i = 1; i <= 5; i += 1) assert.equal((await poll(i)).kind, 'admitted');
      value(await service.writeCheckpoint(CAMPAIGN));
      for (let i = 31; i <= 33; i += 1) tickets.set(i, value(await service.joinQueue(person(i))).ticket); // after the checkpoint

      await killRedis(redis);
      redis = await startRedis(port);
      clock.advance(2_000);
      await service.refreshSnapshot(); // notices the loss, restores counters from the checkpoint

      const order = [...tickets.keys()];
      const random = seededRandom(4);
      order.sort(() => random() - 0.5);
      const waitingPosition = new Map<number, number>();
      for (const i of order) {
        const s = await poll(i);
        if (s.kind === 'waiting') waitingPosition.set(i, s.position);
      }
      assert.deepEqual(
        [...ids.keys()].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      const waiting = [...waitingPosition.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
      for (let k = 1; k < waiting.length; k += 1)
        assert.ok(waiting[k]! > waiting[k - 1]!, `positions follow join order: ${waiting}`);

      const late = value(await service.joinQueue(person(99))).ticket;
      assert.equal(
        seqOf(late),
        34,
        'a newcomer after the restart goes behind everyone who came back, even those joined after the checkpoint',
      );

      service.pinRate(CAMPAIGN, 100);
      clock.advance(1_000);
      value(await service.tick(CAMPAIGN, quiet));
      await service.refreshSnapshot();
      for (const i of order) assert.equal((await poll(i)).kind, 'admitted', `person ${i}`);
      for (const [i, set] of ids) assert.equal(set.size, 1, `person ${i} got ${set.size} admission ids`);
      for (let i = 1; i <= 33; i += 1) {
        assert.equal(
          (await store.personRecord({ campaignId: CAMPAIGN, partition: 0 }, `identity-${i}`))?.seq,
          i,
          `person ${i} kept seq ${i}`,
        );
      }
    });
  },
);
