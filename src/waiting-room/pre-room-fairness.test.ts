import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf } from './partition.ts';
import { verifyQueueTicket } from './ticket.ts';
import {
  CAMPAIGN,
  keys,
  newHarness,
  OPENS,
  person,
  seededPreScores,
  spearman,
} from '../../test/support/waiting-room.ts';

const N = 2_000;
const value = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T =>
  r.ok ? r.value : assert.fail(r.reason);

/**
 * N people join before the opening, one every 10 ms, the last at the very last millisecond; then the
 * queue opens and everyone is admitted. Returns each person's admission seq, in arrival order.
 */
async function admissionOrder(drawPreScore: (identityHash: string) => number): Promise<number[]> {
  const h = await newHarness({ startMs: OPENS - N * 10, drawPreScore });
  const tickets: string[] = [];
  for (let i = 1; i <= N; i += 1) {
    h.clock.set(OPENS - (N - i) * 10 - 1);
    tickets.push(value(await h.service.joinQueue(person(i))).ticket);
  }
  h.clock.set(OPENS);
  value(
    await h.store.advanceCursor(
      { campaignId: CAMPAIGN, partition: 0 },
      { count: N, graceMs: 60_000 },
      { nowMs: OPENS, opensAtMs: OPENS },
    ),
  );
  await h.service.refreshSnapshot();
  const seqs: number[] = [];
  for (let i = 1; i <= N; i += 1) {
    const reply = value(
      await h.service.pollStatus({ campaignId: CAMPAIGN, ticket: tickets[i - 1]!, deviceId: `device-${i}` }),
    );
    assert.equal(reply.status.kind, 'admitted');
    seqs.push(
      value(verifyQueueTicket(reply.ticket!, keys.ticket, { campaignId: CAMPAIGN, nowMs: OPENS, maxAgeMs: 1e12 })).seq!,
    );
  }
  return seqs;
}

const arrival = Array.from({ length: N }, (_, i) => i + 1);
// Under independence Spearman's rho has sd ≈ 1/√(N−1) ≈ 0.022; 0.1 is 4.5 sd.
const RHO_BOUND = 0.1;

describe('pre-opening room fairness (fixed seed)', () => {
  it('admits in an order uncorrelated with arrival order', async () => {
    const seqs = await admissionOrder(seededPreScores(20210719));
    assert.deepEqual(
      [...seqs].sort((a, b) => a - b),
      arrival,
      'positions 1..N, each once',
    );
    const rho = spearman(arrival, seqs);
    assert.ok(Math.abs(rho) < RHO_BOUND, `rho = ${rho}`);
  });

  it('gives the last-millisecond arrivals (a script at 19:59:59.999) no advantage over the 19:00 ones', async () => {
    const seqs = await admissionOrder(seededPreScores(809));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Mean of 100 ranks drawn from 1..N: expectation (N+1)/2, sd ≈ N/√12/√100 ≈ 58; allow 4 sd.
    assert.ok(Math.abs(mean(seqs.slice(-100)) - (N + 1) / 2) < 232, `last 100 mean ${mean(seqs.slice(-100))}`);
    assert.ok(Math.abs(mean(seqs.slice(0, 100)) - (N + 1) / 2) < 232, `first 100 mean ${mean(seqs.slice(0, 100))}`);
  });

  it('detects an arrival-ordered pre-room (the check can fail)', async () => {
    const seqs = await admissionOrder((identityHash) => Number(identityHash.split('-')[1]));
    assert.ok(Math.abs(spearman(arrival, seqs)) > 0.99);
  });

  it('lets no one re-draw their score by joining again and again before opening', async () => {
    // 50 joins in 5 s: over the per-identity join limit, which is not what this test is about.
    const h = await newHarness({
      drawPreScore: seededPreScores(7),
      settings: { joinLimit: { maxPerWindow: 1_000, windowMs: 60_000 } },
    });
    const scores = new Set<number | null>();
    for (let k = 0; k < 50; k += 1) {
      value(await h.service.joinQueue(person(1)));
      scores.add(
        (await h.store.personRecord({ campaignId: CAMPAIGN, partition: 0 }, person(1).identityHash))!.preScore,
      );
      h.clock.advance(100);
    }
    assert.equal(scores.size, 1);
    assert.ok(!scores.has(null));
    const stats = value(
      await h.store.stats({ campaignId: CAMPAIGN, partition: 0 }, { nowMs: h.clock.nowMs(), opensAtMs: OPENS }),
    );
    assert.equal(stats.preRoom, 1);
  });
});

describe('partitioned queue', () => {
  it('drains partitions together: strict order within each, a bounded interleave error across them', async () => {
    const h = await newHarness({ startMs: OPENS, partitions: 4 });
    const tickets: string[] = [];
    for (let i = 1; i <= 400; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    h.service.pinRate(CAMPAIGN, 20);
    const admittedAt = new Map<number, number>();
    await h.service.tick(CAMPAIGN, { p99Ms: null, errorRate: null });
    for (let tick = 1; admittedAt.size < 400 && tick < 60; tick += 1) {
      h.clock.advance(1_000);
      value(await h.service.tick(CAMPAIGN, { p99Ms: null, errorRate: null }));
      await h.service.refreshSnapshot();
      for (let i = 1; i <= 400; i += 1) {
        if (admittedAt.has(i)) continue;
        const s = value(
          await h.service.pollStatus({ campaignId: CAMPAIGN, ticket: tickets[i - 1]!, deviceId: `device-${i}` }),
        );
        if (s.status.kind === 'admitted') admittedAt.set(i, tick);
      }
    }
    assert.equal(admittedAt.size, 400);
    // Within a partition the order is strict.
    const lastTickOf = new Map<number, number>();
    for (let i = 1; i <= 400; i += 1) {
      const p = partitionOf(`identity-${i}`, 4);
      assert.ok(admittedAt.get(i)! >= (lastTickOf.get(p) ?? 0), `partition ${p} out of order at person ${i}`);
      lastTickOf.set(p, admittedAt.get(i)!);
    }
    // Across partitions the hash split adds binomial noise of about √(i·(1/P)(1−1/P)) places
    // (≈ 9 people at i = 400, ≈ 2 ticks of 5 per partition): proportional draining bounds the
    // displacement by that noise, not by the queue length. Allow 4 ticks.
    let latestSoFar = 0;
    let worst = 0;
    for (let i = 1; i <= 400; i += 1) {
      const t = admittedAt.get(i)!;
      worst = Math.max(worst, latestSoFar - t);
      latestSoFar = Math.max(latestSoFar, t);
    }
    assert.ok(worst <= 4, `someone was admitted ${worst} ticks after a later arrival`);
    assert.ok(Math.max(...admittedAt.values()) <= 21, 'the pinned rate (20/s) drained 400 in about 20 s');
  });
});
