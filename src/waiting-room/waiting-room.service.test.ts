import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signQueueTicket, verifyQueueTicket, type QueueTicket } from './ticket.ts';
import {
  CAMPAIGN,
  keys,
  newHarness,
  OPENS,
  person,
  seededRandom,
  type Harness,
} from '../../test/support/waiting-room.ts';
import type { QueueStatus, StatusReply } from './waiting-room.service.ts';
import type { WaitingRoomCheckpoint } from './checkpoint.ts';
import { estimateHeadroom, estimateRate, etaBand, measuredBand, withHeadroom } from './snapshot.ts';

const ref = { campaignId: CAMPAIGN, partition: 0 };
const quiet = { p99Ms: null, errorRate: null };

function value<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.reason}`);
  return r.value;
}
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);
const ticketOf = (token: string): QueueTicket =>
  value(verifyQueueTicket(token, keys.ticket, { campaignId: CAMPAIGN, nowMs: OPENS, maxAgeMs: 1e12 }));

function as<K extends QueueStatus['kind']>(reply: StatusReply, kind: K): Extract<QueueStatus, { kind: K }> {
  assert.equal(reply.status.kind, kind, JSON.stringify(reply.status));
  return reply.status as Extract<QueueStatus, { kind: K }>;
}

/** Opened harness with n people joined after opening, in order 1..n. Returns their tickets. */
async function openedWith(
  n: number,
  o: Parameters<typeof newHarness>[0] = {},
): Promise<Harness & { tickets: string[] }> {
  const h = await newHarness({ startMs: OPENS, ...o });
  const tickets: string[] = [];
  for (let i = 1; i <= n; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
  await h.service.refreshSnapshot();
  return { ...h, tickets };
}

/** Move the cursor by `count` directly in the store, then refresh the snapshot as the 1 s timer would. */
async function admitNext(h: Harness, count: number): Promise<void> {
  value(await h.store.advanceCursor(ref, { count, graceMs: 60_000 }, { nowMs: h.clock.nowMs(), opensAtMs: OPENS }));
  await h.service.refreshSnapshot();
}

const poll = (h: Harness, i: number, ticket: string, extra: { deviceId?: string; identityHash?: string } = {}) =>
  h.service.pollStatus({
    campaignId: CAMPAIGN,
    ticket,
    deviceId: extra.deviceId ?? `device-${i}`,
    ...(extra.identityHash ? { identityHash: extra.identityHash } : {}),
  });

describe('waiting room service', () => {
  describe('joining', () => {
    it('puts people who come before the opening in the pre-room, with no seq and a poll timed to the opening', async () => {
      const h = await newHarness();
      const r = value(await h.service.joinQueue(person(1)));
      const s = as(r, 'pre-room');
      assert.equal(s.opensAtMs, OPENS);
      assert.ok(s.nextPollMs >= 1_000 && s.nextPollMs <= 10_000);
      assert.equal(ticketOf(r.ticket).seq, null);
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'waiting');
    });

    it('hands out places in arrival order after opening, with position, ahead and behind', async () => {
      const h = await openedWith(3);
      const s = as(value(await poll(h, 2, h.tickets[1]!)), 'waiting');
      assert.deepEqual([s.position, s.ahead, s.behind], [2, 1, 1]);
    });

    it('gives the same place back on reload, reconnection or airplane mode, never a better one', async () => {
      const h = await openedWith(3);
      const again = value(await h.service.joinQueue(person(2)));
      assert.equal(ticketOf(again.ticket).seq, 2);
      assert.equal(as(value(await poll(h, 2, again.ticket)), 'waiting').position, 2);
      assert.equal(as(value(await poll(h, 2, h.tickets[1]!)), 'waiting').position, 2, 'the old ticket still works');
      assert.equal(value(await h.store.stats(ref, { nowMs: OPENS, opensAtMs: OPENS })).tail, 3);
    });

    it('refuses a second device for the same person and locks other devices out (Aug 2021 rule)', async () => {
      const h = await openedWith(1);
      const r = await h.service.joinQueue({ ...person(1), deviceId: 'second-phone' });
      assert.deepEqual(r, { ok: false, reason: 'other-device', detail: { lockedUntilMs: OPENS + 600_000 } });
      assert.equal(
        reason(await poll(h, 1, h.tickets[0]!, { deviceId: 'second-phone' })),
        'other-device',
        'a copied ticket is useless on another device',
      );
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.lockedUntilMs, OPENS + 600_000);
    });

    it('refuses the 11th join of an identity within a minute, in the same store call, keeping the place', async () => {
      const h = await openedWith(1);
      h.clock.advance(1_000);
      for (let k = 2; k <= 10; k += 1) assert.equal(reason(await h.service.joinQueue(person(1))), 'ok');
      const calls = h.store.totalCalls();
      h.clock.advance(20_000);
      const over = await h.service.joinQueue(person(1));
      // The window began with the first join, at the opening (21 s ago).
      assert.deepEqual(over, { ok: false, reason: 'too-many-joins', detail: { retryAfterMs: 39_000 } });
      assert.equal(h.store.totalCalls(), calls + 1, 'counted and refused in the join call itself');
      assert.equal(reason(await h.service.joinQueue(person(2))), 'ok', 'another person is not limited');
      h.clock.advance(39_000);
      assert.equal(ticketOf(value(await h.service.joinQueue(person(1))).ticket).seq, 1, 'the place was kept');
    });

    it('counts a join that finds its place expired once, though it joins the store twice', async () => {
      const h = await openedWith(3, { settings: { joinLimit: { maxPerWindow: 2, windowMs: 60_000 } } });
      await admitNext(h, 1);
      h.clock.advance(60_001);
      const joins = h.store.calls.get('joinMany') ?? 0;
      assert.equal(ticketOf(value(await h.service.joinQueue(person(1))).ticket).seq, 4);
      assert.equal(h.store.calls.get('joinMany'), joins + 2, 'the expired place, then a new one at the back');
      assert.equal(reason(await h.service.joinQueue(person(1))), 'ok', 'the second join of the window');
      assert.equal(reason(await h.service.joinQueue(person(1))), 'too-many-joins');
    });
  });

  describe('joining together', () => {
    it('sends the joins of one turn as one store call per partition, each with its own place in call order', async () => {
      const h = await newHarness({ startMs: OPENS, partitions: 2 });
      const people = Array.from({ length: 12 }, (_, i) => person(i + 1));
      const calls = h.store.calls.get('joinMany') ?? 0;
      const tickets = (await Promise.all(people.map((p) => h.service.joinQueue(p)))).map((r) =>
        ticketOf(value(r).ticket),
      );
      assert.equal(h.store.calls.get('joinMany'), calls + 2, 'one call per partition');
      assert.equal(h.store.calls.get('join') ?? 0, 0);
      for (const partition of [0, 1]) {
        const seqs = tickets.filter((t) => t.partition === partition).map((t) => t.seq);
        assert.deepEqual(
          seqs,
          seqs.map((_, i) => i + 1),
          `partition ${partition}: seqs in call order`,
        );
      }
      for (const t of tickets) {
        const rec = await h.store.personRecord({ campaignId: CAMPAIGN, partition: t.partition }, t.identityHash);
        assert.equal(rec?.seq, t.seq, 'the store holds the place the ticket names');
      }
    });

    it('answers no join of a batch before the store has answered the batch', async () => {
      const h = await newHarness({ startMs: OPENS });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const joinMany = h.store.joinMany.bind(h.store);
      h.store.joinMany = async (ref, reqs, at) => {
        await gate;
        return joinMany(ref, reqs, at);
      };
      const settled: number[] = [];
      const joins = [1, 2, 3].map((i) => h.service.joinQueue(person(i)).then(() => settled.push(i)));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(settled, [], 'nobody answered while the store has not stored the batch');
      assert.equal(await h.store.personRecord(ref, 'identity-1'), null);
      release();
      await Promise.all(joins);
      assert.deepEqual(settled, [1, 2, 3]);
      assert.equal((await h.store.personRecord(ref, 'identity-3'))?.seq, 3);
    });

    it('keeps one place per person and one device per person when the same identity joins twice in a turn', async () => {
      const h = await newHarness({ startMs: OPENS });
      const calls = h.store.calls.get('joinMany') ?? 0;
      const [a, b, c] = await Promise.all([
        h.service.joinQueue(person(1)),
        h.service.joinQueue(person(1)),
        h.service.joinQueue({ ...person(1), deviceId: 'another-phone' }),
      ]);
      assert.equal(ticketOf(value(a).ticket).seq, 1);
      assert.equal(ticketOf(value(b).ticket).seq, 1, 'the re-join of the same turn gets the same place');
      assert.equal(reason(c!), 'other-device');
      assert.equal(h.store.calls.get('joinMany'), calls + 1, 'all three in one store call');
      assert.equal(value(await h.store.stats(ref, { nowMs: OPENS, opensAtMs: OPENS })).tail, 1);
    });

    it('restores a lost partition once and then places every join of the batch', async () => {
      const h = await openedWith(2);
      value(await h.service.writeCheckpoint(CAMPAIGN));
      h.store.simulateLoss();
      const restores = h.store.calls.get('restoreFrom') ?? 0;
      const calls = h.store.calls.get('joinMany') ?? 0;
      const replies = await Promise.all([3, 4, 5].map((i) => h.service.joinQueue(person(i))));
      assert.deepEqual(
        replies.map((r) => ticketOf(value(r).ticket).seq),
        [3, 4, 5],
      );
      assert.equal(h.store.calls.get('restoreFrom'), restores + 1, 'one restore for the whole batch');
      assert.equal(h.store.calls.get('joinMany'), calls + 2, 'the batch that found the state missing, then its retry');
    });
  });

  describe('polling', () => {
    it('answers polls from the snapshot without touching the store until the turn comes', async () => {
      const h = await openedWith(3);
      const before = h.store.totalCalls();
      for (let k = 0; k < 20; k += 1) as(value(await poll(h, 3, h.tickets[2]!)), 'waiting');
      assert.equal(h.store.totalCalls(), before);
      await admitNext(h, 3);
      const claims = h.store.calls.get('claimAdmission') ?? 0;
      as(value(await poll(h, 3, h.tickets[2]!)), 'admitted');
      assert.equal(h.store.calls.get('claimAdmission'), claims + 1);
    });

    it('costs one store call per join, and none for the first poll after the snapshot caught up', async () => {
      const h = await openedWith(2);
      const before = h.store.totalCalls();
      const t = value(await h.service.joinQueue(person(3))).ticket;
      assert.deepEqual([h.store.totalCalls() - before, h.store.calls.get('joinMany')], [1, 3]);
      await h.service.refreshSnapshot();
      const afterRefresh = h.store.totalCalls();
      as(value(await poll(h, 3, t)), 'waiting');
      assert.equal(h.store.totalCalls(), afterRefresh);
    });

    it('shows an ETA band from the measured admission rate, and polls faster near the front', async () => {
      // A ten-sample window, and a plan equal to the measured mean, so the band's blend is known.
      const h = await openedWith(6_000, {
        settings: { rateWindowSamples: 10 },
        controller: { maxRatePerSec: 100 },
      });
      assert.ok((await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 100, message: null })).ok);
      for (let s = 0; s < 10; s += 1) {
        h.clock.advance(1_000);
        await admitNext(h, s % 2 === 0 ? 80 : 120);
      }
      const back = as(value(await poll(h, 6_000, h.tickets[5_999]!)), 'waiting');
      assert.equal(back.ahead, 6_000 - 1_000 - 1);
      assert.equal(back.eta?.ratePerSec, 100);
      // The cap (5,000 by default) had room all along: the ten seconds measure the rate the headroom
      // passes at, blended with the controller's 100/s (its ceiling: it cannot rise); the steady rate is the plan's.
      const free = measuredBand(100, [80, 120, 80, 120, 80, 120, 80, 120, 80, 120]);
      const rate = withHeadroom(estimateRate(null, 100), estimateHeadroom(5_000, free, { nowPerSec: 100 }, 100));
      const expected = etaBand(4_999, rate, 1_000)!;
      // 5,000 places to pass at 100/s, seen at the next look (every second near the front: half a
      // second expected); the 5,000 the cap has room for pass at the measured rate
      assert.deepEqual(
        [back.eta?.expectedMs, back.eta?.lowMs, back.eta?.highMs],
        [50_500, expected.lowMs, expected.highMs],
      );
      assert.ok(expected.lowMs < 50_000 && expected.highMs! > 50_000);
      assert.equal(back.nextPollMs, Math.min(10_000, Math.round(expected.lowMs * 0.25)));
      const front = as(value(await poll(h, 1_003, h.tickets[1_002]!)), 'waiting');
      assert.equal(front.nextPollMs, 1_000);
    });

    it('gives an ETA from the planned rate before anything is admitted, and says it is from the plan', async () => {
      const h = await openedWith(1_001, { controller: { initialRatePerSec: 100, activeSessionCap: 500 } });
      const eta = as(value(await poll(h, 1_001, h.tickets[1_000]!)), 'waiting').eta;
      // No plan: the controller's 100/s stands for it. 1,000 ahead (1,001 places to pass). The cap's
      // 500 free places pass as the controller raises its rate by 25/s every 2 s (100, 125, then
      // 150/s: 4.33 s, 115/s), the 501 beyond them at the steady 100/s: max(1,001 / 115.4,
      // 501 / 100) = 8.7 s and half a look (1 s polls). The band, the ramp's drift:
      // 1,001 / (1.3 × 115.4) = 6.7 s … and, no booking traffic seen yet, the slow end lets the
      // controller hold 100/s for 10 s before it climbs (the 500 within the hold): 1,001 / (100 / 1.5)
      // = 15 s and a look (13 s once it has seen traffic)
      assert.deepEqual(eta, { expectedMs: 9_175, lowMs: 6_673, highMs: 16_015, ratePerSec: 100, isFromPlan: true });
      const set = await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 25, message: null });
      assert.ok(set.ok);
      h.clock.advance(1_000);
      await h.service.refreshSnapshot();
      const planned = as(value(await poll(h, 1_001, h.tickets[1_000]!)), 'waiting').eta;
      assert.equal(planned?.isFromPlan, true);
      // The operator's plan (25/s) holds once the cap's 500 free places are taken: 501 / 25 = 20.04 s
      // and half a look (the 500 pass at the controller's rate meanwhile)
      assert.equal(planned?.expectedMs, 20_540);
    });

    it('starts the steady rate from the planned turnover curve a minute after the opening, from the planned rate before', async () => {
      // A cap with room for one: the places beyond it pass at the steady rate, here the plan alone.
      const h = await openedWith(1_001, { controller: { activeSessionCap: 1 } });
      const curve = [20, 20, 5, 5, 5];
      value(
        await h.service.setAdmissionSettings(CAMPAIGN, {
          plannedRatePerSec: 10,
          plannedTurnoverPerSec: curve,
          message: null,
        }),
      );
      const etaNow = async () => as(value(await poll(h, 1_001, h.tickets[1_000]!)), 'waiting').eta!;
      h.clock.advance(30_000);
      await h.service.refreshSnapshot();
      const early = await etaNow();
      // T+30 s: the planned rate (the night's mean), 10/s; nothing measured, so the curve's shape is not used
      assert.equal(early.ratePerSec, 10);
      assert.ok(Math.abs(early.expectedMs - 100_000) < 1_500, String(early.expectedMs));
      h.clock.advance(120_000);
      await h.service.refreshSnapshot();
      const later = await etaNow();
      // T+2.5 min: the curve's 5/s (flat from there): 1,000 places beyond the cap's one in 200 s
      assert.equal(later.ratePerSec, 5);
      assert.ok(Math.abs(later.expectedMs - 200_000) < 1_500, String(later.expectedMs));
      h.service.pinRate(CAMPAIGN, 8);
      await h.service.refreshSnapshot();
      assert.equal((await etaNow()).ratePerSec, 8, 'a pinned rate is the rate');
    });

    it('keeps a planned turnover curve across a message change, clears it on null, refuses a bad one', async () => {
      const h = await openedWith(10);
      const curve = [16.7, 14.9, 13.7];
      const set = await h.service.setAdmissionSettings(CAMPAIGN, {
        plannedRatePerSec: 11.9,
        plannedTurnoverPerSec: curve,
        message: null,
      });
      assert.deepEqual(set.ok && set.value.plannedTurnoverPerSec, curve);
      const message = { ko: '잠시 멈춤', en: 'Paused briefly' };
      const kept = await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 11.9, message });
      assert.deepEqual(kept.ok && [kept.value.plannedTurnoverPerSec, kept.value.message], [curve, message]);
      for (const bad of [[], [3, -1], [3, Number.NaN], Array.from({ length: 241 }, () => 1)])
        assert.deepEqual(
          await h.service.setAdmissionSettings(CAMPAIGN, {
            plannedRatePerSec: 11.9,
            plannedTurnoverPerSec: bad,
            message,
          }),
          { ok: false, reason: 'bad-settings' },
        );
      const cleared = await h.service.setAdmissionSettings(CAMPAIGN, {
        plannedRatePerSec: 11.9,
        plannedTurnoverPerSec: null,
        message,
      });
      assert.equal(cleared.ok && cleared.value.plannedTurnoverPerSec, null);
    });

    /**
     * Runs the night second by second (ticks every 250 ms, the 1 s refresh; sessions end at random,
     * one in 100 a second: 100 s on average); the second each person was admitted.
     */
    const run = async (
      h: Harness & { tickets: string[] },
      seconds: number,
      watch: (second: number) => Promise<void>,
      health: { p99Ms: number | null; errorRate: number | null } = quiet,
    ) => {
      const random = seededRandom(7);
      const admittedAt = new Map<number, number>();
      const active = new Set<number>();
      for (let second = 1; second <= seconds; second += 1) {
        for (let t = 0; t < 4; t += 1) {
          h.clock.advance(250);
          value(await h.service.tick(CAMPAIGN, health));
        }
        await h.service.refreshSnapshot();
        for (const i of [...active]) {
          if (random() >= 0.01) continue;
          value(await h.service.completeAdmission({ campaignId: CAMPAIGN, identityHash: `identity-${i}` }));
          active.delete(i);
        }
        const cursor = value(await h.store.stats(ref, { nowMs: h.clock.nowMs(), opensAtMs: OPENS })).cursor;
        for (let i = admittedAt.size + 1; i <= cursor; i += 1) {
          as(value(await poll(h, i, h.tickets[i - 1]!)), 'admitted');
          admittedAt.set(i, second);
          active.add(i);
        }
        await watch(second);
      }
      return admittedAt;
    };

    describe('at an opening where the session cap has room (2021-07-19 at 1/500: cap 200, 5/s, plan 2/s)', () => {
      // Sessions end one in 100 a second (`run`): 2/s once the cap is full, the plan.
      const opening = async () => {
        const h = await openedWith(600, {
          controller: { initialRatePerSec: 5, maxRatePerSec: 5, activeSessionCap: 200 },
        });
        assert.ok((await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 2, message: null })).ok);
        await h.service.refreshSnapshot();
        return h;
      };
      it('counts the burst the free headroom lets in at the controller rate, then the planned rate', async () => {
        const h = await opening();
        const eta = as(value(await poll(h, 500, h.tickets[499]!)), 'waiting').eta!;
        // 500 places: the 200 the cap has room for pass at 5/s as the other 300 pass at the plan's 2/s:
        // max(500 / 5, 300 / 2) = 150 s and half a look (the plan alone said 250 s)
        assert.equal(eta.expectedMs, 150_500);
        assert.equal(eta.isFromPlan, true);
        const admittedAt = await run(h, 260, async () => {});
        const actualMs = admittedAt.get(500)! * 1_000;
        assert.ok(
          Math.abs(actualMs - eta.expectedMs) <= 0.15 * actualMs,
          `shown ${eta.expectedMs} ms, took ${actualMs} ms`,
        );
        assert.ok(eta.lowMs <= actualMs && actualMs <= eta.highMs!, JSON.stringify(eta));
      });

      it('does not take the rate the cap filled at for the rate after it: measures only seconds the cap held', async () => {
        const h = await opening();
        let shown: { atSecond: number; expectedMs: number } | null = null;
        const admittedAt = await run(h, 320, async (second) => {
          // 30 s in: 150 admitted at 5/s, the cap nearly full; the person 600th has 450 places to go
          if (second === 30) {
            const eta = as(value(await poll(h, 600, h.tickets[599]!)), 'waiting').eta!;
            shown = { atSecond: second, expectedMs: eta.expectedMs };
          }
        });
        const actualMs = (admittedAt.get(600)! - shown!.atSecond) * 1_000;
        // The whole window (5/s while the cap filled) blended with the plan showed 121 s for this 178 s wait
        assert.ok(
          Math.abs(actualMs - shown!.expectedMs) <= 0.15 * actualMs,
          `shown ${shown!.expectedMs} ms, took ${actualMs} ms`,
        );
      });
    });

    it('lets the headroom pass as the controller climbs (2021-07-19 at 1/100: 5/s rising to 50/s, cap 1,000, plan 10.1/s)', async () => {
      const h = await openedWith(3_000, {
        controller: { initialRatePerSec: 5, maxRatePerSec: 50, activeSessionCap: 1_000 },
      });
      assert.ok((await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 10.1, message: null })).ok);
      await h.service.refreshSnapshot();
      const eta = as(value(await poll(h, 3_000, h.tickets[2_999]!)), 'waiting').eta!;
      // The cap's 1,000 pass as the controller climbs by 25/s every 2 s from 5/s to 50/s (2 s at 5, 2 s
      // at 30, 18.6 s at 50: 44/s), the 2,000 beyond at the plan's 10.1/s: max(3,000 / 44,
      // 2,000 / 10.1) = 198 s and half a look. The controller's 5/s at the opening said 600 s.
      assert.equal(eta.expectedMs, 198_520);
      const healthy = { p99Ms: 100, errorRate: 0 };
      const admittedAt = await run(h, 400, async () => {}, healthy);
      const actualMs = admittedAt.get(3_000)! * 1_000;
      assert.ok(
        Math.abs(actualMs - eta.expectedMs) <= 0.2 * actualMs,
        `shown ${eta.expectedMs} ms, took ${actualMs} ms`,
      );
      assert.ok(eta.lowMs <= actualMs && actualMs <= eta.highMs!, JSON.stringify(eta));
    });

    it('follows a controller admitting below the plan (2021-07-19 at 1/100: 5/s all night, plan 10.1/s)', async () => {
      const h = await openedWith(2_500, {
        controller: { initialRatePerSec: 5, maxRatePerSec: 5, activeSessionCap: 1_000 },
      });
      assert.ok((await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 10.1, message: null })).ok);
      await h.service.refreshSnapshot();
      // Nobody claims, so the cap (1,000) never fills: the controller's rate alone moves the cursor.
      const atOpening = as(value(await poll(h, 2_000, h.tickets[1_999]!)), 'waiting').eta!;
      let shown: { atSecond: number; expectedMs: number; lowMs: number; highMs: number | null } | null = null;
      let admittedAtSecond: number | null = null;
      for (let second = 1; second <= 600 && admittedAtSecond === null; second += 1) {
        for (let t = 0; t < 4; t += 1) {
          h.clock.advance(250);
          value(await h.service.tick(CAMPAIGN, quiet));
        }
        await h.service.refreshSnapshot();
        const status = value(await poll(h, 2_500, h.tickets[2_499]!)).status;
        if (second === 60 && status.kind === 'waiting') shown = { atSecond: second, ...status.eta! };
        if (status.kind === 'admitted') admittedAtSecond = second;
      }
      // The 2,000th at the opening: 2,000 / 5 = 400 s (the plan said 198 s, now the band's fast end)
      assert.deepEqual([atOpening.expectedMs, atOpening.lowMs, atOpening.highMs], [400_500, 198_020, 601_000]);
      // The 2,500th, a minute in (300 passed): 2,200 / 5 = 440 s. A plan kept in the blend said 351 s.
      const actualMs = (admittedAtSecond! - shown!.atSecond) * 1_000;
      assert.ok(
        Math.abs(actualMs - shown!.expectedMs) <= 0.05 * actualMs,
        `shown ${shown!.expectedMs} ms, took ${actualMs} ms`,
      );
      assert.ok(shown!.lowMs <= actualMs && actualMs <= shown!.highMs!, JSON.stringify(shown));
    });

    it('gives no ETA while admission is paused, and after the pause the rate measured before it', async () => {
      const h = await openedWith(3_000, {
        settings: { rateWindowSamples: 10 },
        controller: { initialRatePerSec: 10, maxRatePerSec: 10 },
      });
      assert.ok((await h.service.setAdmissionSettings(CAMPAIGN, { plannedRatePerSec: 10, message: null })).ok);
      for (let s = 0; s < 10; s += 1) {
        h.clock.advance(1_000);
        await admitNext(h, 10);
      }
      h.service.pause(CAMPAIGN);
      for (let s = 0; s < 120; s += 1) {
        h.clock.advance(1_000);
        await h.service.refreshSnapshot();
      }
      assert.equal(as(value(await poll(h, 1_000, h.tickets[999]!)), 'waiting').eta, null, 'paused: no estimate');
      h.service.resume(CAMPAIGN);
      h.clock.advance(1_000);
      await admitNext(h, 10);
      // 660 ahead at the 10/s measured before the pause (and planned): 66 s (paused zeros gave 16 min)
      const after = as(value(await poll(h, 771, h.tickets[770]!)), 'waiting');
      assert.equal(after.ahead, 660);
      assert.equal(after.eta?.expectedMs, 66_100 + 500);
    });

    it('gives progress from the place at join to the cursor now, and a short reference', async () => {
      const h = await openedWith(1_001);
      const first = as(value(await poll(h, 1_001, h.tickets[1_000]!)), 'waiting');
      assert.equal(first.progress, 0);
      assert.match(first.reference ?? '', /^[0-9A-Z]{4}-.$/);
      await admitNext(h, 250);
      assert.equal(as(value(await poll(h, 1_001, h.tickets[1_000]!)), 'waiting').progress, 0.25);
      const later = value(await h.service.joinQueue(person(2_000)));
      const joined = as(later, 'waiting');
      assert.equal(joined.progress, 0, 'a later joiner starts at 0 from where the cursor stood');
      const found = h.service.lookupReference(CAMPAIGN, first.reference!.toLowerCase());
      assert.ok(found.ok && found.value.state === 'waiting');
      assert.equal(found.value.position, 751);
      assert.deepEqual(h.service.lookupReference(CAMPAIGN, 'ZZZZZZ-0'), { ok: false, reason: 'bad-reference' });
      assert.equal(h.service.lookupReference('nope', first.reference!).ok, false);
    });

    it('refuses forged, tampered, other-campaign and other-person tickets with the reason', async () => {
      const h = await openedWith(2);
      const t = ticketOf(h.tickets[1]!);
      const forged = signQueueTicket({ ...t, seq: 1 }, new Uint8Array(32));
      assert.equal(reason(await poll(h, 2, forged)), 'bad-signature');
      const [body, sig] = h.tickets[1]!.split('.') as [string, string];
      const edited = JSON.parse(Buffer.from(body, 'base64url').toString());
      edited.s = 1;
      assert.equal(
        reason(await poll(h, 2, `${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${sig}`)),
        'bad-signature',
      );
      const otherCampaign = signQueueTicket({ ...t, campaignId: 'another' }, keys.ticket);
      assert.equal(reason(await poll(h, 2, otherCampaign)), 'other-campaign');
      assert.equal(reason(await poll(h, 2, h.tickets[1]!, { identityHash: 'identity-1' })), 'other-identity');
      assert.equal(reason(await poll(h, 2, 'garbage')), 'malformed');
    });
  });

  describe('admission', () => {
    it('admits someone the cursor passed, with a token bound to their identity, device and campaign', async () => {
      const h = await openedWith(2);
      await admitNext(h, 1);
      const a = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      const check = (o: Partial<{ identityHash: string; deviceId: string; campaignId: string }>) =>
        h.service.verifyAdmission({
          campaignId: CAMPAIGN,
          token: a.admissionToken,
          identityHash: 'identity-1',
          deviceId: 'device-1',
          ...o,
        });
      assert.equal(value(await check({})).admissionId, a.admissionId);
      assert.equal(reason(await check({ identityHash: 'identity-2' })), 'other-identity');
      assert.equal(reason(await check({ deviceId: 'device-2' })), 'other-device');
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'admitted');
    });

    it('never hands out a second admission: polling again returns the same admission id, counted once', async () => {
      const h = await openedWith(1);
      await admitNext(h, 1);
      const first = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      h.clock.advance(30_000);
      const second = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      const rejoin = as(value(await h.service.joinQueue(person(1))), 'admitted');
      assert.deepEqual(
        [second.admissionId, rejoin.admissionId, second.expiresAtMs],
        [first.admissionId, first.admissionId, first.expiresAtMs],
      );
      assert.equal(value(await h.store.stats(ref, { nowMs: h.clock.nowMs(), opensAtMs: OPENS })).claimedTotal, 1);
    });

    it('keeps a person admitted after an error on the booking page (nothing sends them back to the queue)', async () => {
      const h = await openedWith(3);
      await admitNext(h, 1);
      const a = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      h.clock.advance(120_000); // the booking call failed; the person retries two minutes later
      assert.equal(as(value(await poll(h, 1, h.tickets[0]!)), 'admitted').admissionId, a.admissionId);
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'admitted');
    });

    it('ends the admission when the booking completes; the ticket and a new join are refused after', async () => {
      const h = await openedWith(1);
      await admitNext(h, 1);
      const a = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      value(await h.service.completeAdmission({ campaignId: CAMPAIGN, identityHash: 'identity-1' }));
      assert.equal(reason(await poll(h, 1, h.tickets[0]!)), 'already-completed');
      const replay = await h.service.verifyAdmission({
        campaignId: CAMPAIGN,
        token: a.admissionToken,
        identityHash: 'identity-1',
        deviceId: 'device-1',
      });
      assert.equal(
        reason(replay),
        'admission-ended',
        'a token is useless after the booking it was issued for completed',
      );
      assert.equal(reason(await h.service.joinQueue(person(1))), 'already-completed');
      assert.equal(value(await h.store.stats(ref, { nowMs: h.clock.nowMs(), opensAtMs: OPENS })).activeSessions, 0);
    });

    it('after a booking for someone else, ends only this admission: the token is refused and the requester may queue again', async () => {
      const h = await openedWith(1);
      await admitNext(h, 1);
      const a = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      value(await h.service.bookingPlaced({ ...person(1), isProxy: true }));
      const replay = await h.service.verifyAdmission({
        campaignId: CAMPAIGN,
        token: a.admissionToken,
        identityHash: 'identity-1',
        deviceId: 'device-1',
      });
      assert.equal(reason(replay), 'admission-ended');
      assert.notEqual((await h.store.personRecord(ref, 'identity-1'))?.state, 'completed');
      assert.equal(value(await h.service.joinQueue(person(1))).status.kind, 'waiting');
    });

    it('after the own booking is cancelled, the person joins again at the back as a new arrival; the old token stays useless', async () => {
      const h = await openedWith(3);
      await admitNext(h, 1);
      const a = as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      value(await h.service.bookingPlaced({ ...person(1), isProxy: false }));
      assert.equal(reason(await h.service.joinQueue(person(1))), 'already-completed');

      value(await h.service.bookingCancelled({ campaignId: CAMPAIGN, identityHash: 'identity-1' }));

      const again = value(await h.service.joinQueue(person(1)));
      const w = as(again, 'waiting');
      assert.equal(ticketOf(again.ticket).seq, 4, 'behind the two still waiting and taking a new seq');
      assert.equal(w.ahead, 2);
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'waiting');
      const replay = await h.service.verifyAdmission({
        campaignId: CAMPAIGN,
        token: a.admissionToken,
        identityHash: 'identity-1',
        deviceId: 'device-1',
      });
      assert.equal(reason(replay), 'admission-ended', 'the first admission opens nothing after the cancel');
      const other = await h.service.joinQueue({ ...person(1), deviceId: 'device-other' });
      assert.equal(reason(other), 'other-device', 'still one device per person');
    });

    it('reopens only a completed identity, and only for a known campaign', async () => {
      const h = await openedWith(1);
      assert.equal(
        reason(await h.service.bookingCancelled({ campaignId: CAMPAIGN, identityHash: 'identity-1' })),
        'not-completed',
      );
      assert.equal(
        reason(await h.service.bookingCancelled({ campaignId: CAMPAIGN, identityHash: 'identity-9' })),
        'unknown-place',
      );
      assert.equal(
        reason(await h.service.bookingCancelled({ campaignId: 'no-such-campaign', identityHash: 'identity-1' })),
        'unknown-campaign',
      );
    });

    it('after a booking for oneself, ends the campaign for this identity (as completeAdmission)', async () => {
      const h = await openedWith(1);
      await admitNext(h, 1);
      as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
      value(await h.service.bookingPlaced({ ...person(1), isProxy: false }));
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'completed');
      assert.equal(reason(await h.service.joinQueue(person(1))), 'already-completed');
      assert.equal(
        reason(await h.service.bookingPlaced({ ...person(1), campaignId: 'no-such-campaign', isProxy: true })),
        'unknown-campaign',
      );
    });

    it('skips someone who is away and admits them at once when they come back within the grace period', async () => {
      const h = await openedWith(3);
      await admitNext(h, 3);
      as(value(await poll(h, 2, h.tickets[1]!)), 'admitted');
      h.clock.advance(50_000);
      as(value(await poll(h, 1, h.tickets[0]!)), 'admitted');
    });

    it('expires the place of someone back after the grace period; joining again puts them at the back', async () => {
      const h = await openedWith(3);
      await admitNext(h, 1);
      h.clock.advance(60_001);
      assert.equal(reason(await poll(h, 1, h.tickets[0]!)), 'place-expired');
      assert.equal((await h.store.personRecord(ref, 'identity-1'))?.state, 'expired');
      assert.equal(ticketOf(value(await h.service.joinQueue(person(1))).ticket).seq, 4);
    });

    it('refuses every admission check before the opening instant, by server time', async () => {
      const h = await newHarness();
      const r = await h.service.verifyAdmission({
        campaignId: CAMPAIGN,
        token: 'anything',
        identityHash: 'identity-1',
        deviceId: 'device-1',
      });
      assert.equal(reason(r), 'not-open');
      assert.equal(
        reason(await h.service.verifyAdmission({ campaignId: 'nope', token: '', identityHash: '', deviceId: '' })),
        'unknown-campaign',
      );
    });

    it('ticks at the pinned rate, admits nobody while paused, and writes a checkpoint when asked', async () => {
      const h = await openedWith(20);
      h.service.pinRate(CAMPAIGN, 5);
      await h.service.tick(CAMPAIGN, quiet);
      h.clock.advance(1_000);
      const r = value(await h.service.tick(CAMPAIGN, quiet));
      assert.equal(r.advanced, 5);
      assert.equal(await h.checkpoint.load(CAMPAIGN), null, 'a tick never writes the checkpoint');
      value(await h.service.writeCheckpoint(CAMPAIGN));
      assert.equal((await h.checkpoint.load(CAMPAIGN))?.[0]?.cursor, 5);
      h.service.pause(CAMPAIGN);
      h.clock.advance(1_000);
      assert.equal(value(await h.service.tick(CAMPAIGN, quiet)).advanced, 0);
      assert.equal(value(await h.store.stats(ref, { nowMs: h.clock.nowMs(), opensAtMs: OPENS })).cursor, 5);
    });

    // The timeout turns a tick that waits on the checkpoint (the old behaviour) into a failure, not a hang.
    it(
      'keeps admitting while the checkpoint hangs (a locked database never stalls admission)',
      { timeout: 5_000 },
      async () => {
        const hung: WaitingRoomCheckpoint = { save: () => new Promise(() => {}), load: async () => null };
        const h = await openedWith(20, { checkpoint: hung });
        h.service.pinRate(CAMPAIGN, 5);
        void h.service.writeCheckpoint(CAMPAIGN); // as the checkpoint timer would, never to return
        await h.service.tick(CAMPAIGN, quiet); // the first tick starts the controller's clock
        let advanced = 0;
        for (let i = 0; i < 3; i += 1) {
          h.clock.advance(1_000);
          advanced += value(await h.service.tick(CAMPAIGN, quiet)).advanced;
        }
        assert.equal(advanced, 15);
      },
    );

    it('admits nobody before the opening instant, whatever the tick', async () => {
      const h = await newHarness();
      await h.service.joinQueue(person(1));
      h.service.pinRate(CAMPAIGN, 1_000);
      await h.service.tick(CAMPAIGN, quiet);
      h.clock.advance(1_000);
      assert.equal(value(await h.service.tick(CAMPAIGN, quiet)).isOpen, false);
      assert.equal(value(await h.store.stats(ref, { nowMs: h.clock.nowMs(), opensAtMs: OPENS })).cursor, 0);
    });
  });
});
