/**
 * Security headers on every answer (pages, assets, API, errors), computed once by helmet: documents
 * get its whole page set, API answers the part of it that concerns data (`apiHeadersOf`), refusals
 * decided in onRequest `REFUSAL_HEADERS`.
 *
 * The content security policy allows only this origin's own scripts, styles, images and fetches,
 * which is all the built citizen site, the operator console and Swagger UI at /docs load (checked
 * in Chromium: test/e2e/security-headers.e2e.test.ts), plus one style element of Swagger UI by its
 * hash. `data:` images are for the inline favicon
 * and Swagger UI's icons. No page may be framed (frame-ancestors 'none', and X-Frame-Options DENY
 * for old browsers). HSTS and upgrade-insecure-requests are sent only when the site is reached
 * over TLS: over plain HTTP they would pin the name to an HTTPS that does not exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import helmetHeaders from 'helmet';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Swagger UI injects one <style> element at run time: allowed by its hash (as Chromium reports
  // it), not by 'unsafe-inline'. A Swagger UI upgrade that changes it fails the browser test.
  'style-src': ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"],
};

/** Options for `app.register(helmet, …)`. */
export function securityHeaders(o: { tlsEnabled: boolean }): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...CONTENT_SECURITY_POLICY, ...(o.tlsEnabled ? { 'upgrade-insecure-requests': [] } : {}) },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: o.tlsEnabled ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}

/** Headers helmet sets with `options`, as a constant (it is run once on a recording response). */
export function headersOf(options: FastifyHelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  const { global: _global, enableCSPNonces: _nonces, ...helmetOptions } = options;
  helmetHeaders(helmetOptions as Parameters<typeof helmetHeaders>[0])(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => {},
  );
  return Object.freeze(headers);
}

type ReplyWithHeaders = {
  headers(values: Readonly<Record<string, string>>): unknown;
  hasHeader(name: string): boolean;
};

/**
 * What a refusal decided in an onRequest hook carries (a per-address or per-identity limit, the join
 * budget, shedding): a problem+json body the server wrote, never a page, so what matters is that it
 * is never sniffed into something else (nosniff) and, if ever opened as a document, loads nothing
 * and cannot be framed (the CSP). Helmet's other nine headers are about documents; each header
 * costs a refusal ~0.7 µs in Fastify and Node's header checks (the eleven were a quarter of a
 * refusal's own CPU, `tools/bench/front-door-socketless.bench.ts`), and a refusal should cost what a
 * hello-world answer does. HSTS, when the site is behind TLS, is on every other answer. The type is
 * here too, with its charset (Fastify would otherwise append it on every refusal): every such refusal
 * is problem+json, and the refusing hooks set these in one call.
 */
export const REFUSAL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/problem+json; charset=utf-8',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
});

/**
 * Whether a route answers the API's JSON (or problem+json, or the metrics text) rather than a
 * document: everything under /api/, the probes and /metrics. Pages, assets and Swagger UI are
 * documents.
 */
export function isApiRoute(url: string): boolean {
  return url.startsWith('/api/') || url === '/healthz' || url === '/readyz' || url === '/metrics';
}

/**
 * What an API answer carries, from the page set helmet computed: the headers that protect a
 * response which is data, not a document (the OWASP REST cheat sheet's set) — nosniff, so it is never
 * sniffed into HTML or script; a policy under which, if ever opened as a document, it loads nothing
 * and cannot be framed, and X-Frame-Options DENY for browsers without frame-ancestors;
 * Cross-Origin-Resource-Policy same-origin, so another site cannot pull it into its process (a
 * no-cors read); HSTS when the site is behind TLS. Helmet's other headers govern what a document
 * does (opener, referrer, DNS prefetch, origin-keyed agent cluster, IE's download and XSS filters,
 * Flash/PDF cross-domain policy files) and a JSON answer does none of it; each header costs an
 * answer ~0.7 µs in Fastify and Node's header checks, and the join is the front door's costliest
 * answer (issue 12).
 */
export function apiHeadersOf(page: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const kept = [
    'x-content-type-options',
    'x-frame-options',
    'cross-origin-resource-policy',
    'strict-transport-security',
  ];
  const headers: Record<string, string> = {
    'content-security-policy': REFUSAL_HEADERS['content-security-policy']!,
  };
  for (const name of kept) if (page[name] !== undefined) headers[name] = page[name];
  return Object.freeze(headers);
}

type PreParsingHook = <P>(
  request: unknown,
  reply: ReplyWithHeaders,
  payload: P,
  done: (err: null, payload: P) => void,
) => void;

/**
 * Security headers, computed once by helmet at start-up, on every answer that gets past the
 * onRequest hooks — as a preParsing hook each route gets when it is registered (`onRoute`), so a
 * refusal decided in onRequest never pays for them (it carries REFUSAL_HEADERS) and no request
 * decides at run time which set it gets: API routes (`isApiRoute`) the API set, every other route
 * (pages, static files, Swagger UI) helmet's page set. `onError` adds the page set to an answer
 * that has none yet (the not-found answer, an error raised before preParsing ran). No route asks
 * for other headers or CSP nonces; @fastify/helmet ran two hooks per request that rebuilt its
 * options and read `request.routeOptions`, and halved the poll rate under wrk.
 */
export function securityHeadersHooks(options: FastifyHelmetOptions) {
  const page = headersOf(options);
  const api = apiHeadersOf(page);
  const hookSetting = (constant: Readonly<Record<string, string>>): PreParsingHook =>
    function securityHeaders(_request, reply, payload, done) {
      reply.headers(constant);
      done(null, payload);
    };
  const pageHook = hookSetting(page);
  const apiHook = hookSetting(api);
  return {
    /** An onRoute hook (add it before any route is registered): the route's set, first of its preParsing hooks. */
    onRoute(route: { url: string; preParsing?: unknown }) {
      const hook = isApiRoute(route.url) ? apiHook : pageHook;
      route.preParsing = route.preParsing ? [hook, ...[route.preParsing].flat()] : [hook];
    },
    /** For the error handler: the page set on an answer that has none yet. */
    onError(reply: ReplyWithHeaders) {
      if (!reply.hasHeader('content-security-policy')) reply.headers(page);
    },
  };
}
