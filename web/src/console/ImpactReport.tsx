/** The diff of a rule change in people: who gains, loses or moves eligibility, by birth year and rotation digit. */
import { useLang } from '../shared/i18n.tsx';
import { formatDate, formatInstant, formatNumber } from '../shared/format.ts';
import { useT } from './messages.ts';
import type { ImpactView } from '../../../src/operator/review.schemas.ts';

const MAX_ROWS = 120;

export function ImpactReport({ impact }: { impact: ImpactView }) {
  const t = useT();
  const { lang } = useLang();
  const n = (v: number) => formatNumber(v, lang);
  const when = (ms: number | null) => (ms === null ? '–' : formatInstant(ms, lang));
  const rows = impact.groups.slice(0, MAX_ROWS);
  return (
    <div className="card" data-testid="impact">
      <h2>
        {t('impactTitle', { id: impact.campaignId, version: impact.newVersion, live: impact.liveVersion ?? '–' })}
      </h2>
      {impact.isStale && (
        <p className="notice notice-error" role="alert">
          {t('impactStale')}
        </p>
      )}
      <p className="muted">{t('impactPopulation', { n: n(impact.population) })}</p>
      <ul className="impact-totals">
        <li data-testid="impact-gains">{t('impactGains', { n: n(impact.totals.gains) })}</li>
        <li data-testid="impact-loses">{t('impactLoses', { n: n(impact.totals.loses) })}</li>
        <li data-testid="impact-moves">{t('impactMoves', { n: n(impact.totals.moves) })}</li>
        <li>{t('impactUnchanged', { n: n(impact.totals.unchanged) })}</li>
      </ul>
      {impact.groups.length === 0 ? (
        <p>{t('impactNone')}</p>
      ) : (
        <div
          className="table-scroll"
          tabIndex={0}
          role="region"
          aria-label={t('impactTitle', {
            id: impact.campaignId,
            version: impact.newVersion,
            live: impact.liveVersion ?? '–',
          })}
        >
          <table data-testid="impact-groups">
            <thead>
              <tr>
                <th scope="col">{t('impactKind')}</th>
                <th scope="col" className="num">
                  {t('impactYear')}
                </th>
                <th scope="col" className="num">
                  {t('impactDigit')}
                </th>
                <th scope="col" className="num">
                  {t('impactPeople')}
                </th>
                <th scope="col">{t('impactBefore')}</th>
                <th scope="col">{t('impactAfter')}</th>
                <th scope="col">{t('impactSamples')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr
                  key={`${g.kind}-${g.birthYear}-${g.birthDayDigit}-${g.firstOpensAtMsBefore}-${g.firstOpensAtMsAfter}`}
                >
                  <td>{t(`kind${g.kind}`)}</td>
                  <td className="num">{g.birthYear}</td>
                  <td className="num">{g.birthDayDigit}</td>
                  <td className="num">{n(g.people)}</td>
                  <td>{when(g.firstOpensAtMsBefore)}</td>
                  <td>{when(g.firstOpensAtMsAfter)}</td>
                  <td>{g.sampleBirthDates.map((d) => formatDate(d, lang)).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {impact.groups.length > MAX_ROWS && (
            <p className="muted small">{t('impactMore', { n: impact.groups.length - MAX_ROWS })}</p>
          )}
        </div>
      )}
    </div>
  );
}
