/**
 * Twitch through the real host: real worker threads (from dist/: build with
 * `node scripts/build.mjs --node-only` first), a real SQLite file, the real tmi.js against the local
 * Twitch-like IRC server, and the real device-code login against the local OAuth server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSummary } from '../../core/protocol/pipeline.js';
import {
  startTwitchIrcServer,
  type RecordedPrivmsg,
  type TwitchIrcServer,
} from '../../../test/support/twitch-irc-server.js';
import { startTwitchOAuthServer, type TwitchOAuthServer } from '../../../test/support/twitch-oauth-server.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import { startTwitchEventSubServer, type TwitchEventSubServer } from '../../../test/support/twitch-eventsub-server.js';
import { BOT_SCOPES, BROADCASTER_SCOPES, subscriptionsForScopes } from '../connectors/twitch/scopes.js';
import { PipelineHost } from '../host/pipeline-host.js';
import { FileSecretStore, HEADLESS_SECRETS_FILE } from './secret-store.js';
import { dataFolderFiles } from '../../../test/support/data-folder.js';
import { waitUntil } from '../../../test/support/wait.js';

const CLIENT_ID = 'localtestclient';
const CHANNEL = 'streamer';
const BOT = { login: 'bitbrat_bot', userId: '9001' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface World {
  host: PipelineHost;
  irc: TwitchIrcServer;
  oauth: TwitchOAuthServer;
  helix: TwitchHelixServer;
  dataDir: string;
}

/** Existing tests speak IRC; the EventSub chat tests choose their transport. */
async function startWorld(chatTransport: 'auto' | 'eventsub' | 'irc' = 'irc'): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-twitch-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const irc = await startTwitchIrcServer();
  cleanups.push(() => irc.close());
  const oauth = await startTwitchOAuthServer({ clientId: CLIENT_ID });
  cleanups.push(() => oauth.close());
  const helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
  cleanups.push(() => helix.close());
  const host = await PipelineHost.start({
    dataDir,
    log: process.env['TWITCH_TEST_LOG']
      ? (level, message, fields) => console.error(Date.now(), level, message, fields ?? '')
      : () => undefined,
    twitch: {
      endpoints: {
        irc: { host: '127.0.0.1', port: irc.port, secure: false },
        authUrl: oauth.baseUrl,
        helixUrl: helix.baseUrl,
      },
    },
  });
  cleanups.push(() => host.stop());
  expect(await host.api['settings.set']({ key: 'twitchClientId', value: CLIENT_ID })).toMatchObject({ ok: true });
  expect(await host.api['settings.set']({ key: 'twitchChatTransport', value: chatTransport })).toMatchObject({
    ok: true,
  });
  expect(await host.api['settings.set']({ key: 'channel', value: CHANNEL })).toMatchObject({ ok: true });
  await irc.waitForJoins(`#${CHANNEL}`, 1);
  return { host, irc, oauth, helix, dataDir };
}

/** Resolves with the first live-feed summary that matches (register before causing it). */
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

async function chatAndSettle(world: World, login: string, text: string, id: string) {
  const seen = nextEvent(world.host, (summary) => summary.connector === 'twitch-chat' && summary.text === text);
  world.irc.chat({ channel: `#${CHANNEL}`, login, text, id, userId: '42' });
  const summary = await seen;
  const settled = await world.host.waitForSettled(summary.id, { terminalOnly: true, timeoutMs: 10_000 });
  const detail = await world.host.api['events.get']({ id: summary.id });
  if (!detail) throw new Error('the event is not in the database');
  return { settled, detail };
}

function allSteps(detail: { event: { routing: { slip: { id: string }[]; history: { id: string }[] } } }) {
  return [...detail.event.routing.history, ...detail.event.routing.slip] as {
    id: string;
    status: string;
    notes?: string[];
  }[];
}

async function linkAccount(world: World, account: 'bot' | 'broadcaster', user: { login: string; userId: string }) {
  const started = await world.host.api['twitch.login.start']({ account });
  if (!started.ok) throw new Error(started.error);
  const pending = (await world.host.api['twitch.accounts']({})).find((entry) => entry.account === account);
  expect(pending).toMatchObject({ state: 'pending', pending: { userCode: started.value.userCode } });
  world.oauth.approve(started.value.userCode, user);
  await world.host.twitch.loginSettled(account);
}

