/**
 * One build, two entries: the citizen site (index.html, served at /) and the operator console
 * (console/index.html, served at /console/). Output goes to ../dist/web, which
 * src/web/static.routes.ts serves. `vite` in dev proxies /api to a running server on :3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
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
