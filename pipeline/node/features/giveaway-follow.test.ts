/**
 * The giveaways' follow requirement (`!giveaway open !join follower`) checked on Twitch with the
 * linked broadcaster's token against the local Helix server (Get Channel Followers with user_id):
 * followers enter, others are told to follow, moderators need not; without a linked broadcaster the
 * giveaway is not opened and the moderator is told why. Real SQLite, the store writer's appliers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, Role } from '../../core/envelope.js';
import type { Service, StepContext } from '../../core/service.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import type { TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import { createReactionTwitch, type ReactionTwitch } from '../twitch-integration/reaction-twitch.js';
import { openReadConnection, type ReadDb, type WriteDb } from '../store/database.js';
import { chatEvent, migratedDb, tempDir } from '../store/test-support.js';
import { createStoreWriter, type StoreWriter } from '../store/writer.js';
import { createGiveawayReader } from './giveaway-store.js';
import { createGiveawaysService, followCheckFor } from './giveaways-service.js';

const CLIENT_ID = 'testclientid';
const BROADCASTER = { id: '1000', token: 'broadcaster-token' };

let helix: TwitchHelixServer;
let temp: ReturnType<typeof tempDir>;
let writeDb: WriteDb;
let readDb: ReadDb;
let writer: StoreWriter;

beforeEach(async () => {
  helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
  helix.tokens.set(BROADCASTER.token, { userId: BROADCASTER.id, scopes: ['moderator:read:followers'] });
  helix.follows.set(BROADCASTER.id, new Map([['2001', '2025-01-01T00:00:00Z']]));
  temp = tempDir();
  writeDb = migratedDb(temp.file);
  writer = createStoreWriter(writeDb);
  readDb = openReadConnection(temp.file);
});
afterEach(async () => {
  readDb.close();
  await writer.close();
  temp.cleanup();
  await helix.close();
});

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 1_000_000 };

function chat(text: string, login: string, id: string, roles: Role[] = ['viewer']): Envelope {
  const event = chatEvent({ text, login });
  event.identity.external.id = id;
  event.identity.external.roles = roles;
  return event;
}

/** The reaction worker's Twitch, configured as the host pushes it: the broadcaster linked (or not). */
function reactionTwitch(broadcaster: { token: string; scopes: string[] } | null): ReactionTwitch {
  const twitch = createReactionTwitch();
  const config: TwitchWorkerConfig = {
    channel: 'streamer',
    clientId: CLIENT_ID,
    irc: { host: '127.0.0.1', port: 1, secure: false },
    eventsubUrl: null,
    helixUrl: helix.baseUrl,
    chatTransport: 'irc',
    bot: null,
    broadcaster: broadcaster && {
      login: 'streamer',
      userId: BROADCASTER.id,
      scopes: broadcaster.scopes,
      accessToken: broadcaster.token,
    },
  };
  twitch.configure(config);
  return twitch;
}
const linked = () => reactionTwitch({ token: BROADCASTER.token, scopes: ['moderator:read:followers'] });

function service(twitch: () => ReactionTwitch): Service {
  return createGiveawaysService({
    reader: createGiveawayReader(readDb),
    commit: (batch) => writer.write(batch),
    follows: () => followCheckFor(twitch()),
  });
}

async function say(giveaways: Service, event: Envelope) {
  const outcome = await giveaways.run(event, context);
  return { status: outcome.status, text: outcome.candidates?.[0]?.text, notes: outcome.notes ?? [] };
}

const entrants = () =>
  (writeDb.prepare('SELECT login FROM giveaway_entries ORDER BY login').all() as { login: string }[]).map(
    (r) => r.login,
  );

describe('giveaways for followers', () => {
  it('lets followers and moderators in and tells the others to follow', async () => {
    const twitch = linked();
    const giveaways = service(() => twitch);
    expect((await say(giveaways, chat('!giveaway open !join follower', 'mod', '3000', ['moderator']))).text).toBe(
      'Giveaway #1 is open: type !join to enter (followers only)!',
    );
    expect(await say(giveaways, chat('!join', 'ada', '2001'))).toMatchObject({ status: 'OK', text: undefined });
    expect(await say(giveaways, chat('!join', 'bob', '2002'))).toMatchObject({
      status: 'OK',
      text: '@bob, follow the channel to enter giveaway #1.',
      notes: ['not following: no entry in giveaway #1'],
    });
    await say(giveaways, chat('!join', 'mod', '3000', ['moderator']));
    expect(entrants()).toEqual(['ada', 'mod']);
    const role = await say(giveaways, chat('!giveaway', 'x', '9'));
    expect(role.text).toBe('Giveaway #1 is open: type !join to enter (followers only). 2 entered so far.');
  });

  it('combines with a role: subscribers who follow', async () => {
    const twitch = linked();
    const giveaways = service(() => twitch);
    expect(
      (await say(giveaways, chat('!giveaway open !join subscriber follower', 'mod', '3000', ['moderator']))).text,
    ).toBe('Giveaway #1 is open: type !join to enter (subscribers who follow only)!');
    expect((await say(giveaways, chat('!join', 'ada', '2001'))).notes).toEqual(['giveaway #1 is for subscribers']);
    await say(giveaways, chat('!join', 'ada', '2001', ['subscriber']));
    expect(entrants()).toEqual(['ada']);
  });

  it('does not open a follower giveaway while no broadcaster is linked, and says why', async () => {
    let twitch = reactionTwitch(null);
    const giveaways = service(() => twitch);
    const refused = await say(giveaways, chat('!giveaway open !join follower', 'mod', '3000', ['moderator']));
    expect(refused.text).toBe(
      'A giveaway for followers cannot open: no broadcaster account is linked (Connections → Twitch) to check follows with. Open it without "follower", or fix that first.',
    );
    expect(createGiveawayReader(readDb).open()).toBeUndefined();

    // Opened while linked, then unlinked: entries are refused (fail closed) with the reason on the slip.
    twitch = linked();
    await say(giveaways, chat('!giveaway open !join follower', 'mod', '3000', ['moderator']));
    twitch = reactionTwitch(null);
    expect(await say(giveaways, chat('!join', 'ada', '2001'))).toMatchObject({
      status: 'SKIP',
      notes: [
        'giveaway #1 is for followers, but no broadcaster account is linked (Connections → Twitch) to check follows with',
      ],
    });
    expect(entrants()).toEqual([]);
  });

  it('refuses while the broadcaster’s login lacks the followers scope (Twitch would list nobody)', async () => {
    helix.tokens.set('no-scope', { userId: BROADCASTER.id, scopes: [] });
    const giveaways = service(() => reactionTwitch({ token: 'no-scope', scopes: [] }));
    expect((await say(giveaways, chat('!giveaway open !join follower', 'mod', '3000', ['moderator']))).text).toMatch(
      /cannot open: the broadcaster's login lacks moderator:read:followers: log in again/,
    );
  });

  it('a token Twitch refuses fails the step for good, with Twitch’s answer', async () => {
    const giveaways = service(() => reactionTwitch({ token: 'revoked', scopes: ['moderator:read:followers'] }));
    await say(service(linked), chat('!giveaway open !join follower', 'mod', '3000', ['moderator']));
    await expect(giveaways.run(chat('!join', 'ada', '2001'), context)).rejects.toMatchObject({
      code: 'GIVEAWAY_FOLLOW_CHECK',
      retryable: false,
    });
    expect(entrants()).toEqual([]);
  });
});
