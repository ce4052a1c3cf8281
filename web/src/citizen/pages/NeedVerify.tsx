/** Shown where a page needs a verified person: says so and leads to verification (then back). */
import { useEffect } from 'react';
import { useT } from '../messages.ts';
import { navigate, paths } from '../router.ts';

export function NeedVerify({ next }: { next: string }) {
  const t = useT();
  useEffect(() => {
    navigate(paths.verify(next), { replace: true });
  }, [next]);
  return (
    <section>
      <h1 tabIndex={-1}>{t('needVerify')}</h1>
      <p>
        <a className="button primary" href={`#${paths.verify(next)}`}>
          {t('goVerify')}
        </a>
      </p>
    </section>
  );
}
