/**
 * A Firebot v5 profile (firebot-format.ts) mapped to BitBrat's configuration file
 * (config-export.ts): its commands, timers, counters and quotes, and a report of every item or part
 * of one that could not be mapped, with its name and why. The import itself is then the
 * configuration import (planImport: one preview, one store batch), so nothing is half-imported.
 *
 * Where Firebot does more than BitBrat can, an item is left out rather than imported looser: a
 * command restricted in a way BitBrat cannot express (a custom role, "only when live", a
 * currency cost ...) is skipped, never opened to everyone. Pure module.
 */
import { CommandSchema } from './commands.js';
import { CONFIG_FORMAT, CONFIG_VERSION, type ConfigFile } from './config-export.js';
import { CounterSchema, MAX_COUNTER_VALUE, type Counter } from './counters.js';
import type { Role } from './envelope.js';
import type { FirebotCommand, FirebotEffect, FirebotEffectList, FirebotProfile } from './firebot-format.js';
import { translateFirebotText, type VariableContext } from './firebot-variables.js';
import type { CommandDefinition } from './protocol/store.js';
import { MAX_QUOTE_TEXT } from './quotes.js';
import { TimerSchema } from './timers.js';
import { describeIssues } from './zod-issues.js';
import { escapeRegExp } from './regex.js';

export type FirebotSection = 'commands' | 'timers' | 'counters' | 'quotes';

/** One thing the import could not carry over. */
export interface FirebotSkip {
  section: FirebotSection;
  /** How the streamer knows it: `!hello`, the timer's or counter's name, `quote #12`. */
  item: string;
  /** `item`: the whole item was left out; `part`: it was imported without this part. */
  scope: 'item' | 'part';
  reason: string;
}

export interface FirebotMapping {
  file: ConfigFile;
  skipped: FirebotSkip[];
}

/** What is already stored, so imported items do not clash with it. */
export interface FirebotTargets {
  commands: readonly CommandDefinition[];
  counters: readonly Counter[];
}

const FIREBOT_ID_PREFIX = 'firebot-';
const CHAT_EFFECT = 'firebot:chat';
const PERMISSIONS = 'firebot:permissions';
const MAX_COOLDOWN_SECONDS = 86_400;

/** Firebot's Twitch role ids → BitBrat roles. Tier 2/3 and custom roles have no equivalent. */
const ROLE_MAP: Readonly<Record<string, Role>> = {
  broadcaster: 'broadcaster',
  mod: 'moderator',
  vip: 'vip',
  sub: 'subscriber',
  // Every subscriber is at least tier 1.
  tier1: 'subscriber',
};

/** A lower-case slug for ids and counter names: letters, digits, "-". */
function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** Unique keys in one import: "x", "x-2", "x-3" … */
function uniquePicker(taken: Iterable<string> = []) {
  const used = new Set(taken);
  return (base: string) => {
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    return key;
  };
}

const activeEffects = (list: FirebotEffectList | null | undefined): FirebotEffect[] =>
  (list?.list ?? []).filter((effect) => effect.active !== false);

const effectName = (effect: FirebotEffect) => `effect ${effect.type}${effect.id ? ` (${effect.id})` : ''}`;

const isChatMessage = (effect: FirebotEffect) =>
  effect.type === CHAT_EFFECT &&
  typeof effect.message === 'string' &&
  effect.message.trim() !== '' &&
  !(typeof effect.whisper === 'string' && effect.whisper.trim() !== '');

/** Firebot matches a trigger case-insensitively at the start (or, with scanWholeMessage, anywhere). */
function mapTrigger(trigger: string, command: FirebotCommand): CommandDefinition['trigger'] {
  if (command.triggerIsRegex) return { kind: 'regex', pattern: trigger, flags: 'i' };
  if (command.scanWholeMessage)
    return { kind: 'regex', pattern: `(?:^|\\s)${escapeRegExp(trigger)}(?:\\s|$)`, flags: 'i' };
  if (/\s/.test(trigger)) return { kind: 'regex', pattern: `^${escapeRegExp(trigger)}(?:\\s|$)`, flags: 'i' };
  return { kind: 'prefix', text: trigger };
}

