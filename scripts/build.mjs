// Builds the Node side (CLI + the one worker entry) into dist/ with esbuild, and the renderer
// with Vite when it exists. Runs at `npm ci` (prepare) so `npx bitbrat` works right after install.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Dependencies stay in node_modules: better-sqlite3 is native, the rest load faster unbundled.
  packages: 'external',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __bitbratRequire } from 'node:module'; const require = __bitbratRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: {
    cli: 'pipeline/node/cli/main.ts',
    worker: 'pipeline/node/workers/worker-main.ts',
  },
  outdir: 'dist',
});

if (!process.argv.includes('--node-only')) {
  const { buildElectron } = await import('./build-electron.mjs');
  await buildElectron();
}

if (existsSync('renderer/index.html') && !process.argv.includes('--node-only')) {
  const vite = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}
