import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMANDS } from '../../core/commands.js';
import { acceptInbound, type Envelope, type Role, type UserRecord } from '../../core/envelope.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import type { StepContext, StepOutcome } from '../../core/service.js';
import { UNAVAILABLE } from '../features/template-context.js';
import { createCommandsService } from './commands.js';

/** The default !so as the commands service answers it (the shoutout service looks up {lastgame}). */
const SHOUTOUT_BY_COMMANDS = `Go show grace some love at https://twitch.tv/grace 💜 Last seen playing ${UNAVAILABLE.lastgame}.`;

function command(
  id: string,
  trigger: CommandDefinition['trigger'],
  template: string,
  extra: Partial<CommandDefinition> = {},
) {
  return {
    id,
    enabled: true,
    trigger,
    template,
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
    ...extra,
  } satisfies CommandDefinition;
}

function makeEvent(options: {
  text?: string;
  type?: string;
  login?: string;
  roles?: Role[];
  user?: Partial<UserRecord>;
  details?: Record<string, unknown>;
}): Envelope {
  const type = options.type ?? 'chat.message.v1';
  const login = options.login ?? 'ada';
  const result = acceptInbound(
    {
      type,
      ingress: { connector: 'twitch-chat', channel: 'streamer' },
      identity: {
        external: {
          id: `id-${login}`,
          login,
          displayName: `${login[0]!.toUpperCase()}${login.slice(1)}`,
          roles: options.roles ?? [],
        },
      },
      ...(options.text !== undefined ? { message: { text: options.text } } : {}),
      ...(options.details ? { details: options.details } : {}),
    },
    0,
    () => crypto.randomUUID(),
  );
  if (!result.ok) throw new Error(result.error);
  const event = result.value;
  if (options.user) {
    // What the auth service would have attached during enrichment.
    event.identity.user = {
      id: `twitch:id-${login}`,
      roles: [],
      tags: [],
      firstSeenAt: 0,
      lastSeenAt: 0,
      messageCount: 0,
      ...options.user,
    };
  }
  return event;
}

function setup(commands: readonly CommandDefinition[]) {
  let clock = 1_000_000;
  let ids = 0;
  const list = [...commands];
  const service = createCommandsService({ commands: () => list, now: () => clock, newId: () => `c${++ids}` });
  const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => clock };
  const run = (event: Envelope) => service.run(event, context) as StepOutcome;
  const reply = (event: Envelope) => {
    const outcome = run(event);
    return outcome.status === 'OK' ? outcome.candidates?.[0]?.text : `SKIP ${outcome.notes?.join('; ')}`;
  };
  return { service, run, reply, list, advance: (ms: number) => (clock += ms) };
}

const chat = (text: string, options: Omit<Parameters<typeof makeEvent>[0], 'text'> = {}) =>
  makeEvent({ ...options, text });

