/**
 * CPU time actually spent by processes (Linux /proc/<pid>/stat utime+stime), so a phase can be
 * reported as CPU-milliseconds per booking for each part (service, its Postgres backends, the load
 * generator). Unlike throughput, this does not depend on how busy the shared machine was.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU ms used so far by `pid` (0 if it is gone). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12)
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SEC;
  } catch {
    return 0;
  }
}

/** Starts a measurement over a group of pids (the group may be re-read at the end). */
export function cpuMeter(pids: () => number[]) {
  const start = new Map<number, number>();
  for (const pid of pids()) start.set(pid, cpuMsOf(pid));
  return {
    /** CPU ms used since the start by the group's processes (new ones count from zero). */
    elapsedMs(): number {
      let sum = 0;
      for (const pid of new Set([...start.keys(), ...pids()])) sum += Math.max(0, cpuMsOf(pid) - (start.get(pid) ?? 0));
      return sum;
    },
  };
}
