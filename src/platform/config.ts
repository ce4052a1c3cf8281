/**
 * The one place configuration is read. Every key is typed, has its unit in its name, and is
 * validated at start-up; a bad start lists every bad key at once. The result is frozen.
 * No behaviour is keyed on NODE_ENV: what differs between environments is a key here.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Real Postgres when set; otherwise the embedded PGlite database in `dataDir/pglite`. */
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** Opening a pg connection or waiting for a free pooled one; past it the request gets a 503. */
  readonly databaseConnectTimeoutMs: number;
  /** Server-side statement_timeout of the service's connections. */
  readonly databaseStatementTimeoutMs: number;
  /** Server-side lock_timeout: a statement waiting on a locked row or table fails after this. */
  readonly databaseLockTimeoutMs: number;
  /** Server-side idle_in_transaction_session_timeout: a transaction left open is ended after this. */
  readonly databaseIdleInTransactionTimeoutMs: number;
  /** A pooled connection unused this long is closed. */
  readonly databaseIdleTimeoutMs: number;
  /** How often the availability probe reads the tables requests need; also the breaker's open time. */
  readonly databaseProbeIntervalMs: number;
  /** A probe slower than this marks the database unavailable (pg only). */
  readonly databaseProbeTimeoutMs: number;
  /** Redis for the waiting room when set; otherwise the in-memory store. */
  readonly redisUrl: string | null;
  /**
   * Redis Cluster seed nodes (`REDIS_CLUSTER_NODES=host:port,host:port,…`) for the waiting room,
   * instead of REDIS_URL (not both); the client discovers the other nodes itself.
   */
  readonly redisClusterNodes: readonly { readonly host: string; readonly port: number }[] | null;
  readonly dataDir: string;
  /** The built citizen site and console (`npm run build:web` writes `dist/web`). */
  readonly webDir: string;
  /** `npm run bench` results files the console's capacity plan reads, comma-separated (default: the committed example runs). */
  readonly capacityBenchFiles: readonly string[];
  /** Load scenarios (arrival curves) the capacity plan offers. */
  readonly capacityScenariosDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Key for the keyed hash (HMAC-SHA256) of resident registration numbers. Never log it. */
  readonly identityHmacKey: string;
  /** Secret from which token-signing keys are derived (sessions, tickets, admissions). */
  readonly signingSecret: string;
  readonly identitySessionTtlMs: number;
  readonly identityLatencyMs: number;
  /** Probability 0..1 that the simulated identity provider fails a verification. */
  readonly identityFailureRate: number;
  readonly outboxChannel: 'file' | 'log';
  readonly outboxFile: string;
  readonly outboxPollMs: number;
  readonly outboxMaxAttempts: number;
  /** How long a sender's claim on a message lasts before another sender may send it (a dead sender's claims). */
  readonly outboxClaimLeaseMs: number;
  /** Accepted messages marked sent per statement: the most a crashed sender re-sends (1 = only the one in flight). */
  readonly outboxMarkEvery: number;
  /**
   * New bookings written together in one call, at most (1: each alone; at most 64, the subtransactions
   * a backend keeps in shared memory before it spills them). See src/booking/README.md, "Batching".
   */
  readonly bookingBatchMax: number;
  /** Booking writes (batches) running at once per process; what arrives meanwhile waits for the next batch. */
  readonly bookingBatchesInFlight: number;
  /** Where citizens open the site: the link in a "your turn is near" message. Default http://HOST:PORT. */
  readonly publicBaseUrl: string;
  /** How often the admission leader looks for opted-in places near the front (ms). */
  readonly turnNoticeEveryMs: number;
  readonly seedDemo: boolean;
  readonly demoPopulation: number;
  readonly demoFacilities: number;
  readonly demoSlotDays: number;
  /** Delay from start-up until the demo campaign opens (so the pre-opening room can be seen). */
  readonly demoOpensInMs: number;
  /**
   * `name:viewer|operator|approver|agent:password,…`. Unset, the demo accounts (README) — only where the demo
   * accounts are allowed (`demoAccounts`); elsewhere it must be set and may not use a demo password.
   */
  readonly operatorAccounts: string;
  /** The deployment runs on demo data (DEMO_ACCOUNTS, default SEED_DEMO; cluster workers inherit it). */
  readonly demoAccounts: boolean;
  /** How often each process looks for approved campaign versions whose publish instant has come. */
  readonly publishPollMs: number;
  /** The console's history: one dashboard sample per campaign every DASHBOARD_SAMPLE_MS, kept DASHBOARD_HISTORY_MS. */
  readonly dashboardSampleMs: number;
  readonly dashboardHistoryMs: number;
  readonly operatorSessionTtlMs: number;
  /** Secure cookies (HTTPS only; browsers also accept them from http://localhost and 127.0.0.1). */
  readonly cookieSecure: boolean;
  /**
   * The site is reached over HTTPS (TLS here or at the edge in front): answers carry
   * Strict-Transport-Security. Off by default, since HSTS over plain HTTP would pin a name to TLS.
   */
  readonly tlsEnabled: boolean;
  /** Partitions of each campaign's queue (spread over Redis Cluster shards); fixed per campaign. */
  readonly waitingRoomPartitions: number;
  /** How often the admission leader admits the next people. */
  readonly admissionTickMs: number;
  readonly admissionInitialRatePerSec: number;
  readonly admissionMaxRatePerSec: number;
  readonly activeSessionCap: number;
  /**
   * The fewest people in session a slow booking path cuts the session limit to (0: 10 % of the cap;
   * at most the cap). A deployment whose load test found what its path takes sets it there.
   */
  readonly activeSessionFloor: number;
  /** Whether this process may run the admission loop; with Redis a lease picks one leader among them. */
  readonly admissionLeader: boolean;
  readonly redisKeyPrefix: string;
  /** Joins are turned away (429, Retry-After) while this process's mean event-loop delay is above this; 0: never. */
  readonly joinShedEventLoopDelayMs: number;
  /** Joins/leaves one process works on at once; more are turned away with 429 queue-busy (0: no cap). */
  readonly joinMaxInFlight: number;
  /**
   * Joins one process starts per second (a token bucket, burst = one second's worth); more are
   * turned away at once with 429 queue-busy before their body is parsed or their session verified.
   * Size it from the measured join capacity of one process (`npm run bench`, front-door phase); 0: no budget.
   */
  readonly joinBudgetPerSec: number;
  /**
   * A join that waited longer than this (ms) between the edge and this process (the edge's
   * X-Request-Start) is turned away at once with 429 queue-busy, so a backlog in front of a slow
   * process drains instead of answering after the person's second; 0: never.
   */
  readonly joinMaxQueuedMs: number;
  /** Per client address, per minute, for queue requests (join, leave, status), counted as the service sees the address. */
  readonly queuePerIpPerMinute: number;
  /**
   * Per-identity limits (per minute, counted in each process's memory) on the routes one person could
   * otherwise hammer: slot searches, booking lookups, changes, cancellations, and verification (also
   * per client address). Over them: 429 with Retry-After.
   */
  readonly perIdentityLimits: {
    readonly searchPerMinute: number;
    readonly lookupPerMinute: number;
    readonly changePerMinute: number;
    readonly cancelPerMinute: number;
    readonly verifyPerMinute: number;
    readonly verifyPerIpPerMinute: number;
  };
  /**
   * Addresses (or CIDRs) of the edge proxies whose X-Forwarded-For is believed (`TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8`);
   * empty: none, the socket's address is the client's. Only the edge's own addresses belong here, or a client
   * could choose its own address for the per-address limits.
   */
  readonly trustedProxies: readonly string[];
  /**
   * BENCHMARK ONLY (`ADMISSION_GATE=off`): booking routes skip the waiting room's admission check,
   * so `npm run bench` can show what the 2021 design (requests straight to booking) does under
   * overload. Default on; never turn it off in a deployment.
   */
  readonly admissionGate: boolean;
}

