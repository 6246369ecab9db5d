// The renderer build: one page served by the host's gateway (browser console) and loaded by the
// Electron window. `base: './'` keeps asset URLs relative so both file:// and http:// work.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { CONSOLE_META_CSP } from './pipeline/core/console-csp.js';

// `vite dev` proxies the API to a running `bitbrat serve` (BITBRAT_HOST=127.0.0.1:PORT).
const devHost = process.env.BITBRAT_HOST ?? '127.0.0.1:7420';

/**
 * Writes the console's one CSP (pipeline/core/console-csp.ts) into the built index.html, so the page
 * is as strict as the headers that serve it, even where a header is lost. Build only: the dev
 * server's React Refresh preamble and its injected <style> elements are inline by design.
 */
function consoleCspMeta(): Plugin {
  const marker = '<!-- content-security-policy -->';
  return {
    name: 'bitbrat-console-csp',
    apply: 'build',
    transformIndexHtml(html) {
      // Before any script, so the policy governs every one of them.
      if (!html.includes(marker)) throw new Error(`renderer/index.html lost its ${marker} marker`);
      return html.replace(marker, `<meta http-equiv="Content-Security-Policy" content="${CONSOLE_META_CSP}" />`);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react(), consoleCspMeta()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1_000,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api/ws': { target: `ws://${devHost}`, ws: true } },
  },
});
