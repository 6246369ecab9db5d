/**
 * The `auth` enrichment service: who is talking. Keeps one record per platform user (first seen,
 * last seen, message count, session start) and hands the event its `UserRecord` with tags.
 *
 * The enrichment worker is the only writer of users, so the in-memory LRU cache in front of the
 * store is authoritative: a cache miss reads the database, every change goes out as `user.upsert`.
 * Roles are the ones on THIS event, never remembered ones: a moderator who was unmodded is a viewer
 * on their next message, and a stale "moderator" must never unlock a command.
 */
import { KnownEventTypes, type Envelope, type UserRecord, type UserTag } from '../../core/envelope.js';
import type { StoreWrite, UserRow } from '../../core/protocol/store.js';
import { StepFailure, type Service, type StepContext, type StepOutcome, SERVICE_IDS } from '../../core/service.js';

export interface AuthServiceDeps {
  getUser(platform: string, externalId: string): UserRow | undefined;
  write(op: StoreWrite): void;
  now?: () => number;
  /** Silence after which the next event starts a new session. Default 30 minutes. */
  sessionGapMs?: number;
  /** Users kept in memory. Default 50,000. */
  cacheSize?: number;
}

export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;
export const DEFAULT_USER_CACHE_SIZE = 50_000;

interface CachedUser {
  row: UserRow;
  /** The last event counted for this user and what it produced: a retried step must not count twice. */
  lastEventId?: string;
  lastRecord?: UserRecord;
}

/** A least-recently-used map: a `Map` keeps insertion order, so re-inserting on read moves a key to the end. */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

export function ordinal(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

export function createAuthService(deps: AuthServiceDeps): Service {
  const sessionGapMs = deps.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;
  const cache = new LruCache<CachedUser>(Math.max(1, deps.cacheSize ?? DEFAULT_USER_CACHE_SIZE));

  function load(platform: string, externalId: string): CachedUser | undefined {
    const key = `${platform}:${externalId}`;
    const cached = cache.get(key);
    if (cached) return cached;
    let row: UserRow | undefined;
    try {
      row = deps.getUser(platform, externalId);
    } catch (error) {
      throw new StepFailure('user-read-failed', `could not read user ${key}: ${describe(error)}`, true);
    }
    if (!row) return undefined;
    const entry: CachedUser = { row };
    cache.set(key, entry);
    return entry;
  }

  function run(event: Readonly<Envelope>, context: StepContext): StepOutcome {
    const external = event.identity.external;
    const key = `${external.platform}:${external.id}`;
    const previousEntry = load(external.platform, external.id);
    if (previousEntry?.lastEventId === event.id && previousEntry.lastRecord) {
      return { status: 'OK', user: previousEntry.lastRecord, notes: ['already counted (retry)'] };
    }

    const now = (deps.now ?? context.now)();
    const previous = previousEntry?.row;
    const isChat = event.type === KnownEventTypes.chatMessage;
    const newSession = !previous || now - previous.lastSeenAt >= sessionGapMs;
    // "Returning": seen in an earlier session than the one this event belongs to.
    const returning = previous !== undefined && (newSession || previous.firstSeenAt < previous.sessionStartedAt);
    const firstMessage = isChat && (previous?.messageCount ?? 0) === 0;

    const row: UserRow = {
      platform: external.platform,
      externalId: external.id,
      login: external.login,
      displayName: external.displayName,
      roles: [...external.roles],
      firstSeenAt: previous?.firstSeenAt ?? now,
      // Events from several connectors can arrive slightly out of order: last seen never goes back.
      lastSeenAt: Math.max(previous?.lastSeenAt ?? now, now),
      messageCount: (previous?.messageCount ?? 0) + (isChat ? 1 : 0),
      sessionStartedAt: newSession ? now : previous.sessionStartedAt,
    };
    const tags: UserTag[] = [];
    if (firstMessage) tags.push('first-message');
    if (returning) tags.push('returning');
    if (newSession) tags.push('new-session');

    try {
      deps.write({ op: 'user.upsert', user: row });
    } catch (error) {
      throw new StepFailure('user-write-failed', `could not save user ${key}: ${describe(error)}`, true);
    }

    const user: UserRecord = {
      id: key,
      roles: [...external.roles],
      tags,
      firstSeenAt: row.firstSeenAt,
      lastSeenAt: row.lastSeenAt,
      messageCount: row.messageCount,
    };
    cache.set(key, { row, lastEventId: event.id, lastRecord: user });
    return { status: 'OK', user, notes: [describeUser(isChat, row, previous === undefined, tags)] };
  }

  return { id: SERVICE_IDS.auth, phase: 'enrichment', run };
}

/** "3rd message, returning" / "first seen, new-session" — what a moderator reads on the slip. */
function describeUser(isChat: boolean, row: UserRow, firstSeen: boolean, tags: UserTag[]): string {
  const parts: string[] = [];
  if (isChat) parts.push(`${ordinal(row.messageCount)} message`);
  else parts.push(firstSeen ? 'first seen' : `${row.messageCount} messages so far`);
  for (const tag of tags) if (tag !== 'first-message') parts.push(tag);
  return parts.join(', ');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
