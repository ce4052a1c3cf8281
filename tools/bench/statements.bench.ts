/**
 * Which statements a verification, an admission, an eligibility check, a slot search, a booking and
 * its confirmation send run on PostgreSQL, and what they cost it: the real app (composeApp, routes
 * included, over app.inject) on a throwaway PostgreSQL this tool starts itself (initdb + pg_ctl on a
 * free port, `shared_preload_libraries=pg_stat_statements`; the machine's server is never touched),
 * statistics reset before each step and read after it.
 *
 *   node --import tsx tools/bench/statements.bench.ts [people=200]
 *
 * Prints, per step: statements per request, Postgres execution ms per request (pg_stat_statements'
 * total_exec_time: time inside the executor, not CPU, no parse or network), and each statement
 * with its calls per request. Needs initdb/pg_ctl (PG_BIN, default /usr/lib/postgresql/15/bin) and
 * Redis on 127.0.0.1 (a unique key prefix, deleted at the end).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fixedClock } from '../../src/platform/clock.ts';
import { openDatabase, migrate } from '../../src/platform/db.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { newFacility, newLiveCampaign, newSlotPair, dateAfter } from '../../test/support/factories.ts';
import { testApp, testConfig } from '../../test/support/services.ts';
import { joinQueue, poll, runAdmission, verifyAs } from '../../test/support/queue.ts';
import { freePort } from './service.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const people = Number(process.argv[2] ?? 200);

interface Row {
  query: string;
  calls: string;
  total_exec_time: number;
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` OS user, owner of the directory. */
function pgTool(tool: string, args: string[], dir: string) {
  if (process.getuid?.() !== 0) return execFileSync(`${PG_BIN}/${tool}`, args, { stdio: 'ignore' });
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  chownSync(dir, uid, uid);
  return execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${tool}`, ...args], { stdio: 'ignore' });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-stmts-'));
  const port = await freePort();
  pgTool('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], dir);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top -c max_connections=60`;
  pgTool('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', 'start'], dir);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: url });
  const prefix = `stmts${process.pid}`;
  try {
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    await measure(url, admin, prefix);
  } finally {
    await admin.end().catch(() => undefined);
    pgTool('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'], dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(url: string, admin: pg.Client, prefix: string) {
  const database = await openDatabase({ databaseUrl: url, pgliteDir: null, poolSize: 8 });
  await migrate(database);
  const clock = fixedClock(NOW);
  const hmac = testConfig().identityHmacKey;
  const rrns = Array.from({ length: people }, (_, i) => makeRrn('1968-05-05', 'F', 1000 + i));
  await insertPeople(
    database.db,
    rrns.map((rrn, i) => ({
      identity_hash: identityHashOf(hmac, rrn.replace('-', '')),
      birth_date: '1968-05-05',
      name: `시험${i}`,
      phone: '010-0000-0000',
      region_code: '11',
    })),
  );
  const campaign = await newLiveCampaign(database.db, NOW);
  const facility = await newFacility(database.db, 'F-STMTS');
  // Bookings spread over 20 slots (a hot single row would measure lock waits, not statements).
  const slotIds: number[] = [];
  for (let d = 0; d < 20; d++)
    slotIds.push(
      (
        await newSlotPair(database.db, {
          campaignId: campaign.id,
          facilityId: facility.id,
          date: dateAfter(NOW, 2 + d),
          capacity: people,
        })
      ).dose1.id,
    );
  const { app, services } = await testApp(database, clock, undefined, {
    REDIS_KEY_PREFIX: prefix,
    ADMISSION_INITIAL_RATE_PER_SEC: '5000',
    ADMISSION_MAX_RATE_PER_SEC: '5000',
  });
  try {
    const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      await admin.query('SELECT pg_stat_statements_reset()');
      const out = await work();
      report(
        name,
        (
          await admin.query<Row>(`SELECT query, calls::text, total_exec_time FROM pg_stat_statements
        WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY calls DESC, total_exec_time DESC`)
        ).rows,
      );
      return out;
    };
    const sessions = await step('verification (POST /api/identity/verify)', () =>
      Promise.all(rrns.map((rrn, i) => verifyAs(app, rrn, `시험${i}`))),
    );
    const citizens = await step('join (POST /queue)', () =>
      Promise.all(sessions.map((s, i) => joinQueue(app, 'demo', s, `device-stmts-${i}`))),
    );
    await step('admission (admission loop, 2 s)', () => runAdmission(services, clock, 'demo', 2));
    const auths = await step('poll that learns the admission (GET /queue/status)', () =>
      Promise.all(
        citizens.map(async (c) => {
          const status = (await poll(app, 'demo', c)).json();
          if (status.state !== 'admitted') throw new Error(`not admitted: ${JSON.stringify(status)}`);
          return { ...c.auth, cookie: c.cookie, 'x-admission-token': status.admission.token as string };
        }),
      ),
    );
    await step('eligibility (GET /eligibility)', () =>
      Promise.all(auths.map((h) => app.inject({ url: '/api/campaigns/demo/eligibility', headers: h }))),
    );
    await step('slot search (GET /slots)', () =>
      Promise.all(auths.map((h) => app.inject({ url: '/api/campaigns/demo/slots', headers: h }))),
    );
    await step('booking (POST /bookings)', () =>
      Promise.all(
        auths.map(async (h, i) => {
          const r = await app.inject({
            method: 'POST',
            url: '/api/campaigns/demo/bookings',
            headers: { ...h, 'idempotency-key': `stmts-${i}-key` },
            payload: { slotId: slotIds[i % slotIds.length] },
          });
          if (r.statusCode !== 201) throw new Error(`booking answered ${r.statusCode}: ${r.body}`);
        }),
      ),
    );
    await step('confirmation send (outbox sender, per booking)', async () => {
      while ((await services.outboxSender.runOnce()).sent > 0) {
        /* drain */
      }
    });
  } finally {
    await app.close();
    const keys = (await services.redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length) await services.redis?.del(...keys);
    await database.close();
  }
}

function report(step: string, rows: Row[]) {
  const calls = rows.reduce((n, r) => n + Number(r.calls), 0);
  const ms = rows.reduce((n, r) => n + r.total_exec_time, 0);
  console.log(
    `\n${step}: ${(calls / people).toFixed(2)} statements per request, ${(ms / people).toFixed(3)} ms Postgres execution per request`,
  );
  for (const r of rows) {
    const text = r.query.replace(/\s+/g, ' ').slice(0, 150);
    console.log(
      `  ${(Number(r.calls) / people).toFixed(2).padStart(6)} × ${(r.total_exec_time / Number(r.calls)).toFixed(3).padStart(7)} ms  ${text}`,
    );
  }
}

await main();
