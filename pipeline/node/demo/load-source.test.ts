import { describe, expect, it } from 'vitest';
import { acceptInbound } from '../../core/envelope.js';
import type { IngressSink } from '../connectors/connector.js';
import {
  benchEventId,
  benchEventIndex,
  benchEventKind,
  benchInbound,
  LoadSource,
  preciseNow,
  type BenchEventKind,
} from './load-source.js';

/** A sink that records when each event arrived and never has room: flow control says "wait". */
function blockedSink() {
  const arrivals: { id: string; at: number }[] = [];
  let readyCalls = 0;
  const sink: IngressSink = {
    accept(item) {
      arrivals.push({ id: (item as { id: string }).id, at: preciseNow() });
      return { ok: true, id: (item as { id: string }).id };
    },
    ready: () => {
      readyCalls += 1;
      return new Promise<void>(() => undefined);
    },
  };
  return { sink, arrivals, readyCalls: () => readyCalls };
}

describe('the bench load', () => {
  it('mixes per 100 events 85 ignored chat lines, 8 commands, 2 bot mentions and 5 alerts', () => {
    const counts: Record<BenchEventKind, number> = { chat: 0, command: 0, mention: 0, alert: 0 };
    for (let index = 0; index < 1000; index++) counts[benchEventKind('mix', index)] += 1;
    expect(counts).toEqual({ chat: 850, command: 80, mention: 20, alert: 50 });
    expect(new Set(Array.from({ length: 100 }, (_, index) => benchEventKind('commands', index)))).toEqual(
      new Set(['command']),
    );
  });

  it('gives every event an id ingress accepts, from which the bench reads the run and the index back', () => {
    for (const index of [0, 1, 99, 123_456]) {
      const inbound = benchInbound('mix', '0a1b2c3d', index);
      const accepted = acceptInbound(inbound, Date.now(), () => 'unused');
      expect(accepted.ok ? accepted.value.id : accepted.error).toBe(benchEventId('0a1b2c3d', index));
      expect(benchEventIndex('0a1b2c3d', benchEventId('0a1b2c3d', index))).toBe(index);
    }
    expect(benchEventIndex('0a1b2c3d', benchEventId('ffffffff', 5))).toBeNull();
    expect(benchEventIndex('0a1b2c3d', 'not-a-bench-id')).toBeNull();
  });

  it('sends on schedule even when the pipeline gives no credit (open loop), never before an event is due', async () => {
    const { sink, arrivals, readyCalls } = blockedSink();
    const startAt = preciseNow() + 20;
    const result = await new LoadSource({
      workload: 'mix',
      ratePerSecond: 500,
      durationMs: 200,
      startAt,
      runId: '00000001',
    }).run(sink);
    expect(result).toMatchObject({ scheduled: 100, accepted: 100, refused: 0 });
    expect(readyCalls()).toBe(0);
    expect(arrivals.map((arrival) => benchEventIndex('00000001', arrival.id))).toEqual(
      Array.from({ length: 100 }, (_, index) => index),
    );
    for (const [index, arrival] of arrivals.entries()) expect(arrival.at).toBeGreaterThanOrEqual(startAt + index * 2);
  });

  it('counts what ingress refuses instead of hiding it', async () => {
    let calls = 0;
    const sink: IngressSink = {
      accept: () => (++calls % 2 === 0 ? { ok: false, error: 'overloaded' } : { ok: true, id: 'x' }),
      ready: () => Promise.resolve(),
    };
    const result = await new LoadSource({
      workload: 'commands',
      ratePerSecond: 1000,
      durationMs: 20,
      startAt: preciseNow(),
      runId: '00000002',
    }).run(sink);
    expect(result).toMatchObject({ scheduled: 20, accepted: 10, refused: 10 });
  });
});
