/**
 * Reading a Firebot v5 profile from real files: Firebot's data folder, one profile folder, and real
 * zips written with yazl (a backup as Firebot lays it out, a zipped profile folder), and hostile
 * zips: `../` names, an entry past the size cap, an entry that lies about its size, not a zip.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIREBOT_FIXTURE, fixtureBackupZip, zipOf } from '../../../test/support/firebot-zip.js';
import { FIREBOT_FILES, MAX_FIREBOT_FILE_BYTES } from '../../core/firebot-format.js';
import { readFirebotPath, readFirebotZip } from './firebot-source.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-firebot-'));
  dirs.push(dir);
  return dir;
}

const fixtureText = (kind: keyof typeof FIREBOT_FILES) =>
  readFileSync(join(FIREBOT_FIXTURE, 'profiles', 'Main', FIREBOT_FILES[kind]), 'utf8');

describe('reading a Firebot profile', () => {
  it('reads the four files from Firebot’s data folder, a profile folder and a backup zip alike', async () => {
    const expected = {
      commands: fixtureText('commands'),
      timers: fixtureText('timers'),
      counters: fixtureText('counters'),
      quotes: fixtureText('quotes'),
    };
    expect(await readFirebotPath(FIREBOT_FIXTURE)).toEqual({ ok: true, profile: 'Main', files: expected });
    expect(await readFirebotPath(join(FIREBOT_FIXTURE, 'profiles', 'Main'))).toEqual({
      ok: true,
      profile: 'Main',
      files: expected,
    });

    const dir = tempDir();
    const backup = join(dir, 'firebot-backup.zip');
    writeFileSync(backup, await fixtureBackupZip());
    expect(await readFirebotPath(backup)).toEqual({ ok: true, profile: 'Main', files: expected });
    expect(await readFirebotZip(readFileSync(backup))).toEqual({ ok: true, profile: 'Main', files: expected });

    // A zipped profile folder without Firebot's layout around it.
    const zipped = await zipOf({ 'Main/chat/commands.json': expected.commands, 'Main/timers.json': expected.timers });
    expect(await readFirebotZip(zipped)).toEqual({
      ok: true,
      profile: 'Main',
      files: { commands: expected.commands, timers: expected.timers },
    });
  });

  it('asks which profile when there are several, and finds the one named', async () => {
    const dir = tempDir();
    cpSync(FIREBOT_FIXTURE, dir, { recursive: true });
    cpSync(join(dir, 'profiles', 'Main'), join(dir, 'profiles', 'Second'), { recursive: true });
    writeFileSync(join(dir, 'profiles', 'Second', 'timers.json'), '{}');
    const several = await readFirebotPath(dir);
    expect(several).toEqual({
      ok: false,
      errors: [expect.stringMatching(/several profiles \((Main, Second|Second, Main)\)/)],
    });
    const second = await readFirebotPath(dir, { profile: 'Second' });
    expect(second).toMatchObject({ ok: true, profile: 'Second', files: { timers: '{}' } });
    expect(await readFirebotPath(dir, { profile: 'Third' })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^profile: no profile "Third"/)],
    });
  });

  it('refuses a zip with a "../" entry name, whatever the entry is', async () => {
    // yazl refuses to write such a name, so the bytes are patched afterwards (same length; the CRC covers data only).
    const honest = await zipOf({ 'zz/chat/commands.json': '{"customCommands":{}}' });
    const hostile = Buffer.from(honest.toString('latin1').split('zz/chat/').join('../chat/'), 'latin1');
    expect(hostile.includes('../chat/commands.json')).toBe(true);
    const result = await readFirebotZip(hostile);
    expect(result).toEqual({ ok: false, errors: [expect.stringMatching(/^\(zip\): .*\.\./)] });
  });

  it('refuses an entry past the size cap without inflating it, and one that lies about its size', async () => {
    const zeros = Buffer.alloc(MAX_FIREBOT_FILE_BYTES + 1024);
    const bomb = await zipOf({ 'profiles/Main/db/quotes.db': zeros, 'profiles/Main/timers.json': '{}' });
    expect(bomb.length).toBeLessThan(100_000); // a zip bomb: tiny zip, big entry
    expect(await readFirebotZip(bomb)).toEqual({
      ok: false,
      errors: [`profiles/Main/db/quotes.db: larger than ${MAX_FIREBOT_FILE_BYTES} bytes`],
    });

    // The central directory says 100 bytes; the data inflates to 16 MB.
    const liar = Buffer.from(bomb);
    const central = liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(central).toBeGreaterThan(0);
    liar.writeUInt32LE(100, central + 24);
    const lied = await readFirebotZip(liar);
    expect(lied.ok).toBe(false);
    expect(lied).toMatchObject({
      errors: [expect.stringMatching(/^profiles\/Main\/db\/quotes\.db: .*(too many|size)/i)],
    });
  });

  it('refuses a profile file on disk past the size cap without reading it', async () => {
    const dir = tempDir();
    cpSync(join(FIREBOT_FIXTURE, 'profiles', 'Main'), dir, { recursive: true });
    writeFileSync(join(dir, 'timers.json'), Buffer.alloc(MAX_FIREBOT_FILE_BYTES + 1, 0x20));
    expect(await readFirebotPath(dir)).toEqual({
      ok: false,
      errors: [`timers.json: larger than ${MAX_FIREBOT_FILE_BYTES} bytes`],
    });
  });

  it('names what is wrong with something that is not a Firebot profile', async () => {
    expect(await readFirebotZip(Buffer.from('this is not a zip at all'))).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^\(zip\): not a readable zip/)],
    });
    const unrelated = await zipOf({ 'photos/cat.jpg': 'meow', 'notes.txt': 'hi' });
    expect(await readFirebotZip(unrelated)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^the zip: no Firebot profile found/)],
    });
    const dir = tempDir();
    expect(await readFirebotPath(join(dir, 'missing'))).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^path: .* does not exist$/)],
    });
  });
});
