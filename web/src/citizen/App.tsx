/**
 * The citizen site's frame: skip link, header (site name, who is verified, language), the page
 * for the current route, and a footer with phone booking for those who need help. On every page
 * change focus moves to the new page's heading, so keyboard and screen-reader users start there.
 */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { LangSwitch } from '../shared/i18n.tsx';
import { useT } from './messages.ts';
import { navigate, paths, useRoute, type Route } from './router.ts';
import { useSession } from './session.tsx';
import { saveAdmission } from './store.ts';
import { Landing } from './pages/Landing.tsx';
import { Loading } from '../shared/failure.tsx';

// Every page but the landing page is its own chunk, loaded when first shown: a phone opening the
// site downloads only the landing page's code (issue 14). `lazy` needs a default export.
const Verify = lazy(() => import('./pages/Verify.tsx').then((m) => ({ default: m.Verify })));
const Queue = lazy(() => import('./pages/Queue.tsx').then((m) => ({ default: m.Queue })));
const Book = lazy(() => import('./pages/Book.tsx').then((m) => ({ default: m.Book })));
const BookingDetail = lazy(() => import('./pages/BookingDetail.tsx').then((m) => ({ default: m.BookingDetail })));
const MyBookings = lazy(() => import('./pages/MyBookings.tsx').then((m) => ({ default: m.MyBookings })));
const ChangeBooking = lazy(() => import('./pages/ChangeBooking.tsx').then((m) => ({ default: m.ChangeBooking })));

function Page({ route }: { route: Route }) {
  const t = useT();
  const [a, b, c] = route.path;
  if (!a) return <Landing />;
  if (a === 'verify')
    return <Verify next={route.query.get('next') ?? paths.home()} expired={route.query.has('expired')} />;
  if (a === 'c' && b && c === 'queue') return <Queue campaignId={b} />;
  if (a === 'c' && b && c === 'book') return <Book campaignId={b} />;
  if (a === 'bookings' && !b) return <MyBookings />;
  if (a === 'bookings' && b && !c)
    return (
      <BookingDetail
        bookingNumber={b}
        note={route.query.has('new') ? 'new' : route.query.has('changed') ? 'changed' : null}
      />
    );
  if (a === 'bookings' && b && c === 'change') return <ChangeBooking bookingNumber={b} />;
  return (
    <section>
      <h1 tabIndex={-1}>{t('notFoundTitle')}</h1>
      <p>
        <a href="#/">{t('goHome')}</a>
      </p>
    </section>
  );
}

export function App() {
  const t = useT();
  const route = useRoute();
  const { session, setSession } = useSession();
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = t('siteTitle');
  }, [t]);

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // After React paints the new page: move focus to its heading.
    const id = window.setTimeout(() => document.querySelector<HTMLElement>('main h1')?.focus(), 0);
    return () => window.clearTimeout(id);
  }, [route.raw]);

  function signOut() {
    setSession(null);
    for (const key of Object.keys(sessionStorage))
      if (key.startsWith('yeyak.admission.')) saveAdmission(key.slice('yeyak.admission.'.length), null);
    navigate(paths.home());
  }

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('skipToContent')}
      </a>
      <header className="site-header">
        <div className="header-row">
          <a className="site-name" href="#/">
            {t('siteTitle')}
          </a>
          <LangSwitch />
        </div>
        <nav aria-label={t('siteTitle')} className="header-row nav">
          <a href="#/">{t('navHome')}</a>
          <a href="#/bookings">{t('navBookings')}</a>
          {session && (
            <span className="who">
              <span>{t('signedInAs', { name: session.person.maskedName })}</span>
              <button type="button" className="link-button" onClick={signOut}>
                {t('signOut')}
              </button>
            </span>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Page route={route} />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>{t('phoneHelp')}</p>
      </footer>
    </>
  );
}
