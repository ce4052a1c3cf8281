/** Each campaign's cohorts and booking windows, current rounds first, past rounds folded away. */
import { useLang } from '../../shared/i18n.tsx';
import { formatDate, formatInstant } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import { isCurrent, type Campaign, type Phase } from '../campaigns.ts';
import { navigate, paths } from '../router.ts';
import { useSession } from '../session.tsx';

function PhaseLine({ phase }: { phase: Phase }) {
  const t = useT();
  const { lang } = useLang();
  const when =
    phase.kind === 'window'
      ? t('phaseWindow', { opens: formatInstant(phase.opensAt, lang), closes: formatInstant(phase.closesAt, lang) })
      : t('phaseRotation', {
          first: formatDate(phase.firstDay, lang),
          days: phase.days,
          opens: phase.opensAtLocal,
          closes: phase.closesAtLocalNextDay,
        });
  const born =
    phase.bornFrom && phase.bornTo
      ? ` · ${t('phaseBorn', { from: formatDate(phase.bornFrom, lang), to: formatDate(phase.bornTo, lang) })}`
      : '';
  return (
    <li>
      <strong>{phase.label[lang]}</strong>: {when}
      {born}
    </li>
  );
}

function CampaignCard({ campaign, bookable }: { campaign: Campaign; bookable: boolean }) {
  const t = useT();
  const { lang } = useLang();
  const { session } = useSession();
  const headingId = `campaign-${campaign.id}`;
  const start = () => navigate(session ? paths.queue(campaign.id) : paths.verify(paths.queue(campaign.id)));
  return (
    <article className="card campaign" aria-labelledby={headingId}>
      <h3 id={headingId}>{campaign.name[lang]}</h3>
      <ul className="plain">
        {campaign.cohorts.map((c) => (
          <li key={c.id}>
            {t('campaignCohort', {
              from: formatDate(c.bornFrom, lang),
              to: formatDate(c.bornTo, lang),
              vaccine: c.vaccine.name[lang],
              days: c.vaccine.doseIntervalDays,
            })}
          </li>
        ))}
      </ul>
      <ul className="phases">
        {campaign.phases.map((p) => (
          <PhaseLine key={p.id} phase={p} />
        ))}
      </ul>
      <p className="muted">{campaign.proxyBooking === 'allowed' ? t('proxyAllowed') : t('proxyBanned')}</p>
      {bookable && (
        <button type="button" className="button primary" onClick={start}>
          {t('bookThis', { name: campaign.name[lang] })}
        </button>
      )}
    </article>
  );
}

export function CampaignList({ campaigns }: { campaigns: Campaign[] }) {
  const { lang } = useLang();
  const current = campaigns.filter((c) => isCurrent(c));
  const past = campaigns.filter((c) => !isCurrent(c));
  return (
    <>
      {current.map((c) => (
        <CampaignCard key={c.id} campaign={c} bookable />
      ))}
      {past.length > 0 && (
        <details className="past">
          <summary>{lang === 'ko' ? `지난 사전예약 ${past.length}건` : `${past.length} past rounds`}</summary>
          {past.map((c) => (
            <CampaignCard key={c.id} campaign={c} bookable={false} />
          ))}
        </details>
      )}
    </>
  );
}
