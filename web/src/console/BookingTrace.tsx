/** Look up one booking by its number: the admission it consumed, as the waiting room recorded it. */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { formatStamp } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useT } from './messages.ts';
import { opRequest } from './operator-api.ts';
import type { BookingTraceView } from '../../../src/audit/audit.schemas.ts';

export function BookingTrace() {
  const t = useT();
  const { lang } = useLang();
  const [number, setNumber] = useState('');
  const [trace, setTrace] = useState<BookingTraceView | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const at = (ms: number | null) => (ms === null ? '–' : formatStamp(ms, lang));

  async function lookup(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    setTrace(null);
    const r = await opRequest<BookingTraceView>(
      `/api/operator/bookings/${encodeURIComponent(number.trim().toUpperCase())}/trace`,
    );
    if (r.ok) setTrace(r.data);
    else setFailure(failureOf(r));
  }

  const a = trace?.admission;
  const g = trace?.agentAdmission;
  return (
    <div className="card" aria-labelledby="trace-title">
      <h2 id="trace-title">{t('traceTitle')}</h2>
      <form className="field row-field" onSubmit={lookup}>
        <label htmlFor="trace-number">{t('traceNumber')}</label>
        <input
          id="trace-number"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          placeholder="ABCD-EFGH-JKMN"
        />
        <button type="submit" className="button">
          {t('traceLookup')}
        </button>
      </form>
      {failure && <FailureNotice failure={failure} />}
      {trace && (
        <dl className="trace" data-testid="booking-trace">
          <dt>{t('traceNumber')}</dt>
          <dd>
            {trace.bookingNumber} · {trace.campaignId} v{trace.campaignVersion}
          </dd>
          <dt>{t('traceStatus')}</dt>
          <dd>{trace.status}</dd>
          <dt>{t('traceCreated')}</dt>
          <dd>{at(trace.createdAtMs)}</dd>
          <dt>{t('traceAdmission')}</dt>
          <dd>{trace.admissionId ?? '–'}</dd>
          {!a && !g && <dd className="notice notice-error">{t('traceNoAdmission')}</dd>}
          {g && (
            <>
              <dt>{t('traceLane')}</dt>
              <dd data-testid="trace-lane">{t('traceAgentLane')}</dd>
              <dt>{t('traceAgent')}</dt>
              <dd data-testid="trace-agent">{g.agent}</dd>
              <dt>{t('traceAdmitted')}</dt>
              <dd>{at(g.admittedAtMs)}</dd>
              <dt>{t('traceProvider')}</dt>
              <dd data-testid="trace-provider">{g.verificationProvider}</dd>
              <dt>{t('traceVerified')}</dt>
              <dd>{at(g.verifiedAtMs)}</dd>
              <dt>{t('traceMatches')}</dt>
              <dd data-testid="trace-matches">{g.matchesRequester ? t('yes') : t('no')}</dd>
            </>
          )}
          {a && (
            <>
              <dt>{t('traceSeq')}</dt>
              <dd data-testid="trace-seq">
                {a.queueSeq ?? '–'}
                {a.preRoom ? ` (${t('tracePreRoom')})` : ''}
              </dd>
              <dt>{t('traceTicket')}</dt>
              <dd>{at(a.ticketIssuedAtMs)}</dd>
              <dt>{t('traceAdmitted')}</dt>
              <dd>{at(a.admittedAtMs)}</dd>
              <dt>{t('traceDevice')}</dt>
              <dd>
                <code>{a.deviceTag}</code>
              </dd>
              <dt>{t('traceProvider')}</dt>
              <dd data-testid="trace-provider">{a.verificationProvider ?? '–'}</dd>
              <dt>{t('traceVerified')}</dt>
              <dd>{at(a.verifiedAtMs)}</dd>
              <dt>{t('traceMatches')}</dt>
              <dd data-testid="trace-matches">{a.matchesRequester ? t('yes') : t('no')}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
