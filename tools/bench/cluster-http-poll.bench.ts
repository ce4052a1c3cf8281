/**
 * Queue-status polls per process through the whole HTTP stack (Fastify routing, session check,
 * ticket check, both rate limits, the snapshot answer, JSON), driven by `app.inject` (no sockets,
 * so no load-generator cost), and how many Redis commands each poll costs. Two set-ups in the same
 * run: the queue and rate-limit counters on a Redis (REDIS_URL, as a multi-process deployment runs)
 * and everything in process memory (one process). Not a test: numbers and a ratio. The Redis is a
 * redis-server of its own on a free port (killed at the end), so its command count is ours alone.
 *
 *   node --import tsx tools/bench/cluster-http-poll.bench.ts [polls=30000] [people=2000]
 *   POLL_CPU_PROFILE=dir: also writes a V8 CPU profile of each poll phase alone (set-up excluded).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session } from 'node:inspector/promises';
import { fixedClock } from '../../src/platform/clock.ts';
import { Redis } from 'ioredis';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { pgliteForTest } from '../../test/support/databases.ts';
import { newLiveCampaign } from '../../test/support/factories.ts';
import { testApp, testConfig } from '../../test/support/services.ts';
import { uniquePrefix } from '../../test/support/redis.ts';

const polls = Number(process.argv[2] ?? 30_000);
const peopleCount = Number(process.argv[3] ?? 2_000);
const NOW = Date.now();

const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const totalCommands = async (r: Redis) =>
  [...(await r.info('commandstats')).matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);

async function startProfile() {
  const dir = process.env.POLL_CPU_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(label: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${dir}/poll-${label.replace(/\W+/g, '-')}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function measure(label: string, env: Record<string, string>, raw: Redis | null) {
  const tdb = await pgliteForTest();
  const key = testConfig().identityHmacKey;
  const rrns = Array.from({ length: peopleCount }, (_, i) => makeRrn('1970-01-01', i % 2 ? 'F' : 'M', i + 1));
  await insertPeople(
    tdb.db,
    rrns.map((rrn, i) => ({
      identity_hash: identityHashOf(key, rrn.replace('-', '')),
      birth_date: '1970-01-01',
      name: `사람${i}`,
      phone: '010-0000-0000',
      region_code: 'KR-11',
    })),
  );
  await newLiveCampaign(tdb.db, NOW);
  const { app, services } = await testApp(tdb, fixedClock(NOW), undefined, {
    COOKIE_SECURE: 'false',
    WAITING_ROOM_PARTITIONS: '12',
    ...env,
  });
  try {
    const citizens: { remoteAddress: string; headers: Record<string, string> }[] = [];
    const sessions: { remoteAddress: string; authorization: string }[] = [];
    for (let i = 0; i < peopleCount; i += 1) {
      const remoteAddress = ipOf(i);
      const v = await app.inject({
        method: 'POST',
        url: '/api/identity/verify',
        remoteAddress,
        payload: { providerId: 'pass', rrn: rrns[i], name: `사람${i}` },
      });
      sessions.push({ remoteAddress, authorization: `Bearer ${v.json().sessionToken}` });
    }
    // Joins, 32 in flight: the other per-arrival request (verify above includes a database lookup).
    const joinCpu0 = process.cpuUsage();
    const joinT0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < peopleCount) {
          const i = next++;
          const { remoteAddress, authorization } = sessions[i]!;
          const j = await app.inject({
            method: 'POST',
            url: '/api/campaigns/demo/queue',
            remoteAddress,
            headers: { authorization },
            payload: { deviceId: `bench-device-${i}` },
          });
          if (j.statusCode !== 200) throw new Error(`join ${i}: ${j.statusCode} ${j.body}`);
          const cookie = j.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
          citizens[i] = {
            remoteAddress,
            headers: { authorization, cookie, 'x-queue-ticket': j.json().ticket as string },
          };
        }
      }),
    );
    const joinSec = (performance.now() - joinT0) / 1000;
    const joinCpu = process.cpuUsage(joinCpu0);
    const joinCpuUs = (joinCpu.user + joinCpu.system) / peopleCount;
    console.log(
      `${label}\n  HTTP joins/s (one process, wall): ${Math.round(peopleCount / joinSec).toLocaleString('en-US')}` +
        `;  Node CPU per join: ${joinCpuUs.toFixed(0)} µs → ${Math.round(1e6 / joinCpuUs).toLocaleString('en-US')} per core-second`,
    );
    await services.waitingRoom.service.refreshSnapshot();
    const commands0 = raw ? await totalCommands(raw) : 0;
    const profiler = await startProfile();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (i < polls) {
          const c = citizens[i++ % citizens.length]!;
          const r = await app.inject({
            url: '/api/campaigns/demo/queue/status',
            remoteAddress: c.remoteAddress,
            headers: c.headers,
          });
          if (r.statusCode !== 200) throw new Error(`poll: ${r.statusCode} ${r.body}`);
        }
      }),
    );
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await profiler?.stop(label);
    const redisPerPoll = raw ? ((await totalCommands(raw)) - commands0) / polls : 0;
    const result = { label, perSec: polls / sec, cpuUsPerPoll: (cpu.user + cpu.system) / polls, redisPerPoll };
    console.log(
      `  HTTP poll answers/s (one process, wall): ${Math.round(result.perSec).toLocaleString('en-US')}` +
        `\n  Node CPU per poll: ${result.cpuUsPerPoll.toFixed(0)} µs → ${Math.round(1e6 / result.cpuUsPerPoll).toLocaleString('en-US')} per core-second` +
        `\n  Redis commands per poll: ${redisPerPoll.toFixed(2)}`,
    );
    return result;
  } finally {
    await app.close();
    await tdb.close();
  }
}

const port = await new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const p = (srv.address() as { port: number }).port;
    srv.close(() => resolve(p));
  });
});
const server = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
const redisUrl = `redis://127.0.0.1:${port}`;
const raw = new Redis(redisUrl, { lazyConnect: true });
raw.on('error', () => {}); // the first connects race the server's start; connect() below retries
try {
  for (let k = 0; k < 50 && raw.status !== 'ready'; k += 1) await raw.connect().catch(() => sleep(100));
  console.log(
    `HTTP poll bench: ${polls.toLocaleString('en-US')} polls over ${peopleCount.toLocaleString('en-US')} people waiting, 32 in flight; ${new Date().toISOString()}`,
  );
  const withRedis = await measure(
    'queue + rate limits on Redis (multi-process set-up)',
    { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniquePrefix() },
    raw,
  );
  const inMemory = await measure('queue + rate limits in process memory (one process)', {}, null);
  console.log(
    `ratio: Redis set-up / in-memory set-up, polls per core-second: ${(inMemory.cpuUsPerPoll / withRedis.cpuUsPerPoll).toFixed(2)}×`,
  );
} finally {
  raw.disconnect();
  server.kill('SIGKILL');
}
