import { describe, expect, it } from 'vitest';
import {
  AlertSettingsSchema,
  MAX_SPOKEN_CHARACTERS,
  alertKindOf,
  buildAlert,
  renderAlertTemplate,
  spokenText,
} from './alerts.js';

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

  it('reads aloud only the supporter’s own message, cleaned and capped, when the kind has speech on', () => {
    expect(
      buildAlert(event('twitch.cheer.v1', { bits: 100 }, 'Cheer100 hi'), AlertSettingsSchema.parse({}))?.speech,
    ).toBe(null); // off by default
    const on = AlertSettingsSchema.parse({ cheer: { tts: { enabled: true, voice: 'Zira', rate: 1.5, volume: 0.4 } } });
    expect(buildAlert(event('twitch.cheer.v1', { bits: 100 }, 'Cheer100 love it'), on)?.speech).toEqual({
      text: 'love it',
      voice: 'Zira',
      rate: 1.5,
      volume: 0.4,
    });
    // Nothing to say: no message, or only cheermotes.
    expect(buildAlert(event('twitch.cheer.v1', { bits: 100 }), on)?.speech).toBeNull();
    expect(buildAlert(event('twitch.cheer.v1', { bits: 100 }, 'Cheer100 Kappa50'), on)?.speech).toBeNull();
    // Words the analyzer rates strong or severe are never read out on stream.
    const rated = (severity: string) => ({
      ...event('twitch.cheer.v1', { bits: 100 }, 'Cheer100 some words'),
      annotations: [
        { kind: 'toxicity', source: 'query-analyzer', value: { profane: true, terms: ['s***'], severity }, at: 1 },
      ],
    });
    expect(buildAlert(rated('strong'), on)?.speech).toBeNull();
    expect(buildAlert(rated('severe'), on)?.speech).toBeNull();
    expect(buildAlert(rated('mild'), on)?.speech?.text).toBe('some words');
    // Settings outside what a speech engine takes are refused, naming the field.
    const bad = AlertSettingsSchema.safeParse({ cheer: { tts: { enabled: true, rate: 9 } } });
    expect(bad.success ? [] : bad.error.issues.map((issue) => issue.path.join('.'))).toEqual(['cheer.tts.rate']);
  });

  it('cleans the text it speaks: controls and invisible characters, links, cheermotes, length', () => {
    expect(spokenText('cheer', 'Cheer100 go\u0007 go\u200bgo https://evil.example/x?y www.a.b done')).toBe(
      'go go go link link done',
    );
    // Only cheers drop cheermote-like words; a redemption keeps "R2D2".
    expect(spokenText('redemption', 'play R2D2 sounds')).toBe('play R2D2 sounds');
    const long = spokenText('redemption', 'word '.repeat(100));
    expect(long!.length).toBeLessThanOrEqual(MAX_SPOKEN_CHARACTERS);
    expect(long!.endsWith('word')).toBe(true);
    expect(spokenText('redemption', '   ')).toBeNull();
    expect(spokenText('redemption', null)).toBeNull();
  });
});
