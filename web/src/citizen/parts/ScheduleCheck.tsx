/**
 * "When can I book?" by birth date alone: public information, no identity and no queue, so
 * people need not join a queue to learn they are not due yet (2021: told at 6 am after a night).
 */
import { useState, type FormEvent } from 'react';
import { apiRequest } from '../../shared/api.ts';
import { FailureNotice, Loading, type Failure } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatDate, formatInstant } from '../../shared/format.ts';
import { useT } from '../messages.ts';
import type { Campaign, Opening } from '../campaigns.ts';
import { orderedAnswer } from '../schedule-order.ts';
import { navigate, paths } from '../router.ts';
import { useSession } from '../session.tsx';

/** Accepts 1968-05-05, 1968.5.5, 19680505. */
export function normalizeBirthDate(input: string): string | null {
  const digits = input.trim().replace(/[.\s/]/g, '-');
  const m = /^(\d{4})-?(\d{1,2})-?(\d{1,2})$/.exec(digits);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

type Answer = { birthDate: string; rows: ReturnType<typeof orderedAnswer> };

export function ScheduleCheck({ campaigns }: { campaigns: Campaign[] }) {
  const t = useT();
  const { lang } = useLang();
  const { session } = useSession();
  const [input, setInput] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);

  async function check(e?: FormEvent) {
    e?.preventDefault();
    const birthDate = normalizeBirthDate(input);
    setInvalid(birthDate === null);
    if (!birthDate) return;
    setBusy(true);
    setFailure(null);
    const results = await Promise.all(
      campaigns.map((c) =>
        apiRequest<{ openings: Opening[] }>(
          `/api/campaigns/${encodeURIComponent(c.id)}/schedule?birthDate=${birthDate}`,
        ),
      ),
    );
    setBusy(false);
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) {
      setFailure(failed.kind === 'network' ? { kind: 'network' } : { kind: 'problem', problem: failed.problem });
      return;
    }
    const rows = campaigns
      .map((campaign, i) => ({ campaign, openings: (results[i] as { data: { openings: Opening[] } }).data.openings }))
      .filter((r) => r.openings.length > 0);
    setAnswer({ birthDate, rows: orderedAnswer(rows, Date.now()) });
  }

  return (
    <section aria-labelledby="check-title" className="card">
      <h2 id="check-title">{t('checkTitle')}</h2>
      <form onSubmit={check} className="inline-form" noValidate>
        <div className="field">
          <label htmlFor="birth-date">{t('checkBirthDate')}</label>
          <input
            id="birth-date"
            name="birthDate"
            inputMode="numeric"
            autoComplete="bday"
            placeholder="YYYY-MM-DD"
            aria-describedby="birth-date-hint"
            aria-invalid={invalid || undefined}
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
          <p id="birth-date-hint" className="hint">
            {invalid ? <span className="field-error">{t('checkInvalidDate')}</span> : t('checkBirthDateHint')}
          </p>
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          {t('checkSubmit')}
        </button>
      </form>
      {busy && <Loading />}
      {failure && <FailureNotice failure={failure} onRetry={() => void check()} />}
      <div aria-live="polite" id="schedule-answer">
        {answer &&
          !busy &&
          (answer.rows.length === 0 ? (
            <p>{t('checkNone', { date: formatDate(answer.birthDate, lang) })}</p>
          ) : (
            <>
              <h3>{t('checkResult', { date: formatDate(answer.birthDate, lang) })}</h3>
              <ul className="schedule">
                {answer.rows.map(({ campaign, openings }) => (
                  <li key={campaign.id}>
                    <strong>{campaign.name[lang]}</strong>
                    <ul>
                      {openings.map((o) => (
                        <li key={o.phaseId + o.opensAt} className={o.state} data-opening-state={o.state}>
                          <span className={`opening-state ${o.state}`}>
                            {o.state === 'open'
                              ? t('checkOpenNow')
                              : o.state === 'closed'
                                ? t('checkClosed')
                                : t('checkUpcoming')}
                          </span>
                          {o.label[lang]}: {formatInstant(o.opensAt, lang)} – {formatInstant(o.closesAt, lang)}
                          {o.state === 'open' && (
                            <>
                              {' '}
                              <button
                                type="button"
                                className="button primary small"
                                onClick={() =>
                                  navigate(session ? paths.queue(campaign.id) : paths.verify(paths.queue(campaign.id)))
                                }
                              >
                                {t('checkBookNow')}
                              </button>
                            </>
                          )}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </>
          ))}
      </div>
    </section>
  );
}