/** Roles BitBrat can enforce for the command's restrictions, or why it cannot. */
function mapRestrictions(command: FirebotCommand): { ok: true; roles: Role[] } | { ok: false; reason: string } {
  const data = command.restrictionData;
  const restrictions = data?.restrictions ?? [];
  if (restrictions.length === 0) return { ok: true, roles: [] };
  if (data?.mode === 'none') return { ok: false, reason: 'restriction mode "none" (inverted) has no equivalent' };
  if (data?.mode === 'any' && restrictions.length > 1)
    return { ok: false, reason: 'restriction mode "any" over several restrictions has no equivalent' };
  const roles = new Set<Role>();
  for (const restriction of restrictions) {
    if (restriction.type !== PERMISSIONS)
      return { ok: false, reason: `restriction ${restriction.type} has no equivalent (left out rather than opened)` };
    if (restriction.mode === 'viewer')
      return { ok: false, reason: 'a restriction to one named viewer has no equivalent' };
    for (const roleId of restriction.roleIds ?? []) {
      const role = ROLE_MAP[roleId];
      if (!role) return { ok: false, reason: `role "${roleId}" has no equivalent (custom roles, sub tiers 2/3, bots)` };
      roles.add(role);
    }
  }
  return { ok: true, roles: [...roles] };
}

const seconds = (value: number | null | undefined) =>
  Math.min(MAX_COOLDOWN_SECONDS, Math.max(0, Math.round(value ?? 0)));

function triggerClash(trigger: CommandDefinition['trigger'], other: CommandDefinition['trigger']): boolean {
  if (trigger.kind === 'regex' || other.kind === 'regex' || trigger.kind === 'event' || other.kind === 'event')
    return trigger.kind === 'regex' && other.kind === 'regex' && trigger.pattern === other.pattern;
  return trigger.text.trim().toLowerCase() === other.text.trim().toLowerCase();
}

function mapCommands(
  profile: FirebotProfile,
  targets: FirebotTargets,
  variables: VariableContext,
  skipped: FirebotSkip[],
): ConfigFile['commands'] {
  const commands: ConfigFile['commands'] = [];
  const pick = uniquePicker();
  const claimed = new Set<string>();
  // Commands from an earlier import of this profile are replaced, not clashed with.
  const others = targets.commands.filter((command) => !command.id.startsWith(FIREBOT_ID_PREFIX));
  const counterCommands = new Set(targets.counters.map((counter) => counter.command.toLowerCase()).filter(Boolean));
  if (profile.commands.systemOverrides > 0)
    skipped.push({
      section: 'commands',
      item: 'built-in commands',
      scope: 'item',
      reason: `${profile.commands.systemOverrides} changed Firebot built-in command(s) have no equivalent (BitBrat has its own !quote, !so, counters)`,
    });
  for (const command of Object.values(profile.commands.custom)) {
    const item = command.trigger.trim() || `(command ${command.id ?? 'without trigger'})`;
    const skip = (reason: string, scope: FirebotSkip['scope'] = 'item') =>
      skipped.push({ section: 'commands', item, scope, reason });
    const effects = activeEffects(command.effects);
    const chats = effects.filter(isChatMessage);
    if (chats.length === 0) {
      skip(
        effects.length === 0
          ? 'it has no active effects'
          : `it sends no chat message (effects: ${[...new Set(effects.map((effect) => effect.type))].join(', ')})`,
      );
      continue;
    }
    const restrictions = mapRestrictions(command);
    if (!restrictions.ok) {
      skip(restrictions.reason);
      continue;
    }
    const translated = translateFirebotText(chats[0]!.message as string, variables);
    if (!translated.ok) {
      skip(`its message uses ${translated.unsupported.join(', ')}, which BitBrat has no equivalent of`);
      continue;
    }
    for (const effect of effects.filter((effect) => effect !== chats[0]))
      skip(
        effect.type === CHAT_EFFECT
          ? `${effectName(effect)}: only the first chat message is imported`
          : `${effectName(effect)} has no equivalent`,
        'part',
      );
    if ((command.subCommands?.length ?? 0) > 0 || command.fallbackSubcommand)
      skip(`its ${command.subCommands?.length ?? 0} sub-command(s) are not imported`, 'part');
    const triggers = [command.trigger.trim(), ...(command.aliases ?? []).map((alias) => alias.trim())].filter(Boolean);
    const base = `${FIREBOT_ID_PREFIX}${slug(command.trigger, 40) || slug(command.id ?? 'command', 40) || 'command'}`;
    for (const [index, trigger] of triggers.entries()) {
      const label = index === 0 ? item : `${trigger} (alias of ${item})`;
      const mapped = mapTrigger(trigger, command);
      if (mapped.kind === 'prefix' && counterCommands.has(mapped.text.toLowerCase())) {
        skipped.push({ section: 'commands', item: label, scope: 'item', reason: 'it is a BitBrat counter’s command' });
        continue;
      }
      // A command BitBrat already has for this trigger (its own !hello, say) is replaced by
      // Firebot's: the preview lists it as changed, under its id.
      const existing = others.find((other) => triggerClash(mapped, other.trigger));
      const id = existing ? existing.id : pick(index === 0 ? base : `${base}-alias`);
      if (claimed.has(id)) {
        skipped.push({
          section: 'commands',
          item: label,
          scope: 'item',
          reason: 'another Firebot command has this trigger',
        });
        continue;
      }
      claimed.add(id);
      const parsed = CommandSchema.safeParse({
        id,
        enabled: command.active !== false,
        trigger: mapped,
        template: translated.template,
        roles: restrictions.roles,
        userCooldownSeconds: seconds(command.cooldown?.user),
        globalCooldownSeconds: seconds(command.cooldown?.global),
      });
      if (!parsed.success) {
        skipped.push({ section: 'commands', item: label, scope: 'item', reason: describeIssues(parsed.error) });
        continue;
      }
      commands.push(parsed.data);
    }
  }
  return commands;
}

