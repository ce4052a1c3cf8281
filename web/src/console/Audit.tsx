/**
 * The audit trail with filters (campaign, user, action, Korea-time range), newest first, and the
 * trace of one booking: the admission, queue place, device tag and verification that allowed it.
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, Loading, failureOf, type Failure } from '../shared/failure.tsx';
import { formatStamp, seoulLocalToIso } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useApi } from '../shared/use-api.ts';
import { LABELLED_ACTIONS, useT, type MessageKey } from './messages.ts';
import { opRequest } from './operator-api.ts';
import { BookingTrace } from './BookingTrace.tsx';
import type { AuditActionWire, AuditEntryView } from '../../../src/audit/audit.schemas.ts';

/**
 * The actions to filter by: those the console labels, which must be exactly those the server
 * records. A label for an action the server does not know fails the assignment below; an action
 * the server records without a label fails `labelKey` (both at compile time).
 */
const ACTIONS: readonly AuditActionWire[] = LABELLED_ACTIONS;
const labelKey = (a: AuditActionWire) => `action.${a}` as const satisfies MessageKey;

interface Filters {
  campaignId: string;
  actor: string;
  action: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { campaignId: '', actor: '', action: '', from: '', to: '' };

function queryOf(f: Filters): string {
  const q = new URLSearchParams();
  if (f.campaignId.trim()) q.set('campaignId', f.campaignId.trim());
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.action) q.set('action', f.action);
  const from = f.from ? seoulLocalToIso(f.from) : null;
  const to = f.to ? seoulLocalToIso(f.to) : null;
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  q.set('limit', '200');
  return q.toString();
}

const compact = (v: unknown) => (v === null || v === undefined ? '–' : JSON.stringify(v));

export function Audit() {
  const t = useT();
  const { lang } = useLang();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const list = useApi(
    () => opRequest<{ entries: AuditEntryView[] }>(`/api/operator/audit?${queryOf(filters)}`),
    [filters],
  );
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft });
  };
  const failure: Failure | null = list.loaded.state === 'failed' ? list.loaded.failure : null;
  const entries = list.loaded.state === 'ok' ? list.loaded.data.entries : [];
  const actionName = (a: string) =>
    (ACTIONS as readonly string[]).includes(a) ? t(labelKey(a as AuditActionWire)) : a;

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('auditTitle')}</h1>
      <form className="card audit-filters" onSubmit={search} aria-label={t('auditFilters')}>
        <div className="field row-field">
          <label htmlFor="audit-campaign">{t('auditCampaign')}</label>
          <input id="audit-campaign" value={draft.campaignId} onChange={set('campaignId')} />
          <label htmlFor="audit-actor">{t('auditActor')}</label>
          <input id="audit-actor" value={draft.actor} onChange={set('actor')} />
          <label htmlFor="audit-action">{t('auditAction')}</label>
          <select id="audit-action" value={draft.action} onChange={set('action')}>
            <option value="">{t('auditAnyAction')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionName(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field row-field">
          <label htmlFor="audit-from">{t('auditFrom')}</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
          <label htmlFor="audit-to">{t('auditTo')}</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} />
          <button type="submit" className="button primary">
            {t('auditSearch')}
          </button>
        </div>
      </form>
      {list.loaded.state === 'loading' && <Loading />}
      {failure && <FailureNotice failure={failure} onRetry={() => void list.reload()} />}
      {list.loaded.state === 'ok' && entries.length === 0 && <p className="muted">{t('auditEmpty')}</p>}
      {entries.length > 0 && (
        <div className="card table-scroll" tabIndex={0} role="region" aria-label={t('auditTitle')}>
          <table data-testid="audit-entries">
            <thead>
              <tr>
                <th scope="col">{t('auditAt')}</th>
                <th scope="col">{t('auditWho')}</th>
                <th scope="col">{t('auditWhat')}</th>
                <th scope="col">{t('auditTarget')}</th>
                <th scope="col">{t('auditBefore')}</th>
                <th scope="col">{t('auditAfter')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{formatStamp(e.atMs, lang)}</td>
                  <td>
                    {e.actor} <span className="muted small">({t(`actor${e.actorKind}`)})</span>
                  </td>
                  <td>{actionName(e.action)}</td>
                  <td>{e.target ?? e.campaignId ?? '–'}</td>
                  <td>
                    <code className="small">{compact(e.before)}</code>
                  </td>
                  <td>
                    <code className="small">{compact(e.after)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <BookingTrace />
    </section>
  );
}
