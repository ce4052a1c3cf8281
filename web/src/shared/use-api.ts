/**
 * Loads one API answer for a page: loading → data or failure, and `reload` for the retry button.
 * A newer load supersedes an older one still in flight (its answer is dropped).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from './api.ts';
import { failureOf, type Failure } from './failure.tsx';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'failed'; failure: Failure };

export function useApi<T>(load: (() => Promise<ApiResult<T>>) | null, deps: readonly unknown[]) {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const generation = useRef(0);
  const run = useCallback(async (quiet = false) => {
    if (!load) return;
    const mine = ++generation.current;
    if (!quiet) setLoaded({ state: 'loading' });
    const r = await load();
    if (mine !== generation.current) return;
    setLoaded(r.ok ? { state: 'ok', data: r.data } : { state: 'failed', failure: failureOf(r)! });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    void run();
  }, [run]);
  return { loaded, reload: run, setLoaded };
}
