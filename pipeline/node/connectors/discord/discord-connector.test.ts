/**
 * The real discord.js client against the local Discord gateway + REST server: Hello, Identify,
 * Heartbeat/ACK, READY, MESSAGE_CREATE, Reconnect → Resume (missed dispatches replayed), Invalid Session,
 * and the two ways Discord refuses a bot (invalid token, a privileged intent not granted).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { acceptInbound, type Envelope } from '../../../core/envelope.js';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import { CHANNEL_ID, GUILD_ID, MODS_ROLE_ID, discordMessage } from '../../../../test/support/discord-examples.js';
import { startDiscordServer } from '../../../../test/support/discord-server.js';
import type { IngressSink } from '../connector.js';
import { DiscordConnector } from './discord-connector.js';
import { waitUntil } from '../../../../test/support/wait.js';

const TOKEN = 'MTEwMDAw.local-test-token';
const OTHER_CHANNEL = '290926798626357251';

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
  ready() {
    return Promise.resolve();
  }
  async waitFor(count: number): Promise<Envelope[]> {
    while (this.events.length < count) await once(this.emitter, 'event');
    return this.events;
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(options: { token?: string; allowedPrivilegedIntents?: number } = {}) {
  const server = await startDiscordServer({
    token: TOKEN,
    guild: {
      id: GUILD_ID,
      name: 'Streamer HQ',
      roles: [{ id: MODS_ROLE_ID, name: 'Mods' }],
      channels: [
        { id: CHANNEL_ID, name: 'chat' },
        { id: OTHER_CHANNEL, name: 'off-topic' },
      ],
    },
    heartbeatIntervalMs: 100,
    ...(options.allowedPrivilegedIntents !== undefined
      ? { allowedPrivilegedIntents: options.allowedPrivilegedIntents }
      : {}),
  });
  cleanups.push(() => server.close());
  const states: ConnectorHealth[] = [];
  const changed = new EventEmitter();
  const connector = new DiscordConnector({
    token: options.token ?? TOKEN,
    guildId: GUILD_ID,
    channelIds: [CHANNEL_ID],
    roleMap: { Mods: 'moderator' },
    apiUrl: server.apiUrl,
    onState: (health) => {
      states.push(health);
      changed.emit('state');
    },
  });
  cleanups.push(() => connector.stop());
  const sink = new CollectingSink();
  const until = async (predicate: (health: ConnectorHealth) => boolean) => {
    while (!predicate(connector.health())) await once(changed, 'state');
    return connector.health();
  };
  return { server, connector, sink, states, until };
}

it('reads the chosen channels, maps roles by name, heartbeats, and resumes after Reconnect and a dropped socket', async () => {
  const { server, connector, sink, until } = await world();
  await connector.start(sink);
  expect(await until((health) => health.state === 'connected')).toMatchObject({
    detail: expect.stringContaining('server Streamer HQ'),
  });
  expect(server.identifies).toHaveLength(1);
  expect(server.identifies[0]!.intents & (1 << 15)).not.toBe(0);

  server.messageCreate(discordMessage({ id: '1001', channel_id: OTHER_CHANNEL, content: 'not this channel' }));
  server.messageCreate(discordMessage({ id: '1002', content: 'hello from discord' }));
  const [first] = await sink.waitFor(1);
  expect(first).toMatchObject({
    type: 'chat.message.v1',
    ingress: { connector: 'discord', channel: CHANNEL_ID },
    identity: { external: { platform: 'discord', login: 'mightyalex', roles: ['moderator'] } },
    message: { id: '1002', text: 'hello from discord' },
  });
  await waitUntil('two heartbeat acks', () => server.heartbeatAcks >= 2);

  // Op 7: discord.js closes and resumes the same session; nothing is identified again.
  const resumed = server.nextResumed();
  server.reconnect();
  await resumed;
  await until((health) => health.state === 'connected' && connector.stats.resumed >= 1);
  server.messageCreate(discordMessage({ id: '1003', content: 'after reconnect' }));
  await sink.waitFor(2);

  // A dropped socket: the dispatch sent while it was down is replayed on Resume.
  const again = server.nextResumed();
  server.queueWhileDisconnected(discordMessage({ id: '1004', content: 'missed while down' }));
  server.drop();
  await again;
  const events = await sink.waitFor(3);
  expect(events.map((event) => event.message?.text)).toEqual([
    'hello from discord',
    'after reconnect',
    'missed while down',
  ]);
  expect(server.identifies).toHaveLength(1);
});

it('identifies again after a non-resumable Invalid Session', async () => {
  const { server, connector, sink, until } = await world();
  await connector.start(sink);
  await until((health) => health.state === 'connected');
  const ready = server.nextReady();
  server.invalidSession(false);
  await ready;
  expect(server.identifies).toHaveLength(2);
  await until((health) => health.state === 'connected' && connector.stats.readies >= 2);
  server.messageCreate(discordMessage({ id: '2001', content: 'new session' }));
  expect((await sink.waitFor(1))[0]!.message?.text).toBe('new session');
}, 20_000);

it('says so when the token is invalid', async () => {
  const { connector, sink, until } = await world({ token: 'wrong-token' });
  await connector.start(sink);
  const health = await until((state) => state.state === 'failed');
  expect(health.detail).toMatch(/^invalid token/);
  expect(health.detail).not.toContain('wrong-token');
});

it('names the missing privileged intent', async () => {
  const { connector, sink, until } = await world({ allowedPrivilegedIntents: 0 });
  await connector.start(sink);
  const health = await until((state) => state.state === 'failed');
  expect(health.detail).toMatch(/^missing intent: Message Content .*Privileged Gateway Intents/);
}, 20_000);
