/**
 * A/B of the front door in one run: the same service from two checkouts (A: `--base DIR`, another
 * commit's tree with node_modules beside it, e.g. `git archive <commit> | tar -x -C DIR`; B: this
 * checkout), one process each, driven in turn by the front-door phase's `wrk` script, with a Fastify
 * hello-world measured in every round as the floor. A and B alternate which goes first, so a
 * change in the machine's load falls on both. Prints per round and the medians: answers/s, ratio
 * to hello-world, Node CPU µs per answer.
 *
 *   git archive <commit> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx tools/bench/ab-front-door.ts --base /tmp/base \
 *     [--rounds 3] [--seconds 4] [--targets join,refusal,snapshot,healthz]
 *
 * Joins use synthetic identities (sessions signed with the services' shared secret; a join reads no
 * database row), a fresh slice of them per round, so every measured join is a first join as in the
 * bench; both sides join the same slice (their Redis key prefixes differ).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { mintSessions } from './citizens.ts';
import { createCleanup } from './cleanup.ts';
import { createScratchDatabase } from './machine.ts';
import { frontDoorServiceEnv, startHello } from './front-door.ts';
import { freePort, startService, type RunningService } from './service.ts';
import { runWrk, type Row } from './wrk.ts';

const TARGETS = ['join', 'refusal', 'snapshot', 'healthz'] as const;
type Target = (typeof TARGETS)[number];
const JOIN = '/api/campaigns/demo/queue';
/** Joins a second one process may answer at most, to size each round's fresh identities. */
const MAX_JOINS_PER_SEC = 6_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main() {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '4' },
      targets: { type: 'string', default: TARGETS.join(',') },
    },
  });
  if (!values.base) throw new Error('--base DIR: the checkout to compare with (A)');
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const targets = values.targets.split(',') as Target[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`target ${t}: one of ${TARGETS.join(', ')}`);

  const cleanup = createCleanup({ budgetMs: 9 * 60_000, log: (l) => process.stderr.write(`${l}\n`) });
  const runId = `${process.pid}${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-ab-'));
  cleanup.defer('remove temporary files', () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const env = {
      ...frontDoorServiceEnv(`ab-${runId}`),
      DEMO_POPULATION: '2000',
      DEMO_FACILITIES: '20',
    };
    const start = async (side: 'A' | 'B', root?: string) =>
      startService(
        {
          name: `ab${side}`,
          workers: 1,
          databaseUrl: await createScratchDatabase(adminUrl, `yeyak_bench_${runId}_ab${side.toLowerCase()}`, cleanup),
          redisUrl,
          keyPrefix: `bench${runId}ab${side}`,
          dataDir,
          env,
          ...(root ? { root } : {}),
        },
        cleanup,
      );
    const sides: Record<'A' | 'B', RunningService> = { A: await start('A', values.base), B: await start('B') };
    const hello = await startHello(cleanup);

    // Fresh synthetic identities per round (and one for each side's refused poller).
    const perRound = MAX_JOINS_PER_SEC * seconds;
    const people = Array.from({ length: perRound * rounds + 1 }, (_, i) => ({
      id: 1_000_000 + i,
      identityHash: randomBytes(32).toString('base64url'),
    }));
    const sessions = await mintSessions(env.SIGNING_SECRET, people);
    const joinFiles = Array.from({ length: rounds }, (_, r) => {
      const file = join(dataDir, `joins-${r}.tsv`);
      const lines = sessions.slice(r * perRound, (r + 1) * perRound).map((s, i) => `${s}\tab${runId}r${r}d${i}`);
      writeFileSync(file, lines.join('\n'));
      return file;
    });
    const poller = sessions[sessions.length - 1]!;
    const pollHeaders: Partial<Record<'A' | 'B', Record<string, string>>> = {};
    for (const side of ['A', 'B'] as const) {
      const r = await request(`${sides[side].origin}${JOIN}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${poller}`, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: `ab${runId}poller` }),
      });
      const { ticket } = (await r.body.json()) as { ticket: string };
      pollHeaders[side] = {
        authorization: `Bearer ${poller}`,
        cookie: `yeyak_dev=ab${runId}poller`,
        'x-queue-ticket': ticket,
      };
    }

    const results: { round: number; side: 'A' | 'B' | 'hello'; target: string; row: Row }[] = [];
    const measure = async (round: number, side: 'A' | 'B', target: Target) => {
      const svc = sides[side];
      const base = { name: `${side} ${target}`, connections: 64, durationSec: seconds, cpu: { node: svc.pids } };
      let row: Row;
      if (target === 'join')
        row = await runWrk(
          { ...base, url: `${svc.origin}${JOIN}`, mode: 'join', dataFile: joinFiles[round]!, xff: true },
          cleanup.signal,
        );
      else if (target === 'refusal') {
        const url = `${svc.origin}${JOIN}/status`;
        // The address's minute is spent first, so every measured poll is refused in onRequest.
        await runWrk({ ...base, url, headers: pollHeaders[side]!, durationSec: 2, cpu: {} }, cleanup.signal);
        row = await runWrk({ ...base, url, headers: pollHeaders[side]! }, cleanup.signal);
      } else if (target === 'snapshot')
        row = await runWrk({ ...base, url: `${svc.origin}${JOIN}/snapshot` }, cleanup.signal);
      else row = await runWrk({ ...base, url: `${svc.origin}/healthz` }, cleanup.signal);
      results.push({ round, side, target, row });
      return row;
    };
    const show = (r: Row) =>
      `${Math.round(r.answersPerSec).toString().padStart(6)}/s ${(r.cpuUsPerAnswer.node ?? 0).toFixed(1).padStart(6)} µs  ${Object.entries(
        r.classes,
      )
        .map(([k, v]) => `${k} ${v.count}`)
        .join(', ')}`;
    for (let round = 0; round < rounds; round++) {
      const h = await runWrk(
        { name: 'hello', url: hello.url, connections: 64, durationSec: seconds, cpu: { node: () => [hello.pid] } },
        cleanup.signal,
      );
      results.push({ round, side: 'hello', target: 'hello', row: h });
      console.log(`round ${round + 1}: hello ${show(h)}`);
      const order: ('A' | 'B')[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const target of targets)
        for (const side of order)
          console.log(`round ${round + 1}: ${side} ${target.padEnd(8)} ${show(await measure(round, side, target))}`);
    }
    const helloRate = (round: number) =>
      results.find((r) => r.round === round && r.side === 'hello')!.row.answersPerSec;
    console.log(
      `\nmedians over ${rounds} rounds (${seconds} s each; ×hello = answers/s ÷ hello-world's in the same round)`,
    );
    console.log(
      `hello: ${Math.round(median(results.filter((r) => r.side === 'hello').map((r) => r.row.answersPerSec)))}/s, ${median(results.filter((r) => r.side === 'hello').map((r) => r.row.cpuUsPerAnswer.node ?? 0)).toFixed(1)} µs`,
    );
    for (const target of targets)
      for (const side of ['A', 'B'] as const) {
        const rs = results.filter((r) => r.side === side && r.target === target);
        console.log(
          `${side} ${target.padEnd(8)} ${Math.round(median(rs.map((r) => r.row.answersPerSec)))
            .toString()
            .padStart(
              6,
            )}/s  ×hello ${median(rs.map((r) => r.row.answersPerSec / helloRate(r.round))).toFixed(3)}  Node ${median(
            rs.map((r) => r.row.cpuUsPerAnswer.node ?? 0),
          ).toFixed(1)} µs/answer`,
        );
      }
    await sides.A.stop();
    await sides.B.stop();
  } finally {
    await cleanup.runAll();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
