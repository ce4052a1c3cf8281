/**
 * The live dashboard of one campaign: stat tiles (the numbers as text), uPlot charts of the last
 * ~25 minutes, slots left per province, and the admission controls. It polls the feed every
 * POLL_MS; a failed poll keeps the charts and says it is retrying. Controls are for the operator
 * role; a viewer sees them disabled with the reason.
 */
import { useEffect, useMemo, useState } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { formatNumber, formatTime } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { provinceName } from '../shared/regions.ts';
import { useApi } from '../shared/use-api.ts';
import { Chart } from './Chart.tsx';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import { appendPoint, emptySeries, seriesFromHistory, type DashboardFeed, type Series } from './series.ts';
import type { DashboardHistoryView } from '../../../src/operator/history.schemas.ts';
import { AdmissionControls } from './AdmissionControls.tsx';
import { WaitingRoomSettings } from './WaitingRoomSettings.tsx';
import { AgentLaneQuota } from './AgentLaneQuota.tsx';
import { useCampaignChoice } from './use-campaign-choice.ts';

const POLL_MS = 2_500;

/** Loads the server's history for a campaign, then polls the feed; the series restart when the campaign changes. */
function useFeed(campaignId: string) {
  const [feed, setFeed] = useState<DashboardFeed | null>(null);
  const [series, setSeries] = useState<Series>(emptySeries);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setFeed(null);
    setSeries(emptySeries());
    setFailure(null);
  }, [campaignId]);
  useEffect(() => {
    if (!campaignId) return;
    let stopped = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const poll = async () => {
      const r = await opRequest<DashboardFeed>(`/api/operator/dashboard?campaignId=${encodeURIComponent(campaignId)}`);
      if (stopped) return;
      if (r.ok) {
        setFeed(r.data);
        setSeries((s) => appendPoint(s, r.data));
        setFailure(null);
      } else setFailure(failureOf(r));
    };
    const start = async () => {
      const h = await opRequest<DashboardHistoryView>(
        `/api/operator/dashboard/history?campaignId=${encodeURIComponent(campaignId)}`,
      );
      if (stopped) return;
      // A failed history read leaves the series as they are: the polls still fill them from now on.
      if (h.ok && tick === 0) setSeries(seriesFromHistory(h.data));
      await poll();
      if (!stopped) timer = setInterval(() => void poll(), POLL_MS);
    };
    void start();
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [campaignId, tick]);
  return { feed, series, failure, refresh: () => setTick((n) => n + 1) };
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat card">
      <dt>{label}</dt>
      <dd className="big-number" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);

