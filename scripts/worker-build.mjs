// The pipeline workers' esbuild options: one entry per role (pipeline/node/workers/entries/<role>.ts →
// dist/workers/<role>.js) with code splitting, so what the roles share (zod, core, the rpc layer) is one
// chunk on disk and each role's isolate loads only the modules its role imports; the libraries one
// role needs (openai in the phase workers, discord.js and tmi.js in egress, twurple) are chunks the
// other roles never load. scripts/build.mjs builds them; electron/main/worker-bundle.test.ts builds
// the same options in memory and reads the metafile to check what each role can load.
//
// The workers bundle their dependencies (zod, ws, tmi.js, @twurple/*, openai ..., including the ones
// loaded lazily with import()) and keep only better-sqlite3 outside. Why: in the installed app the
// workers run from app.asar.unpacked/dist/workers/ (worker threads start from a real file), where
// Node resolves bare imports in app.asar.unpacked/node_modules only, and only what
// electron-builder.yml asarUnpack lists is there: the native module, plus tmi.js because
// irc-normalize.ts require()s tmi.js/lib/parser.js by path at run time, out of esbuild's sight.
// Unpacking every dependency instead would put most of node_modules outside the asar; self-contained
// bundles are smaller and need no long list kept in step. bufferutil and utf-8-validate are optional
// native speed-ups that ws require()s inside try/catch: left out, ws uses its JavaScript fallback;
// `encoding` is the same for node-fetch (tmi.js), and `zlib-sync` for discord.js (without it the
// Discord gateway runs uncompressed). worker-bundle.test.ts checks that the bundles import nothing else.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entriesDir = 'pipeline/node/workers/entries';

/** Where the role bundles go, relative to the package root (worker-file.ts looks there). */
export const WORKERS_OUT_DIR = 'dist/workers';

/** One entry per file in entries/: its name is the role. */
export function workerEntryPoints() {
  return Object.fromEntries(
    readdirSync(path.join(root, entriesDir))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => [path.basename(file, '.ts'), `${entriesDir}/${file}`]),
  );
}

export function workerBuildOptions() {
  return {
    absWorkingDir: root,
    entryPoints: workerEntryPoints(),
    outdir: WORKERS_OUT_DIR,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'encoding', 'zlib-sync'],
    // sentiment require()s non-English word lists by a computed path; we use its built-in English.
    logOverride: { 'empty-glob': 'silent' },
    logLevel: 'warning',
    // Bundled CommonJS (tmi.js, ws ...) calls require() for Node built-ins; ESM has none, so each
    // file makes one. With splitting the banner goes at the top of every chunk, which is what we want.
    banner: {
      js: "import { createRequire as __bitbratRequire } from 'node:module'; const require = __bitbratRequire(import.meta.url);",
    },
  };
}
