/**
 * The waiting room as the person sees it: a position that visibly moves, how many are ahead and
 * behind, an ETA with its honest band, a progress bar, when it last checked, and the promise that
 * a reload keeps the place. Screen readers hear the position at most every 15 s (not every poll).
 */
import { useEffect, useRef, useState } from 'react';
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useLang, type Lang } from '../../shared/i18n.tsx';
import { formatDuration, formatInstant, formatMinutes, formatNumber, formatTime } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import { dropTicket, useQueue, type QueueStatus, type RoomView } from '../queue.ts';
import {
  AdmissionLasts,
  CampaignName,
  Countdown,
  EntryEstimate,
  KeepOpen,
  QueueReference,
  RoomNotices,
} from '../parts/QueueInfo.tsx';
import { navigate, paths } from '../router.ts';
import { useSession } from '../session.tsx';
import type { Session } from '../store.ts';
import { NeedVerify } from './NeedVerify.tsx';
import { isFinalQueueFailure, QueueRefusal } from '../parts/QueueRefusal.tsx';
import { TurnNotice } from '../parts/TurnNotice.tsx';

const ANNOUNCE_EVERY_MS = 15_000;

function useThrottledAnnouncement(text: string, key: string): string {
  const [said, setSaid] = useState(text);
  const last = useRef({ atMs: 0, key: '' });
  useEffect(() => {
    const now = Date.now();
    if (key !== last.current.key || now - last.current.atMs >= ANNOUNCE_EVERY_MS) {
      last.current = { atMs: now, key };
      setSaid(text);
    }
  }, [text, key]);
  return said;
}

/**
 * The ETA and its band as measured: a band with no upper end (admission stalled within the last
 * minute) says so instead of inventing one; no measured rate means no ETA at all.
 */
function etaText(status: QueueStatus, t: ReturnType<typeof useT>, lang: Lang): string {
  const eta = status.eta;
  if (!eta) return t('queueEtaUnknown');
  const mid = formatDuration(eta.seconds, lang);
  const low = formatMinutes(eta.lowSeconds);
  if (eta.highSeconds === null) return t('queueEtaOpenEnded', { mid, low });
  return t('queueEta', { mid, low, high: Math.max(low, 1, formatMinutes(eta.highSeconds)) });
}

function Waiting({ status, room }: { status: QueueStatus; room: RoomView | null }) {
  const t = useT();
  const { lang } = useLang();
  const n = (v: number | null) => (v === null ? '–' : formatNumber(v, lang));
  const percent = status.progress === null ? null : Math.round(Math.min(1, Math.max(0, status.progress)) * 100);
  return (
    <div className="queue-numbers">
      <p className="position-label" id="position-label">
        {t('queuePosition')}
      </p>
      <p className="position" aria-labelledby="position-label" data-testid="queue-position">
        {status.position === null ? '–' : t('queuePositionValue', { n: n(status.position) })}
      </p>
      <p className="ahead-behind">
        <span data-testid="queue-ahead">{t('queueAhead', { n: n(status.ahead) })}</span> ·{' '}
        <span data-testid="queue-behind">{t('queueBehind', { n: n(status.behind) })}</span>
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-label={t('queueProgress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? undefined : `${percent}%`}
      >
        <span
          className={percent === null ? 'indeterminate' : undefined}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
      {percent !== null && (
        <p className="small progress-value" data-testid="queue-progress">
          {t('queueProgressValue', { n: percent })}
        </p>
      )}
      <EntryEstimate status={status} room={room} />
      <p className="sr-only">{etaText(status, t, lang)}</p>
      <QueueReference reference={status.reference} />
    </div>
  );
}

function StatusBody({ status, campaignId, room }: { status: QueueStatus; campaignId: string; room: RoomView | null }) {
  const t = useT();
  const { lang } = useLang();
  switch (status.state) {
    case 'pre-opening':
      return (
        <div className="pre-opening">
          <p className="big">
            {status.opensAt ? t('queuePreOpens', { opens: formatInstant(status.opensAt, lang) }) : t('queuePreTitle')}
          </p>
          {status.opensAt && <Countdown opensAt={status.opensAt} room={room} />}
          <p>{t('queuePreFair')}</p>
          <AdmissionLasts room={room} />
        </div>
      );
    case 'waiting':
      return <Waiting status={status} room={room} />;
    case 'admitted':
      return (
        <div className="notice notice-ok">
          <p>{t('queueAdmitted')}</p>
          <AdmissionLasts room={room} />
          <button type="button" className="button primary" onClick={() => navigate(paths.book(campaignId))}>
            {t('queueContinue')}
          </button>
        </div>
      );
  }
}

function QueueRoom({ campaignId, session }: { campaignId: string; session: Session }) {
  const t = useT();
  const { lang } = useLang();
  const [attempt, setAttempt] = useState(0);
  const view = useQueue(campaignId, session, attempt);
  const rejoin = () => {
    dropTicket(campaignId, session);
    setAttempt((a) => a + 1);
  };
  const status = view.phase === 'status' ? view.status : null;
  const announcement = useThrottledAnnouncement(
    status?.state === 'waiting' && status.position !== null
      ? t('queueAnnounce', { n: formatNumber(status.position, lang), ahead: formatNumber(status.ahead ?? 0, lang) })
      : '',
    `${status?.state ?? view.phase}`,
  );
  // A refusal that ends the wait gets its own page, outside the "your place is kept" frame.
  if (view.phase === 'failed' && isFinalQueueFailure(view.failure))
    return <QueueRefusal failure={view.failure} onRejoin={rejoin} />;
  return (
    <section>
      <h1 tabIndex={-1}>{status?.state === 'pre-opening' ? t('queuePreTitle') : t('queueTitle')}</h1>
      <CampaignName campaignId={campaignId} />
      <p className="keep-place" data-testid="keep-place">
        {t('queueKeepsPlace')}
      </p>
      {view.phase !== 'failed' && <KeepOpen />}
      {view.phase === 'status' && <RoomNotices room={view.room} />}
      <div className="card queue-card" data-state={status?.state ?? view.phase}>
        {view.phase === 'joining' && <Loading label={t('queueJoining')} />}
        {view.phase === 'failed' && (
          <FailureNotice failure={view.failure}>
            <p>
              <button type="button" className="button" onClick={rejoin}>
                {t('queueRejoin')}
              </button>
            </p>
          </FailureNotice>
        )}
        {view.phase === 'status' && <StatusBody status={view.status} campaignId={campaignId} room={view.room} />}
        {view.phase !== 'failed' && view.connection !== undefined && view.connection !== 'ok' && (
          <p className="notice notice-warn" role="status">
            {view.connection === 'offline'
              ? t('queueOffline')
              : view.phase === 'joining'
                ? t('queueJoinBusy')
                : t('queueBusy')}
          </p>
        )}
        {view.phase === 'status' && (
          <p className="muted small">{t('queueLastChecked', { time: formatTime(view.checkedAtMs, lang) })}</p>
        )}
      </div>
      {status?.state === 'waiting' && <TurnNotice campaignId={campaignId} session={session} />}
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </section>
  );
}

export function Queue({ campaignId }: { campaignId: string }) {
  const { session } = useSession();
  if (!session) return <NeedVerify next={paths.queue(campaignId)} />;
  return <QueueRoom campaignId={campaignId} session={session} />;
}
