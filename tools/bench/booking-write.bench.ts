/**
 * What a booking's one write costs PostgreSQL, with and without a schema change, measured in the
 * same run: two scratch databases on the machine's PostgreSQL, A migrated to HEAD and B to HEAD
 * without the migrations named by --without (newest last), each seeded alike; then the real
 * seat-taking statement (booking.repository.ts `writeBookingTakingSeats`, prepared, through the
 * service's own pool) for distinct people on random slots, `concurrency` in flight, in rounds that
 * alternate A, B, A, B… so both see the same machine. Prints Postgres backend CPU ms per booking
 * (/proc of the database's backends) and bookings/s for each, and their ratio.
 *
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx tools/bench/booking-write.bench.ts \
 *     [--bookings 20000] [--rounds 4] [--concurrency 32] --without 0009_booking_slot_key.sql
 *
 * With --batch-a N / --batch-b N a side writes through the booking store with batching
 * (kysely-booking-store.ts: at most N per batch, --in-flight batches at once; 1 = each booking
 * alone, the single statement), so batching is measured against the single statement in one run
 * (`--batch-a 32 --batch-b 1`, no --without). Also prints this process's CPU per booking (the pg
 * driver's share of a booking's service CPU).
 *
 * Needs BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, a role that may
 * CREATE DATABASE). Both databases are dropped at the end, also on failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate, openDatabase, type DatabaseHandle } from '../../src/platform/db.ts';
import { kyselyBookingStores } from '../../src/booking/kysely-booking-store.ts';
import type { BookingStore } from '../../src/booking/booking.store.ts';
import { findPersonById } from '../../src/people/people.repository.ts';
import { findFacilityById } from '../../src/facilities/facilities.repository.ts';
import { dateAfter, newFacility, newLiveCampaign, newPeople, newSlotPair } from '../../test/support/factories.ts';
import { createCleanup } from './cleanup.ts';
import { cpuMsOf } from './cpu-time.ts';
import { createScratchDatabase } from './machine.ts';

const NOW = Date.now();
const FACILITIES = 200;
const DAYS = 10;

const { values: opt } = parseArgs({
  options: {
    bookings: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '32' },
    without: { type: 'string', multiple: true, default: [] },
    'batch-a': { type: 'string', default: '1' },
    'batch-b': { type: 'string', default: '1' },
    'in-flight': { type: 'string', default: '2' },
  },
});
const bookings = Number(opt.bookings);
const rounds = Number(opt.rounds);
const concurrency = Number(opt.concurrency);
const batchA = Number(opt['batch-a']);
const batchB = Number(opt['batch-b']);
const inFlight = Number(opt['in-flight']);
if (
  ![bookings, rounds, concurrency, batchA, batchB, inFlight].every((n) => Number.isInteger(n) && n > 0) ||
  rounds < 1
) {
  console.error('--bookings, --rounds, --concurrency, --batch-a, --batch-b, --in-flight: positive integers');
  process.exit(2);
}
const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
if (new URL(adminUrl).hostname !== '127.0.0.1') {
  console.error('BENCH_DATABASE_URL must point at 127.0.0.1');
  process.exit(2);
}

interface Side {
  name: string;
  handle: DatabaseHandle;
  store: BookingStore;
  url: string;
  slots: { dose1: number; facility: number; date: string; dose2Date: string }[];
  people: number[];
  next: number;
  cpuMs: number;
  clientCpuMs: number;
  wallMs: number;
  done: number;
  refused: Record<string, number>;
}

async function prepare(name: string, url: string, migrationsDir: string, batch: number): Promise<Side> {
  const handle = await openDatabase({ databaseUrl: url, pgliteDir: null, poolSize: concurrency });
  const store = kyselyBookingStores({
    db: handle.db,
    findPerson: findPersonById,
    findFacility: findFacilityById,
    ...(batch > 1 ? { batch: { maxSize: batch, maxInFlight: inFlight } } : {}),
  });
  await migrate(handle, migrationsDir);
  const db = handle.db;
  const campaign = await newLiveCampaign(db, NOW);
  const slots: Side['slots'] = [];
  for (let f = 0; f < FACILITIES; f++) {
    const facility = await newFacility(db, `F-WB-${f}`);
    for (let d = 0; d < DAYS; d++) {
      const p = await newSlotPair(db, {
        campaignId: campaign.id,
        facilityId: facility.id,
        date: dateAfter(NOW, 2 + d),
        capacity: 1000,
      });
      slots.push({ dose1: p.dose1.id, facility: facility.id, date: p.dose1.date, dose2Date: p.dose2Date });
    }
  }
  const people = (await newPeople(db, bookings)).map((p) => p.id);
  return {
    name,
    handle,
    store,
    url,
    slots,
    people,
    next: 0,
    cpuMs: 0,
    clientCpuMs: 0,
    wallMs: 0,
    done: 0,
    refused: {},
  };
}

async function backendPids(url: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return r.rows.map((x) => x.pid);
  } finally {
    await c.end();
  }
}

async function round(s: Side, count: number, runId: string) {
  // Open the pool's connections before measuring, so every backend is counted.
  await Promise.all(
    Array.from({ length: concurrency }, () => s.handle.db.selectNoFrom((eb) => eb.val(1).as('x')).execute()),
  );
  const pids = await backendPids(s.url);
  const before = pids.map(cpuMsOf);
  const client = process.cpuUsage();
  const t = performance.now();
  const end = s.next + count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (s.next < end) {
        const i = s.next++;
        const slot = s.slots[Math.floor(Math.random() * s.slots.length)]!;
        const nowMs = Date.now();
        const r = await s.store.writeBookingTakingSeats({
          kind: 'place',
          booking: {
            booking_number: `WB${runId}${i}`,
            campaign_id: 'demo',
            campaign_version: 1,
            person_id: s.people[i]!,
            requested_by_id: s.people[i]!,
            status: 'active',
            facility_id: slot.facility,
            vaccine_code: 'pfizer',
            dose1_slot_id: slot.dose1,
            dose1_date: slot.date,
            dose2_date: slot.dose2Date,
            idempotency_key: `k${i}`,
            admission_id: `adm-${runId}-${i}`,
            created_at: new Date(nowMs),
            updated_at: new Date(nowMs),
            cancelled_at: null,
          },
          message: {
            kind: 'booking-confirmed',
            nowMs,
            payload: { to: '010-0000-0000', text: `booked ${i}`, bookingNumber: `WB${runId}${i}` } as never,
          },
        });
        if (r.ok) s.done++;
        else s.refused[r.reason] = (s.refused[r.reason] ?? 0) + 1;
      }
    }),
  );
  s.wallMs += performance.now() - t;
  const used = process.cpuUsage(client);
  s.clientCpuMs += (used.user + used.system) / 1000;
  s.cpuMs += pids.reduce((n, pid, k) => n + Math.max(0, cpuMsOf(pid) - before[k]!), 0);
}

async function main() {
  const cleanup = createCleanup({ budgetMs: 15 * 60_000, log: (l) => process.stderr.write(`${l}\n`) });
  const runId = randomBytes(3).toString('hex');
  const without = new Set(opt.without);
  const all = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f));
  for (const w of without) if (!all.includes(w)) throw new Error(`--without ${w}: no such migration`);
  const dirB = mkdtempSync(join(tmpdir(), 'yeyak-wb-'));
  cleanup.defer('remove migrations copy', () => rmSync(dirB, { recursive: true, force: true }));
  for (const f of all) if (!without.has(f)) cpSync(join(MIGRATIONS_DIR, f), join(dirB, f));
  const sides: Side[] = [];
  try {
    const urlA = await createScratchDatabase(adminUrl, `yeyak_wb_${runId}_a`, cleanup);
    const urlB = await createScratchDatabase(adminUrl, `yeyak_wb_${runId}_b`, cleanup);
    const batched = (n: number) => (n > 1 ? `, batches of ≤ ${n}, ${inFlight} in flight` : '');
    sides.push(await prepare(`A: all migrations${batched(batchA)}`, urlA, MIGRATIONS_DIR, batchA));
    sides.push(
      await prepare(`B: without ${[...without].join(', ') || '(nothing)'}${batched(batchB)}`, urlB, dirB, batchB),
    );
    for (const s of sides) cleanup.defer(`close ${s.name}`, () => s.handle.close());
    const perRound = Math.floor(bookings / rounds);
    // Each side runs `rounds` rounds, interleaved A B B A A B …, so neither always goes first.
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const x of order) await round(x, perRound, `${runId}${r}`);
    }
    console.log(
      `booking write A/B — ${new Date().toISOString()}; ${rounds} rounds of ${perRound} bookings per side, ${concurrency} in flight, ${FACILITIES * DAYS} slot pairs`,
    );
    for (const s of sides)
      console.log(
        `  ${s.name.padEnd(48)} Postgres CPU ${(s.cpuMs / Math.max(1, s.done)).toFixed(3)} ms per booking, client CPU ${(s.clientCpuMs / Math.max(1, s.done)).toFixed(3)} ms, ${Math.round((s.done * 1000) / s.wallMs)} bookings/s, ${s.done} booked, refused ${JSON.stringify(s.refused)}`,
      );
    const [a, b] = sides as [Side, Side];
    console.log(`  A ÷ B Postgres CPU per booking: ${(a.cpuMs / a.done / (b.cpuMs / b.done)).toFixed(3)}`);
  } finally {
    await cleanup.runAll();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
