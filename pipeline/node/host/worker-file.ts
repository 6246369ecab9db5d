/**
 * Where the bundled worker entry is. The CLI runs from dist/ (the worker sits beside it); tests
 * and tools run the sources, so we walk up to the package root and use its dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function workerFileUrl(from: string = import.meta.url): URL {
  let dir = dirname(fileURLToPath(from));
  const beside = join(dir, 'worker.js');
  if (existsSync(beside)) return pathToFileURL(beside);
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'bitbrat-desktop') {
      const built = join(dir, 'dist', 'worker.js');
      if (!existsSync(built)) throw new Error(`the pipeline is not built (${built} is missing): run \`npm run build\``);
      return pathToFileURL(built);
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the pipeline worker (dist/worker.js): run `npm run build`');
}
