import { describe, expect, it } from 'vitest';
import { cleanText, collapseRepeatedWords, estimateTokens } from './text-cleaning.js';

describe('cleanText', () => {
  it('leaves ordinary ASCII chat alone', () => {
    expect(cleanText('what game is this?')).toEqual({ text: 'what game is this?', removed: [] });
  });

  it('removes zero-width, tag and bidi characters, and control characters', () => {
    const result = cleanText('he\u200bl\u200dlo\u2060 \u202eworld\u202c \u{e0000}\u0007');
    expect(result.text).toBe('hello world');
    expect(result.removed).toEqual(expect.arrayContaining(['zero-width', 'bidi-control', 'control']));
  });

  it('keeps the joiner inside emoji sequences', () => {
    expect(cleanText('👩‍💻 coding').text).toBe('👩‍💻 coding');
  });

  it('folds full-width and mathematical letters with NFKC', () => {
    expect(cleanText('ＨＥＬＬＯ 𝐰𝐨𝐫𝐥𝐝').text).toBe('HELLO world');
  });

  it('folds Cyrillic and Greek look-alikes inside Latin words only', () => {
    expect(cleanText('b\u0456tch').text).toBe('bitch');
    expect(cleanText('n\u03b9ce').text).toBe('nice');
    expect(cleanText('привет, как дела?').text).toBe('привет, как дела?');
    expect(cleanText('καλημέρα').text).toBe('καλημέρα');
    // A word made only of look-alikes inside an English message is a disguise.
    expect(cleanText('you are a \u0441\u043e\u0441\u043a lol').text).toBe('you are a cock lol');
  });

  it('collapses runs of more than three characters, emoji included', () => {
    expect(cleanText('loooooool!!!!!!!! 😂😂😂😂😂').text).toBe('loool!!! 😂😂😂');
  });

  it('turns line breaks into spaces and trims', () => {
    expect(cleanText('  line one\nline two\t ').text).toBe('line one line two');
  });

  it('never throws on lone surrogates or huge input', () => {
    expect(() => cleanText('\ud800 abc \udfff')).not.toThrow();
    expect(cleanText('a'.repeat(10_000)).text).toBe('aaa');
  });
});

describe('collapseRepeatedWords', () => {
  it('collapses three or more of the same word, case-insensitively, and keeps pairs', () => {
    expect(collapseRepeatedWords('LUL lul LUL that was funny')).toBe('LUL that was funny');
    expect(collapseRepeatedWords('no no please')).toBe('no no please');
  });
});

describe('estimateTokens', () => {
  it('counts about four ASCII characters per token', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('what game is this?')).toBe(5);
  });

  it('counts one token per CJK character and per emoji', () => {
    expect(estimateTokens('この配信すごい')).toBe(7);
    expect(estimateTokens('😂😂')).toBe(2);
  });

  it('counts half a token per character of other scripts', () => {
    expect(estimateTokens('привет')).toBe(3);
  });
});
