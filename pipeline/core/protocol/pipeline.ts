/**
 * Protocols between the pipeline workers (router ↔ ingress, router ↔ phase workers) and between
 * the host and each worker. Hot paths are pushes carrying arrays: a worker collects what it has
 * for one tick and sends it in one message, which is what makes thousands of events per second
 * cheap on a MessageChannel.
 */
import type { Approval, DecisionRequest, DecisionResult } from '../approval.js';
import type { GatewayDelivery } from '../client-protocol.js';
import type { OverlayAlert } from '../alerts.js';
import type { ObsWorkerConfig } from '../obs.js';
import {
  WORKER_PHASES,
  type Disposition,
  type Envelope,
  type Stage,
  type Step,
  type WorkerPhase,
} from '../envelope.js';
import type { DiscordWorkerConfig } from './discord.js';
import type { EventDelta } from '../event-log.js';
import type { StoreProtocol } from './store.js';
import type { TwitchAccountName, TwitchWorkerConfig } from './twitch.js';

export type WorkerRole = 'router' | 'ingress' | 'enrichment' | 'reaction' | 'egress' | 'store';

/**
 * A value carried across a port as its JSON text. A string crosses a MessagePort as one copy, where
 * an object graph is structured-cloned field by field on both sides (for an envelope several times
 * the cost of JSON); the brand keeps both ends agreeing on what the text holds.
 */
export type Json<T> = string & { readonly __json?: T };
export const toJson = <T>(value: T): Json<T> => JSON.stringify(value) as Json<T>;
export const fromJson = <T>(text: Json<T>): T => JSON.parse(text) as T;
/** Joins values that are each already JSON text into the text of their array (no re-serializing). */
export const jsonArray = <T>(items: readonly Json<T>[]): Json<T[]> => `[${items.join(',')}]` as Json<T[]>;

/**
 * The phase worker's work order: run the event's current slip. `event` holds the facts the phase's
 * services read (read-only): the router leaves out what none of them reads (the retired slips, the
 * rule decisions, the errors), so less crosses the port.
 */
export interface Dispatch {
  event: Envelope;
  /** Echoed in the result; a result whose ticket is stale (sent before a restart) is ignored. */
  ticket: number;
  /** Moderator's hint for a regenerate. */
  hint?: string;
}

/**
 * What a phase worker did with a dispatch: the slip as it left it and what the services added (a
 * delta, never the envelope back). The router applies it to the event it owns.
 */
export interface PhaseResult extends Pick<EventDelta, 'annotations' | 'candidates' | 'user' | 'errors'> {
  eventId: string;
  ticket: number;
  /** The slip after the run: the statuses, attempts, notes, errors and deliveries of its steps. */
  slip: Step[];
  /** When the worker took the event and when it finished the slip (for per-phase latency). */
  startedAt: number;
  endedAt: number;
}

/** Router → phase worker. */
export interface PhaseWorkerProtocol {
  requests: Record<string, never>;
  pushes: {
    dispatch: Json<Dispatch[]>;
    /** Stop work on these events (the reply was rejected or expired). */
    cancel: string[];
  };
}

/** Phase worker / ingress → router. */
export interface RouterPortProtocol {
  requests: Record<string, never>;
  pushes: {
    completed: Json<PhaseResult[]>;
    /** Ingress: events accepted at the boundary, already committed to the store (the JSON ingress stored). */
    accepted: Json<Envelope[]>;
  };
}

/**
 * Router → ingress: flow control. The router reports how many events settled (ended, or were held
 * for a moderator: a held reply waits on a person, not on the pipeline, so it gives its credit back
 * when it is parked) so ingress can keep the number in flight bounded under a flood.
 */
export interface IngressPortProtocol {
  requests: Record<string, never>;
  pushes: { settled: number };
}

/** A compact view of an event for the live feed; the full envelope is read from SQLite on demand. */
export interface EventSummary {
  id: string;
  type: string;
  at: number;
  channel: string;
  connector: string;
  login: string;
  displayName: string;
  roles: string[];
  text: string | null;
  /** What a non-chat event was, in words ("raided with 187 viewers"); see `eventHeadline`. */
  headline?: string;
  stage: Stage;
  disposition: Disposition | null;
  reason: string | null;
  reply: string | null;
  /** Milliseconds spent in each phase so far. */
  phaseMs: Partial<Record<WorkerPhase | 'approval' | 'router', number>>;
  updatedAt: number;
}

