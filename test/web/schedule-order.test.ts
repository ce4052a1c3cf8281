/**
 * "When can I book?" answers in the order a person needs: rounds open now first, then upcoming,
 * then the closed ones (most recent first), each marked (issue 14: the 2021 rounds were listed
 * out of order without saying they were closed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpeningWire as Opening, PublicCampaignWire as Campaign } from '../../src/campaigns/campaign.schemas.ts';
import { orderedAnswer } from '../../web/src/citizen/schedule-order.ts';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const opening = (phaseId: string, opensAt: string, closesAt: string): Opening =>
  ({ phaseId, opensAt, closesAt, label: { ko: phaseId, en: phaseId } }) as unknown as Opening;
const campaign = (id: string) => ({ id }) as unknown as Campaign;

describe('orderedAnswer', () => {
  it('puts open rounds first, then upcoming, then closed ones newest first, and marks each', () => {
    const rows = [
      { campaign: campaign('2021-a'), openings: [opening('a', '2021-07-19T11:00:00Z', '2021-07-20T09:00:00Z')] },
      { campaign: campaign('later'), openings: [opening('l', '2026-12-10T00:00:00Z', '2026-12-11T00:00:00Z')] },
      { campaign: campaign('2021-b'), openings: [opening('b', '2021-07-21T11:00:00Z', '2021-07-24T09:00:00Z')] },
      {
        campaign: campaign('demo'),
        openings: [
          opening('d2', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z'),
          opening('d1', '2026-11-30T11:00:00Z', '2026-12-01T00:00:00Z'),
        ],
      },
    ];
    const ordered = orderedAnswer(rows, NOW);
    assert.deepEqual(
      ordered.map((r) => r.campaign.id),
      ['demo', 'later', '2021-b', '2021-a'],
    );
    assert.deepEqual(
      ordered[0]!.openings.map((o) => [o.phaseId, o.state]),
      [
        ['d1', 'open'],
        ['d2', 'upcoming'],
      ],
    );
    assert.equal(ordered[3]!.openings[0]!.state, 'closed');
  });

  it('calls a round closed from its closing instant on', () => {
    const [row] = orderedAnswer(
      [{ campaign: campaign('x'), openings: [opening('x', '2026-11-30T00:00:00Z', '2026-11-30T12:00:00Z')] }],
      NOW,
    );
    assert.equal(row!.openings[0]!.state, 'closed');
  });
});
