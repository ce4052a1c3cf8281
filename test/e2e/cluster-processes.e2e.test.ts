/**
 * Several processes, one queue: `src/cluster.ts` (2 workers behind one port) and a separate
 * `src/server.ts` on its own port (a second machine), sharing one Postgres schema and a real
 * 3-master Redis Cluster (REDIS_CLUSTER_NODES). Citizens verify, join and poll through different
 * processes; every one is admitted exactly once, a second device is refused whichever process it
 * asks, exactly one process holds the admission lease, and when that process is killed another
 * takes the lease and admission goes on. Under CI=true a missing Postgres, redis-server or a taken
 * port 7000-7005 fails the test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DEMO_POPULATION_SEED } from '../../src/app/seed.ts';
import { generatePopulation } from '../../src/synthetic/population.ts';
import { dropSchema } from '../../src/platform/db.ts';
import { admissionLeaderKey } from '../../src/waiting-room/keys.ts';
import {
  clusterSkipReason,
  deleteOnEveryMaster,
  startRedisCluster,
  type LocalRedisCluster,
} from '../../tools/local-cluster/redis-cluster.ts';
import { uniquePrefix } from '../support/redis.ts';
import { isCi, TEST_DATABASE_URL } from '../support/databases.ts';
import {
  call as callOn,
  freePort,
  startServerProcess as startProcess,
  stopServerProcess as stopProcess,
  waitUntil,
  type ServerProcess as Proc,
} from '../support/server-process.ts';

const STARTUP_DEADLINE_MS = 90_000;
const ADMISSION_DEADLINE_MS = 30_000;

async function postgresProblem(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

async function skipReason(): Promise<string | null> {
  const pgProblem = await postgresProblem();
  if (pgProblem) {
    if (isCi) throw new Error(`Postgres at ${TEST_DATABASE_URL} is required under CI: ${pgProblem}`);
    return `Postgres unreachable (${pgProblem})`;
  }
  return clusterSkipReason();
}

function callText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (c) => {
          text += c;
        })
        .on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

const parentOf = (pid: number) => Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
/** One request on a fresh connection (agent: false), so node:cluster hands each to the next worker. */
const call = (port: number, method: string, path: string, headers: Record<string, string> = {}, payload?: unknown) =>
  callOn(port, method, path, headers, payload, 10_000);
const admissionIdOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string;

const skip = await skipReason();

