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

/**
 * A fixed piece of work of the pipeline's kind (an event-sized object through JSON, the kind of
 * regular expressions the analyzer runs, a map of users), timed on this thread, median of several
 * rounds. These VMs change speed by ±10 % within minutes (other tenants): two runs are comparable
 * only at similar reference times, and a figure can be scaled by the ratio of its run's reference.
 * `checksum` proves the work is the same from run to run.
 */
export function machineReference(rounds = 7): { ms: number; checksum: number } {
  const times: number[] = [];
  // Warm-up rounds first: the JIT's tiers would otherwise make a fresh process look slower.
  let checksum = referenceWork() + referenceWork() + referenceWork();
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    checksum = referenceWork();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[Math.floor(times.length / 2)]! * 100) / 100, checksum };
}

const REFERENCE_WORDS = /\b(?:hello|stream|gg|clip|raid|follow)\b/gi;

function referenceWork(): number {
  let checksum = 0;
  const users = new Map<string, number>();
  for (let index = 0; index < 2000; index += 1) {
    const event = {
      id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
      type: 'chat.message.v1',
      identity: { external: { id: `u${index % 500}`, login: `viewer${index % 500}`, roles: ['viewer'] } },
      message: { text: `hello stream number ${index}, gg that clip was great! follow for the raid` },
      routing: { slip: [1, 2, 3, 4, 5].map((step) => ({ id: `service-${step}`, status: 'OK', attempt: 1 })) },
      annotations: [{ kind: 'analysis', value: { toxicity: 0, spam: index % 7 } }],
    };
    const copy = JSON.parse(JSON.stringify(event)) as typeof event;
    checksum += (copy.message.text.match(REFERENCE_WORDS) ?? []).length;
    users.set(copy.identity.external.login, (users.get(copy.identity.external.login) ?? 0) + 1);
  }
  return checksum + users.size;
}
