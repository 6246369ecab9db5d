/**
 * The measuring parts of `bitbrat bench`, kept pure where they can be so they are tested on their
 * own: latency percentiles over every sample, the slope of memory over time, and CPU time per
 * thread from Linux's /proc/<pid>/task/<tid>/schedstat (time on CPU in nanoseconds; unlike
 * wall-clock throughput it stays comparable when other work shares the machine).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentiles over all samples (sorted in place). */
export function summarizeLatency(samples: Float64Array): LatencySummary {
  const sorted = samples.sort();
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    p999Ms: round(at(0.999)),
    maxMs: round(sorted.length === 0 ? 0 : sorted[sorted.length - 1]!),
  };
}

/** Least-squares slope of y over x (0 with fewer than two points). */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The first field of a schedstat line: nanoseconds this thread ran on a CPU. */
export function parseSchedstat(line: string): number {
  const value = Number(line.trim().split(/\s+/)[0]);
  return Number.isFinite(value) ? value : 0;
}

/** CPU nanoseconds of every thread of this process, by thread id (empty where /proc is missing). */
export function readThreadCpu(taskDir = '/proc/self/task'): Map<number, number> {
  const result = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(taskDir);
  } catch {
    return result;
  }
  for (const tid of tids) {
    try {
      result.set(Number(tid), parseSchedstat(readFileSync(`${taskDir}/${tid}/schedstat`, 'utf8')));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return result;
}

export interface ThreadCpu {
  /** A worker role, `host` (the main thread) or `other` (V8's GC/compiler threads, libuv's pool). */
  thread: string;
  tids: number[];
  usPerEvent: number;
  /** Share of one core over the run. */
  corePercent: number;
}

/**
 * CPU per event by thread role between two readings. Threads that started during the run count
 * from zero; threads that ended are lost (a restart is reported separately).
 */
export function cpuByRole(
  before: Map<number, number>,
  after: Map<number, number>,
  roleOf: (tid: number) => string,
  events: number,
  seconds: number,
): { totalUsPerEvent: number; threads: ThreadCpu[] } {
  const byRole = new Map<string, { ns: number; tids: number[] }>();
  for (const [tid, ns] of after) {
    const role = roleOf(tid);
    const entry = byRole.get(role) ?? { ns: 0, tids: [] };
    entry.ns += ns - (before.get(tid) ?? 0);
    entry.tids.push(tid);
    byRole.set(role, entry);
  }
  const perEvent = (ns: number) => (events > 0 ? round(ns / 1000 / events, 1) : 0);
  const threads = [...byRole.entries()]
    .map(([thread, { ns, tids }]) => ({
      thread,
      tids: tids.sort((a, b) => a - b),
      usPerEvent: perEvent(ns),
      corePercent: seconds > 0 ? round((ns / 1e9 / seconds) * 100, 1) : 0,
    }))
    .sort((a, b) => b.usPerEvent - a.usPerEvent);
  const total = [...byRole.values()].reduce((sum, entry) => sum + entry.ns, 0);
  return { totalUsPerEvent: perEvent(total), threads };
}
