/**
 * The store worker's protocol: the single SQLite writer.
 *
 * Writers send batches of typed write operations; `write` resolves once the batch is committed.
 * Event upserts in one batch are coalesced by event id (last one wins), so an event that passes
 * several stage boundaries within one flush costs one row write.
 */
import type { Approval } from '../approval.js';
import type { Envelope } from '../envelope.js';
import type { LlmStoreWrite } from '../llm.js';
import type { Rule } from '../rules.js';
import type { StepTransition } from '../slip.js';

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

export type StoreWrite =
  | { op: 'event.upsert'; event: Envelope }
  | { op: 'steps.append'; transitions: StepTransition[] }
  | { op: 'approval.upsert'; approval: Approval }
  | { op: 'user.upsert'; user: UserRow }
  | { op: 'rule.upsert'; rule: Rule }
  | { op: 'rule.delete'; id: string }
  | { op: 'command.upsert'; command: CommandDefinition }
  | { op: 'command.delete'; id: string }
  | { op: 'setting.set'; key: string; value: unknown }
  | { op: 'rejection.record'; rejection: IngressRejection }
  | LlmStoreWrite;

export interface DeliveryClaim {
  /** `eventId:connector`: an event's reply goes to each place at most once. */
  key: string;
  eventId: string;
  connector: string;
  text: string;
  at: number;
}

export interface StoreProtocol {
  requests: {
    /** Commits the batch in one transaction; resolves after the commit. */
    write(batch: StoreWrite[]): void;
    /**
     * Records a delivery before it is made. Returns false when the key was already claimed: the
     * reply was delivered (or attempted) before, possibly by a worker that crashed since, and must
     * not go out again.
     */
    claimDelivery(claim: DeliveryClaim): boolean;
    /** Records how a claimed delivery ended. */
    finishDelivery(result: { key: string; status: 'sent' | 'dropped'; detail?: string; at: number }): void;
    /** Commits everything queued so far. */
    flush(): void;
    /** Deletes terminal events older than `before` (and their steps); returns how many. */
    prune(params: { before: number }): number;
  };
  pushes: Record<string, never>;
}
