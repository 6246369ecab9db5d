import { describe, expect, it } from 'vitest';
import { ALERTS_KEY, readAlertPrefs, writeAlertPrefs } from './alerts.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

describe('alert preferences', () => {
  it('are off until chosen, and remembered per console', () => {
    const storage = memoryStorage();
    expect(readAlertPrefs(storage)).toEqual({ sound: false, desktop: false });
    writeAlertPrefs(storage, { sound: true, desktop: false });
    expect(readAlertPrefs(storage)).toEqual({ sound: true, desktop: false });
  });

  it('treat anything unreadable as no alerts', () => {
    expect(readAlertPrefs(memoryStorage({ [ALERTS_KEY]: '{nope' }))).toEqual({ sound: false, desktop: false });
    expect(readAlertPrefs(memoryStorage({ [ALERTS_KEY]: '{"sound":"yes"}' }))).toEqual({
      sound: false,
      desktop: false,
    });
  });
});
