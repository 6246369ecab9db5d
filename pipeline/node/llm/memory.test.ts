import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PERSONA } from '../../core/llm.js';
import { channelMemoryKey, createLlmMemory, userMemoryKey } from './memory.js';
import { createPersonaStore } from './personas.js';
import { openLlmTestDb, type LlmTestDb } from './test-db.js';

let db: LlmTestDb;
afterEach(() => db?.remove());

function memoryOver(current: LlmTestDb, bounds = { maxEntries: 3, maxChars: 100 }) {
  return createLlmMemory({ db: current.reader, write: (op) => current.write(op), bounds: () => bounds });
}

describe('llm memory', () => {
  it('keeps the newest entries within the count bound, oldest first', () => {
    db = openLlmTestDb();
    const memory = memoryOver(db);
    for (let i = 1; i <= 5; i++) memory.remember('user', 'twitch:1', 'user', `line ${i}`, i);
    expect(memory.recall('user', 'twitch:1').map((e) => e.text)).toEqual(['line 3', 'line 4', 'line 5']);
    // Pruned on disk, not just hidden on read.
    expect(db.reader.prepare('SELECT count(*) AS n FROM memory').get()).toEqual({ n: 3 });
  });

  it('keeps the newest entries within the character bound and cuts a single long entry', () => {
    db = openLlmTestDb();
    const memory = memoryOver(db, { maxEntries: 10, maxChars: 25 });
    memory.remember('channel', 'c', 'user', 'aaaaaaaaaa', 1);
    memory.remember('channel', 'c', 'assistant', 'bbbbbbbbbb', 2);
    memory.remember('channel', 'c', 'user', 'cccccccccc', 3);
    expect(memory.recall('channel', 'c').map((e) => e.text)).toEqual(['bbbbbbbbbb', 'cccccccccc']);
    memory.remember('channel', 'c', 'user', 'x'.repeat(60), 4);
    expect(memory.recall('channel', 'c').map((e) => e.text)).toEqual(['x'.repeat(25)]);
  });

  it('is in the order things were said, whatever order the rows were stored in, and prunes the oldest said', () => {
    db = openLlmTestDb();
    const memory = memoryOver(db, { maxEntries: 2, maxChars: 100 });
    // The bot's line (router) can reach the store before the viewer's line it answers (reaction worker).
    memory.remember('user', 'twitch:1', 'assistant', 'answer one', 20);
    memory.remember('user', 'twitch:1', 'user', 'question one', 10);
    expect(memory.recall('user', 'twitch:1').map((e) => e.text)).toEqual(['question one', 'answer one']);
    memory.remember('user', 'twitch:1', 'user', 'question two', 30);
    expect(memory.recall('user', 'twitch:1').map((e) => e.text)).toEqual(['answer one', 'question two']);
    expect(memory.view({ scope: 'user' }).map((e) => e.text)).toEqual(['question two', 'answer one']);
  });

  it('keeps scopes and keys apart', () => {
    db = openLlmTestDb();
    const memory = memoryOver(db);
    memory.remember('user', 'twitch:1', 'user', 'mine', 1);
    memory.remember('user', 'twitch:2', 'user', 'theirs', 2);
    memory.remember('channel', 'twitch:1', 'user', 'channel line', 3);
    expect(memory.recall('user', 'twitch:1').map((e) => e.text)).toEqual(['mine']);
    expect(memory.recall('channel', 'twitch:1').map((e) => e.text)).toEqual(['channel line']);
  });

  it('survives a restart (the file is reopened)', () => {
    db = openLlmTestDb();
    memoryOver(db).remember('user', 'twitch:1', 'assistant', 'remember me', 42);
    db = db.reopen();
    const entries = memoryOver(db).recall('user', 'twitch:1');
    expect(entries).toMatchObject([
      { scope: 'user', scopeKey: 'twitch:1', role: 'assistant', text: 'remember me', at: 42 },
    ]);
  });

  it('can be viewed and cleared per key, per scope and entirely', () => {
    db = openLlmTestDb();
    const memory = memoryOver(db);
    memory.remember('user', 'a', 'user', 'a1', 1);
    memory.remember('user', 'b', 'user', 'b1', 2);
    memory.remember('channel', 'c', 'user', 'c1', 3);
    expect(memory.view().map((e) => e.text)).toEqual(['c1', 'b1', 'a1']);
    expect(memory.view({ scope: 'user' }).map((e) => e.text)).toEqual(['b1', 'a1']);
    memory.clear('user', 'a');
    expect(memory.view().map((e) => e.text)).toEqual(['c1', 'b1']);
    memory.clear('user');
    expect(memory.view().map((e) => e.text)).toEqual(['c1']);
    memory.clear();
    expect(memory.view()).toEqual([]);
  });

  it('applies smaller bounds on read when settings shrank', () => {
    db = openLlmTestDb();
    for (let i = 1; i <= 3; i++) memoryOver(db).remember('user', 'k', 'user', `line ${i}`, i);
    expect(
      memoryOver(db, { maxEntries: 1, maxChars: 100 })
        .recall('user', 'k')
        .map((e) => e.text),
    ).toEqual(['line 3']);
    expect(memoryOver(db, { maxEntries: 0, maxChars: 100 }).recall('user', 'k')).toEqual([]);
  });

  it('builds stable keys', () => {
    expect(userMemoryKey('twitch', '123')).toBe('twitch:123');
    expect(channelMemoryKey('twitch-chat', '#SomeChannel')).toBe('twitch-chat:somechannel');
  });
});

describe('persona store', () => {
  it('saves, reads after a restart, lists and deletes personas', () => {
    db = openLlmTestDb();
    const store = createPersonaStore({ db: db.reader, write: (op) => db.write(op), now: () => 5 });
    const saved = store.upsert({
      id: 'pirate',
      name: 'Captain',
      instructions: 'Talk like a pirate.',
      replyLength: 200,
    });
    expect(saved.ok).toBe(true);
    db = db.reopen();
    const reopened = createPersonaStore({ db: db.reader, write: (op) => db.write(op) });
    expect(reopened.get('pirate')).toMatchObject({
      fallback: false,
      persona: { name: 'Captain', replyLength: 200, do: [] },
    });
    expect(reopened.list().map((p) => p.id)).toEqual(['default', 'pirate']);
    reopened.delete('pirate');
    expect(reopened.get('pirate')).toMatchObject({ fallback: true, persona: DEFAULT_PERSONA });
  });

  it('refuses an invalid persona with a clear error and falls back on an unreadable row', () => {
    db = openLlmTestDb();
    const store = createPersonaStore({ db: db.reader, write: (op) => db.write(op) });
    const bad = store.upsert({ id: 'Bad Id', name: '', replyLength: 900 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/id:.*name:|id:/);
    db.writer.prepare("INSERT INTO personas (id, json, updated_at) VALUES ('broken', '{not json', 1)").run();
    const lookup = store.get('broken');
    expect(lookup).toMatchObject({ fallback: true, persona: { id: 'default' } });
    if (lookup.fallback) expect(lookup.note).toContain('unreadable');
    expect(store.get(undefined)).toMatchObject({ fallback: false, persona: { id: 'default' } });
  });
});
