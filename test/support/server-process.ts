/**
 * A yeyak server as its own OS process, for tests that crash and restart it: a free port on
 * 127.0.0.1, the process's last output kept for failure messages, and plain HTTP calls on fresh
 * connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
}
export interface Reply {
  status: number;
  body: Record<string, any>;
  cookies: string[];
  headers: Record<string, string | string[] | undefined>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

export function startServerProcess(script: string, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

/** One request on a fresh connection to 127.0.0.1:`port`; rejects on a connection error or after `timeoutMs`. */
export function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  payload?: unknown,
  timeoutMs = 30_000,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: timeoutMs,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (c) => {
            text += c;
          })
          .on('error', reject)
          .on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: text ? JSON.parse(text) : {},
                cookies: res.headers['set-cookie'] ?? [],
                headers: res.headers,
              });
            } catch (e) {
              reject(e);
            }
          });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`))).on('error', reject);
    req.end(body);
  });
}

export async function waitUntil<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null>,
  proc?: ServerProcess,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (proc && proc.child.exitCode !== null) break;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${proc ? `\n--- process output ---\n${proc.output()}` : ''}`);
}

export async function stopServerProcess(p: ServerProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
