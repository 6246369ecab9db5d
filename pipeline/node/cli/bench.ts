/**
 * `bitbrat bench`: measures the real host — every worker, every slip transition persisted — and
 * prints figures (a benchmark, not a test: these machines are shared and noisy).
 *
 * For each workload (the realistic `mix`, and `commands`: every event a replying command) the load
 * runs open loop at --rate for --seconds inside the ingress worker. An event's latency runs from
 * the moment it was due to the moment the host hands its summary to the consoles (a feed push, which
 * the router sends only after the store committed the change), for every event — no ring, no
 * warm-up samples, a sub-millisecond clock. An event is done when it ends or is held for a
 * moderator (bot mentions: the local OpenAI-compatible server answers after --llm-delay ms, then
 * the reply waits for approval; the bench then rejects it, as a moderator would, so the event ends).
 * Then the throughput run takes `commands` as fast as the pipeline
 * accepts them. CPU per event comes from every thread's schedstat, named by role; memory from
 * RSS samples and each isolate's heap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Approval } from '../../core/approval.js';
import type { HostApi } from '../../core/host-api.js';
import type { BenchWorkload, EventSummary, LoadResult, WorkerRole } from '../../core/protocol/pipeline.js';
import {
  BENCH_EVENT_KINDS,
  benchEventIndex,
  benchEventKind,
  preciseNow,
  type BenchEventKind,
} from '../demo/load-source.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';
import {
  cpuByRole,
  machineReference,
  readThreadCpu,
  slope,
  summarizeLatency,
  type LatencySummary,
  type ThreadCpu,
} from './bench-measure.js';

export interface BenchOptions {
  rate: number;
  seconds: number;
  saturationSeconds: number;
  workloads: BenchWorkload[];
  /** How long the local LLM server takes to answer a bot mention. */
  llmDelayMs: number;
  log: HostLog;
  progress: (line: string) => void;
}

interface IsolateHeap {
  thread: string;
  usedMbStart: number;
  usedMbEnd: number;
  totalMbEnd: number;
}

export interface BenchRun {
  workload: BenchWorkload;
  rate: number;
  seconds: number;
  scheduled: number;
  accepted: number;
  refused: number;
  /** Events that ended or were held before the drain deadline. */
  completed: number;
  unfinished: number;
  /** Accepted events per second over the send window: below --rate when the load source fell behind. */
  achievedRate: number;
  /** Dispositions per kind of event (`held`: waiting for a moderator). */
  outcomes: Partial<Record<BenchEventKind, Record<string, number>>>;
  latency: {
    /** Every event except bot mentions (whose time includes the LLM's answer): the pipeline's own latency. */
    pipeline: LatencySummary;
    byKind: Partial<Record<BenchEventKind, LatencySummary>>;
  };
  cpu: { totalUsPerEvent: number; threads: ThreadCpu[] };
  memory: {
    rssMbStart: number;
    rssMbEnd: number;
    rssMbMax: number;
    /** Least-squares slope of RSS over the run. */
    rssGrowthMbPerMin: number;
    isolates: IsolateHeap[];
  };
}

export interface BenchResult {
  pipeline: { eventsPerSec: number; p50Ms: number; p99Ms: number; rssMb: number; cpuUsPerEvent: number };
  /** Right after the host started, before any load: what the threads cost doing nothing. */
  idle: { rssMb: number; isolates: { thread: string; usedMb: number; totalMb: number }[] };
  runs: BenchRun[];
  saturation: {
    seconds: number;
    accepted: number;
    completed: number;
    eventsPerSec: number;
    cpu: { totalUsPerEvent: number; threads: ThreadCpu[] };
  };
  /** Worker restarts during the bench: any restart makes the figures suspect, so they are reported. */
  workerRestarts: number;
  machine: {
    cpus: number;
    node: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
    /**
     * `machineReference()` before the first run (host idle) and after the last: how fast this machine was.
     * Compare figures of runs whose references are close; they drift with the VM's neighbours.
     */
    referenceMsStart: number;
    referenceMsEnd: number;
  };
}

const ROLES: readonly WorkerRole[] = ['ingress', 'router', 'enrichment', 'reaction', 'egress', 'store'];
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssMb = () => mb(process.memoryUsage().rss);
const load = () => loadavg().map((value) => Math.round(value * 100) / 100);
/** How long after the last send the bench waits for the stragglers before it calls them unfinished. */
const DRAIN_MS = 60_000;

/** The `!bench` command the synthetic load triggers: no cooldowns, so every event gets a reply. */
export async function installBenchCommand(api: Pick<HostApi, 'commands.save'>): Promise<void> {
  const saved = await api['commands.save']({
    command: {
      id: 'bench',
      enabled: true,
      trigger: { kind: 'prefix', text: '!bench' },
      template: 'bench reply to {user}',
      roles: [],
      userCooldownSeconds: 0,
      globalCooldownSeconds: 0,
    },
  });
  if (!saved.ok) throw new Error(`bench command refused: ${saved.error}`);
}

