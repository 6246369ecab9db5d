import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';
import { isValidToken, readToken, TOKEN_STORAGE_KEY } from './token.js';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

describe('the console token', () => {
  it('comes from the URL fragment and is remembered for the tab', () => {
    const storage = memoryStorage();
    expect(readToken('#token=abc123', storage)).toEqual({ token: 'abc123', fromHash: true });
    expect(storage.getItem(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(readToken('', storage)).toEqual({ token: 'abc123', fromHash: false });
  });

  it('is absent when neither the fragment nor storage has one', () => {
    expect(readToken('#view=live', memoryStorage())).toEqual({ token: null, fromHash: false });
  });

  it('must be usable as a WebSocket subprotocol', () => {
    expect(isValidToken('Ab-9_x.~')).toBe(true);
    expect(isValidToken('has space')).toBe(false);
    expect(isValidToken('a,b')).toBe(false);
  });
});

describe('reconnect backoff', () => {
  it('retries every half second while a restart is likely, then doubles up to ten seconds', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(7, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(8, () => 0.5)).toBe(1_000);
    expect(reconnectDelayMs(10, () => 0.5)).toBe(4_000);
    expect(reconnectDelayMs(30, () => 1)).toBe(12_500);
    expect(reconnectDelayMs(30, () => 0)).toBe(7_500);
  });
});
