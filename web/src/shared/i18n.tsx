/**
 * Korean by default, English by a switch; the choice is kept in localStorage so every page and a
 * reload keep it. Each app (citizen site, console) has its own small dictionary and gets a typed
 * `t(key, vars)` from `createTranslator`, so a missing English entry is a compile error.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import type { Lang } from './lang.ts';

export type { Lang };

const STORAGE_KEY = 'yeyak.lang';

function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ko';
  } catch {
    return 'ko';
  }
}

const LangContext = createContext<{ lang: Lang; setLang(lang: Lang): void }>({ lang: 'ko', setLang: () => undefined });

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(storedLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      /* private mode: the choice lasts this page */
    }
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

export type Vars = Record<string, string | number>;

/** `{name}` placeholders are replaced by `vars.name`. */
export function fill(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function createTranslator<K extends string>(dictionaries: { ko: Record<K, string>; en: Record<K, string> }) {
  return function useT() {
    const { lang } = useLang();
    return useMemo(() => {
      const dict = dictionaries[lang];
      return (key: K, vars?: Vars) => fill(dict[key], vars);
    }, [lang]);
  };
}

/** The switch shows the other language, in that language. */
export function LangSwitch() {
  const { lang, setLang } = useLang();
  const other: Lang = lang === 'ko' ? 'en' : 'ko';
  return (
    <button type="button" className="lang-switch" lang={other} onClick={() => setLang(other)}>
      {other === 'en' ? 'English' : '한국어'}
    </button>
  );
}
