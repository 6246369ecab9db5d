/**
 * The real @twurple/eventsub-ws listener and @twurple/api client against a local EventSub server.
 * twurple 8.1.4 reaches a non-Twitch host only through the process-wide TWURPLE_MOCK_API_PORT variable
 * (Helix at http://localhost:PORT/..., the socket at ws://127.0.0.1:PORT/ws), so this file sets it for its
 * own forked test process only; production code never sets it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { ApiClient } from '@twurple/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope } from '../../../core/envelope.js';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import {
  startTwitchEventSubServer,
  type TwitchEventSubServer,
} from '../../../../test/support/twitch-eventsub-server.js';
import type { IngressSink } from '../connector.js';
import { TwitchEventSubConnector } from './eventsub-connector.js';
import { createTokenAuthProvider } from './helix-auth-provider.js';
import { EVENTSUB_SUBSCRIPTIONS } from './scopes.js';

const CLIENT_ID = 'public-client-id';
const BROADCASTER = {
  broadcaster_user_id: '1001',
  broadcaster_user_login: 'streamer',
  broadcaster_user_name: 'Streamer',
};
const VIEWER = { user_id: '2002', user_login: 'viewer_one', user_name: 'Viewer_One' };
const ALL_SCOPES = [...new Set(EVENTSUB_SUBSCRIPTIONS.flatMap((spec) => spec.anyOf.slice(0, 1)))];

class CollectingSink implements IngressSink {
  readonly events: Envelope[] = [];
  private readonly emitter = new EventEmitter();
  accept(raw: unknown) {
    const parsed = acceptInbound(raw, Date.now(), randomUUID);
    if (!parsed.ok) throw new Error(`connector produced an invalid event: ${parsed.error}`);
    this.events.push(parsed.value);
    this.emitter.emit('event');
    return { ok: true as const, id: parsed.value.id };
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  async waitFor(count: number): Promise<Envelope[]> {
    while (this.events.length < count) await once(this.emitter, 'event');
    return this.events;
  }
}

let server: TwitchEventSubServer;
let connector: TwitchEventSubConnector | null = null;

async function startAll(options: { keepaliveTimeoutSeconds?: number; scopes?: string[] } = {}) {
  server = await startTwitchEventSubServer({
    clientId: CLIENT_ID,
    tokens: { 'broadcaster-token': { userId: '1001', scopes: options.scopes ?? ALL_SCOPES } },
    keepaliveTimeoutSeconds: options.keepaliveTimeoutSeconds ?? 10,
  });
  process.env['TWURPLE_MOCK_API_PORT'] = String(server.port);
  const scopes = options.scopes ?? ALL_SCOPES;
  const apiClient = new ApiClient({
    authProvider: createTokenAuthProvider({
      clientId: CLIENT_ID,
      userId: '1001',
      scopes,
      tokens: {
        accessToken: async () => 'broadcaster-token',
        refresh: async () => ({ accessToken: 'broadcaster-token' }),
      },
    }),
  });
  const states: ConnectorHealth[] = [];
  const revocations: Array<{ type: string; status: string }> = [];
  const revoked = new EventEmitter();
  const sink = new CollectingSink();
  connector = new TwitchEventSubConnector({
    apiClient,
    broadcasterId: '1001',
    userId: '1001',
    grantedScopes: scopes,
    onState: (health) => states.push(health),
    onRevocation: (revocation) => {
      revocations.push(revocation);
      revoked.emit('revocation');
    },
  });
  const expected = connector.plannedSubscriptions.length;
  await connector.start(sink);
  await server.waitForSubscriptions(expected);
  return { connector, sink, states, revocations, revoked, expected };
}

beforeEach(() => {
  delete process.env['TWURPLE_MOCK_API_PORT'];
});
afterEach(async () => {
  await connector?.stop();
  connector = null;
  await server?.close();
  delete process.env['TWURPLE_MOCK_API_PORT'];
});

const SAMPLES: Array<{ type: string; event: Record<string, unknown>; expect: (event: Envelope) => void }> = [
  {
    type: 'channel.follow',
    event: { ...VIEWER, ...BROADCASTER, followed_at: '2024-05-01T10:00:00Z' },
    expect: (e) => {
      expect(e.type).toBe('twitch.follow.v1');
      expect(e.identity.external).toMatchObject({ id: '2002', login: 'viewer_one', displayName: 'Viewer_One' });
      expect(e.details?.['followedAt']).toBe(Date.parse('2024-05-01T10:00:00Z'));
    },
  },
  {
    type: 'channel.subscribe',
    event: { ...VIEWER, ...BROADCASTER, tier: '2000', is_gift: false },
    expect: (e) => {
      expect(e.type).toBe('twitch.sub.v1');
      expect(e.details).toMatchObject({ tier: 2, plan: '2000', isGift: false });
    },
  },
  {
    type: 'channel.subscription.gift',
    event: {
      user_id: null,
      user_login: null,
      user_name: null,
      ...BROADCASTER,
      total: 5,
      tier: '1000',
      cumulative_total: null,
      is_anonymous: true,
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.subgift.v1');
      expect(e.identity.external.id).toBe('anonymous');
      expect(e.details).toMatchObject({ giftCount: 5, tier: 1, anonymous: true });
    },
  },
  {
    type: 'channel.subscription.message',
    event: {
      ...VIEWER,
      ...BROADCASTER,
      tier: '1000',
      message: { text: 'Love the stream! Kappa', emotes: [{ begin: 17, end: 21, id: '25' }] },
      cumulative_months: 15,
      streak_months: null,
      duration_months: 1,
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.resub.v1');
      expect(e.details).toMatchObject({ months: 15, durationMonths: 1 });
      expect(e.details).not.toHaveProperty('streakMonths');
      expect(e.message).toEqual({ text: 'Love the stream! Kappa', emotes: [{ id: '25', start: 17, end: 21 }] });
    },
  },
  {
    type: 'channel.cheer',
    event: { is_anonymous: false, ...VIEWER, ...BROADCASTER, message: 'cheer100 nice play 你好', bits: 100 },
    expect: (e) => {
      expect(e.type).toBe('twitch.cheer.v1');
      expect(e.details?.['bits']).toBe(100);
      expect(e.message?.text).toBe('cheer100 nice play 你好');
    },
  },
  {
    type: 'channel.raid',
    event: {
      from_broadcaster_user_id: '3003',
      from_broadcaster_user_login: 'raider',
      from_broadcaster_user_name: 'Raider',
      to_broadcaster_user_id: '1001',
      to_broadcaster_user_login: 'streamer',
      to_broadcaster_user_name: 'Streamer',
      viewers: 42,
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.raid.v1');
      expect(e.ingress.channel).toBe('streamer');
      expect(e.identity.external.login).toBe('raider');
      expect(e.details?.['viewers']).toBe(42);
    },
  },
  {
    type: 'channel.channel_points_custom_reward_redemption.add',
    event: {
      id: 'redemption-1',
      ...BROADCASTER,
      ...VIEWER,
      user_input: 'play the song',
      status: 'unfulfilled',
      reward: { id: 'reward-9', title: 'Song request', cost: 500, prompt: 'Name a song' },
      redeemed_at: '2024-05-01T10:00:00Z',
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.redemption.v1');
      expect(e.details).toMatchObject({
        rewardId: 'reward-9',
        rewardTitle: 'Song request',
        input: 'play the song',
        rewardCost: 500,
      });
    },
  },
  {
    type: 'stream.online',
    event: { id: 'stream-7', ...BROADCASTER, type: 'live', started_at: '2024-05-01T10:00:00Z' },
    expect: (e) => {
      expect(e.type).toBe('twitch.stream.online.v1');
      expect(e.identity.external.roles).toEqual(['broadcaster']);
      expect(e.details).toMatchObject({ streamId: 'stream-7', streamType: 'live' });
    },
  },
  {
    type: 'stream.offline',
    event: { ...BROADCASTER },
    expect: (e) => expect(e.type).toBe('twitch.stream.offline.v1'),
  },
  {
    type: 'channel.ban',
    event: {
      ...VIEWER,
      ...BROADCASTER,
      moderator_user_id: '4004',
      moderator_user_login: 'mod_person',
      moderator_user_name: 'Mod_Person',
      reason: 'spam',
      banned_at: '2024-05-01T10:00:00Z',
      ends_at: '2024-05-01T10:10:00Z',
      is_permanent: false,
    },
    expect: (e) => {
      expect(e.type).toBe('moderation.action.v1');
      expect(e.identity.external.login).toBe('mod_person');
      expect(e.details).toMatchObject({
        action: 'ban',
        targetUserId: '2002',
        durationSeconds: 600,
        reason: 'spam',
        permanent: false,
      });
    },
  },
  {
    type: 'channel.unban',
    event: {
      ...VIEWER,
      ...BROADCASTER,
      moderator_user_id: '4004',
      moderator_user_login: 'mod_person',
      moderator_user_name: 'Mod_Person',
    },
    expect: (e) => {
      expect(e.type).toBe('moderation.action.v1');
      expect(e.details).toMatchObject({ action: 'unban', targetLogin: 'viewer_one' });
    },
  },
  {
    type: 'channel.hype_train.begin',
    event: {
      id: 'train-1',
      ...BROADCASTER,
      type: 'regular',
      level: 2,
      total: 700,
      progress: 200,
      goal: 1000,
      is_shared_train: false,
      started_at: '2024-05-01T10:00:00Z',
      expires_at: '2024-05-01T10:05:00Z',
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.hypetrain.v1');
      expect(e.details).toMatchObject({ phase: 'begin', level: 2, total: 700, goal: 1000 });
    },
  },
  {
    type: 'channel.hype_train.end',
    event: {
      id: 'train-1',
      ...BROADCASTER,
      type: 'regular',
      level: 3,
      total: 2000,
      is_shared_train: false,
      started_at: '2024-05-01T10:00:00Z',
      ended_at: '2024-05-01T10:06:00Z',
    },
    expect: (e) => expect(e.details).toMatchObject({ phase: 'end', level: 3, total: 2000 }),
  },
  {
    type: 'channel.poll.begin',
    event: {
      id: 'poll-1',
      ...BROADCASTER,
      title: 'Next game?',
      choices: [
        { id: 'a', title: 'Chess' },
        { id: 'b', title: 'Go' },
      ],
      started_at: '2024-05-01T10:00:00Z',
      ends_at: '2024-05-01T10:02:00Z',
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.poll.v1');
      expect(e.details).toMatchObject({
        phase: 'begin',
        title: 'Next game?',
        choices: [
          { id: 'a', title: 'Chess' },
          { id: 'b', title: 'Go' },
        ],
      });
    },
  },
  {
    type: 'channel.poll.end',
    event: {
      id: 'poll-1',
      ...BROADCASTER,
      title: 'Next game?',
      choices: [{ id: 'a', title: 'Chess', votes: 7 }],
      status: 'completed',
      started_at: '2024-05-01T10:00:00Z',
      ended_at: '2024-05-01T10:02:00Z',
    },
    expect: (e) =>
      expect(e.details).toMatchObject({ phase: 'end', status: 'completed', choices: [{ id: 'a', votes: 7 }] }),
  },
  {
    type: 'channel.prediction.begin',
    event: {
      id: 'pred-1',
      ...BROADCASTER,
      title: 'Win?',
      outcomes: [{ id: 'y', title: 'Yes' }],
      started_at: '2024-05-01T10:00:00Z',
      locks_at: '2024-05-01T10:05:00Z',
    },
    expect: (e) => {
      expect(e.type).toBe('twitch.prediction.v1');
      expect(e.details).toMatchObject({ phase: 'begin', predictionId: 'pred-1', title: 'Win?' });
    },
  },
  {
    type: 'channel.prediction.end',
    event: {
      id: 'pred-1',
      ...BROADCASTER,
      title: 'Win?',
      winning_outcome_id: 'y',
      outcomes: [{ id: 'y', title: 'Yes', users: 3, channel_points: 900 }],
      status: 'resolved',
      started_at: '2024-05-01T10:00:00Z',
      ended_at: '2024-05-01T10:07:00Z',
    },
    expect: (e) => expect(e.details).toMatchObject({ phase: 'end', winningOutcomeId: 'y', status: 'resolved' }),
  },
];

describe('TwitchEventSubConnector against a local EventSub server', () => {
  it('subscribes to what the scopes allow and turns every notification type into its envelope', async () => {
    const { sink, expected } = await startAll();
    expect(expected).toBe(EVENTSUB_SUBSCRIPTIONS.length);
    expect(new Set(server.subscriptions.map((sub) => `${sub.type}@${sub.version}`))).toEqual(
      new Set(EVENTSUB_SUBSCRIPTIONS.map((spec) => `${spec.type}@${spec.version}`)),
    );
    expect(connector!.health().state).toBe('connected');

    const ids = SAMPLES.map((sample) => server.notify(sample.type, sample.event));
    const events = await sink.waitFor(SAMPLES.length);
    SAMPLES.forEach((sample, index) => {
      const event = events[index]!;
      expect(event.ingress).toMatchObject({ connector: 'twitch-eventsub', channel: 'streamer' });
      expect(event.externalEvent).toMatchObject({
        kind: `eventsub.${sample.type}`,
        id: ids[index],
        payload: sample.event,
      });
      sample.expect(event);
    });
    expect(connector!.health().lastEventAt).not.toBeNull();
  });

  it('subscribes only to what the granted scopes allow', async () => {
    await startAll({ scopes: ['moderator:read:followers', 'bits:read'] });
    expect(server.subscriptions.map((sub) => sub.type).sort()).toEqual(
      ['channel.cheer', 'channel.follow', 'channel.raid', 'stream.offline', 'stream.online'].sort(),
    );
  });

  it('drops a redelivered message id', async () => {
    const { sink } = await startAll();
    const follow = SAMPLES[0]!;
    const messageId = server.notify(follow.type, follow.event);
    server.notify(follow.type, follow.event, { messageId });
    // A different message after the duplicate: once it arrives, the duplicate has been handled.
    server.notify('stream.offline', { ...BROADCASTER });
    const events = await sink.waitFor(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.events.map((event) => event.type)).toEqual(['twitch.follow.v1', 'twitch.stream.offline.v1']);
    expect(events[0]!.externalEvent?.id).toBe(messageId);
    expect(connector!.stats.duplicates).toBe(1);
  });

  it('reconnects when keepalives stop, reports it, and subscribes again on the new session', async () => {
    const { sink, states, expected } = await startAll({ keepaliveTimeoutSeconds: 0.4 });
    const firstSession = server.sessionsWelcomed[0];
    server.keepalives = false;
    const newSession = await server.nextWelcome();
    server.keepalives = true;
    expect(newSession).not.toBe(firstSession);
    await server.waitForSubscriptions(expected);
    expect(states.some((health) => health.state === 'reconnecting')).toBe(true);
    expect(connector!.stats.disconnects).toBeGreaterThanOrEqual(1);
    server.notify('stream.offline', { ...BROADCASTER });
    await sink.waitFor(1);
    expect(connector!.health()).toMatchObject({ state: 'connected' });
    expect(connector!.health().detail).toContain(newSession);
  });

  it('follows session_reconnect without losing or duplicating events', async () => {
    const { sink, expected } = await startAll();
    const follow = SAMPLES[0]!;
    const before = server.notify(follow.type, follow.event);
    const welcomed = server.nextWelcome();
    server.sessionReconnect();
    const newSession = await welcomed;
    // The subscriptions moved with the session: nothing was created again.
    expect(server.calls.created).toBe(expected);
    expect(server.subscriptions.every((sub) => sub.sessionId === newSession)).toBe(true);
    // Twitch may resend what was in flight on the old connection; it must not reach the pipeline twice.
    server.notify(follow.type, follow.event, { messageId: before });
    const after = server.notify('stream.offline', { ...BROADCASTER });
    await sink.waitFor(2);
    expect(sink.events.map((event) => event.externalEvent?.id)).toEqual([before, after]);
    expect(connector!.health().state).toBe('connected');
    expect(connector!.stats.disconnects).toBe(0);
  });

  it('reports a revocation, and a revoked authorization as failed', async () => {
    const { revocations, revoked } = await startAll();
    server.revoke('channel.cheer', 'version_removed');
    await once(revoked, 'revocation');
    expect(connector!.health().state).toBe('connected');
    expect(connector!.health().detail).toContain('revoked: channel.cheer (version_removed)');
    server.revoke('channel.follow', 'authorization_revoked');
    await once(revoked, 'revocation');
    expect(revocations).toEqual([
      { type: 'channel.cheer', status: 'version_removed' },
      { type: 'channel.follow', status: 'authorization_revoked' },
    ]);
    expect(connector!.health().state).toBe('failed');
    expect(connector!.health().detail).toMatch(/log in again/);
  });
});
