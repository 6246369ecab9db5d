/**
 * Discord through the real host (workers from dist/: build with `node scripts/build.mjs --node-only`
 * first): the real discord.js client in the ingress worker and its REST client in the egress worker,
 * against the local Discord gateway + REST server. The token is stored as a secret, never in SQLite or
 * a log; a Discord message is answered by the same commands in the same channel as a reply; going live on
 * Twitch is announced in the Discord announce channel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { EventSummary } from '../../core/protocol/pipeline.js';
import { CHANNEL_ID, GUILD_ID, MODS_ROLE_ID, discordMessage } from '../../../test/support/discord-examples.js';
import { startDiscordServer } from '../../../test/support/discord-server.js';
import { EVENTSUB_EXAMPLES, eventSubFrame } from '../../../test/support/twitch-eventsub-examples.js';
import { normalizeEventSubFrame } from '../connectors/twitch/eventsub-message.js';
import { PipelineHost } from '../host/pipeline-host.js';
import { dataFolderFiles } from '../../../test/support/data-folder.js';
import { waitUntil } from '../../../test/support/wait.js';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAx.Gabcde.discord-host-test-secret';
const ANNOUNCE_ID = '290926798626357777';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function nextEvent(host: PipelineHost, match: (summary: EventSummary) => boolean): Promise<EventSummary> {
  return new Promise((resolve) => {
    const off = host.subscribe((topic, data) => {
      if (topic !== 'feed') return;
      const hit = (data as EventSummary[]).find(match);
      if (!hit) return;
      off();
      resolve(hit);
    });
  });
}

it('links a Discord bot: messages in, answered in the same channel as replies, and going live announced', async () => {
  const server = await startDiscordServer({
    token: TOKEN,
    guild: {
      id: GUILD_ID,
      name: 'Streamer HQ',
      roles: [{ id: MODS_ROLE_ID, name: 'Mods' }],
      channels: [
        { id: CHANNEL_ID, name: 'chat' },
        { id: ANNOUNCE_ID, name: 'live' },
      ],
    },
  });
  cleanups.push(() => server.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-discord-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const host = await PipelineHost.start({
    dataDir,
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    twitch: { enabled: false },
    discord: { apiUrl: server.apiUrl },
  });
  cleanups.push(() => host.stop());

  expect(
    await host.api['settings.set']({
      key: 'discord',
      value: {
        guildId: GUILD_ID,
        channelIds: [CHANNEL_ID],
        roleMap: { Mods: 'moderator' },
        announceChannelId: ANNOUNCE_ID,
      },
    }),
  ).toMatchObject({ ok: true });
  const bad = await host.api['settings.set']({ key: 'discord', value: { guildId: 'my server' } });
  expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/discord\.guildId/) });
  const ready = server.nextReady();
  expect(await host.api['discord.setToken']({ token: TOKEN })).toMatchObject({ ok: true });
  await ready;
  await waitUntil('the discord connector to connect', async () =>
    (await host.api['health.get']({})).connectors.some(
      (connector) => connector.id === 'discord' && connector.state === 'connected',
    ),
  );

  const seen = nextEvent(host, (summary) => summary.connector === 'discord');
  server.messageCreate(discordMessage({ id: '5001', content: '!hello' }));
  const summary = await seen;
  await host.waitForSettled(summary.id, { terminalOnly: true, timeoutMs: 15_000 });
  const detail = await host.api['events.get']({ id: summary.id });
  expect(detail?.event).toMatchObject({
    type: 'chat.message.v1',
    ingress: { connector: 'discord', channel: CHANNEL_ID },
    identity: { external: { platform: 'discord', login: 'mightyalex', roles: ['moderator'] } },
    message: { id: '5001', text: '!hello' },
    disposition: 'replied',
  });
  const [reply] = await server.waitForPosts(1);
  expect(reply).toMatchObject({ channelId: CHANNEL_ID, replyTo: '5001' });
  expect(reply!.content).toContain('Mighty Alex');
  expect(detail?.deliveries.find((delivery) => delivery.connector === 'discord')).toMatchObject({ status: 'sent' });

  // Discord answers 429 once: the library's REST queue waits out retry_after and posts it once.
  server.rateLimitNext(1, 0.2);
  const lurk = nextEvent(host, (entry) => entry.connector === 'discord' && entry.text === '!lurk');
  server.messageCreate(discordMessage({ id: '5002', content: '!lurk' }));
  await host.waitForSettled((await lurk).id, { terminalOnly: true, timeoutMs: 15_000 });
  await server.waitForPosts(2);
  expect(server.calls.rateLimited).toBe(1);
  expect(server.posted.map((post) => post.replyTo)).toEqual(['5001', '5002']);

  // Going live on Twitch (EventSub stream.online) is announced in the Discord announce channel.
  const online = normalizeEventSubFrame(eventSubFrame('stream.online', EVENTSUB_EXAMPLES['stream.online']!.event));
  if (!online.ok) throw new Error(online.error);
  const [submitted] = await host.submit('twitch-eventsub', [online.event]);
  if (!submitted?.ok) throw new Error('stream.online was not accepted');
  expect(await host.waitForSettled(submitted.id, { terminalOnly: true, timeoutMs: 15_000 })).toMatchObject({
    disposition: 'replied',
  });
  const posts = await server.waitForPosts(3);
  expect(posts[2]).toMatchObject({ channelId: ANNOUNCE_ID, replyTo: null });
  expect(posts[2]!.content).toBe('Cooler_User is live now: https://twitch.tv/cooler_user');

  // The token is a secret: not in the database, not in any log line.
  await host.flush();
  for (const { file, bytes } of dataFolderFiles(dataDir)) expect(bytes.includes(TOKEN), file).toBe(false);
  expect(logs.some((line) => line.includes(TOKEN))).toBe(false);
  expect(JSON.stringify(await host.api['settings.get']({}))).not.toContain(TOKEN);
}, 60_000);
