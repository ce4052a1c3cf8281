import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import {
  createAgentService,
  LANE_FEED_OVERLAP_MS,
  type AgentLaneStore,
  type AgentServiceDeps,
} from './agent.service.ts';

/** Only what the feed reads: the lane admissions' ids and instants, as every process wrote them. */
function feedOf() {
  const clock = fixedClock(1_000_000);
  const rows: { campaignId: string; admissionId: string; admittedAtMs: number }[] = [];
  const noted: [string, number][] = [];
  const lane = {
    async admittedSince(campaignId: string, sinceMs: number) {
      return rows.filter((r) => r.campaignId === campaignId && r.admittedAtMs > sinceMs);
    },
  } as unknown as AgentLaneStore;
  const agents = createAgentService({
    clock,
    lane,
    room: { stateOf: () => null, noteLaneAdmissions: (id: string, n: number) => void noted.push([id, n]) },
  } as unknown as AgentServiceDeps);
  const admit = (id: string, campaignId = 'c', atMs = clock.nowMs()) =>
    rows.push({ campaignId, admissionId: id, admittedAtMs: atMs });
  return { clock, agents, admit, noted };
}

describe('phone-lane feed to the admission leader', () => {
  it('notes each lane admission once, whichever process made it, including one committed late', async () => {
    const { clock, agents, admit, noted } = feedOf();
    assert.equal(
      await agents.feedLaneAdmissions(['c'], true),
      0,
      'the first round as leader only starts the watermark',
    );
    admit('a1');
    clock.advance(1_000);
    admit('a2');
    assert.equal(await agents.feedLaneAdmissions(['c'], true), 2);
    clock.advance(1_000);
    // Made 3 s ago by another process, committed only now: still counted, once.
    admit('late', 'c', clock.nowMs() - 3_000);
    admit('d1', 'd');
    assert.equal(await agents.feedLaneAdmissions(['c', 'd'], true), 2);
    clock.advance(1_000);
    assert.equal(await agents.feedLaneAdmissions(['c', 'd'], true), 0, 'nothing twice');
    assert.deepEqual(noted, [
      ['c', 2],
      ['c', 1],
      ['d', 1],
    ]);
  });

  it('keeps nothing while not leading and starts afresh on becoming the leader (no stale debt)', async () => {
    const { clock, agents, admit, noted } = feedOf();
    admit('before');
    assert.equal(await agents.feedLaneAdmissions(['c'], false), 0);
    clock.advance(LANE_FEED_OVERLAP_MS * 3);
    assert.equal(await agents.feedLaneAdmissions(['c'], true), 0);
    clock.advance(1_000);
    admit('after');
    assert.equal(await agents.feedLaneAdmissions(['c'], true), 1);
    assert.deepEqual(noted, [['c', 1]]);
  });
});
