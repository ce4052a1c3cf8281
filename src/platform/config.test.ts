import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

const base = () => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'yeyak-config-')),
  IDENTITY_HMAC_KEY: 'config-test-identity-key-0123456789abc',
  SIGNING_SECRET: 'config-test-signing-secret-0123456789ab',
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base(), ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config: REDIS_CLUSTER_NODES', () => {
  it('is null when unset, so REDIS_URL or the memory store is used', () => {
    assert.equal(loadConfig(base()).redisClusterNodes, null);
  });

  it('reads a comma-separated list of seed nodes', () => {
    const c = loadConfig({ ...base(), REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-b.internal:7001,[::1]:7002' });
    assert.deepEqual(c.redisClusterNodes, [
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it('lists a malformed node, a bad port, and REDIS_URL set beside it as problems', () => {
    assert.match(
      problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1' }).join('\n'),
      /REDIS_CLUSTER_NODES: expected host:port/,
    );
    assert.match(
      problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:70000' }).join('\n'),
      /REDIS_CLUSTER_NODES/,
    );
    assert.match(
      problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' }).join('\n'),
      /set one, not both/,
    );
  });
});

describe('config: operator accounts', () => {
  it('has the demo accounts only with the demo seed', () => {
    assert.match(loadConfig(base()).operatorAccounts, /yeyak-operator-demo/);
    assert.match(loadConfig(base()).operatorAccounts, /agent:agent:yeyak-agent-demo/, 'a demo call-centre agent');
    assert.equal(loadConfig({ ...base(), SEED_DEMO: 'true' }).demoAccounts, true);
  });

  it('refuses to start without the demo seed unless OPERATOR_ACCOUNTS is set, saying what to set', () => {
    const problems = problemsOf({ SEED_DEMO: 'false' });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /^OPERATOR_ACCOUNTS: required without the demo seed \(SEED_DEMO=false\): set OPERATOR_ACCOUNTS=name:viewer\|operator\|approver\|agent:password/,
    );
    assert.deepEqual(problemsOf({ SEED_DEMO: 'false', OPERATOR_ACCOUNTS: 'ops:operator:a-password-of-our-own' }), []);
  });

  it('refuses a demo password without the demo seed', () => {
    const problems = problemsOf({
      SEED_DEMO: 'false',
      OPERATOR_ACCOUNTS: 'ops:operator:a-password-of-our-own,v:viewer:yeyak-viewer-demo',
    });
    assert.match(problems.join('\n'), /OPERATOR_ACCOUNTS: a demo password is not allowed without the demo seed/);
  });

  it('lets cluster workers of a demo deployment (SEED_DEMO=false, DEMO_ACCOUNTS=true) keep the demo accounts', () => {
    assert.match(
      loadConfig({ ...base(), SEED_DEMO: 'false', DEMO_ACCOUNTS: 'true' }).operatorAccounts,
      /yeyak-viewer-demo/,
    );
  });
});

describe('config: database timeouts', () => {
  it('defaults every timeout so a locked or hung database fails a request within about a second', () => {
    const c = loadConfig(base());
    assert.deepEqual(
      [
        c.databaseConnectTimeoutMs,
        c.databaseLockTimeoutMs,
        c.databaseStatementTimeoutMs,
        c.databaseIdleInTransactionTimeoutMs,
        c.databaseProbeIntervalMs,
        c.databaseProbeTimeoutMs,
      ],
      [1_000, 500, 5_000, 10_000, 250, 1_000],
    );
  });

  it('lists every bad timeout at once, and a lock timeout above the statement timeout', () => {
    const problems = problemsOf({
      DATABASE_CONNECT_TIMEOUT_MS: '0',
      DATABASE_STATEMENT_TIMEOUT_MS: 'soon',
      DATABASE_PROBE_INTERVAL_MS: '-1',
    }).join('\n');
    assert.match(problems, /DATABASE_CONNECT_TIMEOUT_MS/);
    assert.match(problems, /DATABASE_STATEMENT_TIMEOUT_MS/);
    assert.match(problems, /DATABASE_PROBE_INTERVAL_MS/);
    assert.match(
      problemsOf({ DATABASE_LOCK_TIMEOUT_MS: '6000', DATABASE_STATEMENT_TIMEOUT_MS: '5000' }).join('\n'),
      /must not exceed/,
    );
  });

  it('sends HSTS only when TLS_ENABLED says the site is reached over HTTPS', () => {
    assert.equal(loadConfig(base()).tlsEnabled, false);
    assert.equal(loadConfig({ ...base(), TLS_ENABLED: 'true' }).tlsEnabled, true);
    assert.match(problemsOf({ TLS_ENABLED: 'yes' }).join('\n'), /TLS_ENABLED/);
  });
});

describe('config: DEMO_OPENS_IN_MS', () => {
  it('gives a newcomer following the README ten minutes to reach the pre-room (issue 14)', () => {
    assert.equal(loadConfig(base()).demoOpensInMs, 600_000);
    assert.equal(loadConfig({ ...base(), DEMO_OPENS_IN_MS: '120000' }).demoOpensInMs, 120_000);
  });
});

describe('config: ACTIVE_SESSION_FLOOR', () => {
  it('defaults to 0 (the controller keeps 10 % of the cap) and refuses a negative or fractional floor', () => {
    assert.equal(loadConfig(base()).activeSessionFloor, 0);
    assert.equal(loadConfig({ ...base(), ACTIVE_SESSION_FLOOR: '2500' }).activeSessionFloor, 2_500);
    assert.match(problemsOf({ ACTIVE_SESSION_FLOOR: '-1' }).join('\n'), /ACTIVE_SESSION_FLOOR/);
    assert.match(problemsOf({ ACTIVE_SESSION_FLOOR: '2.5' }).join('\n'), /ACTIVE_SESSION_FLOOR/);
  });
});
