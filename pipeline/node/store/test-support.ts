/** Helpers for the store's tests: temp folders with real SQLite files, and envelopes built as ingress builds them. */
import fs from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { acceptInbound, type Envelope, type InboundEvent, KnownEventTypes } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { finish, type StepTransition } from '../../core/slip.js';
import { openReadConnection, openWriteConnection, type WriteDb } from './database.js';
import { createStoreReader, type StoreReader } from './reader.js';
import { createStoreWriter, type StoreLog, type StoreWriter } from './writer.js';
import { migrate } from './migrations.js';
import { TWITCH_CHAT_CONNECTOR } from '../../core/protocol/twitch.js';

export function tempDir(): { dir: string; file: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-store-'));
  return { dir, file: path.join(dir, 'bitbrat.db'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An empty database file of its own for each test in the file (a write connection, not migrated:
 * migration tests build the version they start from), closed and removed after the test.
 */
export function emptyDbPerTest(): { readonly db: WriteDb; readonly file: string } {
  let temp: ReturnType<typeof tempDir> | undefined;
  let db: WriteDb | undefined;
  beforeEach(() => {
    temp = tempDir();
    db = openWriteConnection(temp.file);
  });
  afterEach(() => {
    db?.close();
    temp?.cleanup();
  });
  return {
    get db() {
      if (!db) throw new Error('emptyDbPerTest: used outside a test');
      return db;
    },
    get file() {
      if (!temp) throw new Error('emptyDbPerTest: used outside a test');
      return temp.file;
    },
  };
}

/**
 * A migrated database file of its own for each test in the file, with the writer and a reader on
 * it (both log their warnings into `warnings`), closed and removed after the test.
 */
export function storePerTest(): {
  readonly db: WriteDb;
  readonly file: string;
  readonly writer: StoreWriter;
  readonly reader: StoreReader;
  readonly warnings: string[];
} {
  let current: { temp: ReturnType<typeof tempDir>; db: WriteDb; writer: StoreWriter; reader: StoreReader } | undefined;
  const warnings: string[] = [];
  const log: StoreLog = (level, message) => {
    if (level === 'warn') warnings.push(message);
  };
  beforeEach(() => {
    warnings.length = 0;
    const temp = tempDir();
    const db = migratedDb(temp.file);
    current = {
      temp,
      db,
      writer: createStoreWriter(db, { log }),
      reader: createStoreReader(openReadConnection(temp.file), { log }),
    };
  });
  afterEach(async () => {
    current?.reader.close();
    await current?.writer.close();
    current?.temp.cleanup();
    current = undefined;
  });
  const now = () => {
    if (!current) throw new Error('storePerTest: used outside a test');
    return current;
  };
  return {
    get db() {
      return now().db;
    },
    get file() {
      return now().temp.file;
    },
    get writer() {
      return now().writer;
    },
    get reader() {
      return now().reader;
    },
    warnings,
  };
}

/** The router's `event.log` rows for these step transitions: one per event, in the order given. */
export function logOps(transitions: readonly StepTransition[]): StoreWrite[] {
  const byEvent = new Map<string, Omit<StepTransition, 'eventId'>[]>();
  for (const { eventId, ...transition } of transitions) {
    let list = byEvent.get(eventId);
    if (!list) byEvent.set(eventId, (list = []));
    list.push(transition);
  }
  return [...byEvent].map(([eventId, list]) => ({
    op: 'event.log',
    entry: { eventId, at: list.at(-1)!.at, stage: list.at(-1)!.stage, transitions: list, delta: null },
  }));
}

export function migratedDb(file: string): WriteDb {
  const db = openWriteConnection(file);
  migrate(db);
  return db;
}

export function chatEvent(
  options: {
    text?: string;
    login?: string;
    at?: number;
    type?: string;
    disposition?: Parameters<typeof finish>[1];
  } = {},
): Envelope {
  const login = options.login ?? 'viewer1';
  const inbound: InboundEvent = {
    type: options.type ?? KnownEventTypes.chatMessage,
    ingress: {
      connector: TWITCH_CHAT_CONNECTOR,
      channel: 'streamer',
      ...(options.at !== undefined ? { at: options.at } : {}),
    },
    identity: { external: { id: `id-${login.toLowerCase()}`, login, displayName: login, roles: ['viewer'] } },
    message: { text: options.text ?? 'hello world' },
  };
  const result = acceptInbound(inbound, Date.now(), () => crypto.randomUUID());
  if (!result.ok) throw new Error(result.error);
  if (options.disposition) finish(result.value, options.disposition, 'test');
  return result.value;
}
