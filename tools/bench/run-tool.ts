/**
 * Runs an installed tool (pgbench, redis-benchmark, a node script) as a child process with a time
 * limit, killed if the bench is stopped. Resolves with its output; rejects on a non-zero exit.
 */
import { spawn } from 'node:child_process';

export interface ToolRun {
  stdout: string;
  stderr: string;
}

export function runTool(
  cmd: string,
  args: readonly string[],
  o: { timeoutMs: number; signal: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: o.signal,
      timeout: o.timeoutMs,
      killSignal: 'SIGTERM',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code, sig) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `${cmd} ${sig ? `killed by ${sig} (time limit ${o.timeoutMs} ms or stop)` : `exited ${code}`}: ${(stderr || stdout).slice(-1500)}`,
          ),
        );
    });
  });
}
