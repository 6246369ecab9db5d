/**
 * A sliding-window send limiter: at most `limit` sends in any `windowMs`. Twitch's chat limits are
 * 20 messages per 30 s, or 100 per 30 s where the bot is a moderator or the broadcaster
 * (https://dev.twitch.tv/docs/chat/#rate-limits); going over gets the account locked out of chat for
 * 30 minutes, so the window is widened by a safety margin for network jitter between us and Twitch.
 *
 * Waiters are served strictly in order (FIFO), so nothing overtakes and nothing starves.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateWindow {
  private readonly sent: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly windowMs: number,
    private readonly safetyMarginMs: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves when one more send fits under `limit`, and records it at that moment. */
  acquire(limit: number): Promise<number> {
    const turn = this.tail.then(() => this.waitForSlot(limit));
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Sends recorded within the (widened) window ending now. */
  inWindow(): number {
    this.prune(this.clock.now());
    return this.sent.length;
  }

  private async waitForSlot(limit: number): Promise<number> {
    const span = this.windowMs + this.safetyMarginMs;
    for (;;) {
      const now = this.clock.now();
      this.prune(now);
      if (this.sent.length < Math.max(1, limit)) {
        this.sent.push(now);
        return now;
      }
      const oldest = this.sent[this.sent.length - Math.max(1, limit)]!;
      await this.clock.sleep(Math.max(1, oldest + span - now));
    }
  }

  private prune(now: number): void {
    const span = this.windowMs + this.safetyMarginMs;
    let drop = 0;
    while (drop < this.sent.length && now - this.sent[drop]! >= span) drop += 1;
    if (drop > 0) this.sent.splice(0, drop);
  }
}
