/**
 * `counter_changes` (one row per chat event that changed a counter, so a retried step never counts
 * twice) goes with the events' retention: the store's prune deletes it with the events (at start and hourly).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PipelineHost } from '../host/pipeline-host.js';
import { openReadConnection, openWriteConnection } from '../store/database.js';
import { migratedDb, tempDir } from '../store/test-support.js';
import { createStoreWriter } from '../store/writer.js';
import { waitUntil } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DAY = 86_400_000;
const change = (eventId: string, at: number) =>
  ({ op: 'counter.change', eventId, name: 'hugs', scopeKey: '', mode: 'add', amount: 1, at }) as const;

it('forgets the changes made before the cut-off, and still counts a retried recent one once', async () => {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  const db = migratedDb(temp.file);
  const writer = createStoreWriter(db);
  cleanups.push(() => writer.close());
  await writer.write([change('old-event', 1_000), change('recent-event', 5_000)]);
  await writer.prune({ before: 2_000 });
  const left = db.prepare('SELECT event_id AS id FROM counter_changes').all() as { id: string }[];
  expect(left).toEqual([{ id: 'recent-event' }]);
  await writer.write([change('recent-event', 5_000)]); // a retry
  expect(db.prepare("SELECT value FROM counter_values WHERE name = 'hugs'").get()).toEqual({ value: 2 });
});

it('the host prunes counter changes older than the retention when it starts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-counter-prune-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () => PipelineHost.start({ dataDir, log: () => undefined, twitch: { enabled: false } });
  const first = await start();
  await first.api['settings.set']({ key: 'retentionDays', value: 7 });
  await first.stop();

  const db = openWriteConnection(join(dataDir, 'bitbrat.db'));
  const insert = db.prepare(
    "INSERT INTO counter_changes (event_id, name, scope_key, value_after, at) VALUES (?, 'deaths', '', 1, ?)",
  );
  insert.run('eight-days-ago', Date.now() - 8 * DAY);
  insert.run('six-days-ago', Date.now() - 6 * DAY);
  db.close();

  const host = await start();
  cleanups.push(() => host.stop());
  const reader = openReadConnection(join(dataDir, 'bitbrat.db'));
  cleanups.push(() => void reader.close());
  const ids = () =>
    (reader.prepare('SELECT event_id AS id FROM counter_changes').all() as { id: string }[]).map((r) => r.id);
  await waitUntil('the old counter change is pruned', () => !ids().includes('eight-days-ago'), 15_000);
  expect(ids()).toEqual(['six-days-ago']);
});
