/**
 * Discord out through discord.js's REST client against the local Discord server: a long reply split at
 * 2,000 characters (the first part a reply to the message), mentions off, never posted twice for one event,
 * a cross-post to the announce channel, and a refusal named on the delivery.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Envelope } from '../../../core/envelope.js';
import type { DeliveryClaim } from '../../../core/protocol/store.js';
import type { StepContext } from '../../../core/service.js';
import { CHANNEL_ID, GUILD_ID } from '../../../../test/support/discord-examples.js';
import { startDiscordServer, type DiscordServer } from '../../../../test/support/discord-server.js';
import type { DeliveryLedger } from '../../services/console-delivery.js';
import { createDiscordDelivery } from './discord-egress.js';

const TOKEN = 'egress-test-token';
const ANNOUNCE_ID = '290926798626357777';
let server: DiscordServer;
beforeEach(async () => {
  server = await startDiscordServer({
    token: TOKEN,
    guild: {
      id: GUILD_ID,
      name: 'HQ',
      roles: [],
      channels: [
        { id: CHANNEL_ID, name: 'chat' },
        { id: ANNOUNCE_ID, name: 'live' },
      ],
    },
  });
});
afterEach(() => server.close());

/** The ledger's contract (claim once per key) over a Map; the SQLite one is tested in store/. */
function memoryLedger(): DeliveryLedger & { rows: Map<string, { status: string; detail?: string }> } {
  const rows = new Map<string, { status: string; detail?: string }>();
  return {
    rows,
    async claim(claim: DeliveryClaim) {
      if (rows.has(claim.key)) return false;
      rows.set(claim.key, { status: claim.status ?? 'claimed' });
      return true;
    },
    async finish(result) {
      rows.set(result.key, { status: result.status, ...(result.detail ? { detail: result.detail } : {}) });
    },
  };
}

function event(
  connector: string,
  channel: string,
  text: string,
  id = '00000000-0000-4000-8000-000000000001',
): Envelope {
  return {
    id,
    correlationId: id,
    type: connector === 'discord' ? 'chat.message.v1' : 'twitch.stream.online.v1',
    ingress: { at: 0, source: connector, connector, channel },
    identity: { external: { id: '1', platform: connector, login: 'ann', displayName: 'Ann', roles: [], badges: {} } },
    ...(connector === 'discord' ? { message: { id: '777', text: '!q' } } : {}),
    annotations: [],
    candidates: [{ id: 'c', text, source: 'test', priority: 0, status: 'selected' }],
    routing: { stage: 'egress', slip: [], history: [], hops: 0, decisions: [] },
    errors: [],
  };
}

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: Date.now };
const settings = { guildId: GUILD_ID, channelIds: [CHANNEL_ID], roleMap: {}, announceChannelId: ANNOUNCE_ID };

it('splits at 2,000 characters, replies with the first part, and never posts twice', async () => {
  const ledger = memoryLedger();
  const delivery = createDiscordDelivery({ ledger });
  expect(await delivery.run(event('discord', CHANNEL_ID, 'hi'), context)).toMatchObject({ status: 'SKIP' });
  await delivery.configure({ token: TOKEN, settings, apiUrl: server.apiUrl });
  const text = `@everyone ${'lorem ipsum '.repeat(300)}`.trim();
  const outcome = await delivery.run(event('discord', CHANNEL_ID, text), context);
  expect(outcome.delivery).toMatchObject({ connector: 'discord', status: 'sent', parts: 2 });
  expect(server.posted).toHaveLength(2);
  expect(server.posted.map((post) => post.replyTo)).toEqual(['777', null]);
  for (const post of server.posted) expect([...post.content].length).toBeLessThanOrEqual(2000);
  expect(server.posted.map((post) => post.content).join(' ')).toBe(text);

  const again = await delivery.run(event('discord', CHANNEL_ID, text), context);
  expect(again.delivery).toMatchObject({ status: 'duplicate' });
  expect(server.posted).toHaveLength(2);
});

it('cross-posts other events to the announce channel, and names a refusal', async () => {
  const ledger = memoryLedger();
  const delivery = createDiscordDelivery({ ledger });
  await delivery.configure({ token: TOKEN, settings, apiUrl: server.apiUrl });
  const live = await delivery.run(
    event('twitch-eventsub', 'streamer', 'We are live!', '00000000-0000-4000-8000-000000000002'),
    context,
  );
  expect(live.delivery).toMatchObject({ status: 'sent' });
  expect(server.posted.at(-1)).toMatchObject({ channelId: ANNOUNCE_ID, replyTo: null, content: 'We are live!' });

  await delivery.configure({ token: TOKEN, settings: { ...settings, announceChannelId: '42' }, apiUrl: server.apiUrl });
  const refused = await delivery.run(
    event('twitch-eventsub', 'streamer', 'again', '00000000-0000-4000-8000-000000000003'),
    context,
  );
  expect(refused.delivery).toMatchObject({
    status: 'dropped',
    detail: expect.stringMatching(/Discord refused it: Unknown Channel/),
  });
  expect(ledger.rows.get('00000000-0000-4000-8000-000000000003:discord')).toMatchObject({ status: 'dropped' });
});
