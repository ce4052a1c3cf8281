import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const FATAL_MODULE = fileURLToPath(new URL('./fatal.ts', import.meta.url));

/** Runs a process that installs the handlers, then fails with `failure`; returns its exit and output. */
function runFailing(failure: string) {
  const script = `
    const { exitOnFatalErrors } = await import(${JSON.stringify(FATAL_MODULE)});
    const { default: pino } = await import('pino');
    exitOnFatalErrors(pino());
    setInterval(() => {}, 1000); // a server would keep the process alive
    setTimeout(() => { ${failure} }, 10);`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('exitOnFatalErrors', () => {
  it('exits with status 1 and logs the error as fatal after an uncaught exception', () => {
    const r = runFailing(`throw new Error('boom-uncaught')`);
    assert.equal(r.status, 1, r.stderr);
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(line.level, 60);
    assert.equal(line.kind, 'uncaught-exception');
    assert.match(line.err.message, /boom-uncaught/);
  });

  it('exits with status 1 after an unhandled rejection', () => {
    const r = runFailing(`Promise.reject(new Error('boom-rejected'))`);
    assert.equal(r.status, 1, r.stderr);
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual([line.level, line.kind, line.err.message], [60, 'unhandled-rejection', 'boom-rejected']);
  });
});
