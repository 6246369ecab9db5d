// Builds the Node side (CLI + one worker bundle per role) into dist/ with esbuild, and the renderer
// with Vite when it exists. Runs at `npm ci` (prepare) so `npx bitbrat` works right after install.
import { build } from 'esbuild';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { WORKERS_OUT_DIR, workerBuildOptions } from './worker-build.mjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Dependencies stay in node_modules: better-sqlite3 is native, the rest load faster unbundled.
  packages: 'external',
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __bitbratRequire } from 'node:module'; const require = __bitbratRequire(import.meta.url);",
  },
};

await build({
  ...common,
  entryPoints: { cli: 'pipeline/node/cli/main.ts' },
  outdir: 'dist',
});

// The workers: one bundle per role, shared code split into chunks (scripts/worker-build.mjs says why
// and what stays outside). A stale single worker.js from an older build is removed.
rmSync(WORKERS_OUT_DIR, { recursive: true, force: true });
rmSync('dist/worker.js', { force: true });
rmSync('dist/worker.js.map', { force: true });
await build(workerBuildOptions());
// Marks dist/*.js as ESM where the root package.json is not beside them: app.asar.unpacked/ holds
// dist/ but not the app's package.json, and without a "type" Node would have to guess the format.
writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' }, null, 2)}\n`);

if (!process.argv.includes('--node-only')) {
  const { buildElectron } = await import('./build-electron.mjs');
  await buildElectron();
}

if (existsSync('renderer/index.html') && !process.argv.includes('--node-only')) {
  const vite = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}
