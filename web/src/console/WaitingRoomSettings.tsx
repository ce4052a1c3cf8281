/**
 * The waiting room's settings an operator sets besides pause and pin (issue 14): the planned
 * admission rate (ETAs start from it before a rate is measured; capacity planning fills it), the
 * planned session turnover curve (entered from the capacity plan page; shown here, and cleared) and a
 * message to everyone waiting, in Korean and English, shown on every waiting page within seconds.
 * And the lookup of a queue reference a citizen reads out on the phone: where that place stands.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { useLang } from '../shared/i18n.tsx';
import { formatNumber } from '../shared/format.ts';
import type { AdmissionSettingsWire, ReferenceLookupWire } from '../../../src/operator/operator.schemas.ts';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';

export function WaitingRoomSettings({ operator, campaignId }: { operator: Operator; campaignId: string }) {
  const t = useT();
  const { lang } = useLang();
  const base = `/api/operator/campaigns/${encodeURIComponent(campaignId)}`;
  const [rate, setRate] = useState('');
  const [ko, setKo] = useState('');
  const [en, setEn] = useState('');
  const [turnover, setTurnover] = useState<readonly number[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const isViewer = operator.role !== 'operator';

  useEffect(() => {
    let stopped = false;
    void opRequest<AdmissionSettingsWire>(`${base}/admission/settings`).then((r) => {
      if (stopped || !r.ok) return;
      setRate(r.data.plannedRatePerSec === null ? '' : String(r.data.plannedRatePerSec));
      setKo(r.data.message?.ko ?? '');
      setEn(r.data.message?.en ?? '');
      setTurnover(r.data.plannedTurnoverPerSec);
    });
    return () => {
      stopped = true;
    };
  }, [base]);

  const rateValue = Number(rate);
  const isRateValid = rate.trim() === '' || (Number.isFinite(rateValue) && rateValue > 0 && rateValue <= 1_000_000);
  const hasMessage = ko.trim() !== '' || en.trim() !== '';
  const isMessageValid = !hasMessage || (ko.trim() !== '' && en.trim() !== '');

  // A save leaves the turnover curve out (kept as it is) unless it is being cleared.
  async function put(clearTurnover: boolean) {
    setBusy(true);
    setSaved(false);
    setFailure(null);
    const r = await opRequest<AdmissionSettingsWire>(`${base}/admission/settings`, {
      method: 'PUT',
      body: {
        plannedRatePerSec: rate.trim() === '' ? null : rateValue,
        ...(clearTurnover ? { plannedTurnoverPerSec: null } : {}),
        message: hasMessage ? { ko: ko.trim(), en: en.trim() } : null,
      },
    });
    setBusy(false);
    if (r.ok) {
      setSaved(true);
      setTurnover(r.data.plannedTurnoverPerSec);
    } else setFailure(failureOf(r));
  }

  function save(e: FormEvent) {
    e.preventDefault();
    if (isRateValid && isMessageValid) void put(false);
  }

  return (
    <div className="card waiting-settings" aria-labelledby="waiting-settings-title">
      <h2 id="waiting-settings-title">{t('waitingSettingsTitle')}</h2>
      <form onSubmit={save}>
        <div className="field">
          <label htmlFor="planned-rate">{t('plannedRate')}</label>
          <input
            id="planned-rate"
            type="number"
            inputMode="numeric"
            min={0}
            step="any"
            value={rate}
            aria-invalid={!isRateValid}
            aria-describedby="planned-rate-hint"
            disabled={isViewer}
            onChange={(e) => setRate(e.target.value)}
          />
          <p className="hint" id="planned-rate-hint">
            {t('plannedRateHint')}
          </p>
          <p className="hint" data-testid="planned-turnover">
            {turnover && turnover.length > 0
              ? t('plannedTurnover', {
                  minutes: formatNumber(turnover.length, lang),
                  from: formatNumber(turnover[0]!, lang),
                  to: formatNumber(turnover[turnover.length - 1]!, lang),
                })
              : t('plannedTurnoverNone')}{' '}
            {turnover && turnover.length > 0 && !isViewer && (
              <button
                type="button"
                className="button"
                disabled={busy || !isRateValid || !isMessageValid}
                onClick={() => void put(true)}
              >
                {t('plannedTurnoverClear')}
              </button>
            )}
          </p>
        </div>
        <div className="field">
          <label htmlFor="waiting-message-ko">{t('waitingMessageKo')}</label>
          <textarea
            id="waiting-message-ko"
            maxLength={280}
            rows={2}
            value={ko}
            aria-invalid={!isMessageValid && ko.trim() === ''}
            disabled={isViewer}
            onChange={(e) => setKo(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="waiting-message-en">{t('waitingMessageEn')}</label>
          <textarea
            id="waiting-message-en"
            maxLength={280}
            rows={2}
            value={en}
            aria-invalid={!isMessageValid && en.trim() === ''}
            disabled={isViewer}
            onChange={(e) => setEn(e.target.value)}
          />
          <p className="hint">{isMessageValid ? t('waitingMessageHint') : t('waitingMessageBoth')}</p>
        </div>
        <button type="submit" className="button primary" disabled={busy || isViewer || !isRateValid || !isMessageValid}>
          {t('waitingSettingsSave')}
        </button>
      </form>
      <div aria-live="polite">
        {saved && (
          <p className="notice notice-ok" data-testid="waiting-settings-saved">
            {t('waitingSettingsSaved')}
          </p>
        )}
        {failure && <FailureNotice failure={failure} />}
      </div>
      <ReferenceLookup campaignId={campaignId} />
    </div>
  );
}

function ReferenceLookup({ campaignId }: { campaignId: string }) {
  const t = useT();
  const { lang } = useLang();
  const [reference, setReference] = useState('');
  const [found, setFound] = useState<ReferenceLookupWire | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function lookUp(e: FormEvent) {
    e.preventDefault();
    setFound(null);
    setFailure(null);
    const r = await opRequest<ReferenceLookupWire>(
      `/api/operator/campaigns/${encodeURIComponent(campaignId)}/queue/references/${encodeURIComponent(reference.trim())}`,
    );
    if (r.ok) setFound(r.data);
    else setFailure(failureOf(r));
  }

  return (
    <form className="reference-lookup" onSubmit={(e) => void lookUp(e)}>
      <div className="field row-field">
        <label htmlFor="queue-reference">{t('referenceLookup')}</label>
        <input
          id="queue-reference"
          value={reference}
          autoComplete="off"
          onChange={(e) => setReference(e.target.value)}
        />
        <button type="submit" className="button" disabled={reference.trim() === ''}>
          {t('referenceLookupGo')}
        </button>
      </div>
      <div aria-live="polite" data-testid="reference-result">
        {found &&
          (found.state === 'waiting' ? (
            <p>
              {t('referenceWaiting', {
                ref: found.reference,
                position: formatNumber(found.position ?? 0, lang),
                ahead: formatNumber(found.ahead ?? 0, lang),
              })}
              {found.isPaused ? ` ${t('referencePaused')}` : ''}
            </p>
          ) : (
            <p>{t('referenceReached', { ref: found.reference })}</p>
          ))}
        {failure && <FailureNotice failure={failure} />}
      </div>
    </form>
  );
}
