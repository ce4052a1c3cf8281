/**
 * A real Redis Cluster for tests and benchmarks: 3 masters and 3 replicas on 127.0.0.1 ports
 * 7000-7005, started from the installed `redis-server` (cluster mode, nothing kept on disk, a temp
 * dir of its own) and joined with `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`.
 * `stop()` kills every node it started and removes the temp dir; it is safe to call twice, and a
 * process exit handler calls it too, so a crashed test never leaves nodes behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { scanDelete } from '../../src/waiting-room/redis-cleanup.ts';

export const CLUSTER_HOST = '127.0.0.1';
export const CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005] as const;
const START_TIMEOUT_MS = 20_000;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface LocalRedisCluster {
  readonly ports: readonly number[];
  /** Seed nodes as `REDIS_CLUSTER_NODES` takes them: `127.0.0.1:7000,…`. */
  readonly nodesList: string;
  /** A new ioredis Cluster client (the caller closes it). */
  client(options?: ClusterOptions): Cluster;
  /** master port → slot ranges it serves, read from CLUSTER SLOTS. */
  masters(): Promise<Map<number, [number, number][]>>;
  /** The port of the master serving a key, by CLUSTER KEYSLOT and CLUSTER SLOTS. */
  masterOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether something already listens on the port (a leftover cluster would make the test lie). */
function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: CLUSTER_HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Why a cluster cannot be started here, or null if it can be tried. */
export async function clusterUnavailableReason(): Promise<string | null> {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version']).status !== 0) return `${bin} is not installed`;
  }
  for (const port of CLUSTER_PORTS) if (await isPortTaken(port)) return `port ${port} is already in use`;
  return null;
}

/**
 * For tests: a reason to skip, or null when a cluster can be started. Under CI=true a missing
 * redis-server or a taken port THROWS (the test fails rather than passing by skipping), as
 * test/support/redis.ts does for the single Redis.
 */
export async function clusterSkipReason(): Promise<string | null> {
  const problem = await clusterUnavailableReason();
  if (problem === null) return null;
  if (process.env.CI === 'true') throw new Error(`a local Redis Cluster is required under CI: ${problem}`);
  return `no local Redis Cluster (${problem}); skipped outside CI`;
}

async function waitFor(what: string, check: () => Promise<boolean>, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`Redis Cluster: timed out waiting for ${what}`);
}

async function ask<T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(port, CLUSTER_HOST, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  r.on('error', () => {}); // failures surface through the awaited command
  try {
    await r.connect();
    return await f(r);
  } finally {
    r.disconnect();
  }
}

export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const problem = await clusterUnavailableReason();
  if (problem) throw new Error(`cannot start a Redis Cluster: ${problem}`);
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-redis-cluster-'));
  const nodes: ChildProcess[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killNow);
    for (const sig of SIGNALS) process.off(sig, onSignal);
    await Promise.all(
      nodes.map(async (n) => {
        if (n.exitCode !== null || n.signalCode !== null) return;
        n.kill('SIGKILL');
        await once(n, 'exit');
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  // Last resort if the process exits without calling stop(): synchronous kill, nothing awaited.
  const killNow = () => {
    for (const n of nodes) if (n.exitCode === null) n.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killNow);
  // Ctrl-C or a test runner's SIGTERM skips 'exit' handlers: kill the nodes, then die of the same signal.
  const onSignal = (sig: NodeJS.Signals) => {
    killNow();
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, sig);
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const port of CLUSTER_PORTS) {
      nodes.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            CLUSTER_HOST,
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '5000',
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--logfile',
            join(dir, `${port}.log`),
          ],
          { stdio: 'ignore' },
        ).on('error', () => {}),
      ); // a node that cannot start shows as a ping timeout below
    }
    for (const port of CLUSTER_PORTS)
      await waitFor(`node ${port}`, () => ask(port, async (r) => (await r.ping()) === 'PONG'), deadline);
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...CLUSTER_PORTS.map((p) => `${CLUSTER_HOST}:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: START_TIMEOUT_MS },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of CLUSTER_PORTS) {
      await waitFor(
        `cluster_state:ok on ${port}`,
        () => ask(port, async (r) => ((await r.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')),
        deadline,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }

  async function masters(): Promise<Map<number, [number, number][]>> {
    const slots = (await ask(CLUSTER_PORTS[0], (r) => r.call('CLUSTER', 'SLOTS'))) as [
      number,
      number,
      [string, number, string],
    ][];
    const byMaster = new Map<number, [number, number][]>();
    for (const [from, to, [, port]] of slots) byMaster.set(port, [...(byMaster.get(port) ?? []), [from, to]]);
    return byMaster;
  }

  return {
    ports: CLUSTER_PORTS,
    nodesList: CLUSTER_PORTS.map((p) => `${CLUSTER_HOST}:${p}`).join(','),
    client: (options = {}) =>
      new Cluster([{ host: CLUSTER_HOST, port: CLUSTER_PORTS[0] }], {
        ...options,
        redisOptions: { maxRetriesPerRequest: 2, ...options.redisOptions },
      }),
    masters,
    async masterOf(key) {
      const slot = Number(await ask(CLUSTER_PORTS[0], (r) => r.call('CLUSTER', 'KEYSLOT', key)));
      for (const [port, ranges] of await masters()) if (ranges.some(([a, b]) => slot >= a && slot <= b)) return port;
      throw new Error(`no master serves slot ${slot}`);
    },
    stop,
  };
}

/** Deletes every key matching `pattern` on every master (SCAN is per node in a cluster). */
export async function deleteOnEveryMaster(cluster: LocalRedisCluster, pattern: string): Promise<number> {
  let deleted = 0;
  for (const port of (await cluster.masters()).keys()) {
    deleted += await ask(port, (r) => scanDelete(r, pattern, true));
  }
  return deleted;
}
