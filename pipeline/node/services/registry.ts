/**
 * Which services run in which phase worker. The router checks slips against this list, so a rule
 * that names a service nobody runs is dead-lettered with a clear reason instead of hanging.
 */
import type { WorkerPhase } from '../../core/envelope.js';
import { SERVICE_IDS } from '../../core/service.js';

export const PHASE_SERVICE_IDS: Record<WorkerPhase, readonly string[]> = {
  enrichment: [SERVICE_IDS.auth, SERVICE_IDS.queryAnalyzer],
  reaction: [
    SERVICE_IDS.counters,
    SERVICE_IDS.quotes,
    SERVICE_IDS.timers,
    SERVICE_IDS.welcome,
    SERVICE_IDS.shoutout,
    SERVICE_IDS.giveaways,
    SERVICE_IDS.overlayAlerts,
    SERVICE_IDS.obs,
    SERVICE_IDS.commands,
    SERVICE_IDS.llmBot,
  ],
  egress: [
    SERVICE_IDS.console,
    SERVICE_IDS.gatewayClients,
    SERVICE_IDS.webhook,
    SERVICE_IDS.twitchChat,
    SERVICE_IDS.discord,
  ],
};

export function serviceSets(): Record<WorkerPhase, ReadonlySet<string>> {
  return {
    enrichment: new Set(PHASE_SERVICE_IDS.enrichment),
    reaction: new Set(PHASE_SERVICE_IDS.reaction),
    egress: new Set(PHASE_SERVICE_IDS.egress),
  };
}
