/**
 * Shared parts of the console's end-to-end tests: the built renderer, a real host (`serve()`: every
 * worker, a real SQLite file, the gateway) and Debian's Chromium driven by playwright-core. One host
 * and one browser per test file keeps the suite fast on two cores.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { InboundEvent } from '../../pipeline/core/envelope.js';
import { serve, type Served } from '../../pipeline/node/cli/serve.js';
import { TWITCH_ENDPOINT_ENV } from '../../pipeline/node/twitch-integration/endpoints.js';
import { startTwitchIrcServer, type TwitchIrcServer } from '../support/twitch-irc-server.js';

import { CHROMIUM, CHROMIUM_ARGS } from '../../pipeline/node/cli/chromium.js';

export { CHROMIUM, CHROMIUM_ARGS };
const ROOT = join(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const RENDERER_OUT = join(ROOT, 'dist/renderer/index.html');
const BUILD_LOCK = join(ROOT, 'dist/.e2e-renderer-build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function rendererIsFresh(): boolean {
  if (!existsSync(RENDERER_OUT)) return false;
  const sources = Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'pipeline/core')));
  return statSync(RENDERER_OUT).mtimeMs >= sources;
}

/**
 * Builds dist/renderer with Vite unless it is newer than every source. Test files run in parallel
 * forks: a lock directory (mkdir is atomic) lets one build while the others wait for it.
 */
export async function ensureRendererBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // A lock left by a killed run is stale after a minute (a build takes seconds).
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > 60_000)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build the renderer');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    if (!rendererIsFresh()) {
      // Vitest sets NODE_ENV=test, which would give React's development build: test (and leave in
      // dist/, where `bitbrat serve` finds it) the production console instead.
      const nodeEnv = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        await build({ configFile: join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
      } finally {
        process.env.NODE_ENV = nodeEnv;
      }
    }
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  // playwright launches with a fresh temporary --user-data-dir of its own for every browser.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface TestHost {
  served: Served;
  /** The local Twitch-like chat server the host reads the channel from. */
  irc: TwitchIrcServer;
  dataDir: string;
  port: number;
  url: string;
  /** Stops the host (the data folder stays) and serves again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real host with the demo's scripted llm-bot (replies "[demo] …", no LLM) but without the random
 * demo chat, so every event in a test is one the test sent; `realLlm` runs the real llm-bot instead.
 */
export async function startTestHost(
  options: {
    dataDir?: string;
    channel?: string;
    /** The real llm-bot (the `llm` setting names its endpoint) instead of the scripted demo replies. */
    realLlm?: boolean;
  } = {},
): Promise<TestHost> {
  // Naming a channel starts anonymous chat reading: point it at a local Twitch-like IRC server, never
  // at Twitch (the host reads this variable when it starts; each test file is its own process).
  const irc: TwitchIrcServer = await startTwitchIrcServer();
  process.env[TWITCH_ENDPOINT_ENV.irc] = `ws://127.0.0.1:${irc.port}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bitbrat-e2e-'));
  const start = async (port: number) => {
    const served = await serve({
      dataDir,
      port,
      lan: false,
      demo: options.realLlm ? null : { ratePerSecond: 0.1, scripted: true },
      log: () => undefined,
    });
    if (!options.realLlm) await served.host.workers.control('ingress').call('demo', null);
    return served;
  };
  let served = await start(0);
  const saved = await served.host.api['settings.set']({ key: 'channel', value: options.channel ?? 'e2e_channel' });
  if (!saved.ok) throw new Error(saved.error);
  let running = true;
  const host: TestHost = {
    get served() {
      return served;
    },
    irc,
    dataDir,
    port: served.gateway.port,
    url: served.gateway.consoleUrl,
    async stop() {
      if (running) await served.stop();
      running = false;
    },
    async restart() {
      await host.stop();
      served = await start(host.port);
      running = true;
    },
    async close() {
      await host.stop();
      await irc.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return host;
}

let sequence = 0;
export function chat(text: string, login = 'viewer1', roles: string[] = ['viewer']): InboundEvent {
  sequence += 1;
  return {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'e2e_channel' },
    identity: { external: { id: `id-${login}`, login, displayName: login, roles: roles as never } },
    message: { id: `e2e-${sequence}`, text },
  };
}

/** Submits one event and waits until it is held, ended, or (with terminalOnly) ended. */
export async function submit(host: TestHost, event: unknown, terminalOnly = false): Promise<string> {
  const [result] = await host.served.host.submit('test', [event]);
  if (!result?.ok) throw new Error(`not accepted: ${result?.ok === false ? result.error : '?'}`);
  await host.served.host.waitForSettled(result.id, { terminalOnly });
  return result.id;
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Errors the page logged or threw. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Opens the console with the tokened URL in a fresh browser context (its own storage), as the
 * named moderator; `null` leaves the name prompt up so a test can answer it.
 */
export async function openConsole(
  browser: Browser,
  url: string,
  moderator: string | null,
  options: { allow?: RegExp[]; init?: string; permissions?: string[] } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 850 },
    ...(options.permissions ? { permissions: options.permissions } : {}),
  });
  if (options.init) await context.addInitScript({ content: options.init });
  if (moderator) {
    await context.addInitScript({
      content: `localStorage.setItem('bitbrat.moderator', ${JSON.stringify(moderator)});`,
    });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed = (text: string) => (options.allow ?? []).some((pattern) => pattern.test(text));
  page.on('console', (message) => {
    if (message.type() === 'error' && !allowed(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  // Fail with the browser's own errors rather than at the suite's timeout (generous: the two cores are shared).
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  return { page, context, problems, close: () => context.close() };
}

export async function connected(page: Page): Promise<void> {
  await page.locator('[data-testid=connection][data-status=open]').waitFor();
}

/** Runs a browser step; on failure saves a screenshot and adds the page's errors to the message. */
export async function step<T>(console: ConsolePage, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await console.page.screenshot({ path: join(ARTIFACTS, `failure-${name}.png`) }).catch(() => undefined);
    throw new Error(
      `${name}: ${error instanceof Error ? error.message : String(error)}\nbrowser errors: ${console.problems.join(' | ')}`,
      { cause: error },
    );
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
