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

type FieldErrors = { name?: string; rrn?: string; provider?: string };

/** What the person typed, checked before sending: the same rules the server's schema applies. */
function checkFields(name: string, rrn: string, t: ReturnType<typeof useT>): FieldErrors {
  const e: FieldErrors = {};
  if (!name.trim()) e.name = t('verifyErrName');
  const digits = rrn.replace(/\D/g, '');
  if (digits.length !== 13) e.rrn = t('verifyErrRrnShort', { n: digits.length });
  return e;
}

/**
 * The server's refusal as field messages in the page's language: never the validator's own
 * English ("body/rrn: must NOT have fewer than 13 characters"). Null: not about a field.
 */
function fieldErrorsOf(f: Failure, rrn: string, t: ReturnType<typeof useT>): FieldErrors | null {
  if (f.kind !== 'problem') return null;
  const p = f.problem;
  switch (p.code) {
    case 'validation': {
      const e: FieldErrors = {};
      for (const x of p.errors ?? []) {
        if (/rrn/.test(x.field)) e.rrn = t('verifyErrRrnShort', { n: rrn.replace(/\D/g, '').length });
        else if (/name/.test(x.field)) e.name = t('verifyErrName');
        else if (/provider/.test(x.field)) e.provider = t('verifyErrProvider');
      }
      return Object.keys(e).length > 0 ? e : { rrn: t('verifyErrRrnForm') };
    }
    case 'malformed-rrn':
      return { rrn: t('verifyErrRrnForm') };
    case 'invalid-rrn':
      return { rrn: t('verifyErrRrnInvalid') };
    case 'identity-mismatch':
      return { name: t('verifyErrMismatch'), rrn: t('verifyErrMismatch') };
    default:
      return null;
  }
}

export function Verify({ next, expired = false }: { next: string; expired?: boolean }) {
  const t = useT();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
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
    setFailure(null);
    const local = checkFields(name, rrn, t);
    setFieldErrors(local);
    if (Object.keys(local).length > 0) {
      document.getElementById(local.name ? 'verify-name' : 'verify-rrn')?.focus();
      return;
    }
    setBusy(true);
    const r = await apiRequest<Session>('/api/identity/verify', {
      method: 'POST',
      body: { providerId: chosen, rrn, name: name.trim() },
    });
    setBusy(false);
    if (!r.ok) {
      const f = failureOf(r)!;
      const fields = fieldErrorsOf(f, rrn, t);
      if (fields) {
        setFieldErrors(fields);
        document.getElementById(fields.name ? 'verify-name' : 'verify-rrn')?.focus();
      } else setFailure(f);
      void providers.reload(true);
      return;
    }
    setSession(r.data);
    setRrn('');
    navigate(next.startsWith('/') ? next : '/', { replace: true });
  }

  return (
    <section>
      <h1 tabIndex={-1}>{expired ? t('sessionExpiredTitle') : t('verifyTitle')}</h1>
      {expired && (
        <p className="notice notice-warn" role="status" data-testid="session-expired">
          {t('sessionExpired')}
        </p>
      )}
      <p className="lead">{t('verifyIntro')}</p>
      <form onSubmit={submit} className="card form" noValidate aria-label={t('verifyTitle')}>
        {Object.keys(fieldErrors).length > 0 && (
          <div className="notice notice-error" role="alert" data-testid="verify-errors">
            <p className="notice-title">{t('verifyErrorsTitle')}</p>
            <ul>
              {fieldErrors.name && (
                <li>
                  <a
                    href="#verify-name"
                    onClick={(e) => (e.preventDefault(), document.getElementById('verify-name')?.focus())}
                  >
                    {t('verifyName')}
                  </a>
                  : {fieldErrors.name}
                </li>
              )}
              {fieldErrors.rrn && (
                <li>
                  <a
                    href="#verify-rrn"
                    onClick={(e) => (e.preventDefault(), document.getElementById('verify-rrn')?.focus())}
                  >
                    {t('verifyRrn')}
                  </a>
                  : {fieldErrors.rrn}
                </li>
              )}
              {fieldErrors.provider && <li>{fieldErrors.provider}</li>}
            </ul>
          </div>
        )}
        <fieldset>
          <legend>{t('verifyProvider')}</legend>
          {providers.loaded.state === 'failed' && (
            <FailureNotice failure={providers.loaded.failure} onRetry={() => void providers.reload()} />
          )}
          {/* The list's space is kept while it loads, so the form below does not jump (issue 14: CLS 0.19). */}
          <div className="providers" aria-busy={providers.loaded.state === 'loading'}>
            {providers.loaded.state === 'loading' && <Loading />}
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
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={fieldErrors.name ? 'verify-name-error verify-name-hint' : 'verify-name-hint'}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          {fieldErrors.name && (
            <p id="verify-name-error" className="field-error">
              {fieldErrors.name}
            </p>
          )}
          <p id="verify-name-hint" className="hint">
            {t('verifyForeignName')}
          </p>
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
            aria-invalid={fieldErrors.rrn ? true : undefined}
            aria-describedby={fieldErrors.rrn ? 'verify-rrn-error verify-rrn-hint' : 'verify-rrn-hint'}
            value={rrn}
            onChange={(e) => setRrn(formatRrn(e.target.value))}
          />
          {fieldErrors.rrn && (
            <p id="verify-rrn-error" className="field-error">
              {fieldErrors.rrn}
            </p>
          )}
          <p id="verify-rrn-hint" className="hint">
            {t('verifyRrnHint')}
            <br />
            {t('verifyForeignNumber')}
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
