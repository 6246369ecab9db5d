/**
 * `bitbrat replay --format eventsub|discord` through the real CLI (dist/: build with
 * `node scripts/build.mjs --node-only` first): each platform's own messages, normalized by the live
 * connectors' code, run through the pipeline; a malformed line answers `ok: false` naming the field.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { discordDispatch, discordMessage, CHANNEL_ID } from '../../../test/support/discord-examples.js';
import { EVENTSUB_EXAMPLES, eventSubFrame } from '../../../test/support/twitch-eventsub-examples.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Line {
  input: number;
  ok: boolean;
  error?: string;
  disposition?: string;
  event?: {
    type: string;
    ingress: { connector: string; source: string; channel: string };
    identity: { external: { id: string; login: string; platform: string; roles: string[] } };
    message?: { id?: string; text: string };
    details?: Record<string, unknown>;
  };
  steps?: { id: string; status: string }[];
}

async function replay(format: string, lines: string[]): Promise<Line[]> {
  const dir = mkdtempSync(join(tmpdir(), `bitbrat-replay-${format}-`));
  dirs.push(dir);
  const file = join(dir, `input.${format}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const { stdout } = await run(
    process.execPath,
    ['bin/bitbrat.js', 'replay', file, '--format', format, '--data-dir', join(dir, 'data'), '--json'],
    { timeout: 40_000 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

it('replays EventSub notification messages, chat included, and names the field of a bad one', async () => {
  const chat = EVENTSUB_EXAMPLES['channel.chat.message']!.event;
  const lines = await replay('eventsub', [
    JSON.stringify(eventSubFrame('channel.chat.message', { ...chat, message: { text: '!hello', fragments: [] } })),
    JSON.stringify(eventSubFrame('channel.raid')),
    JSON.stringify(eventSubFrame('channel.chat.message', { ...chat, chatter_user_login: null })),
    '{"metadata":{"message_type":"notification"}}',
  ]);
  expect(lines).toHaveLength(4);
  const [hello, raid, noLogin, noMetadata] = lines as [Line, Line, Line, Line];
  expect(hello.ok).toBe(true);
  expect(hello.event).toMatchObject({
    type: 'chat.message.v1',
    ingress: { connector: 'twitch-chat', source: 'twitch-eventsub', channel: 'streamer' },
    identity: { external: { id: '4145994', login: 'viewer32', roles: ['moderator', 'subscriber'] } },
    message: { id: 'cc106a89-1814-919d-454c-f4f2f970aae7', text: '!hello' },
  });
  // The same commands answer it as on the IRC path.
  expect(hello.disposition).toBe('replied');
  expect(hello.steps?.find((step) => step.id === 'console')).toMatchObject({ status: 'OK' });
  expect(raid).toMatchObject({ ok: true, event: { type: 'twitch.raid.v1', details: { viewers: 9001 } } });
  expect(noLogin.ok).toBe(false);
  expect(noLogin.error).toMatch(/chatter_user_id\/chatter_user_login/);
  expect(noMetadata.ok).toBe(false);
  expect(noMetadata.error).toMatch(/metadata\.message_id/);
});

it('replays Discord gateway dispatches and names the field of a bad one', async () => {
  const lines = await replay('discord', [
    JSON.stringify(discordDispatch(discordMessage())),
    JSON.stringify(discordDispatch(discordMessage({ author: { username: 'nobody' } }), 2)),
    JSON.stringify({ op: 0, t: 'TYPING_START', s: 3, d: {} }),
  ]);
  expect(lines).toHaveLength(3);
  const [hello, noAuthorId, typing] = lines as [Line, Line, Line];
  expect(hello.ok).toBe(true);
  expect(hello.event).toMatchObject({
    type: 'chat.message.v1',
    ingress: { connector: 'discord', channel: CHANNEL_ID },
    identity: { external: { id: '53908099506183680', login: 'mightyalex', platform: 'discord' } },
    message: { id: '334385199974967042', text: '!hello' },
  });
  expect(hello.disposition).toBe('replied');
  expect(noAuthorId).toMatchObject({ ok: false });
  expect(noAuthorId.error).toMatch(/d\.author\.id/);
  expect(typing).toMatchObject({ ok: false });
  expect(typing.error).toMatch(/not an event: TYPING_START/);
});
