/**
 * `bitbrat bench`: measures the real host — every worker, every slip transition persisted,
 * `commands` as the reaction — and prints figures (a benchmark, not a test: these machines are
 * noisy). Latency is measured first, at a fixed rate; then throughput at saturation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostApi } from '../../core/host-api.js';
import type { PipelineStats } from '../../core/protocol/pipeline.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';

export interface BenchOptions {
  rate: number;
  latencySeconds: number;
  saturationSeconds: number;
  log: HostLog;
  progress: (line: string) => void;
}

export interface BenchResult {
  pipeline: { eventsPerSec: number; p50Ms: number; p99Ms: number; rssMb: number };
  latencyRun: {
    rate: number;
    seconds: number;
    events: number;
    p50Ms: number;
    p99Ms: number;
    rssMbStart: number;
    rssMbEnd: number;
    rssMbMax: number;
  };
  saturationRun: { seconds: number; events: number; eventsPerSec: number };
  phases: PipelineStats['phases'];
  /** Worker restarts during the run: any restart makes the figures suspect, so they are reported. */
  workerRestarts: number;
  machine: { cpus: number; node: string; loadAverage: number[] };
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

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

export async function bench(options: BenchOptions): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-bench-'));
  const host = await PipelineHost.start({ dataDir, log: options.log });
  try {
    await installBenchCommand(host.api);
    const ingress = host.workers.control('ingress');
    const replied = async () => (await host.api['stats.get']({})).dispositions.replied;
    const waitIdle = async () => {
      for (;;) {
        const stats = await host.api['stats.get']({});
        if (stats.inFlight === 0) return stats;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // Warm up JIT and SQLite caches.
    await ingress.call('load', { ratePerSecond: 2000, durationMs: 1000, batch: 20 }, { timeoutMs: 60_000 });
    await waitIdle();

    options.progress(`latency: ${options.rate} events/s for ${options.latencySeconds} s`);
    const rssStart = rssMb();
    let rssMax = rssStart;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb())), 500);
    const before = await replied();
    const batch = Math.max(1, Math.round(options.rate / 100));
    await ingress.call(
      'load',
      { ratePerSecond: options.rate, durationMs: options.latencySeconds * 1000, batch },
      { timeoutMs: options.latencySeconds * 1000 + 60_000 },
    );
    const latencyStats = await waitIdle();
    clearInterval(sampler);
    const rssEnd = rssMb();
    const latencyEvents = latencyStats.dispositions.replied - before;

    options.progress(`throughput: as fast as the pipeline takes them for ${options.saturationSeconds} s`);
    const startReplied = await replied();
    const started = performance.now();
    await ingress.call(
      'load',
      { ratePerSecond: 0, durationMs: options.saturationSeconds * 1000, batch: 500 },
      { timeoutMs: options.saturationSeconds * 1000 + 120_000 },
    );
    const saturationStats = await waitIdle();
    const elapsed = (performance.now() - started) / 1000;
    const events = saturationStats.dispositions.replied - startReplied;
    const eventsPerSec = Math.round(events / elapsed);

    return {
      pipeline: { eventsPerSec, p50Ms: latencyStats.endToEnd.p50Ms, p99Ms: latencyStats.endToEnd.p99Ms, rssMb: rssEnd },
      latencyRun: {
        rate: options.rate,
        seconds: options.latencySeconds,
        events: latencyEvents,
        p50Ms: latencyStats.endToEnd.p50Ms,
        p99Ms: latencyStats.endToEnd.p99Ms,
        rssMbStart: rssStart,
        rssMbEnd: rssEnd,
        rssMbMax: rssMax,
      },
      saturationRun: { seconds: Math.round(elapsed * 10) / 10, events, eventsPerSec },
      phases: saturationStats.phases,
      workerRestarts: (await host.api['health.get']({})).workers.reduce((sum, worker) => sum + worker.restarts, 0),
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
      },
    };
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
