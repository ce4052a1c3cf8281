/**
 * The call-centre agent's page (issue 15 item 4): choose the campaign, verify the caller through
 * an identity provider, then book, change or cancel for them (AgentBookings.tsx); the phone lane's
 * state and the agent's own audit entries are shown beside, and a caller's queue reference can be
 * looked up (AgentReferenceLookup.tsx). The caller's verification is kept in
 * this page's memory only and dropped with "End call".
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { formatStamp } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useApi } from '../shared/use-api.ts';
import { apiRequest } from '../shared/api.ts';
import { useAgentT } from './agent-messages.ts';
import { useT } from './messages.ts';
import { opRequest } from './operator-api.ts';
import { AgentBookings } from './AgentBookings.tsx';
import { AgentReferenceLookup } from './AgentReferenceLookup.tsx';
import type { CallerVerifiedWire, LaneStatusWire } from '../../../src/agents/agent.schemas.ts';
import type { AuditEntryView } from '../../../src/audit/audit.schemas.ts';
import { useCampaignChoice } from './use-campaign-choice.ts';

interface Provider {
  id: string;
  name: { ko: string; en: string };
}
interface CampaignItem {
  id: string;
  name: { ko: string; en: string };
}

export function Agent() {
  const t = useAgentT();
  const { lang } = useLang();
  const campaigns = useApi(() => apiRequest<{ campaigns: CampaignItem[] }>('/api/campaigns'), []);
  const providers = useApi(() => apiRequest<{ providers: Provider[] }>('/api/identity/providers'), []);
  const list = campaigns.loaded.state === 'ok' ? campaigns.loaded.data.campaigns : [];
  const [campaignId, setCampaignId] = useCampaignChoice(list);
  const [caller, setCaller] = useState<CallerVerifiedWire | null>(null);
  const [trailVersion, setTrailVersion] = useState(0);
  const acted = () => setTrailVersion((v) => v + 1);

  return (
    <section aria-labelledby="agent-title" className="agent">
      <h1 id="agent-title">{t('agentTitle')}</h1>
      <p className="muted">{t('agentIntro')}</p>
      <div className="card field row-field">
        <label htmlFor="agent-campaign">{t('campaign')}</label>
        <select id="agent-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
          {list.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name[lang]} ({c.id})
            </option>
          ))}
        </select>
        {campaignId && <LaneLine campaignId={campaignId} version={trailVersion} />}
      </div>
      <div className="agent-columns">
        <div>
          {campaignId && <AgentReferenceLookup key={campaignId} campaignId={campaignId} onLookup={acted} />}
          <CallerCard
            providers={providers.loaded.state === 'ok' ? providers.loaded.data.providers : []}
            caller={caller}
            onVerified={(c) => {
              setCaller(c);
              acted();
            }}
            onEnd={() => setCaller(null)}
          />
          {caller && campaignId && (
            <AgentBookings
              key={caller.callerToken}
              campaignId={campaignId}
              callerToken={caller.callerToken}
              onAction={acted}
            />
          )}
        </div>
        <Trail version={trailVersion} />
      </div>
    </section>
  );
}

function LaneLine({ campaignId, version }: { campaignId: string; version: number }) {
  const t = useAgentT();
  const lane = useApi(
    () => opRequest<LaneStatusWire>(`/api/agent/campaigns/${encodeURIComponent(campaignId)}/lane`),
    [campaignId, version],
  );
  if (lane.loaded.state !== 'ok') return null;
  const s = lane.loaded.data;
  const note =
    !s.quota || s.quota.sharePercent === 0
      ? t('laneClosedNote')
      : s.isPaused
        ? t('lanePausedNote')
        : !s.isOpen
          ? t('laneNotOpenNote')
          : t('laneOpen', {
              used: s.allowance.usedInWindow,
              perWindow: s.allowance.perWindow,
              share: s.quota.sharePercent,
            });
  return (
    <span data-testid="agent-lane" className="muted">
      {note}
    </span>
  );
}

function CallerCard(p: {
  providers: Provider[];
  caller: CallerVerifiedWire | null;
  onVerified(c: CallerVerifiedWire): void;
  onEnd(): void;
}) {
  const t = useAgentT();
  const { lang } = useLang();
  const [providerId, setProviderId] = useState('');
  const [name, setName] = useState('');
  const [rrn, setRrn] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const chosen = providerId || p.providers[0]?.id || '';
  const providerName = (id: string) => p.providers.find((x) => x.id === id)?.name[lang] ?? id;

  async function verify(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const r = await opRequest<CallerVerifiedWire>('/api/agent/callers/verify', {
      method: 'POST',
      body: { providerId: chosen, name: name.trim(), rrn: rrn.trim() },
    });
    setBusy(false);
    setRrn('');
    if (r.ok) p.onVerified(r.data);
    else setFailure(failureOf(r));
  }

  if (p.caller)
    return (
      <div className="card" aria-labelledby="caller-title">
        <h2 id="caller-title">{t('callerTitle')}</h2>
        <p className="notice notice-ok" data-testid="caller-verified">
          {t('callerVerified', {
            name: p.caller.person.maskedName,
            birth: p.caller.person.birthDate,
            provider: providerName(p.caller.providerId),
          })}
        </p>
        <button
          type="button"
          className="button"
          onClick={() => {
            setName('');
            p.onEnd();
          }}
        >
          {t('endCall')}
        </button>
      </div>
    );
  return (
    <form className="card" aria-labelledby="caller-title" onSubmit={verify}>
      <h2 id="caller-title">{t('callerTitle')}</h2>
      <div className="field">
        <label htmlFor="caller-provider">{t('provider')}</label>
        <select id="caller-provider" value={chosen} onChange={(e) => setProviderId(e.target.value)}>
          {p.providers.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name[lang]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="caller-name">{t('callerName')}</label>
        <input id="caller-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="caller-rrn">{t('callerRrn')}</label>
        <input
          id="caller-rrn"
          type="password"
          autoComplete="off"
          inputMode="numeric"
          placeholder="YYMMDD-NNNNNNN"
          aria-describedby="caller-rrn-hint"
          value={rrn}
          onChange={(e) => setRrn(e.target.value)}
        />
        <p id="caller-rrn-hint" className="hint">
          {t('rrnHint')}
        </p>
      </div>
      <button type="submit" className="button primary" disabled={busy || !name.trim() || rrn.trim().length < 13}>
        {busy ? t('verifying') : t('verify')}
      </button>
      <div aria-live="polite">{failure && <FailureNotice failure={failure} />}</div>
    </form>
  );
}

function Trail({ version }: { version: number }) {
  const t = useAgentT();
  const ct = useT();
  const { lang } = useLang();
  const trail = useApi(() => opRequest<{ entries: AuditEntryView[] }>('/api/agent/audit'), [version]);
  const entries = trail.loaded.state === 'ok' ? trail.loaded.data.entries : [];
  const actionName = (a: string) => {
    const key = `action.${a}` as Parameters<typeof ct>[0];
    return a.startsWith('agent-') ? ct(key) : a;
  };
  return (
    <div className="card" aria-labelledby="trail-title">
      <h2 id="trail-title">{t('trailTitle')}</h2>
      {trail.loaded.state === 'failed' && <FailureNotice failure={trail.loaded.failure} />}
      {trail.loaded.state === 'ok' && entries.length === 0 && <p className="muted">{t('trailEmpty')}</p>}
      {entries.length > 0 && (
        <table data-testid="agent-trail">
          <thead>
            <tr>
              <th scope="col">{t('at')}</th>
              <th scope="col">{t('action')}</th>
              <th scope="col">{t('target')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{formatStamp(e.atMs, lang)}</td>
                <td>{actionName(e.action)}</td>
                <td>
                  <code className="small">
                    {e.target?.startsWith('caller:') ? `${e.target.slice(0, 15)}…` : (e.target ?? '–')}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
