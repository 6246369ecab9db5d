import { describe, expect, it } from 'vitest';
import { AlertSettingsSchema, alertKindOf, buildAlert, renderAlertTemplate } from './alerts.js';

const event = (type: string, details: Record<string, unknown> = {}, text?: string) => ({
  id: 'e1',
  type,
  ingress: { at: 1000 },
  identity: { external: { login: 'ada', displayName: 'Ada' } },
  ...(text ? { message: { text } } : {}),
  details,
});

describe('alerts', () => {
  it('words each kind with its template, sound, duration and volume', () => {
    const settings = AlertSettingsSchema.parse({
      cheer: { template: '{user} {headline}: {message}', sound: 'coins.ogg', durationSeconds: 2.5, volume: 0.3 },
    });
    expect(buildAlert(event('twitch.cheer.v1', { bits: 500 }, 'Cheer500 gg'), settings)).toMatchObject({
      kind: 'cheer',
      title: 'Ada cheered 500 bits: Cheer500 gg',
      sound: 'coins.ogg',
      durationMs: 2500,
      volume: 0.3,
      at: 1000,
    });
    expect(buildAlert(event('twitch.redemption.v1', { rewardTitle: 'Hydrate' }), settings)).toMatchObject({
      kind: 'redemption',
      title: 'Ada redeemed “Hydrate”!',
      sound: null,
    });
  });

  it('treats a resub as a sub, leaves other events alone, and honours a kind switched off', () => {
    expect(alertKindOf('twitch.resub.v1')).toBe('sub');
    expect(alertKindOf('chat.message.v1')).toBeNull();
    const off = AlertSettingsSchema.parse({ follow: { enabled: false } });
    expect(buildAlert(event('twitch.follow.v1'), off)).toBeNull();
    expect(buildAlert(event('chat.message.v1'), off)).toBeNull();
  });

  it('fills only the known variables and never reads HTML', () => {
    expect(
      renderAlertTemplate('{user} <b>{headline}</b> {nope}', { user: '<img>', headline: 'x', message: null }),
    ).toBe('<img> <b>x</b> {nope}');
  });

  it('refuses a sound name that could leave the sounds folder, naming the field', () => {
    const parsed = AlertSettingsSchema.safeParse({ raid: { sound: '../bitbrat.db' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['raid', 'sound']);
  });
});
