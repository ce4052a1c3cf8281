/**
 * After admission: the person's eligibility in plain words (server time decides), then the slot
 * search and booking. An admission problem sends them back to the queue page, whose ticket still
 * holds their place; any other problem is shown here with what to do next.
 */
import { useEffect } from 'react';
import { apiRequest } from '../../shared/api.ts';
import type { EligibilityWire } from '../../../../src/booking/booking.schemas.ts';
import { FailureNotice, Loading } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { useApi } from '../../shared/use-api.ts';
import { useT } from '../messages.ts';
import { navigate, paths } from '../router.ts';
import { redirectForProblem, useSession } from '../session.tsx';
import { citizenHeaders, saveTicket, type Session } from '../store.ts';
import { SlotPicker } from '../parts/SlotPicker.tsx';
import { NeedVerify } from './NeedVerify.tsx';
import { AdmissionTimeLeft } from '../parts/QueueInfo.tsx';

function Booking({ campaignId, session }: { campaignId: string; session: Session }) {
  const t = useT();
  const { lang } = useLang();
  const { setSession } = useSession();
  const { loaded, reload } = useApi(
    () =>
      apiRequest<EligibilityWire>(`/api/campaigns/${encodeURIComponent(campaignId)}/eligibility`, {
        headers: citizenHeaders(session, campaignId),
      }),
    [campaignId, session],
  );
  const problem = loaded.state === 'failed' && loaded.failure.kind === 'problem' ? loaded.failure.problem : null;
  // The admission was spent on a booking (Back from the confirmation): say so and lead to it.
  const isUsed = problem?.code === 'admission-used';
  const redirected =
    problem !== null && !isUsed && (problem.code === 'unauthenticated' || problem.code.startsWith('admission-'));
  useEffect(() => {
    if (loaded.state === 'failed' && loaded.failure.kind === 'problem')
      redirectForProblem(loaded.failure.problem, campaignId, setSession);
  }, [loaded, campaignId, setSession]);

  return (
    <section>
      <h1 tabIndex={-1}>{t('bookTitle')}</h1>
      <AdmissionTimeLeft campaignId={campaignId} />
      {loaded.state === 'loading' && <Loading label={t('eligibilityChecking')} />}
      {loaded.state === 'failed' && !redirected && !isUsed && (
        <FailureNotice failure={loaded.failure} onRetry={() => void reload()} />
      )}
      {isUsed && (
        <div className="notice notice-ok" data-problem="admission-used">
          <p className="notice-title">{t('backToBookingTitle')}</p>
          <p>{t('refusalCompleted')}</p>
          <a className="button primary" href={`#${paths.bookings()}`}>
            {t('refusalSeeBookings')}
          </a>
        </div>
      )}
      {loaded.state === 'ok' && (
        <div
          className={`notice ${loaded.data.status === 'eligible' ? 'notice-ok' : 'notice-warn'}`}
          data-eligibility={loaded.data.status}
        >
          <p>{loaded.data.message[lang]}</p>
          {loaded.data.status === 'already-booked' && (
            <a className="button" href="#/bookings">
              {t('navBookings')}
            </a>
          )}
        </div>
      )}
      {loaded.state === 'ok' && loaded.data.status === 'eligible' && (
        <SlotPicker
          campaignId={campaignId}
          session={session}
          mode={{ kind: 'book' }}
          onDone={(b) => {
            saveTicket(campaignId, session, null);
            // Replace: Back from the confirmation leads before the booking, not to a spent booking page.
            navigate(paths.booking(b.bookingNumber, 'new'), { replace: true });
          }}
        />
      )}
    </section>
  );
}

export function Book({ campaignId }: { campaignId: string }) {
  const { session } = useSession();
  if (!session) return <NeedVerify next={paths.book(campaignId)} />;
  return <Booking campaignId={campaignId} session={session} />;
}
