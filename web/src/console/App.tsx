/**
 * The console frame: who is signed in (or the sign-in form), two tabs (dashboard, campaign
 * rules) and sign-out. Tabs are real buttons with aria-pressed so the keyboard reaches them.
 */
import { useEffect, useState } from 'react';
import { apiRequest } from '../shared/api.ts';
import { Loading } from '../shared/failure.tsx';
import { LangSwitch } from '../shared/i18n.tsx';
import { useT } from './messages.ts';
import { opRequest, rememberOperator, type Operator } from './operator-api.ts';
import { Login } from './Login.tsx';
import { Dashboard } from './Dashboard.tsx';
import { Editor } from './Editor.tsx';
import { Reviews } from './Reviews.tsx';
import { Audit } from './Audit.tsx';
import { Capacity } from './Capacity.tsx';
import { Agent } from './Agent.tsx';
import { useAgentT } from './agent-messages.ts';

const TABS = ['dashboard', 'editor', 'reviews', 'audit', 'capacity'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABEL = {
  dashboard: 'tabDashboard',
  editor: 'tabEditor',
  reviews: 'tabReviews',
  audit: 'tabAudit',
  capacity: 'tabCapacity',
} as const;
const ROLE_LABEL = {
  viewer: 'roleViewer',
  operator: 'roleOperator',
  approver: 'roleApprover',
  agent: 'roleAgent',
} as const;

export function App() {
  const t = useT();
  const at = useAgentT();
  const [operator, setOperator] = useState<Operator | null | undefined>(undefined);
  const [tab, setTab] = useState<Tab>(() => TABS.find((x) => `#${x}` === location.hash) ?? 'dashboard');

  useEffect(() => {
    void apiRequest<Operator>('/api/operator/me').then((r) => {
      const op = r.ok ? r.data : null;
      rememberOperator(op);
      setOperator(op);
    });
  }, []);
  useEffect(() => {
    document.title = `${t('title')} · yeyak`;
  }, [t]);
  useEffect(() => {
    history.replaceState(null, '', `#${tab}`);
  }, [tab]);

  const signedIn = (op: Operator) => {
    rememberOperator(op);
    setOperator(op);
  };
  async function logout() {
    await opRequest('/api/operator/logout', { method: 'POST' });
    rememberOperator(null);
    setOperator(null);
  }

  // A call-centre agent sees the agent page only (the staff pages' API refuses the role anyway).
  const staff = operator && operator.role !== 'agent' ? operator : null;
  return (
    <>
      <header className="console-header">
        <span className="console-title">{t('title')}</span>
        {operator?.role === 'agent' && (
          <nav className="tabs" aria-label={t('title')}>
            <button type="button" aria-pressed>
              {at('tabAgent')}
            </button>
          </nav>
        )}
        {operator && operator.role !== 'agent' && (
          <nav className="tabs" aria-label={t('title')}>
            {TABS.map((x) => (
              <button key={x} type="button" aria-pressed={tab === x} onClick={() => setTab(x)}>
                {t(TAB_LABEL[x])}
              </button>
            ))}
          </nav>
        )}
        <span className="console-who">
          {operator && <span>{t('who', { name: operator.username, role: t(ROLE_LABEL[operator.role]) })}</span>}
          {operator && (
            <button type="button" className="link-button" onClick={() => void logout()}>
              {t('logout')}
            </button>
          )}
          <LangSwitch />
        </span>
      </header>
      <main className="console-main">
        {operator === undefined && <Loading />}
        {operator === null && <Login onSignedIn={signedIn} />}
        {operator?.role === 'agent' && <Agent />}
        {staff && tab === 'dashboard' && <Dashboard operator={staff} />}
        {staff && tab === 'editor' && <Editor operator={staff} />}
        {staff && tab === 'reviews' && <Reviews operator={staff} />}
        {staff && tab === 'audit' && <Audit />}
        {staff && tab === 'capacity' && <Capacity operator={staff} />}
        <p className="muted small">{t('noPersonalData')}</p>
      </main>
    </>
  );
}