function mapTimers(profile: FirebotProfile, variables: VariableContext, skipped: FirebotSkip[]): ConfigFile['timers'] {
  const timers: ConfigFile['timers'] = [];
  const pick = uniquePicker();
  for (const timer of Object.values(profile.timers)) {
    const item = timer.name.trim() || `(timer ${timer.id ?? 'without a name'})`;
    const skip = (reason: string, scope: FirebotSkip['scope'] = 'item') =>
      skipped.push({ section: 'timers', item, scope, reason });
    const effects = activeEffects(timer.effects);
    const messages: string[] = [];
    for (const effect of effects) {
      if (!isChatMessage(effect)) {
        skip(`${effectName(effect)} has no equivalent`, 'part');
        continue;
      }
      const translated = translateFirebotText(effect.message as string, variables);
      if (translated.ok) messages.push(translated.template);
      else skip(`${effectName(effect)}: its message uses ${translated.unsupported.join(', ')}`, 'part');
    }
    if (messages.length === 0) {
      skip('it has no chat message BitBrat can send');
      continue;
    }
    const minutes = Math.max(1, Math.round(timer.interval / 60));
    if (minutes * 60 !== timer.interval)
      skip(`its interval of ${timer.interval} s is rounded to ${minutes} min (timers run in whole minutes)`, 'part');
    const runMode = timer.effects?.runMode ?? 'all';
    if (runMode === 'all' && messages.length > 1)
      skip('Firebot sent all its messages each time; BitBrat sends one per interval, in order', 'part');
    const parsed = TimerSchema.safeParse({
      id: pick(`${FIREBOT_ID_PREFIX}${slug(timer.name, 40) || slug(timer.id ?? 'timer', 40) || 'timer'}`),
      name: timer.name.trim().slice(0, 100),
      enabled: timer.active !== false,
      intervalMinutes: Math.min(1440, minutes),
      minChatLines: Math.min(10_000, Math.max(0, Math.round(timer.requiredChatLines ?? 0))),
      onlyWhenLive: timer.onlyWhenLive !== false,
      rotation: runMode === 'random' ? 'random' : 'in-order',
      messages,
    });
    if (!parsed.success) {
      skip(describeIssues(parsed.error));
      continue;
    }
    timers.push(parsed.data);
  }
  return timers;
}

/** Firebot counter name → the BitBrat counter it becomes (an existing one with that name keeps its settings). */
function planCounters(profile: FirebotProfile): Map<string, string> {
  // Two Firebot counters "Deaths" and "deaths!" must not both become "deaths".
  const pick = uniquePicker();
  const names = new Map<string, string>();
  for (const counter of Object.values(profile.counters)) {
    const name = slug(counter.name, 36) || slug(counter.id ?? '', 36);
    if (name && !names.has(counter.name)) names.set(counter.name, pick(name));
  }
  return names;
}