describe('Twitch chat through the host', () => {
  it('reads the named channel anonymously; a reply without a bot SKIPs twitch-chat and reaches the console', async () => {
    const world = await startWorld();
    const accounts = await world.host.api['twitch.accounts']({});
    expect(accounts.map((entry) => [entry.account, entry.state])).toEqual([
      ['broadcaster', 'none'],
      ['bot', 'none'],
    ]);
    const anonymous = [...world.irc.sessions].filter((session) => session.anonymous);
    expect(anonymous).toHaveLength(1);

    const { detail: read } = await chatAndSettle(world, 'ann', 'good morning chat', 'msg-read-1');
    expect(read.event.ingress).toMatchObject({ connector: 'twitch-chat', channel: CHANNEL });
    expect(read.event.identity.external).toMatchObject({ id: '42', login: 'ann', displayName: 'ann' });
    expect(read.event.message).toMatchObject({ id: 'msg-read-1', text: 'good morning chat' });

    const { settled, detail } = await chatAndSettle(world, 'ann', '!hello', 'msg-hello-1');
    expect(settled.disposition).toBe('replied');
    const steps = allSteps(detail);
    expect(steps.find((step) => step.id === 'twitch-chat')).toMatchObject({
      status: 'SKIP',
      notes: ['no bot account linked'],
    });
    expect(steps.find((step) => step.id === 'console')).toMatchObject({ status: 'OK' });
    expect(world.irc.privmsgs).toHaveLength(0);

    const health = await world.host.api['health.get']({});
    expect(health.connectors.find((connector) => connector.id === 'twitch-chat')).toMatchObject({
      state: 'connected',
    });
  });

  it('links the bot by device code and answers !hello in the thread of the message', async () => {
    const world = await startWorld();
    await linkAccount(world, 'bot', BOT);
    const bot = (await world.host.api['twitch.accounts']({})).find((entry) => entry.account === 'bot');
    expect(bot).toMatchObject({ state: 'linked', login: BOT.login, userId: BOT.userId, pending: null });
    expect(bot?.scopes).toEqual([...BOT_SCOPES]);
    // The egress sender and the ingress reader both log in as the bot.
    await world.irc.waitForJoins(`#${CHANNEL}`, 3);
    expect([...world.irc.sessions].filter((session) => session.login === BOT.login).length).toBe(2);

    const sent = once(world.irc.events, 'privmsg') as Promise<[RecordedPrivmsg]>;
    const { settled, detail } = await chatAndSettle(world, 'ann', '!hello', 'msg-hello-2');
    const [privmsg] = await sent;
    expect(privmsg).toMatchObject({ login: BOT.login, channel: `#${CHANNEL}`, replyParentId: 'msg-hello-2' });
    expect(privmsg.text).toContain('ann');
    expect(settled.disposition).toBe('replied');
    expect(allSteps(detail).find((step) => step.id === 'twitch-chat')).toMatchObject({ status: 'OK' });
    expect(detail.deliveries.find((delivery) => delivery.connector === 'twitch-chat')).toMatchObject({
      status: 'sent',
    });
    expect(world.irc.privmsgs).toHaveLength(1);

    // The bot's own lines (Twitch echoes them to its other connection) never become events.
    world.irc.chat({ channel: `#${CHANNEL}`, login: BOT.login, text: 'my own reply', id: 'msg-own' });
    await chatAndSettle(world, 'ann', 'after the echo', 'msg-after-echo');
    const page = await world.host.api['events.list']({ user: BOT.login });
    expect(page.items).toHaveLength(0);

    // Tokens live in the encrypted secrets file only (not in backups/ either).
    const files = dataFolderFiles(world.dataDir);
    expect(files.map(({ file }) => file)).toContain(HEADLESS_SECRETS_FILE);
    for (const { file, bytes } of files) {
      expect(bytes.includes('access-1'), file).toBe(false);
      expect(bytes.includes('refresh-1'), file).toBe(false);
    }
  });

  it('refreshes the token, then a revoked refresh token leaves the bot needs-login while chat is still read', async () => {
    const world = await startWorld();
    await linkAccount(world, 'bot', BOT);
    await world.irc.waitForJoins(`#${CHANNEL}`, 3);

    expect(await world.host.twitch.refresh('bot')).toBe(true);
    expect(world.oauth.calls.refresh).toBe(1);
    // The new token is what the (encrypted) store holds; the old single-use refresh token is gone.
    const stored = JSON.parse((await new FileSecretStore(world.dataDir, () => undefined).get('twitch.bot')) ?? '{}');
    expect(stored).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2', login: BOT.login });
    const clear = readFileSync(join(world.dataDir, HEADLESS_SECRETS_FILE));
    expect(clear.includes('access-2') || clear.includes('refresh-2')).toBe(false);

    world.oauth.revokeRefreshToken('refresh-2');
    expect(await world.host.twitch.refresh('bot')).toBe(false);
    const bot = (await world.host.api['twitch.accounts']({})).find((entry) => entry.account === 'bot');
    expect(bot).toMatchObject({ state: 'needs-login', login: BOT.login });
    expect(bot?.error).toMatch(/refused the refresh token/);
    const health = await world.host.api['health.get']({});
    expect(health.connectors.find((connector) => connector.id === 'twitch-login:bot')).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(/needs to log in to Twitch again; chat is read-only/),
    });

    // Chat falls back to anonymous reading: the next line is still read, and replies SKIP twitch-chat.
    await world.irc.waitForJoins(`#${CHANNEL}`, 4);
    const { settled, detail } = await chatAndSettle(world, 'bea', '!hello', 'msg-after-revoke');
    expect(settled.disposition).toBe('replied');
    expect(detail.event.identity.external.login).toBe('bea');
    expect(allSteps(detail).find((step) => step.id === 'twitch-chat')).toMatchObject({
      status: 'SKIP',
      notes: ['no bot account linked'],
    });
    expect(world.irc.privmsgs).toHaveLength(0);
  });

  it('links the broadcaster: EventSub from its scopes; timeout and delete through Helix, a failed delete kept on the event', async () => {
    // The first token the local OAuth server issues is access-1: the EventSub server knows it in advance.
    const eventsub = await startTwitchEventSubServer({
      clientId: CLIENT_ID,
      tokens: { 'access-1': { userId: '1001', scopes: [...BROADCASTER_SCOPES] } },
    });
    cleanups.push(() => eventsub.close());
    // twurple 8.1.4 reaches a local EventSub/Helix only through this variable; the host's worker threads
    // copy this process's environment when they start. Set for this test only.
    process.env['TWURPLE_MOCK_API_PORT'] = String(eventsub.port);
    cleanups.push(() => {
      delete process.env['TWURPLE_MOCK_API_PORT'];
    });
    const world = await startWorld();
    const broadcaster = { login: CHANNEL, userId: '1001' };
    await linkAccount(world, 'broadcaster', broadcaster);
    const linked = (await world.host.api['twitch.accounts']({})).find((entry) => entry.account === 'broadcaster');
    expect(linked).toMatchObject({ state: 'linked', userId: '1001' });
    expect(linked?.scopes).toEqual([...BROADCASTER_SCOPES]);
    const token = [...world.oauth.accessTokens.entries()].find(([, owner]) => owner.userId === '1001')![0];
    expect(token).toBe('access-1');
    world.helix.tokens.set(token, { userId: '1001', scopes: [...BROADCASTER_SCOPES] });

    await eventsub.waitForSubscriptions(subscriptionsForScopes(BROADCASTER_SCOPES).length);
    const follow = nextEvent(world.host, (summary) => summary.type === 'twitch.follow.v1');
    eventsub.notify('channel.follow', {
      user_id: '2002',
      user_login: 'new_fan',
      user_name: 'New_Fan',
      broadcaster_user_id: '1001',
      broadcaster_user_login: CHANNEL,
      broadcaster_user_name: CHANNEL,
      followed_at: new Date().toISOString(),
    });
    expect(await follow).toMatchObject({ connector: 'twitch-eventsub', login: 'new_fan' });

    const timeout = await world.host.api['users.act']({
      platform: 'twitch',
      externalId: '42',
      action: 'timeout',
      seconds: 60,
      reason: 'calm down',
      moderator: 'mod1',
    });
    expect(timeout).toMatchObject({ ok: true });
    expect(world.helix.bans).toEqual([{ userId: '42', duration: 60, reason: 'calm down', moderatorId: '1001' }]);

    const { detail } = await chatAndSettle(world, 'ann', 'delete me', 'msg-gone');
    // The message is not on the (local) Twitch any more: Helix answers 404, and the event keeps the error.
    const deleted = await world.host.api['events.deleteMessage']({ eventId: detail.event.id, moderator: 'mod1' });
    expect(deleted.ok).toBe(false);
    expect(deleted.message).toMatch(/gone/);
    await world.host.flush();
    const after = await world.host.api['events.get']({ id: detail.event.id });
    expect(after?.event.errors.at(-1)).toMatchObject({
      source: 'helix-moderation',
      code: 'moderation.delete.not-found',
    });

    world.helix.messages.add('msg-kept');
    const { detail: kept } = await chatAndSettle(world, 'ann', 'delete me too', 'msg-kept');
    expect(await world.host.api['events.deleteMessage']({ eventId: kept.event.id, moderator: 'mod1' })).toMatchObject({
      ok: true,
    });
    expect(world.helix.deleted).toEqual(['msg-kept']);
  });
});

