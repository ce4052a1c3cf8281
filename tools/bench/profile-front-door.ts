/**
 * Where a front-door answer's CPU goes: starts ONE yeyak process (src/server.ts) under
 * `node --cpu-prof` over a scratch database, drives one front-door target with `wrk` (the same Lua
 * script and data as the front-door phase), stops the process and prints the functions with the
 * most self time, plus Node CPU µs per answer.
 *
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx tools/bench/profile-front-door.ts healthz|snapshot|refusal|verify|join [seconds]
 *
 * The profile (.cpuprofile, for Chrome DevTools or speedscope) is kept in artifacts/profile/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { cohortPeople, mintSessions, verifiablePeople } from './citizens.ts';
import { createCleanup } from './cleanup.ts';
import { createScratchDatabase } from './machine.ts';
import { frontDoorServiceEnv } from './front-door.ts';
import { startService } from './service.ts';
import { runWrk, type WrkRun } from './wrk.ts';

const TARGETS = ['healthz', 'snapshot', 'refusal', 'verify', 'join'] as const;
type Target = (typeof TARGETS)[number];
const JOIN = '/api/campaigns/demo/queue';
/** Joins a second one profiled process answers at most (to size the run's distinct identities). */
const JOINS_PER_SEC_AT_MOST = 12_000;

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Self time per function (name + file:line), largest first, as shares of the busy samples of the
 * profile's last `windowSec` seconds (the load run; start-up and the demo seed come before it).
 */
export function topSelf(profile: Profile, n: number, windowSec: number): string[] {
  const times: number[] = [];
  let t = 0;
  for (const d of profile.timeDeltas) times.push((t += d));
  const from = t - windowSec * 1e6;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hitsOf = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (times[i]! >= from) hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
  });
  const self = new Map<string, number>();
  let total = 0;
  for (const [id, hits] of hitsOf) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|tools)\//, '$1/')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

async function main() {
  const target = (process.argv[2] ?? 'healthz') as Target;
  if (!TARGETS.includes(target)) throw new Error(`target: one of ${TARGETS.join(', ')}`);
  const seconds = Number(process.argv[3] ?? 6);
  const cleanup = createCleanup({ budgetMs: 8 * 60_000, log: (l) => process.stderr.write(`${l}\n`) });
  const runId = `${process.pid}${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-prof-'));
  const profileDir = join(dataDir, 'profile');
  cleanup.defer('remove temporary files', () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const databaseUrl = await createScratchDatabase(adminUrl, `yeyak_bench_${runId}_prof`, cleanup);
    const serviceEnv = frontDoorServiceEnv(`prof-${runId}`);
    const svc = await startService(
      {
        name: 'prof',
        workers: 1,
        databaseUrl,
        redisUrl,
        keyPrefix: `bench${runId}prof`,
        dataDir,
        cpuProfileDir: profileDir,
        env: {
          ...serviceEnv,
          ...(target === 'join' ? { QUEUE_PER_IP_PER_MINUTE: '100000000' } : {}),
        },
      },
      cleanup,
    );
    const base: Omit<WrkRun, 'name' | 'url'> = { connections: 64, durationSec: seconds, cpu: { node: svc.pids } };
    let run: WrkRun;
    if (target === 'healthz') run = { ...base, name: target, url: `${svc.origin}/healthz` };
    else if (target === 'snapshot') run = { ...base, name: target, url: `${svc.origin}${JOIN}/snapshot` };
    else if (target === 'verify') {
      const file = join(dataDir, 'verifies.tsv');
      writeFileSync(
        file,
        verifiablePeople(40_000, 20_000)
          .map((p) => `${p.rrn}\t${p.name}`)
          .join('\n'),
      );
      run = {
        ...base,
        name: target,
        url: `${svc.origin}/api/identity/verify`,
        mode: 'verify',
        dataFile: file,
        xff: true,
      };
    } else {
      // Joins: synthetic identities (a join reads no database row), enough that none joins twice in
      // the run — a re-join of someone the cursor passed is a claim, with a Postgres write of its own.
      const people =
        target === 'join'
          ? Array.from({ length: JOINS_PER_SEC_AT_MOST * seconds }, (_, i) => ({
              id: 1_000_000 + i,
              identityHash: randomBytes(32).toString('base64url'),
            }))
          : (await cohortPeople(databaseUrl)).slice(0, 20_000);
      const sessions = await mintSessions(serviceEnv.SIGNING_SECRET, people);
      const file = join(dataDir, 'joins.tsv');
      writeFileSync(file, sessions.map((s, i) => `${s}\tprof${runId}d${i}`).join('\n'));
      if (target === 'join')
        run = { ...base, name: target, url: `${svc.origin}${JOIN}`, mode: 'join', dataFile: file, xff: true };
      else {
        const token = sessions[0]!;
        const deviceId = `prof${runId}d0`;
        const r = await request(`${svc.origin}${JOIN}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId }),
        });
        const { ticket } = (await r.body.json()) as { ticket: string };
        const headers = { authorization: `Bearer ${token}`, cookie: `yeyak_dev=${deviceId}`, 'x-queue-ticket': ticket };
        await runWrk(
          { ...base, name: 'warm-up', url: `${svc.origin}${JOIN}/status`, headers, durationSec: 3, cpu: {} },
          cleanup.signal,
        );
        run = { ...base, name: target, url: `${svc.origin}${JOIN}/status`, headers };
      }
    }
    const row = await runWrk(run, cleanup.signal);
    await svc.stop();
    console.log(
      `${row.name}: ${Math.round(row.answersPerSec)} answers/s, Node ${row.cpuUsPerAnswer.node?.toFixed(1)} µs/answer, ${JSON.stringify(row.classes)}`,
    );
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Profile;
    console.log(topSelf(profile, Number(process.env.PROFILE_TOP ?? 40), seconds + 0.5).join('\n'));
    const keep = resolve('artifacts/profile');
    mkdirSync(keep, { recursive: true });
    renameSync(join(profileDir, file), join(keep, `${target}-${runId}.cpuprofile`));
    console.log(`profile: artifacts/profile/${target}-${runId}.cpuprofile`);
  } finally {
    await cleanup.runAll();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
