/**
 * Alerts on the OBS overlay (follows, subs, gifts, raids, cheers, redemptions): the per-kind settings
 * (template, sound, duration, volume), the alert the `overlay-alerts` reaction service publishes, the
 * sound files the streamer uploads, and their HostApi methods. Pure: the service, the host, the
 * gateway and the console all read the alert through these definitions.
 */
import { z } from 'zod';
import { readAnalysis } from './analysis.js';
import { eventHeadline } from './event-headline.js';
import { KnownEventTypes, type Annotation } from './envelope.js';
import { SERVICE_IDS } from './service.js';

/** The reaction service that turns a supporter event into an overlay alert. */
export const OVERLAY_ALERTS_SERVICE = SERVICE_IDS.overlayAlerts;
/** The annotation the service leaves on the event: the alert as published (catch-up reads it back). */
export const ALERT_ANNOTATION = 'overlay.alert';
/** The ingress connector of the console's "test alert" events (their own rule keeps them out of chat). */
export const ALERT_TEST_CONNECTOR = 'alert-test';

export const ALERT_KINDS = ['follow', 'sub', 'subgift', 'raid', 'cheer', 'redemption'] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** The event type behind each kind (a resub is a sub alert). */
export const ALERT_EVENT_TYPES: Record<AlertKind, string> = {
  follow: KnownEventTypes.follow,
  sub: KnownEventTypes.sub,
  subgift: KnownEventTypes.subGift,
  raid: KnownEventTypes.raid,
  cheer: KnownEventTypes.cheer,
  redemption: KnownEventTypes.redemption,
};

export function alertKindOf(type: string): AlertKind | null {
  if (type === KnownEventTypes.resub) return 'sub';
  for (const kind of ALERT_KINDS) if (ALERT_EVENT_TYPES[kind] === type) return kind;
  return null;
}

/** Sound files live in the data folder's `sounds/`: a plain name, one of the accepted types. */
export const SOUND_TYPES = { mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/wav' } as const;
export type SoundType = keyof typeof SOUND_TYPES;
export const SoundNameSchema = z
  .string()
  .trim()
  .min(5)
  .max(80)
  .regex(
    /^[a-z0-9][a-z0-9_-]*\.(mp3|ogg|wav)$/,
    'sound names are lower-case letters, digits, "-", "_" and .mp3/.ogg/.wav',
  );
/** An alert sound is a short clip: 2 MiB is minutes of mp3. */
export const MAX_SOUND_BYTES = 2 * 1024 * 1024;

/** What a file is, by its first bytes (never by its name): mp3 (ID3 tag or MPEG frame sync), Ogg, RIFF WAVE. */
export function soundTypeOf(bytes: Uint8Array): SoundType | null {
  const at = (offset: number, text: string) =>
    [...text].every((char, index) => bytes[offset + index] === char.charCodeAt(0));
  if (bytes.length >= 12 && at(0, 'RIFF') && at(8, 'WAVE')) return 'wav';
  if (bytes.length >= 4 && at(0, 'OggS')) return 'ogg';
  if (bytes.length >= 3 && at(0, 'ID3')) return 'mp3';
  if (bytes.length >= 2 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0) return 'mp3';
  return null;
}

/**
 * Text-to-speech of the supporter's own message (a cheer's or a redemption's text), spoken by the
 * overlay with the browser's speechSynthesis: inside OBS's browser source that uses the system's
 * voices, offline. Off by default. `voice` is a voice name as the system lists it ('' the default).
 */
const AlertSpeechSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  voice: z.string().trim().max(200).default(''),
  rate: z.number().min(0.5).max(2).default(1),
  volume: z.number().min(0).max(1).default(1),
});
export type AlertSpeechSettings = z.infer<typeof AlertSpeechSettingsSchema>;
/** The longest message spoken: a few seconds of speech, not a reading of a pasted essay. */
export const MAX_SPOKEN_CHARACTERS = 200;

export const AlertKindSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** `{user}` the supporter's name, `{headline}` what happened ("raided with 187 viewers"), `{message}` their text. */
  template: z.string().trim().min(1).max(200).default('{user} {headline}!'),
  /** A file in the data folder's sounds/ ('' for none). */
  sound: z.union([z.literal(''), SoundNameSchema]).default(''),
  durationSeconds: z.number().min(1).max(60).default(6),
  volume: z.number().min(0).max(1).default(0.8),
  tts: AlertSpeechSettingsSchema.default(AlertSpeechSettingsSchema.parse({})),
});
export type AlertKindSettings = z.infer<typeof AlertKindSettingsSchema>;

const kindDefaults = AlertKindSettingsSchema.parse({});
export const DEFAULT_ALERT_SETTINGS = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, kindDefaults])) as Record<
  AlertKind,
  AlertKindSettings
>;
export const AlertSettingsSchema = z.object(
  Object.fromEntries(ALERT_KINDS.map((kind) => [kind, AlertKindSettingsSchema.default(kindDefaults)])) as Record<
    AlertKind,
    z.ZodDefault<typeof AlertKindSettingsSchema>
  >,
);
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;

/** One alert as the overlay plays it (published once per event, queued by the overlay). */
export interface OverlayAlert {
  eventId: string;
  at: number;
  kind: AlertKind;
  login: string;
  displayName: string;
  text: string | null;
  /** What happened, in words, without the name: `eventHeadline`. */
  headline: string;
  /** The template filled in: what the overlay shows. */
  title: string;
  /** The sound file's name in sounds/ (served at `/overlay/sounds/<name>`), or null. */
  sound: string | null;
  durationMs: number;
  volume: number;
  /** What the overlay reads aloud after the sound: only the supporter's message, cleaned; null for none. */
  speech: AlertSpeech | null;
  details: Record<string, unknown>;
}

