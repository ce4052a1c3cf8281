/**
 * The agent's lookup of the queue reference a caller reads out from their waiting page (`3KF7-Q`):
 * where that place stands — waiting (place, people ahead, the estimate the caller's page shows) or
 * passed — with the server's own words when the text is not a reference or names no place yet.
 * No caller verification is needed: a reference names a place, not a person. Each lookup is in the
 * agent's audit trail.
 */
import { useState, type FormEvent } from 'react';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { formatDuration, formatMinutes, formatNumber } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';
import { useAgentT } from './agent-messages.ts';
import { opRequest } from './operator-api.ts';
import type { ReferenceLookupWire } from '../../../src/operator/operator.schemas.ts';

export function AgentReferenceLookup({ campaignId, onLookup }: { campaignId: string; onLookup(): void }) {
  const t = useAgentT();
  const [reference, setReference] = useState('');
  const [found, setFound] = useState<ReferenceLookupWire | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);

  async function lookUp(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFound(null);
    setFailure(null);
    const r = await opRequest<ReferenceLookupWire>(
      `/api/agent/campaigns/${encodeURIComponent(campaignId)}/queue/references/${encodeURIComponent(reference.trim())}`,
    );
    setBusy(false);
    if (r.ok) setFound(r.data);
    else setFailure(failureOf(r));
    onLookup();
  }

  return (
    <form className="card" aria-labelledby="reference-title" onSubmit={(e) => void lookUp(e)}>
      <h2 id="reference-title">{t('referenceTitle')}</h2>
      <div className="field row-field">
        <label htmlFor="agent-reference">{t('reference')}</label>
        <input
          id="agent-reference"
          value={reference}
          autoComplete="off"
          spellCheck={false}
          maxLength={20}
          placeholder="3KF7-Q"
          aria-describedby="agent-reference-hint"
          onChange={(e) => setReference(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy || reference.trim() === ''}>
          {t('referenceGo')}
        </button>
      </div>
      <p id="agent-reference-hint" className="hint">
        {t('referenceHint')}
      </p>
      <div aria-live="polite" data-testid="agent-reference-result">
        {found && <Found found={found} />}
        {failure && <FailureNotice failure={failure} />}
      </div>
    </form>
  );
}

function Found({ found }: { found: ReferenceLookupWire }) {
  const t = useAgentT();
  const { lang } = useLang();
  if (found.state === 'reached')
    return (
      <p className="notice notice-ok" data-state="reached">
        {t('referenceReached', { ref: found.reference })}
      </p>
    );
  const eta = found.eta;
  return (
    <div className="notice notice-ok" data-state="waiting">
      <p>
        {t('referenceWaiting', {
          ref: found.reference,
          position: formatNumber(found.position ?? 0, lang),
          ahead: formatNumber(found.ahead ?? 0, lang),
        })}
      </p>
      <p data-testid="agent-reference-eta">
        {!eta
          ? found.isPaused
            ? t('referencePaused')
            : t('referenceNoEstimate')
          : eta.highSeconds === null
            ? t('referenceEtaOpen', { expected: formatDuration(eta.seconds, lang) })
            : t('referenceEta', {
                expected: formatDuration(eta.seconds, lang),
                low: formatMinutes(eta.lowSeconds),
                high: formatMinutes(eta.highSeconds),
              })}
      </p>
      {found.isPaused && eta && <p>{t('referencePaused')}</p>}
    </div>
  );
}
