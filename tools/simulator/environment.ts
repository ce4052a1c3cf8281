/**
 * A run's own, disposable backing stores: a fresh Postgres schema (migrated with the production
 * migrator) and a unique Redis key prefix, both removed by `cleanup()` unless the caller keeps them
 * for inspection. Also the service configuration a run uses, from the scenario's service limits
 * scaled like its cohort, so a 1/1000 run is the same night in miniature.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { dropSchema, migrate, openDatabase, type DatabaseHandle } from '../../src/platform/db.ts';
import { deletePrefix } from '../../src/waiting-room/redis-cleanup.ts';
import type { Scenario } from './scenario.ts';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Service limits at a scale factor: rates and caps shrink with the cohort, never below a working minimum. */
export function scaledService(service: Scenario['service'], scale: number) {
  return {
    partitions: service.partitions,
    admissionTickMs: service.admissionTickMs,
    admissionInitialRatePerSec: Math.max(1, Math.round(service.admissionInitialRatePerSec * scale)),
    admissionMaxRatePerSec: Math.max(5, Math.round(service.admissionMaxRatePerSec * scale)),
    activeSessionCap: Math.max(20, Math.round(service.activeSessionCap * scale)),
    /** 0: no planned rate (ETAs then start from the controller's own rate). */
    admissionPlannedRatePerSec: (service.admissionPlannedRatePerSec ?? 0) * scale,
  };
}

/** The production config, read through loadConfig (so it is validated the same way), for one run. */
export function runConfig(o: {
  dataDir: string;
  redisUrl: string;
  keyPrefix: string;
  service: ReturnType<typeof scaledService> & { readonly activeSessionFloor?: number };
}): { config: Config; env: Record<string, string> } {
  const env = {
    DATA_DIR: o.dataDir,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64url'),
    SIGNING_SECRET: randomBytes(32).toString('base64url'),
    REDIS_URL: o.redisUrl,
    REDIS_KEY_PREFIX: o.keyPrefix,
    WAITING_ROOM_PARTITIONS: String(o.service.partitions),
    ADMISSION_TICK_MS: String(o.service.admissionTickMs),
    ADMISSION_INITIAL_RATE_PER_SEC: String(o.service.admissionInitialRatePerSec),
    ADMISSION_MAX_RATE_PER_SEC: String(o.service.admissionMaxRatePerSec),
    ACTIVE_SESSION_CAP: String(o.service.activeSessionCap),
    ACTIVE_SESSION_FLOOR: String(o.service.activeSessionFloor ?? 0),
    IDENTITY_LATENCY_MS: '0',
    SEED_DEMO: 'false',
    OPERATOR_ACCOUNTS: `operator:operator:${randomBytes(12).toString('base64url')}`,
    LOG_LEVEL: 'silent',
    COOKIE_SECURE: 'false',
  };
  return { config: loadConfig(env), env };
}

export const uniqueRunId = (): string => `sim${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** Fails with a clear message when a store is missing (the caller decides whether that is fatal). */
export async function checkStores(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query('select 1');
  } catch (e) {
    problems.push(`Postgres at ${databaseUrl}: ${(e as Error).message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
  const r = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    problems.push(`Redis at ${redisUrl}: ${(e as Error).message}`);
  } finally {
    r.disconnect();
  }
  return problems;
}

export interface RunStores {
  database: DatabaseHandle;
  schema: string;
  keyPrefix: string;
  /** Drops the schema and deletes the prefix's keys; returns how many keys were deleted. */
  cleanup(): Promise<number>;
}

/** A migrated schema of its own and a key prefix of its own. */
export async function openRunStores(o: {
  databaseUrl: string;
  redisUrl: string;
  runId: string;
  dataDir: string;
  poolSize: number;
}): Promise<RunStores> {
  mkdirSync(o.dataDir, { recursive: true });
  const schema = o.runId.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const database = await openDatabase({ databaseUrl: o.databaseUrl, pgliteDir: null, schema, poolSize: o.poolSize });
  await migrate(database);
  return {
    database,
    schema,
    keyPrefix: o.runId,
    async cleanup() {
      await database.close().catch(() => undefined);
      await dropSchema(o.databaseUrl, schema);
      return deletePrefix(o.redisUrl, o.runId);
    },
  };
}
