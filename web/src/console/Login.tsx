/** Operator sign-in; the answer sets an http-only cookie and gives the CSRF token for this page. */
import { useState, type FormEvent } from 'react';
import { apiRequest } from '../shared/api.ts';
import { FailureNotice, failureOf, type Failure } from '../shared/failure.tsx';
import { useT } from './messages.ts';
import type { Operator } from './operator-api.ts';

export function Login({ onSignedIn }: { onSignedIn(op: Operator): void }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const r = await apiRequest<Operator>('/api/operator/login', { method: 'POST', body: { username, password } });
    setBusy(false);
    if (r.ok) {
      setPassword('');
      onSignedIn(r.data);
    } else setFailure(failureOf(r));
  }
  return (
    <form className="card form login" onSubmit={submit}>
      <h1>{t('loginTitle')}</h1>
      <div className="field">
        <label htmlFor="op-username">{t('username')}</label>
        <input
          id="op-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="op-password">{t('password')}</label>
        <input
          id="op-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      {failure && <FailureNotice failure={failure} />}
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('loggingIn') : t('login')}
      </button>
    </form>
  );
}