type Env = Record<string, string | undefined>;

class ConfigProblems {
  readonly list: string[] = [];
  int(env: Env, key: string, fallback: number, min: number, max: number): number {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.list.push(`${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  }
  num(env: Env, key: string, fallback: number, min: number, max: number): number {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.list.push(`${key}: expected a number in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  }
  oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.list.push(`${key}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return raw as T;
  }
  bool(env: Env, key: string, fallback: boolean): boolean {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.list.push(`${key}: expected true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  url(env: Env, key: string, protocols: string[]): string | null {
    const raw = env[key];
    if (raw === undefined || raw === '') return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) this.list.push(`${key}: expected ${protocols.join(' or ')} URL`);
    } catch {
      this.list.push(`${key}: not a URL`);
    }
    return raw;
  }
  /** `host:port,host:port,…`; null when unset. */
  hostPorts(env: Env, key: string): { host: string; port: number }[] | null {
    const raw = env[key];
    if (raw === undefined || raw === '') return null;
    const nodes = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => {
        const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(s);
        const port = Number(m?.[2]);
        return m && port >= 1 && port <= 65535 ? { host: m[1]!.replace(/^\[|\]$/g, ''), port } : null;
      });
    if (nodes.length === 0 || nodes.some((n) => n === null)) {
      this.list.push(`${key}: expected host:port[,host:port…], got ${JSON.stringify(raw)}`);
      return null;
    }
    return nodes as { host: string; port: number }[];
  }
  /** `addr[/prefix],…` (IPv4 or IPv6); empty when unset. */
  addresses(env: Env, key: string): string[] {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') return [];
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const bad = list.filter((s) => {
      const [addr, bits, ...rest] = s.split('/');
      const family = isIP(addr ?? '');
      const max = family === 6 ? 128 : 32;
      return (
        family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))
      );
    });
    if (bad.length > 0)
      this.list.push(`${key}: expected addresses or CIDRs separated by commas, got ${JSON.stringify(bad.join(','))}`);
    return list;
  }
  secret(env: Env, key: string, local: Record<string, string>): string {
    const raw = env[key] ?? local[key];
    if (raw === undefined || raw.length < 32) {
      this.list.push(`${key}: expected at least 32 characters`);
      return '';
    }
    return raw;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Secrets not given in the environment are generated once and kept in `dataDir/secrets.json`
 * (mode 0600), so a single-machine start needs no setup; several processes sharing a database
 * must be given the same secrets through the environment.
 */
function localSecrets(dataDir: string, env: Env): Record<string, string> {
  const needed = ['IDENTITY_HMAC_KEY', 'SIGNING_SECRET'].filter((k) => !env[k]);
  if (needed.length === 0) return {};
  const file = join(dataDir, 'secrets.json');
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const key of needed) {
    if (!stored[key]) {
      stored[key] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return stored;
}

const DEMO_PASSWORDS = ['yeyak-operator-demo', 'yeyak-viewer-demo', 'yeyak-approver-demo', 'yeyak-agent-demo'];
const DEMO_OPERATOR_ACCOUNTS = `operator:operator:${DEMO_PASSWORDS[0]},viewer:viewer:${DEMO_PASSWORDS[1]},approver:approver:${DEMO_PASSWORDS[2]},agent:agent:${DEMO_PASSWORDS[3]}`;

/**
 * The demo accounts exist only with the demo data (issue 11: they were live whenever
 * OPERATOR_ACCOUNTS was unset). Without it, accounts must be given, and not with a demo password.
 */
function operatorAccountsOf(env: Env, p: ConfigProblems, isDemo: boolean): string {
  const given = env.OPERATOR_ACCOUNTS ?? '';
  if (isDemo) return given || DEMO_OPERATOR_ACCOUNTS;
  const what =
    'set OPERATOR_ACCOUNTS=name:viewer|operator|approver|agent:password[,name:role:password…] with passwords of your own (at least 8 characters)';
  if (given === '')
    p.list.push(
      `OPERATOR_ACCOUNTS: required without the demo seed (SEED_DEMO=false): ${what}; the demo accounts exist only with SEED_DEMO=true`,
    );
  else if (
    DEMO_PASSWORDS.some((d) => given.split(',').some((entry) => entry.trim().split(':').slice(2).join(':') === d))
  ) {
    p.list.push(`OPERATOR_ACCOUNTS: a demo password is not allowed without the demo seed (SEED_DEMO=false): ${what}`);
  }
  return given;
}

export function loadConfig(env: Env = process.env): Config {
  const p = new ConfigProblems();
  const dataDir = resolve(env.DATA_DIR || '.data');
  const secrets = localSecrets(dataDir, env);
  const demoAccounts = p.bool(env, 'DEMO_ACCOUNTS', env.SEED_DEMO === 'false' || env.SEED_DEMO === '0' ? false : true);
  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: p.int(env, 'PORT', 3000, 0, 65535),
    databaseUrl: p.url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: p.int(env, 'DATABASE_POOL_SIZE', 16, 1, 200),
    databaseConnectTimeoutMs: p.int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 1_000, 50, 60_000),
    databaseStatementTimeoutMs: p.int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000, 50, 600_000),
    databaseLockTimeoutMs: p.int(env, 'DATABASE_LOCK_TIMEOUT_MS', 500, 10, 600_000),
    databaseIdleInTransactionTimeoutMs: p.int(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000, 100, 3_600_000),
    databaseIdleTimeoutMs: p.int(env, 'DATABASE_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    databaseProbeIntervalMs: p.int(env, 'DATABASE_PROBE_INTERVAL_MS', 250, 10, 60_000),
    databaseProbeTimeoutMs: p.int(env, 'DATABASE_PROBE_TIMEOUT_MS', 1_000, 10, 60_000),
    redisUrl: p.url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisClusterNodes: p.hostPorts(env, 'REDIS_CLUSTER_NODES'),
    dataDir,
    webDir: resolve(env.WEB_DIR || 'dist/web'),
    capacityBenchFiles: (
      env.CAPACITY_BENCH_FILES ||
      'data/bench/bench-2026-11-30T0647Z-2core-machine-frontdoor.json,data/bench/bench-2026-11-30T0613Z-2core-machine-peak.json'
    )
      .split(',')
      .map((f) => resolve(f.trim())),
    capacityScenariosDir: resolve(env.CAPACITY_SCENARIOS_DIR || 'data/scenarios'),
    logLevel: p.oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    identityHmacKey: p.secret(env, 'IDENTITY_HMAC_KEY', secrets),
    signingSecret: p.secret(env, 'SIGNING_SECRET', secrets),
    identitySessionTtlMs: p.int(env, 'IDENTITY_SESSION_TTL_MS', 30 * 60_000, 60_000, 24 * 3_600_000),
    identityLatencyMs: p.int(env, 'IDENTITY_LATENCY_MS', 30, 0, 60_000),
    identityFailureRate: p.num(env, 'IDENTITY_FAILURE_RATE', 0, 0, 1),
    outboxChannel: p.oneOf(env, 'OUTBOX_CHANNEL', 'file', ['file', 'log'] as const),
    outboxFile: resolve(env.OUTBOX_FILE || join(dataDir, 'outbox-sent.jsonl')),
    outboxPollMs: p.int(env, 'OUTBOX_POLL_MS', 500, 10, 600_000),
    outboxMaxAttempts: p.int(env, 'OUTBOX_MAX_ATTEMPTS', 10, 1, 1000),
    outboxClaimLeaseMs: p.int(env, 'OUTBOX_CLAIM_LEASE_MS', 30_000, 100, 3_600_000),
    outboxMarkEvery: p.int(env, 'OUTBOX_MARK_EVERY', 32, 1, 1000),
    bookingBatchMax: p.int(env, 'BOOKING_BATCH_MAX', 32, 1, 64),
    bookingBatchesInFlight: p.int(env, 'BOOKING_BATCHES_IN_FLIGHT', 2, 1, 64),
    publicBaseUrl:
      p.url(env, 'PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://${env.HOST || '127.0.0.1'}:${env.PORT || '3000'}`,
    turnNoticeEveryMs: p.int(env, 'TURN_NOTICE_EVERY_MS', 2_000, 100, 600_000),
    seedDemo: p.bool(env, 'SEED_DEMO', true),
    demoPopulation: p.int(env, 'DEMO_POPULATION', 20_000, 0, 100_000_000),
    demoFacilities: p.int(env, 'DEMO_FACILITIES', 10_000, 1, 100_000),
    demoSlotDays: p.int(env, 'DEMO_SLOT_DAYS', 7, 1, 60),
    // Ten minutes: time for a newcomer to read the README, find a demo person and verify before the opening (issue 14).
    demoOpensInMs: p.int(env, 'DEMO_OPENS_IN_MS', 600_000, 0, 7 * 24 * 3_600_000),
    operatorAccounts: operatorAccountsOf(env, p, demoAccounts),
    demoAccounts,
    publishPollMs: p.int(env, 'PUBLISH_POLL_MS', 5_000, 50, 600_000),
    dashboardSampleMs: p.int(env, 'DASHBOARD_SAMPLE_MS', 5_000, 50, 600_000),
    dashboardHistoryMs: p.int(env, 'DASHBOARD_HISTORY_MS', 2 * 3_600_000, 60_000, 48 * 3_600_000),
    operatorSessionTtlMs: p.int(env, 'OPERATOR_SESSION_TTL_MS', 8 * 3_600_000, 60_000, 7 * 24 * 3_600_000),
    cookieSecure: p.bool(env, 'COOKIE_SECURE', true),
    tlsEnabled: p.bool(env, 'TLS_ENABLED', false),
    waitingRoomPartitions: p.int(env, 'WAITING_ROOM_PARTITIONS', 1, 1, 1024),
    admissionTickMs: p.int(env, 'ADMISSION_TICK_MS', 250, 10, 10_000),
    admissionInitialRatePerSec: p.int(env, 'ADMISSION_INITIAL_RATE_PER_SEC', 100, 1, 100_000),
    admissionMaxRatePerSec: p.int(env, 'ADMISSION_MAX_RATE_PER_SEC', 5_000, 1, 1_000_000),
    activeSessionCap: p.int(env, 'ACTIVE_SESSION_CAP', 5_000, 1, 10_000_000),
    activeSessionFloor: p.int(env, 'ACTIVE_SESSION_FLOOR', 0, 0, 10_000_000),
    admissionLeader: p.bool(env, 'ADMISSION_LEADER', true),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'yeyak',
    joinShedEventLoopDelayMs: p.int(env, 'JOIN_SHED_EVENT_LOOP_DELAY_MS', 500, 0, 60_000),
    joinMaxInFlight: p.int(env, 'JOIN_MAX_IN_FLIGHT', 256, 0, 1_000_000),
    joinBudgetPerSec: p.int(env, 'JOIN_BUDGET_PER_SEC', 0, 0, 1_000_000),
    joinMaxQueuedMs: p.int(env, 'JOIN_MAX_QUEUED_MS', 300, 0, 60_000),
    queuePerIpPerMinute: p.int(env, 'QUEUE_PER_IP_PER_MINUTE', 6_000, 1, 100_000_000),
    perIdentityLimits: {
      searchPerMinute: p.int(env, 'SEARCH_PER_IDENTITY_PER_MINUTE', 60, 1, 1_000_000),
      lookupPerMinute: p.int(env, 'LOOKUP_PER_IDENTITY_PER_MINUTE', 60, 1, 1_000_000),
      changePerMinute: p.int(env, 'CHANGE_PER_IDENTITY_PER_MINUTE', 10, 1, 1_000_000),
      cancelPerMinute: p.int(env, 'CANCEL_PER_IDENTITY_PER_MINUTE', 10, 1, 1_000_000),
      verifyPerMinute: p.int(env, 'VERIFY_PER_IDENTITY_PER_MINUTE', 10, 1, 1_000_000),
      verifyPerIpPerMinute: p.int(env, 'VERIFY_PER_IP_PER_MINUTE', 6_000, 1, 100_000_000),
    },
    trustedProxies: p.addresses(env, 'TRUSTED_PROXIES'),
    admissionGate: p.oneOf(env, 'ADMISSION_GATE', 'on', ['on', 'off'] as const) === 'on',
  };
  if (config.redisUrl && config.redisClusterNodes) p.list.push('REDIS_URL and REDIS_CLUSTER_NODES: set one, not both');
  if (config.databaseLockTimeoutMs > config.databaseStatementTimeoutMs)
    p.list.push(
      'DATABASE_LOCK_TIMEOUT_MS: must not exceed DATABASE_STATEMENT_TIMEOUT_MS (the statement limit would hide it)',
    );
  if (p.list.length > 0) throw new ConfigError(p.list);
  return Object.freeze(config);
}
