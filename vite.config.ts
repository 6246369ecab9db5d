// The renderer build: one page served by the host's gateway (browser console) and loaded by the
// Electron window. `base: './'` keeps asset URLs relative so both file:// and http:// work.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `vite dev` proxies the API to a running `bitbrat serve` (BITBRAT_HOST=127.0.0.1:PORT).
const devHost = process.env.BITBRAT_HOST ?? '127.0.0.1:7420';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
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
