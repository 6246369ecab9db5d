// Builds the Node side (CLI + the one worker entry) into dist/ with esbuild, and the renderer
// with Vite when it exists. Runs at `npm ci` (prepare) so `npx bitbrat` works right after install.
import { build } from 'esbuild';
import { existsSync, writeFileSync } from 'node:fs';
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
  banner: {
    js: "import { createRequire as __bitbratRequire } from 'node:module'; const require = __bitbratRequire(import.meta.url);",
  },
};

await build({
  ...common,
  entryPoints: { cli: 'pipeline/node/cli/main.ts' },
  outdir: 'dist',
});

// The worker bundles its dependencies (zod, ws, tmi.js, @twurple/*, openai ..., including the ones
// loaded lazily with import()) and keeps only better-sqlite3 outside. Why: in the installed app the
// worker runs from app.asar.unpacked/dist/worker.js (worker threads start from a real file), where
// Node resolves bare imports in app.asar.unpacked/node_modules only, and only what
// electron-builder.yml asarUnpack lists is there: the native module, plus tmi.js because
// irc-normalize.ts require()s tmi.js/lib/parser.js by path at run time, out of esbuild's sight.
// Unpacking every dependency instead would put most of node_modules outside the asar; one
// self-contained file is smaller and needs no long list kept in step. bufferutil and utf-8-validate are optional native speed-ups that ws require()s inside
// try/catch: left out, ws uses its JavaScript fallback; `encoding` is the same for node-fetch (tmi.js), and
// `zlib-sync` for discord.js (without it the Discord gateway runs uncompressed).
// electron/main/worker-bundle.test.ts checks that the bundle imports nothing else.
await build({
  ...common,
  packages: undefined,
  external: ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'encoding', 'zlib-sync'],
  // sentiment require()s non-English word lists by a computed path; we use its built-in English.
  logOverride: { 'empty-glob': 'silent' },
  entryPoints: { worker: 'pipeline/node/workers/worker-main.ts' },
  outdir: 'dist',
});
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
