/**
 * Discord in: the real discord.js client on the gateway (Identify, heartbeats, Resume, reconnects: all
 * the library's). Messages come from its `raw` event — the gateway packet before discord.js builds its
 * classes — and are normalized by discord-normalize.ts, the code `bitbrat replay --format discord` runs.
 * Only the chosen server and channels feed the pipeline. Role names come from discord.js's guild cache
 * (GUILD_CREATE), so the streamer's mapping can name roles ("Mods") or give their ids.
 *
 * Health is honest: `connected` once READY (or RESUMED), `reconnecting` while the library resumes or
 * re-identifies, `failed` with the reason when Discord will not have us: an invalid token (close 4004 /
 * 401 on GET /gateway/bot) or a privileged intent the application was not granted (close 4014), naming
 * the intent and where to turn it on. The token lives in memory only and never reaches a log line.
 */
import type { Client, ClientOptions } from 'discord.js';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import type { InboundConnector, IngressSink } from '../connector.js';
import type { DiscordRoleMap } from '../../../core/protocol/discord.js';
import { DISCORD_CONNECTOR, normalizeDiscordMessage } from './discord-normalize.js';

export interface DiscordConnectorOptions {
  token: string;
  guildId: string;
  /** Channel ids whose messages become events; empty: none (the streamer must choose). */
  channelIds: readonly string[];
  roleMap: DiscordRoleMap;
  /** REST base (`…/api`); default Discord's. The gateway url comes from GET /gateway/bot. */
  apiUrl?: string;
  now?: () => number;
  onState?: (health: ConnectorHealth) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Discord's close codes that end the session for good (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
const AUTHENTICATION_FAILED = 4004;
const DISALLOWED_INTENTS = 4014;
const INVALID_INTENTS = 4013;

/**
 * Guilds + GuildMessages deliver MESSAGE_CREATE in servers; MessageContent (privileged) fills in its
 * `content`. The one privileged intent we ask for is the one a 4014 means.
 */
const PRIVILEGED_INTENT = 'Message Content';

export class DiscordConnector implements InboundConnector {
  readonly id = DISCORD_CONNECTOR;
  private client: Client | null = null;
  private state: ConnectorHealth['state'] = 'idle';
  private detail: string | null = null;
  private lastEventAt: number | null = null;
  private readonly channels: Set<string>;
  private readonly now: () => number;
  readonly stats = { accepted: 0, rejected: 0, ignored: 0, resumed: 0, readies: 0 };

  constructor(private readonly options: DiscordConnectorOptions) {
    this.channels = new Set(options.channelIds);
    this.now = options.now ?? Date.now;
  }

  async start(sink: IngressSink): Promise<void> {
    if (this.client) throw new Error('discord connector already started');
    // Imported on first use: discord.js is large and only the ingress worker with Discord linked needs it.
    // discord.js is CommonJS: in the role bundles (code splitting) its chunk exports the module as
    // `default` only; run from source, Node also gives the named exports. Take whichever holds them.
    const loaded = await import('discord.js');
    const { Client, Events, GatewayIntentBits } = (loaded as { default?: typeof loaded }).default ?? loaded;
    const clientOptions: ClientOptions = {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      ...(this.options.apiUrl ? { rest: { api: this.options.apiUrl } } : {}),
    };
    const client = new Client(clientOptions);
    this.client = client;
    const log = this.options.log ?? (() => undefined);

    client.on(Events.Raw, (packet: { t?: unknown; d?: unknown }) => {
      if (packet.t === 'MESSAGE_CREATE') this.onMessage(packet.d, sink);
    });
    // ShardReady, not ClientReady: it fires again after a fresh Identify (Invalid Session), ClientReady once.
    client.on(Events.ShardReady, () => {
      this.stats.readies += 1;
      this.setState('connected', this.summary());
    });
    client.on(Events.ShardResume, () => {
      this.stats.resumed += 1;
      this.setState('connected', this.summary());
    });
    client.on(Events.ShardReconnecting, () => this.setState('reconnecting', 'gateway connection lost; resuming'));
    client.on(Events.ShardDisconnect, (event: { code: number }) => {
      this.setState('failed', closeReason(event.code));
      log('warn', `discord: ${closeReason(event.code)}`);
    });
    client.on(Events.ShardError, (error: Error) => log('warn', `discord gateway error: ${error.message}`));
    client.on(Events.Error, (error: Error) => log('warn', `discord client error: ${error.message}`));

    this.setState('reconnecting', 'connecting to the Discord gateway');
    try {
      await client.login(this.options.token);
    } catch (error) {
      const reason = loginFailure(error);
      this.setState('failed', reason);
      log('warn', `discord: ${reason}`);
      // The client stays stopped: a new token (a new connector) is the only cure.
      await client.destroy().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.destroy().catch(() => undefined);
    this.setState('idle', 'stopped');
  }

  health(): ConnectorHealth {
    return { id: this.id, state: this.state, lastEventAt: this.lastEventAt, detail: this.detail };
  }

  /** The name of a role in the chosen server, from discord.js's cache. */
  private roleName(guildId: string, roleId: string): string | undefined {
    return this.client?.guilds.cache.get(guildId)?.roles.cache.get(roleId)?.name;
  }

  private onMessage(data: unknown, sink: IngressSink): void {
    const fields = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    if (fields['guild_id'] !== this.options.guildId || !this.channels.has(String(fields['channel_id']))) {
      this.stats.ignored += 1;
      return;
    }
    const result = normalizeDiscordMessage(data, {
      roleMap: this.options.roleMap,
      roleName: (guildId, roleId) => this.roleName(guildId, roleId),
    });
    if (!result.ok) {
      this.stats.ignored += 1;
      if (!result.notAnEvent) this.options.log?.('warn', `discord message dropped: ${result.error}`);
      return;
    }
    const submitted = sink.accept(result.event, JSON.stringify(data).slice(0, 100_000));
    if (submitted.ok) {
      this.stats.accepted += 1;
      this.lastEventAt = this.now();
    } else {
      this.stats.rejected += 1;
    }
  }

  private summary(): string {
    const guild = this.client?.guilds.cache.get(this.options.guildId);
    const where = guild ? `server ${guild.name}` : `server ${this.options.guildId} (not joined yet)`;
    return `${where}; ${this.channels.size} channel(s)${this.stats.resumed > 0 ? `; resumed ${this.stats.resumed}×` : ''}`;
  }

  private setState(state: ConnectorHealth['state'], detail: string | null): void {
    const changed = state !== this.state || detail !== this.detail;
    this.state = state;
    this.detail = detail;
    if (changed) this.options.onState?.(this.health());
  }
}

function closeReason(code: number): string {
  if (code === AUTHENTICATION_FAILED)
    return 'invalid token: Discord refused the bot token (close 4004); paste a new one';
  if (code === DISALLOWED_INTENTS) {
    return `missing intent: ${PRIVILEGED_INTENT} is not enabled for this application (close 4014); turn it on in the Developer Portal → Bot → Privileged Gateway Intents`;
  }
  if (code === INVALID_INTENTS) return 'invalid intents (close 4013)';
  return `Discord closed the gateway for good (close ${code})`;
}

function loginFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'TokenInvalid' || /401|invalid token/i.test(message)) {
    return 'invalid token: Discord refused the bot token; paste a new one';
  }
  if (code === 'DisallowedIntents' || /intent/i.test(message)) return closeReason(DISALLOWED_INTENTS);
  return `could not connect to Discord: ${message.slice(0, 200)}`;
}
