/**
 * Rate limits and budgets for the llm-bot: a per-user cooldown, a global replies-per-minute cap,
 * and a daily token and cost budget (the streamer's local day) with the counter the console shows.
 *
 * A slot is taken when a call starts (so two messages arriving together cannot both pass) and
 * given back when the call fails, so the router's retry of the same event is not blocked by the
 * cooldown its own first attempt set. A later run for the same event (retry, regenerate) passes the
 * user's cooldown for the same reason.
 *
 * The counter is seeded from `llm_usage` (read-only connection) when a day starts, so budgets
 * survive a restart; after that it is kept in memory, because usage rows reach SQLite through the
 * store worker's batches a few milliseconds later.
 */
import type Database from 'better-sqlite3';
import { usageDay, type LlmSettings, type LlmUsageToday } from '../../core/llm.js';

export type LimitVerdict = { ok: true; release(): void } | { ok: false; reason: string };

export interface LlmLimits {
  /** Takes a reply slot for this user and event, or says why not. */
  acquire(userKey: string, eventId: string, settings: LimitSettings): LimitVerdict;
  /** Checks the daily budgets (before spending more). */
  checkBudget(settings: LimitSettings): { ok: true } | { ok: false; reason: string };
  recordUsage(usage: { tokensIn: number; tokensOut: number; costUsd: number }): void;
  usageToday(): LlmUsageToday;
}

export type LimitSettings = Pick<
  LlmSettings,
  'userCooldownSeconds' | 'repliesPerMinute' | 'dailyTokenBudget' | 'dailyCostBudgetUsd'
>;

export interface LlmLimitsDeps {
  /** Read-only connection, for today's usage so far. */
  db: Pick<Database.Database, 'prepare'>;
  now?: () => number;
}

// Bounded so a raid of 10,000 viewers cannot grow the cooldown map without end.
const MAX_TRACKED_USERS = 5000;

export function createLlmLimits(deps: LlmLimitsDeps): LlmLimits {
  const now = deps.now ?? Date.now;
  const lastReply = new Map<string, { at: number; eventId: string }>();
  const recent: number[] = [];
  let today: LlmUsageToday | undefined;

  function counter(): LlmUsageToday {
    const day = usageDay(now());
    if (today?.day !== day) {
      const row = deps.db
        .prepare(
          'SELECT coalesce(sum(tokens_in), 0) AS tokensIn, coalesce(sum(tokens_out), 0) AS tokensOut, coalesce(sum(cost_usd), 0) AS costUsd, count(*) AS calls FROM llm_usage WHERE day = ?',
        )
        .get(day) as Omit<LlmUsageToday, 'day'>;
      today = { day, ...row };
    }
    return today;
  }

  return {
    acquire(userKey, eventId, settings) {
      const at = now();
      const previous = lastReply.get(userKey);
      const cooldownMs = settings.userCooldownSeconds * 1000;
      if (previous && previous.eventId !== eventId && at - previous.at < cooldownMs) {
        const left = Math.ceil((cooldownMs - (at - previous.at)) / 1000);
        return { ok: false, reason: `user cooldown: ${left}s left` };
      }
      while (recent.length > 0 && at - recent[0]! >= 60_000) recent.shift();
      if (settings.repliesPerMinute > 0 && recent.length >= settings.repliesPerMinute) {
        return { ok: false, reason: `replies-per-minute cap reached (${settings.repliesPerMinute}/min)` };
      }
      recent.push(at);
      lastReply.delete(userKey);
      lastReply.set(userKey, { at, eventId });
      if (lastReply.size > MAX_TRACKED_USERS) {
        const oldest = lastReply.keys().next().value;
        if (oldest !== undefined) lastReply.delete(oldest);
      }
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          const index = recent.lastIndexOf(at);
          if (index >= 0) recent.splice(index, 1);
          const current = lastReply.get(userKey);
          if (current?.at === at && current.eventId === eventId) {
            if (previous) lastReply.set(userKey, previous);
            else lastReply.delete(userKey);
          }
        },
      };
    },
    checkBudget(settings) {
      const usage = counter();
      const tokens = usage.tokensIn + usage.tokensOut;
      if (settings.dailyTokenBudget > 0 && tokens >= settings.dailyTokenBudget) {
        return { ok: false, reason: `daily token budget reached (${tokens}/${settings.dailyTokenBudget})` };
      }
      if (settings.dailyCostBudgetUsd > 0 && usage.costUsd >= settings.dailyCostBudgetUsd) {
        return {
          ok: false,
          reason: `daily cost budget reached ($${usage.costUsd.toFixed(4)}/$${settings.dailyCostBudgetUsd})`,
        };
      }
      return { ok: true };
    },
    recordUsage(usage) {
      const current = counter();
      current.tokensIn += usage.tokensIn;
      current.tokensOut += usage.tokensOut;
      current.costUsd += usage.costUsd;
      current.calls += 1;
    },
    usageToday() {
      return { ...counter() };
    },
  };
}
