/**
 * Runs Debian's `wrk` with tools/bench/wrk/front-door.lua against one target and turns its output
 * into one row of the front-door table: answers per second, the share answered within 1 s per
 * answer class, and the CPU each group of server processes spent per answer (/proc/<pid>/stat
 * before and after, so the load generator's own CPU is never counted).
 */
import { cpuMeter } from './cpu-time.ts';
import { runTool } from './run-tool.ts';

const SCRIPT = new URL('./wrk/front-door.lua', import.meta.url).pathname;

export interface WrkOutput {
  requests: number;
  durationUs: number;
  statuses: Record<string, number>;
  retryAfter429: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number };
  /** Only from the open-loop generator (loadgen/open-loop.c): what an open loop knows besides. */
  openLoop?: OpenLoopCounts;
}

export interface OpenLoopCounts {
  /** Requests whose time came during the run (rate × seconds). */
  due: number;
  /** Requests written to a connection. */
  sent: number;
  /** Sent less than the timeout before the end, not yet answered: their fate is unknown, left out. */
  inFlightAtEnd: number;
  /** Sent more than the timeout before the end and never answered (counted in `timeout` too). */
  unansweredLate: number;
  backlogMax: number;
  connections: number;
  /** How late after its due time the generator sent a request: its own lag, not the server's. */
  sendLagUs: { p50: number; p99: number; max: number };
  /** The generator's own CPU (getrusage) over the run. */
  generatorCpuUs: number;
}

export function parseWrk(stdout: string): WrkOutput {
  const line = stdout.split('\n').find((l) => l.startsWith('FRONTDOOR_JSON '));
  if (!line) throw new Error(`wrk printed no FRONTDOOR_JSON line:\n${stdout.slice(-1500)}`);
  return JSON.parse(line.slice('FRONTDOOR_JSON '.length)) as WrkOutput;
}

export interface Row {
  name: string;
  /** Answers (any HTTP status) per second of the run. */
  answersPerSec: number;
  /** Requests offered per second (answered, in time or late, + failed on the socket), wrk's view. */
  offeredPerSec: number;
  /**
   * Per class (2xx, 429, 4xx, 5xx): how many answers, and their share of everything sent. wrk cannot
   * tell which class a late answer had, so these shares include late answers; `shareWithin1s` does not.
   */
  classes: Record<string, { count: number; shareWithin1s: number }>;
  /** Answered within 1 s, all classes, over everything sent (late answers and socket errors count against). */
  shareWithin1s: number;
  /** Answers later than 1 s (wrk counts them among the answers and as "timeout" errors alike). */
  timeouts: number;
  socketErrors: number;
  fiveXx: number;
  /** 429s that carried Retry-After, of all 429s. */
  retryAfterShare: number | null;
  latencyMs: { p50: number; p99: number; max: number };
  /** CPU µs per answer, per group of processes (node, nginx). */
  cpuUsPerAnswer: Record<string, number>;
  /** Open-loop generator runs only. */
  openLoop?: OpenLoopCounts;
}

/** '429 queue-busy' stays as it is (refusals are told apart by their problem code); else 2xx, 4xx, 5xx. */
export function classOf(status: string): string {
  if (status.startsWith('429')) return status;
  return `${status[0]}xx`;
}

/** One row from wrk's output and the CPU ms each group spent during the run. */
export function rowOf(name: string, out: WrkOutput, cpuMs: Record<string, number>): Row {
  const sec = out.durationUs / 1e6;
  const answered = Object.values(out.statuses).reduce((a, b) => a + b, 0);
  const socketErrors = out.errors.connect + out.errors.read + out.errors.write;
  // wrk (4.1) counts an answer later than --timeout twice: as a completed request (its status goes to
  // the script's response()) and as a "timeout" error; a request never answered is not counted at
  // all. So everything sent is the answers plus the socket errors, and the late ones are subtracted.
  // The open-loop generator knows what it sent, including requests never answered; of those, the
  // ones sent within the last timeout are left out (neither in time nor late yet).
  const ol = out.openLoop;
  const sent = ol ? ol.sent - ol.inFlightAtEnd : answered + socketErrors;
  const lateAnswers = ol ? out.errors.timeout - ol.unansweredLate : out.errors.timeout;
  const classes: Row['classes'] = {};
  for (const [status, n] of Object.entries(out.statuses)) {
    const c = (classes[classOf(status)] ??= { count: 0, shareWithin1s: 0 });
    c.count += n;
  }
  for (const c of Object.values(classes)) c.shareWithin1s = sent > 0 ? c.count / sent : 0;
  const all429 = Object.entries(out.statuses)
    .filter(([s]) => s.startsWith('429'))
    .reduce((a, [, n]) => a + n, 0);
  return {
    name,
    answersPerSec: answered / sec,
    offeredPerSec: (ol ? ol.sent : sent) / sec,
    classes,
    shareWithin1s: sent > 0 ? Math.max(0, answered - lateAnswers) / sent : 0,
    timeouts: out.errors.timeout,
    socketErrors,
    fiveXx: Object.entries(out.statuses)
      .filter(([s]) => s.startsWith('5'))
      .reduce((a, [, n]) => a + n, 0),
    retryAfterShare: all429 > 0 ? out.retryAfter429 / all429 : null,
    latencyMs: { p50: out.latencyUs.p50 / 1000, p99: out.latencyUs.p99 / 1000, max: out.latencyUs.max / 1000 },
    cpuUsPerAnswer: Object.fromEntries(
      Object.entries(cpuMs).map(([k, v]) => [k, answered > 0 ? (v * 1000) / answered : 0]),
    ),
    ...(ol ? { openLoop: ol } : {}),
  };
}

export interface WrkRun {
  name: string;
  url: string;
  mode?: 'get' | 'join' | 'verify';
  /** join: sessionToken<TAB>deviceId lines; verify: rrn<TAB>name lines. */
  dataFile?: string;
  /** Each request its own X-Forwarded-For (only where the target trusts the sender). */
  xff?: boolean;
  headers?: Record<string, string>;
  /** Offered requests/s, paced open loop; 0 or absent: closed loop. */
  ratePerSec?: number;
  connections: number;
  /** wrk threads (each its own event loop and Lua state; the paced rate is split among them). Default 1. */
  threads?: number;
  durationSec: number;
  /** Process groups whose CPU is charged to the answers. */
  cpu: Record<string, () => number[]>;
}

export async function runWrk(r: WrkRun, signal: AbortSignal): Promise<Row> {
  const u = new URL(r.url);
  const meters = Object.fromEntries(Object.entries(r.cpu).map(([k, pids]) => [k, cpuMeter(pids)]));
  const env = {
    ...process.env,
    FD_MODE: r.mode ?? 'get',
    FD_PATH: `${u.pathname}${u.search}`,
    FD_DATA: r.dataFile ?? '',
    FD_XFF: r.xff ? '1' : '0',
    FD_HEADERS: Object.entries(r.headers ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('|'),
    FD_RATE: String(r.ratePerSec ?? 0),
    FD_THREADS: String(r.threads ?? 1),
  };
  const args = [
    `-t${r.threads ?? 1}`,
    `-c${r.connections}`,
    `-d${r.durationSec}s`,
    '--timeout',
    '1s',
    '-s',
    SCRIPT,
    `${u.protocol}//${u.host}/`,
  ];
  const { stdout } = await runTool('wrk', args, { timeoutMs: (r.durationSec + 30) * 1000, signal, env });
  const cpuMs = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.elapsedMs()]));
  return rowOf(r.name, parseWrk(stdout), cpuMs);
}