export interface PhaseStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PipelineStats {
  since: number;
  accepted: number;
  rejected: number;
  inFlight: number;
  held: number;
  dispositions: Record<Disposition, number>;
  phases: Record<WorkerPhase | 'router', PhaseStats>;
  /** Ingress → terminal latency of events that ended `replied`. */
  endToEnd: PhaseStats;
  /** The same replies without the time they waited for a moderator: what the pipeline itself took. */
  pipelineLatency?: PhaseStats;
  /** How long replies that were held waited for a moderator's decision (human time). */
  approvalWait?: PhaseStats;
  queueDepths: Record<WorkerPhase, number>;
}

export type WorkerState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface WorkerHealth {
  role: WorkerRole;
  state: WorkerState;
  restarts: number;
  lastError: string | null;
  lastPongAt: number | null;
}

export interface ConnectorHealth {
  id: string;
  state: 'connected' | 'reconnecting' | 'failed' | 'idle';
  lastEventAt: number | null;
  detail: string | null;
}

export interface WorkerInit {
  role: WorkerRole;
  dataDir: string;
  dbPath: string;
  /** `bitbrat serve --demo`: bot mentions get the labelled scripted responder instead of an LLM. */
  demo: boolean;
  /** Ingress flow control: events in the router's hands before new ones wait (default 2,000; tests set it small). */
  highWater?: number;
}

/** What `bitbrat bench` feeds: every event a replying `!bench` command, or a channel's realistic mix. */
export type BenchWorkload = 'commands' | 'mix';

export interface LoadParams {
  workload: BenchWorkload;
  /** Events per second on a fixed schedule (open loop); 0 = as fast as the pipeline takes them. */
  ratePerSecond: number;
  durationMs: number;
  /**
   * Event i is due at startAt + i / rate, in epoch milliseconds with sub-millisecond precision
   * (performance.timeOrigin + performance.now()); the bench measures latency from that moment.
   */
  startAt: number;
  /** 8 hex digits: the run's prefix in the event ids (`benchEventId`). */
  runId: string;
}

export interface LoadResult {
  /** Events whose scheduled time fell inside the run. */
  scheduled: number;
  accepted: number;
  /** Refused by ingress (its backlog was full): they count as lost, never as fast. */
  refused: number;
  /** When the last event was handed to ingress (same clock as startAt). */
  lastSentAt: number;
}

