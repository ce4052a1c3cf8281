/**
 * CPU µs per front-door answer through Node's real HTTP server — its parser, Fastify, the app, the
 * response writer — without the kernel: each request is written into an in-memory socket the server
 * reads, and its answer read back from it, one at a time. No load generator and no syscalls share
 * the measurement, so on a shared 2-core machine it separates changes of a microsecond that wrk's
 * runs do not (under load their µs per answer swing ±30 %). The kernel's part (a read and a writev
 * per answer, about as much again) is not in it: compare routes and commits here, absolute rates in
 * `npm run bench -- --phases frontdoor`.
 *
 *   node --import tsx tools/bench/front-door-socketless.bench.ts [--count 20000] [--rounds 3]
 *     [--targets hello,healthz,snapshot,refusal,join] [--base DIR]
 *
 * With `--base DIR` (another commit's tree with node_modules beside it, as for ab-front-door.ts) both
 * apps are built in this process and measured in alternating order every round: an A/B in one sitting.
 */
import { Duplex } from 'node:stream';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { inProcessApp } from './in-process-app.ts';

const JOIN = '/api/campaigns/demo/queue';
const TARGETS = ['hello', 'healthz', 'snapshot', 'refusal', 'join'] as const;
type Target = (typeof TARGETS)[number];

/** A socket in memory: what is pushed is what the server reads; what it writes ends an answer. */
class MemorySocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 50_000;
  readonly localAddress = '127.0.0.1';
  #got: Buffer = Buffer.alloc(0);
  status = 0;
  onAnswer: (() => void) | null = null;

  constructor() {
    super({ allowHalfOpen: true });
  }
  override _read() {}
  override _write(chunk: Buffer | string, enc: BufferEncoding, cb: () => void) {
    this.#take(typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk);
    cb();
  }
  override _writev(chunks: { chunk: Buffer | string; encoding: BufferEncoding }[], cb: () => void) {
    for (const c of chunks) this.#take(typeof c.chunk === 'string' ? Buffer.from(c.chunk, c.encoding) : c.chunk);
    cb();
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  setTimeout() {
    return this;
  }
  /** Collects an answer until its head and Content-Length bytes of body have arrived. */
  #take(b: Buffer) {
    this.#got = this.#got.length ? Buffer.concat([this.#got, b]) : b;
    const head = this.#got.indexOf('\r\n\r\n');
    if (head < 0) return;
    const headText = this.#got.toString('latin1', 0, head);
    const length = /content-length: (\d+)/i.exec(headText);
    if (this.#got.length - head - 4 < (length ? Number(length[1]) : 0)) return;
    this.status = Number(headText.slice(9, 12));
    this.#got = Buffer.alloc(0);
    const answered = this.onAnswer;
    this.onAnswer = null;
    answered?.();
  }
}

/** CPU µs per answer over `count` requests (after a warm-up), and the statuses seen. */
async function measure(server: Server, request: (i: number) => Buffer, count: number) {
  const socket = new MemorySocket();
  server.emit('connection', socket);
  const one = (i: number) =>
    new Promise<number>((resolve) => {
      socket.onAnswer = () => resolve(socket.status);
      socket.push(request(i));
    });
  for (let i = 0; i < 3_000; i++) await one(count + i);
  const statuses: Record<number, number> = {};
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const s = await one(i);
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const used = process.cpuUsage(before);
  socket.destroy();
  return { us: (used.user + used.system) / count, statuses };
}

const http = (lines: string[], body = '') =>
  Buffer.from(`${lines.join('\r\n')}\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`);

async function requestsFor(app: Awaited<ReturnType<typeof inProcessApp>>, round: number, count: number) {
  const { sessions } = app;
  // The refusal: one joined person polling over the per-address allowance (spent first).
  const joined = await app.app.inject({
    method: 'POST',
    url: JOIN,
    headers: { authorization: `Bearer ${sessions[0]}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ deviceId: 'socketless-d0' }),
  });
  const ticket = (joined.json() as { ticket: string }).ticket;
  const poll = http([
    `GET ${JOIN}/status HTTP/1.1`,
    'Host: 127.0.0.1',
    `Authorization: Bearer ${sessions[0]}`,
    'Cookie: yeyak_dev=socketless-d0',
    `X-Queue-Ticket: ${ticket}`,
  ]);
  const xff = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  // Joins: each identity once per round (the per-identity limit is 10 a minute), its own address.
  const slice = Math.floor(sessions.length / 4);
  const join = (i: number) => {
    const k = 1 + ((round % 4) * slice + (i % (slice - 1)));
    return http(
      [
        `POST ${JOIN} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${sessions[k]}`,
        'Content-Type: application/json',
        `X-Forwarded-For: ${xff(i)}`,
      ],
      JSON.stringify({ deviceId: `socketless-d${k}` }),
    );
  };
  return {
    healthz: () => http(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1']),
    snapshot: () => http([`GET ${JOIN}/snapshot HTTP/1.1`, 'Host: 127.0.0.1']),
    refusal: () => poll,
    join,
    spend: async () => {
      for (let i = 0; i < 6_000; i++)
        await app.app.inject({ url: `${JOIN}/status`, headers: { ...pollHeaders(poll) } });
    },
    count: Math.min(count, slice - 1),
  };
}

function pollHeaders(request: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of request.toString('latin1').split('\r\n').slice(1)) {
    const colon = line.indexOf(': ');
    if (colon > 0) out[line.slice(0, colon).toLowerCase()] = line.slice(colon + 2);
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '3' },
      targets: { type: 'string', default: TARGETS.join(',') },
      base: { type: 'string' },
    },
  });
  const count = Number(values.count);
  const rounds = Number(values.rounds);
  const targets = values.targets.split(',') as Target[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`target ${t}: one of ${TARGETS.join(', ')}`);

  const hello = Fastify();
  hello.get('/', async () => ({ hello: 'world' }));
  await hello.ready();
  const sides = [
    ...(values.base ? [{ name: 'A (base)', app: await inProcessApp(values.base) }] : []),
    { name: values.base ? 'B (this)' : 'app', app: await inProcessApp() },
  ];
  const results = new Map<string, number[]>();
  const record = (key: string, us: number) => results.set(key, [...(results.get(key) ?? []), us]);
  for (let round = 0; round < rounds; round++) {
    if (targets.includes('hello')) {
      const m = await measure(hello.server, () => http(['GET / HTTP/1.1', 'Host: 127.0.0.1']), count);
      record('hello', m.us);
    }
    const order = round % 2 ? [...sides].reverse() : sides;
    for (const target of targets.filter((t) => t !== 'hello')) {
      for (const side of order) {
        const reqs = await requestsFor(side.app, round, count);
        if (target === 'refusal' && round === 0) await reqs.spend();
        const m = await measure(side.app.app.server, reqs[target], target === 'join' ? reqs.count : count);
        record(`${target} ${side.name}`, m.us);
        console.log(
          `round ${round} ${`${target} ${side.name}`.padEnd(22)} ${m.us.toFixed(2).padStart(7)} µs  ${JSON.stringify(m.statuses)}`,
        );
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`medians over ${rounds} rounds (CPU µs per answer, no kernel):`);
  for (const [k, xs] of results)
    console.log(`  ${k.padEnd(22)} ${median(xs).toFixed(2).padStart(7)}  [${xs.map((x) => x.toFixed(2)).join(' ')}]`);
  for (const s of sides) await s.app.close();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
