/**
 * The Discord settings form as strings (what inputs hold) and back, validated with the same
 * DiscordSettingsSchema the host parses with: an error is keyed by the field it belongs to
 * (`guildId`, `channelIds.1`, `roleMap.0`), so the form shows it beside that input. The bot token
 * is not here: it goes to the host's secret store on its own and is never read back.
 */
import { DiscordSettingsSchema, type DiscordSettings } from '../../pipeline/core/protocol/discord.js';
import type { Role } from '../../pipeline/core/envelope.js';

export interface RoleRow {
  /** A Discord role id or role name. */
  discordRole: string;
  role: Role;
}

export interface DiscordDraft {
  guildId: string;
  /** One channel id per line (commas and spaces also separate). */
  channelIds: string;
  roles: RoleRow[];
  announceChannelId: string;
}

export type DiscordDraftResult = { ok: true; value: DiscordSettings } | { ok: false; errors: Record<string, string> };

export function toDiscordDraft(settings: DiscordSettings): DiscordDraft {
  return {
    guildId: settings.guildId,
    channelIds: settings.channelIds.join('\n'),
    roles: Object.entries(settings.roleMap).map(([discordRole, role]) => ({ discordRole, role })),
    announceChannelId: settings.announceChannelId,
  };
}

export function splitChannelIds(text: string): string[] {
  return text.split(/[\s,]+/).filter((part) => part.length > 0);
}

export function fromDiscordDraft(draft: DiscordDraft): DiscordDraftResult {
  const errors: Record<string, string> = {};
  const roleMap: Record<string, Role> = {};
  draft.roles.forEach((row, index) => {
    const name = row.discordRole.trim();
    if (!name) errors[`roleMap.${index}`] = 'name the Discord role (its id or its name)';
    else if (name in roleMap) errors[`roleMap.${index}`] = `${name} is mapped twice`;
    else roleMap[name] = row.role;
  });
  const channelIds = splitChannelIds(draft.channelIds);
  const parsed = DiscordSettingsSchema.safeParse({
    guildId: draft.guildId.trim(),
    channelIds,
    roleMap,
    announceChannelId: draft.announceChannelId.trim(),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, at] = issue.path.map(String);
      if (field === 'channelIds' && at !== undefined)
        errors.channelIds ??= `${channelIds[Number(at)]}: ${issue.message}`;
      else if (field === 'roleMap' && at !== undefined) {
        const index = draft.roles.findIndex((row) => row.discordRole.trim() === at);
        errors[`roleMap.${index}`] ??= issue.message;
      } else if (field) errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}
