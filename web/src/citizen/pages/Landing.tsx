/** The front page: schedules, "when can I book?", free places by region — all without identity. */
import { apiRequest } from '../../shared/api.ts';
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import { isCurrent, type Campaign } from '../campaigns.ts';
import { CampaignList } from '../parts/CampaignList.tsx';
import { ScheduleCheck } from '../parts/ScheduleCheck.tsx';
import { Availability } from '../parts/Availability.tsx';

export function Landing() {
  const t = useT();
  const { loaded, reload } = useApi(() => apiRequest<{ campaigns: Campaign[] }>('/api/campaigns'), []);
  const campaigns = loaded.state === 'ok' ? loaded.data.campaigns : [];
  return (
    <>
      <h1 tabIndex={-1}>{t('landingTitle')}</h1>
      <p className="lead">{t('landingIntro')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />}
      {loaded.state === 'ok' && (
        <>
          <ScheduleCheck campaigns={campaigns} />
          <section aria-labelledby="campaigns-title">
            <h2 id="campaigns-title">{t('campaignsTitle')}</h2>
            <CampaignList campaigns={campaigns} />
          </section>
          <Availability campaigns={campaigns.filter((c) => isCurrent(c))} />
        </>
      )}
    </>
  );
}
