/**
 * The verified person for the whole site, and the one place that turns "who may do this" problems
 * into navigation: no session → verify (then come back); an admission problem → back to the queue,
 * where the ticket still holds the place.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Problem } from '../shared/api.ts';
import { currentPath, navigate, paths } from './router.ts';
import { loadSession, saveAdmission, saveSession, type Session } from './store.ts';

interface SessionState {
  session: Session | null;
  setSession(s: Session | null): void;
}

const SessionContext = createContext<SessionState>({ session: null, setSession: () => undefined });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, set] = useState<Session | null>(loadSession);
  const setSession = useCallback((s: Session | null) => {
    saveSession(s);
    set(s);
  }, []);
  const value = useMemo(() => ({ session, setSession }), [session, setSession]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession() {
  return useContext(SessionContext);
}

/** True when the problem was handled by leaving the page. */
export function redirectForProblem(
  problem: Problem,
  campaignId: string | undefined,
  setSession: (s: Session | null) => void,
): boolean {
  if (problem.code === 'unauthenticated') {
    setSession(null);
    // The header stops saying "verified" and the verify page says why the person is there.
    navigate(paths.verify(currentPath(), { expired: true }), { replace: true });
    return true;
  }
  if (campaignId && (problem.status === 401 || problem.status === 403) && problem.code.startsWith('admission-')) {
    saveAdmission(campaignId, null);
    navigate(paths.queue(campaignId), { replace: true });
    return true;
  }
  return false;
}
