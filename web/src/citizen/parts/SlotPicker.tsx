/**
 * Search → choose → confirm, for a new booking or a change. The confirmation dialog owns one
 * idempotency key per attempt: a retry after a network failure sends the same key, so it cannot
 * book twice. A slot that filled meanwhile says so, the list is refreshed, and the free slots the
 * refusal carries are offered: one tap books one (that date, or the next free one at that facility).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { randomId, type ApiResult } from '../../shared/api.ts';
import { FailureNotice, Loading, failureOf, type Failure } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { addDays, formatDate } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import { vaccineName } from '../campaigns.ts';
import { redirectForProblem, useSession } from '../session.tsx';
import type { Session } from '../store.ts';
import { Alternatives } from './Alternatives.tsx';
import {
  alternativesOf,
  changeBooking,
  placeBooking,
  searchChangeSlots,
  searchSlots,
  type BookingView,
  type Slot,
  type SlotFilters,
  type SlotSearch,
} from '../booking.ts';
import { SearchForm, SlotList } from './SlotSearch.tsx';

export type PickerMode = { kind: 'book' } | { kind: 'change'; bookingNumber: string };

const FULL = new Set(['slot-full', 'dose2-unavailable', 'slot-not-found']);

function ConfirmDialog({
  slot,
  intervalDays,
  mode,
  session,
  campaignId,
  onClose,
  onDone,
  onTaken,
}: {
  slot: Slot;
  intervalDays: number;
  mode: PickerMode;
  session: Session;
  campaignId: string;
  onClose(): void;
  onDone(b: BookingView): void;
  onTaken(f: Failure): void;
}) {
  const t = useT();
  const { lang } = useLang();
  const { setSession } = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const idempotencyKey = useRef(randomId());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  async function confirm() {
    setBusy(true);
    setFailure(null);
    const r: ApiResult<BookingView> =
      mode.kind === 'book'
        ? await placeBooking(session, campaignId, slot.slotId, idempotencyKey.current)
        : await changeBooking(session, mode.bookingNumber, slot.slotId);
    setBusy(false);
    if (r.ok) {
      onDone(r.data);
      return;
    }
    if (r.kind === 'problem' && redirectForProblem(r.problem, campaignId, setSession)) return;
    if (r.kind === 'problem' && FULL.has(r.problem.code)) {
      onTaken(failureOf(r)!);
      return;
    }
    setFailure(failureOf(r));
  }

  const name = lang === 'ko' ? slot.nameKo : slot.nameEn;
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onClose={onClose}>
      <h2 id="confirm-title">{t('confirmTitle')}</h2>
      <dl className="facts">
        <dt>{t('confirmFacility')}</dt>
        <dd>
          {name}
          <br />
          <span className="small muted">{lang === 'en' && slot.addressEn ? slot.addressEn : slot.address}</span>
        </dd>
        <dt>{t('bookingDose1')}</dt>
        <dd>{formatDate(slot.date, lang)}</dd>
        <dt>{t('bookingDose2')}</dt>
        <dd>{formatDate(addDays(slot.date, intervalDays), lang)}</dd>
        <dt>{t('confirmVaccine')}</dt>
        <dd>{vaccineName(slot.vaccineCode, lang)}</dd>
      </dl>
      {failure && (
        <FailureNotice failure={failure}>{mode.kind === 'book' && <p>{t('confirmRetrySafe')}</p>}</FailureNotice>
      )}
      <div className="actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => void confirm()}>
          {busy ? t('confirmWorking') : mode.kind === 'book' ? t('confirmSubmit') : t('confirmChange')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => ref.current?.close()}>
          {t('confirmBack')}
        </button>
      </div>
    </dialog>
  );
}

export function SlotPicker({
  campaignId,
  session,
  mode,
  onDone,
}: {
  campaignId: string;
  session: Session;
  mode: PickerMode;
  onDone(b: BookingView): void;
}) {
  const t = useT();
  const { setSession } = useSession();
  const [filters, setFilters] = useState<SlotFilters>({ region: '', district: '', date: '' });
  const [result, setResult] = useState<SlotSearch | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [notice, setNotice] = useState<Failure | null>(null);
  const [chosen, setChosen] = useState<Slot | null>(null);
  /** The booking being changed (a primitive, so the search callback stays stable across renders). */
  const changing = mode.kind === 'change' ? mode.bookingNumber : null;

  const search = useCallback(
    async (f: SlotFilters) => {
      setFilters(f);
      setBusy(true);
      setFailure(null);
      const r =
        changing === null ? await searchSlots(session, campaignId, f) : await searchChangeSlots(session, changing, f);
      setBusy(false);
      if (r.ok) {
        setResult(r.data);
        return;
      }
      if (r.kind === 'problem' && redirectForProblem(r.problem, campaignId, setSession)) return;
      setFailure(failureOf(r));
    },
    [session, campaignId, setSession, changing],
  );

  useEffect(() => {
    void search({ region: '', district: '', date: '' });
  }, [search]);

  return (
    <>
      <SearchForm
        initial={filters}
        busy={busy}
        onSearch={(f) => {
          setNotice(null);
          void search(f);
        }}
      />
      <div className="results" aria-busy={busy}>
        {notice && (
          <FailureNotice failure={notice}>
            <p>{t('slotTaken')}</p>
          </FailureNotice>
        )}
        {notice?.kind === 'problem' && mode.kind === 'book' && (
          <Alternatives
            slots={alternativesOf(notice.problem)}
            session={session}
            campaignId={campaignId}
            onDone={onDone}
          />
        )}
        {busy && <Loading />}
        {failure && <FailureNotice failure={failure} onRetry={() => void search(filters)} />}
        {!busy && result && <SlotList result={result} onChoose={setChosen} />}
      </div>
      {chosen && result && (
        <ConfirmDialog
          slot={chosen}
          intervalDays={result.doseIntervalDays}
          mode={mode}
          session={session}
          campaignId={campaignId}
          onClose={() => setChosen(null)}
          onDone={onDone}
          onTaken={(f) => {
            setChosen(null);
            setNotice(f);
            void search(filters);
          }}
        />
      )}
    </>
  );
}
