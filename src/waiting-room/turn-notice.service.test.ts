import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { newRulesDocument } from '../eligibility/eligibility.fixtures.ts';
import { validateCampaignRules } from '../eligibility/rules.ts';
import type { Result } from '../platform/result.ts';
import { createMemoryCheckpoint } from './checkpoint.ts';
import { createMemoryStore } from './memory-store.ts';
import { etaBand, type RateBand } from './snapshot.ts';
import { noticeThroughSeq, resumeLink, type TurnNoticeSetting } from './turn-notice.ts';
import { createMemoryTurnNoticeStore } from './turn-notice.memory-store.ts';
import { createTurnNoticeService, type TurnNoticeMessage } from './turn-notice.service.ts';
import { createWaitingRoomService } from './waiting-room.service.ts';
import { CAMPAIGN, keys, OPENS, person, seededPreScores } from '../../test/support/waiting-room.ts';

const value = <T>(r: Result<T, string>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.value;
};
const band = (perSec: number): RateBand => ({ meanPerSec: perSec, p10PerSec: perSec, p90PerSec: perSec, samples: 5 });

describe('noticeThroughSeq', () => {
  it('is the place right after the cursor when no rate was measured (the page shows no ETA then)', () => {
    assert.equal(noticeThroughSeq(40, null, 5 * 60_000), 41);
  });

  it('reaches exactly as far as the ETA the page shows stays within the lead time', () => {
    const rate = band(7.3);
    const lead = 3 * 60_000;
    const through = noticeThroughSeq(100, rate, lead);
    const aheadOf = (seq: number) => seq - 100 - 1;
    assert.ok(etaBand(aheadOf(through), rate)!.expectedMs <= lead);
    assert.ok(etaBand(aheadOf(through + 1), rate)!.expectedMs > lead);
    // the ETA counts the person's own place: (ahead + 1) / rate ≤ 180 s
    assert.equal(through, 100 + 1 + Math.floor(7.3 * 180) - 1);
  });
});

const SETTING: TurnNoticeSetting = { enabled: true, leadMinutes: 2 };
const GRACE = 60_000;

/** `null`: the campaign's rules carry no turnNotice at all (the default). */
async function harness(given: TurnNoticeSetting | null = SETTING) {
  const setting = given ?? undefined;
  const clock = fixedClock(OPENS - 60_000);
  const store = createMemoryStore();
  const notices = createMemoryTurnNoticeStore();
  const room = createWaitingRoomService({
    clock,
    store,
    checkpoint: createMemoryCheckpoint(),
    keys,
    drawPreScore: seededPreScores(1),
    settings: { graceMs: GRACE, admissionTtlMs: 600_000, lockoutMs: 600_000 },
    turnNotices: notices,
  });
  await room.openCampaign({ campaignId: CAMPAIGN, opensAtMs: OPENS, partitions: 1 });
  const outbox = new Map<string, TurnNoticeMessage & { atMs: number }>();
  const service = createTurnNoticeService({
    clock,
    notices,
    ticketKey: keys.ticket,
    ticketMaxAgeMs: 24 * 3_600_000,
    graceMs: GRACE,
    publicBaseUrl: 'https://yeyak.example/',
    rooms: room,
    async placeOf(ref, identityHash, opensAtMs) {
      const r = await store.positionOf(ref, identityHash, { nowMs: clock.nowMs(), opensAtMs });
      return r.ok ? { state: r.value.state, seq: r.value.seq } : null;
    },
    async campaign(id) {
      return id === CAMPAIGN ? { name: { ko: '데모', en: 'Demo' }, setting } : undefined;
    },
    outbox: {
      async writeTurnNotices(messages, nowMs) {
        let n = 0;
        for (const m of messages)
          if (!outbox.has(m.key)) {
            outbox.set(m.key, { ...m, atMs: nowMs });
            n++;
          }
        return n;
      },
      async turnNoticeCounts() {
        return { lastMinute: outbox.size, total: outbox.size };
      },
    },
  });
  const ref = { campaignId: CAMPAIGN, partition: 0 };
  /** Moves the cursor by `count` over `ms` and lets the snapshot measure the rate. */
  async function admit(count: number, ms: number) {
    await room.refreshSnapshot();
    value(await store.advanceCursor(ref, { count, graceMs: GRACE }, { nowMs: clock.nowMs(), opensAtMs: OPENS }));
    clock.advance(ms);
    await room.refreshSnapshot();
  }
  async function join(i: number) {
    const r = value(await room.joinQueue(person(i)));
    return { ...person(i), ticket: r.ticket };
  }
  return { clock, store, notices, room, service, outbox, ref, admit, join };
}

