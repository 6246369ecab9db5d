import { describe, expect, it } from 'vitest';
import { createRedactor } from './redaction.js';

describe('redactor', () => {
  it('replaces every registered secret in text and nested values, and forgets a removed one', () => {
    const redactor = createRedactor();
    redactor.set('LLM API key', 'sk-live-1234567890');
    redactor.set('Twitch bot token', 'oauth-abcdefghij');
    expect(redactor.redact('bad key sk-live-1234567890, again sk-live-1234567890')).toBe(
      'bad key [redacted LLM API key], again [redacted LLM API key]',
    );
    const value = { list: [{ error: 'token oauth-abcdefghij refused' }], n: 3, clean: { a: 'fine' } };
    const redacted = redactor.redactValue(value);
    expect(redacted).toEqual({
      list: [{ error: 'token [redacted Twitch bot token] refused' }],
      n: 3,
      clean: { a: 'fine' },
    });
    expect(redacted.clean).toBe(value.clean);
    expect(redactor.errorText(new Error('x sk-live-1234567890'))).toBe('x [redacted LLM API key]');
    redactor.set('LLM API key', null);
    expect(redactor.redact('sk-live-1234567890')).toBe('sk-live-1234567890');
  });

  it('ignores values too short to be secrets', () => {
    const redactor = createRedactor();
    redactor.set('short', 'abc');
    expect(redactor.active).toBe(false);
    expect(redactor.redact('abc')).toBe('abc');
  });
});
