/**
 * Process faults: `src/cluster.ts` with 2 workers on real Postgres (a schema of its own) and Redis
 * (a key prefix of its own). A worker killed with SIGKILL is replaced and the port keeps answering;
 * workers that keep dying (a crash loop) stop the cluster with status 1 instead of restarting
 * forever, so the loop is visible to whatever supervises it. Only processes this test started are
 * signalled.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../support/redis.ts';
import { isCi, TEST_DATABASE_URL } from '../support/databases.ts';

const STARTUP_DEADLINE_MS = 90_000;

async function skipReason(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
  } catch (e) {
    if (isCi) throw new Error(`Postgres at ${TEST_DATABASE_URL} is required under CI: ${(e as Error).message}`);
    return `Postgres unreachable (${(e as Error).message})`;
  } finally {
    await c.end().catch(() => {});
  }
  return redisSkipReason();
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

/** The cluster's workers: children of `pid` running server.ts (tsx also starts an esbuild child). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('server.ts')) kids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return kids.sort((a, b) => a - b);
}

async function until<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null> | T | null,
  output: () => string,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => null);
    if (v !== null && v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}\n--- cluster output ---\n${output()}`);
}

const isReady = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200 ? true : null;

const skip = await skipReason();

describe('cluster.ts under process faults', { skip: skip ?? false }, () => {
  const schema = `t_restart_${process.pid}_${Date.now().toString(36)}`;
  const keyPrefix = uniquePrefix();
  let primary: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;
  let port = 0;
  const listeningCount = () => output.match(/cluster: worker listening/g)?.length ?? 0;

  before(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    port = await freePort();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    primary = spawn(process.execPath, ['--import', 'tsx', 'src/cluster.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        WORKERS: '2',
        DATABASE_URL: url.toString(),
        DATABASE_POOL_SIZE: '4',
        REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        REDIS_CLUSTER_NODES: '',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'yeyak-restart-')),
        IDENTITY_HMAC_KEY: 'restart-test-identity-hmac-key-0123456789',
        SIGNING_SECRET: 'restart-test-signing-secret-0123456789ab',
        LOG_LEVEL: 'info',
        DEMO_POPULATION: '20',
        DEMO_FACILITIES: '3',
        DEMO_SLOT_DAYS: '1',
        OUTBOX_CHANNEL: 'log',
        WORKER_RESTART_BACKOFF_MS: '200',
        WORKER_MAX_RESTARTS_PER_MINUTE: '3',
      },
    });
    const keep = (c: Buffer) => {
      output = (output + c.toString()).slice(-50_000);
    };
    primary.stdout!.on('data', keep);
    primary.stderr!.on('data', keep);
    exited = new Promise((resolve) => primary.once('exit', (code) => resolve(code)));
    await until(
      'both workers listening',
      STARTUP_DEADLINE_MS,
      async () => (listeningCount() === 2 ? isReady(port) : null),
      () => output,
    );
  });

  after(async () => {
    if (primary.exitCode === null && primary.signalCode === null) {
      primary.kill('SIGTERM');
      const timer = setTimeout(() => primary.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await dropSchema(TEST_DATABASE_URL, schema).catch(() => {});
    await deletePrefix(REDIS_URL, keyPrefix).catch(() => {});
  });

  it('replaces a worker killed with SIGKILL, and the port keeps answering', async () => {
    const [victim, survivor] = childrenOf(primary.pid!);
    process.kill(victim!, 'SIGKILL');
    // The survivor answers while the victim is replaced (a connection handed to the victim as it
    // died may be lost: a new one is tried, as a browser would).
    await until(
      'the port answering after the kill',
      10_000,
      () => isReady(port),
      () => output,
    );
    const workers = await until(
      'a replacement worker',
      30_000,
      () => {
        const now = childrenOf(primary.pid!);
        return now.length === 2 && !now.includes(victim!) ? now : null;
      },
      () => output,
    );
    assert.ok(workers.includes(survivor!));
    await until(
      'the replacement listening',
      STARTUP_DEADLINE_MS,
      () => (listeningCount() === 3 ? true : null),
      () => output,
    );
    assert.match(output, /worker died; replacing it with the same role/);
    await until(
      'the port answering with the replacement',
      10_000,
      () => isReady(port),
      () => output,
    );
  });

  it('stops with status 1 when workers keep dying, instead of restarting them forever', async () => {
    // One restart so far; the cap is 3 a minute: kill each replacement as soon as it exists.
    const killed = new Set<number>();
    const code = await until(
      'the cluster to give up',
      60_000,
      async () => {
        if (primary.exitCode !== null) return primary.exitCode;
        for (const pid of childrenOf(primary.pid!)) {
          if (killed.size < 4 && !killed.has(pid)) {
            killed.add(pid);
            process.kill(pid, 'SIGKILL');
          }
        }
        return null;
      },
      () => output,
    );
    assert.equal(code, 1);
    assert.match(output, /crash loop/);
  });
});
