import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { Kysely } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { createDatabaseAvailability, gatedDialects, probeTables } from './db-availability.ts';
import { isDatabaseUnavailable } from './db-errors.ts';
import { migrate, openDatabase, type DatabaseHandle } from './db.ts';

async function until(what: string, check: () => boolean, deadlineMs = 3_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('database availability (PGlite, through the same gate pg uses)', () => {
  let h: DatabaseHandle;
  let isBroken = false;
  before(async () => {
    h = await openDatabase({
      databaseUrl: null,
      pgliteDir: null,
      availability: { probeIntervalMs: 20, probeTimeoutMs: null },
    });
    await migrate(h);
    // The probe reads through the probe handle (the gated handle's one PGlite driver, without the
    // gate): it must get through while the gate is shut.
    h.availability.watch(async () => {
      await probeTables(h.probeDb, ['slots', 'bookings']);
      if (isBroken)
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    });
  });
  after(async () => {
    await h.close();
  });

  it('refuses new work at once while a probe fails, and lets it through again when a probe succeeds', async () => {
    assert.equal(h.availability.isAvailable(), true);
    isBroken = true;
    await until('the gate to shut', () => !h.availability.isAvailable());
    const started = Date.now();
    const refused = await h.db
      .selectFrom('slots')
      .select('id')
      .execute()
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(isDatabaseUnavailable(refused), `refused with ${String(refused)}`);
    assert.ok(Date.now() - started < 50, 'refused without waiting');
    isBroken = false;
    await until('the gate to open', () => h.availability.isAvailable());
    assert.deepEqual(await h.db.selectFrom('slots').select('id').execute(), []);
  });

  it('keeps transactions (and their savepoints) working through the gate', async () => {
    const n = await h.db.transaction().execute(async (trx) => {
      await sql`SAVEPOINT a`.execute(trx);
      return (await sql<{ n: number }>`SELECT 1 AS n`.execute(trx)).rows[0]!.n;
    });
    assert.equal(n, 1);
  });
});

describe('database availability: probe timeout', () => {
  it('marks the database unavailable when a probe is slower than probeTimeoutMs, and available when one is fast', async () => {
    const availability = createDatabaseAvailability({ probeIntervalMs: 20, probeTimeoutMs: 50 });
    let delayMs = 500;
    availability.watch(() => sleep(delayMs));
    try {
      await until('a slow probe to shut the gate', () => !availability.isAvailable());
      delayMs = 0;
      await until('a fast probe to open it', () => availability.isAvailable());
    } finally {
      availability.stop();
    }
  });

  it('probes at once when asked (a request met an unavailability error), not only on its timer', async () => {
    const availability = createDatabaseAvailability({ probeIntervalMs: 60_000, probeTimeoutMs: null });
    let probes = 0;
    availability.watch(async () => {
      probes += 1;
    });
    try {
      await until('the first probe', () => probes === 1);
      await sleep(20); // let it finish: a probe asked for while one runs is that one
      availability.reportFailure(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      );
      await until('the probe asked for', () => probes === 2, 1_000);
    } finally {
      availability.stop();
    }
  });

  it('opens at once on a statement timeout, but not on terminated connections (the pool opens new ones)', async () => {
    const availability = createDatabaseAvailability({ probeIntervalMs: 60_000, probeTimeoutMs: null });
    availability.watch(async () => {});
    try {
      const pgError = (code: string) => Object.assign(new Error(code), { code });
      availability.reportFailure(pgError('57P01'));
      availability.reportFailure(pgError('57P01'));
      assert.equal(availability.isAvailable(), true);
      availability.reportFailure(pgError('55P03'));
      assert.equal(availability.isAvailable(), false);
    } finally {
      availability.stop();
    }
  });

  it('spreads Retry-After over 1 to 3 seconds', () => {
    const availability = createDatabaseAvailability();
    const seen = new Set(Array.from({ length: 200 }, () => availability.retryAfterSec()));
    assert.deepEqual([...seen].sort(), [1, 2, 3]);
  });
});

describe('isDatabaseUnavailable', () => {
  it('says yes to lost connections, timeouts and locks, and no to what a request did wrong', () => {
    const pgError = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['57P01', '57014', '55P03', '08006', '53300', 'ECONNREFUSED'])
      assert.equal(isDatabaseUnavailable(pgError(code)), true, code);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true);
    for (const code of ['23505', '40001', '22003', '42P01'])
      assert.equal(isDatabaseUnavailable(pgError(code)), false, code);
    assert.equal(isDatabaseUnavailable(new Error('boom')), false);
  });
});

describe('the gate over one PGlite driver', () => {
  /** A gate whose listeners can be counted and fired by the test. */
  function fakeGate() {
    const listeners = new Set<() => void>();
    let available = true;
    return {
      listeners,
      isAvailable: () => available,
      onceUnavailable(l: () => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      shut() {
        available = false;
        for (const l of [...listeners]) l();
        listeners.clear();
      },
    };
  }

  it('keeps no listener once a query has its connection (no growth per query)', async () => {
    const lite = await PGlite.create();
    const gate = fakeGate();
    const db = new Kysely<Record<string, never>>({ dialect: gatedDialects(new PGliteDialect(lite), gate).gated });
    try {
      for (let i = 0; i < 200; i++) await sql`SELECT 1`.execute(db);
      await Promise.all(Array.from({ length: 50 }, () => sql`SELECT 1`.execute(db)));
      assert.equal(gate.listeners.size, 0);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a query waiting for the connection when the gate shuts, while the probe handle still gets through', async () => {
    const lite = await PGlite.create();
    const gate = fakeGate();
    const dialects = gatedDialects(new PGliteDialect(lite), gate);
    const db = new Kysely<Record<string, never>>({ dialect: dialects.gated });
    const probe = new Kysely<Record<string, never>>({ dialect: dialects.ungated });
    try {
      let release!: () => void;
      const held = db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await new Promise<void>((r) => (release = r));
      });
      while (!release) await sleep(1);
      const waiting = sql`SELECT 1`.execute(db).then(
        () => null,
        (e: unknown) => e,
      );
      await sleep(10);
      assert.equal(gate.listeners.size, 1, 'the waiting query listens');
      gate.shut();
      assert.ok(isDatabaseUnavailable(await waiting), 'refused at once, not after the transaction');
      release();
      await held;
      assert.deepEqual((await sql<{ n: number }>`SELECT 2 AS n`.execute(probe)).rows, [{ n: 2 }]);
    } finally {
      await db.destroy();
    }
  });
});
