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

export interface VariableSources {
  counters(): readonly Counter[];
  counterValue(name: string, scopeKey: string): number;
  stream(): StreamState;
  /** Category and title (Twitch Helix); undefined: no linked broadcaster to ask with. */
  channelInfo?(): ChannelInfo | undefined;
}

export const UNAVAILABLE = {
  game: '(game unknown: link the broadcaster account to read it from Twitch)',
  title: '(title unknown: link the broadcaster account to read it from Twitch)',
  followage: '(follow age unknown: link the broadcaster account to read it from Twitch)',
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
  if (uses('game') || uses('title')) {
    const info = sources?.channelInfo?.();
    vars.game = info?.game ?? UNAVAILABLE.game;
    vars.title = info?.title ?? UNAVAILABLE.title;
  }
  if (uses('followage')) vars.followage = UNAVAILABLE.followage;
  return vars;
}

/** The first @mention in the text, else the first argument, else the user. */
export function targetOf(text: string, firstArgument: string | undefined, user: string): string {
  const mention = /(?:^|\s)@([A-Za-z0-9_]{1,25})\b/.exec(text);
  return mention?.[1] ?? firstArgument ?? user;
}
