/**
 * Reconnect delays: every half second for the first few seconds (a host restart takes about two,
 * and a refused connection on the LAN costs nothing), then doubling up to ten seconds so a host
 * that is really gone costs little.
 */
const FAST_ATTEMPTS = 8;

export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = attempt < FAST_ATTEMPTS ? 500 : Math.min(10_000, 1_000 * 2 ** (attempt - FAST_ATTEMPTS));
  // Jitter spreads several consoles reconnecting to the same restarted host.
  return Math.round(base * (0.75 + 0.5 * random()));
}
