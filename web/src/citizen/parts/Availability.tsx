/**
 * Free places per province before queueing, so nobody waits 90 minutes to read "no appointments
 * left" (Ontario, May 2021). Public and refreshed every 15 s.
 */
import { useEffect, useState } from 'react';
import { apiRequest } from '../../shared/api.ts';
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatNumber } from '../../shared/format.ts';
import { provinceName } from '../../shared/regions.ts';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import type { Campaign } from '../campaigns.ts';
import type { RegionSeatsWire } from '../../../../src/campaigns/campaign.schemas.ts';

type RegionSeats = RegionSeatsWire;
const REFRESH_MS = 15_000;

export function Availability({ campaigns }: { campaigns: Campaign[] }) {
  const t = useT();
  const { lang } = useLang();
  const [campaignId, setCampaignId] = useState(campaigns[0]?.id ?? '');
  const { loaded, reload } = useApi(
    campaignId
      ? () => apiRequest<{ regions: RegionSeats[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/availability`)
      : null,
    [campaignId],
  );
  useEffect(() => {
    const id = window.setInterval(() => void reload(true), REFRESH_MS);
    return () => window.clearInterval(id);
  }, [reload]);
  if (campaigns.length === 0) return null;
  const regions = loaded.state === 'ok' ? loaded.data.regions : [];
  const total = regions.reduce((s, r) => ({ free: s.free + r.free, capacity: s.capacity + r.capacity }), {
    free: 0,
    capacity: 0,
  });

  return (
    <section aria-labelledby="availability-title" className="card">
      <h2 id="availability-title">{t('availabilityTitle')}</h2>
      <p className="muted">{t('availabilityIntro')}</p>
      {campaigns.length > 1 && (
        <div className="field">
          <label htmlFor="availability-campaign">{t('availabilityCampaign')}</label>
          <select id="availability-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name[lang]}
              </option>
            ))}
          </select>
        </div>
      )}
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />}
      {loaded.state === 'ok' && (
        <table className="seats">
          <thead>
            <tr>
              <th scope="col">{t('availabilityRegion')}</th>
              <th scope="col">{t('availabilityFree')}</th>
              <th scope="col" className="bar-col">
                <span className="sr-only">{t('availabilityCapacity')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {regions.map((r) => (
              <tr key={r.regionCode} data-region={r.regionCode}>
                <th scope="row">{provinceName(r.regionCode, lang)}</th>
                <td className="num">
                  {r.free > 0
                    ? `${formatNumber(r.free, lang)} / ${formatNumber(r.capacity, lang)}`
                    : t('availabilityNone')}
                </td>
                <td className="bar-col" aria-hidden="true">
                  <span className="bar">
                    <span style={{ width: `${r.capacity > 0 ? Math.round((100 * r.free) / r.capacity) : 0}%` }} />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('availabilityTotal')}</th>
              <td className="num">
                {formatNumber(total.free, lang)} / {formatNumber(total.capacity, lang)}
              </td>
              <td className="bar-col" />
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
