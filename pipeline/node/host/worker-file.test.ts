import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { unpackedPath, workerFileUrl } from './worker-file.js';

let root: string;

function write(file: string, content = ''): string {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

/** resources/app.asar as electron-builder lays it out, as a plain folder (no asar fs here). */
function packagedLayout(options: { unpacked: boolean }) {
  root = mkdtempSync(path.join(tmpdir(), 'bitbrat-worker-file-'));
  write('resources/app.asar/package.json', JSON.stringify({ name: 'bitbrat-desktop' }));
  const main = write('resources/app.asar/dist/electron/main.js');
  write('resources/app.asar/dist/workers/store.js');
  if (options.unpacked) write('resources/app.asar.unpacked/dist/workers/store.js');
  return pathToFileURL(main).href;
}

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('workerFileUrl in the packaged app', () => {
  it('uses the unpacked worker when app.asar.unpacked has it', () => {
    const from = packagedLayout({ unpacked: true });
    expect(workerFileUrl('store', from).href).toBe(
      pathToFileURL(path.join(root, 'resources', 'app.asar.unpacked', 'dist', 'workers', 'store.js')).href,
    );
  });

  it('keeps the path inside app.asar when nothing was unpacked', () => {
    const from = packagedLayout({ unpacked: false });
    expect(workerFileUrl('store', from).href).toBe(
      pathToFileURL(path.join(root, 'resources', 'app.asar', 'dist', 'workers', 'store.js')).href,
    );
  });

  it('maps a worker beside the bundle too, and leaves other paths alone', () => {
    root = mkdtempSync(path.join(tmpdir(), 'bitbrat-worker-file-'));
    const cli = write('app.asar/dist/cli.js');
    write('app.asar/dist/workers/store.js');
    const twin = write('app.asar.unpacked/dist/workers/store.js');
    expect(workerFileUrl('store', pathToFileURL(cli).href).href).toBe(pathToFileURL(twin).href);
    const plain = write('dist/workers/store.js');
    expect(unpackedPath(plain)).toBe(plain);
    // `my.app.asar` is not the archive.
    const lookalike = write('my.app.asar/dist/workers/store.js');
    expect(unpackedPath(lookalike)).toBe(lookalike);
  });

  it('starts each role from its own bundle', () => {
    const from = packagedLayout({ unpacked: true });
    write('resources/app.asar/dist/workers/router.js');
    write('resources/app.asar.unpacked/dist/workers/router.js');
    expect(workerFileUrl('router', from).href).toBe(
      pathToFileURL(path.join(root, 'resources', 'app.asar.unpacked', 'dist', 'workers', 'router.js')).href,
    );
  });
});
