/**
 * Starts yeyak as several processes (src/cluster.ts) on a free port of 127.0.0.1, against the
 * bench's scratch database and its own Redis key prefix, and stops it again (SIGTERM to the
 * primary, which stops its workers; SIGKILL to each known pid after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { deletePrefix } from '../../src/waiting-room/redis-cleanup.ts';
import { sleep, type Cleanup } from './cleanup.ts';

const START_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 20_000;

export interface ServiceOptions {
  readonly name: string;
  readonly workers: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly dataDir: string;
  /** Extra environment (demo size, admission settings, ADMISSION_GATE). */
  readonly env: Record<string, string>;
  /**
   * When set, runs ONE process (src/server.ts) under `node --cpu-prof` writing its profile here
   * (node refuses --cpu-prof in NODE_OPTIONS, and cluster workers take the primary's fixed execArgv).
   */
  readonly cpuProfileDir?: string;
  /**
   * The checkout whose src/ runs (default: this one). An A/B run (ab-front-door.ts) starts the
   * same service from another commit's tree beside this one.
   */
  readonly root?: string;
}

export interface RunningService {
  readonly origin: string;
  readonly port: number;
  readonly pids: () => number[];
  readonly logFile: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The pids of `parent`'s children (Linux /proc), so workers can be killed by pid if they linger. */
function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startService(o: ServiceOptions, cleanup: Cleanup): Promise<RunningService> {
  const port = await freePort();
  const logFile = join(o.dataDir, `${o.name}.log`);
  const log = createWriteStream(logFile);
  const entryFile = o.cpuProfileDir ? 'src/server.ts' : 'src/cluster.ts';
  const entry = o.root ? join(o.root, entryFile) : new URL(`../../${entryFile}`, import.meta.url).pathname;
  const profile = o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] : [];
  const workers = o.cpuProfileDir ? 1 : o.workers;
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKERS: String(workers),
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: o.redisUrl,
      REDIS_KEY_PREFIX: o.keyPrefix,
      DATA_DIR: o.dataDir,
      LOG_LEVEL: 'warn',
      COOKIE_SECURE: 'false',
      OUTBOX_CHANNEL: 'file',
      ...o.env,
    },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const primary = child.pid!;
  const known = new Set<number>();
  const pids = () => {
    for (const p of childPids(primary)) known.add(p);
    return [primary, ...known];
  };
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const stop = cleanup.defer(`stop service ${o.name}`, async () => {
    pids();
    if (!exited) child.kill('SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (Date.now() < deadline && [primary, ...known].some(isAlive)) await sleep(100);
    for (const pid of [primary, ...known])
      if (isAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    await deletePrefix(o.redisUrl, o.keyPrefix);
  });

  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(origin, o.cpuProfileDir ? 0 : workers, () => exited, pids, cleanup.signal, logFile);
  return { origin, port, pids, logFile, stop };
}

/** Ready when /readyz answers and every worker process exists and has had time to listen. */
async function waitUntilReady(
  origin: string,
  workers: number,
  hasExited: () => boolean,
  pids: () => number[],
  signal: AbortSignal,
  logFile: string,
) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let readyStreak = 0;
  while (Date.now() < deadline) {
    if (hasExited())
      throw new Error(
        `the service exited during start-up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
      );
    const ok = await request(`${origin}/readyz`, { headersTimeout: 2_000, bodyTimeout: 2_000, reset: true })
      .then(async (r) => {
        await r.body.dump();
        return r.statusCode === 200;
      })
      .catch(() => false);
    // Round-robin hands connections to workers that listen; several answers in a row with every
    // worker forked means they are all up (the bench's own set-up phases follow before measuring).
    readyStreak = ok && pids().length - 1 >= workers ? readyStreak + 1 : 0;
    if (readyStreak >= 3 * Math.max(1, workers)) return;
    await sleep(ok ? 100 : 500, signal);
  }
  throw new Error(`the service was not ready within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}