export interface AlertSpeech {
  text: string;
  voice: string;
  rate: number;
  volume: number;
}

const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}]/gu;
const LINK = /\b(?:https?:\/\/|www\.)\S+/giu;
/** Cheermotes (`Cheer100`, `Kappa1000`): the bits are in the headline, reading them out is noise. */
const CHEERMOTE = /(?<![\p{L}\p{N}])\p{L}+\d+(?![\p{L}\p{N}])/gu;

/**
 * The viewer's message as it is read aloud: controls and invisible characters dropped, links said as
 * "link", cheermotes left out for cheers, whitespace collapsed, at most MAX_SPOKEN_CHARACTERS (cut at
 * a word). Null when nothing is left to say.
 */
export function spokenText(kind: AlertKind, message: string | null): string | null {
  if (!message) return null;
  let text = message.replace(INVISIBLE_OR_CONTROL, ' ').replace(LINK, ' link ');
  if (kind === 'cheer') text = text.replace(CHEERMOTE, ' ');
  text = text.replace(/\s+/gu, ' ').trim();
  if (text.length > MAX_SPOKEN_CHARACTERS) {
    const cut = text.slice(0, MAX_SPOKEN_CHARACTERS);
    const space = cut.lastIndexOf(' ');
    text = space > MAX_SPOKEN_CHARACTERS / 2 ? cut.slice(0, space) : cut;
  }
  return /[\p{L}\p{N}]/u.test(text) ? text : null;
}

/** Fills an alert template; the values are plain text (the overlay sets textContent, never HTML). */
export function renderAlertTemplate(
  template: string,
  values: { user: string; headline: string; message: string | null },
): string {
  return template
    .replace(/\{(user|headline|message)\}/g, (_, name: 'user' | 'headline' | 'message') => values[name] ?? '')
    .trim();
}

/** The alert for an event of one of the kinds, or null when that kind is switched off. */
export function buildAlert(
  event: {
    id: string;
    type: string;
    ingress: { at: number };
    identity: { external: { login: string; displayName: string } };
    message?: { text: string } | undefined;
    details?: Record<string, unknown> | undefined;
    annotations?: readonly Annotation[] | undefined;
  },
  settings: AlertSettings,
): OverlayAlert | null {
  const kind = alertKindOf(event.type);
  if (!kind) return null;
  const chosen = settings[kind];
  if (!chosen.enabled) return null;
  const details = event.details ?? {};
  const headline = eventHeadline(event.type, details) ?? 'sent an alert';
  const { login, displayName } = event.identity.external;
  const text = event.message?.text ?? null;
  return {
    eventId: event.id,
    at: event.ingress.at,
    kind,
    login,
    displayName,
    text,
    headline,
    title: renderAlertTemplate(chosen.template, { user: displayName, headline, message: text }),
    sound: chosen.sound === '' ? null : chosen.sound,
    durationMs: Math.round(chosen.durationSeconds * 1000),
    volume: chosen.volume,
    speech: alertSpeech(kind, text, chosen.tts, event.annotations ?? []),
    details,
  };
}

/** The speech for an alert, when its kind reads messages aloud and the message is fit to be heard on stream. */
function alertSpeech(
  kind: AlertKind,
  message: string | null,
  settings: AlertSpeechSettings,
  annotations: readonly Annotation[],
): AlertSpeech | null {
  if (!settings.enabled) return null;
  // The analyzer's verdict, where it ran: sexual or degrading words and slurs are never read out.
  const severity = readAnalysis(annotations, 'toxicity')?.severity;
  if (severity === 'strong' || severity === 'severe') return null;
  const text = spokenText(kind, message);
  return text === null ? null : { text, voice: settings.voice, rate: settings.rate, volume: settings.volume };
}

/** Sample details for a console "test alert", so the overlay shows what a real one looks like. */
export const TEST_ALERT_DETAILS: Record<AlertKind, Record<string, unknown>> = {
  follow: {},
  sub: { months: 3, plan: '1000' },
  subgift: { giftCount: 5 },
  raid: { viewers: 42 },
  cheer: { bits: 100 },
  redemption: { rewardTitle: 'Hydrate!' },
};

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SoundInfo {
  name: string;
  type: SoundType;
  sizeBytes: number;
}

export const AlertApiParams = {
  'alerts.sounds.list': z.object({}),
  /** Stores a sound in sounds/: checked by its first bytes and size, never by its name alone. */
  'alerts.sounds.upload': z.object({
    name: SoundNameSchema,
    /** The file, base64 (the HostApi is JSON). */
    data: z
      .string()
      .max(Math.ceil((MAX_SOUND_BYTES * 4) / 3) + 4, `data: a sound is at most ${MAX_SOUND_BYTES / 1024 / 1024} MiB`),
  }),
  'alerts.sounds.delete': z.object({ name: SoundNameSchema }),
  /** Sends a test alert of one kind through the pipeline (its own rule: overlay only, never chat). */
  'alerts.test': z.object({ kind: AlertKindSchema }),
} as const;

export interface AlertApi {
  'alerts.sounds.list'(params: z.input<(typeof AlertApiParams)['alerts.sounds.list']>): Promise<SoundInfo[]>;
  'alerts.sounds.upload'(params: z.input<(typeof AlertApiParams)['alerts.sounds.upload']>): Promise<Result<SoundInfo>>;
  'alerts.sounds.delete'(params: z.input<(typeof AlertApiParams)['alerts.sounds.delete']>): Promise<{ ok: boolean }>;
  'alerts.test'(params: z.input<(typeof AlertApiParams)['alerts.test']>): Promise<Result<{ eventId: string }>>;
}
