import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cpuByRole,
  machineReference,
  parseSchedstat,
  readThreadCpu,
  slope,
  summarizeLatency,
} from './bench-measure.js';

describe("the bench's latency summary", () => {
  it('takes nearest-rank percentiles over every sample, the slow tail included', () => {
    // 1..1000 ms: a ring of the last few samples or a warm-up cut would move these.
    const samples = Float64Array.from({ length: 1000 }, (_, index) => 1000 - index);
    expect(summarizeLatency(samples)).toEqual({
      count: 1000,
      p50Ms: 500,
      p90Ms: 900,
      p99Ms: 990,
      p999Ms: 999,
      maxMs: 1000,
    });
  });

  it('keeps sub-millisecond resolution', () => {
    expect(summarizeLatency(Float64Array.from([0.25, 0.5, 0.75, 1.125])).p50Ms).toBe(0.5);
  });

  it('is all zero with no samples', () => {
    expect(summarizeLatency(new Float64Array(0))).toMatchObject({ count: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe('memory growth', () => {
  it('is the least-squares slope, not end minus start', () => {
    expect(
      slope([
        [0, 100],
        [1, 110],
        [2, 120],
        [3, 130],
      ]),
    ).toBeCloseTo(10);
    // A spike at the end does not make a flat series grow by the spike.
    expect(
      slope([
        [0, 100],
        [1, 100],
        [2, 100],
        [3, 100],
        [4, 100],
        [5, 112],
      ]),
    ).toBeCloseTo(1.71, 1);
    expect(slope([[0, 5]])).toBe(0);
  });
});

describe('CPU per thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-schedstat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the on-CPU nanoseconds of every thread from schedstat files', () => {
    for (const [tid, line] of [
      ['100', '5000000 200 3\n'],
      ['101', '7000000 10 1\n'],
    ] as const) {
      mkdirSync(join(dir, tid));
      writeFileSync(join(dir, tid, 'schedstat'), line);
    }
    expect(readThreadCpu(dir)).toEqual(
      new Map([
        [100, 5_000_000],
        [101, 7_000_000],
      ]),
    );
    expect(parseSchedstat('garbage')).toBe(0);
    expect(readThreadCpu(join(dir, 'missing'))).toEqual(new Map());
  });

  it('reads this process: the main thread and its helpers', () => {
    const threads = readThreadCpu();
    expect(threads.get(process.pid)).toBeGreaterThan(0);
  });

  it('attributes the CPU used between two readings to roles, per event and as a share of a core', () => {
    const before = new Map([
      [1, 1_000_000],
      [2, 0],
      [3, 500_000],
    ]);
    // Thread 4 started during the run; 3 and 4 are helpers with no role.
    const after = new Map([
      [1, 3_000_000],
      [2, 4_000_000],
      [3, 1_500_000],
      [4, 1_000_000],
    ]);
    const roles = new Map([
      [1, 'host'],
      [2, 'router'],
    ]);
    const result = cpuByRole(before, after, (tid) => roles.get(tid) ?? 'other', 1000, 0.01);
    expect(result.totalUsPerEvent).toBe(8);
    expect(result.threads).toEqual([
      { thread: 'router', tids: [2], usPerEvent: 4, corePercent: 40 },
      { thread: 'host', tids: [1], usPerEvent: 2, corePercent: 20 },
      { thread: 'other', tids: [3, 4], usPerEvent: 2, corePercent: 20 },
    ]);
  });
});

describe('the machine reference', () => {
  it('times the same fixed work every run', () => {
    const first = machineReference(3);
    const second = machineReference(3);
    // 2,000 events, six matching words each, 500 users: the work does not depend on the machine.
    expect([first.checksum, second.checksum]).toEqual([12_500, 12_500]);
    expect(first.ms).toBeGreaterThan(0);
    expect(Number.isFinite(second.ms)).toBe(true);
  });
});
