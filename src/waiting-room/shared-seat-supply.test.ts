import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import type { SeatCount, SeatCountMoment, SeatSupply } from './admission-settings.ts';
import { createMemoryCheckpoint } from './checkpoint.ts';
import { createMemoryStore } from './memory-store.ts';
import { createMemorySeatCountStore } from './seat-count.memory-store.ts';
import type { SeatCountStore } from './seat-count.store.ts';
import { sharedSeatSupply } from './shared-seat-supply.ts';
import { createWaitingRoomService } from './waiting-room.service.ts';
import { CAMPAIGN, keys, OPENS, seededPreScores } from '../../test/support/waiting-room.ts';

const EVERY_MS = 5_000;
const moment = (atMs: number, active = 0, claimedTotal = 0): SeatCountMoment => ({
  atMs,
  base: { active, claimedTotal },
});

/** The booking side's count, as a database would give it: what `seats` holds now; every read counted. */
function countingSource(seats: { left: number | null }) {
  const reads: number[] = [];
  const source: SeatSupply = {
    async seatsOf(_campaignId, now) {
      reads.push(now?.atMs ?? -1);
      return seats.left === null ? null : { seatsLeft: seats.left, nextSeatsAtMs: null };
    },
  };
  return { source, reads };
}

describe('sharedSeatSupply', () => {
  it('reads the count once per interval for every process, and hands it out with the moment it was read', async () => {
    const clock = fixedClock(OPENS);
    const counts = createMemorySeatCountStore(clock);
    const db = { left: 70_000 };
    const { source, reads } = countingSource(db);
    const [a, b] = [0, 1].map(() => sharedSeatSupply({ source, counts, everyMs: EVERY_MS })) as [
      SeatSupply,
      SeatSupply,
    ];

    const first = await a.seatsOf(CAMPAIGN, moment(OPENS, 3, 40));
    assert.deepEqual(first, { seatsLeft: 70_000, nextSeatsAtMs: null, countedAt: moment(OPENS, 3, 40) });
    db.left = 69_000;
    clock.advance(1_000);
    assert.deepEqual(
      await b.seatsOf(CAMPAIGN, moment(OPENS + 1_000, 5, 44)),
      first,
      "the other process takes the kept count, with the first one's moment",
    );
    assert.deepEqual(reads, [OPENS], 'one read');

    clock.advance(EVERY_MS);
    const again = await b.seatsOf(CAMPAIGN, moment(OPENS + 6_000, 5, 44));
    assert.deepEqual(again, { seatsLeft: 69_000, nextSeatsAtMs: null, countedAt: moment(OPENS + 6_000, 5, 44) });
    assert.deepEqual(await a.seatsOf(CAMPAIGN, moment(OPENS + 6_000, 6, 45)), again);
    assert.deepEqual(reads, [OPENS, OPENS + 6_000], 'one read per interval, by whichever process came first');
  });

  it('keeps handing out the last count while another process holds the recount lease', async () => {
    const clock = fixedClock(OPENS);
    const counts = createMemorySeatCountStore(clock);
    const { source, reads } = countingSource({ left: 10 });
    const supply = sharedSeatSupply({ source, counts, everyMs: EVERY_MS });
    const kept = { seatsLeft: 12, nextSeatsAtMs: null, countedAt: moment(OPENS - 6_000) };
    await counts.keepCount(CAMPAIGN, kept, 60_000);
    assert.equal(await counts.claimRecount(CAMPAIGN, EVERY_MS), true, 'another process recounts');
    assert.deepEqual(await supply.seatsOf(CAMPAIGN, moment(OPENS)), kept);
    assert.deepEqual(reads, []);
  });

  it('reads the count itself when nothing is kept and another process holds the lease, or the store fails', async () => {
    const clock = fixedClock(OPENS);
    const counts = createMemorySeatCountStore(clock);
    const { source, reads } = countingSource({ left: 10 });
    await counts.claimRecount(CAMPAIGN, EVERY_MS);
    const supply = sharedSeatSupply({ source, counts, everyMs: EVERY_MS });
    assert.deepEqual(await supply.seatsOf(CAMPAIGN, moment(OPENS)), { seatsLeft: 10, nextSeatsAtMs: null });
    const failing: SeatCountStore = {
      latestCount: () => Promise.reject(new Error('redis down')),
      claimRecount: () => Promise.reject(new Error('redis down')),
      keepCount: () => Promise.reject(new Error('redis down')),
    };
    const alone = sharedSeatSupply({ source, counts: failing, everyMs: EVERY_MS });
    assert.deepEqual(await alone.seatsOf(CAMPAIGN, moment(OPENS)), { seatsLeft: 10, nextSeatsAtMs: null });
    assert.equal(reads.length, 2);
  });

  it('keeps no count for a campaign the booking side does not know', async () => {
    const clock = fixedClock(OPENS);
    const counts = createMemorySeatCountStore(clock);
    const { source } = countingSource({ left: null });
    const supply = sharedSeatSupply({ source, counts, everyMs: EVERY_MS });
    assert.equal(await supply.seatsOf(CAMPAIGN, moment(OPENS)), null);
    assert.equal(await counts.latestCount(CAMPAIGN), null);
  });
});

describe('two processes over one store', () => {
  it('read the seats left once per interval between them, both showing the same count', async () => {
    const clock = fixedClock(OPENS);
    const store = createMemoryStore();
    const checkpoint = createMemoryCheckpoint();
    const counts = createMemorySeatCountStore(clock);
    const db = { left: 500 };
    const { source, reads } = countingSource(db);
    const services = [0, 1].map(() =>
      createWaitingRoomService({
        clock,
        store,
        checkpoint,
        keys,
        drawPreScore: seededPreScores(1),
        seats: sharedSeatSupply({ source, counts, everyMs: EVERY_MS }),
      }),
    );
    for (const s of services) await s.openCampaign({ campaignId: CAMPAIGN, opensAtMs: OPENS, partitions: 1 });
    const seatsShown = () =>
      services.map((s) => {
        const status = s.roomStatus(CAMPAIGN);
        assert.ok(status.ok);
        return status.value.seats?.seatsLeft;
      });
    for (let second = 1; second <= 12; second += 1) {
      clock.advance(1_000);
      db.left -= 10;
      for (const s of services) await s.refreshSnapshot(CAMPAIGN);
      const [a, b] = seatsShown();
      assert.equal(a, b, `second ${second}: both show the count last read`);
    }
    // At the opening, then once per 5 s (10 processes would read as often; each used to read itself).
    assert.deepEqual(reads, [OPENS, OPENS + 5_000, OPENS + 10_000]);
    assert.deepEqual(seatsShown(), [400, 400]);
  });
});
