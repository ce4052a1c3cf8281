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

  it('gives a channel that takes many at once a mark window per call; a refused window goes one by one and only its failing message is retried', async () => {
    const numbers = await fiveBookings('outbox-many');
    const clock = fixedClock(NOW);
    const single = capturingChannel();
    single.failNextFor(numbers[2]!, 1);
    const windows: string[][] = [];
    const channel: MessageChannel = {
      send: (m) => single.send(m),
      async sendMany(ms) {
        const these = ms.map((m) => m.payload.bookingNumber ?? '');
        if (these.includes(numbers[2]!)) throw new Error('bulk request refused (simulated)');
        windows.push(these);
        for (const m of ms) await single.send(m);
      },
    };
    const sender = createOutboxSender({
      db: tdb!.db,
      clock,
      channel,
      maxAttempts: 5,
      claimLeaseMs: LEASE_MS,
      markEvery: 2,
      baseBackoffMs: 1_000,
      random: () => 1,
    });

    await sender.runOnce();
    clock.advance(1_000);
    await sender.runOnce();

    assert.ok(
      windows.every((w) => w.length <= 2) && windows.flat().filter((n) => numbers.includes(n)).length >= 2,
      `windows of at most markEvery (2), with this test's messages among them: ${JSON.stringify(windows)}`,
    );
    const mine = single.sent.filter((m) => numbers.includes(m.bookingNumber));
    assert.deepEqual(mine.map((m) => m.bookingNumber).sort(), [...numbers].sort(), 'each delivered exactly once');
    const rows = await sentAt(numbers);
    assert.deepEqual(
      numbers.map((n) => rows.get(n)!.attempts),
      [1, 1, 2, 1, 1],
      'only the message that failed alone was attempted again',
    );
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

  describe("a new booking's message handed to the sender of the process that wrote it", () => {
    async function oneSlot(id: string) {
      const db = tdb!.db;
      const campaign = await newLiveCampaign(db, NOW, { id });
      const facility = await newFacility(db);
      const { dose1 } = await newSlotPair(db, {
        campaignId: campaign.id,
        facilityId: facility.id,
        date: dateAfter(NOW, 5),
        capacity: 10,
      });
      return { campaignId: campaign.id, slotId: dose1.id };
    }

    async function outboxRowOf(bookingNumber: string) {
      return tdb!.db
        .selectFrom('outbox')
        .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
        .select(['outbox.id', 'outbox.next_attempt_at', 'outbox.sent_at', 'outbox.attempts'])
        .where('bookings.booking_number', '=', bookingNumber)
        .executeTakeFirstOrThrow();
    }

    it('is written claimed for the lease and sent from memory: no sender claims it, it is sent once and marked', async () => {
      const { campaignId, slotId } = await oneSlot('outbox-handoff');
      const channel = capturingChannel();
      const svc = testServices(tdb!, fixedClock(NOW), channel, { OUTBOX_CLAIM_LEASE_MS: String(LEASE_MS) });
      const stop = svc.outboxSender.start(10, (e) => assert.fail(String(e)));
      try {
        const [p] = await newPeople(tdb!.db, 1);
        const placed = await svc.booking.placeBooking({
          requesterId: p!.id,
          campaignId,
          slotId,
          idempotencyKey: 'handoff-1',
        });
        assert.ok(placed.ok);
        const number = placed.value.bookingNumber;

        const written = await outboxRowOf(number);
        assert.equal(written.next_attempt_at.getTime(), NOW + LEASE_MS, 'claimed by its writer from the start');
        const other = await claimDueMessages(tdb!.db, NOW, 100, LEASE_MS);
        assert.equal(other.filter((m) => m.id === written.id).length, 0, 'no other sender can claim it');

        for (let i = 0; i < 100 && (await outboxRowOf(number)).sent_at === null; i++)
          await new Promise((r) => setTimeout(r, 20));
        const done = await outboxRowOf(number);
        assert.notEqual(done.sent_at, null);
        assert.equal(done.attempts, 1);
        assert.deepEqual(
          channel.sent.filter((m) => m.bookingNumber === number).map((m) => m.id),
          [written.id],
          'sent once, under its outbox id',
        );
      } finally {
        await stop();
      }
    });

    it('written while no sender runs in the process, is due at once, as before', async () => {
      const { campaignId, slotId } = await oneSlot('outbox-no-handoff');
      const svc = testServices(tdb!, fixedClock(NOW), capturingChannel(), { OUTBOX_CLAIM_LEASE_MS: String(LEASE_MS) });
      const [p] = await newPeople(tdb!.db, 1);
      const placed = await svc.booking.placeBooking({ requesterId: p!.id, campaignId, slotId, idempotencyKey: 'nh-1' });
      assert.ok(placed.ok);
      assert.equal((await outboxRowOf(placed.value.bookingNumber)).next_attempt_at.getTime(), NOW);
    });

    it('when its process dies before sending it, comes due for any sender when its lease ends', async () => {
      const { campaignId, slotId } = await oneSlot('outbox-handoff-crash');
      const clock = fixedClock(NOW);
      const svc = testServices(tdb!, clock, capturingChannel(), { OUTBOX_CLAIM_LEASE_MS: String(LEASE_MS) });
      // The process "dies" right after the commit: its sender runs, but is stopped before its next round.
      const stop = svc.outboxSender.start(60_000, (e) => assert.fail(String(e)));
      const [p] = await newPeople(tdb!.db, 1);
      await new Promise((r) => setTimeout(r, 50));
      const placed = await svc.booking.placeBooking({ requesterId: p!.id, campaignId, slotId, idempotencyKey: 'hc-1' });
      assert.ok(placed.ok);
      const row = await outboxRowOf(placed.value.bookingNumber);

      const other = createOutboxSender({
        db: tdb!.db,
        clock,
        channel: capturingChannel(),
        maxAttempts: 5,
        claimLeaseMs: LEASE_MS,
      });
      clock.advance(LEASE_MS - 1);
      assert.equal(
        (await claimDueMessages(tdb!.db, clock.nowMs(), 100, LEASE_MS)).filter((m) => m.id === row.id).length,
        0,
      );
      clock.advance(1);
      const r = await other.runOnce();
      assert.ok(r.sent >= 1);
      assert.notEqual((await outboxRowOf(placed.value.bookingNumber)).sent_at, null);
      void stop();
    });

    it('still waiting when its sender is stopped (graceful shutdown), is sent before the stop returns', async () => {
      const clock = fixedClock(NOW);
      const channel = capturingChannel();
      const sender = createOutboxSender({ db: tdb!.db, clock, channel, maxAttempts: 5, claimLeaseMs: LEASE_MS });
      const stop = sender.start(60_000, (e) => assert.fail(String(e)));
      await new Promise((r) => setTimeout(r, 50));
      sender.writers.handOff({
        id: -3,
        kind: 'booking-confirmed',
        payload: { to: '010', text: { ko: 'x', en: 'x' }, bookingNumber: 'at-stop-handoff' },
        claimedUntilMs: NOW + LEASE_MS,
      });
      await stop();
      assert.deepEqual(
        channel.sent.filter((m) => m.bookingNumber === 'at-stop-handoff').map((m) => m.id),
        [-3],
      );
      assert.equal(sender.writers.leaseMs(), undefined, 'a stopped sender takes no more hand-offs');
    });

    it('is left to the claim path once half its lease is gone (then it may be claimed elsewhere soon)', async () => {
      const clock = fixedClock(NOW);
      const channel = capturingChannel();
      const sender = createOutboxSender({ db: tdb!.db, clock, channel, maxAttempts: 5, claimLeaseMs: LEASE_MS });
      sender.writers.handOff({
        id: -1,
        kind: 'booking-confirmed',
        payload: { to: '010', text: { ko: 'x', en: 'x' }, bookingNumber: 'stale-handoff' },
        claimedUntilMs: NOW + LEASE_MS / 2,
      });
      sender.writers.handOff({
        id: -2,
        kind: 'booking-confirmed',
        payload: { to: '010', text: { ko: 'x', en: 'x' }, bookingNumber: 'fresh-handoff' },
        claimedUntilMs: NOW + LEASE_MS,
      });
      await sender.runOnce();
      assert.deepEqual(
        channel.sent.filter((m) => m.bookingNumber.endsWith('-handoff')).map((m) => m.bookingNumber),
        ['fresh-handoff'],
      );
    });
  });
});
