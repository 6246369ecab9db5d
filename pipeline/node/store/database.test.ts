import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DatabaseCorruptError,
  DatabaseLockedError,
  DatabaseNotADatabaseError,
  DatabaseUnavailableError,
  openReadConnection,
  openWriteConnection,
} from './database.js';
import { migrate, seedIfEmpty } from './migrations.js';
import { tempDir } from './test-support.js';

let temp: ReturnType<typeof tempDir>;
let holder: ChildProcess | undefined;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => {
  holder?.kill();
  holder = undefined;
  temp.cleanup();
});

/** A real database with some rows, closed, in rollback-journal mode so the file alone is the whole database. */
function populatedFile(file: string, journalMode: 'delete' | 'wal' = 'delete'): void {
  const db = openWriteConnection(file);
  migrate(db);
  const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`key-${i}`, JSON.stringify('x'.repeat(100)));
  })();
  db.pragma(`journal_mode = ${journalMode}`);
  db.close();
}

function expectUnchanged(file: string, open: () => unknown, errorType: new (...args: never[]) => Error): Error {
  const before = fs.readFileSync(file);
  let caught: unknown;
  try {
    open();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorType);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  return caught as Error;
}

describe('openWriteConnection', () => {
  it('creates the parent folder and sets the writer pragmas', () => {
    const file = path.join(temp.dir, 'nested', 'deeper', 'bitbrat.db');
    const db = openWriteConnection(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('refuses a damaged file with DatabaseCorruptError and leaves its bytes alone', () => {
    populatedFile(temp.file);
    const bytes = fs.readFileSync(temp.file);
    // Scribble over pages in the middle of the file, as a disk fault would.
    bytes.fill(0x41, 4096 * 3, 4096 * 3 + 300);
    fs.writeFileSync(temp.file, bytes);
    const error = expectUnchanged(temp.file, () => openWriteConnection(temp.file), DatabaseCorruptError);
    expect(error.message).toContain(temp.file);
    expect(error.message).toMatch(/backup/);
    expect((error as DatabaseCorruptError).code).toBe('DATABASE_CORRUPT');
  });

  it('refuses a file that is not a database with DatabaseNotADatabaseError', () => {
    fs.writeFileSync(temp.file, 'these are my stream notes, not a database\n'.repeat(200));
    const error = expectUnchanged(temp.file, () => openWriteConnection(temp.file), DatabaseNotADatabaseError);
    expect(error.message).toContain(temp.file);
    expectUnchanged(temp.file, () => openReadConnection(temp.file), DatabaseNotADatabaseError);
  });

  it.each(['delete', 'wal'] as const)(
    'refuses a file another process is writing (%s journal) with DatabaseLockedError',
    async (journalMode) => {
      populatedFile(temp.file, journalMode);
      const before = fs.readFileSync(temp.file);
      // Another program holds the write lock: a real second process, as a second BitBrat would be.
      const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
      const script = `
      const Database = require(${JSON.stringify(betterSqlite)});
      const db = new Database(${JSON.stringify(temp.file)});
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      process.stdin.on('data', () => {});
      process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });
    `;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      holder = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('locked')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
      });
      let caught: unknown;
      try {
        openWriteConnection(temp.file);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DatabaseLockedError);
      expect((caught as Error).message).toContain(temp.file);
      expect((caught as Error).message).toMatch(/already running/);
      expect(fs.readFileSync(temp.file).equals(before)).toBe(true);

      // Once the other program lets go, the same file opens normally.
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.stdin!.end();
      await exited;
      holder = undefined;
      const db = openWriteConnection(temp.file);
      expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 2000 });
      db.close();
    },
  );
});

describe('branded connections', () => {
  it('opens readers read-only, and the compiler refuses a reader where a writer is needed', () => {
    const writer = openWriteConnection(temp.file);
    migrate(writer);
    const reader = openReadConnection(temp.file);
    try {
      expect(() => reader.exec("INSERT INTO settings (key, value) VALUES ('a', '1')")).toThrow(/readonly/);
      // @ts-expect-error a ReadDb is not a WriteDb: every function that writes needs the writer.
      expect(() => seedIfEmpty(reader, { rules: [], commands: [] })).toThrow(/readonly/);
    } finally {
      reader.close();
      writer.close();
    }
  });
});

describe('unusable paths', () => {
  it('reports a folder where the file should be as DatabaseUnavailableError', () => {
    fs.mkdirSync(temp.file);
    expect(() => openWriteConnection(temp.file)).toThrow(DatabaseUnavailableError);
    expect(() => openReadConnection(path.join(temp.dir, 'missing.db'))).toThrow(DatabaseUnavailableError);
  });
});
