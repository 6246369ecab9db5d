/**
 * Backups with SQLite's online backup API on real files: one at start, pruned to the newest N,
 * restored at the next start when the console asks, or by `bitbrat restore` only while stopped.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PipelineHost } from '../host/pipeline-host.js';
import { openReadConnection } from '../store/database.js';
import { migratedDb } from '../store/test-support.js';
import { backupFolder, checkBackupFile, createBackup, listBackups } from './backups.js';
import { useTestHosts } from '../../../test/support/test-hosts.js';
import { waitUntil } from '../../../test/support/wait.js';

const bin = fileURLToPath(new URL('../../../bin/bitbrat.js', import.meta.url));
const { tempDir, startHost } = useTestHosts('bitbrat-backups-');
const deaths = async (host: PipelineHost) =>
  (await host.api['counters.values']({ name: 'deaths' })).find((value) => value.scopeKey === '')?.value ?? 0;

describe('backups', () => {
  it('keeps only the newest N copies, each a complete database', async () => {
    const dataDir = tempDir();
    const db = migratedDb(join(dataDir, 'bitbrat.db'));
    try {
      const made = [];
      for (let i = 0; i < 4; i++)
        made.push(await createBackup(db, dataDir, { keep: 2, now: Date.UTC(2026, 0, 1, 0, 0, i) }));
      expect(listBackups(dataDir).map((backup) => backup.file)).toEqual([made[3]!.file, made[2]!.file]);
      expect(made[3]!.file).toBe('bitbrat-20260101-000003.db');
      expect(checkBackupFile(join(backupFolder(dataDir), made[3]!.file))).toEqual({ ok: true });
      const copy = openReadConnection(join(backupFolder(dataDir), made[3]!.file));
      expect(copy.prepare('SELECT name FROM counters').all()).toEqual([{ name: 'deaths' }]);
      copy.close();
    } finally {
      db.close();
    }
    const junk = join(dataDir, 'junk.db');
    writeFileSync(junk, 'not a database');
    expect(checkBackupFile(junk)).toEqual({ ok: false, error: expect.stringMatching(/^file: /) });
  });

  it('backs up at start; a restore the console schedules is applied at the next start', async () => {
    const dataDir = tempDir();
    let host = await startHost(dataDir);
    await host.api['counters.setValue']({ name: 'deaths', value: 7 });
    const made = await host.api['backups.create']({});
    if (!made.ok) throw new Error(made.error);
    const atStart = await waitUntil('two backups', () => {
      const list = listBackups(dataDir);
      return list.length >= 2 && list;
    });
    expect(atStart.length).toBeGreaterThanOrEqual(2);
    await host.api['counters.setValue']({ name: 'deaths', value: 99 });

    expect(await host.api['backups.restore']({ file: '../bitbrat.db', moderator: 'mod' })).toEqual({
      ok: false,
      error: expect.stringMatching(/^file: /),
    });
    const scheduled = await host.api['backups.restore']({ file: made.value.file, moderator: 'mod' });
    expect(scheduled).toMatchObject({ ok: true, value: { file: made.value.file, by: 'mod' } });
    expect((await host.api['backups.list']({})).pending?.file).toBe(made.value.file);
    expect(await deaths(host)).toBe(99); // nothing changes under the running app

    await host.stop();
    host = await startHost(dataDir);
    expect(await deaths(host)).toBe(7);
    expect((await host.api['backups.list']({})).pending).toBeNull();
    expect(readdirSync(dataDir).some((name) => name.startsWith('bitbrat.db.before-restore-'))).toBe(true);
  });

  it('bitbrat restore refuses while BitBrat runs and restores once it stopped', async () => {
    const dataDir = tempDir();
    const host = await startHost(dataDir);
    await host.api['counters.setValue']({ name: 'deaths', value: 3 });
    const made = await host.api['backups.create']({});
    if (!made.ok) throw new Error(made.error);
    await host.api['counters.setValue']({ name: 'deaths', value: 4 });
    const file = join(backupFolder(dataDir), made.value.file);

    const refused = spawnSync(process.execPath, [bin, 'restore', file, '--data-dir', dataDir], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/refused: another BitBrat/);

    await host.stop();
    const done = spawnSync(process.execPath, [bin, 'restore', file, '--data-dir', dataDir], { encoding: 'utf8' });
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/^restored bitbrat-\d{8}-\d{6}(?:-\d+)?\.db into /);
    const again = await startHost(dataDir);
    expect(await deaths(again)).toBe(3);
  });
});
