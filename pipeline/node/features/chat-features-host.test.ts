/**
 * The chat features of issue 14 in the running pipeline: real worker threads, the default rules, a
 * real SQLite file; Twitch played by the local IRC, OAuth and Helix servers. The reaction worker gets
 * the linked broadcaster's token from the host and asks Helix for {game}/{title}/{followage} and !so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSummary } from '../../core/protocol/pipeline.js';
import type { InboundEvent, Role } from '../../core/envelope.js';
import { startTwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import { startTwitchIrcServer } from '../../../test/support/twitch-irc-server.js';
import { startTwitchOAuthServer } from '../../../test/support/twitch-oauth-server.js';
import { BROADCASTER_SCOPES } from '../connectors/twitch/scopes.js';
import { PipelineHost } from '../host/pipeline-host.js';

const CLIENT_ID = 'localtestclient';
const CHANNEL = 'streamer';
const BROADCASTER = { login: CHANNEL, userId: '1000' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-chatfeatures-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('welcome, shoutouts and Helix variables through the host', () => {
  it('fills {game} {title} {followage} and sends !so with the linked broadcaster, greets a first-time chatter', async () => {
    const irc = await startTwitchIrcServer();
    cleanups.push(() => irc.close());
    const oauth = await startTwitchOAuthServer({ clientId: CLIENT_ID });
    cleanups.push(() => oauth.close());
    const helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
    cleanups.push(() => helix.close());
    const host = await PipelineHost.start({
      dataDir: tempDataDir(),
      log: () => undefined,
      twitch: {
        endpoints: {
          irc: { host: '127.0.0.1', port: irc.port, secure: false },
          authUrl: oauth.baseUrl,
          helixUrl: helix.baseUrl,
        },
      },
    });
    cleanups.push(() => host.stop());
    for (const [key, value] of [
      ['twitchClientId', CLIENT_ID],
      ['twitchChatTransport', 'irc'],
      ['channel', CHANNEL],
    ] as const) {
      expect(await host.api['settings.set']({ key, value })).toMatchObject({ ok: true });
    }
    await irc.waitForJoins(`#${CHANNEL}`, 1);

    helix.users.push({ id: '3001', login: 'coolstreamer', display_name: 'CoolStreamer' });
    helix.channels.set(BROADCASTER.userId, {
      login: CHANNEL,
      name: 'Streamer',
      game: 'Celeste',
      title: 'Any% practice',
    });
    helix.channels.set('3001', { login: 'coolstreamer', name: 'CoolStreamer', game: 'Hades II', title: 'runs' });
    helix.follows.set(BROADCASTER.userId, new Map([['42', new Date(Date.now() - 40 * 86_400_000).toISOString()]]));
    expect(
      await host.api['commands.save']({
        command: {
          id: 'info',
          enabled: true,
          trigger: { kind: 'exact', text: '!info' },
          template: '{game} | {title} | {followage}',
          roles: [],
          userCooldownSeconds: 0,
          globalCooldownSeconds: 0,
        },
      }),
    ).toMatchObject({ ok: true });

    let serial = 0;
    const chat = async (login: string, text: string, tags?: string) => {
      serial += 1;
      const seen = nextEvent(host, (summary) => summary.connector === 'twitch-chat' && summary.text === text);
      irc.chat({ channel: `#${CHANNEL}`, login, text, id: `m-${serial}`, userId: '42', ...(tags ? { tags } : {}) });
      const summary = await seen;
      await host.waitForSettled(summary.id, { terminalOnly: true, timeoutMs: 10_000 });
      await host.flush();
      const detail = (await host.api['events.get']({ id: summary.id }))!;
      return { detail, text: detail.deliveries[0]?.text };
    };

    // Not linked yet: the variables say so.
    expect((await chat('ada', '!info')).text).toMatch(/^\(game unknown: link the broadcaster account/);

    const started = await host.api['twitch.login.start']({ account: 'broadcaster' });
    if (!started.ok) throw new Error(started.error);
    oauth.approve(started.value.userCode, BROADCASTER);
    await host.twitch.loginSettled('broadcaster');
    for (const [token, owner] of oauth.accessTokens) {
      if (owner.userId === BROADCASTER.userId)
        helix.tokens.set(token, { userId: owner.userId, scopes: [...BROADCASTER_SCOPES] });
    }
    // The token reaches the reaction worker over its control line: wait for it (the reply says).
    let info = await chat('ada', '!info');
    for (const deadline = Date.now() + 10_000; !info.text?.startsWith('Celeste') && Date.now() < deadline;) {
      info = await chat('ada', '!info');
    }
    expect(info.text).toBe('Celeste | Any% practice | 1 month, 10 days');

    const shoutout = await chat('mod1', '!so @coolstreamer', 'mod=1;badges=moderator/1');
    expect(shoutout.text).toBe(
      'Go show CoolStreamer some love at https://twitch.tv/coolstreamer 💜 Last seen playing Hades II.',
    );
    const step = shoutout.detail.event.routing.history.find((entry) => entry.id === 'shoutout') as
      { status: string; notes?: string[] } | undefined;
    expect(step).toMatchObject({ status: 'OK', notes: ['Twitch shoutout sent to coolstreamer'] });
    expect(helix.shoutouts).toEqual([{ from: BROADCASTER.userId, to: '3001', moderatorId: BROADCASTER.userId }]);

    // Welcome: off by default; on once the streamer enables the rule, with their own greeting.
    expect((await chat('newbie', 'hello everyone', 'first-msg=1')).detail.event.disposition).not.toBe('replied');
    const rule = (await host.api['rules.list']({})).find((entry) => entry.id === 'welcome-first-time')!;
    expect(await host.api['rules.save']({ rule: { ...rule, enabled: true } })).toMatchObject({ ok: true });
    expect(
      await host.api['settings.set']({ key: 'welcome', value: { firstTime: 'Hi {user}, welcome to {game}!' } }),
    ).toMatchObject({ ok: true });
    expect((await chat('newbie2', 'first time here', 'first-msg=1')).text).toBe('Hi newbie2, welcome to Celeste!');
  });
});

describe('giveaways through the host', () => {
  it('opens, takes entries by keyword, draws a winner from them, and lists it for the console', async () => {
    const host = await PipelineHost.start({ dataDir: tempDataDir(), log: () => undefined, twitch: { enabled: false } });
    cleanups.push(() => host.stop());
    let serial = 0;
    const say = async (text: string, login: string, roles: Role[] = ['viewer']) => {
      serial += 1;
      const event: InboundEvent = {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'chan' },
        identity: { external: { id: `id-${login}`, login, displayName: login, roles } },
        message: { id: `g-${serial}`, text },
      };
      const [result] = await host.submit('test', [event]);
      if (!result?.ok) throw new Error('not accepted');
      await host.waitForSettled(result.id);
      await host.flush();
      return (await host.api['events.get']({ id: result.id }))!.deliveries[0]?.text;
    };
    expect(await say('!giveaway open !join', 'mod1', ['moderator'])).toBe('Giveaway #1 is open: type !join to enter!');
    for (const login of ['ada', 'bob', 'ada']) await say('!join', login);
    const announced = await say('!giveaway draw', 'mod1', ['moderator']);
    expect(announced).toMatch(/^🎉 The winner of giveaway #1 is @(ada|bob)! \(2 entries\)$/);
    const [giveaway] = await host.api['giveaways.list']({});
    expect(giveaway).toMatchObject({ id: 1, keyword: '!join', status: 'closed', entries: 2 });
    expect(announced).toContain(`@${giveaway!.winners[0]!.login}!`);
    expect((await host.api['giveaways.entries']({ id: 1 })).map((entry) => entry.login)).toEqual(['ada', 'bob']);
  });
});

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