describe('commands service', () => {
  it('is the reaction service "commands" and proposes one candidate', () => {
    const { service, run } = setup([command('hello', { kind: 'exact', text: '!hello' }, 'Hello {user}!')]);
    expect(service.id).toBe('commands');
    expect(service.phase).toBe('reaction');
    expect(run(chat('!hello'))).toEqual({
      status: 'OK',
      candidates: [
        {
          id: 'c1',
          text: 'Hello Ada!',
          source: 'commands',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: 'command hello',
        },
      ],
      notes: ['!hello matched'],
    });
  });

  const triggers = [
    command('hello', { kind: 'exact', text: '!hello' }, 'Hello {user}!'),
    command('game', { kind: 'exact', text: 'What Game' }, 'We play chess.'),
    command('so', { kind: 'prefix', text: '!so' }, 'Follow {arg1}! ({args})'),
    command('echo', { kind: 'prefix', text: '!echo' }, 'You said: {args}'),
    command(
      'dice',
      { kind: 'regex', pattern: '^!roll\\s+(\\d{1,3})d(\\d{1,3})$', flags: 'i' },
      '{user} rolls {arg1} dice with {arg2} sides',
    ),
    command('gg', { kind: 'regex', pattern: '\\bgg\\b', flags: 'i' }, 'GG!'),
    command('cjk', { kind: 'exact', text: '!你好' }, '你好, {user} 👋'),
    command('party', { kind: 'prefix', text: '!🎉' }, '🎉 {args} 🎉'),
  ];

  it.each([
    ['!hello', 'Hello Ada!'],
    ['  !HeLLo  ', 'Hello Ada!'],
    ['!hello there', 'SKIP no command matched'], // exact means the whole message
    ['what game', 'We play chess.'],
    ['WHAT GAME', 'We play chess.'],
    ['!so @Grace_H', 'Follow Grace_H! (@Grace_H)'],
    ['!SO   grace   extra  words', 'Follow grace! (grace   extra  words)'],
    ['!sox grace', 'SKIP no command matched'], // the trigger must end at a space
    ['!echo 日本語のテキスト 🎌', 'You said: 日本語のテキスト 🎌'],
    ['!echo', 'You said:'],
    ['!roll 2d20', 'Ada rolls 2 dice with 20 sides'],
    ['!ROLL 3D6', 'Ada rolls 3 dice with 6 sides'],
    ['!roll 2d2000', 'SKIP no command matched'],
    ['that was GG everyone', 'GG!'],
    ['eggs', 'SKIP no command matched'],
    ['!你好', '你好, Ada 👋'],
    ['!🎉 party time', '🎉 party time 🎉'],
    ['!hello\u034f', 'Hello Ada!'], // chat clients append invisible characters to repeat a message
    ['!hello \u{e0000}', 'Hello Ada!'],
    ['', 'SKIP no command matched'],
  ])('%j → %s', (text, expected) => {
    const { reply } = setup(triggers);
    expect(reply(chat(text))).toBe(expected);
  });

  it('runs a regex only over the first 500 characters of a message', () => {
    const { reply } = setup([command('tail', { kind: 'regex', pattern: 'needle$' }, 'found')]);
    expect(reply(chat(`${'x'.repeat(480)} needle`))).toBe('found');
    expect(reply(chat(`${'x'.repeat(600)} needle`))).toBe('SKIP no command matched');
  });

  it('ignores a stored regex that is unsafe instead of running it', () => {
    const { reply } = setup([command('evil', { kind: 'regex', pattern: '^(a+)+$' }, 'matched')]);
    const started = performance.now();
    expect(reply(chat(`${'a'.repeat(40)}!`))).toBe('SKIP no command matched');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('first enabled match wins, in list order', () => {
    const { reply, list } = setup([
      command('off', { kind: 'exact', text: '!x' }, 'disabled one', { enabled: false }),
      command('first', { kind: 'prefix', text: '!x' }, 'first one'),
      command('second', { kind: 'exact', text: '!x' }, 'second one'),
    ]);
    expect(reply(chat('!x'))).toBe('first one');
    list.reverse(); // commands() is read on every event: edits apply at once
    expect(reply(chat('!x'))).toBe('second one');
  });

  it('answers channel events with event triggers, using their details', () => {
    const { reply } = setup(DEFAULT_COMMANDS);
    expect(reply(makeEvent({ type: 'twitch.follow.v1' }))).toBe('Thanks for the follow, Ada! Welcome in.');
    expect(reply(makeEvent({ type: 'twitch.sub.v1', details: { months: 7 } }))).toBe(
      'Thank you for subscribing, Ada! Months subscribed: 7 🎉',
    );
    expect(reply(makeEvent({ type: 'twitch.subgift.v1', details: { gifts: 5 } }))).toBe(
      'Thank you for gifting 5 subs, Ada! 🎁',
    );
    expect(reply(makeEvent({ type: 'twitch.cheer.v1', details: { bits: '100' } }))).toBe(
      'Thanks for the 100 bits, Ada!',
    );
    expect(reply(makeEvent({ type: 'twitch.raid.v1', details: { viewers: 12 } }))).toBe(
      'Ada is raiding with 12 viewers! Welcome, raiders!',
    );
    expect(reply(makeEvent({ type: 'twitch.redemption.v1' }))).toBe('SKIP no command matched');
    // A chat message never fires an event trigger, whatever its text.
    expect(reply(chat('twitch.follow.v1'))).toBe('SKIP no command matched');
  });

  it('fills {count}, {channel}, {login} and {type}, and leaves unknown placeholders alone', () => {
    const { reply } = setup([command('me', { kind: 'exact', text: '!me' }, '{login}/{channel}/{count}/{type}/{nope}')]);
    expect(reply(chat('!me', { user: { messageCount: 42 } }))).toBe('ada/streamer/42/chat.message.v1/{nope}');
    expect(reply(chat('!me'))).toBe('ada/streamer//chat.message.v1/{nope}');
  });

  it('inserts chat text as plain text: no placeholders from users, no leading "/" or "."', () => {
    const { reply } = setup(triggers);
    expect(reply(chat('!echo {user} {channel}'))).toBe('You said: {user} {channel}');
    const { reply: echoOnly } = setup([command('raw', { kind: 'prefix', text: '!say' }, '{args}')]);
    expect(echoOnly(chat('!say /ban streamer'))).toBe('ban streamer');
    expect(echoOnly(chat('!say .timeout streamer 600'))).toBe('timeout streamer 600');
    expect(echoOnly(chat('!say  ./ /.ban streamer'))).toBe('ban streamer');
  });

  it('caps a long reply at 500 characters on a word boundary', () => {
    const { reply } = setup([command('raw', { kind: 'prefix', text: '!say' }, '{args} {args}')]);
    const words = Array.from({ length: 60 }, (_, i) => `wörd${i}`).join(' ');
    const text = reply(chat(`!say ${words}`))!;
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text.length).toBeGreaterThan(480);
    expect(`${words} ${words}`.startsWith(text)).toBe(true);
    expect(`${words} ${words}`[text.length]).toBe(' ');
  });

  it('skips a command whose reply would be blank, and one that misses its argument', () => {
    const { run, reply } = setup([
      command('blank', { kind: 'exact', text: '!blank' }, '{args}'),
      command('slashes', { kind: 'prefix', text: '!slash' }, '{args}'),
      command('so', { kind: 'prefix', text: '!so' }, 'Go follow {arg1} at https://twitch.tv/{arg1}'),
      command('hey', { kind: 'regex', pattern: '^hey(?: (\\w+))?$' }, 'Hey {arg1}'),
    ]);
    expect(run(chat('!blank'))).toEqual({ status: 'SKIP', notes: ['!blank: the reply was blank'] });
    expect(reply(chat('!slash /// ...'))).toBe('SKIP !slash: the reply was blank');
    expect(reply(chat('!so'))).toBe('SKIP !so: needs an argument ({arg1})');
    expect(reply(chat('!so @'))).toBe('SKIP !so: needs an argument ({arg1})');
    expect(reply(chat('hey'))).toBe('SKIP hey: needs an argument ({arg1})');
    expect(reply(chat('hey you'))).toBe('Hey you');
  });

  it.each<[string, Role[], Partial<UserRecord> | undefined, string]>([
    ['viewer', [], undefined, 'SKIP !so: needs moderator'],
    ['vip', ['vip', 'subscriber'], undefined, 'SKIP !so: needs moderator'],
    ['moderator', ['moderator'], undefined, SHOUTOUT_BY_COMMANDS],
    ['broadcaster (always allowed)', ['broadcaster'], undefined, SHOUTOUT_BY_COMMANDS],
    // The auth service's record is the authority once enrichment ran: roles as of THIS event.
    ['unmodded since (user record says viewer)', ['moderator'], { roles: [] }, 'SKIP !so: needs moderator'],
    ['modded (user record)', [], { roles: ['moderator'] }, SHOUTOUT_BY_COMMANDS],
  ])('permissions: %s', (_name, roles, user, expected) => {
    const { reply } = setup(DEFAULT_COMMANDS);
    expect(reply(chat('!so grace', { roles, ...(user ? { user } : {}) }))).toBe(expected);
  });

  it('roles are not sticky: a moderator unmodded between two messages is refused on the second', () => {
    const { reply } = setup(DEFAULT_COMMANDS);
    expect(reply(chat('!so grace', { roles: ['moderator'] }))).toMatch(/^Go show grace/);
    expect(reply(chat('!so grace', { roles: [] }))).toBe('SKIP !so: needs moderator');
  });

  it('lists the enabled commands this user may run', () => {
    const { reply } = setup(DEFAULT_COMMANDS);
    expect(reply(chat('!commands'))).toBe('Commands: !hello !commands !lurk');
    const { reply: modReply } = setup(DEFAULT_COMMANDS);
    expect(modReply(chat('!commands', { roles: ['moderator'] }))).toBe('Commands: !hello !commands !lurk !so');
  });

  it('per-user cooldowns apply per user and count down with the clock', () => {
    const { reply, advance } = setup([
      command('hello', { kind: 'exact', text: '!hello' }, 'Hello {user}!', { userCooldownSeconds: 30 }),
    ]);
    expect(reply(chat('!hello'))).toBe('Hello Ada!');
    advance(17_500);
    expect(reply(chat('!hello'))).toBe('SKIP !hello: cooldown, 13 s left');
    expect(reply(chat('!hello', { login: 'grace' }))).toBe('Hello Grace!');
    advance(12_499);
    expect(reply(chat('!hello'))).toBe('SKIP !hello: cooldown, 1 s left');
    advance(1);
    expect(reply(chat('!hello'))).toBe('Hello Ada!');
  });

  it('global cooldowns apply to everyone', () => {
    const { reply, advance } = setup([
      command('lurk', { kind: 'exact', text: '!lurk' }, 'Lurk on, {user}', {
        globalCooldownSeconds: 10,
        userCooldownSeconds: 60,
      }),
    ]);
    expect(reply(chat('!lurk'))).toBe('Lurk on, Ada');
    expect(reply(chat('!lurk', { login: 'grace' }))).toBe('SKIP !lurk: cooldown, 10 s left');
    advance(10_000);
    expect(reply(chat('!lurk', { login: 'grace' }))).toBe('Lurk on, Grace');
    // Ada's own, longer cooldown still holds.
    expect(reply(chat('!lurk'))).toBe('SKIP !lurk: cooldown, 50 s left');
  });

  it('a refused or blank command does not consume the cooldown', () => {
    const { reply } = setup([
      command('so', { kind: 'prefix', text: '!so' }, 'Follow {arg1}', {
        roles: ['moderator'],
        globalCooldownSeconds: 60,
      }),
    ]);
    expect(reply(chat('!so grace'))).toBe('SKIP !so: needs moderator');
    expect(reply(chat('!so', { roles: ['moderator'] }))).toBe('SKIP !so: needs an argument ({arg1})');
    expect(reply(chat('!so grace', { roles: ['moderator'] }))).toBe('Follow grace');
    expect(reply(chat('!so ada', { roles: ['moderator'] }))).toBe('SKIP !so: cooldown, 60 s left');
  });

  it('never changes the event it reads', () => {
    const { run } = setup(DEFAULT_COMMANDS);
    const event = chat('!hello');
    const before = structuredClone(event);
    run(Object.freeze(event));
    expect(event).toEqual(before);
  });
});
