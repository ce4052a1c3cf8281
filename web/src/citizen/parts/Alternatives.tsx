/**
 * What a slot-full refusal offers instead (the same facility on other dates, nearby facilities on
 * the same date), each booked with one tap as "the earliest free seat at that facility from that
 * date": the server picks and takes it in one step, so the tap is not lost to the same race. Each
 * offer keeps one idempotency key, so tapping again after a network failure cannot book twice.
 */
import { useRef, useState } from 'react';
import { randomId } from '../../shared/api.ts';
import { FailureNotice, failureOf, type Failure } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatDate } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import { redirectForProblem, useSession } from '../session.tsx';
import type { Session } from '../store.ts';
import { placeEarliestBooking, type BookingView, type Slot } from '../booking.ts';

export function Alternatives({
  slots,
  session,
  campaignId,
  onDone,
}: {
  slots: Slot[];
  session: Session;
  campaignId: string;
  onDone(b: BookingView): void;
}) {
  const t = useT();
  const { lang } = useLang();
  const { setSession } = useSession();
  const keys = useRef(new Map<number, string>());
  const [busy, setBusy] = useState<number | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  if (slots.length === 0) return null;

  async function book(slot: Slot) {
    const key = keys.current.get(slot.slotId) ?? randomId();
    keys.current.set(slot.slotId, key);
    setBusy(slot.slotId);
    setFailure(null);
    const r = await placeEarliestBooking(
      session,
      campaignId,
      { facilityId: slot.facilityId, fromDate: slot.date },
      key,
    );
    setBusy(null);
    if (r.ok) {
      onDone(r.data);
      return;
    }
    if (r.kind === 'problem' && redirectForProblem(r.problem, campaignId, setSession)) return;
    setFailure(failureOf(r));
  }

  return (
    <section className="alternatives" aria-labelledby="alternatives-title">
      <h2 id="alternatives-title">{t('altTitle')}</h2>
      <p className="muted small">{t('altHint')}</p>
      {failure && <FailureNotice failure={failure} />}
      <ul className="slots">
        {slots.map((s) => {
          const name = lang === 'ko' ? s.nameKo : s.nameEn;
          return (
            <li key={s.slotId} className="slot card" data-alternative-slot-id={s.slotId}>
              <button type="button" className="button primary" disabled={busy !== null} onClick={() => void book(s)}>
                {busy === s.slotId ? t('altWorking') : t('altBook', { name, date: formatDate(s.date, lang) })}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
