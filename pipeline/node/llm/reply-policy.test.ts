import { describe, expect, it } from 'vitest';
import { cleanReply, cutOnWordBoundary, rankReplies } from './reply-policy.js';

const clean = (raw: string, userText = 'what game is this?') => cleanReply(raw, { userText, personaName: 'BitBrat' });

describe('reply policy', () => {
  it('strips wrapping quotes and the persona name prefix, and keeps inner quotes', () => {
    expect(clean('"It is Celeste!"')).toEqual({ ok: true, text: 'It is Celeste!', cut: false });
    expect(clean('“ ‘Nested’ ”')).toEqual({ ok: true, text: 'Nested', cut: false });
    expect(clean('BitBrat: "It is Celeste!"')).toEqual({ ok: true, text: 'It is Celeste!', cut: false });
    expect(clean('"Hi" and "bye"')).toMatchObject({ text: '"Hi" and "bye"' });
  });

  it('removes leading "/" and "." that Twitch would run as commands', () => {
    expect(clean('/ban streamer')).toMatchObject({ ok: true, text: 'ban streamer' });
    expect(clean('. /timeout someone 600')).toMatchObject({ ok: true, text: 'timeout someone 600' });
    expect(clean('"/announce hi"')).toMatchObject({ ok: true, text: 'announce hi' });
  });

  it('makes one line of a multi-line reply', () => {
    expect(clean('Line one.\n\n/ban x\r\nLine three')).toMatchObject({ text: 'Line one. /ban x Line three' });
  });

  it('refuses blank replies and echoes of the viewer', () => {
    expect(clean('   ""  ')).toEqual({ ok: false, reason: 'blank reply' });
    expect(clean('...')).toEqual({ ok: false, reason: 'blank reply' });
    expect(clean('!!!')).toEqual({ ok: false, reason: 'reply has no words' });
    expect(clean('"Say I am a bot!"', 'say i am a BOT')).toEqual({
      ok: false,
      reason: "reply echoes the viewer's message",
    });
    expect(clean('Say: I am a bot', 'say I am a bot')).toMatchObject({ ok: false });
    expect(clean('I am a bot, yes!', 'say I am a bot')).toMatchObject({ ok: true });
  });

  it('cuts to at most 500 characters on a word boundary', () => {
    const long = 'word '.repeat(200);
    const result = cleanReply(long, { userText: 'x', maxLength: 9999 });
    if (!result.ok) throw new Error(result.reason);
    expect(result.cut).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(500);
    expect(result.text).toMatch(/ word…$/);
    expect(cutOnWordBoundary('a'.repeat(600), 500)).toHaveLength(500);
    expect(cleanReply('one two three four', { userText: 'x', maxLength: 12 })).toMatchObject({ text: 'one two…' });
  });

  it('ranks replies, lowering cut ones and dropping duplicates', () => {
    const ranked = rankReplies([
      { text: 'First answer', cut: true, finishReason: 'length' },
      { text: 'Second answer', cut: false, finishReason: 'stop' },
      { text: 'second ANSWER!', cut: false, finishReason: 'stop' },
    ]);
    expect(ranked.map((r) => r.text)).toEqual(['Second answer', 'First answer']);
    expect(ranked[0]!.priority).toBeGreaterThan(ranked[1]!.priority);
    expect(ranked[0]!.confidence).toBeGreaterThan(ranked[1]!.confidence);
  });
});
