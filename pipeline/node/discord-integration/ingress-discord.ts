/**
 * The ingress worker's Discord connector, driven by what the host pushes on the control line: started
 * when a token and a server are set, restarted when either (or the channels, the role mapping) changes,
 * stopped on null. A failed connector (invalid token, missing intent) stays failed until a new config.
 */
import type { DiscordWorkerConfig } from '../../core/protocol/discord.js';
import type { InboundConnector } from '../connectors/connector.js';
import { DiscordConnector } from '../connectors/discord/discord-connector.js';
import { DISCORD_CONNECTOR } from '../connectors/discord/discord-normalize.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export class DiscordIngress {
  private key: string | null = null;
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      startConnector(connector: InboundConnector): Promise<void>;
      stopConnector(id: string): Promise<void>;
      log: Log;
    },
  ) {}

  apply(config: DiscordWorkerConfig | null): Promise<void> {
    const next = this.applying.then(() => this.applyNow(config));
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async applyNow(config: DiscordWorkerConfig | null): Promise<void> {
    const key = config ? JSON.stringify([config.token, config.settings, config.apiUrl]) : null;
    if (key === this.key) return;
    this.key = key;
    await this.deps.stopConnector(DISCORD_CONNECTOR);
    if (!config) return;
    await this.deps.startConnector(
      new DiscordConnector({
        token: config.token,
        guildId: config.settings.guildId,
        channelIds: config.settings.channelIds,
        roleMap: config.settings.roleMap,
        ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
        log: (level, message) => this.deps.log(level, message),
      }),
    );
  }
}
