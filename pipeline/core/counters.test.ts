import { describe, expect, it } from 'vitest';
import { CounterSchema, applyCounterChange, mayEditCounter, parseCounterRequest } from './counters.js';

describe('counter requests from chat', () => {
  it.each([
    ['', { kind: 'show' }],
    ['+1', { kind: 'change', mode: 'add', amount: 1 }],
    ['+ 5', { kind: 'change', mode: 'add', amount: 5 }],
    ['-2', { kind: 'change', mode: 'add', amount: -2 }],
    ['= 0', { kind: 'change', mode: 'set', amount: 0 }],
    ['=-3', { kind: 'change', mode: 'set', amount: -3 }],
    ['++', { kind: 'change', mode: 'add', amount: 1 }],
    ['--', { kind: 'change', mode: 'add', amount: -1 }],
    ['@Bob', { kind: 'show', target: 'bob' }],
    ['@bob +1', { kind: 'change', mode: 'add', amount: 1, target: 'bob' }],
    ['bob = 4', { kind: 'change', mode: 'set', amount: 4, target: 'bob' }],
  ])('reads %j', (rest, expected) => {
    expect(parseCounterRequest(rest)).toEqual(expected);
  });

  it.each(['are fun', '+one', '= ', '*2', '+99999999999999'])('leaves %j to other commands', (rest) => {
    expect(parseCounterRequest(rest)).toBeUndefined();
  });

  it('lets moderators (and the broadcaster) change a counter by default, not viewers', () => {
    const counter = CounterSchema.parse({ name: 'deaths' });
    expect(counter.editRoles).toEqual(['moderator']);
    expect(counter.template).toBe('deaths: {count:deaths}');
    expect(mayEditCounter(counter, ['viewer'])).toBe(false);
    expect(mayEditCounter(counter, ['vip'])).toBe(false);
    expect(mayEditCounter(counter, ['moderator'])).toBe(true);
    expect(mayEditCounter(counter, ['broadcaster'])).toBe(true);
    expect(mayEditCounter({ editRoles: ['viewer'] }, [])).toBe(true);
  });

  it('names the field of an invalid counter', () => {
    const result = CounterSchema.safeParse({ name: 'Has Space', command: 'two words' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['name', 'command']);
  });

  it('keeps values within the stored range', () => {
    expect(applyCounterChange(5, 'add', -7)).toBe(-2);
    expect(applyCounterChange(5, 'set', 0)).toBe(0);
    expect(applyCounterChange(999_999_999_999, 'add', 10)).toBe(1_000_000_000_000);
  });
});
