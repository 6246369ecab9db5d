/**
 * Welcome and shoutouts: the default rules choose the greeting for first-time and returning chatters
 * (off until turned on), the welcome service writes the editable greeting, and `!so @user` names the
 * user's last category and sends Helix Send Shoutout against the local Helix server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COMMANDS } from '../../core/commands.js';
import type { Envelope, Role, UserTag } from '../../core/envelope.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import { DEFAULT_RULES, RuleBook, ruleFacts, type Rule } from '../../core/rules.js';
import type { StepContext, StepOutcome } from '../../core/service.js';
import { DEFAULT_WELCOME_SETTINGS, WELCOME_RULE_IDS, WelcomeSettingsSchema } from '../../core/welcome.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import { createHelixChannel, type HelixChannel } from '../connectors/twitch/helix-channel.js';
import { chatEvent } from '../store/test-support.js';
import { createShoutoutService, LAST_GAME_UNKNOWN } from './shoutout-service.js';
import { createWelcomeService } from './welcome-service.js';

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 1_000_000 };

function chat(
  text: string,
  options: { login?: string; roles?: Role[]; tags?: UserTag[]; firstMsg?: boolean } = {},
): Envelope {
  const event = chatEvent({ text, login: options.login ?? 'newbie' });
  event.identity.external.roles = options.roles ?? ['viewer'];
  if (options.firstMsg) event.details = { firstMessage: true };
  if (options.tags) {
    event.identity.user = {
      id: `twitch:${event.identity.external.id}`,
      roles: event.identity.external.roles,
      tags: options.tags,
      firstSeenAt: 0,
      lastSeenAt: 0,
      messageCount: 1,
    };
  }
  return event;
}

function chosenRule(rules: readonly Rule[], event: Envelope): string | undefined {
  return new RuleBook(rules).match('reaction', ruleFacts(event))[0]?.id;
}

const withWelcomeOn = DEFAULT_RULES.map((rule) =>
  Object.values(WELCOME_RULE_IDS).includes(rule.id as never) ? { ...rule, enabled: true } : rule,
);

describe('welcome rules and service', () => {
  it('ship off: a first message from a new chatter is not greeted until the streamer turns the rule on', () => {
    expect(chosenRule(DEFAULT_RULES, chat('hi all', { firstMsg: true }))).toBeUndefined();
    expect(chosenRule(withWelcomeOn, chat('hi all', { firstMsg: true }))).toBe('welcome-first-time');
    // The auth service's tag counts too (other platforms, or a first-msg tag Twitch left out).
    expect(chosenRule(withWelcomeOn, chat('hi all', { tags: ['first-message', 'new-session'] }))).toBe(
      'welcome-first-time',
    );
    // Returning: seen in an earlier session, first message of this one.
    expect(chosenRule(withWelcomeOn, chat('back again', { tags: ['returning', 'new-session'] }))).toBe(
      'welcome-returning',
    );
    // Later messages of the same session, and commands, are not greetings.
    expect(chosenRule(withWelcomeOn, chat('still here', { tags: ['returning'] }))).toBeUndefined();
    expect(chosenRule(withWelcomeOn, chat('!hello', { firstMsg: true }))).toBe('chat-commands');
  });

  it('greets with the text from the settings, first-time or returning by the rule that chose it', async () => {
    let settings = DEFAULT_WELCOME_SETTINGS;
    const welcome = createWelcomeService({ settings: () => settings, newId: () => 'c1' });
    const routed = (event: Envelope, ruleId: string) => {
      event.routing.reaction = { ruleId, approval: { mode: 'auto' } };
      return event;
    };
    const text = async (event: Envelope) => (await welcome.run(event, context)).candidates?.[0]?.text;
    expect(await text(routed(chat('hi', { login: 'Ada', firstMsg: true }), 'welcome-first-time'))).toBe(
      'Welcome to the stream, Ada! Great to have you here 👋',
    );
    expect(await text(routed(chat('yo', { login: 'Bob', tags: ['returning'] }), 'welcome-returning'))).toBe(
      'Welcome back, Bob!',
    );

    settings = WelcomeSettingsSchema.parse({ firstTime: 'Hey {user}, first time in #{channel}?', returning: '' });
    expect(await text(routed(chat('hi', { login: 'Cy', firstMsg: true }), 'welcome-first-time'))).toBe(
      'Hey Cy, first time in #streamer?',
    );
    const outcome: StepOutcome = await welcome.run(
      routed(chat('yo', { tags: ['returning'] }), 'welcome-returning'),
      context,
    );
    expect(outcome).toMatchObject({ status: 'SKIP', notes: ['the returning greeting is empty'] });
  });
});

const CLIENT_ID = 'testclientid';
const BROADCASTER = { id: '1000', token: 'broadcaster-token' };

describe('!so @user', () => {
  let helix: TwitchHelixServer;
  let client: HelixChannel;

  beforeEach(async () => {
    helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
    helix.tokens.set(BROADCASTER.token, { userId: BROADCASTER.id, scopes: ['moderator:manage:shoutouts'] });
    helix.users.push({ id: '3001', login: 'coolstreamer', display_name: 'CoolStreamer' });
    helix.channels.set('3001', { login: 'coolstreamer', name: 'CoolStreamer', game: 'Hades II', title: 'runs' });
    helix.users.push({ id: '3002', login: 'other', display_name: 'Other' });
    helix.channels.set('3002', { login: 'other', name: 'Other', game: '', title: '' });
    client = createHelixChannel({
      clientId: CLIENT_ID,
      broadcasterId: BROADCASTER.id,
      token: () => BROADCASTER.token,
      baseUrl: helix.baseUrl,
    });
  });
  afterEach(async () => {
    await helix.close();
  });

  const mod = (text: string) => chat(text, { login: 'mod1', roles: ['moderator'] });
  const service = (
    twitch?: () => HelixChannel | undefined,
    commands: readonly CommandDefinition[] = DEFAULT_COMMANDS,
  ) => createShoutoutService({ commands: () => commands, ...(twitch ? { twitch } : {}) });

  it("names the user's last category and sends Twitch's shoutout once per message", async () => {
    const so = service(() => client);
    const event = mod('!so @CoolStreamer');
    const outcome = await so.run(event, context);
    expect(outcome.candidates?.[0]?.text).toBe(
      'Go show CoolStreamer some love at https://twitch.tv/CoolStreamer 💜 Last seen playing Hades II.',
    );
    expect(outcome.notes).toEqual(['Twitch shoutout sent to coolstreamer']);
    expect(helix.shoutouts).toEqual([{ from: BROADCASTER.id, to: '3001', moderatorId: BROADCASTER.id }]);

    // The same step again (a retry after a worker restart): the reply again, Twitch's shoutout not again.
    const retried = await so.run(event, context);
    expect(retried.candidates?.[0]?.text).toContain('Hades II');
    expect(retried.notes).toEqual(["Twitch's shoutout already sent for this message"]);
    expect(helix.shoutouts).toHaveLength(1);
  });

  it('still answers in chat when Twitch refuses the shoutout (its cooldown, a missing scope), saying why on the slip', async () => {
    const so = service(
      () => client,
      DEFAULT_COMMANDS.map((c) => (c.id === 'shoutout' ? { ...c, globalCooldownSeconds: 0 } : c)),
    );
    await so.run(mod('!so coolstreamer'), context);
    const again = await so.run(mod('!so coolstreamer'), context);
    expect(again.candidates?.[0]?.text).toContain('Last seen playing Hades II.');
    expect(again.notes?.[0]).toMatch(/^Twitch's shoutout not sent: Twitch's shoutout cooldown is running/);

    helix.tokens.set(BROADCASTER.token, { userId: BROADCASTER.id, scopes: [] });
    const unscoped = await so.run(mod('!so other'), context);
    expect(unscoped.candidates?.[0]?.text).toContain('Last seen playing nothing yet.');
    expect(unscoped.notes?.[0]).toMatch(/moderator:manage:shoutouts/);
    expect(helix.shoutouts).toHaveLength(1);
  });

  it('is for moderators by default, needs a name, and skips users Twitch does not know', async () => {
    const so = service(() => client);
    expect(await so.run(chat('!so coolstreamer', { roles: ['viewer'] }), context)).toMatchObject({
      status: 'SKIP',
      notes: ['shoutouts need moderator'],
    });
    expect(await so.run(mod('!so'), context)).toMatchObject({
      status: 'SKIP',
      notes: ['name who to shout out: !so @user'],
    });
    expect(await so.run(mod('!so nobody_here'), context)).toMatchObject({
      status: 'SKIP',
      notes: ['no Twitch user named nobody_here'],
    });
    expect(helix.shoutouts).toEqual([]);
  });

  it('without a linked broadcaster: the chat shoutout with "(last game unknown …)", no Helix call', async () => {
    const before = helix.requests;
    const outcome = await service(() => undefined).run(mod('!so @CoolStreamer'), context);
    expect(outcome.candidates?.[0]?.text).toBe(
      `Go show CoolStreamer some love at https://twitch.tv/CoolStreamer 💜 Last seen playing ${LAST_GAME_UNKNOWN}.`,
    );
    expect(outcome.notes).toEqual(["no broadcaster linked: Twitch's shoutout not sent"]);
    expect(helix.requests).toBe(before);
  });

  it('the default rules route !so to the shoutout service', () => {
    expect(chosenRule(DEFAULT_RULES, mod('!so @CoolStreamer'))).toBe('chat-shoutout');
    expect(chosenRule(DEFAULT_RULES, mod('!sofa'))).toBe('chat-commands');
  });
});
