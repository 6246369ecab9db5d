/**
 * The `commands` reaction service: answers chat commands (`!hello`, `!so name`) and thanks people
 * for follows, subs, cheers and raids, from the streamer's command list (see pipeline/core/commands.ts).
 *
 * It proposes one candidate reply; the approval gate and egress decide what reaches chat.
 * Cooldowns live in memory (they only need to outlast spam, not a restart) and are consumed only
 * when a reply is actually proposed, so a refused or blank command costs the user nothing.
 */
import {
  checkRegex,
  matchChatTrigger,
  renderTemplate,
  templateVariables,
  type TemplateVars,
} from '../../core/commands.js';
import { KnownEventTypes, type Envelope, type Role } from '../../core/envelope.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import type { Service, StepContext, StepOutcome } from '../../core/service.js';
import { counterExtras, streamVars, targetOf, twitchVars, type VariableSources } from '../features/template-context.js';
import { SERVICE_IDS } from '../../core/service.js';

export interface CommandsServiceDeps {
  /** The current command list, in priority order (read on every event: edits apply at once). */
  commands: () => readonly CommandDefinition[];
  now?: () => number;
  newId?: () => string;
  /** Counters and stream state for `{count:NAME}`, `{uptime}`, `{game}`...; without it they show as unavailable. */
  variables?: VariableSources;
  random?: () => number;
}

/** Cooldown entries kept before expired ones are swept (one per user who ran a command recently). */
const COOLDOWN_SWEEP_THRESHOLD = 10_000;

/**
 * Invisible characters some chat clients append so Twitch does not drop a repeated message
 * (Chatterino and 7TV add U+E0000 or U+034F); without stripping them "!hello" sent twice would
 * not match the second time.
 */
const INVISIBLE_CHARACTERS = /[\u034f\u200b-\u200d\u2060\ufeff\u{e0000}-\u{e007f}]/gu;

interface CommandMatch {
  command: CommandDefinition;
  args: string;
  /** `{arg1}`..`{arg9}`: words after a prefix trigger, or a regex's capture groups. */
  argList: string[];
}

type RegexCacheEntry = { ok: true; regex: RegExp } | { ok: false };

export function createCommandsService(deps: CommandsServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  /** Key `command` (global) or `command\u0000user` (per user) → when the command last replied. */
  const lastReplyAt = new Map<string, number>();
  const regexCache = new Map<string, RegexCacheEntry>();

  function compiled(pattern: string, flags: string): RegExp | undefined {
    const key = `${flags}/${pattern}`;
    let entry = regexCache.get(key);
    if (!entry) {
      // Commands were checked when saved; checking again here keeps a hand-edited database harmless.
      const check = checkRegex(pattern, flags);
      entry = check.ok ? { ok: true, regex: check.regex } : { ok: false };
      if (regexCache.size > 1000) regexCache.clear();
      regexCache.set(key, entry);
    }
    return entry.ok ? entry.regex : undefined;
  }

  function matchChat(command: CommandDefinition, text: string): CommandMatch | undefined {
    const match = matchChatTrigger(command.trigger, text, compiled);
    return match ? { command, ...match } : undefined;
  }

  function findMatch(event: Readonly<Envelope>, commands: readonly CommandDefinition[]): CommandMatch | undefined {
    if (event.type === KnownEventTypes.chatMessage) {
      const text = (event.message?.text ?? '').replace(INVISIBLE_CHARACTERS, '').trim();
      if (text.length === 0) return undefined;
      for (const command of commands) {
        if (!command.enabled) continue;
        const match = matchChat(command, text);
        if (match) return match;
      }
      return undefined;
    }
    for (const command of commands) {
      if (command.enabled && command.trigger.kind === 'event' && command.trigger.types.includes(event.type)) {
        return { command, args: '', argList: [] };
      }
    }
    return undefined;
  }

  function run(event: Readonly<Envelope>, context: StepContext): StepOutcome | Promise<StepOutcome> {
    const now = (deps.now ?? context.now)();
    const commands = deps.commands();
    const match = findMatch(event, commands);
    if (!match) return skip('no command matched');

    const { command } = match;
    const name = commandName(command);
    const roles = event.identity.user?.roles ?? event.identity.external.roles;
    if (!mayRun(command, roles)) return skip(`${name}: needs ${command.roles.join(' or ')}`);

    const userKey = `${command.id}\u0000${event.identity.user?.id ?? `${event.identity.external.platform}:${event.identity.external.id}`}`;
    const waitMs = Math.max(
      remaining(lastReplyAt.get(command.id), command.globalCooldownSeconds, now),
      remaining(lastReplyAt.get(userKey), command.userCooldownSeconds, now),
    );
    if (waitMs > 0) return skip(`${name}: cooldown, ${Math.ceil(waitMs / 1000)} s left`);

    const missingArgument = templateVariables(command.template)
      .map((variable) => /^arg([1-9])$/.exec(variable)?.[1])
      .find((index) => index !== undefined && !match.argList[Number(index) - 1]);
    if (missingArgument) return skip(`${name}: needs an argument ({arg${missingArgument}})`);

    const vars = {
      ...templateVarsFor(event, match, commands, roles),
      ...streamVars(command.template, deps.variables, now),
    };
    // Only a template with {game}, {title} or {followage} waits for Twitch (while a broadcaster is linked).
    const reply = (all: TemplateVars) => propose(command, name, event, all, now, userKey, commands);
    const fromTwitch = twitchVars(command.template, deps.variables, event.identity.external, now);
    if (!fromTwitch) return reply(vars);
    return fromTwitch.then((more) => {
      // Another run of the command may have replied while this one waited for Twitch.
      const waited = Math.max(
        remaining(lastReplyAt.get(command.id), command.globalCooldownSeconds, now),
        remaining(lastReplyAt.get(userKey), command.userCooldownSeconds, now),
      );
      return waited > 0 ? skip(`${name}: cooldown, ${Math.ceil(waited / 1000)} s left`) : reply({ ...vars, ...more });
    });
  }

  function propose(
    command: CommandDefinition,
    name: string,
    event: Readonly<Envelope>,
    vars: TemplateVars,
    now: number,
    userKey: string,
    commands: readonly CommandDefinition[],
  ): StepOutcome {
    const extras = counterExtras(command.template, event.identity.external.login, deps.variables);
    const text = renderTemplate(command.template, vars, { ...extras, ...(deps.random ? { random: deps.random } : {}) });
    if (text.length === 0) return skip(`${name}: the reply was blank`);

    lastReplyAt.set(command.id, now);
    lastReplyAt.set(userKey, now);
    if (lastReplyAt.size > COOLDOWN_SWEEP_THRESHOLD) sweepExpired(lastReplyAt, commands, now);

    return {
      status: 'OK',
      candidates: [
        {
          id: newId(),
          text,
          source: 'commands',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: `command ${command.id}`,
        },
      ],
      notes: [`${name} matched`],
    };
  }

  return { id: SERVICE_IDS.commands, phase: 'reaction', run };
}

