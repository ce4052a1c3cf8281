/**
 * What makes the wait bearable (issue 14): which campaign this is, a countdown to the opening, the
 * entry estimate as a Korea-time clock with its band in plain words, what the operators say, seats
 * left (and when more open once they run out), the queue reference to quote on the phone, and how
 * long an admission lasts. Times use the server's clock (the snapshot's offset), not the phone's.
 */
import { useEffect, useState } from 'react';
import { apiRequest } from '../../shared/api.ts';
import { useLang, type Lang } from '../../shared/i18n.tsx';
import { formatClock, formatInstant, formatNumber } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import type { Campaign } from '../campaigns.ts';
import type { QueueStatus, RoomView } from '../queue.ts';
import { isSeatBound } from '../queue-position.ts';
import { loadAdmission } from '../store.ts';

/** The current time, re-rendered every `everyMs`. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "12분 34초", "1시간 2분" / "12 min 34 s", "1 h 2 min". */
export function formatCountdown(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (lang === 'ko') return h > 0 ? `${h}시간 ${m}분` : m > 0 ? `${m}분 ${s}초` : `${s}초`;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function CampaignName({ campaignId }: { campaignId: string }) {
  const { lang } = useLang();
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  useEffect(() => {
    let stopped = false;
    void apiRequest<{ campaigns: Campaign[] }>('/api/campaigns').then((r) => {
      if (!stopped && r.ok) setCampaign(r.data.campaigns.find((c) => c.id === campaignId) ?? null);
    });
    return () => {
      stopped = true;
    };
  }, [campaignId]);
  // Until the name arrives its line is kept (empty), so the page below does not move when it does.
  if (!campaign)
    return (
      <p className="campaign-name" aria-hidden="true">
        {'\u00a0'}
      </p>
    );
  return (
    <p className="campaign-name" data-testid="queue-campaign">
      {campaign.name[lang]}
    </p>
  );
}

export function KeepOpen() {
  const t = useT();
  return (
    <p className="keep-open" data-testid="queue-keep-open">
      {t('queueKeepOpen')}
    </p>
  );
}

export function Countdown({ opensAt, room }: { opensAt: string; room: RoomView | null }) {
  const t = useT();
  const { lang } = useLang();
  const now = useNow() + (room?.clockOffsetMs ?? 0);
  const left = Date.parse(opensAt) - now;
  return (
    <p className="countdown" data-testid="queue-countdown" aria-live="off">
      {left > 0 ? t('queueCountdown', { left: formatCountdown(left, lang) }) : t('queueCountdownSoon')}
    </p>
  );
}

/** Paused, the operator's message, sold out (and when more seats open), seats left. */
export function RoomNotices({ room }: { room: RoomView | null }) {
  const t = useT();
  const { lang } = useLang();
  if (!room) return null;
  const s = room.snapshot;
  const isSoldOut = s.seatsLeft === 0;
  return (
    <>
      {s.isPaused && !isSoldOut && (
        <div className="notice notice-warn" role="status" data-testid="queue-paused">
          <p>{t('queuePaused')}</p>
        </div>
      )}
      {isSoldOut && (
        <div className="notice notice-warn" role="status" data-testid="queue-sold-out">
          <p>{t('queueSoldOut')}</p>
          <p>
            {s.nextSeatsAtMs === null
              ? t('queueSoldOutNoNext')
              : t('queueSoldOutNext', { at: formatInstant(s.nextSeatsAtMs, lang) })}
          </p>
        </div>
      )}
      {s.message && (
        <div className="notice operator-message" role="status" data-testid="queue-message">
          <p className="small muted">{t('queueOperatorMessage')}</p>
          <p lang={lang}>{s.message[lang]}</p>
        </div>
      )}
      {s.seatsLeft !== null && !isSoldOut && (
        <p className="seats-left" data-testid="queue-seats-left">
          {t('queueSeatsLeft', { n: formatNumber(s.seatsLeft, lang) })}
        </p>
      )}
    </>
  );
}

/** The entry estimate as a Korea-time clock and its band in plain words. */
export function EntryEstimate({ status, room }: { status: QueueStatus; room: RoomView | null }) {
  const t = useT();
  const { lang } = useLang();
  const eta = status.eta;
  const isStopped = !!room && (room.snapshot.isPaused || room.snapshot.seatsLeft === 0);
  if (isStopped)
    return (
      <p className="eta" data-testid="queue-eta">
        {t('queuePausedNoEta')}
      </p>
    );
  if (room && status.ahead !== null && isSeatBound(status.ahead, room.snapshot))
    return (
      <p className="eta" data-testid="queue-eta-seats-held">
        {t('queueSeatsHeld', { n: formatNumber(room.snapshot.seatsLeft ?? 0, lang) })}
      </p>
    );
  if (!eta)
    return (
      <p className="eta" data-testid="queue-eta">
        {t('queueEntryUnknown')}
      </p>
    );
  // The estimate counts from when the status was worked out: about now, by the server's clock.
  const now = Date.now() + (room?.clockOffsetMs ?? 0);
  const at = (seconds: number) => formatClock(now + seconds * 1000, lang);
  return (
    <div className="eta" data-testid="queue-eta">
      <p className="entry-at" data-testid="queue-entry-time">
        {t('queueEntryAt', { at: at(eta.seconds) })}
      </p>
      <p className="small">
        {eta.highSeconds === null
          ? t('queueEntryBandOpen', { low: at(eta.lowSeconds) })
          : t('queueEntryBand', { low: at(eta.lowSeconds), high: at(eta.highSeconds) })}
      </p>
      {eta.isFromPlan && (
        <p className="small muted" data-testid="queue-eta-from-plan">
          {t('queueEntryFromPlan')}
        </p>
      )}
    </div>
  );
}

export function QueueReference({ reference }: { reference: string | null | undefined }) {
  const t = useT();
  return (
    <div className="queue-reference" data-testid="queue-reference">
      {reference ? (
        <>
          <p className="small">
            {t('queueReference')}: <strong className="reference">{reference}</strong>
          </p>
          <p className="small muted">{t('queueReferenceHelp')}</p>
        </>
      ) : (
        <p className="small muted">{t('queueReferenceLater')}</p>
      )}
    </div>
  );
}

export function AdmissionLasts({ room }: { room: RoomView | null }) {
  const t = useT();
  if (!room) return null;
  return (
    <p className="small" data-testid="queue-admission-lasts">
      {t('queueAdmissionLasts', { min: Math.round(room.snapshot.admissionTtlMs / 60_000) })}
    </p>
  );
}

/** On the booking pages: how long the admission has left (it ends at its expiry, by the server). */
export function AdmissionTimeLeft({ campaignId }: { campaignId: string }) {
  const t = useT();
  const { lang } = useLang();
  const now = useNow();
  const admission = loadAdmission(campaignId);
  if (!admission) return null;
  const left = Date.parse(admission.expiresAt) - now;
  return (
    <p
      className={`admission-left notice ${left > 60_000 ? 'notice-ok' : 'notice-warn'}`}
      data-testid="admission-time-left"
      role="timer"
      aria-live="off"
    >
      {left > 0 ? t('admissionTimeLeft', { left: formatCountdown(left, lang) }) : t('admissionTimeUp')}
    </p>
  );
}
