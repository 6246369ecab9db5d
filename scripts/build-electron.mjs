// Bundles the Electron shell with esbuild:
//  - electron/main/main.ts       → dist/electron/main.js   (ESM; electron and node_modules stay external)
//  - electron/preload/preload.ts → dist/electron/preload.cjs (ONE CommonJS file: a sandboxed preload
//    cannot require modules, https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts)
// and copies the tray and window icons from build/icons next to them.
// scripts/build.mjs calls buildElectron(); `node scripts/build-electron.mjs` runs it alone.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const defaultOutDir = path.join(root, 'dist', 'electron');

/** @param {{ outDir?: string, minify?: boolean }} [options] */
export async function buildMain(options = {}) {
  const outDir = options.outDir ?? defaultOutDir;
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'electron/main/main.ts' },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    // Electron 45 ships Node 22.
    target: 'node22',
    format: 'esm',
    sourcemap: true,
    minify: options.minify ?? false,
    packages: 'external',
    external: ['electron'],
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __bitbratRequire } from 'node:module'; const require = __bitbratRequire(import.meta.url);",
    },
  });
  return path.join(outDir, 'main.js');
}

/** @param {{ outDir?: string, minify?: boolean }} [options] */
export async function buildPreload(options = {}) {
  const outDir = options.outDir ?? defaultOutDir;
  await build({
    absWorkingDir: root,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: path.join(outDir, 'preload.cjs'),
    bundle: true,
    // The sandboxed preload runs in a renderer with a tiny `require` that knows only electron's modules.
    platform: 'browser',
    target: 'chrome140',
    format: 'cjs',
    sourcemap: true,
    minify: options.minify ?? false,
    external: ['electron'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'preload.cjs');
}

/** @param {{ outDir?: string }} [options] */
export function copyShellIcons(options = {}) {
  const outDir = options.outDir ?? defaultOutDir;
  const icons = path.join(outDir, 'icons');
  mkdirSync(icons, { recursive: true });
  for (const [from, to] of [
    ['build/icons/32x32.png', 'tray.png'],
    ['build/icons/64x64.png', 'tray@2x.png'],
    ['build/icons/512x512.png', 'icon.png'],
  ]) {
    const source = path.join(root, from);
    if (existsSync(source)) copyFileSync(source, path.join(icons, to));
  }
}

/** Builds main, preload and icons into dist/electron. @param {{ outDir?: string, minify?: boolean }} [options] */
export async function buildElectron(options = {}) {
  const [main, preload] = await Promise.all([buildMain(options), buildPreload(options)]);
  copyShellIcons(options);
  return { main, preload };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildElectron();
}
