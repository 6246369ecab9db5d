/**
 * `bitbrat bench --ui`: is the console smooth under a raid? A real host (every worker, every slip
 * transition persisted) is fed N events/s from inside the ingress worker while headless Chromium
 * shows the console's live view; the page counts animation frames and records main-thread long
 * tasks (PerformanceObserver 'longtask', tasks over 50 ms). Target (issue 13): ≥ 55 fps, no task over 50 ms.
 *
 * A benchmark, not a test: figures depend on the machine (the host and the browser share its cores).
 */
import { preciseNow } from '../demo/load-source.js';
import { installBenchCommand } from './bench.js';
import { CHROMIUM_ARGS } from './chromium.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '../gateway/gateway.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';
import { loadOrCreateConsoleToken } from './console-token.js';
import { rendererDir } from './serve.js';

export interface BenchUiOptions {
  rate: number;
  seconds: number;
  chromium: string;
  log: HostLog;
  progress: (line: string) => void;
}

export interface BenchUiResult {
  rate: number;
  seconds: number;
  /** Events the load source handed to the pipeline during the run (flow control may hold it below the rate). */
  sent: number;
  achievedRate: number;
  /** Worker restarts during the run: any restart makes the figures suspect, so they are reported. */
  workerRestarts: number;
  ui: {
    fps: number;
    /** Fewest frames in any whole second of the run. */
    minFps: number;
    /** Longest gap between two frames. */
    worstFrameMs: number;
    /** Wall-clock length of the longest main-thread task (what the 'longtask' API reports). */
    longestTaskMs: number;
    /**
     * CPU time the page's main thread spent in that kind of task, from a Chromium trace: when the
     * host and the browser share few cores, a task's wall time includes time the thread waited for one.
     */
    longestTaskCpuMs: number;
    longTasks: number;
    /** Events the console had received when the run ended (pushes are batched per frame). */
    received: number;
  };
  target: { fps: number; longestTaskMs: number; met: boolean };
  machine: { cpus: number; node: string; browser: string };
}

/** Runs in the page (a string: this module is compiled without DOM types). */
const START_PROBE = `(() => {
  const probe = { frames: 0, perSecond: [], worstGap: 0, longest: 0, longTasks: 0, start: performance.now(), running: true };
  window.__bitbratBench = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      probe.longTasks += 1;
      probe.longest = Math.max(probe.longest, entry.duration);
    }
  }).observe({ type: 'longtask' });
  let last = performance.now();
  const frame = (now) => {
    if (!probe.running) return;
    probe.frames += 1;
    probe.worstGap = Math.max(probe.worstGap, now - last);
    last = now;
    const second = Math.floor((now - probe.start) / 1000);
    probe.perSecond[second] = (probe.perSecond[second] || 0) + 1;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()`;

const STOP_PROBE = `(() => {
  const probe = window.__bitbratBench;
  probe.running = false;
  const elapsed = performance.now() - probe.start;
  const whole = probe.perSecond.slice(0, Math.floor(elapsed / 1000)).map((count) => count || 0);
  const bar = document.querySelector('.live-bar span');
  return {
    frames: probe.frames,
    elapsed,
    minFps: whole.length ? Math.min(...whole) : 0,
    worstGap: probe.worstGap,
    longest: probe.longest,
    longTasks: probe.longTasks,
    bar: bar ? bar.textContent : '',
  };
})()`;

interface ProbeResult {
  frames: number;
  elapsed: number;
  minFps: number;
  worstGap: number;
  longest: number;
  longTasks: number;
  bar: string;
}

export async function benchUi(options: BenchUiOptions): Promise<BenchUiResult> {
  if (!existsSync(options.chromium)) {
    throw new Error(
      `no Chromium at ${options.chromium}: install it (apt-get install chromium) or pass --chromium PATH`,
    );
  }
  if (!existsSync(join(rendererDir(), 'index.html'))) {
    throw new Error(`the console is not built (${rendererDir()} is missing): run \`npm run build\` first`);
  }
  // playwright-core is a development dependency: load it only for this command.
  const { chromium } = await import('playwright-core');
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-bench-ui-'));
  // Twitch off: the channel named below (it closes the first-run wizard) must not be read from Twitch.
  const host = await PipelineHost.start({ dataDir, log: options.log, twitch: { enabled: false } });
  const stopHost = async () => {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      host,
      token: loadOrCreateConsoleToken(dataDir),
      port: 0,
      lan: false,
      staticDir: rendererDir(),
      log: options.log,
    });
  } catch (error) {
    await stopHost();
    throw error;
  }
  const browser = await chromium.launch({ executablePath: options.chromium, args: CHROMIUM_ARGS });
  try {
    const api = host.api;
    // A named channel closes the first-run wizard; a command with no cooldowns answers every event.
    await api['settings.set']({ key: 'channel', value: 'bench' });
    await installBenchCommand(api);

    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    await context.addInitScript({ content: `localStorage.setItem('bitbrat.moderator', 'bench');` });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(gateway.consoleUrl);
    await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 15_000 });

    options.progress(`console open; feeding ${options.rate} events/s for ${options.seconds} s`);
    const restarts = async () =>
      (await api['health.get']({})).workers.reduce((sum, worker) => sum + worker.restarts, 0);
    const restartsBefore = await restarts();
    await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline'] });
    await page.evaluate(START_PROBE);
    const { accepted: sent } = await host.workers.control('ingress').call(
      'load',
      {
        workload: 'commands',
        ratePerSecond: options.rate,
        durationMs: options.seconds * 1000,
        startAt: preciseNow(),
        runId: 'b0000000',
      },
      { timeoutMs: options.seconds * 1000 + 60_000 },
    );
    const probe = (await page.evaluate(STOP_PROBE)) as ProbeResult;
    const longestTaskCpuMs = longestMainThreadCpuMs(await browser.stopTracing());
    const workerRestarts = (await restarts()) - restartsBefore;
    if (errors.length > 0) throw new Error(`the console threw during the run: ${errors.join(' | ')}`);

    const fps = Math.round((probe.frames / probe.elapsed) * 1000 * 10) / 10;
    const longestTaskMs = Math.round(probe.longest);
    const received = Number(/of (\d[\d,]*) events/.exec(probe.bar)?.[1]?.replace(/,/g, '') ?? 0);
    return {
      rate: options.rate,
      seconds: options.seconds,
      sent,
      achievedRate: Math.round(sent / options.seconds),
      workerRestarts,
      ui: {
        fps,
        minFps: probe.minFps,
        worstFrameMs: Math.round(probe.worstGap),
        longestTaskMs,
        longestTaskCpuMs,
        longTasks: probe.longTasks,
        received,
      },
      target: { fps: 55, longestTaskMs: 50, met: fps >= 55 && longestTaskMs <= 50 },
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version, browser: browser.version() },
    };
  } finally {
    await browser.close();
    await gateway.close();
    await stopHost();
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The most CPU time one task took on the page's main thread (Chromium trace, microseconds → ms). */
export function longestMainThreadCpuMs(trace: Buffer): number {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const main = events.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  if (!main) return 0;
  let longest = 0;
  for (const event of events) {
    if (event.pid !== main.pid || event.tid !== main.tid || event.ph !== 'X' || event.name !== 'RunTask') continue;
    longest = Math.max(longest, event.tdur ?? event.dur ?? 0);
  }
  return Math.round(longest / 1000);
}