/** A summary the console shows as settled for now: ended, or held for a moderator. */
const isDone = (summary: EventSummary) => summary.disposition !== null || summary.stage === 'approval';

/** Tracks the events of one run as their summaries reach the consoles. */
class RunTracker {
  readonly doneAt: Float64Array;
  completed = 0;
  /** How events of each kind ended (`held` when waiting for a moderator), so a surprise shows. */
  readonly outcomes: Partial<Record<BenchEventKind, Record<string, number>>> = {};
  constructor(
    readonly runId: string,
    readonly workload: BenchWorkload,
    capacity: number,
  ) {
    this.doneAt = new Float64Array(capacity);
  }
  observe(summaries: EventSummary[], now: number): void {
    for (const summary of summaries) {
      const index = benchEventIndex(this.runId, summary.id);
      if (index === null || index >= this.doneAt.length || this.doneAt[index] !== 0 || !isDone(summary)) continue;
      this.doneAt[index] = now;
      this.completed += 1;
      const counts = (this.outcomes[benchEventKind(this.workload, index)] ??= {});
      const outcome = summary.disposition ?? 'held';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
  }
}

let runSequence = 0;
const newRunId = () => ((Date.now() & 0xffffff) * 256 + (runSequence++ % 256)).toString(16).padStart(8, '0').slice(-8);

export async function bench(options: BenchOptions): Promise<BenchResult> {
  const { startOpenAiServer } = await import('../../../test/support/openai-server.js');
  const llm = await startOpenAiServer({ replyDelayMs: options.llmDelayMs, record: false });
  const savedEnv = { ...process.env };
  // Workers read the LLM endpoint from the environment when they start.
  process.env.BITBRAT_LLM_BASE_URL = llm.baseUrl;
  process.env.BITBRAT_LLM_MODEL = 'bench-model';
  delete process.env.BITBRAT_LLM_API_KEY;
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-bench-'));
  const loadAverageStart = load();
  let host: PipelineHost | undefined;
  try {
    host = await PipelineHost.start({ dataDir, log: options.log, twitch: { enabled: false } });
    const started = host;
    await installBenchCommand(started.api);
    // Every mention goes to the model: the default caps (6 replies a minute, a 30 s cooldown per
    // user, daily budgets) would skip nearly all of them and the bench would not measure that path.
    const { llm: llmSettings } = await started.api['settings.get']({});
    const relaxed = await started.api['settings.set']({
      key: 'llm',
      value: {
        ...llmSettings,
        repliesPerMinute: 0,
        userCooldownSeconds: 0,
        dailyTokenBudget: 0,
        dailyCostBudgetUsd: 0,
      },
    });
    if (!relaxed.ok) throw new Error(`bench LLM settings refused: ${relaxed.error}`);
    let tracker: RunTracker | null = null;
    // A moderator decides each held reply (rejects it: nothing goes to chat). Undecided, every held
    // event would keep its flow-control credit, and after 2,000 of them ingress would stop taking
    // chat at all (the router returns credit only when an event ends).
    const decided = new Set<string>();
    const unsubscribe = started.subscribe((topic, data) => {
      if (topic === 'feed' && tracker) tracker.observe(data as EventSummary[], preciseNow());
      if (topic !== 'approvals') return;
      for (const approval of data as Approval[]) {
        if (approval.state !== 'held' || decided.has(approval.id)) continue;
        decided.add(approval.id);
        void started.api['approvals.decide']({
          approvalId: approval.id,
          decision: { action: 'reject', note: 'bench' },
          moderator: 'bench',
          console: 'bench',
        }).catch((error: unknown) =>
          options.log('warn', 'bench could not decide a held reply', { error: String(error) }),
        );
      }
    });
    const ingress = started.workers.control('ingress');
    const threadInfos = async () =>
      Promise.all(
        ROLES.map(async (role) => ({ role, info: await started.workers.control(role).call('threadInfo', undefined) })),
      );
    const restarts = async () =>
      (await started.api['health.get']({})).workers.reduce((sum, worker) => sum + worker.restarts, 0);
    const restartsBefore = await restarts();
    const idleInfos = await threadInfos();
    const idle = {
      rssMb: rssMb(),
      isolates: [
        {
          thread: 'host',
          usedMb: mb(getHeapStatistics().used_heap_size),
          totalMb: mb(getHeapStatistics().total_heap_size),
        },
        ...idleInfos.map(({ role, info }) => ({
          thread: role,
          usedMb: mb(info.heapUsedBytes),
          totalMb: mb(info.heapTotalBytes),
        })),
      ],
    };

    // After the idle figures: its garbage would count as idle memory of the host.
    const referenceMsStart = machineReference().ms;

    const runLoad = async (workload: BenchWorkload, rate: number, seconds: number) => {
      const runId = newRunId();
      const capacity = rate > 0 ? Math.floor(seconds * rate) : 2_000_000;
      tracker = new RunTracker(runId, workload, capacity);
      const startAt = preciseNow() + 200;
      const result: LoadResult = await ingress.call(
        'load',
        { workload, ratePerSecond: rate, durationMs: seconds * 1000, startAt, runId },
        { timeoutMs: seconds * 1000 + 120_000 },
      );
      const deadline = Date.now() + DRAIN_MS;
      const own = tracker;
      while (own.completed < result.accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      tracker = null;
      return { runId, startAt, result, tracker: own, finishedAt: preciseNow() };
    };

    options.progress('warm-up: 2 s of commands at 500 events/s');
    await runLoad('commands', 500, 2);

    const runs: BenchRun[] = [];
    for (const workload of options.workloads) {
      options.progress(`${workload}: ${options.rate} events/s for ${options.seconds} s (open loop)`);
      const heapsStart = await threadInfos();
      const mainHeapStart = getHeapStatistics().used_heap_size;
      const rssStart = rssMb();
      const rssSamples: [number, number][] = [[0, rssStart]];
      const sampleStart = Date.now();
      const sampler = setInterval(() => rssSamples.push([(Date.now() - sampleStart) / 60_000, rssMb()]), 1000);
      const cpuBefore = readThreadCpu();
      const wallStart = preciseNow();
      let run;
      try {
        run = await runLoad(workload, options.rate, options.seconds);
      } finally {
        clearInterval(sampler);
      }
      const cpuAfter = readThreadCpu();
      const heapsEnd = await threadInfos();
      const rssEnd = rssMb();
      rssSamples.push([(Date.now() - sampleStart) / 60_000, rssEnd]);
      const roleByTid = new Map<number, string>([[process.pid, 'host']]);
      for (const { role, info } of [...heapsStart, ...heapsEnd]) if (info.tid !== null) roleByTid.set(info.tid, role);

      const latencies = new Map<BenchEventKind | 'pipeline', number[]>();
      const { doneAt } = run.tracker;
      for (let index = 0; index < doneAt.length; index++) {
        if (doneAt[index] === 0) continue;
        const latency = doneAt[index]! - (run.startAt + (index / options.rate) * 1000);
        const kind = benchEventKind(workload, index);
        (latencies.get(kind) ?? latencies.set(kind, []).get(kind)!).push(latency);
        if (kind !== 'mention')
          (latencies.get('pipeline') ?? latencies.set('pipeline', []).get('pipeline')!).push(latency);
      }
      const summary = (key: BenchEventKind | 'pipeline') =>
        summarizeLatency(Float64Array.from(latencies.get(key) ?? []));
      const sendSeconds = (run.result.lastSentAt - run.startAt) / 1000;
      runs.push({
        workload,
        rate: options.rate,
        seconds: options.seconds,
        scheduled: run.result.scheduled,
        accepted: run.result.accepted,
        refused: run.result.refused,
        completed: run.tracker.completed,
        unfinished: run.result.accepted - run.tracker.completed,
        achievedRate: Math.round(run.result.accepted / Math.max(sendSeconds, 1e-3)),
        outcomes: run.tracker.outcomes,
        latency: {
          pipeline: summary('pipeline'),
          byKind: Object.fromEntries(
            BENCH_EVENT_KINDS.filter((kind) => latencies.has(kind)).map((kind) => [kind, summary(kind)]),
          ),
        },
        cpu: cpuByRole(
          cpuBefore,
          cpuAfter,
          (tid) => roleByTid.get(tid) ?? 'other',
          run.tracker.completed,
          (run.finishedAt - wallStart) / 1000,
        ),
        memory: {
          rssMbStart: rssStart,
          rssMbEnd: rssEnd,
          rssMbMax: Math.max(...rssSamples.map(([, value]) => value)),
          rssGrowthMbPerMin: Math.round(slope(rssSamples) * 10) / 10,
          isolates: [
            {
              thread: 'host',
              usedMbStart: mb(mainHeapStart),
              usedMbEnd: mb(getHeapStatistics().used_heap_size),
              totalMbEnd: mb(getHeapStatistics().total_heap_size),
            },
            ...ROLES.map((role) => {
              const start = heapsStart.find((entry) => entry.role === role)!.info;
              const end = heapsEnd.find((entry) => entry.role === role)!.info;
              return {
                thread: role,
                usedMbStart: mb(start.heapUsedBytes),
                usedMbEnd: mb(end.heapUsedBytes),
                totalMbEnd: mb(end.heapTotalBytes),
              };
            }),
          ],
        },
      });
    }

    options.progress(`throughput: commands as fast as the pipeline takes them for ${options.saturationSeconds} s`);
    const satInfos = await threadInfos();
    const satRoles = new Map<number, string>([[process.pid, 'host']]);
    for (const { role, info } of satInfos) if (info.tid !== null) satRoles.set(info.tid, role);
    const satCpuBefore = readThreadCpu();
    const satStart = preciseNow();
    const saturation = await runLoad('commands', 0, options.saturationSeconds);
    const satSeconds = (saturation.finishedAt - satStart) / 1000;
    const satCpu = cpuByRole(
      satCpuBefore,
      readThreadCpu(),
      (tid) => satRoles.get(tid) ?? 'other',
      saturation.tracker.completed,
      satSeconds,
    );
    const eventsPerSec = Math.round(saturation.tracker.completed / satSeconds);
    const workerRestarts = (await restarts()) - restartsBefore;
    unsubscribe();

    const headline = runs.find((run) => run.workload === 'mix') ?? runs[0];
    return {
      pipeline: {
        eventsPerSec,
        p50Ms: headline?.latency.pipeline.p50Ms ?? 0,
        p99Ms: headline?.latency.pipeline.p99Ms ?? 0,
        rssMb: headline?.memory.rssMbEnd ?? rssMb(),
        cpuUsPerEvent: headline?.cpu.totalUsPerEvent ?? satCpu.totalUsPerEvent,
      },
      idle,
      runs,
      saturation: {
        seconds: Math.round(satSeconds * 10) / 10,
        accepted: saturation.result.accepted,
        completed: saturation.tracker.completed,
        eventsPerSec,
        cpu: satCpu,
      },
      workerRestarts,
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAverageStart,
        loadAverageEnd: load(),
        referenceMsStart,
        referenceMsEnd: machineReference().ms,
      },
    };
  } finally {
    await host?.stop();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
    for (const key of ['BITBRAT_LLM_BASE_URL', 'BITBRAT_LLM_MODEL', 'BITBRAT_LLM_API_KEY']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  }
}

/** The figures in a few lines a person reads. */
export function benchSummary(result: BenchResult): string {
  const lines: string[] = [];
  const m = result.machine;
  lines.push(
    `BitBrat bench — ${m.cpus} CPUs, Node ${m.node}, load average ${m.loadAverageStart.join('/')} → ${m.loadAverageEnd.join('/')}`,
  );
  lines.push(
    `machine reference ${m.referenceMsStart} → ${m.referenceMsEnd} ms (fixed work; compare runs only at close values)`,
  );
  lines.push(
    `idle: RSS ${result.idle.rssMb} MB; heaps used MB: ${result.idle.isolates.map((i) => `${i.thread} ${i.usedMb}`).join(', ')}`,
  );
  for (const run of result.runs) {
    const p = run.latency.pipeline;
    lines.push('');
    lines.push(
      `${run.workload} at ${run.rate}/s for ${run.seconds} s: achieved ${run.achievedRate}/s, ${run.accepted} accepted, ${run.refused} refused, ${run.unfinished} unfinished`,
    );
    lines.push(
      `  latency due → on disk and pushed to consoles (all but bot mentions): p50 ${p.p50Ms} ms, p90 ${p.p90Ms}, p99 ${p.p99Ms}, p99.9 ${p.p999Ms}, max ${p.maxMs}`,
    );
    for (const [kind, summary] of Object.entries(run.latency.byKind)) {
      const outcomes = Object.entries(run.outcomes[kind as BenchEventKind] ?? {})
        .map(([outcome, count]) => `${outcome} ${count}`)
        .join(', ');
      lines.push(
        `    ${kind.padEnd(8)} n=${summary.count} p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms (${outcomes})`,
      );
    }
    lines.push(
      `  CPU ${run.cpu.totalUsPerEvent} µs/event: ${run.cpu.threads.map((t) => `${t.thread} ${t.usPerEvent}`).join(', ')}`,
    );
    const mem = run.memory;
    lines.push(
      `  RSS ${mem.rssMbStart} → ${mem.rssMbEnd} MB (max ${mem.rssMbMax}, ${mem.rssGrowthMbPerMin} MB/min); heaps used MB: ${mem.isolates.map((i) => `${i.thread} ${i.usedMbStart}→${i.usedMbEnd}`).join(', ')}`,
    );
  }
  const s = result.saturation;
  lines.push('');
  lines.push(
    `saturation (commands): ${s.eventsPerSec} events/s over ${s.seconds} s; CPU ${s.cpu.totalUsPerEvent} µs/event: ${s.cpu.threads.map((t) => `${t.thread} ${t.usPerEvent}`).join(', ')}`,
  );
  if (result.workerRestarts > 0) lines.push(`WARNING: ${result.workerRestarts} worker restart(s) during the bench`);
  return lines.join('\n');
}
