import { describe, expect, it } from 'vitest';
import { checkLocally, checkReplies } from './safety.js';

describe('safety checks', () => {
  it('passes ordinary replies, including words that merely contain a bad substring', () => {
    for (const text of [
      'Welcome in, have fun!',
      'That was a classic assassination mission in Hitman.',
      'Scunthorpe United won!',
    ]) {
      expect(checkLocally(text)).toEqual({ ok: true });
    }
  });

  it('holds profanity, also disguised, with the reason', () => {
    expect(checkLocally('you are a fucking legend')).toEqual({ ok: false, reason: 'held: profanity (fuck)' });
    expect(checkLocally('what a sh1t game')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^held: profanity/),
    });
  });

  it('holds links and mass mentions', () => {
    expect(checkLocally('get free followers at bit.ly/abc')).toEqual({ ok: false, reason: 'held: contains a link' });
    expect(checkLocally('see https://example.org')).toEqual({ ok: false, reason: 'held: contains a link' });
    expect(checkLocally('@a @b @c @d hello')).toEqual({ ok: false, reason: 'held: mentions many users' });
  });

  it('asks the moderation endpoint only about texts that passed locally, and holds what it flags', async () => {
    const asked: string[][] = [];
    const verdicts = await checkReplies(['fine one', 'damn fucking thing', 'flag me'], {
      moderate: async (texts) => {
        asked.push(texts);
        return texts.map((t) => ({ flagged: t === 'flag me', categories: t === 'flag me' ? ['harassment'] : [] }));
      },
    });
    expect(asked).toEqual([['fine one', 'flag me']]);
    expect(verdicts).toEqual([
      { ok: true },
      { ok: false, reason: expect.stringMatching(/^held: profanity/) },
      { ok: false, reason: 'held: flagged by moderation (harassment)' },
    ]);
  });

  it('fails closed when moderation cannot be reached', async () => {
    const verdicts = await checkReplies(['fine one'], {
      moderate: async () => {
        throw new Error('HTTP 503');
      },
    });
    expect(verdicts).toEqual([{ ok: false, reason: 'held: moderation unavailable (HTTP 503)' }]);
  });
});
