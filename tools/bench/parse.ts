/**
 * Parsers for the output of the tools the bench runs: pgbench, redis-benchmark (--csv) and
 * tools/bench/waiting-room.bench.ts. Pure; each throws with the text it could not read, so a
 * changed tool version fails loudly instead of reporting zeros.
 */

export interface PgbenchResult {
  readonly tps: number;
  readonly latencyAvgMs: number;
  readonly transactions: number;
  readonly failed: number;
  readonly clients: number;
  readonly queryMode: string;
}

function grab(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  if (!m?.[1]) throw new Error(`pgbench output has no ${what}:\n${text.slice(0, 2000)}`);
  return m[1];
}

export function parsePgbench(stdout: string): PgbenchResult {
  return {
    tps: Number(grab(stdout, /^tps = ([\d.]+) \(without initial connection time\)/m, 'tps')),
    latencyAvgMs: Number(grab(stdout, /^latency average = ([\d.]+) ms/m, 'latency average')),
    transactions: Number(grab(stdout, /^number of transactions actually processed: (\d+)/m, 'transaction count')),
    failed: Number(/^number of failed transactions: (\d+)/m.exec(stdout)?.[1] ?? 0),
    clients: Number(grab(stdout, /^number of clients: (\d+)/m, 'client count')),
    queryMode: grab(stdout, /^query mode: (\w+)/m, 'query mode'),
  };
}

export interface RedisBenchmarkRow {
  readonly test: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** `redis-benchmark --csv` output: a header line and one quoted row per test. */
export function parseRedisBenchmarkCsv(stdout: string): RedisBenchmarkRow[] {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"'));
  const header = lines.shift();
  if (!header) throw new Error(`redis-benchmark printed no CSV:\n${stdout.slice(0, 2000)}`);
  const cols = splitCsv(header);
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark CSV has no column ${name}: ${header}`);
    return i;
  };
  const [test, rps, p50, p99] = [at('test'), at('rps'), at('p50_latency_ms'), at('p99_latency_ms')];
  const rows = lines
    .map(splitCsv)
    .map((c) => ({ test: c[test]!, rps: Number(c[rps]), p50Ms: Number(c[p50]), p99Ms: Number(c[p99]) }));
  if (rows.length === 0 || rows.some((r) => !Number.isFinite(r.rps)))
    throw new Error(`redis-benchmark CSV unreadable:\n${stdout.slice(0, 2000)}`);
  return rows;
}

function splitCsv(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
}

export interface WaitingRoomBenchResult {
  readonly people: number;
  readonly joinPerSec: number;
  readonly pollPerSec: number;
  readonly bytesPerPerson: number;
}

/** The summary lines printed by tools/bench/waiting-room.bench.ts. */
export function parseWaitingRoomBench(stdout: string): WaitingRoomBenchResult {
  const num = (re: RegExp, what: string) => {
    const m = re.exec(stdout);
    if (!m?.[1]) throw new Error(`waiting-room.bench output has no ${what}:\n${stdout.slice(0, 2000)}`);
    return Number(m[1].replace(/,/g, ''));
  };
  return {
    people: num(/^people joined:\s+([\d,]+)/m, 'people count'),
    joinPerSec: num(/^join ops\/s[^:]*:\s+([\d,]+)/m, 'join rate'),
    pollPerSec: num(/^poll answers\/s[^:]*:\s+([\d,]+)/m, 'poll rate'),
    bytesPerPerson: num(/^redis used_memory delta:.*= (\d+) bytes\/person/m, 'memory per person'),
  };
}
