import { describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope } from './envelope.js';
import { DEFAULT_RULES, RuleBook, RuleSchema, checkRule, ruleFacts, whenProblem } from './rules.js';

function event(text: string, roles: string[] = []): Envelope {
  const parsed = acceptInbound(
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'c' },
      identity: { external: { id: '1', login: 'Ann', displayName: 'Ann', roles } },
      message: { text },
    },
    1000,
    () => '00000000-0000-4000-8000-000000000001',
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('rules', () => {
  it('ships a default rule set that is valid', () => {
    for (const rule of DEFAULT_RULES) expect(checkRule(rule)).toMatchObject({ ok: true });
  });

  it('names the offending field when a rule is invalid', () => {
    expect(checkRule({ id: 'Bad Id', stage: 'reaction' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^id: /),
    });
    expect(checkRule({ id: 'x', stage: 'later' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^stage: /),
    });
    expect(
      checkRule({ id: 'x', stage: 'reaction', slip: ['commands'], outcome: { disposition: 'filtered', reason: 'r' } }),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^outcome: /),
    });
    expect(checkRule({ id: 'x', stage: 'reaction', when: { no_such_operator: [1] } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^when: /),
    });
  });

  it('checks a when without eval: unknown operators anywhere in the tree, objects with two operators', () => {
    // The console's CSP forbids eval: checking must walk the tree, never compile it.
    const realEval = globalThis.eval;
    globalThis.eval = () => {
      throw new Error('eval was called');
    };
    try {
      expect(whenProblem({ and: [false, { or: [true, { nope: [1] }] }] })).toBe(
        'when.and[1].or[1]: unknown operator "nope"',
      );
      expect(whenProblem({ '==': [1, 1], '!=': [1, 2] })).toMatch(/^when: an operation is an object with exactly one/);
      expect(whenProblem({ preserve: { any: 'data' } })).toBeNull();
      for (const rule of DEFAULT_RULES) expect(checkRule(rule)).toMatchObject({ ok: true });
      expect(checkRule({ id: 'x', stage: 'reaction', when: { in: ['a', { var: 'text' }] } })).toMatchObject({
        ok: true,
      });
    } finally {
      globalThis.eval = realEval;
    }
    expect(checkRule({ id: '', stage: 'reaction' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^id: give the rule an id/),
    });
  });

  it('matches best first, skips disabled rules, and treats a rule that throws as no match', () => {
    const book = new RuleBook(
      [
        { id: 'low', stage: 'reaction', priority: 1, when: true },
        { id: 'high', stage: 'reaction', priority: 10, when: { startsWith: [{ var: 'text' }, '!'] } },
        { id: 'off', stage: 'reaction', priority: 100, enabled: false, when: true },
        { id: 'mods', stage: 'reaction', priority: 5, when: { hasRole: [{ var: 'roles' }, 'moderator'] } },
        { id: 'tie-b', stage: 'egress', priority: 0, when: true },
        { id: 'tie-a', stage: 'egress', priority: 0, when: true },
      ].map((rule) => RuleSchema.parse(rule)),
    );
    expect(book.match('reaction', ruleFacts(event('!HELLO'))).map((r) => r.id)).toEqual(['high', 'low']);
    expect(book.match('reaction', ruleFacts(event('hi', ['moderator']))).map((r) => r.id)).toEqual(['mods', 'low']);
    expect(book.match('egress', ruleFacts(event('x'))).map((r) => r.id)).toEqual(['tie-a', 'tie-b']);
  });

  it('exposes the latest annotation of each kind to rules', () => {
    const e = event('buy followers');
    e.annotations.push(
      { kind: 'spam', source: 'a', value: { isSpam: false }, at: 1 },
      { kind: 'spam', source: 'b', value: { isSpam: true }, at: 2 },
    );
    const filter = DEFAULT_RULES.find((rule) => rule.id === 'filter-spam')!;
    expect(new RuleBook([filter]).match('reaction', ruleFacts(e)).map((r) => r.id)).toEqual(['filter-spam']);
    const fromMod = event('buy followers', ['moderator']);
    fromMod.annotations.push({ kind: 'spam', source: 'b', value: { isSpam: true }, at: 2 });
    expect(new RuleBook([filter]).match('reaction', ruleFacts(fromMod))).toEqual([]);
  });
});

describe('acceptInbound', () => {
  it('fills ids and timestamps, and never takes routing, candidates or a disposition from outside', () => {
    const parsed = acceptInbound(
      {
        type: 'chat.message.v1',
        ingress: { connector: 'gw', channel: 'c' },
        identity: { external: { id: '1', login: 'a', displayName: 'A' } },
        message: { text: 'hi' },
        routing: { stage: 'egress' },
        candidates: [{ id: 'x', text: 'pre-approved!', status: 'selected' }],
        disposition: 'replied',
      },
      42,
      () => '00000000-0000-4000-8000-000000000002',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      id: '00000000-0000-4000-8000-000000000002',
      correlationId: '00000000-0000-4000-8000-000000000002',
      ingress: { at: 42, source: 'gw' },
    });
    expect(parsed.value.routing).toEqual({ stage: 'initial', slip: [], history: [], hops: 0, decisions: [] });
    expect(parsed.value.candidates).toEqual([]);
    expect(parsed.value.disposition).toBeUndefined();
  });

  it('names the field of the first problems, and never throws on garbage', () => {
    for (const garbage of [null, 42, 'text', [], { type: 1 }]) {
      const parsed = acceptInbound(garbage, 1, () => 'x');
      expect(parsed.ok).toBe(false);
    }
    const parsed = acceptInbound(
      {
        type: 'chat.message.v1',
        ingress: { connector: 'c', channel: 'c' },
        identity: { external: { id: '', login: 'a', displayName: 'A' } },
      },
      1,
      () => 'x',
    );
    expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining('identity.external.id') });
  });
});
