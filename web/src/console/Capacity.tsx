/**
 * The capacity plan before an opening (the model of `npm run plan`, computed by the server): for a
 * live campaign's opening, its registered cohort and a load scenario's arrival curve, the admission
 * rate to enter, the queue's peak and drain time, and what the night takes in processes, edge,
 * Redis and Postgres. Numbers as text in tables; the chart repeats the minute series.
 */
import { useMemo, useState } from 'react';
import { FailureNotice, failureOf, Loading, type Failure } from '../shared/failure.tsx';
import { formatInstant, formatNumber } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useApi } from '../shared/use-api.ts';
import { Chart } from './Chart.tsx';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import type { CampaignCapacityPlanView } from '../../../src/capacity/capacity.schemas.ts';
import type { AdmissionSettingsWire } from '../../../src/operator/operator.schemas.ts';
import { useCampaignChoice } from './use-campaign-choice.ts';

const LIMITED_BY = {
  'service-maximum': 'capLimitedService',
  'active-session-cap': 'capLimitedCap',
  postgres: 'capLimitedPostgres',
} as const;

export function Capacity({ operator }: { operator: Operator }) {
  const t = useT();
  const { lang } = useLang();
  const n = (v: number) => formatNumber(Math.round(v), lang);
  const n1 = (v: number) => formatNumber(Math.round(v * 10) / 10, lang);
  const bytes = (b: number) =>
    b >= 2 ** 30 ? `${n1(b / 2 ** 30)} GiB` : `${formatNumber(Math.ceil(b / 2 ** 20), lang)} MiB`;
  const list = useApi(
    () => opRequest<{ campaigns: { id: string; liveVersion: number | null }[] }>('/api/operator/campaigns'),
    [],
  );
  const live = list.loaded.state === 'ok' ? list.loaded.data.campaigns.filter((c) => c.liveVersion !== null) : [];
  const [campaignId, setCampaignId] = useCampaignChoice(live);
  const [scenario, setScenario] = useState('');
  const [opensAtMs, setOpensAtMs] = useState('');
  const query = new URLSearchParams();
  if (scenario) query.set('scenario', scenario);
  if (opensAtMs) query.set('opensAtMs', opensAtMs);
  const plan = useApi(
    campaignId
      ? () =>
          opRequest<CampaignCapacityPlanView>(
            `/api/operator/campaigns/${encodeURIComponent(campaignId)}/capacity-plan?${query.toString()}`,
          )
      : null,
    [campaignId, scenario, opensAtMs],
  );
  const v = plan.loaded.state === 'ok' ? plan.loaded.data : null;
  const p = v?.plan;
  const chart = useMemo(() => {
    if (!v) return null;
    const at = v.plan.minutes.map((m) => v.opening.opensAtMs + m.minute * 60_000);
    return {
      times: at,
      queue: [{ label: t('capSeriesQueue'), color: '#0b4f9c', values: v.plan.minutes.map((m) => m.queue) }],
      rates: [
        { label: t('capSeriesArrivals'), color: '#a1231b', values: v.plan.minutes.map((m) => m.firstJoinsPerSec) },
        { label: t('capSeriesAdmitted'), color: '#0b4f9c', values: v.plan.minutes.map((m) => m.admittedPerSec) },
      ],
    };
  }, [v, t]);

  return (
    <section aria-labelledby="cap-title">
      <h1 id="cap-title">{t('capTitle')}</h1>
      <p className="muted">{t('capIntro')}</p>
      <div className="card cap-inputs">
        <div className="field row-field">
          <label htmlFor="cap-campaign">{t('dashCampaign')}</label>
          <select
            id="cap-campaign"
            value={campaignId}
            onChange={(e) => {
              setCampaignId(e.target.value);
              setOpensAtMs('');
            }}
          >
            {live.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id}
              </option>
            ))}
          </select>
        </div>
        {v && (
          <>
            <div className="field row-field">
              <label htmlFor="cap-opening">{t('capOpening')}</label>
              <select
                id="cap-opening"
                value={String(v.opening.opensAtMs)}
                onChange={(e) => setOpensAtMs(e.target.value)}
              >
                {v.openings.map((o) => (
                  <option key={o.opensAtMs} value={String(o.opensAtMs)}>
                    {t('capOpeningOption', { at: formatInstant(o.opensAtMs, lang), people: n(o.eligible) })}
                  </option>
                ))}
              </select>
            </div>
            <div className="field row-field">
              <label htmlFor="cap-scenario">{t('capScenario')}</label>
              <select id="cap-scenario" value={v.scenario.id} onChange={(e) => setScenario(e.target.value)}>
                {v.scenarios.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.id} — {s.title}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
      </div>
      {list.loaded.state === 'failed' && (
        <FailureNotice failure={list.loaded.failure} onRetry={() => void list.reload()} />
      )}
      {plan.loaded.state === 'failed' && (
        <FailureNotice failure={plan.loaded.failure} onRetry={() => void plan.reload()} />
      )}
      {campaignId && plan.loaded.state === 'loading' && <Loading />}
      {v && p && (
        <>
          <div className="card cap-headline">
            <h2>{t('capRateTitle')}</h2>
            <p className="cap-rate">
              <strong data-testid="planned-rate">
                {t('capRateValue', { rate: n1(p.admission.openingRatePerSec) })}
              </strong>
            </p>
            <p data-testid="cap-rate-help">
              {t('capRateHelp', {
                sustained: n1(p.admission.plannedRatePerSec),
                limit: t(LIMITED_BY[p.admission.limitedBy]),
              })}
            </p>
            <table data-testid="cap-schedule">
              <caption>{t('capScheduleCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('capFrom')}</th>
                  <th scope="col">{t('capRate')}</th>
                </tr>
              </thead>
              <tbody>
                {p.admission.schedule.map((s, i) => (
                  <tr key={s.fromMinutes}>
                    <td>{t('capAfterOpening', { minutes: n1(s.fromMinutes) })}</td>
                    <td>
                      {t('capRateValue', { rate: n1(s.ratePerSec) })} —{' '}
                      {t(i === 0 ? 'capPhasePlanned' : 'capPhaseArrivals')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ApplyPlan
              operator={operator}
              campaignId={v.campaignId}
              ratePerSec={p.admission.openingRatePerSec}
              turnover={p.admission.turnoverCurvePerSec}
            />
          </div>

          <dl className="stats">
            <Stat label={t('capCohort')} testId="cap-cohort" value={n(v.opening.eligible)} />
            <Stat label={t('capJoining')} value={n(p.people.joining)} />
            <Stat label={t('capPreRoom')} value={n(p.queue.preRoomAtOpening)} />
            <Stat
              label={t('capQueuePeak')}
              testId="cap-queue-peak"
              value={t('capPeakValue', { people: n(p.queue.peak), minutes: n1(p.queue.peakAtMinutes) })}
            />
            <Stat
              label={t('capDrained')}
              testId="cap-drained"
              value={
                p.queue.drainedAtMinutes === null
                  ? t('capNotDrained')
                  : t('capAfterOpening', { minutes: n1(p.queue.drainedAtMinutes) })
              }
            />
            <Stat label={t('capActive')} value={n(p.queue.peakActiveSessions)} />
          </dl>

          {chart && (
            <div className="charts">
              <Chart title={t('capChartQueue')} times={chart.times} series={chart.queue} />
              <Chart title={t('capChartRates')} times={chart.times} series={chart.rates} />
            </div>
          )}

          <div className="card">
            <h2>{t('capResources')}</h2>
            <table data-testid="cap-resources">
              <thead>
                <tr>
                  <th scope="col">{t('capWhat')}</th>
                  <th scope="col">{t('capHowMany')}</th>
                  <th scope="col">{t('capWhy')}</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{t('capNode')}</th>
                  <td data-testid="cap-processes">{n(p.frontDoor.processes)}</td>
                  <td>
                    {t('capNodeWhy', {
                      joins: n(p.peak.joinRequestsPerSec),
                      verifications: n(p.peak.verificationsPerSec),
                      booking: n(p.peak.bookingRequestsPerSec),
                      budget: n(p.frontDoor.joinBudgetPerProcess),
                    })}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('capEdge')}</th>
                  <td>{n(p.edge.cores)}</td>
                  <td>{t('capEdgeWhy', { polls: n(p.peak.snapshotPollsPerSec), joins: n(p.edge.joinRatePerSec) })}</td>
                </tr>
                <tr>
                  <th scope="row">{t('capRedis')}</th>
                  <td>{n(p.redis.shards)}</td>
                  <td>
                    {t('capRedisWhy', {
                      memory: bytes(p.redis.memoryBytes),
                      perShard: bytes(p.redis.memoryPerShardBytes),
                      partitions: n(p.redis.partitions),
                    })}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('capPostgres')}</th>
                  <td>{n(p.postgres.cores)}</td>
                  <td>
                    {t('capPostgresWhy', {
                      bookings: n(p.postgres.peakBookingsPerSec),
                      reads: n(p.postgres.peakVerificationReadsPerSec),
                      storage: bytes(p.postgres.storageBytes),
                      connections: n(p.postgres.connections),
                    })}
                  </td>
                </tr>
              </tbody>
            </table>
          </div>

          <div className="card">
            <h2>{t('capAssumptions')}</h2>
            <p className="small">
              {t('capMeasured', {
                file: v.plan.measuredFrom.file
                  .split(', ')
                  .map((f) => f.split('/').slice(-2).join('/'))
                  .join(', '),
                at: formatInstant(v.plan.measuredFrom.measuredAt, lang),
                machine: v.plan.measuredFrom.machine,
              })}
            </p>
            <p className="small">
              {t('capServiceSettings', {
                max: n(v.service.admissionMaxRatePerSec),
                cap: n(v.service.activeSessionCap),
                partitions: n(v.service.partitions),
              })}
            </p>
            <ul className="small" data-testid="cap-assumptions">
              <li>{t('capAssumeUtilisation', { share: n(p.targets.utilisation * 100) })}</li>
              <li>
                {t('capAssumePolls', {
                  poll: n(p.targets.snapshotPollSeconds),
                  heartbeat: n(p.targets.heartbeatSeconds),
                })}
              </li>
              <li>{t('capAssumeBooking')}</li>
              <li>{t('capAssumeVerify')}</li>
              <li>
                {t('capAssumeStorage', {
                  booking: n(p.targets.postgresBytesPerBooking),
                  person: n(p.targets.postgresBytesPerPerson),
                })}
              </li>
              <li>{t('capAssumeRedis', { replicas: n(p.targets.redisReplicas) })}</li>
              <li>{t('capAssumeModel', { share: n(p.targets.drainedShareOfPeak * 100) })}</li>
            </ul>
          </div>
        </>
      )}
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/**
 * Enters the plan in the campaign's waiting room: its opening rate as the planned admission rate and
 * its turnover curve, which ETAs follow over a wait (src/waiting-room/snapshot.ts `turnoverShape`).
 * The message to everyone waiting is kept as it is.
 */
function ApplyPlan(props: { operator: Operator; campaignId: string; ratePerSec: number; turnover: readonly number[] }) {
  const t = useT();
  const [state, setState] = useState<'idle' | 'busy' | 'done'>('idle');
  const [failure, setFailure] = useState<Failure | null>(null);
  const base = `/api/operator/campaigns/${encodeURIComponent(props.campaignId)}/admission/settings`;

  async function apply() {
    setState('busy');
    setFailure(null);
    const current = await opRequest<AdmissionSettingsWire>(base);
    const r = current.ok
      ? await opRequest<AdmissionSettingsWire>(base, {
          method: 'PUT',
          body: {
            plannedRatePerSec: props.ratePerSec,
            plannedTurnoverPerSec: props.turnover.length > 0 ? props.turnover : null,
            message: current.data.message,
          },
        })
      : current;
    setState(r.ok ? 'done' : 'idle');
    if (!r.ok) setFailure(failureOf(r));
  }

  if (props.operator.role !== 'operator') return <p className="hint">{t('capApplyViewer')}</p>;
  return (
    <div className="cap-apply">
      <button type="button" className="button" disabled={state === 'busy'} onClick={() => void apply()}>
        {t('capApply')}
      </button>
      <p className="hint">{t(props.turnover.length > 0 ? 'capApplyHelp' : 'capApplyHelpNoCurve')}</p>
      <div aria-live="polite">
        {state === 'done' && (
          <p className="notice notice-ok" data-testid="cap-applied">
            {t('capApplied')}
          </p>
        )}
        {failure && <FailureNotice failure={failure} />}
      </div>
    </div>
  );
}
