/**
 * Rule changes waiting for review: each version's impact against the live rules, approval by an
 * approver who did not write it, and publishing now or at a Korea-time instant, each asked first.
 * The server enforces every rule shown here; the page only explains it before the click.
 */
import { useEffect, useState } from 'react';
import { FailureNotice, Loading, failureOf, type Failure } from '../shared/failure.tsx';
import { formatInstant, formatStamp, seoulLocalToIso } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useApi } from '../shared/use-api.ts';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import { ConfirmButton } from './Confirm.tsx';
import { ImpactReport } from './ImpactReport.tsx';
import type { ImpactView, ReviewView } from '../../../src/operator/review.schemas.ts';

type Done = { key: 'approved' | 'published' | 'scheduled' | 'withdrawn'; id: string; version: number; at?: string };

export function Reviews({ operator }: { operator: Operator }) {
  const t = useT();
  const { lang } = useLang();
  const list = useApi(() => opRequest<{ reviews: ReviewView[] }>('/api/operator/reviews'), []);
  const reviews = list.loaded.state === 'ok' ? list.loaded.data.reviews : [];
  const [selected, setSelected] = useState<{ id: string; version: number } | null>(null);
  const [impact, setImpact] = useState<ImpactView | null>(null);
  const [publishAt, setPublishAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const review = impact?.review;

  async function loadImpact(id: string, version: number) {
    setSelected({ id, version });
    setFailure(null);
    const r = await opRequest<ImpactView>(`/api/operator/reviews/${encodeURIComponent(id)}/${version}/impact`);
    if (r.ok) setImpact(r.data);
    else {
      setImpact(null);
      setFailure(failureOf(r));
    }
  }
  useEffect(() => {
    if (!selected && reviews[0]) void loadImpact(reviews[0].campaignId, reviews[0].version);
  }, [reviews, selected]);

  async function act(step: 'approve' | 'publish' | 'withdraw') {
    if (!review) return;
    setBusy(true);
    setDone(null);
    setFailure(null);
    const atIso = step === 'publish' && publishAt ? seoulLocalToIso(publishAt) : null;
    const path = `/api/operator/reviews/${encodeURIComponent(review.campaignId)}/${review.version}/${step}`;
    const r = await opRequest<ReviewView>(path, {
      method: 'POST',
      body: step === 'publish' ? (atIso ? { at: atIso } : {}) : undefined,
    });
    setBusy(false);
    if (!r.ok) {
      setFailure(failureOf(r));
      return;
    }
    const key =
      step === 'approve'
        ? 'approved'
        : step === 'withdraw'
          ? 'withdrawn'
          : r.data.state === 'published'
            ? 'published'
            : 'scheduled';
    setDone({
      key,
      id: r.data.campaignId,
      version: r.data.version,
      ...(r.data.publishAtMs ? { at: formatInstant(r.data.publishAtMs, lang) } : {}),
    });
    await list.reload(true);
    await loadImpact(r.data.campaignId, r.data.version);
  }

  const isAuthor = review?.author === operator.username;
  const mayApprove = operator.role === 'approver' && !isAuthor;
  const atIso = publishAt ? seoulLocalToIso(publishAt) : null;
  const vars = review
    ? { id: review.campaignId, version: review.version, at: atIso ? formatInstant(atIso, lang) : '' }
    : { id: '', version: 0, at: '' };

  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">{t('reviewsTitle')}</h1>
      {list.loaded.state === 'loading' && <Loading />}
      {list.loaded.state === 'failed' && (
        <FailureNotice failure={list.loaded.failure} onRetry={() => void list.reload()} />
      )}
      {list.loaded.state === 'ok' && reviews.length === 0 && <p className="muted">{t('reviewsEmpty')}</p>}
      {reviews.length > 0 && (
        <div className="card table-scroll" tabIndex={0} role="region" aria-label={t('reviewsTitle')}>
          <table data-testid="reviews">
            <thead>
              <tr>
                <th scope="col">{t('reviewCampaign')}</th>
                <th scope="col" className="num">
                  {t('reviewVersion')}
                </th>
                <th scope="col">{t('reviewState')}</th>
                <th scope="col">{t('reviewAuthor')}</th>
                <th scope="col">{t('reviewSubmitted')}</th>
                <th scope="col">{t('reviewApprover')}</th>
                <th scope="col">{t('reviewPublishAt')}</th>
                <th scope="col">
                  <span className="sr-only">{t('showImpact')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r) => (
                <tr
                  key={`${r.campaignId}@${r.version}`}
                  aria-current={selected?.id === r.campaignId && selected.version === r.version ? 'true' : undefined}
                >
                  <td>{r.campaignId}</td>
                  <td className="num">{r.version}</td>
                  <td>{t(`state${r.state}`)}</td>
                  <td>{r.author}</td>
                  <td>{formatStamp(r.submittedAtMs, lang)}</td>
                  <td>{r.approver ?? '–'}</td>
                  <td>{r.publishAtMs ? formatStamp(r.publishAtMs, lang) : '–'}</td>
                  <td>
                    <button type="button" className="button" onClick={() => void loadImpact(r.campaignId, r.version)}>
                      {t('showImpact')}{' '}
                      <span className="sr-only">
                        {r.campaignId} v{r.version}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div aria-live="polite">
        {done && (
          <p className="notice notice-ok" role="status" data-testid="review-done">
            {t(done.key, { id: done.id, version: done.version, at: done.at ?? '' })}
          </p>
        )}
        {failure && <FailureNotice failure={failure} />}
      </div>
      {impact && review && (
        <>
          <div className="card review-actions">
            <p>
              <strong>
                {review.campaignId} v{review.version}
              </strong>{' '}
              · {t(`state${review.state}`)} · {t('reviewAuthor')} {review.author}
            </p>
            {review.state === 'pending' && (
              <div className="actions">
                <button
                  type="button"
                  className="button primary"
                  disabled={busy || !mayApprove}
                  onClick={() => void act('approve')}
                >
                  {t('approve')}
                </button>
                {isAuthor && (
                  <p className="hint" data-testid="approve-own">
                    {t('approveOwn')}
                  </p>
                )}
                {!isAuthor && operator.role !== 'approver' && <p className="hint">{t('approveNeedsRole')}</p>}
              </div>
            )}
            {review.state === 'approved' && (
              <div className="field row-field">
                <label htmlFor="publish-at">{t('publishAt')}</label>
                <input
                  id="publish-at"
                  type="datetime-local"
                  value={publishAt}
                  onChange={(e) => setPublishAt(e.target.value)}
                />
                <ConfirmButton
                  className="button primary"
                  disabled={busy || operator.role === 'viewer'}
                  label={atIso ? t('publishScheduled') : t('publishNow')}
                  question={atIso ? t('confirmPublishAt', vars) : t('confirmPublishNow', vars)}
                  confirmLabel={t('confirmPublishYes')}
                  onConfirm={() => void act('publish')}
                />
              </div>
            )}
            {(review.state === 'pending' || review.state === 'approved') && (
              <button
                type="button"
                className="button"
                disabled={busy || operator.role === 'viewer'}
                onClick={() => void act('withdraw')}
              >
                {t('withdraw')}
              </button>
            )}
          </div>
          <ImpactReport impact={impact} />
        </>
      )}
    </section>
  );
}
