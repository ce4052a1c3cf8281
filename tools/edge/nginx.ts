/**
 * Renders deploy/nginx/yeyak.conf.template and runs Debian's nginx with it as a child process
 * (`daemon off`), under a temporary prefix of its own: pid, logs, temp files and the micro-cache
 * live there, so several runs and the machine's own nginx never meet. Used by the end-to-end test
 * through the edge and by `npm run bench`'s front-door phase.
 *
 * Started as root (this machine), the workers run as `nobody` and the directories they write are
 * given to it; otherwise nginx runs as the current user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { problemBody } from '../../src/platform/http/errors.ts';

export const NGINX_BIN = process.env.NGINX_BIN || '/usr/sbin/nginx';
const TEMPLATE = new URL('../../deploy/nginx/yeyak.conf.template', import.meta.url).pathname;
const WRITABLE = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'cache'];
const NOBODY = { uid: 65534, gid: 65534 };

export interface EdgeOptions {
  readonly host: string;
  readonly port: number;
  readonly upstreams: readonly { readonly host: string; readonly port: number }[];
  readonly webDir: string;
  readonly workers?: number;
  /**
   * A file to log requests to in the `yeyak_timing` format (edge-log.ts reads it), buffered;
   * default off (a write per request is part of the cost measured).
   */
  readonly accessLog?: string;
  /** Joins a second this edge passes on (the rest: 429 queue-busy from the edge); default 100,000 (no limit in practice). */
  readonly joinRatePerSec?: number;
  /** Joins above the rate let through at once; default one second's worth. */
  readonly joinBurst?: number;
}

/** The service's own queue-busy problem, quoted for an nginx string (one error table for both). */
function queueBusyBody(): string {
  return JSON.stringify(problemBody('queue-busy')).replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

export function renderNginxConfig(o: EdgeOptions & { prefix: string; isRoot: boolean }): string {
  const fields: Record<string, string> = {
    PREFIX: o.prefix,
    LISTEN: `${o.host}:${o.port}`,
    UPSTREAMS: o.upstreams.map((u) => `    server ${u.host}:${u.port} max_fails=3 fail_timeout=5s;`).join('\n'),
    WEB_DIR: o.webDir,
    MIME_TYPES: '/etc/nginx/mime.types',
    WORKERS: String(o.workers ?? 1),
    ACCESS_LOG: o.accessLog ? `${o.accessLog} yeyak_timing buffer=256k flush=1s` : 'off',
    USER_LINE: o.isRoot ? 'user nobody nogroup;' : '',
    JOIN_RATE_PER_SEC: String(Math.max(1, Math.round(o.joinRatePerSec ?? 100_000))),
    JOIN_BURST: String(Math.max(0, Math.round(o.joinBurst ?? o.joinRatePerSec ?? 100_000))),
    QUEUE_BUSY_BODY: queueBusyBody(),
  };
  // Comment lines name the fields too; only directives are filled.
  const fill = (line: string) =>
    line.trimStart().startsWith('#')
      ? line
      : line.replace(/\{\{([A-Z_]+)\}\}/g, (_m, k: string) => {
          const v = fields[k];
          if (v === undefined) throw new Error(`nginx template: no value for {{${k}}}`);
          return v;
        });
  const text = readFileSync(TEMPLATE, 'utf8').split('\n').map(fill).join('\n');
  if (o.upstreams.length === 0) throw new Error('nginx template: at least one upstream');
  return text;
}

/** Why nginx cannot run here, or null. Under CI=true a missing nginx is an error, never a skip. */
export function nginxSkipReason(): string | null {
  if (existsSync(NGINX_BIN)) return null;
  const why = `nginx not found at ${NGINX_BIN} (Debian: apt-get install nginx-light)`;
  if (process.env.CI === 'true') throw new Error(`${why}; required under CI`);
  return why;
}

export interface RunningEdge {
  readonly origin: string;
  readonly pid: number;
  readonly prefix: string;
  stop(): Promise<void>;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startNginx(o: EdgeOptions): Promise<RunningEdge> {
  const prefix = mkdtempSync(join(tmpdir(), 'yeyak-edge-'));
  const isRoot = process.getuid?.() === 0;
  chmodSync(prefix, 0o755); // the workers (nobody) must reach their directories inside it
  for (const d of WRITABLE) {
    mkdirSync(join(prefix, d));
    if (isRoot) chownSync(join(prefix, d), NOBODY.uid, NOBODY.gid);
  }
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, renderNginxConfig({ ...o, prefix, isRoot }));
  const check = spawn(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let checkErr = '';
  check.stderr!.on('data', (c) => {
    checkErr += c;
  });
  const checked = await new Promise<number | null>((resolve) => check.once('exit', resolve));
  if (checked !== 0) throw new Error(`nginx -t refused the rendered configuration (${conf}):\n${checkErr}`);

  const child: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([gone, sleep(5_000)]);
    if (!exited) child.kill('SIGKILL');
    await gone;
    rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(o.host, o.port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start on ${o.host}:${o.port}: ${stderr.slice(-2000)}`);
    }
    await sleep(50);
  }
  return { origin: `http://${o.host}:${o.port}`, pid: child.pid!, prefix, stop };
}
