/**
 * Runs the timers inside the ingress worker: at each tick it asks `dueTimers` (pure, core) which
 * timers are due, records each firing in the store (committed first, so a restart never repeats
 * it at once), then hands the timer's event to ingress like any other inbound event.
 *
 * Everything it decides on is in SQLite: the timers, their last firing, the chat lines since
 * (the events table) and whether the stream is live (the latest stream.online/offline event). The
 * clock and the tick are injected, so tests step time instead of sleeping.
 */
import type { InboundEvent } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { dueTimers, timerEvent } from '../../core/timers.js';
import type { FeatureReader } from './feature-reader.js';

export interface TimerSchedulerDeps {
  reader: Pick<FeatureReader, 'timers' | 'timerStates' | 'chatLinesSince' | 'stream'>;
  target(): { channel: string; botName: string };
  commit(batch: StoreWrite[]): Promise<void>;
  accept(event: InboundEvent): { ok: boolean; error?: string };
  now?: () => number;
  random?: () => number;
  log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

export interface TimerScheduler {
  /** Checks the timers once; resolves with the ids of the timers that fired. */
  tick(): Promise<string[]>;
  /** Ticks every `everyMs` until stopped. */
  start(everyMs?: number): void;
  stop(): void;
}

/** Often enough that a 1-minute timer is at most a quarter late; each tick is two small queries. */
export const TIMER_TICK_MS = 15_000;

export function createTimerScheduler(deps: TimerSchedulerDeps): TimerScheduler {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  let running: Promise<string[]> | undefined;
  let interval: NodeJS.Timeout | undefined;

  async function check(): Promise<string[]> {
    const timers = deps.reader.timers();
    if (!timers.some((timer) => timer.enabled)) return [];
    const at = now();
    const stream = deps.reader.stream();
    const firings = dueTimers(timers, deps.reader.timerStates(), {
      now: at,
      live: stream.live,
      liveSince: stream.startedAt,
      chatLinesSince: (since) => deps.reader.chatLinesSince(since),
      random,
    });
    const fired: string[] = [];
    for (const firing of firings) {
      await deps.commit([{ op: 'timer.fired', id: firing.timer.id, nextIndex: firing.nextIndex, at }]);
      const result = deps.accept(timerEvent(firing, deps.target(), at));
      if (result.ok) fired.push(firing.timer.id);
      else deps.log?.('warn', 'a timer event was refused', { timer: firing.timer.id, error: result.error });
    }
    return fired;
  }

  const tick = (): Promise<string[]> => {
    // One tick at a time: a slow commit must not let the next tick fire the same timer again.
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    tick,
    start(everyMs = TIMER_TICK_MS) {
      if (interval) return;
      interval = setInterval(() => {
        tick().catch((error: unknown) => deps.log?.('warn', 'timer tick failed', { error: String(error) }));
      }, everyMs);
      interval.unref();
    },
    stop() {
      clearInterval(interval);
      interval = undefined;
    },
  };
}
