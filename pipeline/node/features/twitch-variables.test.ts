/**
 * `{game}`, `{title}`, `{followage}` from Helix against the local Helix server: the commands service
 * with the broadcaster's Helix client, the brief cache, Twitch's failures in words, and the
 * "(… unknown: link the broadcaster …)" text while no broadcaster is linked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../core/envelope.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import type { StepContext } from '../../core/service.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import { createHelixChannel } from '../connectors/twitch/helix-channel.js';
import { createCommandsService } from '../services/commands.js';
import { chatEvent } from '../store/test-support.js';
import { formatFollowAge, UNAVAILABLE, type TwitchLookups, type VariableSources } from './template-context.js';

const CLIENT_ID = 'testclientid';
const BROADCASTER = { id: '1000', token: 'broadcaster-token' };
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');

let helix: TwitchHelixServer;
let clock = NOW;

beforeEach(async () => {
  clock = NOW;
  helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
  helix.tokens.set(BROADCASTER.token, { userId: BROADCASTER.id, scopes: ['moderator:read:followers'] });
  helix.users.push({ id: BROADCASTER.id, login: 'streamer', display_name: 'Streamer' });
  helix.users.push({ id: '2001', login: 'ada', display_name: 'Ada' });
  helix.channels.set(BROADCASTER.id, {
    login: 'streamer',
    name: 'Streamer',
    game: 'Celeste',
    title: 'Any% practice',
  });
  helix.follows.set(BROADCASTER.id, new Map([['2001', new Date(NOW - 400 * DAY).toISOString()]]));
});
afterEach(async () => {
  await helix.close();
});

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => clock };

const info: CommandDefinition = {
  id: 'info',
  enabled: true,
  trigger: { kind: 'exact', text: '!info' },
  template: '{user}: {game} / {title} / following {followage}',
  roles: [],
  userCooldownSeconds: 0,
  globalCooldownSeconds: 0,
};

function chatFrom(login: string, id: string): Envelope {
  const event = chatEvent({ text: '!info', login });
  event.identity.external.id = id;
  return event;
}

function sources(twitch: (() => TwitchLookups | undefined) | undefined): VariableSources {
  return {
    counters: () => [],
    counterValue: () => 0,
    stream: () => ({ live: false, startedAt: null }),
    ...(twitch ? { twitch } : {}),
  };
}

function helixClient(token = BROADCASTER.token, scopes?: readonly string[]) {
  return createHelixChannel({
    clientId: CLIENT_ID,
    broadcasterId: BROADCASTER.id,
    token: () => token,
    ...(scopes ? { scopes: () => scopes } : {}),
    baseUrl: helix.baseUrl,
    now: () => clock,
    cacheMs: 60_000,
  });
}

async function reply(variables: VariableSources, event: Envelope): Promise<string | undefined> {
  const service = createCommandsService({ commands: () => [info], variables, now: () => clock });
  return (await service.run(event, context)).candidates?.[0]?.text;
}

describe('{game} {title} {followage} from Helix', () => {
  it("fills the channel's category and title and the user's follow age", async () => {
    const client = helixClient();
    expect(
      await reply(
        sources(() => client),
        chatFrom('ada', '2001'),
      ),
    ).toBe('ada: Celeste / Any% practice / following 1 year, 1 month');
    expect(
      await reply(
        sources(() => client),
        chatFrom('bob', '2002'),
      ),
    ).toBe('bob: Celeste / Any% practice / following not following');
  });

  it('caches answers briefly: a category change shows once the cache has expired', async () => {
    const client = helixClient();
    const variables = sources(() => client);
    await reply(variables, chatFrom('ada', '2001'));
    const requests = helix.requests;
    helix.channels.set(BROADCASTER.id, { login: 'streamer', name: 'Streamer', game: 'Just Chatting', title: 'Talk' });
    expect(await reply(variables, chatFrom('ada', '2001'))).toContain('Celeste');
    expect(helix.requests).toBe(requests);
    clock += 61_000;
    expect(await reply(variables, chatFrom('ada', '2001'))).toContain('Just Chatting / Talk');
    expect(helix.requests).toBeGreaterThan(requests);
  });

  it('says why a value is unknown when Twitch refuses (a revoked token), and the reply still goes out', async () => {
    const text = await reply(
      sources(() => helixClient('revoked')),
      chatFrom('ada', '2001'),
    );
    expect(text).toBe(
      'ada: (game unknown: Twitch answered 401: Invalid OAuth token) / (title unknown: Twitch answered 401: Invalid OAuth token) / following (follow age unknown: Twitch answered 401: Invalid OAuth token)',
    );
  });

  it('says the follow age is unknown, and why, when the linked login lacks the followers scope', async () => {
    const before = helix.requests;
    expect(
      await reply(
        sources(() => helixClient(BROADCASTER.token, ['moderator:read:chatters'])),
        chatFrom('ada', '2001'),
      ),
    ).toContain(
      "following (follow age unknown: the broadcaster's login lacks moderator:read:followers: log in again in Connections → Twitch)",
    );
    // Asked for the channel ({game}, {title}), never for the follow Twitch would answer with nobody.
    expect(helix.requests - before).toBe(1);
  });

  it("when the token's scopes are not known and Twitch lists nobody, the reply says not following", async () => {
    helix.tokens.set(BROADCASTER.token, { userId: BROADCASTER.id, scopes: [] });
    expect(
      await reply(
        sources(() => helixClient()),
        chatFrom('ada', '2001'),
      ),
    ).toContain('following not following');
  });

  it('keeps the "(unknown: link the broadcaster …)" text while no broadcaster is linked', async () => {
    const before = helix.requests;
    expect(
      await reply(
        sources(() => undefined),
        chatFrom('ada', '2001'),
      ),
    ).toBe(`ada: ${UNAVAILABLE.game} / ${UNAVAILABLE.title} / following ${UNAVAILABLE.followage}`);
    expect(await reply(sources(undefined), chatFrom('ada', '2001'))).toContain(UNAVAILABLE.game);
    expect(helix.requests).toBe(before);
  });

  it('a cooldown holds for two runs that both waited for Twitch at once', async () => {
    const client = helixClient();
    const service = createCommandsService({
      commands: () => [{ ...info, globalCooldownSeconds: 30 }],
      variables: sources(() => client),
      now: () => clock,
    });
    const outcomes = await Promise.all([
      service.run(chatFrom('ada', '2001'), context),
      service.run(chatFrom('bob', '2002'), context),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['OK', 'SKIP']);
    expect(outcomes.find((outcome) => outcome.status === 'SKIP')?.notes?.[0]).toMatch(/cooldown, 30 s left/);
  });

  it('formats follow ages', () => {
    expect(formatFollowAge(3 * 3600_000)).toBe('3h 0m');
    expect(formatFollowAge(12 * DAY)).toBe('12 days');
    expect(formatFollowAge(62 * DAY)).toBe('2 months, 2 days');
    expect(formatFollowAge(365 * DAY)).toBe('1 year');
    expect(formatFollowAge(800 * DAY)).toBe('2 years, 2 months');
  });
});
