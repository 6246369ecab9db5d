/**
 * The little memory the analyzer needs across messages: how fast each user is posting, what they
 * said last, and which texts several users are pasting. Held in memory only (it is about the last
 * minute of chat, so a restart losing it is harmless) and bounded: entries older than their window
 * are swept, and each map is capped so a raid of 100,000 bots cannot grow it without limit.
 *
 * Maps keep insertion order and every touch re-inserts the key, so the first entry is always the
 * least recently seen: eviction (stale or over capacity) only ever looks at the front.
 */

export interface AnalyzerStateOptions {
  /** Sliding window for the per-user message rate. */
  rateWindowMs: number;
  /** Messages within `rateWindowMs` from one user that count as a burst. */
  rateLimit: number;
  /** Window in which the same text from several users is a copy-pasta. */
  copyPastaWindowMs: number;
  /** Distinct users with the same text within the window that make it a copy-pasta. */
  copyPastaUsers: number;
  /**
   * Shorter normalized texts are not tracked: "gg", "LUL" or "F" from many users is a crowd
   * reacting, not a copy-pasta.
   */
  copyPastaMinLength: number;
  /** At most this many users are remembered (least recently seen evicted first). */
  maxUsers: number;
  /** At most this many distinct texts are remembered. */
  maxTexts: number;
}

export const DEFAULT_ANALYZER_STATE_OPTIONS: AnalyzerStateOptions = {
  rateWindowMs: 10_000,
  rateLimit: 6,
  copyPastaWindowMs: 60_000,
  copyPastaUsers: 3,
  copyPastaMinLength: 20,
  maxUsers: 20_000,
  maxTexts: 5_000,
};

/** Normalized texts are cut to this length: enough to tell pastas apart, and bounds memory per entry. */
const MAX_KEY_LENGTH = 160;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

interface UserEntry {
  /** Times of the user's recent messages, oldest first; never more than `rateLimit * 2`. */
  times: number[];
  /** Event ids seen, parallel to `times`: a retried step must not count its message twice. */
  ids: string[];
  lastKey: string;
  lastKeyRepeats: number;
  lastAt: number;
}

interface TextEntry {
  /** User id → last time they sent this text; at most `copyPastaUsers * 4` users kept. */
  users: Map<string, number>;
  lastAt: number;
}

export interface MessageObservation {
  /** Messages from this user within the rate window, this one included. */
  recentMessages: number;
  /** Earlier messages in a row from this user with the same normalized text (0 for a new text). */
  sameTextRepeats: number;
  /** Distinct users who sent this normalized text within the copy-pasta window, this one included. */
  distinctUsersWithText: number;
}

/** Lower-cased letters and digits only, so "COPY pasta!!" and "copy, pasta" are the same text. */
export function copyPastaKey(cleanedText: string): string {
  return cleanedText
    .slice(0, MAX_KEY_LENGTH * 4)
    .toLowerCase()
    .replace(NOT_LETTER_OR_DIGIT, '')
    .slice(0, MAX_KEY_LENGTH);
}

const SWEEP_INTERVAL_MS = 1_000;

/**
 * Evicts the least recently seen entries down to 90% of the cap in one walk, so a flood of new
 * users at the cap costs one walk per 10% of new entries, not one per message.
 */
function evictOldest<V>(map: Map<string, V>, cap: number): void {
  const target = Math.floor(cap * 0.9);
  for (const key of map.keys()) {
    if (map.size <= target) break;
    map.delete(key);
  }
}

export class AnalyzerState {
  readonly options: AnalyzerStateOptions;
  private readonly users = new Map<string, UserEntry>();
  private readonly texts = new Map<string, TextEntry>();
  private nextSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<AnalyzerStateOptions> = {}) {
    this.options = { ...DEFAULT_ANALYZER_STATE_OPTIONS, ...options };
  }

  /** Number of users and texts currently remembered. */
  get size(): { users: number; texts: number } {
    return { users: this.users.size, texts: this.texts.size };
  }

  /**
   * Records one message and reports what the windows now hold. Recording the same `eventId` again
   * (a retried step) reports the same user counts without counting the message twice.
   */
  observe(userId: string, eventId: string, key: string, at: number): MessageObservation {
    this.sweep(at);
    const user = this.touchUser(userId, eventId, key, at);
    const distinctUsersWithText = key.length >= this.options.copyPastaMinLength ? this.touchText(key, userId, at) : 1;
    return {
      recentMessages: user.times.length,
      sameTextRepeats: user.lastKeyRepeats,
      distinctUsersWithText,
    };
  }

  clear(): void {
    this.users.clear();
    this.texts.clear();
  }

  private touchUser(userId: string, eventId: string, key: string, at: number): UserEntry {
    const { rateWindowMs, rateLimit, maxUsers } = this.options;
    let entry = this.users.get(userId);
    if (entry === undefined) {
      entry = { times: [], ids: [], lastKey: '', lastKeyRepeats: 0, lastAt: at };
    } else {
      this.users.delete(userId);
    }
    this.users.set(userId, entry);
    while (entry.times.length > 0 && entry.times[0]! <= at - rateWindowMs) {
      entry.times.shift();
      entry.ids.shift();
    }
    if (entry.ids.includes(eventId)) return entry;
    entry.times.push(at);
    entry.ids.push(eventId);
    if (entry.times.length > rateLimit * 2) {
      entry.times.shift();
      entry.ids.shift();
    }
    const repeatsInWindow = entry.lastKey === key && key !== '' && at - entry.lastAt <= rateWindowMs * 3;
    entry.lastKeyRepeats = repeatsInWindow ? entry.lastKeyRepeats + 1 : 0;
    entry.lastKey = key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key;
    entry.lastAt = at;
    if (this.users.size > maxUsers) evictOldest(this.users, maxUsers);
    return entry;
  }

  private touchText(key: string, userId: string, at: number): number {
    const { copyPastaWindowMs, copyPastaUsers, maxTexts } = this.options;
    let entry = this.texts.get(key);
    if (entry === undefined) {
      entry = { users: new Map(), lastAt: at };
    } else {
      this.texts.delete(key);
    }
    this.texts.set(key, entry);
    entry.lastAt = at;
    for (const [otherId, seenAt] of entry.users) {
      if (seenAt <= at - copyPastaWindowMs) entry.users.delete(otherId);
    }
    entry.users.delete(userId);
    entry.users.set(userId, at);
    const maxUsersPerText = copyPastaUsers * 4;
    while (entry.users.size > maxUsersPerText) entry.users.delete(entry.users.keys().next().value!);
    if (this.texts.size > maxTexts) evictOldest(this.texts, maxTexts);
    return entry.users.size;
  }

  /**
   * Drops entries whose window has passed. Only stale front entries are visited, and at most once per
   * `SWEEP_INTERVAL_MS`: V8 leaves deleted Map slots in place until it rehashes, so walking from the
   * front on every message would step over thousands of holes.
   */
  private sweep(at: number): void {
    if (at < this.nextSweepAt) return;
    this.nextSweepAt = at + SWEEP_INTERVAL_MS;
    const userHorizon = at - this.options.rateWindowMs * 3;
    for (const [userId, entry] of this.users) {
      if (entry.lastAt > userHorizon) break;
      this.users.delete(userId);
    }
    const textHorizon = at - this.options.copyPastaWindowMs;
    for (const [key, entry] of this.texts) {
      if (entry.lastAt > textHorizon) break;
      this.texts.delete(key);
    }
  }
}
