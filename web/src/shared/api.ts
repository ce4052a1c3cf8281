/**
 * The one way the pages talk to the server. Every answer becomes a value, never an exception:
 * data, an RFC 9457 problem (with the server's Korean and English words), or a network failure
 * the page can offer to retry. A non-problem error body (a proxy's HTML page) becomes a problem
 * with plain words, so no page ever shows a stack trace or goes blank.
 */
import type { ProblemWire } from '../../../src/platform/http/problem.schemas.ts';

export interface LocalizedText {
  ko: string;
  en: string;
}

/**
 * A problem as the server sends it (its schema is the contract), or one made here from a
 * non-problem error answer, which has only the code, status and words.
 */
export type Problem = Pick<ProblemWire, 'code' | 'status' | 'messages' | 'errors' | 'problems'> & {
  /** From the Retry-After header (429, 503): when the server asks to be asked again. */
  retryAfterSec?: number;
  [extension: string]: unknown;
};

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; kind: 'problem'; problem: Problem }
  | { ok: false; kind: 'network' };

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, o: RequestOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: o.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      signal: o.signal,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  } catch (e) {
    if (o.signal?.aborted) throw e;
    return { ok: false, kind: 'network' };
  }
  const body = await readJson(res);
  if (res.ok) return { ok: true, status: res.status, data: body as T };
  const problem = asProblem(res.status, body);
  const retryAfter = Number(res.headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) problem.retryAfterSec = retryAfter;
  return { ok: false, kind: 'problem', problem };
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function asProblem(status: number, body: unknown): Problem {
  const b = body as Partial<Problem> | null;
  if (b && typeof b.code === 'string' && b.messages && typeof b.messages.ko === 'string') {
    return { ...b, code: b.code, status: b.status ?? status, messages: b.messages } as Problem;
  }
  return { code: `http-${status}`, status, messages: genericMessages(status) };
}

function genericMessages(status: number): LocalizedText {
  if (status === 429)
    return {
      ko: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
      en: 'Too many requests. Please wait a moment and try again.',
    };
  if (status >= 500)
    return {
      ko: '서버가 잠시 응답하지 않습니다. 잠시 후 다시 시도해 주세요.',
      en: 'The server is not answering right now. Please try again shortly.',
    };
  return {
    ko: '요청을 처리하지 못했습니다. 페이지를 새로고침해 주세요.',
    en: 'We could not handle that request. Please reload the page.',
  };
}

/**
 * A random id for idempotency keys and device ids, from the browser's CSPRNG. `randomUUID` exists
 * only in secure contexts (https, localhost), so a plain-http page falls back to getRandomValues.
 */
export function randomId(): string {
  const c: Partial<Crypto> = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