function skip(reason: string): StepOutcome {
  return { status: 'SKIP', notes: [reason] };
}

/** How a moderator recognizes the command on the slip: its trigger text, or its id. */
function commandName(command: CommandDefinition): string {
  const trigger = command.trigger;
  return trigger.kind === 'exact' || trigger.kind === 'prefix' ? trigger.text.trim() : command.id;
}

/** Whether someone with these roles may run the command (the broadcaster always may). */
export function mayRun(command: Pick<CommandDefinition, 'roles'>, roles: readonly string[]): boolean {
  if (command.roles.length === 0 || command.roles.includes('viewer')) return true;
  if (roles.includes('broadcaster')) return true;
  return command.roles.some((role) => roles.includes(role));
}

function remaining(lastAt: number | undefined, cooldownSeconds: number, now: number): number {
  if (lastAt === undefined || cooldownSeconds <= 0) return 0;
  return Math.max(0, lastAt + cooldownSeconds * 1000 - now);
}

function sweepExpired(lastReplyAt: Map<string, number>, commands: readonly CommandDefinition[], now: number): void {
  const longest = Math.max(0, ...commands.map((c) => Math.max(c.userCooldownSeconds, c.globalCooldownSeconds)));
  for (const [key, at] of lastReplyAt) if (now - at >= longest * 1000) lastReplyAt.delete(key);
}

function detail(event: Readonly<Envelope>, key: string): string | number | undefined {
  const value = event.details?.[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length > 0) return value.slice(0, 100);
  return undefined;
}

function templateVarsFor(
  event: Readonly<Envelope>,
  match: CommandMatch,
  commands: readonly CommandDefinition[],
  roles: readonly Role[],
): TemplateVars {
  const external = event.identity.external;
  const vars: TemplateVars = {
    user: external.displayName,
    login: external.login,
    channel: event.ingress.channel,
    args: match.args,
    target: targetOf(event.message?.text ?? '', match.argList[0], external.displayName),
    count: event.identity.user?.messageCount,
    months: detail(event, 'months'),
    bits: detail(event, 'bits'),
    viewers: detail(event, 'viewers'),
    gifts: detail(event, 'gifts'),
    type: event.type,
    commands: commands
      .filter((command) => command.enabled && mayRun(command, roles))
      .flatMap((command) =>
        command.trigger.kind === 'exact' || command.trigger.kind === 'prefix' ? [command.trigger.text.trim()] : [],
      )
      .join(' '),
  };
  match.argList.slice(0, 9).forEach((value, index) => {
    vars[`arg${index + 1}` as keyof TemplateVars] = value;
  });
  return vars;
}
