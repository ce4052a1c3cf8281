/**
 * Pause, resume and pin the admission rate of a campaign's waiting room. Every change goes through
 * the CSRF-protected operator API; what the server answered is shown (applied, or its problem).
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import { ConfirmButton } from './Confirm.tsx';

type Action = 'pause' | 'resume' | 'pin' | 'unpin';

export function AdmissionControls({
  operator,
  campaignId,
  paused,
  pinned,
  onChanged,
}: {
  operator: Operator;
  campaignId: string;
  paused: boolean;
  pinned: number | null;
  onChanged(): void;
}) {
  const t = useT();
  const [rate, setRate] = useState(pinned === null ? '' : String(pinned));
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Action | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const isViewer = operator.role !== 'operator';
  const rateValue = Number(rate);
  const isRateValid = rate.trim() !== '' && Number.isFinite(rateValue) && rateValue >= 0 && rateValue <= 100_000;

  async function apply(action: Action) {
    setBusy(true);
    setDone(null);
    setFailure(null);
    const body = action === 'pin' ? { action, ratePerSec: rateValue } : { action };
    const r = await opRequest(`/api/operator/campaigns/${encodeURIComponent(campaignId)}/admission`, {
      method: 'POST',
      body,
    });
    setBusy(false);
    if (r.ok) {
      setDone(action);
      onChanged();
    } else setFailure(failureOf(r));
  }
  const pin = (e: FormEvent) => {
    e.preventDefault();
    if (isRateValid) void apply('pin');
  };
  const disabled = busy || isViewer;

  return (
    <div className="card admission" aria-labelledby="admission-title">
      <h2 id="admission-title">{t('admissionTitle')}</h2>
      <div className="actions">
        {paused ? (
          <ConfirmButton
            className="button primary"
            label={t('resume')}
            question={t('confirmResume', { id: campaignId })}
            confirmLabel={t('confirmResumeYes')}
            disabled={disabled}
            onConfirm={() => void apply('resume')}
          />
        ) : (
          <ConfirmButton
            className="button danger"
            label={t('pause')}
            question={t('confirmPause', { id: campaignId })}
            confirmLabel={t('confirmPauseYes')}
            disabled={disabled}
            onConfirm={() => void apply('pause')}
          />
        )}
      </div>
      <form className="field row-field" onSubmit={pin}>
        <label htmlFor="pin-rate">{t('pinRate')}</label>
        <input
          id="pin-rate"
          type="number"
          inputMode="numeric"
          min={0}
          max={100000}
          step={1}
          value={rate}
          aria-invalid={rate !== '' && !isRateValid}
          disabled={isViewer}
          onChange={(e) => setRate(e.target.value)}
        />
        <button type="submit" className="button" disabled={disabled || !isRateValid}>
          {t('pin')}
        </button>
        {pinned !== null && (
          <button type="button" className="button" disabled={disabled} onClick={() => void apply('unpin')}>
            {t('unpin')}
          </button>
        )}
      </form>
      {isViewer && <p className="hint">{t('viewerCannot')}</p>}
      <div aria-live="polite">
        {done && (
          <p className="notice notice-ok" data-testid="admission-done">
            {t('admissionDone', { action: t(done) })}
          </p>
        )}
        {failure && <FailureNotice failure={failure} />}
      </div>
    </div>
  );
}
