/**
 * Identity verification. Each provider shows its status light with words (never colour alone),
 * so people choose one that works instead of retrying one that is down. The RRN goes only into
 * the request body; the session token is kept in sessionStorage.
 */
import { useState, type FormEvent } from 'react';
import { apiRequest } from '../../shared/api.ts';
import type { ProviderWire } from '../../../../src/identity/identity.schemas.ts';
import { FailureNotice, Loading, failureOf, type Failure } from '../../shared/failure.tsx';
import { useLang } from '../../shared/i18n.tsx';
import { formatPercent } from '../../shared/format.ts';
import { useApi } from '../../shared/use-api.ts';
import { useT, type MessageKey } from '../messages.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import type { Session } from '../store.ts';

type Provider = ProviderWire;
type Light = Provider['light'];

const LIGHT_WORD: Record<Light, MessageKey> = {
  green: 'lightGreen',
  yellow: 'lightYellow',
  red: 'lightRed',
  grey: 'lightGrey',
};

function ProviderOption({ p, checked, onPick }: { p: Provider; checked: boolean; onPick(): void }) {
  const t = useT();
  const { lang } = useLang();
  const stats =
    p.successRate === null
      ? t('providerNoStats')
      : t('providerStats', { rate: formatPercent(p.successRate, lang), ms: p.p50LatencyMs ?? '–' });
  return (
    <label className={`provider light-${p.light}`}>
      <input type="radio" name="provider" value={p.id} checked={checked} onChange={onPick} />
      <span className="provider-name">{p.name[lang]}</span>
      <span className="light">
        <span className="dot" aria-hidden="true" />
        {t(LIGHT_WORD[p.light])}
      </span>
      <span className="provider-stats">{stats}</span>
    </label>
  );
}

/** 6808051234567 → 680805-1234567 as the person types. */
function formatRrn(input: string): string {
  const digits = input.replace(/\D/g, '').slice(0, 13);
  return digits.length > 6 ? `${digits.slice(0, 6)}-${digits.slice(6)}` : digits;
}

export function Verify({ next }: { next: string }) {
  const t = useT();
  const { setSession } = useSession();
  const providers = useApi(() => apiRequest<{ providers: Provider[] }>('/api/identity/providers'), []);
  const [providerId, setProviderId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [rrn, setRrn] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const list = providers.loaded.state === 'ok' ? providers.loaded.data.providers : [];
  const chosen =
    providerId ??
    list.find((p) => p.light === 'green')?.id ??
    list.find((p) => p.light !== 'red')?.id ??
    list[0]?.id ??
    '';
  const chosenIsRed = list.find((p) => p.id === chosen)?.light === 'red';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const r = await apiRequest<Session>('/api/identity/verify', {
      method: 'POST',
      body: { providerId: chosen, rrn, name: name.trim() },
    });
    setBusy(false);
    if (!r.ok) {
      setFailure(failureOf(r));
      void providers.reload(true);
      return;
    }
    setSession(r.data);
    setRrn('');
    navigate(next.startsWith('/') ? next : '/', { replace: true });
  }

  return (
    <section>
      <h1 tabIndex={-1}>{t('verifyTitle')}</h1>
      <p className="lead">{t('verifyIntro')}</p>
      <form onSubmit={submit} className="card form" noValidate>
        <fieldset>
          <legend>{t('verifyProvider')}</legend>
          {providers.loaded.state === 'loading' && <Loading />}
          {providers.loaded.state === 'failed' && (
            <FailureNotice failure={providers.loaded.failure} onRetry={() => void providers.reload()} />
          )}
          <div className="providers">
            {list.map((p) => (
              <ProviderOption key={p.id} p={p} checked={p.id === chosen} onPick={() => setProviderId(p.id)} />
            ))}
          </div>
          {chosenIsRed && (
            <p className="field-error" role="status">
              {t('providerRedWarning')}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor="verify-name">{t('verifyName')}</label>
          <input
            id="verify-name"
            name="name"
            autoComplete="name"
            required
            maxLength={40}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="verify-rrn">{t('verifyRrn')}</label>
          <input
            id="verify-rrn"
            name="rrn"
            inputMode="numeric"
            autoComplete="off"
            required
            maxLength={14}
            aria-describedby="verify-rrn-hint"
            value={rrn}
            onChange={(e) => setRrn(formatRrn(e.target.value))}
          />
          <p id="verify-rrn-hint" className="hint">
            {t('verifyRrnHint')}
          </p>
        </div>
        {failure && <FailureNotice failure={failure} />}
        <button type="submit" className="button primary" disabled={busy || !chosen}>
          {busy ? t('verifyWorking') : t('verifySubmit')}
        </button>
      </form>
    </section>
  );
}
