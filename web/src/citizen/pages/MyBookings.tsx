/** Every booking of the verified person, newest first, each leading to its page. */
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatDate } from '../../shared/format.ts';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import { paths } from '../router.ts';
import { redirectForProblem, useSession } from '../session.tsx';
import { useEffect } from 'react';
import type { Session } from '../store.ts';
import { myBookings } from '../booking.ts';
import { NeedVerify } from './NeedVerify.tsx';

function List({ session }: { session: Session }) {
  const t = useT();
  const { lang } = useLang();
  const { setSession } = useSession();
  const { loaded, reload } = useApi(() => myBookings(session), [session]);
  // An expired session is not a "try again": back to verification, which says it expired.
  useEffect(() => {
    if (loaded.state === 'failed' && loaded.failure.kind === 'problem')
      redirectForProblem(loaded.failure.problem, undefined, setSession);
  }, [loaded, setSession]);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />;
  const list = [...loaded.data.bookings].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (list.length === 0) return <p>{t('bookingsNone')}</p>;
  return (
    <ul className="bookings">
      {list.map((b) => (
        <li key={b.bookingNumber} className={`card booking ${b.status}`}>
          <p>
            <a
              href={`#${paths.booking(b.bookingNumber)}`}
              aria-label={t('bookingOpen', { n: b.bookingNumber })}
              className="booking-number"
            >
              {b.bookingNumber}
            </a>{' '}
            <span className={`badge ${b.status}`}>
              {b.status === 'active' ? t('bookingActive') : t('bookingCancelled')}
            </span>
          </p>
          <p>{b.facility ? b.facility.name[lang] : t('facilityGone')}</p>
          <p className="small">
            {t('bookingDose1')} {formatDate(b.dose1.date, lang)} · {t('slotDose2')} {formatDate(b.dose2.date, lang)}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function MyBookings() {
  const t = useT();
  const { session } = useSession();
  if (!session) return <NeedVerify next={paths.bookings()} />;
  return (
    <section>
      <h1 tabIndex={-1}>{t('bookingsTitle')}</h1>
      <List session={session} />
    </section>
  );
}
