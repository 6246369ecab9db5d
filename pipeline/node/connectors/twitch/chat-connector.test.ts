import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope } from '../../../core/envelope.js';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import { startTwitchIrcServer, type TwitchIrcServer } from '../../../../test/support/twitch-irc-server.js';
import type { IngressSink } from '../connector.js';
import { TwitchChatConnector, type TwitchChatConnectorOptions } from './chat-connector.js';

/** A sink that parses like the ingress worker does and wakes waiters on each accepted event. */
function collectingSink() {
  const events: Envelope[] = [];
  const rejected: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sink: IngressSink = {
    ready: () => Promise.resolve(),
    accept(raw) {
      const result = acceptInbound(raw, Date.now(), randomUUID);
      if (!result.ok) {
        rejected.push(result.error);
        return { ok: false, error: result.error };
      }
      events.push(result.value);
      for (const waiter of [...waiters]) {
        if (events.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      return { ok: true, id: result.value.id };
    },
  };
  const waitFor = (count: number) =>
    new Promise<void>((resolve) => (events.length >= count ? resolve() : waiters.push({ count, resolve })));
  return { sink, events, rejected, waitFor };
}

function waitForState(states: ConnectorHealth[], state: ConnectorHealth['state'], after = 0): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (states.slice(after).some((health) => health.state === state)) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

let server: TwitchIrcServer | null = null;
let connector: TwitchChatConnector | null = null;

afterEach(async () => {
  await connector?.stop();
  await server?.close();
  connector = null;
  server = null;
});

function connect(overrides: Partial<TwitchChatConnectorOptions> = {}) {
  const states: ConnectorHealth[] = [];
  connector = new TwitchChatConnector({
    channels: ['Dallas'],
    server: { host: '127.0.0.1', port: server!.port, secure: false },
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, decay: 1.5 },
    onState: (health) => states.push(health),
    ...overrides,
  });
  return states;
}

describe('TwitchChatConnector with tmi.js against a local Twitch-like server', () => {
  it('reads anonymously and normalizes live lines like replayed ones', async () => {
    server = await startTwitchIrcServer();
    const { sink, events, waitFor } = collectingSink();
    const states = connect();
    const joined = server.waitForJoins('#dallas', 1);
    await connector!.start(sink);
    await joined;
    expect([...server.sessions][0]?.anonymous).toBe(true);
    expect([...server.sessions][0]?.caps).toEqual(['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership']);
    server.chat({ channel: '#dallas', login: 'viewer', text: 'hello 你好 🎉', id: 'm-1', userId: '42' });
    server.inject(
      '@ban-duration=10;room-id=1;target-user-id=42;tmi-sent-ts=5 :tmi.twitch.tv CLEARCHAT #dallas :viewer',
    );
    await waitFor(2);
    expect(events[0]).toMatchObject({
      type: 'chat.message.v1',
      ingress: { connector: 'twitch-chat', channel: 'dallas' },
      identity: { external: { id: '42', login: 'viewer' } },
      message: { id: 'm-1', text: 'hello 你好 🎉' },
    });
    expect(events[1]).toMatchObject({
      type: 'moderation.action.v1',
      details: { action: 'timeout', durationSeconds: 10 },
    });
    expect(connector!.health()).toMatchObject({ id: 'twitch-chat', state: 'connected' });
    expect(connector!.health().lastEventAt).not.toBeNull();
    expect(states.map((s) => s.state)).toContain('connected');
  });

  it('reconnects after the server drops the socket mid-stream, rejoins, and loses or repeats nothing', async () => {
    server = await startTwitchIrcServer();
    const { sink, events, waitFor } = collectingSink();
    const states = connect();
    const firstJoin = server.waitForJoins('#dallas', 1);
    await connector!.start(sink);
    await firstJoin;
    const say = (n: number) =>
      server!.chat({ channel: '#dallas', login: 'viewer', text: `message ${n}`, id: `id-${n}`, userId: '42' });
    for (let n = 1; n <= 5; n += 1) say(n);
    await waitFor(5);
    const rejoined = server.waitForJoins('#dallas', 2);
    const before = states.length;
    say(6); // may or may not make it before the drop
    server.drop();
    await waitForState(states, 'reconnecting', before);
    await rejoined;
    // After the reconnect the source redelivers from message 4 (an overlap), then goes on.
    for (let n = 4; n <= 10; n += 1) say(n);
    await waitFor(10);
    // One more line proves nothing else is still on its way.
    say(11);
    await waitFor(11);
    expect(events.map((e) => e.message?.text)).toEqual(Array.from({ length: 11 }, (_, i) => `message ${i + 1}`));
    expect(connector!.stats.duplicates).toBeGreaterThanOrEqual(2);
    expect(connector!.health().state).toBe('connected');
    expect(connector!.stats.connects).toBe(2);
  });

  it('follows a RECONNECT from Twitch and rejoins', async () => {
    server = await startTwitchIrcServer();
    const { sink, events, waitFor } = collectingSink();
    connect();
    const firstJoin = server.waitForJoins('#dallas', 1);
    await connector!.start(sink);
    await firstJoin;
    const rejoined = server.waitForJoins('#dallas', 2);
    server.reconnect();
    await rejoined;
    server.chat({ channel: '#dallas', login: 'viewer', text: 'after reconnect', id: 'r-1' });
    await waitFor(1);
    expect(events[0]?.message?.text).toBe('after reconnect');
  });

  it('detects a stalled socket (no PING, no line) and restarts it', async () => {
    server = await startTwitchIrcServer();
    const { sink, events, waitFor } = collectingSink();
    const states = connect({ stallTimeoutMs: 250 });
    const firstJoin = server.waitForJoins('#dallas', 1);
    await connector!.start(sink);
    await firstJoin;
    const rejoined = server.waitForJoins('#dallas', 2);
    server.freeze();
    await rejoined;
    expect(connector!.stats.restarts).toBeGreaterThanOrEqual(1);
    expect(states.some((s) => s.state === 'reconnecting' && /no line from Twitch/.test(s.detail ?? ''))).toBe(true);
    server.chat({ channel: '#dallas', login: 'viewer', text: 'alive again', id: 's-1' });
    await waitFor(1);
    expect(events[0]?.message?.text).toBe('alive again');
  });

  it('logs in with an account token and reports a refused login as failed', async () => {
    server = await startTwitchIrcServer({ tokens: { bitbot: 'oauth:good' } });
    const { sink } = collectingSink();
    const states = connect({ account: { login: 'bitbot', token: () => 'bad' } });
    await connector!.start(sink);
    await waitForState(states, 'failed');
    expect(connector!.health()).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(/Login authentication failed/),
    });
    await connector!.stop();

    const joined = server.waitForJoins('#dallas', 1);
    connect({ account: { login: 'bitbot', token: async () => 'good' } });
    await connector!.start(sink);
    await joined;
    expect([...server.sessions][0]).toMatchObject({ login: 'bitbot', anonymous: false });
  });
});