function mapCounters(
  profile: FirebotProfile,
  targets: FirebotTargets,
  names: ReadonlyMap<string, string>,
  skipped: FirebotSkip[],
): ConfigFile['counters'] {
  const counters: ConfigFile['counters'] = [];
  const done = new Set<string>();
  for (const counter of Object.values(profile.counters)) {
    const item = counter.name.trim() || `(counter ${counter.id ?? ''})`;
    const skip = (reason: string, scope: FirebotSkip['scope'] = 'item') =>
      skipped.push({ section: 'counters', item, scope, reason });
    const name = names.get(counter.name);
    if (!name) {
      skip('its name has no letters or digits');
      continue;
    }
    if (done.has(name)) {
      skip('another counter has the same name');
      continue;
    }
    done.add(name);
    if (!Number.isFinite(counter.value)) {
      skip('its value is not a number');
      continue;
    }
    const value = Math.max(-MAX_COUNTER_VALUE, Math.min(MAX_COUNTER_VALUE, Math.trunc(counter.value)));
    if (value !== counter.value) skip(`its value ${counter.value} is stored as ${value}`, 'part');
    if (counter.minimum != null || counter.maximum != null)
      skip('its minimum/maximum is not kept (BitBrat counters have no bounds)', 'part');
    if (counter.saveToTxtFile) skip('"save to text file" has no equivalent', 'part');
    for (const key of ['updateEffects', 'minimumEffects', 'maximumEffects'] as const)
      if (activeEffects(counter[key]).length > 0) skip(`its ${key} have no equivalent`, 'part');
    const stored = targets.counters.find((candidate) => candidate.name === name);
    const definition = stored ?? CounterSchema.parse({ name });
    counters.push({ counter: definition, values: [{ scopeKey: '', value }] });
  }
  return counters;
}

function quoteTime(createdAt: FirebotProfile['quotes'][number]['createdAt'], fallback: number): number {
  if (createdAt == null) return fallback;
  const at = typeof createdAt === 'string' ? Date.parse(createdAt) : createdAt.$$date;
  return Number.isFinite(at) ? at : fallback;
}

function mapQuotes(profile: FirebotProfile, now: number, skipped: FirebotSkip[]): ConfigFile['quotes'] {
  const quotes: ConfigFile['quotes'] = [];
  for (const quote of profile.quotes) {
    const item = `quote #${quote._id}`;
    const text = quote.text.trim();
    if (text === '') {
      skipped.push({ section: 'quotes', item, scope: 'item', reason: 'its text is empty' });
      continue;
    }
    if (text.length > MAX_QUOTE_TEXT) {
      skipped.push({ section: 'quotes', item, scope: 'item', reason: `longer than ${MAX_QUOTE_TEXT} characters` });
      continue;
    }
    const game = quote.game?.trim() ?? '';
    quotes.push({
      text,
      saidBy: (quote.originator?.trim() || 'unknown').slice(0, 100),
      addedBy: (quote.creator?.trim() || 'firebot').slice(0, 100),
      addedAt: quoteTime(quote.createdAt, now),
      game: game === '' ? null : game.slice(0, 100),
    });
  }
  return quotes;
}

/** The profile as a configuration file, and everything left out of it. */
export function mapFirebotProfile(profile: FirebotProfile, targets: FirebotTargets, now: number): FirebotMapping {
  const skipped: FirebotSkip[] = [];
  const counterNames = planCounters(profile);
  const existingCounters = new Set(targets.counters.map((counter) => counter.name));
  const variables: VariableContext = {
    // Firebot finds a counter by its exact name.
    counterName: (name) => counterNames.get(name) ?? (existingCounters.has(name) ? name : undefined),
  };
  const file: ConfigFile = {
    format: CONFIG_FORMAT,
    version: CONFIG_VERSION,
    exportedAt: now,
    rules: [],
    personas: [],
    settings: {},
    commands: mapCommands(profile, targets, variables, skipped),
    timers: mapTimers(profile, variables, skipped),
    counters: mapCounters(profile, targets, counterNames, skipped),
    quotes: mapQuotes(profile, now, skipped),
  };
  return { file, skipped };
}
