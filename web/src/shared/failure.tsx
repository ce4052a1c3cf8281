/**
 * How any failure reads: the server's own words in the reader's language, the fields it named,
 * and what to do next. A network failure says that the connection failed and offers a retry.
 */
import type { ReactNode } from 'react';
import type { ApiResult, Problem } from './api.ts';
import { useLang, type Lang } from './i18n.tsx';

export type Failure = { kind: 'problem'; problem: Problem } | { kind: 'network' };

export function failureOf<T>(r: ApiResult<T>): Failure | null {
  if (r.ok) return null;
  return r.kind === 'network' ? { kind: 'network' } : { kind: 'problem', problem: r.problem };
}

const WORDS: Record<Lang, { title: string; network: string; retry: string; field: string }> = {
  ko: {
    title: '요청을 완료하지 못했습니다',
    network: '서버에 연결하지 못했습니다. 인터넷 연결을 확인한 뒤 다시 시도해 주세요.',
    retry: '다시 시도',
    field: '항목',
  },
  en: {
    title: 'That did not go through',
    network: 'We could not reach the server. Check your internet connection and try again.',
    retry: 'Try again',
    field: 'Field',
  },
};

export function FailureNotice({
  failure,
  onRetry,
  children,
}: {
  failure: Failure;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const { lang } = useLang();
  const w = WORDS[lang];
  const message = failure.kind === 'network' ? w.network : failure.problem.messages[lang];
  const fieldErrors = failure.kind === 'problem' ? (failure.problem.errors ?? []) : [];
  return (
    <div
      className="notice notice-error"
      role="alert"
      data-problem={failure.kind === 'problem' ? failure.problem.code : 'network'}
    >
      <p className="notice-title">{w.title}</p>
      <p>{message}</p>
      {fieldErrors.length > 0 && (
        <ul>
          {fieldErrors.map((e) => (
            <li key={e.field + e.message}>
              {w.field} <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {children}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {w.retry}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { lang } = useLang();
  return (
    <p className="loading" role="status">
      {label ?? (lang === 'ko' ? '불러오는 중…' : 'Loading…')}
    </p>
  );
}
