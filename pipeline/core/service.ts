/**
 * The one small interface every pipeline service implements (auth, commands, query-analyzer,
 * llm-bot, console delivery, Twitch chat out, ...). A service is registered for one phase and
 * runs in that phase's worker; it gets what it needs through its factory (plain dependency
 * injection), and per-step context through `StepContext`.
 *
 * A service never changes the envelope itself: it returns a `StepOutcome` that the phase worker
 * applies, so a failed or cancelled step leaves no half-written event behind.
 */
import type { Annotation, Candidate, DeliveryReport, Envelope, UserRecord, WorkerPhase } from './envelope.js';

export type { DeliveryReport } from './envelope.js';

/**
 * Every service id, written once: the services name themselves with these, the phase registry
 * (pipeline/node/services/registry.ts) lists them per phase, and the default rules put them on slips.
 * Egress service ids are also the connector names their deliveries report.
 */
export const SERVICE_IDS = {
  auth: 'auth',
  queryAnalyzer: 'query-analyzer',
  counters: 'counters',
  quotes: 'quotes',
  timers: 'timers',
  welcome: 'welcome',
  shoutout: 'shoutout',
  giveaways: 'giveaways',
  overlayAlerts: 'overlay-alerts',
  obs: 'obs',
  commands: 'commands',
  llmBot: 'llm-bot',
  console: 'console',
  gatewayClients: 'gateway-clients',
  webhook: 'webhook',
  twitchChat: 'twitch-chat',
  discord: 'discord',
} as const;
export type ServiceId = (typeof SERVICE_IDS)[keyof typeof SERVICE_IDS];

export interface StepContext {
  /** Aborted when a moderator rejects the reply or the approval expires: stop work (LLM calls). */
  readonly signal: AbortSignal;
  readonly attempt: number;
  readonly now: () => number;
  /** Persona and task chosen by the reaction rule. */
  readonly reaction?: { ruleId: string; persona?: string; prompt?: string; hint?: string };
}

export interface StepOutcome {
  status: 'OK' | 'SKIP';
  notes?: string[];
  annotations?: Annotation[];
  candidates?: Candidate[];
  user?: UserRecord;
  /** Egress only: what was delivered where (or why it was dropped). */
  delivery?: DeliveryReport;
}

/** Thrown by a service to fail a step. Retryable failures run again until `maxAttempts`. */
export class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export interface Service {
  readonly id: string;
  readonly phase: WorkerPhase;
  run(event: Readonly<Envelope>, context: StepContext): StepOutcome | Promise<StepOutcome>;
  /** Called once at shutdown (close sockets, flush caches). */
  close?(): void | Promise<void>;
}
