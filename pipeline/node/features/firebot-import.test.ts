/**
 * Importing a Firebot v5 profile into a real host: the fixture profile (test/data/firebot) as an
 * uploaded backup zip and as a folder, previewed first (nothing changes), then applied in one
 * batch and used by the pipeline at once; every item or effect left out is reported with why;
 * a broken file imports nothing; `bitbrat import-firebot` refuses while BitBrat runs.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_FIREBOT_UPLOAD_BYTES } from '../../core/firebot-format.js';
import { HostApiParams } from '../../core/host-api.js';
import { FIREBOT_FIXTURE, fixtureBackupZip, zipOf } from '../../../test/support/firebot-zip.js';
import { replyTo, useTestHosts } from '../../../test/support/test-hosts.js';

const bin = fileURLToPath(new URL('../../../bin/bitbrat.js', import.meta.url));
const { tempDir, startHost } = useTestHosts('bitbrat-firebot-import-');

const upload = async () => ({ kind: 'upload' as const, zipBase64: (await fixtureBackupZip()).toString('base64') });

const EXPECTED_SKIPPED = [
  {
    section: 'commands',
    item: 'built-in commands',
    scope: 'item',
    reason: expect.stringMatching(/^1 changed Firebot built-in/),
  },
  { section: 'commands', item: '!roll', scope: 'part', reason: 'effect firebot:playsound (e2-2) has no equivalent' },
  {
    section: 'commands',
    item: '!uses',
    scope: 'item',
    reason: 'its message uses $count, $quote, which BitBrat has no equivalent of',
  },
  {
    section: 'commands',
    item: '!hype',
    scope: 'item',
    reason: 'it sends no chat message (effects: firebot:showImage)',
  },
  {
    section: 'commands',
    item: '!vipcorner',
    scope: 'item',
    reason: 'role "0f3c2b7e-custom-role" has no equivalent (custom roles, sub tiers 2/3, bots)',
  },
  {
    section: 'commands',
    item: '!song',
    scope: 'item',
    reason: 'restriction firebot:channelcurrency has no equivalent (left out rather than opened)',
  },
  { section: 'timers', item: 'Hydrate', scope: 'part', reason: 'effect firebot:playsound (t2-2) has no equivalent' },
  {
    section: 'timers',
    item: 'Hydrate',
    scope: 'part',
    reason: 'its interval of 1830 s is rounded to 31 min (timers run in whole minutes)',
  },
  {
    section: 'timers',
    item: 'Ad warning',
    scope: 'part',
    reason: 'effect firebot:chat (t3-1): its message uses $secondsUntilNextAdBreak',
  },
  { section: 'timers', item: 'Ad warning', scope: 'item', reason: 'it has no chat message BitBrat can send' },
  {
    section: 'counters',
    item: 'Boss Kills',
    scope: 'part',
    reason: 'its minimum/maximum is not kept (BitBrat counters have no bounds)',
  },
  { section: 'counters', item: 'Boss Kills', scope: 'part', reason: '"save to text file" has no equivalent' },
  { section: 'counters', item: 'Boss Kills', scope: 'part', reason: 'its updateEffects have no equivalent' },
];

describe('import from Firebot', () => {
  it('previews an uploaded backup without changing anything, then imports it for the pipeline to use', async () => {
    const host = await startHost();
    const commandsBefore = await host.api['commands.list']({});
    const source = await upload();

    const preview = await host.api['firebot.import']({ source });
    if (!preview.ok) throw new Error(preview.errors.join('\n'));
    expect(preview).toMatchObject({ profile: 'Main', applied: false });
    expect(preview.preview.commands).toEqual({
      added: ['firebot-hello-alias', 'firebot-roll', 'firebot-gg-s-wp'],
      // BitBrat's own !hello and !lurk are replaced by Firebot's, listed as changed.
      changed: ['hello', 'lurk'],
      unchanged: 0,
    });
    expect(preview.preview.timers).toEqual({
      added: ['firebot-socials', 'firebot-hydrate'],
      changed: [],
      unchanged: 0,
    });
    expect(preview.preview.counters).toEqual({ added: ['boss-kills'], changed: ['deaths'], unchanged: 0 });
    expect(preview.preview.quotes.added).toHaveLength(3);
    expect(preview.skipped).toEqual(EXPECTED_SKIPPED);
    // A dry run wrote nothing.
    expect(await host.api['commands.list']({})).toEqual(commandsBefore);
    expect(await host.api['timers.list']({})).toEqual([]);
    expect(await host.api['quotes.list']({})).toEqual([]);

    const applied = await host.api['firebot.import']({ source, dryRun: false });
    expect(applied).toMatchObject({ ok: true, applied: true });

    const commands = await host.api['commands.list']({});
    expect(commands.find((command) => command.id === 'firebot-roll')).toEqual({
      id: 'firebot-roll',
      enabled: true,
      trigger: { kind: 'prefix', text: '!roll' },
      template: '{user} rolled {random:1-100} (deaths so far: {count:deaths})',
      roles: ['subscriber', 'vip', 'moderator'],
      userCooldownSeconds: 5,
      globalCooldownSeconds: 0,
    });
    expect(commands.find((command) => command.id === 'lurk')).toMatchObject({
      enabled: false,
      template: '{login} is lurking: {args}',
    });
    expect(commands.find((command) => command.id === 'firebot-gg-s-wp')?.trigger).toEqual({
      kind: 'regex',
      pattern: 'gg\\s*(wp)?',
      flags: 'i',
    });
    const timers = await host.api['timers.list']({});
    expect(timers.map(({ lastSentAt: _, ...timer }) => timer)).toEqual([
      {
        id: 'firebot-hydrate',
        name: 'Hydrate',
        enabled: false,
        intervalMinutes: 31,
        minChatLines: 0,
        onlyWhenLive: false,
        rotation: 'in-order',
        messages: ['Drink some water!'],
      },
      {
        id: 'firebot-socials',
        name: 'Socials',
        enabled: true,
        intervalMinutes: 15,
        minChatLines: 10,
        onlyWhenLive: true,
        rotation: 'in-order',
        messages: ['Follow me on socials! Uptime: {uptime}', "Join the Discord, {channel}'s community"],
      },
    ]);
    // The existing "deaths" counter keeps its !deaths command and takes Firebot's value.
    expect(await host.api['counters.list']({})).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'deaths', command: '!deaths' }),
        expect.objectContaining({ name: 'boss-kills', command: '', scope: 'global' }),
      ]),
    );
    const values = await host.api['counters.values']({});
    expect(Object.fromEntries(values.map((value) => [value.name, value.value]))).toEqual({
      deaths: 37,
      'boss-kills': 4,
    });
    const quotes = await host.api['quotes.list']({});
    expect(
      quotes.map(({ text, saidBy, addedBy, addedAt, game }) => ({ text, saidBy, addedBy, addedAt, game })),
    ).toEqual([
      {
        text: 'Chat, be nice',
        saidBy: 'streamer',
        addedBy: 'somemod',
        addedAt: Date.parse('2024-05-05T12:00:00.000Z'),
        game: null,
      },
      {
        text: 'That boss was easy (edited)',
        saidBy: 'viewer_one',
        addedBy: 'streamer',
        addedAt: 1711300000000,
        game: 'Elden Ring',
      },
      {
        text: 'I am definitely not lost',
        saidBy: 'streamer',
        addedBy: 'somemod',
        addedAt: Date.parse('2024-03-01T20:15:00.000Z'),
        game: 'Elden Ring',
      },
    ]);

    // The pipeline runs the imported commands at once.
    expect(await replyTo(host, '!hi')).toBe('Hello Ann! Welcome in, Ann.');
    expect(await replyTo(host, '!roll', { roles: ['subscriber'] })).toMatch(
      /^Ann rolled \d{1,3} \(deaths so far: 37\)$/,
    );
    expect(await replyTo(host, '!roll')).toBeUndefined(); // subscribers, VIPs and moderators only, as in Firebot

    // Importing the same profile again changes nothing.
    const again = await host.api['firebot.import']({ source, dryRun: false });
    if (!again.ok) throw new Error(again.errors.join('\n'));
    for (const section of ['commands', 'timers', 'counters', 'quotes'] as const) {
      expect(again.preview[section].added).toEqual([]);
      expect(again.preview[section].changed).toEqual([]);
    }
    expect(again.applied).toBe(false);
    expect(await host.api['quotes.list']({})).toHaveLength(3);
  });

  it('imports the same from Firebot’s data folder on this computer', async () => {
    const host = await startHost();
    const fromFolder = await host.api['firebot.import']({ source: { kind: 'path', path: FIREBOT_FIXTURE } });
    const fromUpload = await host.api['firebot.import']({ source: await upload() });
    expect(fromFolder).toEqual(fromUpload);
  });

  it('imports nothing when one file is broken, and names the file and field', async () => {
    const host = await startHost();
    const zip = await zipOf({
      'profiles/Main/timers.json': JSON.stringify({ t: { name: 'Ok', interval: 600, effects: { list: [] } } }),
      'profiles/Main/chat/commands.json': '{"customCommands": {"x": {"trigger": 5}}}',
      'profiles/Main/db/quotes.db': '{"_id":1,"text":"fine","originator":"a","creator":"b"}\n{not json\n',
    });
    const result = await host.api['firebot.import']({
      source: { kind: 'upload', zipBase64: zip.toString('base64') },
      dryRun: false,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'chat/commands.json: customCommands.x.trigger: Invalid input: expected string, received number',
        'db/quotes.db: line 2: not valid JSON',
      ],
    });
    expect(await host.api['timers.list']({})).toEqual([]);
    expect(await host.api['quotes.list']({})).toEqual([]);

    const notJson = await zipOf({ 'Main/timers.json': '{"t": {"name": "x", ' });
    expect(
      await host.api['firebot.import']({ source: { kind: 'upload', zipBase64: notJson.toString('base64') } }),
    ).toEqual({ ok: false, errors: [expect.stringMatching(/^timers\.json: not valid JSON/)] });
  });

  it('caps an upload at what one console frame carries, with a message saying what to do', () => {
    const tooBig = Buffer.alloc(MAX_FIREBOT_UPLOAD_BYTES + 3).toString('base64');
    const parsed = HostApiParams['firebot.import'].safeParse({ source: { kind: 'upload', zipBase64: tooBig } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('the zip is too large to upload: import it by its path instead');
    const fits = Buffer.alloc(MAX_FIREBOT_UPLOAD_BYTES).toString('base64');
    expect(HostApiParams['firebot.import'].safeParse({ source: { kind: 'upload', zipBase64: fits } }).success).toBe(
      true,
    );
  });

  it('bitbrat import-firebot previews with --dry-run, refuses while BitBrat runs, imports once it stopped', async () => {
    const dataDir = tempDir();
    const zipFile = join(tempDir(), 'Firebot_Backup.zip');
    writeFileSync(zipFile, await fixtureBackupZip());
    const host = await startHost(dataDir);
    const refused = spawnSync(process.execPath, [bin, 'import-firebot', zipFile, '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/refused: another BitBrat/);
    await host.stop();

    const dry = spawnSync(process.execPath, [bin, 'import-firebot', zipFile, '--data-dir', dataDir, '--dry-run'], {
      encoding: 'utf8',
    });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^Firebot profile "Main": dry run, nothing was changed$/m);
    expect(dry.stdout).toMatch(/^ {2}commands: 3 to create, 2 to change, 0 unchanged$/m);
    expect(dry.stdout).toMatch(/^ {4}\+ firebot-roll$/m);
    expect(dry.stdout).toMatch(/^ {2}commands !song: restriction firebot:channelcurrency has no equivalent/m);
    expect(dry.stdout).toMatch(/^ {2}counters Boss Kills \(imported without this\): "save to text file"/m);

    const done = spawnSync(process.execPath, [bin, 'import-firebot', zipFile, '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/^Firebot profile "Main": imported$/m);
    const after = await startHost(dataDir);
    expect((await after.api['timers.list']({})).map((timer) => timer.id)).toEqual([
      'firebot-hydrate',
      'firebot-socials',
    ]);
  });
});
