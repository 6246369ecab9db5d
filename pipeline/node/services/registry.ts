/**
 * Which services run in which phase worker. The router checks slips against this list, so a rule
 * that names a service nobody runs is dead-lettered with a clear reason instead of hanging.
 */
import type { WorkerPhase } from '../../core/envelope.js';

export const PHASE_SERVICE_IDS: Record<WorkerPhase, readonly string[]> = {
  enrichment: ['auth', 'query-analyzer'],
  reaction: [
    'counters',
    'quotes',
    'timers',
    'welcome',
    'shoutout',
    'giveaways',
    'overlay-alerts',
    'obs',
    'commands',
    'llm-bot',
  ],
  egress: ['console', 'gateway-clients', 'webhook', 'twitch-chat', 'discord'],
};

export function serviceSets(): Record<WorkerPhase, ReadonlySet<string>> {
  return {
    enrichment: new Set(PHASE_SERVICE_IDS.enrichment),
    reaction: new Set(PHASE_SERVICE_IDS.reaction),
    egress: new Set(PHASE_SERVICE_IDS.egress),
  };
}
