/**
 * Discord: the streamer's settings (a server, its channels, the role mapping, where "going live" is
 * announced) and what the host tells the ingress and egress workers over their control lines. The bot
 * token is a secret: the host keeps it in the secret store and hands it to workers in memory only.
 */
import { z } from 'zod';
import { RoleSchema } from '../envelope.js';
import { SERVICE_IDS } from '../service.js';

/** The id the Discord connector reports its health under (the console looks it up by this). */
export const DISCORD_CONNECTOR_ID = SERVICE_IDS.discord;

export const DiscordIdSchema = z.string().regex(/^\d{1,25}$/, 'must be a Discord id (digits)');
const OptionalId = z.union([DiscordIdSchema, z.literal('')]);

/** Discord role id or role name → BitBrat role, e.g. `{"Mods": "moderator", "VIP": "vip"}`. */
export const DiscordRoleMapSchema = z.record(z.string().min(1).max(100), RoleSchema);
export type DiscordRoleMap = z.infer<typeof DiscordRoleMapSchema>;

export const DiscordSettingsSchema = z.object({
  /** The server (guild) to read; empty: Discord is off even with a token. */
  guildId: OptionalId.default(''),
  /** Channels whose messages become events; replies go back to the channel they came from. */
  channelIds: z.array(DiscordIdSchema).max(50).default([]),
  roleMap: DiscordRoleMapSchema.default({}),
  /** Where cross-posts go (rules that send non-Discord events to the `discord` service, e.g. going live). */
  announceChannelId: OptionalId.default(''),
});
export type DiscordSettings = z.infer<typeof DiscordSettingsSchema>;
export const DEFAULT_DISCORD_SETTINGS: DiscordSettings = {
  guildId: '',
  channelIds: [],
  roleMap: {},
  announceChannelId: '',
};

export interface DiscordWorkerConfig {
  token: string;
  settings: DiscordSettings;
  /** REST base (`…/api`); null is Discord's. Tests point it at a local server. */
  apiUrl: string | null;
}

/** Overrides Discord's REST base (the gateway url is what GET /gateway/bot answers there). */
export const DISCORD_API_URL_ENV = 'BITBRAT_DISCORD_API_URL';
