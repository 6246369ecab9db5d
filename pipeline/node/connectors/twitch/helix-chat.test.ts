/**
 * The bot's chat out through Helix Send Chat Message, driven by the same chat egress as IRC, against
 * the local Helix server: parts under 500 characters in order and in the thread, Twitch's refusals in
 * words on the delivery.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Envelope } from '../../../core/envelope.js';
import type { StepContext } from '../../../core/service.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../../test/support/twitch-helix-server.js';
import { createTwitchChatEgress } from './chat-egress.js';
import { HelixChatSender } from './helix-chat.js';

const CLIENT_ID = 'helix-chat-client';
let helix: TwitchHelixServer;
beforeEach(async () => {
  helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
  helix.users.push({ id: '1001', login: 'streamer', display_name: 'Streamer' });
  helix.tokens.set('bot-token', { userId: '9001', scopes: ['user:write:chat'] });
  helix.tokens.set('no-scope', { userId: '9001', scopes: [] });
});
afterEach(() => helix.close());

function reply(text: string): Envelope {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    correlationId: 'c',
    type: 'chat.message.v1',
    ingress: { at: 0, source: 'twitch-eventsub', connector: 'twitch-chat', channel: 'streamer' },
    identity: { external: { id: '42', platform: 'twitch', login: 'ann', displayName: 'Ann', roles: [], badges: {} } },
    message: { id: 'parent-1', text: '!long' },
    annotations: [],
    candidates: [{ id: 'k', text, source: 'test', priority: 0, status: 'selected' }],
    routing: { stage: 'egress', slip: [], history: [], hops: 0, decisions: [] },
    errors: [],
  };
}

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: Date.now };

async function egressWith(token: string) {
  const sender = new HelixChatSender({
    clientId: CLIENT_ID,
    senderId: '9001',
    channel: 'streamer',
    token: () => token,
    baseUrl: helix.baseUrl,
  });
  await sender.start();
  return createTwitchChatEgress({ sender });
}

it('sends a long reply as ordered parts in the thread, to the looked-up channel id', async () => {
  const egress = await egressWith('bot-token');
  const text = `${'word '.repeat(150)}end`;
  const outcome = await egress.run(reply(text), context);
  expect(outcome.delivery).toMatchObject({ status: 'sent', parts: 2 });
  expect(helix.chatMessages).toHaveLength(2);
  for (const message of helix.chatMessages) {
    expect(message).toMatchObject({ broadcasterId: '1001', senderId: '9001', replyParentId: 'parent-1' });
    expect([...message.message].length).toBeLessThanOrEqual(500);
  }
  expect(
    helix.chatMessages
      .map((message) => message.message)
      .join(' ')
      .replace(/\s+/g, ' '),
  ).toBe(text.replace(/\s+/g, ' ').trim());
});

it('names what Twitch refused: a drop_reason, a missing scope', async () => {
  const egress = await egressWith('bot-token');
  helix.dropNextChat(1, {
    code: 'msg_rejected_mandatory',
    message: 'Your message wasn’t posted due to conflicts with the channel’s moderation settings.',
  });
  expect((await egress.run(reply('hi there'), context)).delivery).toMatchObject({
    status: 'dropped',
    detail: expect.stringMatching(/^Twitch dropped it: msg_rejected_mandatory \(Your message/),
  });
  const unscoped = await egressWith('no-scope');
  expect((await unscoped.run(reply('hi again'), context)).delivery).toMatchObject({
    status: 'dropped',
    detail: expect.stringMatching(/rejected the bot's token .*user:write:chat/),
  });
  expect(helix.chatMessages).toHaveLength(0);
});
