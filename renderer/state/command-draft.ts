/**
 * A command as the form holds it (strings for what the moderator types), its conversion back with
 * the same `checkCommand` the host saves with, and the live preview: does a sample chat line run it,
 * and what would the bot answer.
 */
import {
  checkCommand,
  checkRegex,
  matchChatTrigger,
  renderTemplate,
  type CommandCheck,
  type TemplateVars,
} from '../../pipeline/core/commands.js';
import type { CommandDefinition } from '../../pipeline/core/protocol/store.js';
import { KnownEventTypes } from '../../pipeline/core/envelope.js';

export type TriggerKind = CommandDefinition['trigger']['kind'];

export interface CommandDraft {
  id: string;
  enabled: boolean;
  kind: TriggerKind;
  /** The text of an exact/prefix trigger, the pattern of a regex one, the event types (comma separated). */
  text: string;
  flags: string;
  template: string;
  roles: string[];
  userCooldownSeconds: string;
  globalCooldownSeconds: string;
}

export const NEW_COMMAND_DRAFT: CommandDraft = {
  id: '',
  enabled: true,
  kind: 'exact',
  text: '!',
  flags: '',
  template: 'Hello {user}!',
  roles: [],
  userCooldownSeconds: '10',
  globalCooldownSeconds: '2',
};

export function toCommandDraft(command: CommandDefinition): CommandDraft {
  const trigger = command.trigger;
  return {
    id: command.id,
    enabled: command.enabled,
    kind: trigger.kind,
    text:
      trigger.kind === 'event' ? trigger.types.join(', ') : trigger.kind === 'regex' ? trigger.pattern : trigger.text,
    flags: trigger.kind === 'regex' ? (trigger.flags ?? '') : '',
    template: command.template,
    roles: [...command.roles],
    userCooldownSeconds: String(command.userCooldownSeconds),
    globalCooldownSeconds: String(command.globalCooldownSeconds),
  };
}

const seconds = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** The command the draft describes, as plain data (what "advanced" shows as JSON). */
export function draftToInput(draft: CommandDraft): unknown {
  const trigger =
    draft.kind === 'event'
      ? {
          kind: 'event',
          types: draft.text
            .split(',')
            .map((type) => type.trim())
            .filter(Boolean),
        }
      : draft.kind === 'regex'
        ? { kind: 'regex', pattern: draft.text, ...(draft.flags ? { flags: draft.flags } : {}) }
        : { kind: draft.kind, text: draft.text };
  return {
    id: draft.id.trim(),
    enabled: draft.enabled,
    trigger,
    template: draft.template,
    roles: draft.roles,
    userCooldownSeconds: seconds(draft.userCooldownSeconds),
    globalCooldownSeconds: seconds(draft.globalCooldownSeconds),
  };
}

export function checkCommandDraft(draft: CommandDraft): CommandCheck {
  return checkCommand(draftToInput(draft));
}

export interface PreviewSample {
  text: string;
  user: string;
  channel: string;
}

export type Preview = { runs: true; reply: string } | { runs: false; why: string };

/** What the bot would answer to the sample chat line (chat triggers), or why it would not answer. */
export function previewCommand(command: CommandDefinition, sample: PreviewSample): Preview {
  const vars: TemplateVars = {
    user: sample.user,
    login: sample.user.toLowerCase(),
    channel: sample.channel,
    count: 12,
    months: 3,
    bits: 100,
    viewers: 42,
    gifts: 5,
    type: command.trigger.kind === 'event' ? (command.trigger.types[0] ?? '') : KnownEventTypes.chatMessage,
  };
  if (command.trigger.kind === 'event') {
    return { runs: true, reply: renderTemplate(command.template, vars) };
  }
  const match = matchChatTrigger(command.trigger, sample.text.trim(), (pattern, flags) => {
    const check = checkRegex(pattern, flags);
    return check.ok ? check.regex : undefined;
  });
  if (!match) return { runs: false, why: `"${sample.text}" does not run this trigger` };
  match.argList.slice(0, 9).forEach((value, index) => {
    vars[`arg${index + 1}` as keyof TemplateVars] = value;
  });
  return { runs: true, reply: renderTemplate(command.template, { ...vars, args: match.args }) };
}