export function Dashboard({ operator }: { operator: Operator }) {
  const t = useT();
  const { lang } = useLang();
  const list = useApi(
    () => opRequest<{ campaigns: { id: string; liveVersion: number | null }[] }>('/api/operator/campaigns'),
    [],
  );
  const live = list.loaded.state === 'ok' ? list.loaded.data.campaigns.filter((c) => c.liveVersion !== null) : [];
  const [campaignId, setCampaignId] = useCampaignChoice(live);
  const { feed, series, failure, refresh } = useFeed(campaignId);
  const n = (v: number) => formatNumber(Math.round(v), lang);
  const q = feed?.queue ?? null;

  const charts = useMemo(
    () => [
      { title: t('chartQueue'), series: [{ label: t('seriesWaiting'), color: '#0b4f9c', values: series.waiting }] },
      {
        title: t('chartRates'),
        series: [
          { label: t('seriesAdmitted'), color: '#0b4f9c', values: series.admitted },
          { label: t('seriesBookings'), color: '#17582b', values: series.bookings },
        ],
      },
      {
        title: t('chartLatency'),
        series: [
          { label: 'p50', color: '#0b4f9c', values: series.p50 },
          { label: 'p99', color: '#a1231b', values: series.p99 },
        ],
      },
      {
        title: t('chartEta'),
        series: [
          { label: t('seriesEtaP50'), color: '#0b4f9c', values: series.etaP50 },
          { label: t('seriesEtaP90'), color: '#a1231b', values: series.etaP90 },
        ],
      },
    ],
    [series, t],
  );

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{t('dashTitle')}</h1>
      <div className="field row-field">
        <label htmlFor="dash-campaign">{t('dashCampaign')}</label>
        <select id="dash-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
          {live.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id}
            </option>
          ))}
        </select>
        {feed && (
          <span className="muted small" role="status">
            {t('dashUpdated', { time: formatTime(feed.atMs, lang) })}
          </span>
        )}
      </div>
      {list.loaded.state === 'failed' && (
        <FailureNotice failure={list.loaded.failure} onRetry={() => void list.reload()} />
      )}
      {failure && (
        <FailureNotice failure={failure}>
          <p>{t('dashPausedPolling')}</p>
        </FailureNotice>
      )}

      <dl className="stats">
        <Stat
          label={t('statQueueState')}
          testId="queue-state"
          value={q ? (q.paused ? t('queuePaused') : t('queueRunning')) : t('queueNone')}
        />
        <Stat label={t('statWaiting')} testId="stat-waiting" value={q ? n(q.waiting) : '–'} />
        <Stat label={t('statAdmitted')} value={q ? n(q.admittedPerSec) : '–'} />
        <Stat
          label={t('statActive')}
          testId="stat-active"
          value={q ? t('statActiveOfLimit', { active: n(q.activeSessions), limit: n(q.sessionLimit) }) : '–'}
        />
        <Stat
          label={t('statRate')}
          testId="stat-rate"
          value={
            q
              ? q.pinnedRatePerSec !== null
                ? t('statRatePinned', { rate: n(q.pinnedRatePerSec) })
                : t('statRateAuto', { rate: n(q.ratePerSec) })
              : '–'
          }
        />
        <Stat label={t('statBookings')} value={feed ? n(feed.bookings.perSec) : '–'} />
        <Stat label={t('statBookingsTotal')} value={feed ? n(feed.bookings.total) : '–'} />
        <Stat label={t('statP50')} value={feed ? ms(feed.latency.p50Ms) : '–'} />
        <Stat label={t('statP99')} value={feed ? ms(feed.latency.p99Ms) : '–'} />
        <Stat
          label={t('statEtaError')}
          value={feed?.etaError ? `${n(feed.etaError.p50Sec)} s / ${n(feed.etaError.p90Sec)} s` : t('noData')}
        />
        <Stat
          label={t('statTurnNotices')}
          testId="stat-turn-notices"
          value={
            feed
              ? t('statTurnNoticesValue', { perMin: n(feed.turnNotices.lastMinute), total: n(feed.turnNotices.total) })
              : '–'
          }
        />
      </dl>

      {q && (
        <AdmissionControls
          operator={operator}
          campaignId={campaignId}
          paused={q.paused}
          pinned={q.pinnedRatePerSec}
          onChanged={refresh}
        />
      )}
      {q && <WaitingRoomSettings operator={operator} campaignId={campaignId} />}
      {q && <AgentLaneQuota operator={operator} campaignId={campaignId} />}

      <div className="charts">
        {charts.map((c) => (
          <Chart key={c.title} title={c.title} times={series.t} series={c.series} />
        ))}
      </div>

      <div className="card">
        <h2>{t('slotsTitle')}</h2>
        {feed && feed.slotsLeftByRegion.length === 0 && <p className="muted">{t('noData')}</p>}
        {feed && feed.slotsLeftByRegion.length > 0 && (
          <table data-testid="slots-by-region">
            <thead>
              <tr>
                <th scope="col">{t('slotsRegion')}</th>
                <th scope="col" className="num">
                  {t('slotsFree')}
                </th>
                <th scope="col" className="num">
                  {t('slotsCapacity')}
                </th>
              </tr>
            </thead>
            <tbody>
              {feed.slotsLeftByRegion.map((r) => (
                <tr key={r.regionCode}>
                  <td>{provinceName(r.regionCode, lang)}</td>
                  <td className="num">{n(r.free)}</td>
                  <td className="num">{n(r.capacity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
