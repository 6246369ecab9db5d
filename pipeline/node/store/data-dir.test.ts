/**
 * The data folder's lock and modes, with real processes: the built CLI as the other BitBrat,
 * SIGKILL, and a stale PID lock file naming a process that is alive but is not BitBrat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineHost } from '../host/pipeline-host.js';
import { LOCK_FILE } from './data-dir.js';

const bin = fileURLToPath(new URL('../../../bin/bitbrat.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-datadir-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serveChild(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('#token=')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

const mode = (path: string) => statSync(path).mode & 0o777;
const quiet = { log: () => undefined, twitch: { enabled: false } };

describe('data folder lock', () => {
  it('refuses a second BitBrat while the first runs, naming it; starts as soon as the first is SIGKILLed', async () => {
    const dir = tempDir();
    const first = await serveChild(dir);
    const refused = await PipelineHost.start({ dataDir: dir, ...quiet }).then(
      async (host) => {
        await host.stop();
        return null;
      },
      (error: unknown) => error as Error & { code?: string },
    );
    expect(refused?.code).toBe('DATA_DIR_IN_USE');
    expect(refused?.message).toContain(`process ${first.pid}`);
    expect(refused?.message).toMatch(/if no BitBrat is running/);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // The OS drops a dead process's lock with the process: the next start succeeds at once.
    const host = await PipelineHost.start({ dataDir: dir, ...quiet });
    await host.stop();
  });

  it('is not fooled by an old PID lock file whose PID now belongs to another live process', async () => {
    const dir = tempDir();
    // A live process that is not BitBrat (after a crash and a reboot the old PID is often reused).
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    await new Promise((resolve) => other.once('spawn', resolve));
    writeFileSync(join(dir, LOCK_FILE), String(other.pid));
    const host = await PipelineHost.start({ dataDir: dir, ...quiet });
    await host.stop();
  });
});

describe('data folder modes', () => {
  it('creates the folder 0700 and every file 0600, fixing an older folder at start', async () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(join(dir, 'backups'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'backups', 'old.json'), '{}', { mode: 0o644 });
    writeFileSync(join(dir, 'notes.txt'), 'x', { mode: 0o644 });
    const host = await PipelineHost.start({ dataDir: dir, ...quiet });
    try {
      await host.flush();
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, 'backups'))).toBe(0o700);
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      const names = files.map((entry) => entry.name);
      expect(names).toEqual(expect.arrayContaining(['bitbrat.db', 'bitbrat.db-wal', 'bitbrat.db-shm', 'old.json']));
      for (const entry of files)
        expect([entry.name, mode(join(entry.parentPath, entry.name))]).toEqual([entry.name, 0o600]);
    } finally {
      await host.stop();
    }
  });
});
