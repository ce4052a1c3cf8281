/**
 * The operator sets the share of a campaign's admission rate its phone lane may use (issue 15
 * item 4); the change asks for confirmation, is audited, and shows what the lane allows now.
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { useApi } from '../shared/use-api.ts';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import { ConfirmButton } from './Confirm.tsx';
import type { LaneStatusWire } from '../../../src/agents/agent.schemas.ts';

export function AgentLaneQuota({ operator, campaignId }: { operator: Operator; campaignId: string }) {
  const t = useT();
  const url = `/api/operator/campaigns/${encodeURIComponent(campaignId)}/agent-lane`;
  const lane = useApi(() => opRequest<LaneStatusWire>(url), [url]);
  const [share, setShare] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const status = lane.loaded.state === 'ok' ? lane.loaded.data : null;
  const canChange = operator.role === 'operator' || operator.role === 'approver';
  const value = Number(share);
  const isValid =
    share.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= (status?.maxSharePercent ?? 50);

  async function apply() {
    setDone(null);
    setFailure(null);
    const r = await opRequest<LaneStatusWire>(url, { method: 'PUT', body: { sharePercent: value } });
    if (r.ok) {
      setDone(value);
      void lane.reload();
    } else setFailure(failureOf(r));
  }

  return (
    <div className="card" aria-labelledby="lane-title" data-testid="agent-lane-quota">
      <h2 id="lane-title">{t('laneTitle')}</h2>
      {status && (
        <p data-testid="lane-now">
          {status.quota
            ? t('laneNow', {
                share: status.quota.sharePercent,
                rate: Math.round(status.ratePerSec),
                perWindow: status.allowance.perWindow,
                used: status.allowance.usedInWindow,
              })
            : t('laneNone')}
        </p>
      )}
      <form className="field row-field" onSubmit={(e: FormEvent) => e.preventDefault()}>
        <label htmlFor="lane-share">{t('laneShare')}</label>
        <input
          id="lane-share"
          type="number"
          min={0}
          max={status?.maxSharePercent ?? 50}
          step={0.5}
          value={share}
          disabled={!canChange}
          aria-invalid={share !== '' && !isValid}
          onChange={(e) => setShare(e.target.value)}
        />
        <ConfirmButton
          className="button"
          label={t('laneSet')}
          question={t('laneConfirm', { id: campaignId, share })}
          confirmLabel={t('laneConfirmYes')}
          disabled={!canChange || !isValid}
          onConfirm={() => void apply()}
        />
      </form>
      {!canChange && <p className="hint">{t('viewerCannot')}</p>}
      <div aria-live="polite">
        {done !== null && (
          <p className="notice notice-ok" data-testid="lane-done">
            {t('laneDone', { share: done })}
          </p>
        )}
        {failure && <FailureNotice failure={failure} />}
      </div>
    </div>
  );
}
