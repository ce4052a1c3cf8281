/**
 * Security headers on every answer (pages, assets, API, errors) through @fastify/helmet.
 *
 * The content security policy allows only this origin's own scripts, styles, images and fetches,
 * which is all the built citizen site, the operator console and Swagger UI at /docs load (checked
 * in Chromium: test/e2e/security-headers.e2e.test.ts), plus one style element of Swagger UI by its
 * hash. `data:` images are for the inline favicon
 * and Swagger UI's icons. No page may be framed (frame-ancestors 'none', and X-Frame-Options DENY
 * for old browsers). HSTS and upgrade-insecure-requests are sent only when the site is reached
 * over TLS: over plain HTTP they would pin the name to an HTTPS that does not exist.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';

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
