/**
 * The machine's own limits, measured in the same run as the service: pgbench on a booking-shaped
 * transaction in a scratch database, and redis-benchmark on the waiting room's real join script
 * (EVALSHA) plus plain GET/INCR, under a key prefix of the bench's own. Both are dropped/deleted
 * afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { joinCountKey, partitionKeys } from '../../src/waiting-room/keys.ts';
import { deletePrefix } from '../../src/waiting-room/redis-cleanup.ts';
import type { Cleanup } from './cleanup.ts';
import {
  parsePgbench,
  parseRedisBenchmarkCsv,
  parseWaitingRoomBench,
  type PgbenchResult,
  type RedisBenchmarkRow,
  type WaitingRoomBenchResult,
} from './parse.ts';
import { runTool } from './run-tool.ts';
import { cpuMsOf } from './cpu-time.ts';

const SLOTS = 100_000;

/** The booking in three statements: take a seat if one is free, record the booking, queue its message. */
export const PGBENCH_SCRIPT = `\\set id random(1, ${SLOTS})
\\set person random(1, 100000000)
BEGIN;
UPDATE slots SET booked = booked + 1 WHERE id = :id AND booked < capacity;
INSERT INTO bookings (slot_id, person_id, booking_number) VALUES (:id, :person, md5(random()::text));
INSERT INTO outbox (booking_id, payload) VALUES (currval('bookings_id_seq'), '{"kind":"booking-confirmed","to":"010-0000-0000"}');
END;
`;

const PGBENCH_SCHEMA = `
CREATE TABLE slots (id bigint PRIMARY KEY, capacity integer NOT NULL, booked integer NOT NULL DEFAULT 0, CHECK (booked >= 0 AND booked <= capacity));
CREATE TABLE bookings (id bigserial PRIMARY KEY, slot_id bigint NOT NULL REFERENCES slots (id), person_id bigint NOT NULL,
  booking_number text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX bookings_person ON bookings (person_id);
CREATE TABLE outbox (id bigserial PRIMARY KEY, booking_id bigint NOT NULL REFERENCES bookings (id), payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
INSERT INTO slots (id, capacity) SELECT g, 20 FROM generate_series(1, ${SLOTS}) g;
`;

/** postgres://…/<db> for another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a scratch database and registers its drop; returns its URL. */
export async function createScratchDatabase(adminUrl: string, name: string, cleanup: Cleanup): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanup.defer(`drop database ${name}`, async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  return databaseUrl(adminUrl, name);
}

export interface PgbenchRun {
  readonly clients: number;
  readonly result: PgbenchResult;
  /**
   * CPU ms of its PostgreSQL backends per transaction (/proc of each backend, sampled every 100 ms
   * while it lives: the last <100 ms of each is missed), comparable with the peak phase's
   * "its PostgreSQL backends" per booking; null when no backend was seen.
   */
  readonly postgresCpuMsPerTx: number | null;
}

