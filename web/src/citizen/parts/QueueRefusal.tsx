/**
 * When the queue turns a person away for good (already booked, another device holds their place,
 * no such campaign, their turn passed): a page of its own — not the waiting frame with its "your
 * place is kept" banner, which would be untrue — saying why, and offering the next step. A retry
 * alone is never the only way out.
 */
import type { Failure } from '../../shared/failure.tsx';
import { FailureNotice } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatInstant } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import { paths } from '../router.ts';

/** Problem codes that end the queue for this person, and get their own page. */
export const FINAL_QUEUE_PROBLEMS = new Set([
  'queue-completed',
  'queue-other-device',
  'queue-not-found',
  'campaign-not-found',
  'queue-place-expired',
]);

export function isFinalQueueFailure(f: Failure): boolean {
  return f.kind === 'problem' && FINAL_QUEUE_PROBLEMS.has(f.problem.code);
}

export function QueueRefusal({ failure, onRejoin }: { failure: Failure; onRejoin(): void }) {
  const t = useT();
  const { lang } = useLang();
  const code = failure.kind === 'problem' ? failure.problem.code : 'network';
  const lockedUntil =
    failure.kind === 'problem' && typeof failure.problem.lockedUntilMs === 'number'
      ? failure.problem.lockedUntilMs
      : null;
  const home = (
    <a className="button" href={`#${paths.home()}`}>
      {t('refusalGoHome')}
    </a>
  );
  let title: string;
  let body: string;
  let actions;
  switch (code) {
    case 'queue-completed':
      title = t('refusalTitleCompleted');
      body = t('refusalCompleted');
      actions = (
        <>
          <a className="button primary" href={`#${paths.bookings()}`}>
            {t('refusalSeeBookings')}
          </a>
          {home}
        </>
      );
      break;
    case 'queue-other-device':
      title = t('refusalTitleOtherDevice');
      body =
        lockedUntil === null
          ? t('refusalOtherDevice')
          : t('refusalOtherDeviceUntil', { until: formatInstant(lockedUntil, lang) });
      actions = (
        <>
          {home}
          <button type="button" className="button" onClick={onRejoin}>
            {t('refusalTryLater')}
          </button>
        </>
      );
      break;
    case 'queue-place-expired':
      title = t('refusalTitleExpired');
      body = failure.kind === 'problem' ? failure.problem.messages[lang] : '';
      actions = (
        <>
          <button type="button" className="button primary" onClick={onRejoin}>
            {t('queueRejoin')}
          </button>
          {home}
        </>
      );
      break;
    default:
      title = t('refusalTitleNoCampaign');
      body = t('refusalNoCampaign');
      actions = home;
  }
  return (
    <section className="queue-refusal" data-refusal={code}>
      <h1 tabIndex={-1}>{title}</h1>
      <div className="card">
        <p role="alert">{body}</p>
        <div className="actions">{actions}</div>
      </div>
      <p className="muted">{t('refusalPhone')}</p>
      {failure.kind === 'network' && <FailureNotice failure={failure} />}
    </section>
  );
}
