/**
 * The synthetic load of `bitbrat bench`, generated inside the ingress worker so the benchmark
 * measures the pipeline and not the process that feeds it.
 *
 * Open loop: event i is due at `startAt + i / rate` and is handed to ingress then (or as soon
 * after as the thread gets to it), whatever the pipeline's state — never held back for flow-control
 * credit, because a raid does not wait either. The bench measures each event's latency from its
 * due time, so a pipeline that falls behind shows it (no coordinated omission). Ingress queues what
 * the router cannot take yet, and refuses (counted) past its backlog limit.
 */
import type { BenchWorkload, LoadParams, LoadResult } from '../../core/protocol/pipeline.js';
import type { IngressSink } from '../connectors/connector.js';
import { KnownEventTypes } from '../../core/envelope.js';

export const BENCH_USERS = 5000;
export const BENCH_CHANNEL = 'bench';

/** What an event of the load is, and so what the pipeline does with it. */
export type BenchEventKind = 'chat' | 'command' | 'mention' | 'alert';
export const BENCH_EVENT_KINDS: readonly BenchEventKind[] = ['chat', 'command', 'mention', 'alert'];

/**
 * The mix, per 100 events: 85 chat messages no rule answers (most of a busy chat), 8 `!bench`
 * commands (answered), 2 messages that mention the bot (the llm-bot drafts a reply, held for a
 * moderator), 5 alerts (follows, a sub, a cheer, a raid: thanked). Positions are spread over the
 * cycle (i·37 mod 100) so the kinds interleave.
 */
export function benchEventKind(workload: BenchWorkload, index: number): BenchEventKind {
  if (workload === 'commands') return 'command';
  const slot = (index * 37) % 100;
  if (slot < 85) return 'chat';
  if (slot < 93) return 'command';
  if (slot < 95) return 'mention';
  return 'alert';
}

/** A UUID (ingress accepts only those as given ids) that carries the run and the event's index. */
export function benchEventId(runId: string, index: number): string {
  return `${runId}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** The index of one of this run's events, or null for any other id. */
export function benchEventIndex(runId: string, id: string): number | null {
  if (id.length !== 36 || !id.startsWith(runId)) return null;
  return Number.parseInt(id.slice(24), 16);
}

const CHAT = [
  'hi everyone!',
  'that was a clean play',
  'LUL',
  'gg',
  'this music slaps',
  'no way that worked KEKW',
  'how long is the stream today?',
  'hola a todos',
];
const ALERTS = [
  { type: KnownEventTypes.follow, details: {} },
  { type: KnownEventTypes.follow, details: {} },
  { type: KnownEventTypes.sub, details: { months: 3, tier: '1000' } },
  { type: KnownEventTypes.cheer, details: { bits: 100 } },
  { type: KnownEventTypes.raid, details: { viewers: 42 } },
] as const;

/** The inbound event i of a run. */
export function benchInbound(workload: BenchWorkload, runId: string, index: number): Record<string, unknown> {
  const user = index % BENCH_USERS;
  const base = {
    id: benchEventId(runId, index),
    ingress: { connector: 'bench', channel: BENCH_CHANNEL },
    identity: {
      external: { id: `u${user}`, login: `viewer${user}`, displayName: `Viewer${user}`, roles: ['viewer'] },
    },
  };
  const chat = (text: string) => ({
    ...base,
    type: KnownEventTypes.chatMessage,
    message: { id: `m${runId}${index}`, text },
  });
  switch (benchEventKind(workload, index)) {
    case 'chat':
      return chat(`${CHAT[index % CHAT.length]!} ${index}`);
    case 'command':
      return chat(`!bench message number ${index}`);
    case 'mention':
      return chat(`@bitbrat what game is this? (${index})`);
    case 'alert':
      return { ...base, ...ALERTS[index % ALERTS.length]! };
  }
}

/** High-resolution epoch milliseconds, comparable between threads. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export class LoadSource {
  constructor(private readonly options: LoadParams) {}

  async run(sink: IngressSink): Promise<LoadResult> {
    const { workload, ratePerSecond, durationMs, startAt, runId } = this.options;
    const result: LoadResult = { scheduled: 0, accepted: 0, refused: 0, lastSentAt: startAt };
    const send = () => {
      const index = result.scheduled;
      result.scheduled += 1;
      if (sink.accept(benchInbound(workload, runId, index)).ok) result.accepted += 1;
      else result.refused += 1;
    };
    const end = startAt + durationMs;
    if (ratePerSecond <= 0) {
      // Saturation: throughput only (no latency is taken from this run), so waiting for credit is right.
      while (preciseNow() < end) {
        await sink.ready();
        for (let i = 0; i < 200; i++) send();
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      const total = Math.floor((durationMs / 1000) * ratePerSecond);
      while (result.scheduled < total) {
        // Every event due by now leaves now, in order; then sleep until the next one is due.
        const now = preciseNow();
        const due = Math.min(total, Math.floor(((now - startAt) / 1000) * ratePerSecond) + 1);
        while (result.scheduled < due) send();
        const next = startAt + (result.scheduled / ratePerSecond) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - preciseNow())));
      }
    }
    result.lastSentAt = preciseNow();
    return result;
  }
}