describe('several processes share one queue on a Redis Cluster', { skip: skip ?? false }, () => {
  let cluster: LocalRedisCluster;
  let primary: Proc | undefined;
  let second: Proc | undefined;
  let portA = 0;
  let portB = 0;
  const schema = `t_procs_${process.pid}_${Date.now().toString(36)}`;
  const keyPrefix = uniquePrefix();
  const people = [...generatePopulation({ size: 40, seed: DEMO_POPULATION_SEED })].slice(0, 16);

  before(async () => {
    cluster = await startRedisCluster();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.end();
    [portA, portB] = [await freePort(), await freePort()];
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = {
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '4',
      REDIS_CLUSTER_NODES: cluster.nodesList,
      REDIS_KEY_PREFIX: keyPrefix,
      IDENTITY_HMAC_KEY: 'procs-test-identity-hmac-key-0123456789',
      SIGNING_SECRET: 'procs-test-signing-secret-0123456789abc',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'yeyak-procs-')),
      LOG_LEVEL: 'warn',
      IDENTITY_LATENCY_MS: '0',
      COOKIE_SECURE: 'false',
      WAITING_ROOM_PARTITIONS: '6',
      DEMO_POPULATION: '40',
      DEMO_FACILITIES: '3',
      DEMO_SLOT_DAYS: '1',
      DEMO_OPENS_IN_MS: '0',
      OUTBOX_CHANNEL: 'log',
      REDIS_URL: '',
      OPERATOR_ACCOUNTS: 'operator:operator:procs-test-operator-password',
    };
    primary = startProcess('src/cluster.ts', { ...env, PORT: String(portA), WORKERS: '2' });
    await waitUntil(
      'cluster.ts workers',
      STARTUP_DEADLINE_MS,
      async () => ((await call(portA, 'GET', '/readyz')).status === 200 ? true : null),
      primary,
    );
    second = startProcess('src/server.ts', {
      ...env,
      PORT: String(portB),
      SEED_DEMO: 'false',
      ADMISSION_LEADER: 'true',
    });
    await waitUntil(
      'server.ts',
      STARTUP_DEADLINE_MS,
      async () => ((await call(portB, 'GET', '/readyz')).status === 200 ? true : null),
      second,
    );
  });

  after(async () => {
    await stopProcess(second);
    await stopProcess(primary);
    if (cluster) {
      await deleteOnEveryMaster(cluster, `*${keyPrefix}*`);
      await cluster.stop();
    }
    await dropSchema(TEST_DATABASE_URL, schema).catch(() => {});
  });

  const ports = () => [portA, portB];

  async function joinAs(i: number, port: number) {
    const p = people[i]!;
    const v = await call(port, 'POST', '/api/identity/verify', {}, { providerId: 'pass', rrn: p.rrn, name: p.name });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    const auth = { authorization: `Bearer ${v.body.sessionToken}` };
    const joined = await call(port, 'POST', '/api/campaigns/demo/queue', auth, { deviceId: `procs-device-${i}` });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const cookie = joined.cookies.map((c) => c.split(';')[0]).join('; ');
    return { i, auth, cookie, ticket: joined.body.ticket as string };
  }

  /** Polls (through `port`) until admitted; returns the admission id. */
  async function admittedVia(port: () => number, c: Awaited<ReturnType<typeof joinAs>>): Promise<string> {
    return waitUntil(`admission of person ${c.i}`, ADMISSION_DEADLINE_MS, async () => {
      const r = await call(port(), 'GET', '/api/campaigns/demo/queue/status', {
        ...c.auth,
        cookie: c.cookie,
        'x-queue-ticket': c.ticket,
      });
      if (r.status !== 200) throw new Error(`poll ${r.status} ${JSON.stringify(r.body)}`);
      c.ticket = r.body.ticket ?? c.ticket;
      return r.body.state === 'admitted' ? admissionIdOf(r.body.admission.token) : null;
    });
  }

  async function leaseHolderPid(): Promise<number | null> {
    const client = cluster.client();
    try {
      const v = await client.get(admissionLeaderKey(keyPrefix));
      return v === null ? null : Number(v.split(':')[0]);
    } finally {
      client.disconnect();
    }
  }

  it('admits everyone who joined through any process exactly once, and refuses a second device everywhere', async () => {
    const citizens = [];
    for (let i = 0; i < 12; i += 1) citizens.push(await joinAs(i, ports()[i % 2]!));
    for (const port of ports()) {
      const other = await call(
        port,
        'POST',
        '/api/identity/verify',
        {},
        { providerId: 'pass', rrn: people[0]!.rrn, name: people[0]!.name },
      );
      const again = await call(
        port,
        'POST',
        '/api/campaigns/demo/queue',
        { authorization: `Bearer ${other.body.sessionToken}` },
        { deviceId: `another-phone-${port}` },
      );
      assert.ok(
        [409, 423].includes(again.status),
        `a second device via port ${port}: ${again.status} ${JSON.stringify(again.body)}`,
      );
    }
    // Each polls through the process it did NOT join through.
    const ids = [];
    for (const c of citizens) ids.push(await admittedVia(() => ports()[(c.i + 1) % 2]!, c));
    assert.equal(new Set(ids).size, 12, 'twelve distinct admissions');
  });

  /** waiting_room_admission_leader as each process reports it: port B once, port A's two workers by turns. */
  async function leaderGauges(): Promise<{ a: number[]; b: number }> {
    const read = async (port: number) =>
      Number(/^waiting_room_admission_leader (\d)/m.exec(await callText(port, '/metrics'))?.[1]);
    const a = [];
    for (let k = 0; k < 4; k += 1) a.push(await read(portA));
    return { a, b: await read(portB) };
  }

  it('has exactly one admission leader, and another takes over when it is killed', async () => {
    const leader = await waitUntil('an admission leader', 10_000, leaseHolderPid);
    const isSecond = leader === second!.child.pid;
    assert.ok(isSecond || parentOf(leader) === primary!.child.pid, `lease held by pid ${leader}, not one of ours`);
    // The processes agree: the lease holder reports itself leader, every other process does not.
    await waitUntil('leader gauges to agree with the lease', 10_000, async () => {
      const g = await leaderGauges();
      const agrees = isSecond
        ? g.b === 1 && g.a.every((v) => v === 0)
        : g.b === 0 && g.a.includes(1) && g.a.includes(0);
      return agrees ? g : null;
    });

    process.kill(leader, 'SIGKILL');
    // If it was the separate server, the cluster's worker 1 remains; if it was worker 1,
    // cluster.ts replaces it and the separate server may win: either way, a different process.
    const next = await waitUntil('a new admission leader', 20_000, async () => {
      const pid = await leaseHolderPid();
      return pid !== null && pid !== leader ? pid : null;
    });
    assert.notEqual(next, leader);
    // Through every process still alive (the cluster's port stays up while a worker is replaced).
    const alive = (i: number) => (leader === second!.child.pid ? portA : ports()[i % 2]!);
    const late = [];
    for (let i = 12; i < 16; i += 1) late.push(await waitUntil(`join of ${i}`, 20_000, () => joinAs(i, alive(i))));
    for (const c of late) await admittedVia(() => alive(c.i + 1), c);
  });
});
