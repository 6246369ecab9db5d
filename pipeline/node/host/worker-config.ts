/**
 * What the host tells workers over their control lines: configuration the workers keep in memory
 * only (Twitch and Discord config with their tokens, the LLM API key, OBS), and "reload" after a
 * change on disk. The host pushes these at start, after a settings change, and again to a worker
 * that was restarted (it lost them).
 */
import type { DiscordWorkerConfig } from '../../core/protocol/discord.js';
import type { TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import type { StoreReader } from '../store/reader.js';
import { SECRET_NAMES, type SecretStore } from '../twitch-integration/secret-store.js';
import type { HostLog } from './pipeline-host.js';
import type { WorkerSupervisor } from './worker-supervisor.js';

/** Twitch config calls wait for the bot to connect and join (tmi.js, up to 10 s) before answering. */
const TWITCH_CONFIG_TIMEOUT_MS = 30_000;

/** The workers that read settings, so pick a change up at once (the bot name, the expiry default). */
const SETTINGS_READERS = ['router', 'enrichment', 'reaction', 'egress'] as const;

export interface WorkerConfig {
  /** Tells the ingress, egress and/or reaction worker the Twitch config (each answers once it is set up). */
  twitch(roles: readonly ('ingress' | 'egress' | 'reaction')[], config: TwitchWorkerConfig | null): Promise<void>;
  /** Tells the ingress and/or egress worker the Discord config (null: Discord off). */
  discord(roles: readonly ('ingress' | 'egress')[], config: DiscordWorkerConfig | null): Promise<void>;
  /** The reaction worker's OBS connection: the address from the settings, the password from the secret store. */
  obs(): Promise<void>;
  /**
   * The llm-bot (reaction) and the analyzer's optional classification (enrichment) get the stored
   * API key (memory only).
   */
  llmApiKey(roles?: readonly ('reaction' | 'enrichment')[]): Promise<void>;
  reloadRules(): Promise<void>;
  reloadCommands(): Promise<void>;
  reloadSettings(): Promise<void>;
}

export function createWorkerConfig(deps: {
  supervisor: Pick<WorkerSupervisor, 'control'>;
  reader: Pick<StoreReader, 'loadSettings'>;
  secrets: SecretStore;
  log: HostLog;
}): WorkerConfig {
  const { supervisor, log } = deps;
  return {
    async twitch(roles, config) {
      await Promise.all(
        roles.map((role) => supervisor.control(role).call('twitch', config, { timeoutMs: TWITCH_CONFIG_TIMEOUT_MS })),
      );
    },
    async discord(roles, config) {
      await Promise.all(
        roles.map((role) => supervisor.control(role).call('discord', config, { timeoutMs: TWITCH_CONFIG_TIMEOUT_MS })),
      );
    },
    async obs() {
      const settings = deps.reader.loadSettings().obs;
      let password: string | null = null;
      try {
        password = await deps.secrets.get(SECRET_NAMES.obsPassword);
      } catch (error) {
        log('error', 'could not read the OBS password from the secret store', { error: String(error) });
      }
      // The connection attempt may take a while: the host does not wait for OBS.
      void supervisor
        .control('reaction')
        .call('obs', settings.enabled ? { url: settings.url, password } : null)
        .catch((error: unknown) => log('warn', 'could not configure OBS control', { error: String(error) }));
    },
    async llmApiKey(roles = ['reaction', 'enrichment']) {
      let apiKey: string | null = null;
      try {
        apiKey = await deps.secrets.get(SECRET_NAMES.llmApiKey);
      } catch (error) {
        log('error', 'could not read the LLM API key from the secret store', { error: String(error) });
      }
      await Promise.all(roles.map((role) => supervisor.control(role).call('llmApiKey', { apiKey })));
    },
    async reloadRules() {
      await supervisor.control('router').call('reload', { what: 'rules' });
    },
    async reloadCommands() {
      await supervisor.control('reaction').call('reloadCommands', undefined);
    },
    async reloadSettings() {
      await Promise.all(SETTINGS_READERS.map((role) => supervisor.control(role).call('reload', { what: 'settings' })));
    },
  };
}
