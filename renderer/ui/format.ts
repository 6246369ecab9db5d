/** Display formatting, kept in one place so every view reads the same. */
export function formatTime(at: number): string {
  const date = new Date(at);
  return date.toLocaleTimeString(undefined, { hour12: false });
}

export function formatDateTime(at: number | null): string {
  if (at === null) return '—';
  return new Date(at).toLocaleString(undefined, { hour12: false });
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** "1 message", "3 messages": a count with its noun agreeing. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `chat.message.v1` → `chat.message` */
export function shortType(type: string): string {
  return type.replace(/\.v\d+$/, '');
}