describe('text me when it is my turn', () => {
  it('is refused while the campaign has it switched off (the default)', async () => {
    const h = await harness(null);
    h.clock.set(OPENS);
    const p = await h.join(1);
    const r = await h.service.optIn(p);
    assert.equal(r.ok ? 'ok' : r.reason, 'turn-notice-off');
    assert.deepEqual(value(await h.service.noticeStatus(p)), { isAvailable: false, state: 'none' });
    assert.equal(await h.notices.noticeOf(h.ref, p.identityHash), null);
  });

  it('waits for the opening: a pre-room place has no seq to measure from yet', async () => {
    const h = await harness();
    const p = await h.join(1);
    const r = await h.service.optIn(p);
    assert.equal(r.ok ? 'ok' : r.reason, 'turn-notice-not-yet');
  });

  it('refuses a ticket presented by another identity', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const p = await h.join(1);
    const r = await h.service.optIn({ ...p, identityHash: 'someone-else' });
    assert.equal(r.ok ? 'ok' : r.reason, 'other-identity');
  });

  it('writes one message with the resume link when the shown ETA comes within the lead time', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const people = [];
    for (let i = 1; i <= 400; i++) people.push(await h.join(i));
    const far = people[299]!; // seq 300
    assert.deepEqual(value(await h.service.optIn(far)), { isAvailable: true, state: 'pending' });
    assert.deepEqual(value(await h.service.optIn(far)), { isAvailable: true, state: 'pending' }, 'idempotent');

    // The operator's pinned rate is what the page's ETA starts from (then blends into the measured rate).
    value(h.room.pinRate(CAMPAIGN, 1));
    await h.admit(10, 10_000); // 1 / s: seq 300 is 289 s away, more than the 2-minute lead
    assert.equal(await h.service.runOnce(CAMPAIGN), 0);
    assert.equal(h.outbox.size, 0);

    value(h.room.pinRate(CAMPAIGN, 20));
    await h.admit(200, 10_000); // 20 / s: 89 ahead, about 4.5 s
    assert.equal(await h.service.runOnce(CAMPAIGN), 1);
    const sentAt = h.clock.nowMs();
    const [m] = [...h.outbox.values()];
    assert.equal(m!.identityHash, far.identityHash);
    assert.equal(m!.link, resumeLink('https://yeyak.example', CAMPAIGN));
    assert.match(m!.text.en, /Demo.*2 min.*https:\/\/yeyak\.example\/#\/c\/round-1849\/queue/);
    assert.match(m!.text.ko, /데모/);
    assert.deepEqual(await h.notices.noticeOf(h.ref, far.identityHash), { state: 'sent', seq: 300, sentAtMs: sentAt });
    assert.equal(await h.service.runOnce(CAMPAIGN), 0, 'one message per place');
    assert.deepEqual(value(await h.service.noticeStatus(far)), { isAvailable: true, state: 'sent' });
  });

  it('sends nothing while admission is paused (the page shows no ETA then), and sends on resume', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const people = [];
    for (let i = 1; i <= 5; i++) people.push(await h.join(i));
    value(await h.service.optIn(people[2]!));
    value(h.room.pause(CAMPAIGN));
    await h.admit(0, 1_000);
    assert.equal(await h.service.runOnce(CAMPAIGN), 0, 'paused: nobody is near the front');
    value(h.room.resume(CAMPAIGN));
    value(h.room.pinRate(CAMPAIGN, 1));
    await h.admit(1, 1_000);
    assert.equal(await h.service.runOnce(CAMPAIGN), 1, 'resumed: two ahead at 1 / s is within the lead');
  });

  it('counts the grace period from the message, not from when the cursor passed the place', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const people = [];
    for (let i = 1; i <= 5; i++) people.push(await h.join(i));
    const [skipped, messaged] = [people[0]!, people[1]!];
    value(await h.service.optIn(messaged));
    // The cursor passes both before the message goes out (no rate measured yet: the message waits).
    await h.admit(3, 1_000);
    h.clock.advance(GRACE / 2);
    assert.equal(await h.service.runOnce(CAMPAIGN), 1);
    h.clock.advance(GRACE / 2 + 1_000); // now past the grace counted from the cursor

    const lost = await h.room.pollStatus(skipped);
    assert.equal(lost.ok ? lost.value.status.kind : lost.reason, 'place-expired');
    const kept = value(await h.room.pollStatus(messaged));
    assert.equal(kept.status.kind, 'admitted');
    assert.equal((await h.store.personRecord(h.ref, messaged.identityHash))?.state, 'admitted');
  });

  it('ends the grace period a grace period after the message', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const p = await h.join(1);
    value(await h.service.optIn(p));
    await h.admit(1, 1_000);
    assert.equal(await h.service.runOnce(CAMPAIGN), 1);
    h.clock.advance(GRACE + 1);
    const r = await h.room.pollStatus(p);
    assert.equal(r.ok ? r.value.status.kind : r.reason, 'place-expired');
  });

  it('sends nothing to someone who gave up the place, and forgets the request', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const p = await h.join(1);
    value(await h.service.optIn(p));
    value(await h.room.leaveQueue(p));
    await h.admit(1, 1_000);
    assert.equal(await h.service.runOnce(CAMPAIGN), 0);
    assert.equal(h.outbox.size, 0);
    assert.equal(await h.notices.noticeOf(h.ref, p.identityHash), null);
  });

  it('withdraws a request on opt-out', async () => {
    const h = await harness();
    h.clock.set(OPENS);
    const p = await h.join(1);
    value(await h.service.optIn(p));
    assert.deepEqual(value(await h.service.optOut(p)), { isAvailable: true, state: 'none' });
    await h.admit(1, 1_000);
    assert.equal(await h.service.runOnce(CAMPAIGN), 0);
  });
});

describe('the campaign setting', () => {
  it('is optional, and validated when given', () => {
    const doc = newRulesDocument();
    assert.equal(validateCampaignRules(doc).ok, true, 'absent: off');
    assert.equal(validateCampaignRules({ ...doc, turnNotice: { enabled: true, leadMinutes: 3 } }).ok, true);
    for (const bad of [
      { enabled: true, leadMinutes: 0 },
      { enabled: true, leadMinutes: 61 },
      { enabled: 'yes', leadMinutes: 3 },
      { enabled: true },
      { enabled: true, leadMinutes: 3, phone: '010' },
    ]) {
      const r = validateCampaignRules({ ...doc, turnNotice: bad });
      assert.equal(r.ok, false, JSON.stringify(bad));
      const problems = (r.ok ? [] : (r.detail?.['problems'] as { path: string }[])) ?? [];
      assert.ok(
        problems.some((p) => p.path.startsWith('/turnNotice')),
        JSON.stringify(problems),
      );
    }
  });
});
