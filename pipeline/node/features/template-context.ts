/**
 * What the services put into a template beyond the event itself: counter values for
 * `{count:NAME}`, and `{uptime}`, `{game}`, `{title}`, `{followage}` from the stream's state.
 * Shared by the commands, counters, quotes and timers services so a variable means the same
 * everywhere. Where a value is not available the output says so instead of going blank.
 */
import type { Counter } from '../../core/counters.js';
import { templateCounters, type TemplateExtras, type TemplateVars } from '../../core/template-variables.js';
import type { StreamState } from './feature-reader.js';

export interface ChannelInfo {
  game: string | null;
  title: string | null;
}

/** What Twitch Helix answers with the linked broadcaster's token (connectors/twitch/helix-channel.ts). */
export interface TwitchLookups {
  /** The broadcaster's own channel: category and title (cached briefly by the client). */
  channel(): Promise<ChannelInfo>;
  /** When this Twitch user followed the channel; null: not following. */
  followedAt(userId: string): Promise<number | null>;
}

export interface VariableSources {
  counters(): readonly Counter[];
  counterValue(name: string, scopeKey: string): number;
  stream(): StreamState;
  /** Twitch lookups; undefined: no linked broadcaster to ask with. */
  twitch?(): TwitchLookups | undefined;
}

export const UNAVAILABLE = {
  game: '(game unknown: link the broadcaster account to read it from Twitch)',
  title: '(title unknown: link the broadcaster account to read it from Twitch)',
  followage: '(follow age unknown: link the broadcaster account to read it from Twitch)',
  lastgame: '(last game unknown: link the broadcaster account to read it from Twitch)',
  uptime: 'not live right now',
} as const;

/** "3h 12m", "12m 5s", "40s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

/** Counter values the template reads; per-user counters are read for `login`. */
export function counterExtras(template: string, login: string, sources: VariableSources | undefined): TemplateExtras {
  const names = templateCounters(template);
  if (names.length === 0 || !sources) return {};
  const byName = new Map(sources.counters().map((counter) => [counter.name, counter]));
  const counters: Record<string, number> = {};
  for (const name of names) {
    const scopeKey = byName.get(name)?.scope === 'user' ? login.toLowerCase() : '';
    counters[name] = sources.counterValue(name, scopeKey);
  }
  return { counters };
}

/** `{uptime}`, `{game}`, `{title}`, `{followage}`, filled only when the template uses them. */
export function streamVars(template: string, sources: VariableSources | undefined, now: number): TemplateVars {
  const uses = (name: string) => template.toLowerCase().includes(`{${name}}`);
  const vars: TemplateVars = {};
  if (uses('uptime')) {
    const stream = sources?.stream();
    vars.uptime =
      stream?.live && stream.startedAt !== null ? formatDuration(now - stream.startedAt) : UNAVAILABLE.uptime;
  }
  // Only the shoutout service (rule chat-shoutout) looks the target's category up; elsewhere it says so.
  if (uses('lastgame')) vars.lastgame = UNAVAILABLE.lastgame;
  // With a linked broadcaster twitchVars fills these; without one they say why they are empty.
  if (!sources?.twitch?.()) {
    if (uses('game')) vars.game = UNAVAILABLE.game;
    if (uses('title')) vars.title = UNAVAILABLE.title;
    if (uses('followage')) vars.followage = UNAVAILABLE.followage;
  }
  return vars;
}

/** Who a template's `{followage}` is about. */
export interface FollowSubject {
  platform: string;
  /** The platform's user id (Twitch: digits). */
  id: string;
}

const TWITCH_VARIABLES = ['game', 'title', 'followage'] as const;

/**
 * `{game}`, `{title}`, `{followage}` from Twitch, when the template uses one and a broadcaster is
 * linked; undefined otherwise, so a service whose template needs no Helix stays synchronous. A failed
 * lookup shows as "(game unknown: …)" with Twitch's reason rather than failing the reply.
 */
export function twitchVars(
  template: string,
  sources: VariableSources | undefined,
  subject: FollowSubject,
  now: number,
): Promise<TemplateVars> | undefined {
  const lower = template.toLowerCase();
  const used = TWITCH_VARIABLES.filter((name) => lower.includes(`{${name}}`));
  const twitch = sources?.twitch?.();
  if (used.length === 0 || !twitch) return undefined;
  const unknown = (what: string, error: unknown) =>
    `(${what} unknown: ${error instanceof Error ? error.message : String(error)})`.slice(0, 200);
  return (async () => {
    const vars: TemplateVars = {};
    if (used.includes('game') || used.includes('title')) {
      try {
        const info = await twitch.channel();
        vars.game = info.game ?? 'no category set';
        vars.title = info.title ?? 'no title set';
      } catch (error) {
        vars.game = unknown('game', error);
        vars.title = unknown('title', error);
      }
    }
    if (used.includes('followage')) {
      if (subject.platform !== 'twitch') vars.followage = '(follow age unknown: not a Twitch user)';
      else {
        try {
          const at = await twitch.followedAt(subject.id);
          vars.followage = at === null ? 'not following' : formatFollowAge(now - at);
        } catch (error) {
          vars.followage = unknown('follow age', error);
        }
      }
    }
    return vars;
  })();
}

/** "2 years, 3 months", "5 months, 2 days", "12 days", under a day as formatDuration. */
export function formatFollowAge(ms: number): string {
  const days = Math.floor(Math.max(0, ms) / 86_400_000);
  if (days < 1) return formatDuration(ms);
  const years = Math.floor(days / 365);
  const months = Math.floor((days % 365) / 30);
  const rest = (days % 365) % 30;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (years > 0) return months > 0 ? `${part(years, 'year')}, ${part(months, 'month')}` : part(years, 'year');
  if (months > 0) return rest > 0 ? `${part(months, 'month')}, ${part(rest, 'day')}` : part(months, 'month');
  return part(days, 'day');
}

/** The first @mention in the text, else the first argument, else the user. */
export function targetOf(text: string, firstArgument: string | undefined, user: string): string {
  const mention = /(?:^|\s)@([A-Za-z0-9_]{1,25})\b/.exec(text);
  return mention?.[1] ?? firstArgument ?? user;
}
