/**
 * The HostApi, joined from one handler map per domain. Each map is typed `Pick<HostApi, …>` of its
 * own methods, so a handler for a method the HostApi does not have fails to compile; the joined
 * object is checked against `HostApi`, so a method without a handler fails to compile too; and a
 * method two maps both handle is refused when the host starts (`joinHandlerMaps`).
 */
import type { HostApi } from '../../../core/host-api.js';
import { createAlertApi } from '../../alerts/alert-api.js';
import type { DiscordLink } from '../../discord-integration/discord-link.js';
import { createFeatureApi } from '../../features/feature-api.js';
import { createFeatureReader } from '../../features/feature-reader.js';
import { createGiveawayReader } from '../../features/giveaway-store.js';
import type { LlmLimits } from '../../llm/limits.js';
import type { LlmMemory } from '../../llm/memory.js';
import type { PersonaStore } from '../../llm/personas.js';
import type { ReadDb } from '../../store/database.js';
import type { TwitchIntegration } from '../../twitch-integration/twitch-accounts.js';
import type { WorkerSupervisor } from '../worker-supervisor.js';
import { createApprovalsApi } from './approvals-api.js';
import { createConnectionsApi } from './connections-api.js';
import { createEventsApi } from './events-api.js';
import { createGatewayAdminApi, type GatewayAdmin } from './gateway-admin-api.js';
import type { HostApiDeps } from './host-api-deps.js';
import { createLlmApi } from './llm-api.js';
import { createModerationApi } from './moderation-api.js';
import { createRulesApi } from './rules-api.js';
import { afterSettingsChange, createSettingsApi } from './settings-api.js';
import { createStatusApi } from './status-api.js';

export interface HostApiParts extends HostApiDeps {
  dataDir: string;
  dbPath: string;
  startedAt: number;
  /** The host's second read-only connection (features, giveaways, LLM stores, backups). */
  db: ReadDb;
  llm: { personas: PersonaStore; memory: LlmMemory; limits: LlmLimits };
  twitch: TwitchIntegration;
  discord: DiscordLink;
  workers: Pick<WorkerSupervisor, 'health'>;
  /** The gateway's admin handlers once it runs (`PipelineHost.attachGatewayAdmin`). */
  gatewayAdmin(): GatewayAdmin | undefined;
}

export function createHostApi(parts: HostApiParts): HostApi {
  const { reader, workerConfig } = parts;
  const settings = createSettingsApi(parts);
  return joinHandlerMaps(
    createEventsApi(parts),
    createApprovalsApi(parts),
    createRulesApi(parts),
    settings,
    createStatusApi(parts),
    createModerationApi({ ...parts, setSetting: settings['settings.set'] }),
    createConnectionsApi(parts),
    createLlmApi({ ...parts, ...parts.llm }),
    createGatewayAdminApi(parts.gatewayAdmin),
    // Counters, quotes ... (issue 14), on the host's read connection.
    createFeatureApi({
      reader: createFeatureReader(parts.db),
      giveaways: createGiveawayReader(parts.db),
      commit: parts.write,
      backups: { dataDir: parts.dataDir, db: parts.db, keep: () => reader.loadSettings().backupsKept },
      config: {
        sources: {
          rules: () => reader.loadRules(),
          commands: () => reader.loadCommands(),
          personas: () => parts.llm.personas.list(),
          settings: () => reader.loadSettings(),
        },
        // Every worker picks up the imported rules, commands and settings at once, and the
        // connections whose settings were imported their new config (as settings.set does).
        afterImport: async (ops) => {
          await Promise.all([workerConfig.reloadRules(), workerConfig.reloadCommands()]);
          await afterSettingsChange(
            parts,
            ops.flatMap((op) => (op.op === 'setting.set' ? [op.key] : [])),
          );
        },
      },
    }),
    // Overlay alerts: sounds in the data folder, test alerts through the pipeline (alerts.ts).
    createAlertApi({ dataDir: parts.dataDir, submit: parts.submit }),
  );
}

/** Every map's methods in one type: the intersection of the maps. */
type Joined<Maps extends object[]> = (
  Maps[number] extends infer M ? (M extends unknown ? (m: M) => void : never) : never
) extends (m: infer All) => void
  ? All
  : never;

/** One object of every map's handlers; a method in two maps is a wiring mistake, refused at once. */
export function joinHandlerMaps<Maps extends object[]>(...maps: Maps): Joined<Maps> {
  const joined: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [method, handler] of Object.entries(map)) {
      if (Object.hasOwn(joined, method)) throw new Error(`two HostApi handler maps both handle "${method}"`);
      joined[method] = handler;
    }
  }
  return joined as Joined<Maps>;
}