describe('Twitch chat over EventSub and Helix for a linked bot', () => {
  const chatter = {
    broadcaster_user_id: '1001',
    broadcaster_user_login: CHANNEL,
    broadcaster_user_name: CHANNEL,
    chatter_user_id: '42',
    chatter_user_login: 'ann',
    chatter_user_name: 'Ann',
    color: '#1E90FF',
    badges: [{ set_id: 'subscriber', id: '12', info: '14' }],
    message_type: 'text',
    cheer: null,
    reply: null,
    channel_points_custom_reward_id: null,
  };
  const chatMessage = (text: string, messageId: string) => ({
    ...chatter,
    message_id: messageId,
    message: { text, fragments: [{ type: 'text', text }] },
  });

  async function eventSubWorld(chatTransport: 'auto' | 'irc', eventsubScopes: readonly string[] = BOT_SCOPES) {
    // The first token the local OAuth server issues is access-1: the bot's, known in advance to both servers.
    const eventsub = await startTwitchEventSubServer({
      clientId: CLIENT_ID,
      tokens: { 'access-1': { userId: BOT.userId, scopes: [...eventsubScopes] } },
    });
    cleanups.push(() => eventsub.close());
    process.env['TWURPLE_MOCK_API_PORT'] = String(eventsub.port);
    cleanups.push(() => {
      delete process.env['TWURPLE_MOCK_API_PORT'];
    });
    const world = await startWorld(chatTransport);
    world.helix.tokens.set('access-1', { userId: BOT.userId, scopes: [...BOT_SCOPES] });
    world.helix.users.push({ id: '1001', login: CHANNEL, display_name: 'Streamer' });
    await linkAccount(world, 'bot', BOT);
    return { world, eventsub };
  }

  async function eventSubChat(world: World, eventsub: TwitchEventSubServer, text: string, id: string) {
    const seen = nextEvent(world.host, (summary) => summary.text === text);
    eventsub.notify('channel.chat.message', chatMessage(text, id));
    const summary = await seen;
    await world.host.waitForSettled(summary.id, { terminalOnly: true, timeoutMs: 10_000 });
    const detail = await world.host.api['events.get']({ id: summary.id });
    if (!detail) throw new Error('the event is not in the database');
    return detail;
  }

  it('reads chat.message over EventSub as the bot and answers through Helix, in the thread; a drop_reason is a clear failed delivery', async () => {
    const { world, eventsub } = await eventSubWorld('auto');
    const sub = await eventsub.waitForSubscription('channel.chat.message');
    expect(sub.condition).toEqual({ broadcaster_user_id: '1001', user_id: BOT.userId });
    for (const type of [
      'channel.chat.notification',
      'channel.chat.message_delete',
      'channel.chat.clear_user_messages',
    ]) {
      await eventsub.waitForSubscription(type);
    }
    // The bot reads over EventSub: no bot session on IRC (only the anonymous reader from before the link).
    expect([...world.irc.sessions].filter((session) => session.login === BOT.login)).toHaveLength(0);

    const detail = await eventSubChat(world, eventsub, '!hello', 'es-msg-1');
    // The same envelope as from IRC: connector twitch-chat, the chatter's facts in the same fields.
    expect(detail.event.ingress).toMatchObject({
      connector: 'twitch-chat',
      source: 'twitch-eventsub',
      channel: CHANNEL,
    });
    expect(detail.event.identity.external).toMatchObject({
      id: '42',
      login: 'ann',
      displayName: 'Ann',
      roles: ['subscriber'],
    });
    expect(detail.event.message).toMatchObject({ id: 'es-msg-1', text: '!hello' });
    expect(detail.event.details).toMatchObject({ months: 14 });
    expect(detail.event.disposition).toBe('replied');
    expect(world.helix.chatMessages).toHaveLength(1);
    expect(world.helix.chatMessages[0]).toMatchObject({
      broadcasterId: '1001',
      senderId: BOT.userId,
      replyParentId: 'es-msg-1',
    });
    expect(world.helix.chatMessages[0]!.message).toContain('Ann');
    expect(detail.deliveries.find((delivery) => delivery.connector === 'twitch-chat')).toMatchObject({
      status: 'sent',
    });
    expect(world.irc.privmsgs).toHaveLength(0);

    // Twitch keeps a message back with is_sent:false: the slip says so with Twitch's reason, nothing is retried.
    world.helix.dropNextChat(1, {
      code: 'msg_duplicate',
      message: 'Your message is identical to the one you sent less than 30 seconds ago.',
    });
    // (!lurk: !hello is on a 30 s per-user cooldown.)
    const dropped = await eventSubChat(world, eventsub, '!lurk', 'es-msg-2');
    expect(dropped.deliveries.find((delivery) => delivery.connector === 'twitch-chat')).toMatchObject({
      status: 'dropped',
      detail: expect.stringMatching(/Twitch dropped it: msg_duplicate/),
    });
    expect(world.helix.chatMessages).toHaveLength(1);

    // The bot's own message comes back over EventSub too: never an event.
    eventsub.notify('channel.chat.message', {
      ...chatMessage('my own reply', 'es-own'),
      chatter_user_id: BOT.userId,
      chatter_user_login: BOT.login,
      chatter_user_name: BOT.login,
    });
    await eventSubChat(world, eventsub, 'after the echo', 'es-msg-3');
    expect((await world.host.api['events.list']({ user: BOT.login })).items).toHaveLength(0);

    const health = await world.host.api['health.get']({});
    expect(health.connectors.find((connector) => connector.id === 'twitch-chat')).toMatchObject({ state: 'connected' });
  });

  it('the streamer can choose IRC: the bot reads and answers over tmi.js', async () => {
    const { world, eventsub } = await eventSubWorld('irc');
    await world.irc.waitForJoins(`#${CHANNEL}`, 3);
    expect([...world.irc.sessions].filter((session) => session.login === BOT.login)).toHaveLength(2);
    expect(eventsub.subscriptions).toHaveLength(0);
    const sent = once(world.irc.events, 'privmsg') as Promise<[RecordedPrivmsg]>;
    const { detail } = await chatAndSettle(world, 'ann', '!hello', 'irc-msg-1');
    expect((await sent)[0]).toMatchObject({ login: BOT.login, replyParentId: 'irc-msg-1' });
    expect(detail.event.ingress).toMatchObject({ connector: 'twitch-chat', source: 'twitch-irc' });
    expect(world.helix.chatMessages).toHaveLength(0);
  });

  it('falls back to tmi.js when Twitch will not create the chat subscription, and says so', async () => {
    // The EventSub side refuses the bot's chat subscriptions (its token there lacks user:read:chat).
    const { world, eventsub } = await eventSubWorld(
      'auto',
      BOT_SCOPES.filter((scope) => scope !== 'user:read:chat'),
    );
    await world.irc.waitForJoins(`#${CHANNEL}`, 2);
    const chat = await waitUntil('twitch-chat on the IRC fallback', async () => {
      const found = (await world.host.api['health.get']({})).connectors.find(
        (connector) => connector.id === 'twitch-chat',
      );
      return found?.detail?.startsWith('IRC fallback') && found.state === 'connected' && found;
    });
    expect(chat).toMatchObject({
      state: 'connected',
      detail: expect.stringMatching(/^IRC fallback: EventSub chat not available/),
    });
    expect(eventsub.calls.refused).toBeGreaterThan(0);
    const { detail } = await chatAndSettle(world, 'ann', 'hello over irc', 'irc-fallback-1');
    expect(detail.event.ingress).toMatchObject({ connector: 'twitch-chat', source: 'twitch-irc' });
  });
});
