/**
 * For the verified caller: their bookings (change, cancel with confirmation) and a slot search
 * that books through the phone lane or moves a booking. Every call carries the caller's
 * verification (`x-caller-session`) and, for a booking, one idempotency key per chosen slot, so a
 * repeated press books once.
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { formatDate } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useApi } from '../shared/use-api.ts';
import { PROVINCE_OPTIONS } from '../shared/regions.ts';
import { useAgentT } from './agent-messages.ts';
import { opRequest } from './operator-api.ts';
import { ConfirmButton } from './Confirm.tsx';
import type { Static } from '@sinclair/typebox';
import type { BookingViewSchema, SlotSchema } from '../../../src/booking/booking.schemas.ts';

type BookingView = Static<typeof BookingViewSchema>;
type Slot = Static<typeof SlotSchema>;

export function AgentBookings(p: { campaignId: string; callerToken: string; onAction(): void }) {
  const t = useAgentT();
  const { lang } = useLang();
  const caller = { 'x-caller-session': p.callerToken };
  const [version, setVersion] = useState(0);
  const bookings = useApi(
    () => opRequest<{ bookings: BookingView[] }>('/api/agent/bookings', { headers: caller }),
    [p.callerToken, version],
  );
  const [changing, setChanging] = useState<string | null>(null);
  const [region, setRegion] = useState('');
  const [date, setDate] = useState('');
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [alternatives, setAlternatives] = useState<Slot[]>([]);
  const [keys] = useState(() => new Map<number, string>());
  const keyFor = (slotId: number) => {
    if (!keys.has(slotId)) keys.set(slotId, crypto.randomUUID());
    return keys.get(slotId)!;
  };
  const facilityName = (s: { nameKo: string; nameEn: string }) => (lang === 'ko' ? s.nameKo : s.nameEn);

  function afterAction(message: string) {
    setDone(message);
    setSlots(null);
    setAlternatives([]);
    setChanging(null);
    setVersion((v) => v + 1);
    p.onAction();
  }

  async function search(e?: FormEvent) {
    e?.preventDefault();
    setFailure(null);
    const q = new URLSearchParams({ limit: '20' });
    if (region) q.set('region', region);
    if (date) q.set('date', date);
    const path = changing
      ? `/api/agent/bookings/${encodeURIComponent(changing)}/slots?${q}`
      : `/api/agent/campaigns/${encodeURIComponent(p.campaignId)}/slots?${q}`;
    const r = await opRequest<{ slots: Slot[] }>(path, { headers: caller });
    if (r.ok) setSlots(r.data.slots);
    else setFailure(failureOf(r));
  }

  async function choose(s: Slot) {
    setFailure(null);
    setDone(null);
    if (changing) {
      const r = await opRequest<BookingView>(`/api/agent/bookings/${encodeURIComponent(changing)}`, {
        method: 'PATCH',
        headers: caller,
        body: { slotId: s.slotId },
      });
      if (r.ok) afterAction(t('changed', { number: r.data.bookingNumber, date: formatDate(r.data.dose1.date, lang) }));
      else setFailure(failureOf(r));
      return;
    }
    const r = await opRequest<BookingView>(`/api/agent/campaigns/${encodeURIComponent(p.campaignId)}/bookings`, {
      method: 'POST',
      headers: { ...caller, 'idempotency-key': keyFor(s.slotId) },
      body: { slotId: s.slotId },
    });
    if (r.ok)
      afterAction(
        t('booked', {
          number: r.data.bookingNumber,
          facility: r.data.facility?.name[lang] ?? '',
          date: formatDate(r.data.dose1.date, lang),
        }),
      );
    else {
      const f = failureOf(r);
      setFailure(f);
      const alt = f?.kind === 'problem' ? f.problem.alternatives : undefined;
      setAlternatives(Array.isArray(alt) ? (alt as Slot[]) : []);
      p.onAction();
    }
  }

  async function cancel(number: string) {
    setFailure(null);
    setDone(null);
    const r = await opRequest<BookingView>(`/api/agent/bookings/${encodeURIComponent(number)}`, {
      method: 'DELETE',
      headers: caller,
    });
    if (r.ok) afterAction(t('cancelled', { number }));
    else setFailure(failureOf(r));
  }

  const list = bookings.loaded.state === 'ok' ? bookings.loaded.data.bookings : [];
  return (
    <>
      <div className="card" aria-labelledby="caller-bookings-title">
        <h2 id="caller-bookings-title">{t('bookingsTitle')}</h2>
        {bookings.loaded.state === 'failed' && <FailureNotice failure={bookings.loaded.failure} />}
        {bookings.loaded.state === 'ok' && list.length === 0 && <p className="muted">{t('noBookings')}</p>}
        {list.length > 0 && (
          <table data-testid="caller-bookings">
            <thead>
              <tr>
                <th scope="col">{t('bookingNumber')}</th>
                <th scope="col">{t('facility')}</th>
                <th scope="col">{t('dose1')}</th>
                <th scope="col">{t('dose2')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.bookingNumber}>
                  <td>{b.bookingNumber}</td>
                  <td>{b.facility?.name[lang] ?? '–'}</td>
                  <td>{formatDate(b.dose1.date, lang)}</td>
                  <td>{formatDate(b.dose2.date, lang)}</td>
                  <td>{b.status === 'active' ? t('statusActive') : t('statusCancelled')}</td>
                  <td>
                    {b.status === 'active' && (
                      <span className="actions">
                        <button type="button" className="button" onClick={() => setChanging(b.bookingNumber)}>
                          {t('change')}
                        </button>
                        <ConfirmButton
                          className="button danger"
                          label={t('cancel')}
                          question={t('cancelQuestion', { number: b.bookingNumber })}
                          confirmLabel={t('cancelYes')}
                          onConfirm={() => void cancel(b.bookingNumber)}
                        />
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="card" aria-labelledby="slot-search-title">
        <h2 id="slot-search-title">{changing ? t('changeSearchTitle', { number: changing }) : t('searchTitle')}</h2>
        <form className="field row-field" onSubmit={search}>
          <label htmlFor="agent-region">{t('region')}</label>
          <select id="agent-region" value={region} onChange={(e) => setRegion(e.target.value)}>
            <option value="">{t('anyRegion')}</option>
            {PROVINCE_OPTIONS.map((r) => (
              <option key={r.code} value={r.code}>
                {r[lang]}
              </option>
            ))}
          </select>
          <label htmlFor="agent-date">{t('date')}</label>
          <input id="agent-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
          <button type="submit" className="button primary">
            {t('search')}
          </button>
          {changing && (
            <button type="button" className="button" onClick={() => setChanging(null)}>
              {t('stopChange')}
            </button>
          )}
        </form>
        <div aria-live="polite">
          {done && (
            <p className="notice notice-ok" data-testid="agent-done">
              {done}
            </p>
          )}
          {failure && <FailureNotice failure={failure} />}
        </div>
        {alternatives.length > 0 && (
          <SlotTable title={t('alternatives')} slots={alternatives} onChoose={choose} label={t('book')} />
        )}
        {slots && slots.length === 0 && <p className="muted">{t('noSlots')}</p>}
        {slots && slots.length > 0 && (
          <SlotTable
            slots={slots}
            onChoose={choose}
            label={changing ? t('changeTo') : t('book')}
            facilityName={facilityName}
          />
        )}
      </div>
    </>
  );
}

function SlotTable(p: {
  title?: string;
  slots: Slot[];
  label: string;
  onChoose(s: Slot): void;
  facilityName?: (s: Slot) => string;
}) {
  const t = useAgentT();
  const { lang } = useLang();
  const name = p.facilityName ?? ((s: Slot) => (lang === 'ko' ? s.nameKo : s.nameEn));
  return (
    <table data-testid="agent-slots">
      {p.title && <caption>{p.title}</caption>}
      <thead>
        <tr>
          <th scope="col">{t('facility')}</th>
          <th scope="col">{t('date')}</th>
          <th scope="col">{t('free')}</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {p.slots.map((s) => (
          <tr key={s.slotId}>
            <td>
              {name(s)} <span className="muted small">{s.address}</span>
            </td>
            <td>{formatDate(s.date, lang)}</td>
            <td>{s.free}</td>
            <td>
              <button
                type="button"
                className="button"
                aria-label={`${p.label}: ${t('bookSlot', { facility: name(s), date: formatDate(s.date, lang) })}`}
                onClick={() => p.onChoose(s)}
              >
                {p.label}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
