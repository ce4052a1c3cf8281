/** Change a booking's date or facility: the same search, then PATCH; dose 2 moves with dose 1. */
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatDate } from '../../shared/format.ts';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import { navigate, paths } from '../router.ts';
import { useSession } from '../session.tsx';
import type { Session } from '../store.ts';
import { getBooking } from '../booking.ts';
import { SlotPicker } from '../parts/SlotPicker.tsx';
import { NeedVerify } from './NeedVerify.tsx';

function Change({ bookingNumber, session }: { bookingNumber: string; session: Session }) {
  const t = useT();
  const { lang } = useLang();
  const { loaded, reload } = useApi(() => getBooking(session, bookingNumber), [bookingNumber, session]);
  return (
    <section>
      <h1 tabIndex={-1}>{t('changeTitle')}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />}
      {loaded.state === 'ok' && (
        <>
          <p className="notice">
            {t('changeCurrent', {
              facility: loaded.data.facility ? loaded.data.facility.name[lang] : t('facilityGone'),
              date: formatDate(loaded.data.dose1.date, lang),
            })}
          </p>
          <SlotPicker
            campaignId={loaded.data.campaignId}
            session={session}
            mode={{ kind: 'change', bookingNumber }}
            onDone={(b) => navigate(paths.booking(b.bookingNumber, 'changed'))}
          />
        </>
      )}
    </section>
  );
}

export function ChangeBooking({ bookingNumber }: { bookingNumber: string }) {
  const { session } = useSession();
  if (!session) return <NeedVerify next={paths.change(bookingNumber)} />;
  return <Change bookingNumber={bookingNumber} session={session} />;
}
