/**
 * Hash routing: the server serves one index.html and every page lives after '#', so a reload or
 * a shared link opens the same page without server routes. `#/c/demo/queue?x=1` →
 * { path: ['c', 'demo', 'queue'], query: {x: '1'} }.
 */
import { useEffect, useState } from 'react';

export interface Route {
  path: string[];
  query: URLSearchParams;
  raw: string;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?');
  return {
    path: pathPart.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(queryPart),
    raw,
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', onChange);
    // A child's effect may have navigated before this listener existed (effects run child-first).
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const hash = `#${to}`;
  if (location.hash === hash) return;
  if (opts.replace) {
    history.replaceState(history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/** The page to come back to after verifying: the current one. */
export function currentPath(): string {
  return location.hash.replace(/^#/, '') || '/';
}

export const paths = {
  home: () => '/',
  verify: (next: string, o: { expired?: boolean } = {}) =>
    `/verify?next=${encodeURIComponent(next)}${o.expired ? '&expired=1' : ''}`,
  queue: (campaignId: string) => `/c/${encodeURIComponent(campaignId)}/queue`,
  book: (campaignId: string) => `/c/${encodeURIComponent(campaignId)}/book`,
  bookings: () => '/bookings',
  booking: (n: string, note?: 'new' | 'changed') => `/bookings/${encodeURIComponent(n)}${note ? `?${note}=1` : ''}`,
  change: (n: string) => `/bookings/${encodeURIComponent(n)}/change`,
};
