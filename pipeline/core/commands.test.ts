import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COMMANDS,
  MAX_REGEX_INPUT,
  capOnWordBoundary,
  checkCommand,
  checkRegex,
  renderTemplate,
  templateVariables,
} from './commands.js';
import { MAX_REPLY_TEXT } from './envelope.js';

const base = { id: 'test', template: 'hi', trigger: { kind: 'exact', text: '!hi' } };

describe('checkRegex', () => {
  it.each([
    ['(a+)+$', /repetition inside a repetition/],
    ['(.*)*', /repetition inside a repetition/],
    ['(\\w+\\s?)+$', /repetition inside a repetition/],
    ['(a{1,3}){2,}', /repetition inside a repetition/],
    ['(a|a)*b', /alternatives can match the same text/],
    ['(a|ab)+c', /alternatives can match the same text/],
    ['(?:x|\\w)+!', /alternatives can match the same text/],
    ['(|a)+', /alternatives can match the same text/],
    ['(?:A|a)+$', /alternatives/, 'i'],
    ['.*.*.*x', /back to back/],
    ['\\w+\\d+x', /back to back/],
    ['.*a.*b', /back to back/],
    ['[a-z]*[m-q]*!', /back to back/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['a'.repeat(201), /longer than 200/],
    ['', /empty/],
    ['(unclosed', /does not compile/],
    ['[z-a]', /does not compile/],
  ] as [string, RegExp, string?][])('refuses %s', (pattern, error, flags) => {
    const check = checkRegex(pattern, flags);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(error);
  });

  it('refuses flags other than i and u, and repeated flags', () => {
    expect(checkRegex('a', 'g')).toEqual({ ok: false, error: 'flag "g" is not allowed (only i and u)' });
    expect(checkRegex('a', 's').ok).toBe(false);
    expect(checkRegex('a', 'ii').ok).toBe(false);
    expect(checkRegex('a', 'iu').ok).toBe(true);
  });

  // Patterns people write for triggers, and that backtrack only a little.
  const safe = [
    '^!so\\s+@?(\\w+)$',
    '(\\w+)\\s+(\\w+)',
    'hello.*world',
    '\\b(gg|wp)\\b',
    '(?:ab|ba)+c',
    '[a-z]+\\d*',
    '\\d+\\.\\d+',
    '^(?=.*pizza)(?=.*tonight)',
    'x{2,5}y{2,5}',
    'こんにちは|你好',
    '🎉+',
  ];
  it.each(safe)('accepts %s', (pattern) => {
    expect(checkRegex(pattern, 'iu')).toMatchObject({ ok: true });
  });

  it('reads a lone "{" as a character, and case only matters with the i flag', () => {
    expect(checkRegex('a{,5}').ok).toBe(true);
    expect(checkRegex('(?:A|a)+$').ok).toBe(true);
  });

  // The real test of the check: everything it accepts stays fast on inputs built to make regexes slow.
  it('accepted patterns stay fast on hostile 500-character inputs', () => {
    const hostile = [
      'a'.repeat(MAX_REGEX_INPUT),
      `${'a'.repeat(MAX_REGEX_INPUT - 1)}!`,
      'ab'.repeat(MAX_REGEX_INPUT / 2),
      `${'1'.repeat(MAX_REGEX_INPUT - 1)}x`,
      ' '.repeat(MAX_REGEX_INPUT),
      `${'a '.repeat(MAX_REGEX_INPUT / 2 - 1)}!!`,
      'x'.repeat(MAX_REGEX_INPUT),
    ];
    for (const pattern of safe) {
      const check = checkRegex(pattern, 'i');
      if (!check.ok) throw new Error(`${pattern}: ${check.error}`);
      const started = performance.now();
      for (const input of hostile) check.regex.test(input);
      // Catastrophic backtracking on 500 characters takes seconds to hours; a generous bound keeps a
      // loaded CI machine from failing a pattern that is merely polynomial.
      expect(performance.now() - started, pattern).toBeLessThan(1000);
    }
  });
  // Random patterns from fragments known to backtrack: whatever the check lets through must stay fast.
  it('accepts nothing slow among 1,000 random patterns', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const fragments = ['a', 'b', 'x', ' ', 'a+', 'a*', 'a?', '\\w+', '\\w*', '.*', '.+', '\\s+', '\\s*', '\\d+'];
    fragments.push('[a-c]+', '[^x]*', '(a|b)', '(a|ab)', '(?:a|b)+', '(a+)', '(?:ab)+', '(?:a\\s)+', '(?:a|\\s)*');
    fragments.push('a{1,5}', '(?:a{2})+', '\\b', '^', '$', '(?=a)', '(?:x|y)*');
    const hostile = ['a'.repeat(500), `${'a'.repeat(499)}!`, 'ab'.repeat(250), 'a '.repeat(250), ' '.repeat(500)];
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      let pattern = '';
      for (let j = random(5); j >= 0; j--) pattern += fragments[random(fragments.length)];
      if (random(3) === 0) pattern = `(?:${pattern})${['+', '*', '', '?'][random(4)]}`;
      const check = checkRegex(pattern);
      if (!check.ok) {
        refused++;
        continue;
      }
      accepted++;
      const started = performance.now();
      for (const input of hostile) check.regex.test(input);
      // Catastrophic backtracking on 500 characters takes seconds to hours; a generous bound keeps a
      // loaded CI machine from failing a pattern that is merely polynomial.
      expect(performance.now() - started, pattern).toBeLessThan(1000);
    }
    // Both sides are exercised: the check is neither "refuse all" nor "accept all".
    expect(accepted).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });
});

