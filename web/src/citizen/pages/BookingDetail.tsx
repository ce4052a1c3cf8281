/**
 * One booking: the confirmation page right after booking (booking number, both doses) and the
 * place to change or cancel it. "Confirmed" is shown only from the server's stored booking.
 */
import { useEffect, useState } from 'react';
import { FailureNotice, Loading, failureOf, type Failure } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatDate, formatInstant } from '../../shared/format.ts';
import { provinceName } from '../../shared/regions.ts';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import { vaccineName } from '../campaigns.ts';
import { paths } from '../router.ts';
import { redirectForProblem, useSession } from '../session.tsx';
import type { Session } from '../store.ts';
import { cancelBooking, getBooking, type BookingView } from '../booking.ts';
import { apiRequest } from '../../shared/api.ts';
import { isCurrent, type Campaign } from '../campaigns.ts';
import { dropTicket } from '../queue.ts';
import { navigate } from '../router.ts';
import { NeedVerify } from './NeedVerify.tsx';

export function BookingFacts({ b }: { b: BookingView }) {
  const t = useT();
  const { lang } = useLang();
  return (
    <dl className="facts">
      <dt>{t('bookingNumber')}</dt>
      <dd className="booking-number" data-testid="booking-number">
        {b.bookingNumber}
      </dd>
      <dt>{t('bookingStatus')}</dt>
      <dd data-testid="booking-status">{b.status === 'active' ? t('bookingActive') : t('bookingCancelled')}</dd>
      <dt>{t('confirmFacility')}</dt>
      <dd>
        {b.facility ? (
          <>
            {b.facility.name[lang]} <span className="muted small">({provinceName(b.facility.regionCode, lang)})</span>
          </>
        ) : (
          t('facilityGone')
        )}
      </dd>
      <dt>{t('bookingAddress')}</dt>
      <dd data-testid="facility-address">
        {b.facility ? (lang === 'en' && b.facility.addressEn ? b.facility.addressEn : b.facility.address) : '–'}
      </dd>
      <dt>{t('confirmVaccine')}</dt>
      <dd>{vaccineName(b.vaccineCode, lang)}</dd>
      <dt>{t('bookingDose1')}</dt>
      <dd data-testid="dose1">{formatDate(b.dose1.date, lang)}</dd>
      <dt>{t('bookingDose2')}</dt>
      <dd data-testid="dose2">{formatDate(b.dose2.date, lang)}</dd>
      <dt>{t('bookingCreated')}</dt>
      <dd>{formatInstant(b.createdAt, lang)}</dd>
    </dl>
  );
}

function CancelControl({
  b,
  session,
  onCancelled,
}: {
  b: BookingView;
  session: Session;
  onCancelled(b: BookingView): void;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  async function cancel() {
    setBusy(true);
    setFailure(null);
    const r = await cancelBooking(session, b.bookingNumber);
    setBusy(false);
    if (r.ok) {
      setAsking(false);
      onCancelled(r.data);
    } else setFailure(failureOf(r));
  }
  if (!asking)
    return (
      <button type="button" className="button danger" onClick={() => setAsking(true)}>
        {t('bookingCancel')}
      </button>
    );
  return (
    <div className="notice notice-warn" role="group" aria-labelledby="cancel-question">
      <p id="cancel-question">{t('bookingCancelConfirmAgain')}</p>
      {failure && <FailureNotice failure={failure} />}
      <div className="actions">
        <button type="button" className="button danger" disabled={busy} autoFocus onClick={() => void cancel()}>
          {t('bookingCancelYes')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setAsking(false)}>
          {t('bookingCancelNo')}
        </button>
      </div>
    </div>
  );
}

function Detail({
  bookingNumber,
  note,
  session,
}: {
  bookingNumber: string;
  note: 'new' | 'changed' | null;
  session: Session;
}) {
  const t = useT();
  const { setSession } = useSession();
  const { loaded, reload, setLoaded } = useApi(() => getBooking(session, bookingNumber), [bookingNumber, session]);
  useEffect(() => {
    if (loaded.state === 'failed' && loaded.failure.kind === 'problem')
      redirectForProblem(loaded.failure.problem, undefined, setSession);
  }, [loaded, setSession]);
  const b = loaded.state === 'ok' ? loaded.data : null;
  const title = !b
    ? t('bookingTitle')
    : b.status === 'cancelled'
      ? t('bookingCancelledTitle')
      : note === 'new'
        ? t('bookingDoneTitle')
        : note === 'changed'
          ? t('bookingChangedTitle')
          : t('bookingTitle');
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />}
      {b && (
        <div className={`card booking ${b.status}`}>
          <BookingFacts b={b} />
          {b.status === 'active' && <p className="muted">{t('bookingNotice')}</p>}
          {b.status === 'active' && (
            <div className="actions">
              <a className="button" href={`#${paths.change(b.bookingNumber)}`}>
                {t('bookingChange')}
              </a>
              <CancelControl b={b} session={session} onCancelled={(c) => setLoaded({ state: 'ok', data: c })} />
            </div>
          )}
        </div>
      )}
      {b && b.status === 'cancelled' && !b.isProxy && <BookAgain campaignId={b.campaignId} session={session} />}
      <p>
        <a href="#/bookings">{t('bookingAll')}</a>
      </p>
    </section>
  );
}

/**
 * After cancelling their own booking, a person may book again while the campaign is open: the
 * queue takes them anew, at the back (the server reopened their place when the cancel committed).
 */
function BookAgain({ campaignId, session }: { campaignId: string; session: Session }) {
  const t = useT();
  const { loaded } = useApi(() => apiRequest<{ campaigns: Campaign[] }>('/api/campaigns'), []);
  const campaign = loaded.state === 'ok' ? loaded.data.campaigns.find((c) => c.id === campaignId) : undefined;
  if (!campaign || !isCurrent(campaign)) return null;
  return (
    <div className="card book-again">
      <p>{t('bookingBookAgainHint')}</p>
      <button
        type="button"
        className="button primary"
        onClick={() => {
          dropTicket(campaignId, session);
          navigate(paths.queue(campaignId));
        }}
      >
        {t('bookingBookAgain')}
      </button>
    </div>
  );
}

export function BookingDetail({ bookingNumber, note }: { bookingNumber: string; note: 'new' | 'changed' | null }) {
  const { session } = useSession();
  if (!session) return <NeedVerify next={paths.booking(bookingNumber)} />;
  return <Detail bookingNumber={bookingNumber} note={note} session={session} />;
}
