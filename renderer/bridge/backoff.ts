/** Reconnect delays: fast at first (a host restart takes a second), capped so a dead host costs little. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 250 * 2 ** Math.max(0, attempt));
  // Jitter spreads several consoles reconnecting to the same restarted host.
  return Math.round(base * (0.75 + 0.5 * random()));
}
