/**
 * One build, two entries: the citizen site (index.html, served at /) and the operator console
 * (console/index.html, served at /console/). Output goes to ../dist/web, which
 * src/web/static.routes.ts serves. `vite` in dev proxies /api to a running server on :3000.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/**
 * Writes `name.br` (Brotli, quality 11) and `name.gz` (gzip -9) beside every text file of the build,
 * once, at build time; @fastify/static (`preCompressed`) serves them by Accept-Encoding. Compressing
 * per request instead (@fastify/compress) costs CPU on every hit and reaches lower ratios at the
 * levels fast enough to use per request. Files under 1 KiB are left alone (no gain past the headers).
 */
function precompress(): Plugin {
  const isText = /\.(?:js|css|html|svg|json|txt|map)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  let dir = outDir;
  return {
    name: 'yeyak-precompress',
    apply: 'build',
    configResolved(config) {
      dir = config.build.outDir;
    },
    closeBundle() {
      for (const path of walk(dir)) {
        if (!isText.test(path)) continue;
        const data = readFileSync(path);
        if (data.length < 1024) continue;
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(data, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [precompress()],
  // Preact's React-compatible layer in place of react-dom (issue 14: pages fast on a phone). The
  // sources keep React's API (react and @types/react stay as dev dependencies, for the type checker
  // and the dependency linter); the bundle gets preact/compat, about a tenth of react-dom's code, so
  // a phone downloads and starts far less (the shared start-up chunk: 232 KB, 63 KB Brotli, before;
  // 32 KB, 12 KB Brotli, after). Every API the pages use (hooks, context, lazy and Suspense,
  // createRoot, StrictMode) is in preact/compat. JSX compiles straight to Preact's runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: [
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react-dom$/, replacement: 'preact/compat' },
      { find: /^react$/, replacement: 'preact/compat' },
    ],
  },
  build: {
    outDir,
    emptyOutDir: true,
    // Korean glyph-free bundles are small; warn only if a chunk grows past what a phone on 3G can take.
    chunkSizeWarningLimit: 300,
    rolldownOptions: {
      input: {
        citizen: fileURLToPath(new URL('index.html', import.meta.url)),
        console: fileURLToPath(new URL('console/index.html', import.meta.url)),
      },
    },
  },
  server: {
    // The web sources import the province table from src/facilities/regions.ts.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
