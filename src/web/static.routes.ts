/**
 * Serves the built citizen site (`/`) and operator console (`/console/`) from `webDir` (Vite's
 * output, `npm run build:web`). Both use hash routing, so no server-side fallback routes exist.
 * Hashed assets are cached for a year; the two index pages never, so a new build reaches phones at
 * the next load. Without a build the pages answer 503 with the command that makes one, instead of
 * a blank page.
 *
 * Compression: the build writes `.br` and `.gz` beside each text file (web/vite.config.ts) and
 * `preCompressed` sends the one the browser accepts, with Content-Encoding and Vary: Accept-Encoding,
 * so serving a compressed page costs no CPU (measured against per-request compression in the commit).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const NO_BUILD = `<!doctype html><meta charset="utf-8"><title>yeyak</title>
<p>웹 화면이 아직 빌드되지 않았습니다: <code>npm run build:web</code> · The web pages are not built yet: run <code>npm run build:web</code>.</p>`;

export function staticRoutes(webDir: string) {
  return async (app: FastifyInstance) => {
    if (!existsSync(join(webDir, 'index.html'))) {
      app.log.warn({ webDir }, 'web build missing: run npm run build:web');
      for (const path of ['/', '/console/']) {
        app.get(path, { schema: { hide: true } }, async (_req, reply) =>
          reply.code(503).type('text/html; charset=utf-8').send(NO_BUILD),
        );
      }
      return;
    }
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      // An array: with preCompressed, @fastify/static 8.3 finds the index only in an array (a string answers 404).
      index: ['index.html'],
      redirect: true,
      preCompressed: true,
      schemaHide: true,
      cacheControl: false,
      setHeaders(res, path) {
        const isAsset = path.includes(`${join('/', 'assets', '/')}`);
        res.setHeader('cache-control', isAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
        // Every file may be sent as .br, .gz or plain: caches must key on what the browser accepts.
        res.setHeader('vary', 'Accept-Encoding');
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
      },
    });
  };
}
