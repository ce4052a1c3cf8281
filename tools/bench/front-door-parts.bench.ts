/**
 * CPU µs per call of three parts every front-door answer or join runs, as they were before
 * 2026-12-01 and as they are now, in one process (no sockets, so the difference is not lost in the
 * noise of a shared machine): the request-duration metric (prom-client's observe vs the route
 * cells, ac61c41), `request.ip` behind a trusted edge (proxy-addr compiled from the list vs the
 * trust function, b80c4eb), and the session check (async hook over an async verify vs the
 * callback-style hook over verifyNow, 69bbeea). The "before" sides are rebuilt here in their shape.
 *
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx tools/bench/front-door-parts.bench.ts [rounds=3]
 */
import { createRequire } from 'node:module';
import { trustedProxies } from '../../src/platform/http/trusted-proxies.ts';
import { createTokenSigner } from '../../src/platform/signing.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from '../../src/platform/http/route-metrics.ts';
import { HTTP_DURATION_BUCKETS } from '../../src/platform/metrics.ts';

// proxy-addr as Fastify loads it (a dependency of fastify, not of this project).
const requireFromFastify = createRequire(new URL('../../node_modules/fastify/package.json', import.meta.url).pathname);
const proxyAddr = requireFromFastify('@fastify/proxy-addr') as {
  compile(list: string[]): (addr: string, hop: number) => boolean;
  all(req: unknown, trust: (addr: string, hop: number) => boolean): string[];
};

function cpu(name: string, n: number, f: (i: number) => void) {
  for (let i = 0; i < 20_000; i++) f(i);
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const u = process.cpuUsage(t);
  return { name, us: (u.user + u.system) / n };
}
async function cpuAsync(name: string, n: number, f: (i: number) => Promise<void>) {
  for (let i = 0; i < 20_000; i++) await f(i);
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await f(i);
  const u = process.cpuUsage(t);
  return { name, us: (u.user + u.system) / n };
}

const reqs = Array.from({ length: 1024 }, (_, i) => ({
  headers: { 'x-forwarded-for': `10.0.${i >> 8}.${i & 255}` },
  socket: { remoteAddress: '127.0.0.1' },
  connection: { remoteAddress: '127.0.0.1' },
}));
const oldTrust = proxyAddr.compile(['127.0.0.1']);
const newTrust = trustedProxies(['127.0.0.1']);
const ipOld = (i: number) => {
  const a = proxyAddr.all(reqs[i & 1023], oldTrust);
  if (!a[1]?.startsWith('10.')) throw new Error(a.join());
};
const ipNew = (i: number) => {
  const a = proxyAddr.all(reqs[i & 1023], newTrust);
  if (!a[1]?.startsWith('10.')) throw new Error(a.join());
};

const signer = createTokenSigner<{ pid: number; ih: string }>(
  'parts-bench-secret-0123456789abcdefghij',
  'identity-session',
  fixedClock(Date.now()),
);
const { token } = await signer.sign({ pid: 1, ih: 'h' }, 3_600_000);
// Old: async hook → async authenticate → async verify; new: verifyNow in a callback-style hook.
const oldAuthenticate = async (t: string) => {
  const v = await signer.verify(t);
  return v.ok ? { ok: true, value: v.value } : v;
};
const oldHook = async (req: { session?: unknown }) => {
  const s = await oldAuthenticate(token);
  if (!s.ok) throw new Error('x');
  req.session = s.value;
};
const newHook = (req: { session?: unknown }, done: () => void) => {
  const s = signer.verifyNow(token);
  if (!s.ok) throw new Error('x');
  req.session = s.value;
  done();
};

const histogram = new Histogram({
  name: 'h',
  help: 'h',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: HTTP_DURATION_BUCKETS,
  registers: [new Registry()],
});
const route = '/api/campaigns/:campaignId/queue/status';
const durations = new RequestDurations('h', 'h', HTTP_DURATION_BUCKETS, [new Registry()]);
const record = durations.route(route);
const metricOld = (i: number) => histogram.observe({ method: 'GET', route, status: String(429) }, (i & 7) / 1e4);
const metricNew = (i: number) => record('GET', 429, (i & 7) / 1e4);

const rounds = Number(process.argv[2] ?? 3);
for (let r = 0; r < rounds; r++) {
  const out = [
    cpu('duration metric old (prom-client observe)', 500_000, metricOld),
    cpu('duration metric new (route cells)', 500_000, metricNew),
    cpu('request.ip old (proxy-addr list)', 300_000, ipOld),
    cpu('request.ip new (trust function)', 300_000, ipNew),
    await cpuAsync('session hook old (async)', 100_000, async () => {
      await oldHook({});
    }),
    cpu('session hook new (callback)', 100_000, () => newHook({}, () => {})),
  ];
  console.log(`round ${r + 1}: ` + out.map((o) => `${o.name} ${o.us.toFixed(2)} µs`).join(' | '));
}
