import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../platform/clock.ts';
import { postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { newFacility, newLiveCampaign, newPeople, newSlotPair, dateAfter } from '../../test/support/factories.ts';
import { capturingChannel, testServices } from '../../test/support/services.ts';
import { createOutboxSender, type MessageChannel } from './outbox.sender.ts';
import { claimDueMessages } from './outbox.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const LEASE_MS = 5_000;

describe('outbox sender on real Postgres', () => {
  let tdb: TestDatabase | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined, 4);
  });
  after(async () => {
    await tdb?.close();
  });

  /** Five committed bookings in their own campaign; their booking numbers in outbox order. */
  async function fiveBookings(id: string) {
    const db = tdb!.db;
    const campaign = await newLiveCampaign(db, NOW, { id });
    const facility = await newFacility(db);
    const { dose1 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 10,
    });
    const svc = testServices(tdb!, fixedClock(NOW));
    const numbers: string[] = [];
    for (const p of await newPeople(db, 5)) {
      const r = await svc.booking.placeBooking({
        requesterId: p.id,
        campaignId: campaign.id,
        slotId: dose1.id,
        idempotencyKey: `${id}-${p.id}`,
      });
      assert.ok(r.ok);
      numbers.push(r.value.bookingNumber);
    }
    return numbers;
  }

  async function sentAt(numbers: string[]) {
    const rows = await tdb!.db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select(['bookings.booking_number', 'outbox.sent_at', 'outbox.attempts'])
      .where('bookings.booking_number', 'in', numbers)
      .execute();
    return new Map(rows.map((r) => [r.booking_number, r]));
  }

  it('marks each message sent on its own: a send failing mid-round leaves the others sent and retries only it', async () => {
    const numbers = await fiveBookings('outbox-midround');
    const clock = fixedClock(NOW);
    const channel = capturingChannel();
    channel.failNextFor(numbers[2]!, 1);
    const sender = createOutboxSender({
      db: tdb!.db,
      clock,
      channel,
      maxAttempts: 5,
      claimLeaseMs: LEASE_MS,
      baseBackoffMs: 1_000,
      random: () => 1,
    });

    const first = await sender.runOnce();
    const rows = await sentAt(numbers);

    assert.deepEqual(
      numbers.map((n) => rows.get(n)!.sent_at !== null),
      [true, true, false, true, true],
    );
    assert.ok(first.sent >= 4 && first.failed >= 1);
    clock.advance(1_000);
    await sender.runOnce();
    const mine = channel.sent.filter((m) => numbers.includes(m.bookingNumber));
    assert.deepEqual(
      mine.map((m) => m.bookingNumber).sort(),
      [...numbers].sort(),
      'each message delivered exactly once',
    );
    assert.equal((await sentAt(numbers)).get(numbers[2]!)!.attempts, 2);
  });

  it('after a sender dies mid-round, a new sender sends only what was not yet marked (at most one mark window), under the same ids', async () => {
    const numbers = await fiveBookings('outbox-crash');
    const clock = fixedClock(NOW);
    // The first sender's process "dies" inside its third send: that send never returns.
    const delivered: { id: number; bookingNumber: string }[] = [];
    const dying: MessageChannel = {
      send: (m) => {
        if (m.payload.bookingNumber === numbers[2]) {
          delivered.push({ id: m.id, bookingNumber: m.payload.bookingNumber ?? '' });
          return new Promise(() => {});
        }
        delivered.push({ id: m.id, bookingNumber: m.payload.bookingNumber ?? '' });
        return Promise.resolve();
      },
    };
    // Marks every two accepted messages: the first two are marked before the third send hangs.
    void createOutboxSender({
      db: tdb!.db,
      clock,
      channel: dying,
      maxAttempts: 5,
      claimLeaseMs: LEASE_MS,
      markEvery: 2,
    }).runOnce();
    for (let i = 0; i < 100 && !delivered.some((d) => d.bookingNumber === numbers[2]); i++)
      await new Promise((r) => setTimeout(r, 20));
    const afterCrash = await sentAt(numbers);
    assert.deepEqual(
      numbers.map((n) => afterCrash.get(n)!.sent_at !== null),
      [true, true, false, false, false],
    );

    const restarted = capturingChannel();
    const next = createOutboxSender({ db: tdb!.db, clock, channel: restarted, maxAttempts: 5, claimLeaseMs: LEASE_MS });
    await next.runOnce();
    assert.equal(
      restarted.sent.filter((m) => numbers.includes(m.bookingNumber)).length,
      0,
      "the dead sender's claims wait for their lease",
    );
    clock.advance(LEASE_MS);
    await next.runOnce();

    const resent = restarted.sent.filter((m) => numbers.includes(m.bookingNumber));
    assert.deepEqual(
      resent.map((m) => m.bookingNumber),
      numbers.slice(2),
      'only the message in flight and those after it',
    );
    const inFlight = delivered.find((d) => d.bookingNumber === numbers[2])!;
    assert.equal(resent[0]!.id, inFlight.id, 'the repeat carries the id the channel saw, so it can drop it');
    assert.ok([...(await sentAt(numbers)).values()].every((r) => r.sent_at !== null));
  });
  it('claims the messages due longest first, so a retry put off by backoff waits behind fresher ones', async () => {
    const numbers = await fiveBookings('outbox-due-order');
    const db = tdb!.db;
    // The lowest id was put off 500 ms (as a failed send's backoff does); the other four are due at NOW.
    const first = await db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select('outbox.id')
      .where('bookings.booking_number', '=', numbers[0]!)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(NOW + 500) })
      .where('id', '=', first.id)
      .execute();

    const claimed = await claimDueMessages(db, NOW + 1_000, 4, LEASE_MS);

    assert.deepEqual(
      claimed.map((m) => m.payload.bookingNumber),
      numbers.slice(1),
      'the four due at NOW, not the lowest four ids',
    );
  });
});
