import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointThread } from './checkpointer.js';
import { openReadConnection } from './database.js';
import { migratedDb, tempDir } from './test-support.js';
import type { WriteDb } from './database.js';

let temp: ReturnType<typeof tempDir>;
let db: WriteDb;
beforeEach(() => {
  temp = tempDir();
  db = migratedDb(temp.file);
});
afterEach(() => {
  if (db.open) db.close();
  temp.cleanup();
});

/** The WAL file's size; SQLite removes the file when the last connection closes. */
const walBytes = () => (fs.existsSync(`${temp.file}-wal`) ? fs.statSync(`${temp.file}-wal`).size : 0);
const writeRows = (from: number, count: number) => {
  const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = from; i < from + count; i++) insert.run(`key-${i}`, JSON.stringify('x'.repeat(500)));
  })();
};

describe('the WAL checkpointer', () => {
  it('the writer keeps a small page cache and never checkpoints inside its own commits', () => {
    expect(db.pragma('cache_size', { simple: true })).toBe(-2048);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // Well past the default 1000-page threshold: with auto-checkpoint on, a commit would have reset the WAL.
    for (let round = 0; round < 10; round++) writeRows(round * 1000, 1000);
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(row!.log).toBeGreaterThan(1000);
  });
});

describe('the checkpoint thread', () => {
  it('copies committed pages into the database file from its own thread, and empties the WAL when it stops', async () => {
    const dbFileBytes = () => fs.statSync(temp.file).size;
    const before = dbFileBytes();
    const thread = startCheckpointThread(temp.file, { intervalMs: 20 });
    try {
      writeRows(0, 3000); // ~1.5 MB, in the WAL only: this connection never checkpoints
      expect(walBytes()).toBeGreaterThan(1_000_000);
      // A reader open meanwhile is not blocked (PASSIVE copies around it) and sees every row.
      const reader = openReadConnection(temp.file);
      try {
        // Only a checkpoint grows the database file; nothing on this thread runs one.
        await expect.poll(dbFileBytes, { timeout: 10_000 }).toBeGreaterThan(before + 1_000_000);
        expect(reader.prepare('SELECT COUNT(*) AS n FROM settings WHERE key LIKE ?').get('key-%')).toEqual({ n: 3000 });
      } finally {
        reader.close();
      }
    } finally {
      db.close();
      await thread.stop();
    }
    expect(walBytes()).toBe(0);
    const reader = openReadConnection(temp.file);
    try {
      expect(reader.prepare('SELECT COUNT(*) AS n FROM settings WHERE key LIKE ?').get('key-%')).toEqual({ n: 3000 });
    } finally {
      reader.close();
    }
  });
});
