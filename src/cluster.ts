/**
 * Runs yeyak as N processes (node:cluster) sharing one Postgres and one Redis:
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… WORKERS=4 tsx src/cluster.ts
 *   (or REDIS_CLUSTER_NODES=127.0.0.1:7000,127.0.0.1:7001,… for a Redis Cluster)
 *
 * The primary reads the config once (so IDENTITY_HMAC_KEY and SIGNING_SECRET are either given or
 * generated once into DATA_DIR/secrets.json), migrates and seeds the demo BEFORE forking, then
 * forks WORKERS copies of src/server.ts (default: the number of cores) with the same secrets,
 * SEED_DEMO=false and ADMISSION_LEADER=true on worker 1 only: one admission leader per deployment.
 * Workers share the listening port (the primary hands out connections round-robin).
 *
 * A worker that dies unexpectedly (a crash, a fatal error: server.ts exits 1, a kill) is replaced
 * with the same role after a backoff that doubles with each restart in the last minute
 * (WORKER_RESTART_BACKOFF_MS, 1000 by default: 1 s, 2 s, 4 s …, at most 30 s). More than
 * WORKER_MAX_RESTARTS_PER_MINUTE (5) restarts in a minute is a crash loop: the primary logs it,
 * stops every worker and exits with status 1, so the loop is visible to whatever supervises the
 * cluster instead of hidden behind endless restarts. SIGTERM/SIGINT: every worker gets SIGTERM and
 * finishes its in-flight requests (server.ts shuts down gracefully); stragglers are killed after
 * the grace period.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { systemClock } from './platform/clock.ts';
import { migrate, openDatabase } from './platform/db.ts';
import { createLogger } from './platform/logger.ts';
import { createCampaignService } from './campaigns/campaign.service.ts';
import { createCampaignRepository } from './campaigns/campaign.repository.ts';
import { countPeopleByBirthDate } from './people/people.repository.ts';
import { seedDemo } from './app/seed.ts';

const SHUTDOWN_GRACE_MS = 15_000;
const MAX_RESTART_DELAY_MS = 30_000;

interface ClusterSettings {
  workers: number;
  restartBackoffMs: number;
  maxRestartsPerMinute: number;
}

/** Reads the cluster's own keys (the workers' are in config.ts), collecting every problem. */
function clusterSettings(env: NodeJS.ProcessEnv, problems: string[]): ClusterSettings {
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  };
  return {
    workers: int('WORKERS', availableParallelism(), 1, 256),
    restartBackoffMs: int('WORKER_RESTART_BACKOFF_MS', 1_000, 0, MAX_RESTART_DELAY_MS),
    maxRestartsPerMinute: int('WORKER_MAX_RESTARTS_PER_MINUTE', 5, 1, 1_000),
  };
}

/** Checks what a multi-process deployment needs on top of the single-process config. */
function clusterConfig(): { config: Config; settings: ClusterSettings } {
  const config = loadConfig();
  const problems: string[] = [];
  if (!config.databaseUrl) problems.push('DATABASE_URL: required for several processes (PGlite is one process only)');
  if (!config.redisUrl && !config.redisClusterNodes)
    problems.push(
      'REDIS_URL or REDIS_CLUSTER_NODES: required for several processes (the in-memory queue is per process)',
    );
  const settings = clusterSettings(process.env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, settings };
}

/** Migrations and the demo seed, once, before any worker starts. */
async function prepareDatabase(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: null, poolSize: 4 });
  try {
    const applied = await migrate(database);
    log.info({ applied }, 'cluster: database migrated');
    if (config.seedDemo) {
      const db = database.db;
      const campaigns = createCampaignService({
        store: createCampaignRepository(db),
        clock: systemClock,
        countsByBirthDate: () => countPeopleByBirthDate(db),
      });
      await seedDemo({ db, config, clock: systemClock, campaigns, log });
    }
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  let setup;
  try {
    setup = clusterConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const { config, settings } = setup;
  const { workers } = settings;
  const log = createLogger(config.logLevel);
  await prepareDatabase(config);

  const workerEnv = (index: number): Record<string, string> => ({
    IDENTITY_HMAC_KEY: config.identityHmacKey,
    SIGNING_SECRET: config.signingSecret,
    SEED_DEMO: 'false',
    // The primary seeded the demo (or not): workers keep its operator accounts, demo ones included.
    DEMO_ACCOUNTS: String(config.demoAccounts),
    ADMISSION_LEADER: index === 1 ? 'true' : 'false',
    WORKER_INDEX: String(index),
  });
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./server.ts', import.meta.url)), execArgv: ['--import', 'tsx'] });

  const roles = new Map<number, number>(); // worker id → index (1 = admission leader)
  const restarts: number[] = [];
  let closing = false;
  let listening = 0;

  const fork = (index: number): Worker => {
    const w = cluster.fork(workerEnv(index));
    roles.set(w.id, index);
    return w;
  };
  cluster.on('listening', (w, address) => {
    listening += 1;
    log.info({ worker: roles.get(w.id), pid: w.process.pid, port: address.port }, 'cluster: worker listening');
    if (listening === workers)
      log.info({ workers, port: address.port, dataDir: join(config.dataDir) }, 'cluster: all workers up');
  });
  cluster.on('exit', (w, code, signal) => {
    const index = roles.get(w.id) ?? 0;
    roles.delete(w.id);
    // Exit code 0 is a worker that shut down on a signal of its own (e.g. Ctrl-C to the group).
    if (closing || code === 0) return;
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length >= settings.maxRestartsPerMinute) {
      log.fatal(
        { worker: index, code, signal, restartsInLastMinute: restarts.length },
        'cluster: workers keep dying (crash loop); stopping',
      );
      void shutdown('crash-loop', 1);
      return;
    }
    const delayMs = Math.min(MAX_RESTART_DELAY_MS, settings.restartBackoffMs * 2 ** restarts.length);
    restarts.push(now);
    log.error(
      { worker: index, code, signal, restartInMs: delayMs },
      'cluster: worker died; replacing it with the same role',
    );
    setTimeout(() => {
      if (!closing) fork(index);
    }, delayMs);
  });

  const shutdown = async (reason: string, exitCode = 0) => {
    if (closing) return;
    closing = true;
    log.info({ reason }, 'cluster: shutting down');
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    const exited = Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
          }),
      ),
    );
    for (const w of alive) w.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS);
    await exited;
    clearTimeout(timer);
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  for (let i = 1; i <= workers; i += 1) fork(i);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
