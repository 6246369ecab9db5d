/**
 * How Discord runs in the app: the host reads the bot token from the secret store (never SQLite, never a
 * log line) and the `discord` setting, and tells the ingress worker (discord.js on the gateway) and the
 * egress worker (REST) over their control lines. Off until both a token and a server are set, and always
 * off in a replay.
 */
import type { DiscordWorkerConfig } from '../../core/protocol/discord.js';
import { DISCORD_API_URL_ENV } from '../../core/protocol/discord.js';
import type { Settings } from '../../core/host-api.js';
import { SECRET_NAMES, type SecretStore } from '../twitch-integration/secret-store.js';

export interface DiscordLinkOptions {
  secrets: SecretStore;
  settings(): Settings;
  /** false: never connect (replay). */
  enabled: boolean;
  /** REST base override (tests); else BITBRAT_DISCORD_API_URL; else Discord's. */
  apiUrl?: string;
  publish(config: DiscordWorkerConfig | null): Promise<void>;
}

export class DiscordLink {
  constructor(private readonly options: DiscordLinkOptions) {}

  async workerConfig(): Promise<DiscordWorkerConfig | null> {
    if (!this.options.enabled) return null;
    const settings = this.options.settings().discord;
    if (!settings.guildId) return null;
    const token = await this.options.secrets.get(SECRET_NAMES.discordToken);
    if (!token) return null;
    const apiUrl = this.options.apiUrl ?? process.env[DISCORD_API_URL_ENV]?.trim() ?? null;
    return { token, settings, apiUrl: apiUrl || null };
  }

  async republish(): Promise<void> {
    await this.options.publish(await this.workerConfig());
  }

  /** Stores (or, empty, removes) the bot token and reconnects with it. */
  async setToken(token: string): Promise<{ ok: boolean; message: string }> {
    try {
      if (token) await this.options.secrets.set(SECRET_NAMES.discordToken, token);
      else await this.options.secrets.delete(SECRET_NAMES.discordToken);
    } catch (error) {
      return {
        ok: false,
        message: `could not store the token: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    await this.republish();
    const ready = this.options.settings().discord.guildId !== '';
    return {
      ok: true,
      message: token
        ? `Discord bot token stored in the secret store${ready ? '' : '; choose a server to connect'}`
        : 'Discord bot token removed',
    };
  }
}
