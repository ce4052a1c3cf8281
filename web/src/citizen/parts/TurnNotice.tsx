/**
 * "Text me when it is my turn" on the queue page (issue 14): shown only when the campaign offers it.
 * Asked once when the page shows a waiting place (never per poll); the buttons ask for or withdraw
 * the message. The phone number is the one the person verified with: it is not asked here.
 */
import { useEffect, useState } from 'react';
import { apiRequest } from '../../shared/api.ts';
import { FailureNotice, failureOf, type Failure } from '../../shared/failure.tsx';
import type { TurnNoticeWire } from '../../../../src/waiting-room/turn-notice.schemas.ts';
import { useT } from '../messages.ts';
import { citizenHeaders, loadTicket, type Session } from '../store.ts';

export function TurnNotice({ campaignId, session }: { campaignId: string; session: Session }) {
  const t = useT();
  const [notice, setNotice] = useState<TurnNoticeWire | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function call(method: 'GET' | 'PUT' | 'DELETE') {
    const ticket = loadTicket(campaignId, session);
    if (!ticket) return;
    setBusy(true);
    const r = await apiRequest<TurnNoticeWire>(`/api/campaigns/${encodeURIComponent(campaignId)}/queue/notice`, {
      method,
      headers: { ...citizenHeaders(session), 'x-queue-ticket': ticket },
    });
    setBusy(false);
    if (r.ok) {
      setNotice(r.data);
      setFailure(null);
    } else if (method !== 'GET') setFailure(failureOf(r));
  }

  useEffect(() => {
    void call('GET');
    // Once per campaign and person: the place's ticket does not change what is asked.
  }, [campaignId, session.sessionToken]);

  if (!notice?.isAvailable) return null;
  return (
    <div className="card turn-notice" data-testid="turn-notice" data-state={notice.state}>
      <h2>{t('turnNoticeTitle')}</h2>
      {notice.state === 'none' && (
        <>
          <p>{t('turnNoticeIntro')}</p>
          <button type="button" className="button primary" disabled={busy} onClick={() => void call('PUT')}>
            {t('turnNoticeAsk')}
          </button>
        </>
      )}
      {notice.state === 'pending' && (
        <>
          <p role="status">{t('turnNoticePending')}</p>
          <button type="button" className="button" disabled={busy} onClick={() => void call('DELETE')}>
            {t('turnNoticeCancel')}
          </button>
        </>
      )}
      {notice.state === 'sent' && <p role="status">{t('turnNoticeSent')}</p>}
      {failure && <FailureNotice failure={failure} />}
    </div>
  );
}
