/**
 * The front-door overload's load generator: loadgen/open-loop.c, compiled with the machine's C
 * compiler into the run's data directory, fed complete join requests (one session and device per
 * request, as wrk's Lua script sends them) and read into the same row as a wrk run (wrk.ts). It
 * replaces wrk's paced script there because on 2 shared cores that script offered 0.89× of the 5×
 * asked for (a timer per request in an event loop that scans its timers, a Lua call per answer).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMeter } from './cpu-time.ts';
import { runTool } from './run-tool.ts';
import { parseWrk, rowOf, type Row } from './wrk.ts';

const SOURCE = new URL('./loadgen/open-loop.c', import.meta.url).pathname;

/** The generator built into `dir`, or null (with why) when no C compiler is found. */
export function buildOpenLoop(dir: string): { path: string } | { path: null; why: string } {
  const out = join(dir, 'open-loop');
  const r = spawnSync('cc', ['-O2', '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { path: null, why: `cc: ${r.error?.message ?? r.stderr.slice(-500)}` };
  return { path: out };
}

/** One HTTP/1.1 join request, complete: what the generator sends as it is. */
export function joinRequest(o: { host: string; path: string; sessionToken: string; deviceId: string }): string {
  const body = JSON.stringify({ deviceId: o.deviceId });
  return (
    `POST ${o.path} HTTP/1.1\r\nHost: ${o.host}\r\nAuthorization: Bearer ${o.sessionToken}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The generator's requests file: each request as "<byte length>\n<bytes>". */
export function writeRequestsFile(file: string, requests: readonly string[]): void {
  writeFileSync(file, requests.map((r) => `${Buffer.byteLength(r)}\n${r}`).join(''));
}

export interface OpenLoopRun {
  name: string;
  generator: string;
  host: string;
  port: number;
  ratePerSec: number;
  durationSec: number;
  maxConnections: number;
  requestsFile: string;
  cpu: Record<string, () => number[]>;
}

export async function runOpenLoop(r: OpenLoopRun, signal: AbortSignal): Promise<Row> {
  const meters = Object.fromEntries(Object.entries(r.cpu).map(([k, pids]) => [k, cpuMeter(pids)]));
  const args = [r.host, r.port, r.ratePerSec, r.durationSec, r.maxConnections, 1_000, r.requestsFile].map(String);
  const { stdout } = await runTool(r.generator, args, { timeoutMs: (r.durationSec + 30) * 1000, signal });
  const cpuMs = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.elapsedMs()]));
  return rowOf(r.name, parseWrk(stdout), cpuMs);
}
