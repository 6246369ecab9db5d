/**
 * Where a role's bundled worker entry is: dist/workers/<role>.js (one bundle per role, see
 * scripts/worker-build.mjs). The CLI runs from dist/ (workers/ sits beside it); tests and tools run
 * the sources, so we walk up to the package root and use its dist/.
 *
 * In the installed desktop app the package root is `resources/app.asar`. Electron's fs can read
 * inside that archive, but a worker thread is started from a real file and a native module is
 * dlopen()ed from one, so the worker entry and what it loads are unpacked to
 * `resources/app.asar.unpacked/` (electron-builder.yml `asarUnpack`): we start that copy.
 * https://www.electron.build/configuration#asarUnpack
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerRole } from '../../core/protocol/pipeline.js';

const ASAR = `${sep}app.asar${sep}`;
const ASAR_UNPACKED = `${sep}app.asar.unpacked${sep}`;

/** The app.asar.unpacked twin of a path inside app.asar, when that file exists; else the path itself. */
export function unpackedPath(file: string): string {
  const at = file.lastIndexOf(ASAR);
  if (at < 0) return file;
  const twin = file.slice(0, at) + ASAR_UNPACKED + file.slice(at + ASAR.length);
  return existsSync(twin) ? twin : file;
}

export function workerFileUrl(role: WorkerRole, from: string = import.meta.url): URL {
  const entry = join('workers', `${role}.js`);
  let dir = dirname(fileURLToPath(from));
  const beside = join(dir, entry);
  if (existsSync(beside)) return pathToFileURL(unpackedPath(beside));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'bitbrat-desktop') {
      const built = join(dir, 'dist', entry);
      if (!existsSync(built)) throw new Error(`the pipeline is not built (${built} is missing): run \`npm run build\``);
      return pathToFileURL(unpackedPath(built));
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the pipeline worker (dist/${entry}): run \`npm run build\``);
}
