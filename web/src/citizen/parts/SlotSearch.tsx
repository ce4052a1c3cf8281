/** Facility search by province, district and dose-1 date; lists what is free for this person. */
import { useState, type FormEvent } from 'react';
import { useLang } from '../../shared/i18n.tsx';
import { addDays, formatDate, formatNumber, seoulToday } from '../../shared/format.ts';
import { PROVINCE_OPTIONS, districtName, provinceName } from '../../shared/regions.ts';
import { useT } from '../messages.ts';
import { vaccineName } from '../campaigns.ts';
import type { Slot, SlotFilters, SlotSearch } from '../booking.ts';

export function SearchForm({
  initial,
  busy,
  onSearch,
}: {
  initial: SlotFilters;
  busy: boolean;
  onSearch(f: SlotFilters): void;
}) {
  const t = useT();
  const { lang } = useLang();
  const [f, setF] = useState(initial);
  const districts = PROVINCE_OPTIONS.find((p) => p.code === f.region)?.districts ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(f);
  };
  return (
    <form className="card form search-form" onSubmit={submit} role="search">
      <div className="field">
        <label htmlFor="search-region">{t('searchRegion')}</label>
        <select
          id="search-region"
          value={f.region}
          onChange={(e) => setF({ ...f, region: e.target.value, district: '' })}
        >
          <option value="">{t('searchAllRegions')}</option>
          {PROVINCE_OPTIONS.map((p) => (
            <option key={p.code} value={p.code}>
              {p[lang]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="search-district">{t('searchDistrict')}</label>
        <select
          id="search-district"
          value={f.district}
          disabled={!f.region}
          onChange={(e) => setF({ ...f, district: e.target.value })}
        >
          <option value="">{t('searchAllDistricts')}</option>
          {districts.map((d) => (
            <option key={d.code} value={d.code}>
              {d[lang]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="search-date">{t('searchDate')}</label>
        <input
          id="search-date"
          type="date"
          min={addDays(seoulToday(), 1)}
          value={f.date}
          aria-describedby="search-date-hint"
          onChange={(e) => setF({ ...f, date: e.target.value })}
        />
        <p id="search-date-hint" className="hint">
          {t('searchDateHint')}
        </p>
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {t('searchSubmit')}
      </button>
    </form>
  );
}

export function SlotList({ result, onChoose }: { result: SlotSearch; onChoose(slot: Slot): void }) {
  const t = useT();
  const { lang } = useLang();
  if (result.slots.length === 0) return <p className="notice notice-warn">{t('searchNone')}</p>;
  return (
    <>
      <p className="muted" role="status">
        {t('searchResults', { n: formatNumber(result.slots.length, lang) })}
      </p>
      <ul className="slots">
        {result.slots.map((s) => {
          const name = lang === 'ko' ? s.nameKo : s.nameEn;
          return (
            <li key={s.slotId} className="slot card" data-slot-id={s.slotId}>
              <div className="slot-main">
                <p className="slot-name">{name}</p>
                <p className="muted small">
                  {provinceName(s.regionCode, lang)} {districtName(s.districtCode, lang)} ·{' '}
                  {lang === 'en' && s.addressEn ? s.addressEn : s.address}
                </p>
                <p className="slot-dates">
                  <span>
                    {t('slotDose1')} <strong>{formatDate(s.date, lang)}</strong>
                  </span>
                  <span>
                    {t('slotDose2')} {formatDate(addDays(s.date, result.doseIntervalDays), lang)}
                  </span>
                </p>
                <p className="small">
                  {vaccineName(s.vaccineCode, lang)} · {t('slotFree', { n: formatNumber(s.free, lang) })}
                </p>
              </div>
              <button
                type="button"
                className="button"
                aria-label={t('slotChooseLabel', { name, date: formatDate(s.date, lang) })}
                onClick={() => onChoose(s)}
              >
                {t('slotChoose')}
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}