export interface WorkerThreadInfo {
  /** Linux thread id (/proc/thread-self), null elsewhere. */
  tid: number | null;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

/** What every worker answers on its control line, whatever its role. */
export type EveryRoleRequests = {
  ping(): number;
  /** Finish in-flight work, then resolve. The host stops workers in order after this. */
  drain(): void;
  /** Its OS thread id and V8 heap, so `bitbrat bench` can attribute CPU and memory by role. */
  threadInfo(): WorkerThreadInfo;
};

/** Settings changed on disk: every worker that reads them reloads (the router reloads rules as well). */
type ReloadSettings = { reload(params: { what: 'settings' }): void };
/** The Twitch channel and accounts (tokens in memory only); null turns Twitch off. */
type TwitchConfigRequest = { twitch(params: TwitchWorkerConfig | null): void };
/** The Discord bot token (memory only) and settings; null turns Discord off. */
type DiscordConfigRequest = { discord(params: DiscordWorkerConfig | null): void };
/** The LLM API key from the host's secret store (in memory only; null: none stored). */
type LlmApiKeyRequest = { llmApiKey(params: { apiKey: string | null }): void };

export type RouterControlRequests = EveryRoleRequests & {
  /** Resume non-terminal events from disk. */
  resume(): number;
  /** A phase worker was restarted; its in-flight events are re-dispatched. */
  phaseRestarted(params: { phase: WorkerPhase }): number;
  /** Rules or settings changed on disk; reload them. */
  reload(params: { what: 'rules' | 'settings' }): void;
  decide(request: DecisionRequest): DecisionResult;
  /** Re-route an event from a stage (`reaction` re-runs the reaction, `egress` re-sends). */
  reroute(params: { eventId: string; stage: 'enrichment' | 'reaction'; hint?: string; moderator: string }): {
    ok: boolean;
    message: string;
  };
  stats(): PipelineStats;
};

export type IngressControlRequests = EveryRoleRequests &
  TwitchConfigRequest &
  DiscordConfigRequest & {
    /** Parse and accept raw events from the host (replay, gateway, tests); answers after the commit. */
    submit(params: { connector: string; items: unknown[] }): SubmitResult[];
    /**
     * Parses raw input lines of a replay format (`irc`: Twitch IRC through tmi.js's parser) into
     * inbound events, so bulk parsing runs on the ingress worker, not the host's thread.
     */
    parse(params: { format: ReplayWorkerFormat; lines: string[] }): LineParseResult[];
    /** Connectors' state. */
    connectors(): ConnectorHealth[];
    /** Start or stop the demo source. */
    demo(params: { ratePerSecond: number; scripted: boolean; live?: boolean } | null): void;
    /** A synthetic load for `bitbrat bench` generated inside the ingress worker. */
    load(params: LoadParams): LoadResult;
    /** Checks the timers now; the ids of those that fired (tests; they also tick by themselves). */
    tickTimers(): string[];
  };

/** Enrichment: the analyzer's optional LLM classification holds the key. */
export type EnrichmentControlRequests = EveryRoleRequests & ReloadSettings & LlmApiKeyRequest;

/** Reaction: commands, the llm-bot, Helix with the broadcaster's token, OBS. */
export type ReactionControlRequests = EveryRoleRequests &
  ReloadSettings &
  LlmApiKeyRequest &
  TwitchConfigRequest & {
    /** Commands changed on disk; reload them. */
    reloadCommands(): void;
    /** The OBS address and password (memory only); null turns OBS control off. */
    obs(params: ObsWorkerConfig | null): void;
    /** The OBS connection's state, for the connectors list. */
    obsHealth(): ConnectorHealth[];
  };

/** Egress: the bot's Twitch chat and Discord connections. */
export type EgressControlRequests = EveryRoleRequests & ReloadSettings & TwitchConfigRequest & DiscordConfigRequest;

/** The store worker serves the store protocol on its control line as well. */
export type StoreControlRequests = EveryRoleRequests & StoreProtocol['requests'];

/** What the host may ask each worker role on its control line; the host pushes nothing to a worker. */
export interface RoleProtocol {
  router: { requests: RouterControlRequests; pushes: Record<string, never> };
  ingress: { requests: IngressControlRequests; pushes: Record<string, never> };
  enrichment: { requests: EnrichmentControlRequests; pushes: Record<string, never> };
  reaction: { requests: ReactionControlRequests; pushes: Record<string, never> };
  egress: { requests: EgressControlRequests; pushes: Record<string, never> };
  store: { requests: StoreControlRequests; pushes: Record<string, never> };
}

/** A phase worker's role (enrichment, reaction, egress), as opposed to the router, ingress or the store. */
export function isPhaseRole(role: WorkerRole): role is WorkerPhase {
  return (WORKER_PHASES as readonly WorkerRole[]).includes(role);
}

/** Any role's control request name (what the supervisor may re-send after a restart). */
export type ControlMethod = { [R in WorkerRole]: keyof RoleProtocol[R]['requests'] }[WorkerRole];

/** Worker → host pushes, by topic (one payload type per topic). */
export type WorkerPushes = {
  /** Any worker: initialized and serving. */
  ready: WorkerRole;
  /** Router: summaries of events that changed, coalesced per tick. */
  feed: EventSummary[];
  /** Router: approvals that changed. */
  approvals: Approval[];
  /** Egress (`gateway-clients`): replies to publish to connected gateway clients. */
  delivery: GatewayDelivery[];
  /** Reaction (`overlay-alerts`): alerts for the overlay (client topic `alerts`). */
  alert: OverlayAlert[];
  /** Ingress: Twitch refused this account's token (401, IRC login failed); refresh it and push again. */
  twitchToken: { account: TwitchAccountName; reason: string };
};

/** The host's end of every control line: it answers nothing and receives the workers' pushes. */
export interface HostControlProtocol {
  requests: Record<string, never>;
  pushes: WorkerPushes;
}

/** Replay formats the ingress worker parses (`parse`). */
export type ReplayWorkerFormat = 'irc';

/** One parsed input line: an inbound event to submit, or why the line is not one. */
export type LineParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * `ok`: the event is committed (for `submit`) and will be routed. `code: 'UNAVAILABLE'`: the store
 * could not commit it in time (retryable, nothing was written); otherwise the input was refused.
 */
export type SubmitResult = { ok: true; id: string } | { ok: false; error: string; code?: 'UNAVAILABLE' };
