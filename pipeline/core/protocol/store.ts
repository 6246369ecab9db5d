/**
 * The store worker's protocol: the single SQLite writer.
 *
 * Writers send batches of typed write operations; `write` resolves once the batch is committed.
 * An event is stored append-only (core/event-log.ts): `event.put` at accept, one `event.log` per
 * commit window while it runs, one `event.end` when it ends. Ops apply in the order sent. An op whose name the store does not know rejects the whole write.
 */
import type { Approval } from '../approval.js';
import type { CounterStoreWrite } from '../counters.js';
import type { Envelope } from '../envelope.js';
import type { EventLogEntry } from '../event-log.js';
import type { GatewayStoreWrite } from '../gateway-store.js';
import type { LlmStoreWrite } from '../llm.js';
import type { QuoteStoreWrite } from '../quotes.js';
import type { GiveawayStoreWrite } from '../giveaways.js';
import type { TimerStoreWrite } from '../timers.js';
import type { Rule } from '../rules.js';

export interface UserRow {
  platform: string;
  externalId: string;
  login: string;
  displayName: string;
  roles: string[];
  firstSeenAt: number;
  lastSeenAt: number;
  messageCount: number;
  sessionStartedAt: number;
}

export interface IngressRejection {
  at: number;
  connector: string;
  error: string;
  /** The offending input, truncated: enough to find it, never a way to fill the disk. */
  raw: string;
}

export interface CommandDefinition {
  id: string;
  enabled: boolean;
  /** `exact` and `prefix` compare case-insensitively; `regex` is checked for safety when saved. */
  trigger:
    | { kind: 'exact'; text: string }
    | { kind: 'prefix'; text: string }
    | { kind: 'regex'; pattern: string; flags?: string }
    | { kind: 'event'; types: string[] };
  /** Reply template: `{user}`, `{login}`, `{args}`, `{arg1}`, `{channel}`, `{count}`, `{months}`, `{viewers}`, `{bits}`, ... */
  template: string;
  /** Roles allowed to run it; empty = everyone. */
  roles: string[];
  userCooldownSeconds: number;
  globalCooldownSeconds: number;
}

/**
 * An event as its row: the indexed columns plus the envelope already serialized. The router sends
 * this rather than the envelope object, so the envelope is serialized once (a string crosses a
 * MessagePort as a copy, where an object is structured-cloned and then stringified by the store).
 */
export interface EventRow {
  id: string;
  correlationId: string;
  type: string;
  channel: string;
  connector: string;
  login: string;
  userId: string;
  at: number;
  stage: string;
  disposition: string | null;
  reason: string | null;
  text: string | null;
  json: string;
}

export function toEventRow(event: Envelope): EventRow {
  const external = event.identity.external;
  return {
    id: event.id,
    correlationId: event.correlationId,
    type: event.type,
    channel: event.ingress.channel,
    connector: event.ingress.connector,
    login: external.login.toLowerCase(),
    userId: event.identity.user?.id ?? external.id,
    at: event.ingress.at,
    stage: event.routing.stage,
    disposition: event.disposition ?? null,
    reason: event.dispositionReason ?? null,
    text: event.message?.text ?? null,
    json: JSON.stringify(event),
  };
}

/** The store's own ops (events, approvals, users, rules, commands, settings, deliveries). */
export type CoreStoreWrite =
  /** The whole row (accept; tests). Legacy: prefer `event.put` + `event.log` + `event.end`. */
  | { op: 'event.upsert'; event: Envelope }
  /** The whole row: ingress's accept row (inserted, or replaced with today's meaning). */
  | { op: 'event.put'; row: EventRow }
  /** One `event_log` row: what changed in one commit window (transitions, delta JSON as given). */
  | { op: 'event.log'; entry: EventLogEntry }
  /**
   * The terminal write: one UPDATE of the event's row (stage, disposition, reason, updated_at,
   * envelope), plus the window's log row when given. A row that is not there is inserted whole.
   */
  | { op: 'event.end'; row: EventRow; entry?: EventLogEntry }
  /** Legacy: transitions of any events, stored as one `event_log` row per event (delta null). */
  | { op: 'approval.upsert'; approval: Approval }
  | { op: 'user.upsert'; user: UserRow }
  | { op: 'rule.upsert'; rule: Rule }
  | { op: 'rule.delete'; id: string }
  | { op: 'command.upsert'; command: CommandDefinition }
  | { op: 'command.delete'; id: string }
  | { op: 'setting.set'; key: string; value: unknown }
  | { op: 'rejection.record'; rejection: IngressRejection }
  /** How a claimed delivery ended (written behind: the delivery has already happened). */
  | { op: 'delivery.finish'; result: { key: string; status: 'sent' | 'dropped'; detail?: string; at: number } };

/** The core op names, for the store's registry to check at start (a missing one fails to compile there). */
export const CORE_STORE_OPS = [
  'event.upsert',
  'event.put',
  'event.log',
  'event.end',
  'approval.upsert',
  'user.upsert',
  'rule.upsert',
  'rule.delete',
  'command.upsert',
  'command.delete',
  'setting.set',
  'rejection.record',
  'delivery.finish',
] as const satisfies readonly CoreStoreWrite['op'][];

/** Ops of the features (counters, quotes, timers, giveaways). */
export type FeatureStoreWrite = CounterStoreWrite | QuoteStoreWrite | TimerStoreWrite | GiveawayStoreWrite;

export type StoreWrite =
  | CoreStoreWrite
  /** Memory, usage, personas (applied by pipeline/node/llm/llm-store-appliers.ts). */
  | LlmStoreWrite
  /** Counters, quotes, timers, giveaways (applied by pipeline/node/features/feature-store-appliers.ts). */
  | FeatureStoreWrite
  /** Client tokens and webhooks (applied by pipeline/node/gateway/clients/store-appliers.ts). */
  | GatewayStoreWrite;

/** Every op name the store applies: `StoreOpRegistry` (node/store/op-registry.ts) has one applier per name. */
export type StoreOpName = StoreWrite['op'];

export interface DeliveryClaim {
  /** `eventId:connector`: an event's reply goes to each place at most once. */
  key: string;
  eventId: string;
  connector: string;
  text: string;
  at: number;
  /**
   * `sent` records a delivery that is complete the moment it is recorded (the console feed, a
   * publish to in-process clients): one write instead of a claim and a finish.
   */
  status?: 'claimed' | 'sent';
}

export interface StoreProtocol {
  requests: {
    /** Commits the batch in one transaction; resolves after the commit. */
    write(batch: StoreWrite[]): void;
    /**
     * Commits the batch unless the store cannot start the commit before `deadline` (epoch ms): then
     * it rejects with code UNAVAILABLE and nothing is written. Ingress uses it to ack only what is on
     * disk and to answer a retryable error, never a late commit, while the database is locked.
     */
    writeWithin(params: { batch: StoreWrite[]; deadline: number }): void;
    /**
     * Records deliveries before they are made, many per message (the egress worker sends one per
     * tick); one answer per claim, in order. False: the key was claimed before — the reply was
     * delivered (or attempted) already, possibly by a worker that crashed since — and must not go
     * out again. How a claimed delivery ended is a `delivery.finish` write.
     */
    claimDeliveries(claims: DeliveryClaim[]): boolean[];
    /** Commits everything queued so far. */
    flush(): void;
    /** Deletes terminal events older than `before` (and their log rows); returns how many. */
    prune(params: { before: number }): number;
  };
  pushes: Record<string, never>;
}