describe('checkCommand', () => {
  it('fills defaults and keeps the stored shape', () => {
    expect(checkCommand(base)).toEqual({
      ok: true,
      command: {
        id: 'test',
        enabled: true,
        trigger: { kind: 'exact', text: '!hi' },
        template: 'hi',
        roles: [],
        userCooldownSeconds: 0,
        globalCooldownSeconds: 0,
      },
    });
  });

  it.each([
    [{ ...base, trigger: { kind: 'regex', pattern: '(a+)+' } }, /^trigger\.pattern: a repetition inside/],
    [{ ...base, trigger: { kind: 'regex', pattern: 'a', flags: 'gi' } }, /^trigger\.flags: /],
    [{ ...base, trigger: { kind: 'exact', text: '   ' } }, /^trigger\.text: must not be empty/],
    [{ ...base, trigger: { kind: 'prefix', text: '!so now' } }, /^trigger\.text: a prefix is one word/],
    [{ ...base, trigger: { kind: 'event', types: [] } }, /^trigger\.types: needs at least one/],
    [{ ...base, trigger: { kind: 'event', types: ['chat.message.v1'] } }, /^trigger\.types\.0: chat messages/],
    [{ ...base, trigger: { kind: 'event', types: ['Not A Type'] } }, /^trigger\.types\.0: /],
    [{ ...base, trigger: { kind: 'telepathy' } }, /^trigger\.kind: /],
    [{ ...base, template: '' }, /^template: must not be empty/],
    [{ ...base, roles: ['admin'] }, /^roles\.0: /],
    [{ ...base, id: 'Has Spaces' }, /^id: /],
    [{ ...base, userCooldownSeconds: -1 }, /^userCooldownSeconds: /],
    [{ ...base, globalCooldownSeconds: 1.5 }, /^globalCooldownSeconds: /],
    ['not an object', /^\(root\): /],
  ])('names the offending field (%#)', (input, error) => {
    const check = checkCommand(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(error);
  });
});

describe('renderTemplate', () => {
  it.each([
    ['Hello {user}!', { user: 'Ada' }, 'Hello Ada!'],
    ['{USER} and {User}', { user: 'Ada' }, 'Ada and Ada'],
    ['{login} in {channel}: {args}', { login: 'ada', channel: 'stream', args: 'a b' }, 'ada in stream: a b'],
    ['{arg1}-{arg2}-{arg9}', { arg1: 'x', arg2: 'y', arg9: 'z' }, 'x-y-z'],
    [
      '{count} {months} {bits} {viewers} {gifts} {type}',
      { count: 3, months: 12, bits: 100, viewers: 5, gifts: 2, type: 'twitch.sub.v1' },
      '3 12 100 5 2 twitch.sub.v1',
    ],
    ['Keep {unknown} and {x} and {}', { user: 'Ada' }, 'Keep {unknown} and {x} and {}'],
    ['Missing: {months}.', {}, 'Missing: .'],
    ['  {user}  ', { user: 'Ada' }, 'Ada'],
    ['Hi {user}', { user: '{channel} {args}' }, 'Hi {channel} {args}'],
    ['{user} 🎉 你好 مرحبا', { user: '小明' }, '小明 🎉 你好 مرحبا'],
    ['Hi {user}', { user: 'line\nbreak\u0001ACTION' }, 'Hi line break ACTION'],
  ])('%s', (template, vars, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it.each([
    ['{args}', '/ban streamer'],
    ['{args}', '.ban streamer'],
    ['{args}', ' ./ /.ban streamer'],
    ['{args}', '\n/ban streamer'],
    ['/{args}', 'ban streamer'],
    ['{user}{args}', '/ban streamer'],
  ])('never starts a reply with "/" or "." (%s with %j)', (template, args) => {
    const text = renderTemplate(template, { args, user: '' });
    expect(text).toBe('ban streamer');
  });

  it('caps the reply at 500 characters on a word boundary', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const text = renderTemplate('{args}', { args: words });
    expect(text.length).toBeLessThanOrEqual(MAX_REPLY_TEXT);
    expect(text.length).toBeGreaterThan(MAX_REPLY_TEXT - 10);
    expect(words.startsWith(text)).toBe(true);
    expect(words[text.length]).toBe(' ');
  });

  it('cuts a 500+ character word hard, without splitting an emoji', () => {
    expect(renderTemplate('{args}', { args: 'x'.repeat(2000) })).toBe('x'.repeat(MAX_REPLY_TEXT));
    const emoji = `${'a'.repeat(MAX_REPLY_TEXT - 1)}😀😀`;
    const text = capOnWordBoundary(emoji);
    expect(text).toBe('a'.repeat(MAX_REPLY_TEXT - 1));
    expect(capOnWordBoundary('short')).toBe('short');
  });

  it('lists the known variables a template uses', () => {
    expect(templateVariables('{user} {arg1} {nope} {ARG2} {user}')).toEqual(['user', 'arg1', 'arg2']);
  });
});

describe('DEFAULT_COMMANDS', () => {
  it('are all valid, with unique ids and the expected first-start set', () => {
    for (const command of DEFAULT_COMMANDS) expect(checkCommand(command), command.id).toMatchObject({ ok: true });
    expect(new Set(DEFAULT_COMMANDS.map((c) => c.id)).size).toBe(DEFAULT_COMMANDS.length);
    const triggers = DEFAULT_COMMANDS.flatMap(({ trigger }) =>
      trigger.kind === 'event' ? trigger.types : trigger.kind === 'regex' ? [trigger.pattern] : [trigger.text],
    );
    expect(triggers).toEqual(
      expect.arrayContaining([
        '!hello',
        '!commands',
        '!lurk',
        '!discord',
        '!so',
        'twitch.follow.v1',
        'twitch.sub.v1',
        'twitch.subgift.v1',
        'twitch.cheer.v1',
        'twitch.raid.v1',
      ]),
    );
  });
});
