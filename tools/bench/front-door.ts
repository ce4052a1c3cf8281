/**
 * `npm run bench` front-door phase: what one yeyak process answers per second and per CPU second at
 * the front door, driven from outside by Debian's `wrk`, next to two floors measured in the same
 * run — nginx serving a small static JSON file, and a Fastify hello-world — and the public snapshot
 * through the real edge (deploy/nginx, tools/edge). Then an open-loop join overload at 5× the join
 * capacity just measured, through an edge that passes 90 % of that capacity (limit_req) and
 * refuses the rest itself, to a process whose JOIN_BUDGET_PER_SEC is that capacity. Everything goes to 127.0.0.1; every process is stopped by the cleanup.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startNginx } from '../edge/nginx.ts';
import { cohortPeople, mintSessions, verifiablePeople } from './citizens.ts';
import { sleep, type Cleanup } from './cleanup.ts';
import { freePort, startService, type RunningService } from './service.ts';
import { runWrk, type Row, type WrkRun } from './wrk.ts';
import { summarizeEdgeLog } from './edge-log.ts';
import { buildOpenLoop, joinRequest, runOpenLoop, writeRequestsFile } from './open-loop.ts';
import { frontDoorTargets, joinBudgetFor, renderFrontDoor, type FrontDoorResult } from './front-door-report.ts';

export interface FrontDoorPlan {
  readonly quick: boolean;
  readonly runId: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly cleanup: Cleanup;
}

const POPULATION = 40_000;

/**
 * A front-door service's environment: its own secrets, the demo seed with POPULATION people
 * (open at once, a day of slots at 200 facilities), an identity provider that answers at once, and
 * the edge on 127.0.0.1 trusted for X-Forwarded-For.
 */
export function frontDoorServiceEnv(secretPrefix: string) {
  return {
    IDENTITY_HMAC_KEY: `${secretPrefix}-hmac-0123456789abcdefghijklmnop`,
    SIGNING_SECRET: `${secretPrefix}-signing-0123456789abcdefghijklmnop`,
    SEED_DEMO: 'true',
    DEMO_POPULATION: String(POPULATION),
    DEMO_FACILITIES: '200',
    DEMO_SLOT_DAYS: '1',
    DEMO_OPENS_IN_MS: '0',
    IDENTITY_LATENCY_MS: '0',
    TRUSTED_PROXIES: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
}
const IDENTITIES = 25_000;
const SNAPSHOT = '/api/campaigns/demo/queue/snapshot';
const JOIN = '/api/campaigns/demo/queue';

/** The Fastify hello-world the front door's rates are compared with, on a free port. */
export async function startHello(cleanup: Cleanup): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./hello-server.ts', import.meta.url).pathname], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.defer('stop hello-world server', () => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hello-world server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid! };
}

/** Tab-separated data files for the Lua script: sessions to join with, identities to verify. */
async function identityFiles(plan: FrontDoorPlan, secret: string): Promise<{ joins: string; verifies: string }> {
  const people = (await cohortPeople(plan.databaseUrl)).slice(0, IDENTITIES);
  const sessions = await mintSessions(secret, people);
  const joins = join(plan.dataDir, 'fd-joins.tsv');
  writeFileSync(joins, sessions.map((s, i) => `${s}\tfd${plan.runId}d${i}`).join('\n'));
  const verifies = join(plan.dataDir, 'fd-verifies.tsv');
  writeFileSync(
    verifies,
    verifiablePeople(POPULATION, IDENTITIES)
      .map((p) => `${p.rrn}\t${p.name}`)
      .join('\n'),
  );
  return { joins, verifies };
}

