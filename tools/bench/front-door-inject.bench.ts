/**
 * CPU µs per front-door answer in ONE process, without sockets or a load generator: the real app
 * (composeApp, in-memory PGlite, waiting room in memory, demo seed) answers `app.inject` requests
 * one after another, and this process's CPU time is divided by the count, next to a Fastify
 * hello-world measured the same way. What it shows is the app's own cost per route (hooks,
 * validation, services, serialization) — the socket and HTTP parsing, the same for every route,
 * are not in it; `npm run bench -- --phases frontdoor` measures those over real sockets.
 *
 *   node --import tsx tools/bench/front-door-inject.bench.ts [count=20000] [targets=hello,healthz,snapshot,refusal,verify,join]
 *   node --cpu-prof --cpu-prof-dir=artifacts/profile --import tsx tools/bench/front-door-inject.bench.ts 20000 join
 */
import Fastify from 'fastify';
import { verifiablePeople } from './citizens.ts';
import { inProcessApp, POPULATION } from './in-process-app.ts';

const JOIN = '/api/campaigns/demo/queue';

type Inject = (i: number) => {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string;
};

async function measure(name: string, app: { inject: Function }, count: number, req: Inject) {
  for (let i = 0; i < 2_000; i++) await app.inject(req(count + i));
  const statuses = new Map<number, number>();
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const r = (await app.inject(req(i))) as { statusCode: number };
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
  }
  const used = process.cpuUsage(before);
  const us = (used.user + used.system) / count;
  console.log(
    `${name.padEnd(10)} ${us.toFixed(1).padStart(7)} µs/answer  ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
}

async function main() {
  const count = Number(process.argv[2] ?? 20_000);
  const targets = new Set((process.argv[3] ?? 'hello,healthz,snapshot,refusal,verify,join').split(','));
  const { app, sessions, close } = await inProcessApp();

  const hello = Fastify();
  hello.get('/', async () => ({ hello: 'world' }));
  await hello.ready();

  const verifies = verifiablePeople(POPULATION, Math.min(sessions.length, 5_000));
  const xff = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

  if (targets.has('hello')) await measure('hello', hello, count, () => ({ method: 'GET', url: '/' }));
  if (targets.has('healthz')) await measure('healthz', app, count, () => ({ method: 'GET', url: '/healthz' }));
  if (targets.has('snapshot'))
    await measure('snapshot', app, count, () => ({ method: 'GET', url: `${JOIN}/snapshot` }));
  if (targets.has('refusal')) {
    const joined = await app.inject({
      method: 'POST',
      url: JOIN,
      headers: { authorization: `Bearer ${sessions[0]}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ deviceId: 'inject-d0' }),
    });
    const ticket = (joined.json() as { ticket: string }).ticket;
    const headers = { authorization: `Bearer ${sessions[0]}`, cookie: 'yeyak_dev=inject-d0', 'x-queue-ticket': ticket };
    // The address's allowance (6,000 a minute) is spent first: everything measured is refused 429.
    for (let i = 0; i < 6_000; i++) await app.inject({ method: 'GET', url: `${JOIN}/status`, headers });
    await measure('refusal', app, count, () => ({ method: 'GET', url: `${JOIN}/status`, headers }));
  }
  if (targets.has('verify'))
    await measure('verify', app, count, (i) => {
      const p = verifies[i % verifies.length]!;
      return {
        method: 'POST',
        url: '/api/identity/verify',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': xff(i) },
        payload: JSON.stringify({ providerId: 'pass', rrn: p.rrn, name: p.name }),
      };
    });
  if (targets.has('join'))
    // Each identity joins once in the measured part (the per-identity limit is 10 a minute).
    await measure('join', app, Math.min(count, sessions.length - 2_000), (i) => ({
      method: 'POST',
      url: JOIN,
      headers: {
        authorization: `Bearer ${sessions[i % sessions.length]}`,
        'content-type': 'application/json',
        'x-forwarded-for': xff(i),
      },
      payload: JSON.stringify({ deviceId: `inject-d${i % sessions.length}` }),
    }));
  await close();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
