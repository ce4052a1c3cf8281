/**
 * Live mode's servers: a database of their own on the local Postgres, and yeyak started as real
 * processes (src/cluster.ts: N workers behind one port on 127.0.0.1) with a fresh DATA_DIR, the
 * run's secrets and a unique Redis key prefix. Everything is stopped and dropped by the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const CLUSTER_ENTRY = fileURLToPath(new URL('../../src/cluster.ts', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 25_000;

const safeName = (name: string) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name ${name}`);
  return name;
};

/** Creates database `name` next to the one `adminUrl` points at; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${safeName(name)}`);
  } finally {
    await c.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${safeName(name)} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Servers {
  baseUrl: string;
  pid: number;
  stop(): Promise<number | null>;
}

/** Starts src/cluster.ts with `env`, logging to `logFile`; resolves once /readyz answers 200. */
export async function startServers(o: {
  env: Record<string, string>;
  port: number;
  logFile: string;
}): Promise<Servers> {
  const log = openSync(o.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLUSTER_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...o.env,
      HOST: '127.0.0.1',
      PORT: String(o.port),
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${o.port}`;
  let exited: number | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? -1;
      resolve(code);
    }),
  );
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let ready = 0; ready < 3;) {
    if (exited !== null) throw new Error(`yeyak servers exited with ${exited} while starting (see ${o.logFile})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`yeyak servers not ready after ${READY_TIMEOUT_MS} ms (see ${o.logFile})`);
    }
    ready = (await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
      ? ready + 1
      : 0;
    await sleep(300);
  }
  return {
    baseUrl,
    pid: child.pid!,
    async stop() {
      if (exited !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