/** How many snapshot requests the origin answered (its own request metric). */
async function originSnapshotCount(origin: string): Promise<number> {
  const r = await request(`${origin}/metrics`);
  const text = await r.body.text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_request_duration_seconds_count') &&
        l.includes('route="/api/campaigns/:campaignId/queue/snapshot"'),
    )
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** A joined citizen's poll headers (session, device cookie, ticket), for the refusal run. */
async function oneWaitingPerson(origin: string, sessionLine: string): Promise<Record<string, string>> {
  const [token, deviceId] = sessionLine.split('\t') as [string, string];
  const r = await request(`${origin}${JOIN}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId }),
  });
  const body = (await r.body.json()) as { ticket?: string };
  if (r.statusCode !== 200 || !body.ticket) throw new Error(`join for the refusal run answered ${r.statusCode}`);
  return { authorization: `Bearer ${token}`, cookie: `yeyak_dev=${deviceId}`, 'x-queue-ticket': body.ticket };
}

export async function runFrontDoor(plan: FrontDoorPlan): Promise<FrontDoorResult> {
  const { cleanup } = plan;
  const durationSec = plan.quick ? 4 : 8;
  const serviceEnv = frontDoorServiceEnv(`fd-${plan.runId}`);
  const startOne = (name: string, env: Record<string, string>) =>
    startService(
      {
        name,
        workers: 1,
        databaseUrl: plan.databaseUrl,
        redisUrl: plan.redisUrl,
        keyPrefix: `bench${plan.runId}${name}`,
        dataDir: plan.dataDir,
        env: { ...serviceEnv, ...env },
      },
      cleanup,
    );

  const svc: RunningService = await startOne('fd', {});
  const hello = await startHello(cleanup);
  // Its own directory, readable by nginx's workers (the bench's data directory is private).
  const webDir = mkdtempSync(join(tmpdir(), 'yeyak-fd-web-'));
  chmodSync(webDir, 0o755);
  cleanup.defer('remove the static floor file', () => rmSync(webDir, { recursive: true, force: true }));
  // The static floor: a JSON file the size of a one-partition snapshot.
  const snapshotBytes = await request(`${svc.origin}${SNAPSHOT}`).then((r) => r.body.text());
  writeFileSync(join(webDir, 'static.json'), snapshotBytes, { mode: 0o644 });
  const edgePort = await freePort();
  const edge = await startNginx({
    host: '127.0.0.1',
    port: edgePort,
    upstreams: [{ host: '127.0.0.1', port: svc.port }],
    webDir,
    workers: 1,
  });
  cleanup.defer('stop nginx', () => edge.stop());
  const nginxPids = () => childrenOf(edge.pid).concat(edge.pid);
  const files = await identityFiles(plan, serviceEnv.SIGNING_SECRET);
  const signal = cleanup.signal;
  const base = { connections: 64, durationSec };
  const run = (r: Omit<WrkRun, 'connections' | 'durationSec'> & Partial<WrkRun>) => runWrk({ ...base, ...r }, signal);
  const rows: Row[] = [];

  rows.push(
    await run({ name: 'nginx: static JSON file', url: `${edge.origin}/static.json`, cpu: { nginx: nginxPids } }),
  );
  rows.push(await run({ name: 'Fastify hello-world', url: hello.url, cpu: { node: () => [hello.pid] } }));
  rows.push(await run({ name: 'yeyak /healthz', url: `${svc.origin}/healthz`, cpu: { node: svc.pids } }));
  rows.push(await run({ name: 'snapshot, Node direct', url: `${svc.origin}${SNAPSHOT}`, cpu: { node: svc.pids } }));
  const originBefore = await originSnapshotCount(svc.origin);
  rows.push(
    await run({
      name: 'snapshot through nginx',
      url: `${edge.origin}${SNAPSHOT}`,
      cpu: { node: svc.pids, nginx: nginxPids },
    }),
  );
  const originSnapshotPerSec = ((await originSnapshotCount(svc.origin)) - originBefore) / durationSec;
  const pollHeaders = await oneWaitingPerson(
    svc.origin,
    readFileSync(files.joins, 'utf8').split('\n')[IDENTITIES - 1]!,
  );
  // One address polls far over its per-minute allowance: the first 6,000 of the minute are spent in
  // a warm-up run, everything measured after is refused 429 in onRequest.
  await run({ name: 'warm-up', url: `${svc.origin}${JOIN}/status`, headers: pollHeaders, durationSec: 3, cpu: {} });
  rows.push(
    await run({
      name: 'poll refused 429 (per-address limit)',
      url: `${svc.origin}${JOIN}/status`,
      headers: pollHeaders,
      cpu: { node: svc.pids },
    }),
  );
  rows.push(
    await run({
      name: 'verification',
      url: `${svc.origin}/api/identity/verify`,
      mode: 'verify',
      dataFile: files.verifies,
      xff: true,
      cpu: { node: svc.pids },
    }),
  );
  rows.push(
    await run({
      name: 'join',
      url: `${svc.origin}${JOIN}`,
      mode: 'join',
      dataFile: files.joins,
      xff: true,
      cpu: { node: svc.pids },
    }),
  );
  await edge.stop();
  await svc.stop();

  const joinRow = rows.find((r) => r.name === 'join')!;
  const refusalRow = rows.find((r) => r.name.startsWith('poll refused'))!;
  const joinCapacityPerSec = joinRow.classes['2xx']?.count
    ? joinRow.classes['2xx'].count / durationSec
    : joinRow.answersPerSec;
  const budget = joinBudgetFor({
    joinCapacityPerSec,
    joinCpuUs: joinRow.cpuUsPerAnswer.node ?? 0,
    refusalCpuUs: refusalRow.cpuUsPerAnswer.node ?? 0,
    overloadFactor: 5,
  });
  const overloadRate = Math.round(5 * joinCapacityPerSec);
  // The surge goes through an edge that passes 90 % of the measured capacity and answers the rest
  // itself; the origin keeps JOIN_BUDGET_PER_SEC = the capacity as a second line. Every request then
  // reaches the origin from the edge's address, so the per-address limit is lifted for this process.
  const edgeJoinRatePerSec = Math.max(1, Math.round(0.9 * joinCapacityPerSec));
  const shedding = await startOne('fdb', {
    SEED_DEMO: 'false',
    // Without the demo seed the server will not start without accounts of its own (none is used here).
    OPERATOR_ACCOUNTS: `bench:viewer:${randomBytes(12).toString('base64url')}`,
    JOIN_BUDGET_PER_SEC: String(Math.max(1, Math.round(joinCapacityPerSec))),
    QUEUE_PER_IP_PER_MINUTE: '100000000',
  });
  const edgeLogFile = join(plan.dataDir, 'overload-edge.log');
  const shedEdge = await startNginx({
    host: '127.0.0.1',
    port: await freePort(),
    upstreams: [{ host: '127.0.0.1', port: shedding.port }],
    webDir,
    workers: 1,
    joinRatePerSec: edgeJoinRatePerSec,
    joinBurst: Math.max(1, Math.round(edgeJoinRatePerSec / 10)),
    // The edge's own account of every request (time at the edge, time at the origin), read below to
    // tell the generator's late reads from slow answers. nginx's CPU per answer includes its writes.
    accessLog: edgeLogFile,
  });
  cleanup.defer('stop the shedding edge', () => shedEdge.stop());
  await sleep(1_000);
  const overloadName = `join overload, open loop at ${overloadRate.toLocaleString('en-US')}/s (5× capacity)`;
  const overloadSec = plan.quick ? 8 : 15;
  const overloadCpu = {
    node: shedding.pids,
    nginx: () => childrenOf(shedEdge.pid).concat(shedEdge.pid),
  };
  // A paced request waits for a free connection, so there are enough for the joins the edge passes
  // to take up to the whole 1 s at once, plus 50 ms of the rest (the edge's own refusals, when nginx
  // is short of CPU). 4,000 (wrk's, 10 ms of the rest) held the open-loop generator to 7,189 of
  // 25,257 due a second at 06:33 on the loaded machine: every connection busy, the generator idle
  // (0.09 of a core). At most 12,000: the generator's and nginx's open-file limits are 20,000.
  const connections = Math.min(12_000, Math.max(256, Math.round(edgeJoinRatePerSec + overloadRate / 20)));
  const generator = buildOpenLoop(plan.dataDir);
  let overload;
  if (generator.path !== null) {
    const edgeUrl = new URL(shedEdge.origin);
    const requestsFile = join(plan.dataDir, 'fd-overload-requests.txt');
    writeRequestsFile(
      requestsFile,
      readFileSync(files.joins, 'utf8')
        .split('\n')
        .filter((l) => l.includes('\t'))
        .map((l) => {
          const [sessionToken, deviceId] = l.split('\t') as [string, string];
          return joinRequest({ host: edgeUrl.host, path: JOIN, sessionToken, deviceId });
        }),
    );
    overload = await runOpenLoop(
      {
        name: overloadName,
        generator: generator.path,
        host: edgeUrl.hostname,
        port: Number(edgeUrl.port),
        ratePerSec: overloadRate,
        durationSec: overloadSec,
        maxConnections: connections,
        requestsFile,
        cpu: overloadCpu,
      },
      signal,
    );
  } else {
    console.warn(
      `front door: no open-loop generator (${'why' in generator ? generator.why : ''}); the overload falls back to wrk's paced script`,
    );
    overload = await run({
      name: overloadName,
      url: `${shedEdge.origin}${JOIN}`,
      mode: 'join',
      dataFile: files.joins,
      ratePerSec: overloadRate,
      // Two generator threads, requests formatted once (front-door.lua).
      threads: 2,
      connections: Math.min(4_000, connections),
      durationSec: overloadSec,
      cpu: overloadCpu,
    });
  }
  await shedEdge.stop(); // nginx writes out its log buffer as it exits
  await shedding.stop();
  const overloadEdge = summarizeEdgeLog(readFileSync(edgeLogFile, 'utf8'));
  const result: FrontDoorResult = {
    rows,
    originSnapshotPerSec,
    joinCapacityPerSec,
    budget,
    edgeJoinRatePerSec,
    overload,
    overloadEdge,
    durationSec,
    overloadSec,
    targets: [],
  };
  result.targets = frontDoorTargets(result);
  return { ...result, text: renderFrontDoor(result) };
}

/** The pids of `parent`'s children (nginx's workers). */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
