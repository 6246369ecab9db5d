import { describe, expect, it } from 'vitest';
import { translateFirebotText } from './firebot-variables.js';
import { renderTemplate } from './commands.js';

const counters = { counterName: (name: string) => ({ Deaths: 'deaths', 'Boss Kills': 'boss-kills' })[name] };

describe('Firebot $variables as BitBrat {variables}', () => {
  it('translates the variables that mean the same here', () => {
    expect(
      translateFirebotText(
        'Hi $user ($username), $target! $arg[1] and $arg[2]; all: $arg[1,last] / $arg[all]; 2nd target $target[2]',
        counters,
      ),
    ).toEqual({
      ok: true,
      template: 'Hi {user} ({login}), {target}! {arg1} and {arg2}; all: {args} / {args}; 2nd target {arg2}',
    });
    expect(
      translateFirebotText(
        'Roll $randomNumber[1, 100]; deaths $counter[Deaths], bosses $counter[Boss Kills]; up $uptime in $category: $streamTitle ($followAge) on $streamer',
        counters,
      ),
    ).toEqual({
      ok: true,
      template:
        'Roll {random:1-100}; deaths {count:deaths}, bosses {count:boss-kills}; up {uptime} in {game}: {title} ({followage}) on {channel}',
    });
    expect(
      translateFirebotText('$cheerBitsAmount bits, $subMonths months, $raidViewerCount raiders', counters),
    ).toEqual({ ok: true, template: '{bits} bits, {months} months, {viewers} raiders' });
  });

  it('leaves a "$" that starts no variable as it is', () => {
    expect(translateFirebotText('Only $5 today, 100% $ off, [$]', counters)).toEqual({
      ok: true,
      template: 'Only $5 today, 100% $ off, [$]',
    });
  });

  it('names every variable that has no equivalent, each once, nested ones included', () => {
    expect(
      translateFirebotText(
        'Ran $count times; $quote; $quote; $arg[$randomNumber[1,2]]; $counter[Unknown]; $arg[2,3]; $randomNumber[a,b]; $followAge[someone]',
        counters,
      ),
    ).toEqual({
      ok: false,
      unsupported: [
        '$count',
        '$quote',
        '$arg[$randomNumber[1,2]]',
        '$counter[Unknown]',
        '$arg[2,3]',
        '$randomNumber[a,b]',
        '$followAge[someone]',
      ],
    });
  });

  it('gives templates that render as Firebot showed them', () => {
    const translated = translateFirebotText('$user rolled $randomNumber[1,6]! ($counter[Deaths] deaths)', counters);
    if (!translated.ok) throw new Error('not translated');
    expect(renderTemplate(translated.template, { user: 'Ann' }, { counters: { deaths: 4 }, random: () => 0.99 })).toBe(
      'Ann rolled 6! (4 deaths)',
    );
  });
});