/** Samples the CPU of `database`'s backends (other than the sampler's own) until stopped. */
async function backendCpuSampler(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const lastSeen = new Map<number, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await c.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      for (const { pid } of r.rows) {
        const ms = cpuMsOf(pid);
        if (ms > 0) lastSeen.set(pid, ms);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await loop.catch(() => undefined);
      await c.end();
      return [...lastSeen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

export async function runPgbench(o: {
  adminUrl: string;
  database: string;
  clients: readonly number[];
  durationSec: number;
  cleanup: Cleanup;
}): Promise<PgbenchRun[]> {
  const url = await createScratchDatabase(o.adminUrl, o.database, o.cleanup);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(PGBENCH_SCHEMA);
    await c.query('VACUUM ANALYZE slots'); // not inside the multi-statement (implicit) transaction
  } finally {
    await c.end();
  }
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-pgbench-'));
  o.cleanup.defer('remove pgbench script', () => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'booking.sql');
  writeFileSync(script, PGBENCH_SCRIPT);
  const runs: PgbenchRun[] = [];
  for (const clients of o.clients) {
    const sampler = await backendCpuSampler(url);
    let stdout: string;
    let backendMs: number;
    try {
      ({ stdout } = await runTool(
        'pgbench',
        ['-n', '-f', script, '-c', String(clients), '-j', '2', '-T', String(o.durationSec), url],
        { timeoutMs: (o.durationSec + 60) * 1000, signal: o.cleanup.signal },
      ));
    } finally {
      backendMs = await sampler.stop();
    }
    const result = parsePgbench(stdout);
    runs.push({
      clients,
      result,
      postgresCpuMsPerTx: backendMs > 0 && result.transactions > 0 ? backendMs / result.transactions : null,
    });
  }
  return runs;
}

export interface RedisBaseline {
  readonly joinEvalsha: RedisBenchmarkRow;
  readonly get: RedisBenchmarkRow;
  readonly incr: RedisBenchmarkRow;
  readonly clients: number;
  readonly requests: number;
}

function joinScript(): string {
  const read = (file: string) =>
    readFileSync(new URL(`../../src/waiting-room/scripts/${file}.lua`, import.meta.url), 'utf8');
  return read('join').replace('--#include lib', read('lib'));
}

/**
 * redis-benchmark against the real join.lua (the same text redis-store.ts loads) on an opened
 * partition under `keyPrefix`: every call takes a new place (22-char field from __rand_int__).
 */
export async function runRedisBenchmark(o: {
  url: string;
  keyPrefix: string;
  requests: number;
  clients: number;
  cleanup: Cleanup;
}): Promise<RedisBaseline> {
  o.cleanup.defer(`delete redis keys ${o.keyPrefix}`, () => deletePrefix(o.url, o.keyPrefix));
  const redis = new Redis(o.url, { maxRetriesPerRequest: 1 });
  const ref = { campaignId: 'bench', partition: 0 };
  const keys = partitionKeys(o.keyPrefix, ref);
  let sha: string;
  try {
    sha = String(await redis.script('LOAD', joinScript()));
    await redis.hset(keys.meta, 'init', 1, 'cursor', 0, 'n', 0, 'claimed', 0, 'graceFloor', 0);
  } finally {
    redis.disconnect();
  }
  const u = new URL(o.url);
  const base = [
    '-h',
    u.hostname,
    '-p',
    u.port || '6379',
    '-n',
    String(o.requests),
    '-c',
    String(o.clients),
    '-r',
    '100000000',
    '--csv',
  ];
  const tag = `{wr:${o.keyPrefix}:bench-kv}`;
  const now = Date.now();
  const run = async (cmd: string[]) => {
    const { stdout } = await runTool('redis-benchmark', [...base, ...cmd], {
      timeoutMs: 120_000,
      signal: o.cleanup.signal,
    });
    return parseRedisBenchmarkCsv(stdout)[0]!;
  };
  return {
    joinEvalsha: await run([
      'EVALSHA',
      sha,
      '5',
      keys.meta,
      keys.people,
      keys.pre,
      keys.active,
      // The identity's join counter, as the service counts it (10 a minute); redis-benchmark draws
      // each __rand_int__ on its own, so counter and field are different random people.
      joinCountKey(o.keyPrefix, ref, 'f000000000__rand_int__'),
      'f000000000__rand_int__',
      'devtag00001',
      String(now),
      String(now - 60_000),
      '0',
      '600000',
      '10',
      '60000',
    ]),
    get: await run(['GET', `${tag}:__rand_int__`]),
    incr: await run(['INCR', `${tag}:__rand_int__`]),
    clients: o.clients,
    requests: o.requests,
  };
}

/** tools/bench/waiting-room.bench.ts as it is (join through the service and Lua; poll from the snapshot). */
export async function runWaitingRoomBench(o: {
  redisUrl: string;
  people: number;
  concurrency: number;
  cleanup: Cleanup;
}): Promise<WaitingRoomBenchResult & { output: string }> {
  const script = new URL('./waiting-room.bench.ts', import.meta.url).pathname;
  const { stdout } = await runTool(
    process.execPath,
    ['--import', 'tsx', script, String(o.people), String(o.concurrency)],
    { timeoutMs: 300_000, signal: o.cleanup.signal, env: { ...process.env, REDIS_BENCH_URL: o.redisUrl } },
  );
  return { ...parseWaitingRoomBench(stdout), output: stdout };
}
